"""Send a rejected return back marked up: its problem cells shaded and commented, and every issue listed.

:func:`annotate_workbook` re-saves an .xlsx/.xlsm workbook (always as .xlsx, without macros) with each
problem cell filled in a highlight colour that the reader never takes for a rating, an Excel comment on
it carrying the message in Vietnamese and English, and a first sheet listing every issue with a link to
its cell. Workbooks openpyxl cannot open (.xls, .ods, damaged files) and files that are not
spreadsheets get :func:`issues_workbook`, the list alone. :func:`annotated_download` picks the right one.

A rejected file is untrusted: :func:`annotated_download` opens it in a worker process bounded in memory and
time (:func:`lgqa_metrics.intake.safety.call_isolated`), and not at all when the reader refused to open it (a zip
bomb, a file over the size cap, a read that crashed). Every text we write into the issues sheet (values and
evidence copied from the file, its name) is a string cell, never a formula.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import openpyxl
import pandas as pd
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils.cell import coordinate_from_string, get_column_letter, range_boundaries
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from lgqa_metrics.domain.i18n import both, t
from lgqa_metrics.domain.issues import Issue, Severity
from lgqa_metrics.intake.safety import call_isolated
from lgqa_metrics.intake.workers import IsolationError

#: Violet shade of problem cells: outside every hue the reader takes for red, yellow or green.
HIGHLIGHT: Final = "E4D4F4"
#: Thick border drawn round problem cells (kept when the cell's own fill carries the rating).
BORDER_COLOUR: Final = "7030A0"
ISSUES_SHEET: Final = "Lỗi - Issues"
COMMENT_AUTHOR: Final = "lgqa-metrics"
ANNOTATABLE_KINDS: Final = frozenset({"xlsx", "xlsm"})
#: Issues after which the original is not opened again for marking up: the reader refused to open it.
UNOPENABLE_CODES: Final = frozenset({"file_too_large", "zip_bomb", "read_timeout", "read_crashed", "file_truncated",
                                     "file_encrypted", "file_unreadable", "file_empty", "file_not_spreadsheet"})
#: Time and memory the worker may spend marking up one workbook.
ANNOTATE_TIMEOUT_S: Final = 60.0
XLSX_MIME: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Columns of the issues sheet and of :func:`issues_table`, in order: where, what was read, what is wrong, and last
#: the issue's code (a detail for whoever looks it up in the reference).
ISSUE_FIELDS: Final = ("severity", "sheet", "cell", "value", "message", "code")
_WIDTHS: Final = {"severity": 14, "code": 22, "sheet": 20, "cell": 9, "value": 28, "message_vi": 70, "message_en": 70}
_FIRST_ROW: Final = 5  # 1-based row of the issues sheet's column headers
_LINK_FONT: Final = Font(color="0563C1", underline="single")


class AnnotateError(Exception):
    """The workbook cannot be opened for marking up (not an .xlsx/.xlsm openpyxl can load)."""


@dataclass(frozen=True, slots=True)
class Download:
    """A file offered for download: its bytes, a name and whether the original workbook was marked up."""

    data: bytes
    file_name: str
    annotated: bool
    mime: str = XLSX_MIME


def severity_label(severity: Severity | str, lang: str = "vi") -> str:
    """"Lỗi" / "Cảnh báo" (or "Error" / "Warning")."""
    return t(f"annotate.severity_{Severity(severity).value}", lang)


def issues_table(issues: Sequence[Issue], lang: str = "vi") -> pd.DataFrame:
    """The issues as a table for people: errors first, headers and severity in ``lang``, the message in
    ``lang``. Columns follow :data:`ISSUE_FIELDS`."""
    ordered = sorted(issues, key=lambda i: i.severity is not Severity.ERROR)
    rows = [{"severity": severity_label(i.severity, lang), "code": i.code, "sheet": i.sheet, "cell": i.cell,
             "value": i.value, "message": i.message(lang)} for i in ordered]
    frame = pd.DataFrame(rows, columns=list(ISSUE_FIELDS))
    return frame.rename(columns={f: t(f"annotate.col_{f}", lang) for f in ISSUE_FIELDS})


def issues_from_frame(frame: pd.DataFrame, file: str = "") -> list[Issue]:
    """Issues back from the rows :meth:`Store.issues_of` returns (for files annotated after the fact)."""
    return [Issue(Severity(str(r.severity)), str(r.code), file, str(r.sheet), str(r.cell), str(r.value),
                  str(r.message_vi), str(r.message_en)) for r in frame.itertuples(index=False)]


def _comment_text(issues: Sequence[Issue]) -> str:
    parts = [f"[{severity_label(i.severity, 'vi')} / {severity_label(i.severity, 'en')}] {i.code}\n"
             f"{i.message_vi}\n{i.message_en}" for i in issues]
    return "\n\n".join(parts)


def _anchor(ws: Worksheet, ref: str) -> Cell | None:
    """The cell to mark for ``ref``: the cell itself, or the top-left cell of the merged range holding it."""
    try:
        column, row = coordinate_from_string(ref)
    except ValueError:
        return None
    for merged in ws.merged_cells.ranges:
        if ref in merged:
            return ws.cell(merged.min_row, merged.min_col)
    cell = ws[f"{column}{row}"]
    return cell if isinstance(cell, Cell) else None


def _refs(ref: str) -> list[str]:
    """The cells a reference names: itself, or each cell of a range such as a header row ("A8:F8")."""
    if ":" not in ref:
        return [ref]
    try:
        first_col, first_row, last_col, last_row = range_boundaries(ref)
    except ValueError:
        return []
    if first_col is None or first_row is None or last_col is None or last_row is None:
        return []
    return [f"{get_column_letter(c)}{r}" for r in range(first_row, last_row + 1)
            for c in range(first_col, last_col + 1)][:512]


def _has_own_fill(cell: Cell) -> bool:
    fill = cell.fill
    return bool(fill is not None and fill.fill_type == "solid")


def _mark(cell: Cell, issues: Sequence[Issue]) -> None:
    side = Side(style="thick", color=BORDER_COLOUR)
    cell.border = Border(left=side, right=side, top=side, bottom=side)
    if not _has_own_fill(cell):  # a fill of its own may be the rating itself: keep it, the border shows the cell
        cell.fill = PatternFill(fill_type="solid", start_color=HIGHLIGHT, end_color=HIGHLIGHT)
    text = _comment_text(issues)
    if cell.comment is not None and cell.comment.text:
        text = f"{cell.comment.text}\n\n{text}"
    comment = Comment(text, COMMENT_AUTHOR)
    comment.width = 420
    comment.height = min(110 * len(issues) + 40, 600)
    cell.comment = comment


def _text(ws: Worksheet, row: int, col: int, value: object) -> Cell:
    """Write ``value`` at ``row``, ``col``; text is always a string cell, even when it begins with ``=``."""
    cell = ws.cell(row, col, value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _link(cell: Cell, sheet: str, ref: str) -> None:
    quoted = sheet.replace("'", "''")
    cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{quoted}'!{ref}", display=ref)
    cell.font = _LINK_FONT


def _write_issues_sheet(ws: Worksheet, issues: Sequence[Issue], file: str, linked: set[tuple[str, str]]) -> None:
    """Fill ``ws`` with a title, a note and one row per issue (errors first); cells in ``linked`` get a link."""
    vi, en = both("annotate.title", file=file)
    _text(ws, 1, 1, f"{vi} / {en}").font = Font(bold=True, size=13)
    note_vi, note_en = both("annotate.note")
    _text(ws, 2, 1, note_vi)
    _text(ws, 3, 1, note_en)
    headers = {"severity": both("annotate.head_severity"), "code": both("annotate.head_code"),
               "sheet": both("annotate.head_sheet"), "cell": both("annotate.head_cell"),
               "value": both("annotate.head_value"), "message_vi": both("annotate.head_message_vi"),
               "message_en": both("annotate.head_message_en")}
    head_font = Font(bold=True)
    head_fill = PatternFill(fill_type="solid", start_color="DDEBF7", end_color="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="top")
    for c, (key, (h_vi, h_en)) in enumerate(headers.items(), start=1):
        cell = _text(ws, _FIRST_ROW, c, h_vi if h_vi == h_en else f"{h_vi} / {h_en}")
        cell.font, cell.fill, cell.alignment = head_font, head_fill, wrap
        ws.column_dimensions[get_column_letter(c)].width = _WIDTHS[key]
    ordered = sorted(issues, key=lambda i: i.severity is not Severity.ERROR)
    error_font = Font(bold=True, color="C00000")
    for r, issue in enumerate(ordered, start=_FIRST_ROW + 1):
        label = f"{severity_label(issue.severity, 'vi')} / {severity_label(issue.severity, 'en')}"
        values = (label, issue.code, issue.sheet, issue.cell, issue.value, issue.message_vi, issue.message_en)
        for c, value in enumerate(values, start=1):
            _text(ws, r, c, str(value)).alignment = wrap
        if issue.severity is Severity.ERROR:
            ws.cell(r, 1).font = error_font
        if (issue.sheet, issue.cell) in linked:
            _link(ws.cell(r, 4), issue.sheet, issue.cell)
    if not ordered:
        _text(ws, _FIRST_ROW + 1, 1, "–")
    last = _FIRST_ROW + max(len(ordered), 1)
    ws.freeze_panes = ws.cell(_FIRST_ROW + 1, 1)
    ws.auto_filter.ref = f"A{_FIRST_ROW}:{get_column_letter(len(headers))}{last}"


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def issues_workbook(issues: Sequence[Issue], file: str = "") -> bytes:
    """An .xlsx holding only the issues sheet (for .xls, .ods and files that are not spreadsheets)."""
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = ISSUES_SHEET
    _write_issues_sheet(ws, issues, file, set())
    return _save(book)


def _unique_title(book: Workbook, wanted: str) -> str:
    names = set(book.sheetnames)
    title, n = wanted, 2
    while title in names:
        title = f"{wanted[:26]} ({n})"
        n += 1
    return title


def annotate_workbook(data: bytes, issues: Sequence[Issue], file: str = "") -> bytes:
    """``data`` (an .xlsx or .xlsm) with every issue's cell shaded and commented (Vietnamese and English)
    and a first, active sheet listing all issues; re-saved as .xlsx without macros.

    Issues without a cell, or on a sheet the workbook does not hold, are listed but mark no cell.
    Raises :class:`AnnotateError` when openpyxl cannot open ``data``.
    """
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), keep_vba=False, keep_links=False, rich_text=True)
    except Exception as exc:  # openpyxl raises many types for input it cannot take
        raise AnnotateError(f"{type(exc).__name__}: {exc}"[:200]) from exc
    by_cell: dict[tuple[str, str], list[Issue]] = {}
    for issue in issues:
        if issue.sheet and issue.cell:
            by_cell.setdefault((issue.sheet, issue.cell), []).append(issue)
    linked: set[tuple[str, str]] = set()
    for (sheet, ref), found in by_cell.items():
        if sheet not in book.sheetnames or not isinstance(book[sheet], Worksheet):
            continue
        cells = [c for one in _refs(ref) if (c := _anchor(book[sheet], one)) is not None]
        for cell in dict.fromkeys(cells):  # a merged cell spanning several of a range's cells is marked once
            _mark(cell, found)
        if cells:
            linked.add((sheet, ref))
    for ws in book.worksheets:
        ws.sheet_view.tabSelected = False  # else Excel opens with several sheets grouped
    sheet = book.create_sheet(_unique_title(book, ISSUES_SHEET), 0)
    _write_issues_sheet(sheet, issues, file, linked)
    book.active = 0
    sheet.sheet_view.tabSelected = True
    return _save(book)


def marked_name(file: str, lang: str = "vi") -> str:
    """The download's name: the original stem with a suffix in ``lang``, always .xlsx."""
    return f"{Path(file).stem or 'file'}{t('annotate.file_suffix', lang)}.xlsx"


def annotated_download(data: bytes, file: str, kind: str, issues: Sequence[Issue], lang: str = "vi", *,
                       isolated: bool = True) -> Download:
    """The marked-up workbook for an .xlsx/.xlsm openpyxl can open; otherwise the issues list as .xlsx.

    The original is opened in a worker process (``isolated=False``: in this one), and not at all when an
    issue says the reader refused it (:data:`UNOPENABLE_CODES`); a failure there gives the issues list."""
    if kind in ANNOTATABLE_KINDS and not any(i.code in UNOPENABLE_CODES for i in issues):
        try:
            marked = call_isolated(annotate_workbook, data, tuple(issues), file, timeout_s=ANNOTATE_TIMEOUT_S) \
                if isolated else annotate_workbook(data, issues, file)
            return Download(marked, marked_name(file, lang), True)
        except (AnnotateError, IsolationError):
            pass
    return Download(issues_workbook(issues, file), marked_name(file, lang), False)
