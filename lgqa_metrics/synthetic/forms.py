"""Return workbooks written from a layout description: the one writer of the forms the reader is tested on,
the demo returns and the synthetic national returns.

A :class:`FormLayout` says what a clerk's sheet looks like — its columns in order with their titles (one
or two header rows), how codes are written (text, numbers, inside the name cell, not at all), how ratings
are shown (a word, a mark in one column per colour, only the cell's fill), quadrant group rows, summary
and signature rows, blank and hidden rows, text saved on a Mac (NFD), one sheet per quadrant. A
:class:`FormContent` says what the return holds: unit line, year, and each indicator's rating, evidence
and note (an indicator left out has no row: a deleted row) — or, for a sheet typed cell by cell, its table
as :class:`Row`, :class:`Group` and :class:`Blank` lines holding exactly what each cell holds (a misspelt
word, a repeated or unknown code, a fill with no word). :func:`write_return` turns both into .xlsx bytes
with xlsxwriter; :func:`write_consolidation` writes a district's sheet with one column per unit.
"""

from __future__ import annotations

import io
import unicodedata
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import xlsxwriter

from lgqa_metrics.domain.catalogue import Catalogue, default_catalogue
from lgqa_metrics.domain.ratings import Rating

MOTTO: Final = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
TITLE: Final = "BÁO CÁO KẾT QUẢ TỰ ĐÁNH GIÁ THEO 39 CHỈ SỐ TCVN ISO 18091:2020"
#: 0-based row of the (first) header row when the header block is written: rows 0-6 hold the block.
HEADER_ROW: Final = 7
WORDS_VI: Final = {Rating.RED: "Đỏ", Rating.YELLOW: "Vàng", Rating.GREEN: "Xanh lá", Rating.NA: "Không áp dụng"}
WORDS_EN: Final = {Rating.RED: "Red", Rating.YELLOW: "Amber", Rating.GREEN: "Green", Rating.NA: "N/A"}
LETTERS: Final = {Rating.RED: "Đ", Rating.YELLOW: "V", Rating.GREEN: "X", Rating.NA: "-"}
#: Excel's light Bad/Neutral/Good fills, and its standard red, yellow and green.
LIGHT_FILLS: Final = {Rating.RED: "FFC7CE", Rating.YELLOW: "FFEB9C", Rating.GREEN: "C6EFCE"}
STANDARD_FILLS: Final = {Rating.RED: "FF0000", Rating.YELLOW: "FFFF00", Rating.GREEN: "00B050"}
ROMAN: Final = {1: "I", 2: "II", 3: "III", 4: "IV"}
SIGNATURE: Final = (("NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)", "Nguyễn Thị Lan"),
                    ("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH", "(Ký tên, đóng dấu)", "Trần Văn Minh"))
#: How a code and a name share one cell.
CODE_NAME_FORMS: Final = ("{code}. {name}", "{code} - {name}", "CS {code}: {name}", "{code} {name}")
#: The roles a column of a return can have ("mark" columns carry their colour; "extra" holds something else).
COLUMN_ROLES: Final = ("stt", "code", "name", "code_name", "rating", "mark", "evidence", "note", "extra")


@dataclass(frozen=True)
class Column:
    """One column: its role, its title, the title spanning it in a two-row header, and for a colour column the
    rating it stands for."""

    role: str
    header: str
    group: str = ""
    colour: Rating | None = None
    hidden: bool = False
    value: object = 1  # what an "extra" column holds on a row that says nothing else
    width: float | None = None  # in characters (None: wide for names, narrow otherwise)


@dataclass(frozen=True)
class FormLayout:
    """What a return sheet looks like (see the module's docstring)."""

    columns: tuple[Column, ...]
    code_style: str = "text"  # text | number | in_name | absent (as the columns say)
    code_form: str = "{code}"  # how a text code is typed: "{code}", "CS {code}"
    code_name_form: str = CODE_NAME_FORMS[0]
    words: Mapping[Rating, str] = field(default_factory=lambda: dict(WORDS_VI))
    mark: str = "x"
    fills: Mapping[Rating, str] = field(default_factory=lambda: dict(LIGHT_FILLS))
    rating_by_fill: bool = False  # ratings shown only by the rating cell's fill
    groups: bool = True
    english_groups: bool = False
    header_block: bool = True
    numbering_row: bool = False
    summary: bool = True
    signature: bool = True
    blank_after: tuple[int, ...] = ()  # a blank row after these indicator rows (0-based, in sheet order)
    hidden_after: tuple[int, ...] = ()  # a hidden blank row after these
    nfd: bool = False
    trailing_space: bool = False
    sheet_name: str = "Biểu 01"
    hidden: bool = False  # the whole sheet hidden (a stale copy left in the workbook)
    header_row: int = HEADER_ROW  # the table header's first row under a content's own header block
    group_upper: bool = True  # quadrant names in group rows in capitals
    group_from: int = 1  # the column a group row's quadrant name starts in (the Roman numeral is in the first)
    per_quadrant: bool = False  # one sheet per quadrant (the header block on the sheet ``block_sheet``)
    block_sheet: int = 0


@dataclass(frozen=True)
class Entry:
    """One indicator as a unit fills it in; ``name`` overrides the catalogue's name (other wording)."""

    rating: Rating = Rating.MISSING
    evidence: str = ""
    note: str = ""
    name: str | None = None
    code_cell: object = None  # overrides the code cell as typed (a wrong code, a number)


@dataclass(frozen=True)
class Row:
    """An indicator's row exactly as typed: the code and name cells, the rating cell (a word, a letter, a blank)
    and its fill (RRGGBB), evidence, note, what each colour column holds (a mark, a stray word), and the cell
    of a code and name together (by default the layout's form of ``code`` and ``name``)."""

    code: object
    name: object = ""
    rating: object = None
    evidence: object = ""
    note: object = ""
    fill: str | None = None
    hidden: bool = False
    marks: Mapping[Rating, object] = field(default_factory=dict)
    code_name: object = None
    extra: object = None  # what an "extra" column holds on this row (None: the column's value)


@dataclass(frozen=True)
class Group:
    """A quadrant's group row: its Roman numeral in the first column, its name across the others."""

    quadrant: int
    english: bool = False


@dataclass(frozen=True)
class Blank:
    """An empty row inside the table (hidden when ``hidden``)."""

    hidden: bool = False


#: One line of a table as written.
Line = Row | Group | Blank

#: Named cell styles of header blocks, totals and footers (a span's ``style``; "fill:RRGGBB" fills the cell).
STYLES: Final[dict[str, dict[str, Any]]] = {
    "plain": {}, "plain_c": {"align": "center"}, "bold": {"bold": True}, "bold_c": {"bold": True, "align": "center"},
    "bold_u": {"bold": True, "align": "center", "underline": 1}, "italic_c": {"italic": True, "align": "center"},
    "title": {"bold": True, "align": "center", "font_size": 14},
    "banner": {"bold": True, "italic": True, "align": "center", "font_color": "#C00000"},
}


@dataclass(frozen=True)
class Span:
    """A value across columns ``first``..``last`` of a row (merged when more than one), in a :data:`STYLES` style."""

    row: int
    first: int
    last: int
    value: object
    style: str = "plain"


@dataclass(frozen=True)
class Total:
    """A total row under the table: ``label`` across the columns before ``column`` and a formula there, saved
    with its ``value``. The formula may name the table's first and last rows (``{first}``, ``{last}``), its own
    row (``{row}``), the row above it (``{previous}``) and the first total's (``{first_total}``), 1-based as a
    spreadsheet shows them."""

    label: str
    formula: str
    value: float
    column: int
    percent: bool = False


@dataclass(frozen=True)
class FormContent:
    """What a return holds; ``entries`` in the order the rows are written (codes left out have no row), or
    ``lines``: the table exactly as typed (then ``entries`` is not used)."""

    entries: Mapping[str, Entry]
    unit_line: str | None = "UBND QUẬN HỒNG BÀNG"
    year_line: str | None = "Năm 2023"
    date_line: str | None = "Hải Phòng, ngày 15 tháng 01 năm 2024"
    banner: str = ""
    extra_lines: Sequence[tuple[int, int, object]] = ()  # (row, column, value) in the header block
    lines: Sequence[Line] | None = None
    block: Sequence[Span] | None = None  # the header block (None: the standard one from the lines above)
    totals: Sequence[Total] | None = None  # rows under the table (None: the layout's COUNTIF summary, if any)
    footer: Sequence[Span] | None = None  # under the totals, rows counted from there (None: the signatures)


def word_layout(headers: Mapping[str, str] | None = None, roles: Sequence[str] = ("stt", "code", "name", "rating",
                                                                                    "evidence", "note"),
                **options: Any) -> FormLayout:
    """The common layout: one column per role in ``roles`` titled by ``headers`` (Vietnamese by default)."""
    titles = {**DEFAULT_HEADERS, **(headers or {})}
    return FormLayout(tuple(Column(r, titles[r]) for r in roles), **options)


DEFAULT_HEADERS: Final = {"stt": "STT", "code": "Mã chỉ số", "name": "Tên chỉ số", "code_name": "Chỉ số",
                          "rating": "Kết quả tự đánh giá", "evidence": "Minh chứng", "note": "Ghi chú",
                          "extra": "Trọng số (nội bộ)"}
ENGLISH_HEADERS: Final = {"stt": "No.", "code": "Indicator code", "name": "Indicator name", "code_name": "Indicator",
                          "rating": "Rating", "evidence": "Evidence", "note": "Notes", "extra": "Weight"}


def mark_layout(**options: Any) -> FormLayout:
    """One column per colour under a two-row header "Kết quả tự đánh giá"."""
    colours = tuple(Column("mark", WORDS_VI[r], "Kết quả tự đánh giá", r)
                    for r in (Rating.RED, Rating.YELLOW, Rating.GREEN, Rating.NA))
    columns = (Column("stt", "STT"), Column("code", "Mã chỉ số"), Column("name", "Tên chỉ số"), *colours,
               Column("evidence", "Minh chứng"), Column("note", "Ghi chú"))
    return FormLayout(columns, **options)


# --- writing ----------------------------------------------------------------------------------------


def write_cell(ws: Any, row: int, col: int, value: object, fmt: Any = None) -> None:
    """Write one value of an xlsxwriter sheet as a clerk types it: text as text, numbers as numbers, a bool as
    a bool, None or "" as a blank (0-based ``row`` and ``col``)."""
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value, fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


class _Formats:
    """The workbook's formats, made once each."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self.made: dict[tuple[tuple[str, Any], ...], Any] = {}

    def __call__(self, **props: Any) -> Any:
        key = tuple(sorted(props.items()))
        if key not in self.made:
            self.made[key] = self.book.add_format({"font_name": "Times New Roman", "font_size": 12, **props})
        return self.made[key]


@dataclass
class _Writer:
    layout: FormLayout
    catalogue: Catalogue
    book: Any
    fmt: _Formats

    def text(self, value: str) -> str:
        """Text as the clerk's machine saves it (NFD on a Mac, a trailing space)."""
        if self.layout.nfd:
            value = unicodedata.normalize("NFD", value)
        return value + " " if self.layout.trailing_space and value else value

    def put(self, ws: Any, row: int, col: int, value: object, fmt: Any = None) -> None:
        write_cell(ws, row, col, self.text(value) if isinstance(value, str) else value, fmt)

    def span(self, ws: Any, row: int, first: int, last: int, value: object, fmt: Any) -> None:
        shown = self.text(value) if isinstance(value, str) else value
        if last > first:
            ws.merge_range(row, first, row, last, shown, fmt)
        else:
            write_cell(ws, row, first, shown, fmt)

    def style(self, name: str) -> Any:
        """The format of a named style (:data:`STYLES`) or of a fill ("fill:FF0000", bordered)."""
        if name.startswith("fill:"):
            return self.fmt(border=1, bg_color="#" + name[5:], pattern=1)
        return self.fmt(**STYLES[name])

    def spans(self, ws: Any, spans: Sequence[Span], offset: int = 0) -> None:
        for s in spans:
            self.span(ws, s.row + offset, s.first, s.last, s.value, self.style(s.style))

    def header_block(self, ws: Any, content: FormContent, width: int) -> int:
        """Issuing body, motto, number, date, title and year (or the content's own block); returns the header's
        first row."""
        if content.block is not None:
            self.spans(ws, content.block)
            for row, col, text in content.extra_lines:
                self.put(ws, row, col, text)
            return self.layout.header_row
        if not self.layout.header_block:
            for row, col, text in content.extra_lines:
                self.put(ws, row, col, text)
            return max((r + 2 for r, _, _ in content.extra_lines), default=0)
        bold = self.fmt(bold=True, align="center")
        left = max(1, width // 2)
        last = max(width - 1, left)
        if content.unit_line is not None:
            self.span(ws, 0, 0, left - 1, content.unit_line, bold)
        self.span(ws, 0, left, last, MOTTO[0], bold)
        self.span(ws, 1, left, last, MOTTO[1], bold)
        ws.write_string(1, 0, "Số: 15/BC-UBND")
        if content.date_line is not None:
            self.span(ws, 2, left, last, content.date_line, self.fmt(italic=True, align="center"))
        if content.banner:
            self.span(ws, 3, 0, last, content.banner, self.fmt(bold=True, italic=True, font_color="#C00000"))
        self.span(ws, 4, 0, last, TITLE, self.fmt(bold=True, align="center", font_size=14))
        if content.year_line is not None:
            self.span(ws, 5, 0, last, content.year_line, self.fmt(italic=True, align="center"))
        for row, col, text in content.extra_lines:
            self.put(ws, row, col, text)
        return HEADER_ROW

    def header(self, ws: Any, row: int) -> int:
        """The table's header (two rows when any column has a group title); returns the first data row."""
        cols = self.layout.columns
        head = self.fmt(bold=True, align="center", valign="vcenter", border=1, bg_color="#DDEBF7", text_wrap=True)
        if not any(c.group for c in cols):
            for c, column in enumerate(cols):
                ws.write_string(row, c, self.text(column.header), head)
            next_row = row + 1
        else:
            c = 0
            while c < len(cols):
                group = cols[c].group
                if not group:
                    ws.merge_range(row, c, row + 1, c, self.text(cols[c].header), head)
                    c += 1
                    continue
                end = c
                while end + 1 < len(cols) and cols[end + 1].group == group:
                    end += 1
                self.span(ws, row, c, end, group, head)
                for k in range(c, end + 1):
                    ws.write_string(row + 1, k, self.text(cols[k].header), head)
                c = end + 1
            next_row = row + 2
        for c, column in enumerate(cols):
            if column.hidden:
                ws.set_column(c, c, None, None, {"hidden": True})
        if self.layout.numbering_row:
            for c in range(len(cols)):
                ws.write_string(next_row, c, f"({c + 1})", self.fmt(italic=True, align="center", border=1))
            next_row += 1
        return next_row

    def lines(self, codes: Sequence[str], entries: Mapping[str, Entry]) -> list[Line]:
        """The table's lines for ``entries`` as this layout writes them: group rows, each indicator's row,
        the blank and hidden rows the layout puts after some of them."""
        layout, cat = self.layout, self.catalogue
        out: list[Line] = []
        quadrant = 0
        for i, code in enumerate(codes):
            q = cat[code].quadrant
            if layout.groups and q != quadrant:
                out.append(Group(q, layout.english_groups))
            quadrant = q
            entry = entries[code]
            code_cell = entry.code_cell if entry.code_cell is not None else (
                float(code) if layout.code_style == "number" else layout.code_form.format(code=code))
            name = entry.name if entry.name is not None else cat[code].name_vi
            by_fill = layout.rating_by_fill
            out.append(Row(code_cell, name, None if by_fill else layout.words.get(entry.rating, ""), entry.evidence,
                           entry.note, layout.fills.get(entry.rating) if by_fill else None,
                           marks={entry.rating: layout.mark},
                           code_name=layout.code_name_form.format(code=code, name=name)))
            if i in layout.blank_after:
                out.append(Blank())
            if i in layout.hidden_after:
                out.append(Blank(hidden=True))
        return out

    def cells(self, number: int, line: Row) -> list[tuple[object, Any]]:
        """The values (and formats) of one indicator's row, column by column."""
        plain = self.fmt(border=1)
        out: list[tuple[object, Any]] = []
        for column in self.layout.columns:
            value: object = ""
            fmt = plain
            if column.role == "stt":
                value = number
            elif column.role == "code":
                value = line.code
            elif column.role == "name":
                value = line.name
            elif column.role == "code_name":
                value = line.code_name if line.code_name is not None else self.layout.code_name_form.format(
                    code=line.code, name=line.name)
            elif column.role == "rating":
                value = line.rating
                if line.fill:
                    fmt = self.fmt(border=1, bg_color="#" + line.fill, pattern=1)
            elif column.role == "mark":
                value = line.marks.get(column.colour, "") if column.colour is not None else ""
            elif column.role == "evidence":
                value = line.evidence
            elif column.role == "note":
                value = line.note
            elif column.role == "extra":
                value = column.value if line.extra is None else line.extra
            out.append((value, fmt))
        return out

    def table(self, ws: Any, row: int, lines: Sequence[Line], first_number: int) -> tuple[int, int]:
        """``lines`` from ``row``; returns the row after the table and the last row number written."""
        cat = self.catalogue
        width = len(self.layout.columns)
        group_fmt = self.fmt(bold=True, border=1, bg_color="#F2F2F2")
        number = first_number
        for line in lines:
            if isinstance(line, Group):
                quadrant = cat.quadrants[line.quadrant]
                ws.write_string(row, 0, ROMAN[line.quadrant], group_fmt)
                start = min(self.layout.group_from, width - 1)
                for c in range(1, start):
                    ws.write_blank(row, c, None, group_fmt)
                if width > 1:
                    name = quadrant.name_en if line.english else quadrant.name_vi
                    self.span(ws, row, start, width - 1, name.upper() if self.layout.group_upper else name,
                              group_fmt)
            elif isinstance(line, Row):
                number += 1
                for c, (value, fmt) in enumerate(self.cells(number, line)):
                    self.put(ws, row, c, value, fmt)
            if not isinstance(line, Group) and line.hidden:
                ws.set_row(row, None, None, {"hidden": True})
            row += 1
        return row, number

    def summary(self, lines: Sequence[Line]) -> list[Total]:
        """The layout's COUNTIF rows under the table ("Tổng số chỉ số Xanh lá"), then "Tổng cộng", each with the
        value a spreadsheet program would have saved with it (none without a column of rating words)."""
        roles = [c.role for c in self.layout.columns]
        if not self.layout.summary or "rating" not in roles or self.layout.rating_by_fill or roles.index("rating") == 0:
            return []
        rc = roles.index("rating")
        letter = xlsxwriter.utility.xl_col_to_name(rc)
        typed = [line.rating for line in lines if isinstance(line, Row)]
        totals = []
        for rating in (Rating.GREEN, Rating.YELLOW, Rating.RED, Rating.NA):
            word = self.layout.words.get(rating, "")
            count = sum(isinstance(v, str) and v.strip() == word for v in typed)
            totals.append(Total(f"Tổng số chỉ số {word}", f'=COUNTIF({letter}{{first}}:{letter}{{last}},"{word}")',
                                count, rc))
        totals.append(Total("Tổng cộng", f"=COUNTA({letter}{{first}}:{letter}{{last}})",
                            sum(v not in (None, "") for v in typed), rc))
        return totals

    def totals(self, ws: Any, row: int, first: int, last: int, totals: Sequence[Total]) -> int:
        """``totals`` from ``row`` under a table from ``first`` to ``last`` (0-based); returns the next row."""
        bold = self.fmt(bold=True, border=1)
        start = row
        for total in totals:
            self.span(ws, row, 0, total.column - 1, total.label, bold)
            formula = total.formula.format(first=first + 1, last=last + 1, row=row + 1, previous=row,
                                           first_total=start + 1)
            fmt = self.fmt(bold=True, border=1, num_format="0.0%") if total.percent else bold
            ws.write_formula(row, total.column, formula, fmt, total.value)
            row += 1
        return row

    def signature(self, ws: Any, row: int) -> None:
        width = len(self.layout.columns)
        left = max(1, width // 2)
        for col, (title, hint, name) in zip((0, left), SIGNATURE, strict=True):
            ws.write_string(row, col, self.text(title), self.fmt(bold=True, align="center", text_wrap=True))
            ws.write_string(row + 1, col, self.text(hint), self.fmt(italic=True))
            ws.write_string(row + 4, col, self.text(name))

    def sheet(self, name: str, content: FormContent, codes: Sequence[str], number: int, block: bool) -> int:
        """One sheet holding ``codes``; returns the last row number written."""
        ws = self.book.add_worksheet(name)
        width = len(self.layout.columns)
        for c, column in enumerate(self.layout.columns):
            wide = column.role in ("name", "code_name", "evidence", "note")
            ws.set_column(c, c, column.width or (46 if wide else 14))
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        shown = content if block else FormContent(content.entries, None, None, None)
        start = self.header_block(ws, shown, width)
        first = self.header(ws, start)
        ws.repeat_rows(start, first - 1)
        lines = content.lines if content.lines is not None else self.lines(codes, content.entries)
        end, number = self.table(ws, first, lines, number)
        totals = content.totals if content.totals is not None else self.summary(lines)
        row = end + 1
        if totals:
            row = self.totals(ws, row, first, end - 1, totals) + 1
        if content.footer is not None:
            self.spans(ws, content.footer, row)
        elif self.layout.signature:
            self.signature(ws, row)
        if self.layout.hidden:
            ws.hide()
        return number


INSTRUCTIONS: Final = (
    "HƯỚNG DẪN ĐIỀN BIỂU TỰ ĐÁNH GIÁ",
    "1. Mỗi chỉ số ghi một kết quả: Đỏ, Vàng, Xanh lá hoặc Không áp dụng.",
    "2. Ghi số, ngày của văn bản minh chứng ở cột Minh chứng.",
    "3. Giải trình các chỉ số Đỏ, Vàng ở cột Ghi chú.",
)


def write_returns(forms: Sequence[tuple[FormLayout, FormContent]], catalogue: Catalogue | None = None,
                  properties: Mapping[str, Any] | None = None, custom: Mapping[str, bool | str] | None = None,
                  instructions: Sequence[str] = ()) -> bytes:
    """An .xlsx holding one return per (layout, content), each on its sheet (or sheets, one per quadrant), after
    a sheet of ``instructions`` when there are any; ``properties`` and ``custom`` are the document's
    properties (title, author, created …) and custom properties."""
    cat = catalogue or default_catalogue()
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    if properties:
        book.set_properties(dict(properties))
    for name, value in (custom or {}).items():
        book.set_custom_property(name, value)
    fmt = _Formats(book)
    if instructions:
        ws = book.add_worksheet("Hướng dẫn")
        ws.set_column(0, 0, 120)
        for i, line in enumerate(instructions):
            ws.write_string(i, 0, line, fmt(bold=True) if i == 0 else None)
    for layout, content in forms:
        writer = _Writer(layout, cat, book, fmt)
        codes = list(content.entries)
        if not layout.per_quadrant:
            writer.sheet(layout.sheet_name, content, codes, 0, True)
            continue
        number = 0
        for q in sorted(cat.quadrants):
            part = [c for c in codes if cat[c].quadrant == q]
            if part:
                number = writer.sheet(f"{layout.sheet_name} - {ROMAN[q]}", content, part, number,
                                      q - 1 == layout.block_sheet)
    book.close()
    return buf.getvalue()


def write_return(layout: FormLayout, content: FormContent, catalogue: Catalogue | None = None) -> bytes:
    """An .xlsx holding one return."""
    return write_returns([(layout, content)], catalogue)


def write_consolidation(units: Mapping[str, Mapping[str, Rating]], *, year: int = 2023,
                        body: str = "UBND HUYỆN AN LÃO", legend: bool = True, letters: bool = True,
                        catalogue: Catalogue | None = None, sheet: str = "Tổng hợp") -> bytes:
    """A district's consolidation sheet: indicators as rows, one column per unit (``units``: the unit's name
    as its header → code → rating), letters with a legend line (or words)."""
    cat = catalogue or default_catalogue()
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    fmt = _Formats(book)
    ws = book.add_worksheet(sheet)
    names = list(units)
    bold = fmt(bold=True, align="center")
    ws.write_string(0, 0, body, bold)
    ws.write_string(2, 0, "TỔNG HỢP KẾT QUẢ TỰ ĐÁNH GIÁ CỦA CÁC XÃ THEO TCVN ISO 18091:2020", bold)
    ws.write_string(3, 0, f"Năm {year}")
    head = fmt(bold=True, border=1, bg_color="#DDEBF7", text_wrap=True)
    for c, title in enumerate(["TT", "Mã chỉ số", "Tên chỉ số", *names]):
        ws.write_string(5, c, title, head)
    row = 6
    for number, ind in enumerate(cat.indicators, start=1):
        ws.write_number(row, 0, number)
        ws.write_string(row, 1, ind.code)
        ws.write_string(row, 2, ind.name_vi)
        for c, name in enumerate(names, start=3):
            rating = units[name].get(ind.code, Rating.MISSING)
            value = (LETTERS if letters else WORDS_VI).get(rating, "")
            if value:
                ws.write_string(row, c, value)
        row += 1
    if legend:
        ws.write_string(row + 1, 0, "Ghi chú: Đ: Đỏ; V: Vàng; X: Xanh lá; -: Không áp dụng")
    ws.write_string(row + 3, 0, "NGƯỜI LẬP BIỂU", bold)
    book.close()
    return buf.getvalue()


#: Layouts units really send, by name: the one-source generator's presets for demo and synthetic returns.
PRESETS: Final[dict[str, FormLayout]] = {
    "template": word_layout(),
    "chi_so": word_layout({"stt": "TT", "code": "Chỉ số", "name": "Nội dung chỉ số", "rating": "Mức đánh giá",
                           "evidence": "Minh chứng kèm theo"}),
    "code_name": word_layout(roles=("stt", "code_name", "rating", "evidence", "note")),
    "two_level": FormLayout((Column("stt", "STT"), Column("code", "Mã", "Chỉ số"), Column("name", "Tên", "Chỉ số"),
                             Column("rating", "Kết quả"), Column("evidence", "Tài liệu kiểm chứng"),
                             Column("note", "Giải trình"))),
    "marks": mark_layout(),
    "names": word_layout({"name": "Nội dung đánh giá"}, roles=("stt", "name", "rating", "evidence", "note")),
    "par": word_layout({"stt": "TT", "name": "Tiêu chí", "rating": "Tự chấm", "evidence": "Tài liệu kiểm chứng",
                        "note": "Giải trình"}),
    "numbers": word_layout({"code": "Mã số"}, code_style="number", numbering_row=True),
}


def preset_for(key: str) -> str:
    """The preset a unit (by its id) writes its returns in: the same one every year, spread over all presets."""
    return sorted(PRESETS)[zlib.crc32(key.encode()) % len(PRESETS)]
