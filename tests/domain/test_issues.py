"""Issue records: stable codes, severities, bilingual messages and the DataFrame form."""

from __future__ import annotations

import dataclasses
import re

import pytest

from lgqa_metrics.domain.i18n import has, messages
from lgqa_metrics.domain.issues import ISSUE_CODES, ISSUE_COLUMNS, Issue, Severity, has_errors, issues_frame, make_issue

#: A value for every field any issue message may name.
FIELDS = {
    "code": "2.4", "name": "Đào tạo nghề", "kind": "tệp PDF", "detail": "bad zip", "closest": "Phường Minh Khai",
    "found": "Quận Hồng Bàng", "other": "Quận Lê Chân", "where": "tên tệp", "low": 2019, "high": 2025,
    "first": "D17", "fill": "#0070C0", "rows": 20001, "cols": 6, "size": "25 MB", "limit": "20 MB", "seconds": 30,
    "reason": "phần \"xl/worksheets/sheet1.xml\" nén với tỉ lệ 1030:1",
    "missing": "không có cột kết quả", "columns": "D \"Mức\": giá trị khác", "column": "E", "role": "minh chứng",
    "holds": "văn bản tự do", "at": "2026-12-02 09:15", "rating": "Xanh lá", "unit": "Quận Lê Chân",
    "year": 2023, "who": "minh", "state": "đơn vị đã kết thúc ngày 30/06/2025",
    "instead": "Báo cáo năm 2025 thuộc về đơn vị kế thừa: Phường Hồng Bàng.",
}
WARNINGS = {"unit_conflict", "rating_blank", "fill_unrecognised", "fill_conflict", "indicator_repeated",
            "indicator_missing", "name_mismatch", "layout_assumed", "column_unread", "indicator_by_position",
            "legend_assumed", "layout_mapped", "evidence_missing"}


def _fields_named(template: str) -> set[str]:
    return set(re.findall(r"{(\w+)}", template))


def test_issue_codes_are_the_documented_set_with_their_severities() -> None:
    assert {c for c, s in ISSUE_CODES.items() if s is Severity.WARNING} == WARNINGS
    assert len(ISSUE_CODES) == 36
    assert all(s is Severity.ERROR for c, s in ISSUE_CODES.items() if c not in WARNINGS)


@pytest.mark.parametrize("code", sorted(ISSUE_CODES))
def test_every_issue_code_has_a_vietnamese_and_an_english_message(code: str) -> None:
    assert has(f"issue.{code}")
    vi, en = messages()[f"issue.{code}"]
    assert vi.strip() and en.strip() and vi != en
    assert _fields_named(vi) == _fields_named(en)


@pytest.mark.parametrize("code", sorted(ISSUE_CODES))
def test_make_issue_fills_every_field_the_message_names(code: str) -> None:
    issue = make_issue(code, file="a.xlsx", sheet="Biểu 01", cell="XFD1048576", value="Tím", **FIELDS)
    assert issue.severity is ISSUE_CODES[code]
    assert (issue.code, issue.file, issue.sheet, issue.cell, issue.value) == (code, "a.xlsx", "Biểu 01", "XFD1048576",
                                                                              "Tím")
    assert "{" not in issue.message_vi and "{" not in issue.message_en
    vi, _ = messages()[f"issue.{code}"]
    if "{cell}" in vi:  # a message naming the cell names the issue's own cell
        assert "XFD1048576" in issue.message_vi and "XFD1048576" in issue.message_en


def test_message_picks_the_language() -> None:
    issue = make_issue("file_empty", file="a.xlsx")
    assert issue.message("en") == issue.message_en
    assert issue.message() == issue.message_vi
    assert issue.message_vi != issue.message_en


def test_value_none_becomes_empty_text() -> None:
    assert make_issue("rating_blank", value=None, code="1.1").value == ""


def test_an_unknown_code_is_refused() -> None:
    with pytest.raises(KeyError):
        make_issue("no_such_code")


def test_issues_are_frozen() -> None:
    issue = make_issue("file_empty", file="a.xlsx")
    with pytest.raises(dataclasses.FrozenInstanceError):
        issue.code = "x"  # type: ignore[misc]


def test_to_dict_gives_plain_strings_in_column_order() -> None:
    row = make_issue("rating_unknown", file="a.xlsx", sheet="S", cell="D12", value="Tím", code="1.3").to_dict()
    assert tuple(row) == ISSUE_COLUMNS
    assert row["severity"] == "error"
    assert all(isinstance(v, str) for v in row.values())


def test_has_errors_only_for_errors() -> None:
    warning = make_issue("rating_blank", code="1.1")
    error = make_issue("rating_unknown", value="Tím", code="1.1")
    assert not has_errors([])
    assert not has_errors([warning])
    assert has_errors((warning, error))


def test_issues_frame_has_the_issue_columns_even_when_empty() -> None:
    assert list(issues_frame([]).columns) == list(ISSUE_COLUMNS)
    issues: list[Issue] = [make_issue("file_empty", file="a.xlsx"), make_issue("rating_blank", file="b.xlsx", code="1.1")]
    frame = issues_frame(issues)
    assert list(frame["code"]) == ["file_empty", "rating_blank"]
    assert list(frame["severity"]) == ["error", "warning"]
