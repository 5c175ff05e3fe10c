"""Builders of self-assessment return workbooks, in memory, in the layouts units actually send.

Every builder returns the bytes of a file. Expected results are taken from what a test puts in
(the ``ratings`` mapping, the unit and year text), never from the package under test. The
indicator codes come from the quadrant sizes 10/8/12/9 and the names from the data files, read
here with the ``csv`` module.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import openpyxl
import xlsxwriter
from openpyxl.utils import get_column_letter

from lgqa_metrics.forms import write_cell

ROOT: Final = Path(__file__).resolve().parent.parent
CATALOGUE_DIR: Final = ROOT / "data" / "catalogue"

QUADRANT_SIZES: Final = {1: 10, 2: 8, 3: 12, 4: 9}
CODES: Final = tuple(f"{q}.{n}" for q, size in QUADRANT_SIZES.items() for n in range(1, size + 1))
ROMAN: Final = {1: "I", 2: "II", 3: "III", 4: "IV"}

#: Rating keys (the package's ``Rating`` values) and the Vietnamese words a unit types for them.
WORDS_VI: Final = {"red": "Đỏ", "yellow": "Vàng", "green": "Xanh lá", "na": "Không áp dụng"}
WORDS_EN: Final = {"red": "Red", "yellow": "Amber", "green": "Green", "na": "N/A"}
CYCLE: Final = ("green", "yellow", "red", "green", "na", "green", "yellow")

#: Fills: Excel's Bad/Neutral/Good light fills and its standard red/yellow/green.
LIGHT_FILLS: Final = {"red": "FFC7CE", "yellow": "FFEB9C", "green": "C6EFCE"}
STANDARD_FILLS: Final = {"red": "FF0000", "yellow": "FFFF00", "green": "00B050"}

UNIT_LINE: Final = "UBND QUẬN HỒNG BÀNG"
MOTTO: Final = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
TITLE: Final = "BÁO CÁO KẾT QUẢ TỰ ĐÁNH GIÁ THEO 39 CHỈ SỐ TCVN ISO 18091:2020"
YEAR_LINE: Final = "Năm 2023"
DATE_LINE: Final = "Hải Phòng, ngày 15 tháng 01 năm 2024"

#: Column roles of the one-word layout and their Vietnamese headers.
WORD_COLUMNS: Final = ("stt", "code", "name", "rating", "evidence", "note")
HEADERS_VI: Final = {"stt": "STT", "code": "Mã chỉ số", "name": "Tên chỉ số", "rating": "Kết quả tự đánh giá",
                     "evidence": "Minh chứng", "note": "Ghi chú", "weight": "Trọng số (nội bộ)"}
HEADERS_EN: Final = {"stt": "No.", "code": "Indicator code", "name": "Indicator name", "rating": "Rating",
                     "evidence": "Evidence", "note": "Notes"}
#: Colour columns of the one-column-per-colour layout, in sheet order.
MARK_COLOURS: Final = ("red", "yellow", "green", "na")
#: 1-based row of the table header in every layout built here (rows 1-7 hold the header block).
HEADER_ROW: Final = 8


def _read_csv(name: str) -> list[dict[str, str]]:
    with (CATALOGUE_DIR / name).open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


NAMES_VI: Final = {row["code"]: row["name_vi"] for row in _read_csv("indicators.csv")}
NAMES_EN: Final = {row["code"]: row["name_en"] for row in _read_csv("indicators.csv")}
QUADRANT_NAMES_VI: Final = {int(row["quadrant"]): row["name_vi"] for row in _read_csv("quadrants.csv")}
QUADRANT_NAMES_EN: Final = {int(row["quadrant"]): row["name_en"] for row in _read_csv("quadrants.csv")}


def cycle_ratings(shift: int = 0) -> dict[str, str]:
    """A rating key for each of the 39 codes: a fixed cycle (all four states occur), shifted by ``shift``."""
    return {code: CYCLE[(i + shift) % len(CYCLE)] for i, code in enumerate(CODES)}


def as_words(ratings: Mapping[str, str | None], words: Mapping[str, str] = WORDS_VI) -> dict[str, str | None]:
    """Turn rating keys into the words typed in the rating cell (None stays blank)."""
    return {code: (words[key] if key else None) for code, key in ratings.items()}


# --- table items ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One table row: the values typed in its cells and the rating cell's fill (RRGGBB)."""

    code: object
    name: object = ""
    rating: object = None
    evidence: object = ""
    note: object = ""
    fill: str | None = None
    hidden: bool = False


@dataclass(frozen=True)
class Group:
    """A quadrant group row: Roman numeral in the STT column, the quadrant's name after it."""

    quadrant: int
    english: bool = False


@dataclass(frozen=True)
class Blank:
    """An empty row inside the table (hidden when ``hidden``)."""

    hidden: bool = False


Item = Row | Group | Blank


def table_items(
    ratings: Mapping[str, object],
    *,
    names: Mapping[str, str] | None = None,
    evidence: Mapping[str, str] | None = None,
    fills: Mapping[str, str] | None = None,
    codes: Mapping[str, object] | None = None,
    numeric_codes: bool = False,
    groups: bool = True,
    english: bool = False,
) -> list[Item]:
    """Table rows for the codes in ``ratings`` in code order (codes left out get no row).

    ``ratings`` maps a code to the exact rating cell value; ``names``/``codes`` override the name
    and code cells; ``numeric_codes`` types each code as a number, as Excel stores "1.10" (= 1.1).
    """
    items: list[Item] = []
    default_names = NAMES_EN if english else NAMES_VI
    current = 0
    for code in CODES:
        if code not in ratings:
            continue
        quadrant = int(code.split(".")[0])
        if groups and quadrant != current:
            items.append(Group(quadrant, english))
            current = quadrant
        code_cell: object = float(code) if numeric_codes else code
        if codes and code in codes:
            code_cell = codes[code]
        items.append(Row(code_cell, (names or {}).get(code, default_names[code]), ratings[code],
                         (evidence or {}).get(code, ""), "", (fills or {}).get(code)))
    return items


# --- writing ------------------------------------------------------------------------------------


@dataclass
class _Formats:
    book: Any
    cache: dict[tuple[tuple[str, Any], ...], Any] = field(default_factory=dict)

    def get(self, **props: Any) -> Any:
        key = tuple(sorted(props.items()))
        if key not in self.cache:
            self.cache[key] = self.book.add_format({"border": 1, **props} if props.pop("bordered", True) else props)
        return self.cache[key]


def _nfd(value: object, nfd: bool) -> object:
    return unicodedata.normalize("NFD", value) if nfd and isinstance(value, str) else value


def _write(ws: Any, row: int, col: int, value: object, fmt: Any = None, nfd: bool = False) -> None:
    """Write one value (0-based row/col): text as a string, numbers as numbers, None as a blank."""
    write_cell(ws, row, col, _nfd(value, nfd), fmt)


@dataclass
class SheetSpec:
    """One sheet of a return in the one-word layout (all text as a unit would type it)."""

    items: Sequence[Item]
    name: str = "Biểu 01"
    unit: str | None = UNIT_LINE
    year: str | None = YEAR_LINE
    date_line: str | None = DATE_LINE
    header_lines: Sequence[tuple[str, object]] = ()  # extra (A1 cell, text) in the header block
    columns: Sequence[str] = WORD_COLUMNS
    headers: Mapping[str, str] = field(default_factory=lambda: dict(HEADERS_VI))
    summary: bool = True
    signature: bool = True
    hidden: bool = False
    hidden_columns: Sequence[str] = ()
    nfd: bool = False


def _header_block(ws: Any, fm: _Formats, spec: SheetSpec, width: int) -> None:
    nfd = spec.nfd
    bold = fm.get(bold=True, align="center", bordered=False)
    left = max(1, width // 2)
    if spec.unit is not None:
        ws.merge_range(0, 0, 0, left - 1, _nfd(spec.unit, nfd), bold)
    ws.merge_range(0, left, 0, width - 1, _nfd(MOTTO[0], nfd), bold)
    ws.merge_range(1, left, 1, width - 1, _nfd(MOTTO[1], nfd), bold)
    ws.write_string(1, 0, "Số: 15/BC-UBND")
    if spec.date_line is not None:
        ws.merge_range(2, left, 2, width - 1, _nfd(spec.date_line, nfd), fm.get(italic=True, bordered=False))
    ws.merge_range(4, 0, 4, width - 1, _nfd(TITLE, nfd), fm.get(bold=True, align="center", bordered=False))
    if spec.year is not None:
        ws.merge_range(5, 0, 5, width - 1, _nfd(spec.year, nfd), fm.get(italic=True, align="center", bordered=False))
    for ref, text in spec.header_lines:
        ws.write(ref, _nfd(text, nfd))


def _signature(ws: Any, fm: _Formats, row: int, width: int, nfd: bool) -> None:
    bold = fm.get(bold=True, align="center", bordered=False, text_wrap=True)
    left = max(1, width // 2)
    ws.write_string(row, 0, _nfd("NGƯỜI LẬP BIỂU", nfd), bold)
    ws.write_string(row, left, _nfd("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH", nfd), bold)
    ws.write_string(row + 1, 0, _nfd("(Ký, ghi rõ họ tên)", nfd))
    ws.write_string(row + 1, left, _nfd("(Ký tên, đóng dấu)", nfd))
    ws.write_string(row + 4, 0, _nfd("Nguyễn Thị Lan", nfd))
    ws.write_string(row + 4, left, _nfd("Trần Văn Minh", nfd))


def write_word_sheet(book: Any, fm: _Formats, spec: SheetSpec) -> None:
    """Write one return in the one-word layout: header block, table, COUNTIF summary, signatures."""
    ws = book.add_worksheet(spec.name)
    cols = list(spec.columns)
    width = len(cols)
    nfd = spec.nfd
    _header_block(ws, fm, spec, width)
    head = fm.get(bold=True, align="center", bg_color="#DDEBF7")
    r = HEADER_ROW - 1
    for c, role in enumerate(cols):
        ws.write_string(r, c, str(_nfd(spec.headers[role], nfd)), head)
    for role in spec.hidden_columns:
        c = cols.index(role)
        ws.set_column(c, c, None, None, {"hidden": True})
    r += 1
    first = r
    stt = 0
    cell = fm.get()
    for item in spec.items:
        if isinstance(item, Blank):
            if item.hidden:
                ws.set_row(r, None, None, {"hidden": True})
        elif isinstance(item, Group):
            names = QUADRANT_NAMES_EN if item.english else QUADRANT_NAMES_VI
            group = fm.get(bold=True, bg_color="#F2F2F2")
            ws.write_string(r, 0, ROMAN[item.quadrant], group)
            if width > 2:
                ws.merge_range(r, 1, r, width - 1, str(_nfd(names[item.quadrant].upper(), nfd)), group)
            else:
                ws.write_string(r, 1, str(_nfd(names[item.quadrant].upper(), nfd)), group)
        else:
            stt += 1
            values = {"stt": stt, "code": item.code, "name": item.name, "rating": item.rating,
                      "evidence": item.evidence, "note": item.note, "weight": 1}
            for c, role in enumerate(cols):
                fmt = fm.get(bg_color="#" + item.fill, pattern=1) if role == "rating" and item.fill else cell
                _write(ws, r, c, values.get(role, ""), fmt, nfd)
            if item.hidden:
                ws.set_row(r, None, None, {"hidden": True})
        r += 1
    last = r - 1
    if spec.summary and "rating" in cols:
        r += 1
        rc = cols.index("rating")
        letter = get_column_letter(rc + 1)
        label_fmt = fm.get(bold=True)
        typed = [i.rating for i in spec.items if isinstance(i, Row)]
        for key in ("green", "yellow", "red", "na"):
            word = WORDS_VI[key]
            count = sum(1 for v in typed if isinstance(v, str) and v.strip() == word)
            ws.merge_range(r, 0, r, rc - 1, str(_nfd(f"Tổng số chỉ số {word}", nfd)), label_fmt)
            ws.write_formula(r, rc, f'=COUNTIF({letter}{first + 1}:{letter}{last + 1},"{word}")', label_fmt, count)
            r += 1
        ws.merge_range(r, 0, r, rc - 1, str(_nfd("Tổng cộng", nfd)), label_fmt)
        ws.write_formula(r, rc, f"=COUNTA({letter}{first + 1}:{letter}{last + 1})", label_fmt,
                         sum(1 for v in typed if v not in (None, "")))
        r += 1
    if spec.signature:
        _signature(ws, fm, r + 1, width, nfd)
    if spec.hidden:
        ws.hide()


def _book(buf: io.BytesIO) -> tuple[Any, _Formats]:
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    return book, _Formats(book)


INSTRUCTIONS: Final = (
    "HƯỚNG DẪN ĐIỀN BIỂU TỰ ĐÁNH GIÁ",
    "1. Mỗi chỉ số ghi một kết quả: Đỏ, Vàng, Xanh lá hoặc Không áp dụng.",
    "2. Ghi số, ngày của văn bản minh chứng ở cột Minh chứng.",
    "3. Giải trình các chỉ số Đỏ, Vàng ở cột Ghi chú.",
    "4. Không thêm, xóa dòng; không sửa mã chỉ số.",
)


def _instructions(book: Any) -> None:
    ws = book.add_worksheet("Hướng dẫn")
    for i, line in enumerate(INSTRUCTIONS):
        ws.write_string(i, 0, line)


def workbook(sheets: Sequence[SheetSpec], *, instructions: bool = False) -> bytes:
    """An .xlsx holding one return per sheet in the one-word layout (``instructions`` adds a first sheet)."""
    buf = io.BytesIO()
    book, fm = _book(buf)
    if instructions:
        _instructions(book)
    for spec in sheets:
        write_word_sheet(book, fm, spec)
    book.close()
    return buf.getvalue()


# --- the layouts ---------------------------------------------------------------------------------


def word_return(
    ratings: Mapping[str, object] | Sequence[Item],
    *,
    unit: str | None = UNIT_LINE,
    year: str | None = YEAR_LINE,
    date_line: str | None = DATE_LINE,
    sheet: str = "Biểu 01",
    names: Mapping[str, str] | None = None,
    evidence: Mapping[str, str] | None = None,
    fills: Mapping[str, str] | None = None,
    codes: Mapping[str, object] | None = None,
    header_lines: Sequence[tuple[str, object]] = (),
    nfd: bool = False,
    summary: bool = True,
    signature: bool = True,
) -> bytes:
    """(a) The Vietnamese one-word layout: header block, Roman group rows, a "Kết quả tự đánh giá"
    column of words (``ratings``: code → cell value; None is a blank cell), summary and signatures.

    Pass a list of items instead of a mapping to control every row (repeats, unknown codes …).
    """
    items = list(ratings) if not isinstance(ratings, Mapping) else table_items(
        ratings, names=names, evidence=evidence, fills=fills, codes=codes)
    spec = SheetSpec(items, sheet, unit, year, date_line, header_lines, nfd=nfd, summary=summary, signature=signature)
    return workbook([spec])


def fill_return(colours: Mapping[str, str | None], *, fills: Mapping[str, str] = LIGHT_FILLS,
                unit: str | None = UNIT_LINE, year: str | None = YEAR_LINE) -> bytes:
    """(c) Ratings shown only by the rating cell's fill: ``colours`` maps a code to a rating key
    (looked up in ``fills``) or straight to an RRGGBB colour; None leaves the cell unfilled."""
    cell_fills = {code: fills.get(key, key) for code, key in colours.items() if key}
    return word_return({code: None for code in colours}, fills=cell_fills, unit=unit, year=year, summary=False)


def numeric_code_return(ratings: Mapping[str, object], *, with_names: bool = True,
                        order: Sequence[str] | None = None, groups: bool = True,
                        unit: str | None = UNIT_LINE, year: str | None = YEAR_LINE) -> bytes:
    """(d) Codes typed into numeric cells, so 1.10 is stored as 1.1, with or without a name column.

    ``order`` lists the codes in sheet order (default: code order).
    """
    items = table_items(ratings, numeric_codes=True, groups=groups)
    if order is not None:
        by_code = {c: i for c, i in zip([c for c in CODES if c in ratings],
                                        [i for i in items if isinstance(i, Row)], strict=True)}
        items = [by_code[c] for c in order]
    columns = WORD_COLUMNS if with_names else tuple(c for c in WORD_COLUMNS if c != "name")
    spec = SheetSpec(items, unit=unit, year=year, columns=columns)
    return workbook([spec])


def mark_return(
    marks: Mapping[str, object],
    *,
    mark: object = "x",
    unit: str | None = UNIT_LINE,
    year: str | None = YEAR_LINE,
    sheet: str = "Biểu 01",
) -> bytes:
    """(b) One column per colour (Đỏ | Vàng | Xanh lá | Không áp dụng) under a merged two-row header
    "Kết quả tự đánh giá"; each row carries ``mark`` in its colour's column.

    ``marks`` maps a code to a rating key, a tuple of keys (several marks), a dict key → exact cell
    text, or None (no mark).
    """
    buf = io.BytesIO()
    book, fm = _book(buf)
    spec = SheetSpec([], sheet, unit, year)
    width = 3 + len(MARK_COLOURS) + 2
    ws = book.add_worksheet(sheet)
    _header_block(ws, fm, spec, width)
    head = fm.get(bold=True, align="center", valign="vcenter", bg_color="#DDEBF7", text_wrap=True)
    top, sub = HEADER_ROW - 1, HEADER_ROW
    for c, text in enumerate(("STT", "Mã chỉ số", "Tên chỉ số")):
        ws.merge_range(top, c, sub, c, text, head)
    ws.merge_range(top, 3, top, 3 + len(MARK_COLOURS) - 1, "Kết quả tự đánh giá", head)
    for i, key in enumerate(MARK_COLOURS):
        ws.write_string(sub, 3 + i, WORDS_VI[key], head)
    ws.merge_range(top, 7, sub, 7, "Minh chứng", head)
    ws.merge_range(top, 8, sub, 8, "Ghi chú", head)
    r = sub + 1
    stt = 0
    current = 0
    cell = fm.get()
    for code in CODES:
        if code not in marks:
            continue
        quadrant = int(code.split(".")[0])
        if quadrant != current:
            group = fm.get(bold=True, bg_color="#F2F2F2")
            ws.write_string(r, 0, ROMAN[quadrant], group)
            ws.merge_range(r, 1, r, width - 1, QUADRANT_NAMES_VI[quadrant].upper(), group)
            current = quadrant
            r += 1
        stt += 1
        value = marks[code]
        cells: dict[str, object] = {}
        if isinstance(value, str):
            cells = {value: mark}
        elif isinstance(value, tuple):
            cells = dict.fromkeys(value, mark)
        elif isinstance(value, dict):
            cells = value
        for c, v in enumerate((stt, code, NAMES_VI[code])):
            _write(ws, r, c, v, cell)
        for i, key in enumerate(MARK_COLOURS):
            _write(ws, r, 3 + i, cells.get(key), fm.get(align="center"))
        _write(ws, r, 7, f"Văn bản số {stt}/UBND", cell)
        _write(ws, r, 8, "", cell)
        r += 1
    _signature(ws, fm, r + 1, width, False)
    book.close()
    return buf.getvalue()


def english_return(ratings: Mapping[str, object], *, unit: str = "Le Chan District", year: str = "2023",
                   sheet: str = "Return") -> bytes:
    """(g) English headers: "Unit:" and "Year:" labels, English column titles and indicator names."""
    items = table_items(ratings, english=True)
    spec = SheetSpec(items, sheet, unit=None, year=None, date_line=None,
                     header_lines=(("A3", f"Unit: {unit}"), ("A4", f"Year: {year}")),
                     headers=dict(HEADERS_EN), summary=False, signature=False)
    return workbook([spec])


def messy_return(ratings: Mapping[str, object], *, unit: str | None = UNIT_LINE,
                 year: str | None = YEAR_LINE, hidden_copy: Mapping[str, object] | None = None) -> bytes:
    """(e) An instructions sheet before the data sheet, blank and hidden rows inside the table, a
    hidden helper column between name and rating; ``hidden_copy`` adds a hidden sheet holding
    a stale copy of the table with those ratings."""
    base = table_items(ratings)
    items: list[Item] = []
    for i, item in enumerate(base):
        items.append(item)
        if isinstance(item, Row) and i % 7 == 3:
            items.append(Blank())
        if isinstance(item, Row) and i % 11 == 5:
            items.append(Blank(hidden=True))
    columns = ("stt", "code", "name", "weight", "rating", "evidence", "note")
    sheets = [SheetSpec(items, "Tự đánh giá", unit, year, columns=columns, hidden_columns=("weight",))]
    if hidden_copy is not None:
        sheets.append(SheetSpec(table_items(hidden_copy), "Bản cũ", unit, year, hidden=True))
    return workbook(sheets, instructions=True)


def multi_return(sheets: Sequence[tuple[str, str | None, str | None, Mapping[str, object]]]) -> bytes:
    """(f) Several returns in one workbook: (sheet name, unit line, year line, ratings) per sheet."""
    return workbook([SheetSpec(table_items(r), name, unit, year) for name, unit, year, r in sheets])


# --- other formats and damaged files -------------------------------------------------------------


def as_xlsm(xlsx: bytes) -> bytes:
    """The same workbook with an ``xl/vbaProject.bin`` part added, as Excel saves a macro workbook."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info.filename))
        dst.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    return out.getvalue()


def word_return_ods(ratings: Mapping[str, object], *, unit: str = UNIT_LINE, year: str = YEAR_LINE) -> bytes:
    """(a) as an OpenDocument spreadsheet (LibreOffice), without merges or formats."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    grid: list[list[object]] = [[unit, "", "", MOTTO[0]], ["", "", "", MOTTO[1]], ["", "", "", DATE_LINE], [],
                                [TITLE], [year], [], [HEADERS_VI[c] for c in WORD_COLUMNS]]
    stt = 0
    for item in table_items(ratings):
        if isinstance(item, Group):
            grid.append([ROMAN[item.quadrant], QUADRANT_NAMES_VI[item.quadrant].upper()])
        elif isinstance(item, Row):
            stt += 1
            grid.append([stt, item.code, item.name, item.rating, item.evidence, item.note])
    doc = OpenDocumentSpreadsheet()
    table = Table(name="Biểu 01")
    for line in grid:
        tr = TableRow()
        for value in line:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                tc = TableCell(valuetype="float", value=value)
                tc.addElement(P(text=str(value)))
            elif value in (None, ""):
                tc = TableCell()
            else:
                tc = TableCell(valuetype="string")
                tc.addElement(P(text=str(value)))
            tr.addElement(tc)
        table.addElement(tr)
    doc.spreadsheet.addElement(table)
    buf = io.BytesIO()
    doc.write(buf)
    return buf.getvalue()


def minimal_zip(parts: Mapping[str, bytes], *, mimetype: str | None = None) -> bytes:
    """A zip archive holding ``parts`` (``mimetype`` first and stored, as OpenDocument requires)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        if mimetype is not None:
            zf.writestr(zipfile.ZipInfo("mimetype"), mimetype.encode("ascii"), compress_type=zipfile.ZIP_STORED)
        for name, body in parts.items():
            zf.writestr(name, body)
    return out.getvalue()


def docx_bytes(text: str = "Báo cáo tự đánh giá năm 2023") -> bytes:
    """A minimal Word .docx: content types and ``word/document.xml``."""
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{ns}"><w:body>'
                f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>")
    types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
             'content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
             'officedocument.wordprocessingml.document.main+xml"/></Types>')
    return minimal_zip({"[Content_Types].xml": types.encode(), "word/document.xml": document.encode()})


def ods_minimal() -> bytes:
    """A minimal .ods archive: the OpenDocument spreadsheet mimetype and an empty content.xml."""
    return minimal_zip({"content.xml": b'<?xml version="1.0"?><office:document-content/>'},
                       mimetype="application/vnd.oasis.opendocument.spreadsheet")


def encrypted(xlsx: bytes, password: str = "matkhau") -> bytes:
    """``xlsx`` protected with a password by msoffcrypto-tool (an OLE container with EncryptionInfo)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(xlsx)).encrypt(password, out)
    return out.getvalue()


def far_cell(ref: str = "XFD1048576", ratings: Mapping[str, object] | None = None) -> bytes:
    """A return (by openpyxl) with one stray value at ``ref``, far beyond the table."""
    book = openpyxl.load_workbook(io.BytesIO(word_return(ratings or as_words(cycle_ratings()))))
    ws = book.worksheets[0]
    ws[ref] = "."
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- reading back what was built -----------------------------------------------------------------


def cells_of(data: bytes, value: object, sheet: str | None = None) -> list[str]:
    """A1 references of every cell holding ``value`` (text compared after trimming), in row order."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book[sheet] if sheet else book.worksheets[0]
    found = []
    for row in ws.iter_rows():
        for c in row:
            v = c.value.strip() if isinstance(c.value, str) else c.value
            if v == value:
                found.append(c.coordinate)
    return found


def extent_corner(data: bytes, sheet: str | None = None) -> str:
    """A1 reference of the bottom-right corner of a sheet's used extent (last used row and column)."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book[sheet] if sheet else book.worksheets[0]
    return f"{get_column_letter(ws.max_column)}{ws.max_row}"


def row_of(data: bytes, code: object, sheet: str | None = None, nth: int = 0, column: str = "B") -> int:
    """1-based row of the ``nth`` table row whose code cell (column ``column``) holds ``code``."""
    refs = [ref for ref in cells_of(data, code, sheet) if ref.rstrip("0123456789") == column]
    return int(refs[nth][len(column):])
