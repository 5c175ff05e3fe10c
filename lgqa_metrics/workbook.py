"""Low-level workbook access: cell values through python-calamine, fills through openpyxl/xlrd on demand."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Final

import python_calamine as pc
from openpyxl.utils import get_column_letter

from lgqa_metrics.sniff import Sniffed

#: Largest sheet extent read; beyond it a sheet is refused rather than loaded.
MAX_ROWS: Final = 20_000
MAX_COLS: Final = 512

# Default Office theme colours (lt1, dk1, lt2, dk2, accent1..6) for theme-indexed fills.
_OFFICE_THEME: Final = ("FFFFFF", "000000", "E7E6E6", "44546A", "4472C4", "ED7D31", "A5A5A5", "FFC000",
                        "5B9BD5", "70AD47")


class UnreadableWorkbook(Exception):
    """The bytes claim to be a workbook but cannot be opened; ``code`` is an issue code."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(detail or code)
        self.code = code
        self.detail = detail


def a1(row: int, col: int) -> str:
    """A1 reference of 0-based ``row`` and ``col``."""
    return f"{get_column_letter(col + 1)}{row + 1}"


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
    _fills: dict[str, dict[tuple[int, int], str]] | None = field(default=None, repr=False)

    def fill(self, sheet: str, row: int, col: int) -> str | None:
        """The solid fill colour (RRGGBB) of a cell, or None; supported for xlsx, xlsm, xls and ods."""
        if self._fills is None:
            self._fills = _load_fills(self.data, self.kind)
        return self._fills.get(sheet, {}).get((row, col))


def load_workbook(data: bytes, sniffed: Sniffed) -> WorkbookData:
    """Open a spreadsheet's sheets with calamine; raise :class:`UnreadableWorkbook` when it fails."""
    try:
        book = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except pc.PasswordError as exc:
        raise UnreadableWorkbook("file_encrypted") from exc
    except (pc.ZipError, zipfile.BadZipFile) as exc:
        raise UnreadableWorkbook("file_truncated", str(exc)) from exc
    except Exception as exc:  # calamine raises several types for corrupt input
        raise UnreadableWorkbook("file_unreadable", _short(exc)) from exc
    extents = _xlsx_extents(data) if sniffed.kind in {"xlsx", "xlsm"} else {}
    sheets: list[SheetData] = []
    for meta in book.sheets_metadata:
        if meta.typ != pc.SheetTypeEnum.WorkSheet:
            continue
        visible = meta.visible == pc.SheetVisibleEnum.Visible
        declared = extents.get(meta.name)
        if declared and (declared[0] >= MAX_ROWS or declared[1] >= MAX_COLS):
            sheets.append(SheetData(meta.name, [], visible, too_large=declared))
            continue
        try:
            sheet = book.get_sheet_by_name(meta.name)
            end_row, end_col = sheet.end or (0, 0)
            if end_row >= MAX_ROWS or end_col >= MAX_COLS:
                sheets.append(SheetData(meta.name, [], visible, too_large=(end_row, end_col)))
                continue
            rows: list[list[object]] = [list(r) for r in sheet.to_python(skip_empty_area=False)]
        except pc.PasswordError as exc:
            raise UnreadableWorkbook("file_encrypted") from exc
        except Exception as exc:
            raise UnreadableWorkbook("file_unreadable", _short(exc)) from exc
        sheets.append(SheetData(meta.name, rows, visible))
    return WorkbookData(data, sniffed.kind, sheets)


_REF: Final = re.compile(rb'<(?:\w+:)?(?:c|dimension)\s[^>]*?\b(?:r|ref)="(?:[A-Z]+[0-9]+:)?([A-Z]{1,3})([0-9]{1,7})"')
#: Most bytes of one sheet's XML scanned for its extent (beyond it the sheet is refused by calamine's own size).
_MAX_SHEET_XML: Final = 64 * 1024 * 1024


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + (ch - 64)
    return number


def _xlsx_extents(data: bytes) -> dict[str, tuple[int, int]]:
    """Each sheet's largest 0-based (row, column), from its ``<dimension>`` and cell references,
    read from the XML before any grid is built (a stray cell at XFD1048576 would ask for ~500 GiB)."""
    out: dict[str, tuple[int, int]] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            book = zf.read("xl/workbook.xml").decode("utf-8", "replace")
            rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
            targets = dict(re.findall(r'<Relationship\b[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels))
            targets |= {rid: tgt for tgt, rid in re.findall(r'<Relationship\b[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)}
            for tag in re.findall(r"<(?:\w+:)?sheet\b[^>]*>", book):
                name = re.search(r'\bname="([^"]*)"', tag)
                rid = re.search(r'\br:id="([^"]*)"|\bid="([^"]*)"', tag)
                if not name or not rid:
                    continue
                target = targets.get(rid.group(1) or rid.group(2) or "", "")
                path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                if path not in zf.namelist():
                    continue
                with zf.open(path) as fh:
                    xml = fh.read(_MAX_SHEET_XML)
                rows = cols = 0
                for letters, digits in _REF.findall(xml):
                    rows = max(rows, int(digits))
                    cols = max(cols, _column_number(letters))
                out[_unescape(name.group(1))] = (max(rows - 1, 0), max(cols - 1, 0))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return {}
    return out


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'").replace("&amp;", "&")


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


def _theme_colours(raw: bytes | str | None) -> tuple[str, ...]:
    if not raw:
        return _OFFICE_THEME
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    scheme = re.search(r"<a:clrScheme.*?</a:clrScheme>", text, re.S)
    if not scheme:
        return _OFFICE_THEME
    found = re.findall(r'(?:srgbClr val|lastClr)="([0-9A-Fa-f]{6})"', scheme.group(0))
    if len(found) < 10:
        return _OFFICE_THEME
    dk1, lt1, dk2, lt2, *accents = found[:10]
    return (lt1, dk1, lt2, dk2, *accents)


def _load_fills(data: bytes, kind: str) -> dict[str, dict[tuple[int, int], str]]:
    try:
        if kind in {"xlsx", "xlsm"}:
            return _openpyxl_fills(data) if _may_have_rating_fills(data) else {}
        if kind == "xls":
            return _xlrd_fills(data)
        if kind == "ods":
            return _ods_fills(data)
    except Exception:  # fills are a best-effort extra; values were already read
        return {}
    return {}


def _may_have_rating_fills(data: bytes) -> bool:
    """Cheap look at xl/styles.xml: does any solid cell fill use a red, yellow or green (or a theme or
    indexed colour that might be one)? Spares loading the workbook with openpyxl for most returns."""
    from lgqa_metrics.ratings import rating_of_fill

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        styles = zf.read("xl/styles.xml").decode("utf-8", "replace") if "xl/styles.xml" in zf.namelist() else ""
    fills = re.search(r"<(?:\w+:)?fills\b.*?</(?:\w+:)?fills>", styles, re.S)
    if not fills:
        return False
    for fill in re.findall(r'<(?:\w+:)?patternFill\b[^>]*patternType="solid".*?</(?:\w+:)?patternFill>', fills.group(0), re.S):
        colour = re.search(r'<(?:\w+:)?fgColor\b([^>]*)/?>', fill)
        attrs = colour.group(1) if colour else ""
        rgb = re.search(r'rgb="([0-9A-Fa-f]{6,8})"', attrs)
        if rgb is None or rating_of_fill(rgb.group(1)) is not None:
            return True
    return False


def _openpyxl_fills(data: bytes) -> dict[str, dict[tuple[int, int], str]]:
    import openpyxl
    from openpyxl.styles.colors import COLOR_INDEX

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_vba=False)
    theme = _theme_colours(getattr(book, "loaded_theme", None))
    out: dict[str, dict[tuple[int, int], str]] = {}
    for ws in book.worksheets:
        cells: dict[tuple[int, int], str] = {}
        for row in ws.iter_rows():
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


def _xlrd_fills(data: bytes) -> dict[str, dict[tuple[int, int], str]]:
    import xlrd

    book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    out: dict[str, dict[tuple[int, int], str]] = {}
    for sheet in book.sheets():
        cells: dict[tuple[int, int], str] = {}
        for r in range(sheet.nrows):
            for c in range(sheet.ncols):
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


def _ods_fills(data: bytes) -> dict[str, dict[tuple[int, int], str]]:
    """Cell background colours of an .ods file, from the automatic cell styles in content.xml."""
    from defusedxml import ElementTree

    def q(prefix: str, name: str) -> str:
        return f"{{{_ODS_NS[prefix]}}}{name}"

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        root = ElementTree.fromstring(zf.read("content.xml"))
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
