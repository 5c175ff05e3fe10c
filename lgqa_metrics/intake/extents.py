"""Each sheet's extent measured from the raw file before any grid is built: xlsx cell and row references, ods
repeat counts (never expanded), xls cell records. A stray cell at XFD1048576 or a row repeated a million times
is then reported as ``sheet_too_large`` instead of being built (:func:`sheet_extents`)."""

from __future__ import annotations

import io
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from operator import itemgetter
from typing import IO, Final

from lgqa_metrics.intake.parts import (
    ArchiveParts,
    column_number,
    sheet_parts,
    tag_bounded_chunks,
)
from lgqa_metrics.intake.sheets import MAX_CELLS, UnreadableWorkbook, is_absurd, short_error
from lgqa_metrics.intake.sniff import ZipInspection


def sheet_extents(data: bytes, kind: str, archive: ZipInspection | None = None
             ) -> tuple[dict[str, tuple[int, int]], tuple[int, int]]:
    """Each sheet's largest 0-based (row, column) by name, and the extent to assume for a sheet the scan
    could not name (the largest among the parts it could not tie to a sheet)."""
    try:
        if kind in {"xlsx", "xlsm"}:
            return _xlsx_extents(data, archive)
        if kind == "ods":
            return _ods_extents(data, archive), (0, 0)
        if kind == "xls":
            return _xls_extents(data), (0, 0)
    except (UnreadableWorkbook, MemoryError):
        raise
    except Exception as exc:  # a part the scan cannot parse: calamine would be reading it blind
        raise UnreadableWorkbook("file_unreadable", short_error(exc)) from exc
    return {}, (0, 0)


#: One row, cell or dimension start tag of a worksheet part (tags hold no '<', so chunks split before one).
_TAG: Final = re.compile(rb"<(?:[\w.-]+:)?(row|c|dimension)(?=[\s/>])([^>]*)>")


#: One attribute, its value in either quotes (parsed in order, so a value can't pose as an attribute).
_ATTR: Final = re.compile(rb"""([^\s=/>"']+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


_A1: Final = re.compile(rb"([A-Za-z]*)([0-9]*)")




_CELL_R: Final = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"')


_CELL_OR_ROW_TAG: Final = re.compile(rb"<(?:[\w.-]+:)?(?:c|row)(?=[\s/>])")


#: Unprefixed cell and row start tags, and what any prefixed one holds (counted exactly only when present).
_UNPREFIXED_TAG: Final = re.compile(rb"<(?:c|row)[\s/>]")




_MAYBE_PREFIXED_TAG: Final = re.compile(rb":(?:c|row)[\s/>]")


_ROW_R: Final = re.compile(rb'<row r="([0-9]{1,7})"')


#: Every attribute ``r=``: after white space or a quote, or after a prefix other than ``xmlns:`` (the ``r``
#: first, so that the regex engine skips ahead to each one).
_R_ATTR: Final = re.compile(rb"""r(?:(?<=[ \t\n\r"']r)|(?<=:r)(?<!xmlns:r))\s*=""")


#: A cell or row tag holding a character reference (``r="&#88;FD1"``): the fast path must not judge it.
_REF_IN_TAG: Final = re.compile(rb"<(?:[\w.-]+:)?(?:c|row)(?=[\s/>])[^>]*&#")


_CHAR_REF: Final = re.compile(rb"&#(x[0-9A-Fa-f]+|[0-9]+);")






def _char_refs(value: bytes) -> bytes:
    """``&#88;FD1`` → ``XFD1``: character references in an attribute value, as an XML parser reads them."""
    def one(m: re.Match[bytes]) -> bytes:
        text = m.group(1)
        code = int(text[1:], 16) if text[:1] in (b"x", b"X") else int(text)
        return chr(code).encode("utf-8", "replace") if code < 0x110000 else b"?"
    return _CHAR_REF.sub(one, value) if b"&#" in value else value




def _r_attributes(body: bytes) -> int:
    """How many attributes named ``r`` (any prefix but ``xmlns``) ``body`` holds: the fast path needs
    exactly one per cell and row tag, and none elsewhere."""
    return len(_R_ATTR.findall(body))


def _fast_extent(body: bytes) -> tuple[int, int, int, int] | None:
    """(largest row, largest column, last row, cells) of a chunk in which every cell and row tag starts
    with a plain ``r`` reference (what Excel, LibreOffice, openpyxl and xlsxwriter write), all found by
    the regex engine alone; None when any tag is otherwise (then every tag is read in order)."""
    cells, rows = _CELL_R.findall(body), _ROW_R.findall(body)
    tags = _CELL_OR_ROW_TAG if _MAYBE_PREFIXED_TAG.search(body) else _UNPREFIXED_TAG
    if len(cells) + len(rows) != len(tags.findall(body)):  # each plain tag is one of these
        return None
    if _r_attributes(body) != len(cells) + len(rows):
        return None
    if b"&#" in body and _REF_IN_TAG.search(body):
        return None
    top_row = max(max(map(int, rows), default=0), max(map(int, set(map(itemgetter(1), cells))), default=0))
    top_col = max(map(column_number, set(map(itemgetter(0), cells))), default=0)
    return top_row, top_col, int(rows[-1]) if rows else 0, len(cells)


def _refs(attrs: bytes, name: bytes) -> list[bytes]:
    """Values of the attributes called ``name`` (with any prefix) in a start tag's attribute text."""
    if name not in attrs:
        return []
    found = []
    for m in _ATTR.finditer(attrs):
        key = m.group(1)
        if key == name or key.endswith(b":" + name):
            found.append(_char_refs(m.group(2) if m.group(2) is not None else m.group(3)).strip())
    return found


def _a1_max(values: list[bytes]) -> tuple[int, int] | None:
    """The largest 1-based (row, column) among A1 references (0 for a part missing), None when none parses."""
    best: tuple[int, int] | None = None
    for value in values:
        m = _A1.fullmatch(value)
        if m and (m.group(1) or m.group(2)):
            here = int(m.group(2) or 0), column_number(m.group(1))
            best = here if best is None else (max(best[0], here[0]), max(best[1], here[1]))
    return best


def _sheet_extent(fh: IO[bytes]) -> tuple[int, int]:
    """The largest 0-based (row, column) a worksheet part reaches: its ``<dimension>``, every cell's ``r``,
    and the rows and columns of cells without one (counted on from the previous row and cell, as readers
    place them). Attributes are parsed in order (quotes, character references, prefixes); when a tag names
    several references the largest counts. Stops early once the extent is absurd."""
    rows = cols = 0  # 1-based maxima
    row = col = cells = 0
    for body in tag_bounded_chunks(fh):
        for m in _TAG.finditer(body, 0, body.find(b"<sheetData") if b"<sheetData" in body else len(body)):
            if m.group(1) == b"dimension":  # the dimension comes before the data
                for value in _refs(m.group(2), b"ref"):
                    for corner in value.split(b":"):
                        found = _a1_max([corner.strip()])
                        if found:
                            rows, cols = max(rows, found[0]), max(cols, found[1])
        fast = _fast_extent(body)
        if fast is not None:
            top_row, top_col, last_row, count = fast
            rows, cols, cells = max(rows, top_row), max(cols, top_col), cells + count
            row, col = (last_row or row), max(col, top_col)  # over-counts the column of r-less cells after
        else:
            for m in _TAG.finditer(body):
                name, attrs = m.group(1), m.group(2)
                if name == b"dimension":
                    continue
                if name == b"row":
                    numbers = [int(v) for v in _refs(attrs, b"r") if v.isdigit()]
                    row = max(numbers) if numbers else row + 1
                    col = 0
                else:
                    found = _a1_max(_refs(attrs, b"r"))
                    if found:
                        row = found[0] or row
                        col = found[1] or col + 1
                    else:
                        col += 1
                    cells += 1
                rows, cols = max(rows, row), max(cols, col)
                if cells > MAX_CELLS or is_absurd((rows - 1, cols - 1)):
                    break
        if cells > MAX_CELLS or is_absurd((rows - 1, cols - 1)):
            break
    return max(rows - 1, 0), max(cols - 1, 0)


def _xlsx_extents(data: bytes, archive: ZipInspection | None = None
                  ) -> tuple[dict[str, tuple[int, int]], tuple[int, int]]:
    """Each sheet's largest 0-based (row, column), read from the XML before any grid is built (a stray cell
    at XFD1048576 would ask for ~500 GiB), and the largest extent among worksheet parts not tied to a
    sheet name (assumed for any sheet calamine finds that the scan could not place)."""
    out: dict[str, tuple[int, int]] = {}
    with ArchiveParts(data, archive) as zf:
        names = zf.names
        mapped: set[str] = set()
        for name, path in sheet_parts(zf):
            with zf.open(path) as fh:
                out[name] = _sheet_extent(fh)
            mapped.add(path)
        fallback = (0, 0)
        for part in names:
            if part in mapped or not part.lower().endswith(".xml") or not part.lower().startswith("xl/"):
                continue
            if part.lower().startswith(("xl/theme/", "xl/styles", "xl/sharedstrings", "xl/_rels/", "xl/workbook")):
                continue
            with zf.open(part) as fh:
                rows, cols = _sheet_extent(fh)
            fallback = (max(fallback[0], rows), max(fallback[1], cols))
    return out, fallback


_ODS_TABLE: Final = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


_ODS_OFFICE: Final = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


@dataclass
class _OdsTable:
    name: str
    row: int = 0  # rows seen so far
    col: int = 0  # columns seen so far in the current row
    row_repeat: int = 1
    row_has_content: bool = False
    rows: int = 0  # 1-based extent of cells with content
    cols: int = 0


def _repeat(value: str | None) -> int:
    try:
        return max(int(value or "1"), 1)
    except ValueError:
        return 1


def _ods_extents(data: bytes, archive: ZipInspection | None = None) -> dict[str, tuple[int, int]]:
    """Each table's largest 0-based (row, column) holding content in an .ods, counting
    ``number-rows-repeated`` and ``number-columns-repeated`` arithmetically (never expanded): a value
    repeated over a million rows is a million rows. Empty repeated cells (LibreOffice writes them to the
    sheet's end) do not count. Parsed with defusedxml, so entity declarations are refused."""
    from defusedxml.ElementTree import iterparse

    t = _ODS_TABLE
    out: dict[str, tuple[int, int]] = {}
    stack: list[_OdsTable] = []
    with ArchiveParts(data, archive) as zf, zf.open("content.xml") as fh:
        for event, elem in iterparse(fh, events=("start", "end")):
            tag = elem.tag
            if event == "start":
                if tag == t + "table":
                    stack.append(_OdsTable(elem.get(t + "name", "")))
                elif tag == t + "table-row" and stack:
                    tb = stack[-1]
                    tb.row_repeat, tb.col, tb.row_has_content = _repeat(elem.get(t + "number-rows-repeated")), 0, False
                continue
            if not stack:
                continue
            tb = stack[-1]
            if tag in (t + "table-cell", t + "covered-table-cell"):
                repeat = _repeat(elem.get(t + "number-columns-repeated"))
                if elem.get(_ODS_OFFICE + "value-type") or len(elem):
                    tb.cols = max(tb.cols, tb.col + repeat)
                    tb.row_has_content = True
                tb.col += repeat
                elem.clear()
            elif tag == t + "table-row":
                if tb.row_has_content:
                    tb.rows = max(tb.rows, tb.row + tb.row_repeat)
                tb.row += tb.row_repeat
                elem.clear()
            elif tag == t + "table":
                stack.pop()
                out[tb.name] = (max(tb.rows - 1, 0), max(tb.cols - 1, 0))
    return out


# BIFF record types (Excel 97–2003 .xls; BIFF5 as well).
_BOF, _EOF, _FILEPASS, _BOUNDSHEET, _DIMENSIONS = 0x0809, 0x000A, 0x002F, 0x0085, 0x0200


_MULRK, _MULBLANK = 0x00BD, 0x00BE


_BIFF_CELLS: Final = frozenset({0x0006, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x00D6, 0x0406, 0x0221})


def _biff_records(stream: bytes, pos: int) -> Iterator[tuple[int, bytes]]:
    while pos + 4 <= len(stream):
        typ, length = struct.unpack_from("<HH", stream, pos)
        yield typ, stream[pos + 4:pos + 4 + length]
        pos += 4 + length


def _xls_extents(data: bytes) -> dict[str, tuple[int, int]]:
    """Each worksheet's largest 0-based (row, column) in an .xls, from its DIMENSIONS record and the row and
    column of every cell record (calamine builds the whole grid of every sheet when it opens the file)."""
    import olefile

    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        name = "Workbook" if ole.exists("Workbook") else "Book"
        stream = ole.openstream(name).read()
    sheets: list[tuple[str, int]] = []
    for typ, body in _biff_records(stream, 0):
        if typ == _FILEPASS:
            return {}  # encrypted: record bodies are ciphertext; calamine refuses the password itself
        if typ == _BOUNDSHEET and len(body) >= 8:
            (offset,) = struct.unpack_from("<I", body, 0)
            sheets.append((_boundsheet_name(body), offset))
        if typ == _EOF:
            break
    out: dict[str, tuple[int, int]] = {}
    for sheet, offset in sheets:
        out[sheet] = _biff_sheet_extent(stream, offset)
    return out


def _boundsheet_name(body: bytes) -> str:
    """A BOUNDSHEET record's sheet name (BIFF8 short unicode string; BIFF5 8-bit text)."""
    count = body[6]
    if len(body) >= 8 + count and len(body) in (8 + count, 8 + 2 * count) and body[7] in (0, 1):
        raw = body[8:8 + count * (2 if body[7] & 1 else 1)]
        return raw.decode("utf-16-le" if body[7] & 1 else "latin-1", "replace")
    return body[7:7 + count].decode("cp1252", "replace")


def _biff_sheet_extent(stream: bytes, offset: int) -> tuple[int, int]:
    rows = cols = cells = 0  # 1-based maxima
    for typ, body in _biff_records(stream, offset):
        if typ == _EOF:
            break
        if typ == _DIMENSIONS and len(body) >= 10:
            last_row, last_col = (struct.unpack_from("<I", body, 4)[0], struct.unpack_from("<H", body, 10)[0]) \
                if len(body) >= 14 else (struct.unpack_from("<H", body, 2)[0], struct.unpack_from("<H", body, 6)[0])
            rows, cols = max(rows, last_row), max(cols, last_col)
        elif (typ in _BIFF_CELLS and len(body) >= 4) or (typ in (_MULRK, _MULBLANK) and len(body) >= 6):
            row, col = struct.unpack_from("<HH", body, 0)
            if typ in (_MULRK, _MULBLANK):
                (col,) = struct.unpack_from("<H", body, len(body) - 2)
            rows, cols, cells = max(rows, row + 1), max(cols, col + 1), cells + 1
        if is_absurd((rows - 1, cols - 1)) or cells > MAX_CELLS:
            break
    return max(rows - 1, 0), max(cols - 1, 0)
