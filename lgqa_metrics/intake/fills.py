"""Cell fills, read only when a return may give its ratings by colour (:func:`load_fills`): from the xlsx
stylesheet and cell style indices directly, through openpyxl for what that cannot settle, xlrd for .xls and the
.ods automatic styles."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import IO, Any, Final

from lgqa_metrics.intake.parts import (
    CELL_TAG,
    UNPREFIXED_CELL_TAG,
    ArchiveParts,
    column_number,
    sheet_parts,
    tag_bounded_chunks,
)
from lgqa_metrics.intake.sheets import MAX_COLS, MAX_ROWS
from lgqa_metrics.intake.sniff import ZipInspection

# Default Office theme colours (lt1, dk1, lt2, dk2, accent1..6) for theme-indexed fills.
_OFFICE_THEME: Final = ("FFFFFF", "000000", "E7E6E6", "44546A", "4472C4", "ED7D31", "A5A5A5", "FFC000",
                        "5B9BD5", "70AD47")


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


def load_fills(data: bytes, kind: str, skip: frozenset[str] = frozenset(), archive: ZipInspection | None = None
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
    with ArchiveParts(data, archive) as zf:
        names = zf.names
        styles = zf.read("xl/styles.xml") if "xl/styles.xml" in names else b""
        if not _may_have_rating_fills(styles.decode("utf-8", "replace")):
            return {}
        by_style, styles_count = _cell_style_fills(styles, zf.read("xl/theme/theme1.xml")
                                                   if "xl/theme/theme1.xml" in names else None)
        out: dict[str, dict[tuple[int, int], str]] = {}
        for name, path in sheet_parts(zf):
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
    for body in tag_bounded_chunks(fh):
        found = _PLAIN_CELL.findall(body)
        tags = CELL_TAG if b":c" in body else UNPREFIXED_CELL_TAG
        if len(found) != len(tags.findall(body)):
            return None
        wanted = {s for s in {s for _, _, s in found} if by_style.get(int(s or 0)) or int(s or 0) >= styles_count}
        for letters, digits, style in found:
            if style not in wanted:
                continue
            col = columns.get(letters) or columns.setdefault(letters, column_number(letters))
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

    with ArchiveParts(data, archive) as zf:
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
