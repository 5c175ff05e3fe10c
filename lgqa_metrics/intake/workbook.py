"""Low-level workbook access: cell values through python-calamine, fills through openpyxl/xlrd on demand.

Before calamine sees a file, :func:`load_workbook` refuses a zip archive that declares absurd sizes
(:func:`lgqa_metrics.intake.sniff.zip_hazard`) and measures every sheet's extent from the raw parts (xlsx cell
and row references, ods repeat counts, xls cell records), so a stray cell at XFD1048576 or a repeated
row a million high is reported as ``sheet_too_large`` instead of being built as a grid. In a process
bounded in memory an .xlsx sheet is measured once calamine has built it instead (see ``bounded``).
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from types import MappingProxyType
from typing import IO, Any, Final, cast

import python_calamine as pc

from lgqa_metrics.domain.formatting import file_size
from lgqa_metrics.domain.i18n import Phrase
from lgqa_metrics.intake.sniff import ZIP_KINDS, Sniffed, ZipHazard, ZipInspection, inspect_zip

#: Largest sheet extent read; beyond it a sheet is refused rather than loaded.
MAX_ROWS: Final = 20_000
MAX_COLS: Final = 512
#: Largest sheet area (rows × columns) read: a return is about 60 × 10 cells.
MAX_CELLS: Final = 1_000_000
#: Formats whose sheets calamine builds all at once when the workbook is opened: one absurd sheet and the
#: workbook is not opened at all.
EAGER_KINDS: Final = frozenset({"xls", "ods"})

# Default Office theme colours (lt1, dk1, lt2, dk2, accent1..6) for theme-indexed fills.
_OFFICE_THEME: Final = ("FFFFFF", "000000", "E7E6E6", "44546A", "4472C4", "ED7D31", "A5A5A5", "FFC000",
                        "5B9BD5", "70AD47")
_NO_FILLS: Final[Mapping[tuple[int, int], str]] = MappingProxyType({})
#: Raised through unchanged: an interrupt, or memory running out (a resource limit, not a verdict on the file).
_NOT_ERRORS: Final = (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError)


class UnreadableWorkbook(Exception):
    """The bytes claim to be a workbook but cannot (or must not) be opened; ``code`` is an issue code and
    ``fields`` fill its message (``detail`` for ``file_unreadable``)."""

    def __init__(self, code: str, detail: str = "", *, fields: Mapping[str, object] | None = None) -> None:
        super().__init__(detail or code)
        self.code = code
        self.detail = detail
        self.fields: dict[str, object] = dict(fields or ({"detail": detail} if code == "file_unreadable" else {}))


@lru_cache(maxsize=1024)
def column_letters(number: int) -> str:
    """Column letters of a 1-based column number, also beyond Excel's last column XFD (the first columns,
    named in every issue and rating cell: cached)."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters or "A"


def a1(row: int, col: int) -> str:
    """A1 reference of 0-based ``row`` and ``col``."""
    return f"{column_letters(col + 1)}{row + 1}"


def reported(extent: tuple[int, int]) -> tuple[int, int]:
    """An absurd extent as reported: clipped so its A1 reference stays short (at most 14 characters)."""
    return min(extent[0], 999_999_998), min(extent[1], 999_998)


def is_absurd(extent: tuple[int, int]) -> bool:
    """True when a sheet reaching 0-based ``extent`` (last row, last column) is too large to read."""
    rows, cols = extent
    return rows >= MAX_ROWS or cols >= MAX_COLS or (rows + 1) * (cols + 1) > MAX_CELLS


@dataclass
class SheetData:
    """One sheet's values as a 0-based grid aligned with A1."""

    name: str
    rows: list[list[object]]
    visible: bool = True
    too_large: tuple[int, int] | None = None

    def value(self, row: int, col: int) -> object:
        """The value at ``row``, ``col`` ('' when outside the grid)."""
        if 0 <= row < len(self.rows):
            line = self.rows[row]
            if 0 <= col < len(line):
                return line[col]
        return ""


@dataclass
class WorkbookData:
    """A workbook's sheets, with fills loaded only when asked for."""

    data: bytes
    kind: str
    sheets: list[SheetData]
    #: The archive's parts as the zip check unpacked them (zip formats), for the fills.
    archive: ZipInspection | None = field(default=None, repr=False)
    _fills: dict[str, dict[tuple[int, int], str]] | None = field(default=None, repr=False)

    def sheet_fills(self, sheet: str) -> Mapping[tuple[int, int], str]:
        """The solid fill colours (RRGGBB) of a sheet's cells by 0-based (row, column); supported for xlsx,
        xlsm, xls and ods."""
        if self._fills is None:
            skip = frozenset(s.name for s in self.sheets if s.too_large)
            self._fills = _load_fills(self.data, self.kind, skip, self.archive)
        return self._fills.get(sheet, _NO_FILLS)


def _kept(name: str) -> bool:
    """The parts the zip check keeps unpacked: the XML the extent scan and the fills read (in a bounded read
    only the stylesheet is unpacked first, see :func:`_read_first`)."""
    return name.lower().endswith((".xml", ".rels"))


class _Parts:
    """An archive's parts: those the zip check kept, as it unpacked them; any other read through
    :mod:`zipfile` (the archive opened only then), which raises :class:`zipfile.BadZipFile` for a part that
    is not its declared size with its CRC."""

    def __init__(self, data: bytes, archive: ZipInspection | None) -> None:
        self.data = data
        self.kept = archive.parts if archive is not None else {}
        self._zf: zipfile.ZipFile | None = None
        self.names = list(archive.names) if archive is not None and archive.names is not None else self._zip().namelist()

    def _zip(self) -> zipfile.ZipFile:
        if self._zf is None:
            self._zf = zipfile.ZipFile(io.BytesIO(self.data))
        return self._zf

    def open(self, name: str) -> IO[bytes]:
        """The part ``name`` to read from."""
        if name in self.kept:
            return io.BytesIO(self.kept[name])
        return self._zip().open(name)

    def read(self, name: str, limit: int | None = 16 * 1024 * 1024) -> bytes:
        """The first ``limit`` bytes of the part ``name`` (all of it with None)."""
        with self.open(name) as fh:
            return fh.read(limit) if limit is not None else fh.read()

    def __enter__(self) -> _Parts:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._zf is not None:
            self._zf.close()


def import_readers() -> None:
    """Import what reading some workbooks needs besides calamine (openpyxl's colour table and reader, xlrd,
    defusedxml), so that a worker process pays for it once when it starts, not on a file that needs it."""
    import defusedxml.ElementTree  # noqa: F401
    import openpyxl.styles.colors  # noqa: F401
    import xlrd  # noqa: F401


def size_phrase(size: int) -> Phrase:
    """A byte count written the Vietnamese and the English way (``25,3 MB`` / ``25.3 MB``)."""
    return Phrase(file_size(size, "vi"), file_size(size, "en"))


def hazard_reason(hazard: ZipHazard) -> Phrase:
    """Why a zip archive is refused, in both languages (the ``reason`` of a ``zip_bomb`` issue)."""
    if hazard.reason in ("member_size", "total_size"):
        return Phrase.of(f"safety.zip_{hazard.reason}", part=hazard.part, size=size_phrase(hazard.amount),
                         limit=size_phrase(hazard.limit))
    if hazard.reason == "ratio":
        return Phrase.of("safety.zip_ratio", part=hazard.part, ratio=hazard.amount, limit=hazard.limit)
    if hazard.reason == "members":
        return Phrase.of("safety.zip_members", count=hazard.amount, limit=hazard.limit)
    return Phrase.of("safety.zip_damaged", part=hazard.part)


def load_workbook(data: bytes, sniffed: Sniffed, *, bounded: bool = False) -> WorkbookData:
    """Open a spreadsheet's sheets with calamine; raise :class:`UnreadableWorkbook` when it fails or when
    its archive must not be unpacked. Sheets whose extent is absurd come back empty with ``too_large``.

    By default every part of a zip archive is unpacked (within its declared size) and checked, and every
    sheet's extent is measured from the raw parts, before calamine builds anything: both guard the memory
    of the process that reads. A process already bounded in memory (the reader's worker) passes
    ``bounded``; then, for an .xlsx/.xlsm, the declared sizes of all parts, the prologs of the XML parts
    (for a document type) and the whole stylesheet are checked first, and a sheet is measured once calamine
    has built it, before any Python value is made. A part or sheet too large then exhausts the bound
    instead, and the file is read again without it (:func:`lgqa_metrics.intake.safety.read_isolated`); a part
    calamine cannot read is checked when it fails. Either way the verdict still names the part, or the
    sheet and cell. A part no reader opens (document properties, media) is judged by its declared size and
    prolog alone when bounded. .xls and .ods are always read with every check, since calamine builds all
    their sheets when it opens the file."""
    archive: ZipInspection | None = None
    checks_on_demand = bounded and sniffed.kind in {"xlsx", "xlsm"}
    if sniffed.kind in ZIP_KINDS:
        archive = inspect_zip(data, keep_bytes_of=_kept, check_whole_only=_read_first if checks_on_demand else None)
        _refuse(archive.hazard)
    try:
        return _load(data, sniffed, archive, bounded)
    except UnreadableWorkbook:
        if checks_on_demand:  # calamine met a part not checked yet: every part checked now, so the verdict names it
            _refuse(inspect_zip(data).hazard)
        raise


def _read_first(name: str) -> bool:
    """The only part a bounded read of an .xlsx checks before calamine opens it: the styles, which say
    whether any fill could be a rating (the other parts are checked, and read, when they are needed)."""
    return name == "xl/styles.xml"


def _refuse(hazard: ZipHazard | None) -> None:
    """Raise the :class:`UnreadableWorkbook` a zip hazard calls for (nothing for None)."""
    if hazard is None:
        return
    if hazard.reason == "damaged":
        raise UnreadableWorkbook("file_truncated", hazard.part)
    if hazard.reason == "dtd":
        raise UnreadableWorkbook("file_unreadable", hazard.part,
                                 fields={"detail": Phrase.of("safety.xml_dtd", part=hazard.part)})
    raise UnreadableWorkbook("zip_bomb", hazard.reason, fields={"reason": hazard_reason(hazard)})


def _load(data: bytes, sniffed: Sniffed, archive: ZipInspection | None, bounded: bool) -> WorkbookData:
    """:func:`load_workbook` once the archive has passed its check."""
    if not bounded or sniffed.kind in EAGER_KINDS:
        extents, fallback = _extents(data, sniffed.kind, archive)
    else:  # each sheet's extent is checked once calamine has built it (an absurd one fails the worker first)
        extents, fallback = {}, (0, 0)
    absurd = {name: ext for name, ext in extents.items() if is_absurd(ext)}
    if sniffed.kind in EAGER_KINDS and (absurd or is_absurd(fallback)):
        refused = [SheetData(name, [], True, too_large=reported(ext)) for name, ext in absurd.items()]
        return WorkbookData(data, sniffed.kind, refused or [SheetData("", [], True, too_large=reported(fallback))],
                            archive)
    try:
        book = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except pc.PasswordError as exc:
        raise UnreadableWorkbook("file_encrypted") from exc
    except (pc.ZipError, zipfile.BadZipFile) as exc:
        raise UnreadableWorkbook("file_truncated", str(exc)) from exc
    except BaseException as exc:  # calamine raises several types for corrupt input, a Rust panic among them
        if isinstance(exc, _NOT_ERRORS):
            raise
        raise UnreadableWorkbook("file_unreadable", _short(exc)) from exc
    sheets: list[SheetData] = []
    for meta in book.sheets_metadata:
        if meta.typ != pc.SheetTypeEnum.WorkSheet:
            continue
        visible = meta.visible == pc.SheetVisibleEnum.Visible
        declared = extents.get(meta.name, fallback)
        if is_absurd(declared):
            sheets.append(SheetData(meta.name, [], visible, too_large=reported(declared)))
            continue
        try:
            sheet = book.get_sheet_by_name(meta.name)
            end_row, end_col = sheet.end or (0, 0)
            if is_absurd((end_row, end_col)):
                sheets.append(SheetData(meta.name, [], visible, too_large=(end_row, end_col)))
                continue
            rows = cast("list[list[object]]", sheet.to_python(skip_empty_area=False))
        except pc.PasswordError as exc:
            raise UnreadableWorkbook("file_encrypted") from exc
        except BaseException as exc:
            if isinstance(exc, _NOT_ERRORS):
                raise
            raise UnreadableWorkbook("file_unreadable", _short(exc)) from exc
        sheets.append(SheetData(meta.name, rows, visible))
    return WorkbookData(data, sniffed.kind, sheets, archive)


# --- sheet extents from the raw parts ---------------------------------------------------------------


def _extents(data: bytes, kind: str, archive: ZipInspection | None = None
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
        raise UnreadableWorkbook("file_unreadable", _short(exc)) from exc
    return {}, (0, 0)


#: One row, cell or dimension start tag of a worksheet part (tags hold no '<', so chunks split before one).
_TAG: Final = re.compile(rb"<(?:[\w.-]+:)?(row|c|dimension)(?=[\s/>])([^>]*)>")
#: One attribute, its value in either quotes (parsed in order, so a value can't pose as an attribute).
_ATTR: Final = re.compile(rb"""([^\s=/>"']+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_A1: Final = re.compile(rb"([A-Za-z]*)([0-9]*)")
# The fast path, for parts as every writer makes them: each cell and row tag unprefixed, its ``r`` first.
_CELL_TAG: Final = re.compile(rb"<(?:[\w.-]+:)?c(?=[\s/>])")
_CELL_R: Final = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"')
_CELL_OR_ROW_TAG: Final = re.compile(rb"<(?:[\w.-]+:)?(?:c|row)(?=[\s/>])")
#: Unprefixed cell and row start tags, and what any prefixed one holds (counted exactly only when present).
_UNPREFIXED_TAG: Final = re.compile(rb"<(?:c|row)[\s/>]")
_UNPREFIXED_CELL_TAG: Final = re.compile(rb"<c[\s/>]")
_MAYBE_PREFIXED_TAG: Final = re.compile(rb":(?:c|row)[\s/>]")
_ROW_R: Final = re.compile(rb'<row r="([0-9]{1,7})"')
#: Every attribute ``r=``: after white space or a quote, or after a prefix other than ``xmlns:`` (the ``r``
#: first, so that the regex engine skips ahead to each one).
_R_ATTR: Final = re.compile(rb"""r(?:(?<=[ \t\n\r"']r)|(?<=:r)(?<!xmlns:r))\s*=""")
#: A cell or row tag holding a character reference (``r="&#88;FD1"``): the fast path must not judge it.
_REF_IN_TAG: Final = re.compile(rb"<(?:[\w.-]+:)?(?:c|row)(?=[\s/>])[^>]*&#")
_CHAR_REF: Final = re.compile(rb"&#(x[0-9A-Fa-f]+|[0-9]+);")
#: Bytes of a worksheet part read at a time while measuring it.
_SCAN_CHUNK: Final = 1024 * 1024


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + (ch - 64)
    return number


def _char_refs(value: bytes) -> bytes:
    """``&#88;FD1`` → ``XFD1``: character references in an attribute value, as an XML parser reads them."""
    def one(m: re.Match[bytes]) -> bytes:
        text = m.group(1)
        code = int(text[1:], 16) if text[:1] in (b"x", b"X") else int(text)
        return chr(code).encode("utf-8", "replace") if code < 0x110000 else b"?"
    return _CHAR_REF.sub(one, value) if b"&#" in value else value


def _bodies(fh: IO[bytes]) -> Iterator[bytes]:
    """A worksheet part in chunks that each end before a tag (tags hold no '<'); UTF-16 re-encoded."""
    head = fh.read(_SCAN_CHUNK)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:200]:
        head = (head + fh.read()).decode("utf-16").encode("utf-8")
    carry = b""
    chunk = head
    while chunk:
        text = carry + chunk
        cut = text.rfind(b"<")
        body, carry = (text[:cut], text[cut:]) if cut > 0 else (text, b"")
        yield body
        chunk = fh.read(_SCAN_CHUNK)
    if carry:
        yield carry


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
    top_col = max(map(_column_number, set(map(itemgetter(0), cells))), default=0)
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
            here = int(m.group(2) or 0), _column_number(m.group(1))
            best = here if best is None else (max(best[0], here[0]), max(best[1], here[1]))
    return best


def _sheet_extent(fh: IO[bytes]) -> tuple[int, int]:
    """The largest 0-based (row, column) a worksheet part reaches: its ``<dimension>``, every cell's ``r``,
    and the rows and columns of cells without one (counted on from the previous row and cell, as readers
    place them). Attributes are parsed in order (quotes, character references, prefixes); when a tag names
    several references the largest counts. Stops early once the extent is absurd."""
    rows = cols = 0  # 1-based maxima
    row = col = cells = 0
    for body in _bodies(fh):
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
    with _Parts(data, archive) as zf:
        names = zf.names
        mapped: set[str] = set()
        for name, path in _sheet_parts(zf):
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


def _sheet_parts(zf: _Parts) -> list[tuple[str, str]]:
    """(sheet name, part path) of every sheet listed in xl/workbook.xml whose part the archive holds."""
    names = zf.names
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return []
    folded = {n.lower(): n for n in names}
    parts: list[tuple[str, str]] = []
    for name, target in _listed_sheets(zf.read("xl/workbook.xml"), zf.read("xl/_rels/workbook.xml.rels")):
        path = folded.get(target.lower(), target)
        if path in names:
            parts.append((name, path))
    return parts


@lru_cache(maxsize=256)
def _listed_sheets(book_xml: bytes, rels_xml: bytes) -> tuple[tuple[str, str], ...]:
    """(sheet name, part path) of every sheet xl/workbook.xml lists, its path as the relationships give it
    (the same two parts in every return made from one template: cached)."""
    book = book_xml.decode("utf-8", "replace")
    rels = rels_xml.decode("utf-8", "replace")
    targets = dict(_REL_ID_TARGET.findall(rels))
    targets |= {rid: tgt for tgt, rid in _REL_TARGET_ID.findall(rels)}
    parts: list[tuple[str, str]] = []
    for tag in _SHEET_TAG.findall(book):
        name = _NAME_ATTR.search(tag)
        rid = _ID_ATTR.search(tag)
        if not name or not rid:
            continue
        target = targets.get(rid.group(1) or rid.group(2) or "", "")
        parts.append((_unescape(name.group(1)),
                      posixpath.normpath(target.lstrip("/") if target.startswith("/") else f"xl/{target}")))
    return tuple(parts)


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
    with _Parts(data, archive) as zf, zf.open("content.xml") as fh:
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


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'").replace("&amp;", "&")


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


#: Sheet entries of xl/workbook.xml and their relationships (either attribute order), theme colours, fills.
_REL_ID_TARGET: Final = re.compile(r'<Relationship\b[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"')
_REL_TARGET_ID: Final = re.compile(r'<Relationship\b[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"')
_SHEET_TAG: Final = re.compile(r"<(?:\w+:)?sheet\b[^>]*>")
_NAME_ATTR: Final = re.compile(r'\bname="([^"]*)"')
_ID_ATTR: Final = re.compile(r'\br:id="([^"]*)"|\bid="([^"]*)"')
_COLOUR_SCHEME: Final = re.compile(r"<a:clrScheme.*?</a:clrScheme>", re.S)
_SCHEME_COLOUR: Final = re.compile(r'(?:srgbClr val|lastClr)="([0-9A-Fa-f]{6})"')
_ARGB: Final = re.compile(r"^([A-Fa-f0-9]{8}|[A-Fa-f0-9]{6})$")
_FILLS: Final = re.compile(r"<(?:\w+:)?fills\b.*?</(?:\w+:)?fills>", re.S)
_SOLID_FILL: Final = re.compile(r'<(?:\w+:)?patternFill\b[^>]*patternType="solid".{0,4000}?</(?:\w+:)?patternFill>',
                                re.S)
_FG_COLOUR: Final = re.compile(r'<(?:\w+:)?fgColor\b([^>]*)/?>')
_RGB_ATTR: Final = re.compile(r'rgb="([0-9A-Fa-f]{6,8})"')


def _theme_colours(raw: bytes | str | None) -> tuple[str, ...]:
    if not raw:
        return _OFFICE_THEME
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    scheme = _COLOUR_SCHEME.search(text)
    if not scheme:
        return _OFFICE_THEME
    found = _SCHEME_COLOUR.findall(scheme.group(0))
    if len(found) < 10:
        return _OFFICE_THEME
    dk1, lt1, dk2, lt2, *accents = found[:10]
    return (lt1, dk1, lt2, dk2, *accents)


def _load_fills(data: bytes, kind: str, skip: frozenset[str] = frozenset(), archive: ZipInspection | None = None
                ) -> dict[str, dict[tuple[int, int], str]]:
    """Fills of every sheet but those in ``skip`` (refused as too large), each read within MAX_ROWS × MAX_COLS."""
    try:
        if kind in {"xlsx", "xlsm"}:
            return _xlsx_fills(data, skip, archive)
        if kind == "xls":
            return _xlrd_fills(data, skip)
        if kind == "ods":
            return _ods_fills(data, archive)
    except Exception:  # fills are a best-effort extra; values were already read
        return {}
    return {}


def _xlsx_fills(data: bytes, skip: frozenset[str], archive: ZipInspection | None = None
                ) -> dict[str, dict[tuple[int, int], str]]:
    """Fills of an .xlsx/.xlsm: none when no solid fill in xl/styles.xml could be a rating colour; else read
    straight from the styles and each cell's style index when every cell tag is as writers make them
    (:func:`_styled_cells`), through openpyxl otherwise. Both give the same colours."""
    with _Parts(data, archive) as zf:
        names = zf.names
        styles = zf.read("xl/styles.xml") if "xl/styles.xml" in names else b""
        if not _may_have_rating_fills(styles.decode("utf-8", "replace")):
            return {}
        by_style, styles_count = _cell_style_fills(styles, zf.read("xl/theme/theme1.xml")
                                                   if "xl/theme/theme1.xml" in names else None)
        out: dict[str, dict[tuple[int, int], str]] = {}
        for name, path in _sheet_parts(zf):
            if name in skip:
                continue
            with zf.open(path) as fh:
                cells = _styled_cells(fh, by_style, styles_count)
            if cells is None:
                return _openpyxl_fills(data, skip)
            out[name] = cells
    return out


#: A cell start tag as Excel, LibreOffice, openpyxl and xlsxwriter write it: its attributes in schema order.
_PLAIN_CELL: Final = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"(?: s="([0-9]{1,9})")?(?: t="[A-Za-z]{1,9}")?'
                                rb'(?: cm="[0-9]{1,9}")?(?: vm="[0-9]{1,9}")?(?: ph="(?:0|1|true|false)")?\s*/?>')
_SPREADSHEET_NS: Final = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
#: A cell style whose fill openpyxl could not resolve (it raises when such a cell is read).
_BAD_FILL: Final = "bad"


def _styled_cells(fh: IO[bytes], by_style: Mapping[int, str], styles_count: int) -> dict[tuple[int, int], str] | None:
    """The solid fill (RRGGBB) of every cell within MAX_ROWS × MAX_COLS whose style has one, by 0-based
    (row, column); None when a cell tag is not in the plain form (then openpyxl reads the workbook). Raises,
    as openpyxl does, for a cell whose style or fill does not exist."""
    cells: dict[tuple[int, int], str] = {}
    columns: dict[bytes, int] = {}
    for body in _bodies(fh):
        found = _PLAIN_CELL.findall(body)
        tags = _CELL_TAG if b":c" in body else _UNPREFIXED_CELL_TAG
        if len(found) != len(tags.findall(body)):
            return None
        wanted = {s for s in {s for _, _, s in found} if by_style.get(int(s or 0)) or int(s or 0) >= styles_count}
        for letters, digits, style in found:
            if style not in wanted:
                continue
            col = columns.get(letters) or columns.setdefault(letters, _column_number(letters))
            row = int(digits)
            if row > MAX_ROWS or col > MAX_COLS:
                continue
            colour = by_style.get(int(style or 0), _BAD_FILL)
            if colour == _BAD_FILL:
                raise ValueError(f"cell {letters.decode()}{row}: style {style.decode()} or its fill does not exist")
            cells[(row - 1, col - 1)] = colour
    return cells


@lru_cache(maxsize=64)
def _cell_style_fills(styles: bytes, theme: bytes | None) -> tuple[Mapping[int, str], int]:
    """:func:`_style_fills` of a stylesheet and theme part (the same in every return made from one template:
    cached; the mapping is read-only)."""
    by_style, count = _style_fills(styles, _theme_colours(theme))
    return MappingProxyType(by_style), count


def _style_fills(styles: bytes, theme: tuple[str, ...]) -> tuple[dict[int, str], int]:
    """The solid fill colour (RRGGBB, upper case) of each cell style (``cellXfs`` index) that has one, resolved
    as openpyxl does (indexed, then theme, then rgb colours; theme tints ignored), :data:`_BAD_FILL` for a
    style whose fill openpyxl could not look up; and how many cell styles there are. Raises where openpyxl
    refuses the stylesheet. Parsed with defusedxml (no entities)."""
    from defusedxml.ElementTree import fromstring

    ns = _SPREADSHEET_NS
    root = fromstring(styles)
    fills_el = root.find(ns + "fills")
    colours = [_solid_colour(fill, theme) for fill in (fills_el if fills_el is not None else ())]
    xfs_el = root.find(ns + "cellXfs")
    out: dict[int, str] = {}
    xfs = [x for x in (xfs_el if xfs_el is not None else ()) if x.tag == ns + "xf"]
    for index, xf in enumerate(xfs):
        fill_id = int(xf.get("fillId", "0"))
        colour = colours[fill_id] if -len(colours) <= fill_id < len(colours) else _BAD_FILL
        if colour:
            out[index] = colour
    return out, len(xfs) or 1  # without cell styles openpyxl keeps its one default (unfilled) style


def _solid_colour(fill: Any, theme: tuple[str, ...]) -> str | None:
    """The colour of one ``<fill>`` when it is a solid pattern, as openpyxl resolves it, else None."""
    from openpyxl.styles.colors import COLOR_INDEX

    children = list(fill)
    if not children or "patternFill" not in children[0].tag or children[0].get("patternType") != "solid":
        return None
    colour = {"rgb": "00000000"}  # openpyxl's default fgColor
    for child in children[0]:
        if child.tag.rsplit("}", 1)[-1] == "fgColor":
            colour = dict(child.attrib)
    if colour.get("indexed") is not None:
        indexed = int(colour["indexed"])
        return COLOR_INDEX[indexed][-6:].upper() if indexed < len(COLOR_INDEX) else None
    if colour.get("theme") is not None:
        number = int(colour["theme"])
        return theme[number].upper() if number < len(theme) else None
    if colour.get("auto") is not None:
        return None
    rgb = colour.get("rgb", "00000000")
    if not _ARGB.match(rgb):
        raise ValueError("Colors must be aRGB hex values")
    return rgb[-6:].upper()


@lru_cache(maxsize=256)
def _may_have_rating_fills(styles: str) -> bool:
    """Cheap look at xl/styles.xml: does any solid cell fill use a red, yellow or green (or a theme or
    indexed colour that might be one)? Spares reading fills at all for most returns."""
    from lgqa_metrics.domain.ratings import rating_of_fill

    fills = _FILLS.search(styles)
    if not fills:
        return False
    for fill in _SOLID_FILL.findall(fills.group(0)):
        colour = _FG_COLOUR.search(fill)
        attrs = colour.group(1) if colour else ""
        rgb = _RGB_ATTR.search(attrs)
        if rgb is None or rating_of_fill(rgb.group(1)) is not None:
            return True
    return False


def _openpyxl_fills(data: bytes, skip: frozenset[str]) -> dict[str, dict[tuple[int, int], str]]:
    import openpyxl
    from openpyxl.styles.colors import COLOR_INDEX

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_vba=False)
    theme = _theme_colours(getattr(book, "loaded_theme", None))
    out: dict[str, dict[tuple[int, int], str]] = {}
    for ws in book.worksheets:
        if ws.title in skip:
            continue
        cells: dict[tuple[int, int], str] = {}
        for row in ws.iter_rows(max_row=MAX_ROWS, max_col=MAX_COLS):
            for cell in row:
                fill = getattr(cell, "fill", None)
                if fill is None or fill.fill_type != "solid":
                    continue
                colour = fill.fgColor
                rgb: str | None = None
                if colour.type == "rgb" and isinstance(colour.rgb, str):
                    rgb = colour.rgb[-6:]
                elif colour.type == "indexed" and isinstance(colour.indexed, int) and colour.indexed < len(COLOR_INDEX):
                    rgb = COLOR_INDEX[colour.indexed][-6:]
                elif colour.type == "theme" and isinstance(colour.theme, int) and colour.theme < len(theme):
                    rgb = theme[colour.theme]
                if rgb and isinstance(cell.row, int) and isinstance(cell.column, int):
                    cells[(cell.row - 1, cell.column - 1)] = rgb.upper()
        out[ws.title] = cells
    return out


def _xlrd_fills(data: bytes, skip: frozenset[str]) -> dict[str, dict[tuple[int, int], str]]:
    import xlrd

    book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True, ragged_rows=True)
    out: dict[str, dict[tuple[int, int], str]] = {}
    for name in book.sheet_names():
        if name in skip:
            continue
        sheet = book.sheet_by_name(name)
        cells: dict[tuple[int, int], str] = {}
        for r in range(min(sheet.nrows, MAX_ROWS)):
            for c in range(min(sheet.row_len(r), MAX_COLS)):
                xf = book.xf_list[sheet.cell_xf_index(r, c)]
                if xf.background.fill_pattern != 1:
                    continue
                rgb = book.colour_map.get(xf.background.pattern_colour_index)
                if rgb:
                    cells[(r, c)] = "".join(f"{v:02X}" for v in rgb)
        out[sheet.name] = cells
    return out


_ODS_NS: Final = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
}


def _ods_fills(data: bytes, archive: ZipInspection | None = None) -> dict[str, dict[tuple[int, int], str]]:
    """Cell background colours of an .ods file, from the automatic cell styles in content.xml."""
    from defusedxml import ElementTree

    def q(prefix: str, name: str) -> str:
        return f"{{{_ODS_NS[prefix]}}}{name}"

    with _Parts(data, archive) as zf:
        root = ElementTree.fromstring(zf.read("content.xml", None))
    colours: dict[str, str] = {}
    for style in root.iter(q("style", "style")):
        props = style.find(q("style", "table-cell-properties"))
        colour = props.get(q("fo", "background-color"), "") if props is not None else ""
        if re.fullmatch(r"#[0-9A-Fa-f]{6}", colour):
            colours[style.get(q("style", "name"), "")] = colour[1:].upper()
    out: dict[str, dict[tuple[int, int], str]] = {}
    for table in root.iter(q("table", "table")):
        cells: dict[tuple[int, int], str] = {}
        column_styles: list[str] = []
        for col in table.iter(q("table", "table-column")):
            repeat = min(int(col.get(q("table", "number-columns-repeated"), "1")), MAX_COLS)
            column_styles.extend([col.get(q("table", "default-cell-style-name"), "")] * repeat)
        r = 0
        for row in table.iter(q("table", "table-row")):
            row_repeat = min(int(row.get(q("table", "number-rows-repeated"), "1")), MAX_ROWS)
            c = 0
            for cell in row:
                if cell.tag not in (q("table", "table-cell"), q("table", "covered-table-cell")):
                    continue
                repeat = min(int(cell.get(q("table", "number-columns-repeated"), "1")), MAX_COLS)
                for k in range(repeat):
                    col_style = column_styles[c + k] if c + k < len(column_styles) else ""
                    colour = colours.get(cell.get(q("table", "style-name"), col_style) or "")
                    if colour:
                        for rr in range(r, min(r + row_repeat, r + 64)):
                            cells[(rr, c + k)] = colour
                c += repeat
                if c >= MAX_COLS:
                    break
            r += row_repeat
            if r >= MAX_ROWS:
                break
        out[table.get(q("table", "name"), "")] = cells
    return out
