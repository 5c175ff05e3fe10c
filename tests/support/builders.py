"""Builders of self-assessment return workbooks, in memory, in the layouts units actually send.

Every builder returns the bytes of a file. Expected results are taken from what a test puts in
(the ``ratings`` mapping, the unit and year text), never from the package under test. The
indicator codes come from the quadrant sizes 10/8/12/9 and the names from the data files, read
here with the ``csv`` module.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import openpyxl
from openpyxl.utils import get_column_letter
from xlsxwriter.utility import xl_cell_to_rowcol

from lgqa_metrics.domain.ratings import Rating
from lgqa_metrics.domain.units import REPORTING_TYPES, default_registry
from lgqa_metrics.synthetic.forms import (
    INSTRUCTIONS,
    Blank,
    Column,
    FormContent,
    FormLayout,
    Group,
    Line,
    Row,
    mark_layout,
    write_return,
    write_returns,
)

ROOT: Final = Path(__file__).resolve().parents[2]
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


# --- table items: the layout generator's lines (lgqa_metrics.synthetic.forms), as typed ---------------------

Item = Line


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
    Each row cites a document as its evidence ("Văn bản số N/UBND", as units write it) unless ``evidence`` says
    otherwise: pass ``{}`` for a return without evidence.
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
        cited = f"Văn bản số {CODES.index(code) + 1}/UBND" if evidence is None else evidence.get(code, "")
        items.append(Row(code_cell, (names or {}).get(code, default_names[code]), ratings[code],
                         cited, "", (fills or {}).get(code)))
    return items


# --- writing: through the one layout generator (lgqa_metrics.synthetic.forms) -----------------------------


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

    def form(self) -> tuple[FormLayout, FormContent]:
        """The sheet as the generator's layout (a "weight" column is an extra column holding 1) and content."""
        columns = tuple(Column("extra" if role == "weight" else role, self.headers[role],
                               hidden=role in self.hidden_columns) for role in self.columns)
        layout = FormLayout(columns, summary=self.summary, signature=self.signature, nfd=self.nfd,
                            sheet_name=self.name, hidden=self.hidden)
        extra = tuple((*xl_cell_to_rowcol(ref), text) for ref, text in self.header_lines)
        return layout, FormContent({}, self.unit, self.year, self.date_line, extra_lines=extra, lines=self.items)


def workbook(sheets: Sequence[SheetSpec], *, instructions: bool = False) -> bytes:
    """An .xlsx holding one return per sheet in the one-word layout (``instructions`` adds a first sheet)."""
    return write_returns([spec.form() for spec in sheets], instructions=INSTRUCTIONS if instructions else ())


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
    colours = {"red": Rating.RED, "yellow": Rating.YELLOW, "green": Rating.GREEN, "na": Rating.NA}
    lines: list[Item] = []
    number = 0
    for item in table_items(marks):
        if isinstance(item, Row):
            number += 1
            value = marks[str(item.code)]
            cells: Mapping[str, object] = {}
            if isinstance(value, str):
                cells = {value: mark}
            elif isinstance(value, tuple):
                cells = dict.fromkeys(value, mark)
            elif isinstance(value, dict):
                cells = value
            item = Row(item.code, item.name, evidence=f"Văn bản số {number}/UBND",
                       marks={colours[k]: v for k, v in cells.items()})
        lines.append(item)
    content = FormContent({}, unit, year, DATE_LINE, lines=lines)
    return write_return(mark_layout(summary=False, sheet_name=sheet), content)


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


def pilot_ids(year: int = 2023) -> list[str]:
    """The ids of the registered units that answer for ``year`` (the 12 pilot units up to 2024; their illustrative
    successors from 2025), in registry order."""
    return [u.id for u in default_registry().units if u.type in REPORTING_TYPES and u.reports_for(year)]
