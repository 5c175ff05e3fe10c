"""Marked-up workbooks for rejected returns: shaded, commented problem cells, an issues sheet, no macros."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from openpyxl.comments import Comment

from lgqa_metrics.domain.issues import Issue, Severity, issues_frame, make_issue
from lgqa_metrics.domain.ratings import rating_of_fill
from lgqa_metrics.intake.reader import read_bytes
from lgqa_metrics.intake.sniff import sniff
from lgqa_metrics.services.annotate import (
    HIGHLIGHT,
    ISSUES_SHEET,
    AnnotateError,
    annotate_workbook,
    annotated_download,
    issues_from_frame,
    issues_table,
    issues_workbook,
    marked_name,
)
from tests.support.builders import as_words, as_xlsm, cycle_ratings, docx_bytes, fill_return, row_of, word_return
from tests.support.returns import filled_template, pattern

SHEET = "Biểu 01"


def _bad_word_return() -> tuple[bytes, list[Issue]]:
    """A one-word return whose 1.3 reads "Khá" (not a rating): one error at the rating cell."""
    words = as_words(cycle_ratings())
    words["1.3"] = "Khá"
    data = word_return(words, sheet=SHEET)
    result = read_bytes(data, "BaoCao_HongBang_2023.xlsx")
    return data, [*result.issues, *result.returns[0].issues]


def _open(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_the_highlight_is_never_read_as_a_rating() -> None:
    assert rating_of_fill(HIGHLIGHT) is None


def test_problem_cell_is_shaded_and_commented_in_both_languages() -> None:
    data, issues = _bad_word_return()
    error = next(i for i in issues if i.code == "rating_unknown")
    assert error.cell == f"D{row_of(data, '1.3')}"
    book = _open(annotate_workbook(data, issues, "BaoCao_HongBang_2023.xlsx"))
    cell = book[SHEET][error.cell]
    assert cell.value == "Khá", "the content is kept"
    assert cell.fill.fill_type == "solid" and cell.fill.start_color.rgb.endswith(HIGHLIGHT)
    assert cell.border.left.style == "thick"
    assert cell.comment is not None
    assert error.message_vi in cell.comment.text and error.message_en in cell.comment.text


def test_issues_sheet_comes_first_is_active_and_lists_every_issue_with_links() -> None:
    data, issues = _bad_word_return()
    book = _open(annotate_workbook(data, issues, "BaoCao_HongBang_2023.xlsx"))
    assert book.sheetnames[0] == ISSUES_SHEET
    assert book.active.title == ISSUES_SHEET
    assert [ws.sheet_view.tabSelected for ws in book.worksheets].count(True) == 1
    ws = book[ISSUES_SHEET]
    assert "BaoCao_HongBang_2023.xlsx" in ws["A1"].value
    rows = [r for r in ws.iter_rows(min_row=6, values_only=True) if any(r)]
    assert len(rows) == len(issues)
    assert rows[0][1] == "rating_unknown", "errors are listed first"
    codes_cells = {(r[1], r[2], r[3] or "") for r in rows}
    assert {(i.code, i.sheet, i.cell) for i in issues} == codes_cells
    linked = [c for c in ws["D"] if c.hyperlink is not None]
    assert linked and linked[0].hyperlink.location == f"'{SHEET}'!{linked[0].value}"


def test_reading_the_marked_up_workbook_again_finds_the_same_problems() -> None:
    data, issues = _bad_word_return()
    again = read_bytes(annotate_workbook(data, issues), "again.xlsx")
    assert len(again.returns) == 1, "the issues sheet is not taken for a return"
    ret = again.returns[0]
    assert ret.sheet == SHEET and ret.unit_id == "q-hong-bang" and ret.year == 2023
    assert sorted(i.code for i in ret.issues) == sorted(i.code for i in issues)


def test_fixing_the_marked_cell_makes_the_return_valid() -> None:
    data, issues = _bad_word_return()
    error = next(i for i in issues if i.code == "rating_unknown")
    book = _open(annotate_workbook(data, issues))
    book[SHEET][error.cell] = "Xanh lá"
    out = io.BytesIO()
    book.save(out)
    ret = read_bytes(out.getvalue(), "fixed.xlsx").returns[0]
    assert ret.accepted, ret.issues
    assert next(r for r in ret.ratings if r.code == "1.3").rating == "green"


def test_the_projects_own_protected_template_can_be_marked_up() -> None:
    data = filled_template("p-minh-khai", 2023, pattern(1))
    book = _open(data)
    ws = book["Tự đánh giá"]
    ref = next(f"D{c.row}" for c in ws["B"] if c.value == "2.4")
    ws[ref] = "Tốt"
    out = io.BytesIO()
    book.save(out)
    result = read_bytes(out.getvalue(), "MinhKhai_2023.xlsx")
    issues = list(result.returns[0].issues)
    assert any(i.cell == ref for i in issues)
    marked = _open(annotate_workbook(out.getvalue(), issues))
    assert marked["Tự đánh giá"][ref].comment is not None


def test_a_macro_workbook_comes_back_as_xlsx_without_its_macros() -> None:
    data, issues = _bad_word_return()
    xlsm = as_xlsm(data)
    assert sniff(xlsm).kind == "xlsm"
    out = annotate_workbook(xlsm, issues)
    with zipfile.ZipFile(io.BytesIO(out)) as zf:
        assert "xl/vbaProject.bin" not in zf.namelist()
        types = zf.read("[Content_Types].xml").decode()
    assert "macroEnabled" not in types and "vbaProject" not in types
    assert sniff(out).kind == "xlsx"
    download = annotated_download(xlsm, "BaoCao.xlsm", "xlsm", issues)
    assert download.annotated and download.file_name == "BaoCao_danh-dau-loi.xlsx"


def test_a_cell_inside_a_merged_range_marks_the_ranges_first_cell() -> None:
    data, _ = _bad_word_return()
    book = _open(data)
    ws = book[SHEET]
    merged = next(iter(ws.merged_cells.ranges))
    inner = merged.coord.split(":")[1]
    issue = make_issue("year_missing", file="x.xlsx", sheet=SHEET, cell=inner)
    marked = _open(annotate_workbook(data, [issue]))[SHEET]
    first = marked.cell(merged.min_row, merged.min_col)
    assert first.comment is not None and issue.message_en in first.comment.text


def test_a_cells_own_fill_is_kept_because_it_may_be_the_rating() -> None:
    data = fill_return({code: "green" for code in cycle_ratings()} | {"1.2": "5B9BD5"})
    issues = list(read_bytes(data, "fills.xlsx").returns[0].issues)
    odd = next(i for i in issues if i.code == "fill_unrecognised")
    cell = _open(annotate_workbook(data, issues))[odd.sheet][odd.cell]
    assert cell.fill.start_color.rgb.endswith("5B9BD5")
    assert cell.border.left.style == "thick" and cell.comment is not None


def test_an_existing_comment_is_kept_and_the_issue_added() -> None:
    data, issues = _bad_word_return()
    error = next(i for i in issues if i.code == "rating_unknown")
    book = _open(data)
    book[SHEET][error.cell].comment = Comment("Ý kiến của đơn vị", "Đơn vị")
    out = io.BytesIO()
    book.save(out)
    text = _open(annotate_workbook(out.getvalue(), issues))[SHEET][error.cell].comment.text
    assert text.startswith("Ý kiến của đơn vị") and error.message_vi in text


def test_issues_on_an_unknown_sheet_or_without_a_cell_are_listed_only() -> None:
    data, _ = _bad_word_return()
    issues = [make_issue("unit_missing", file="x.xlsx", sheet="Không có"),
              make_issue("rating_blank", file="x.xlsx", sheet="Không có", cell="D9", code="1.1"),
              make_issue("no_table", file="x.xlsx")]
    book = _open(annotate_workbook(data, issues))
    rows = [r for r in book[ISSUES_SHEET].iter_rows(min_row=6, values_only=True) if any(r)]
    assert len(rows) == 3
    assert all(c.comment is None for row in book[SHEET].iter_rows() for c in row)


def test_bytes_openpyxl_cannot_open_raise_a_typed_error() -> None:
    with pytest.raises(AnnotateError):
        annotate_workbook(b"not a workbook at all", [])


@pytest.mark.parametrize(("data", "kind"), [(docx_bytes(), "docx"), (b"a;b\n1;2\n", "csv"), (b"PK\x03\x04broken", "xlsx")])
def test_other_files_get_the_issues_list_as_a_workbook(data: bytes, kind: str) -> None:
    issues = [make_issue("file_not_spreadsheet", file="BaoCao.docx", value=kind, kind="x")]
    download = annotated_download(data, "BaoCao.docx", kind, issues, "en")
    assert not download.annotated
    assert download.file_name == "BaoCao_issues.xlsx"
    book = _open(download.data)
    assert book.sheetnames == [ISSUES_SHEET]
    assert book[ISSUES_SHEET]["B6"].value == "file_not_spreadsheet"


def test_an_issue_value_that_looks_like_a_formula_stays_text() -> None:
    issue = make_issue("rating_unknown", file="x.xlsx", sheet=SHEET, cell="D9", value="=1+1", code="1.1")
    ws = _open(issues_workbook([issue], "x.xlsx"))[ISSUES_SHEET]
    assert ws["E6"].value == "=1+1" and ws["E6"].data_type == "s"


def test_issues_table_puts_errors_first_in_the_chosen_language() -> None:
    _, issues = _bad_word_return()
    warnings_first = sorted(issues, key=lambda i: i.severity is Severity.ERROR)
    table = issues_table(warnings_first, "en")
    assert list(table.columns) == ["Severity", "Sheet", "Cell", "Value read", "Message", "Code"]
    assert table.iloc[0]["Severity"] == "Error" and table.iloc[0]["Code"] == "rating_unknown"
    assert table.iloc[0]["Message"] == next(i for i in issues if i.code == "rating_unknown").message_en
    assert issues_table([], "vi").empty


def test_issues_round_trip_through_the_stores_frame() -> None:
    _, issues = _bad_word_return()
    back = issues_from_frame(issues_frame(issues), "BaoCao_HongBang_2023.xlsx")
    assert [(i.severity, i.code, i.sheet, i.cell, i.value, i.message_vi) for i in back] == \
        [(i.severity, i.code, i.sheet, i.cell, i.value, i.message_vi) for i in issues]


def test_marked_name_keeps_the_stem_and_always_ends_in_xlsx() -> None:
    assert marked_name("Bieu01_TuDanhGia_HuyenAnLao_2022.xls") == "Bieu01_TuDanhGia_HuyenAnLao_2022_danh-dau-loi.xlsx"
    assert marked_name("report.ods", "en") == "report_issues.xlsx"

