"""The audit trail for people: labels, filters by action, actor and local dates, and the exports."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pandas as pd
import pytest

from lgqa_metrics.domain.i18n import has
from lgqa_metrics.domain.roles import Actor, Role
from lgqa_metrics.services import audit_report
from lgqa_metrics.services.audit_report import AuditFilter
from lgqa_metrics.store import audit
from lgqa_metrics.store.database import Store


@pytest.fixture
def db_url(store_url: str) -> str:
    """Every store test here runs on SQLite and on PostgreSQL."""
    return store_url

ROOT_ADMIN = Actor("root", Role.ADMIN)
LAN = Actor("lan", Role.STAFF)


def test_every_action_has_a_label_in_both_languages() -> None:
    for action in audit.ACTIONS:
        assert has(f"audit.{action}"), action
        assert audit_report.action_label(action, "vi") != audit_report.action_label(action, "en")
    assert audit_report.action_label("something_new", "vi") == "something_new", "unknown actions show as they are"


def test_details_become_one_line_in_the_reader_s_language() -> None:
    recorded = '{"role": "staff", "reason": "sai số liệu"}'
    assert audit_report.details_text(recorded, "vi") == "Vai trò: Cán bộ (nộp, xuất) · Lý do: sai số liệu"
    assert audit_report.details_text(recorded, "en") == "Role: Staff · Reason: sai số liệu", "a typed reason stays"
    assert audit_report.details_text('{"added": ["a", "b"]}', "vi") == "Thêm: a, b"
    assert audit_report.details_text('{"failures": 1}', "vi") == "Số lần sai liên tiếp: 1"
    assert audit_report.details_text('{"reason": "disabled"}', "en") == "Reason: the account is disabled"
    assert audit_report.details_text('{"later_field": {"x": 1}}', "vi") == "later_field: x 1", \
        "a field without a name in the catalogue shows as recorded"
    assert audit_report.details_text("{}") == "" and audit_report.details_text(None) == ""
    assert audit_report.details_text("not json") == "not json"


def test_an_export_s_details_name_its_rows_and_filters_in_words() -> None:
    ratings = json.dumps({"what": "ratings", "rows": 12345, "filters": {
        "years": [2022, 2023], "unit_types": ["xa"], "units": ["x-an-thang"], "quadrants": [1, 4], "indicators": ["1.2"],
        "ratings": ["green", "na"]}})
    assert audit_report.details_text(ratings, "vi") == (
        "Dữ liệu: bảng đánh giá · Số dòng: 12.345 · Bộ lọc: Năm: 2022, 2023; Loại đơn vị: Xã; Đơn vị: Xã An Thắng; "
        "Góc phần tư: I, IV; Chỉ số: 1.2; Mức đánh giá: Xanh lá, Không áp dụng")
    assert audit_report.details_text(ratings, "en").startswith("Data: ratings · Rows: 12,345 · Filters: Years: 2022, 2023")
    trail = json.dumps({"what": "audit", "rows": 2, "filters": {"actions": ["role_set"], "actors": ["root"],
                                                                 "from": "2026-11-01", "to": None}})
    assert audit_report.details_text(trail, "vi") == (
        "Dữ liệu: nhật ký hệ thống · Số dòng: 2 · Bộ lọc: Thao tác: Đổi vai trò; Người thực hiện: root; "
        "Từ ngày: 01/11/2026")
    nothing = json.dumps({"what": "ratings", "rows": 0, "filters": {"years": [], "units": []}})
    assert audit_report.details_text(nothing, "en") == "Data: ratings · Rows: 0 · Filters: none (everything)"


def test_every_field_and_code_recorded_has_words_in_both_languages() -> None:
    for field in ("role", "reason", "failures", "client", "what", "rows", "filters", "previous_sha256", "added",
                  "removed", "renamed", "changed", "removed_with_data", "sessions_ended", "file", "sheet", "columns",
                  "colours", "submission_id", "version", "now_current", "from", "to", "units", "years", "seed",
                  "registry_units", "returns", "submissions", "ratings", "truncated", "start"):
        assert has(f"audit.d_{field}"), field
    for code in ("unknown", "disabled", "ended", "expired", "role", "another_connection", "grant_reused"):
        assert has(f"audit.reason_{code}"), code


def test_targets_that_are_recorded_codes_are_named_in_words() -> None:
    assert audit_report.target_text("download_refused", "audit.csv", "vi") == "nhật ký hệ thống (csv)"
    assert audit_report.target_text("download_refused", "original 0123456789ab", "en") == "original file 0123456789ab"
    assert audit_report.target_text("download_refused", "reference catalogue", "vi") == "tệp bộ chỉ số"
    assert audit_report.target_text("synthetic_data", "3000 units, 2016–2025", "vi") == "3.000 đơn vị, 2016–2025"
    assert audit_report.target_text("export", "csv (excel-vn)", "en") == "csv (for Vietnamese Excel)"
    assert audit_report.target_text("version_withdrawn", "q-le-chan/2023", "vi") == "q-le-chan/2023"


def test_times_are_shown_in_vietnam_time() -> None:
    utc = dt.datetime(2026, 11, 24, 20, 30, 5)  # naive, as SQLite returns it
    assert audit_report.when(utc, "vi") == "25/11/2026 03:30:05"
    assert audit_report.when(utc, "en") == "2026-11-25 03:30:05"
    assert audit_report.when(None) == ""


def test_the_date_range_covers_whole_local_days() -> None:
    since, until = AuditFilter(date_from=dt.date(2026, 11, 24), date_to=dt.date(2026, 11, 24)).bounds()
    assert since == dt.datetime(2026, 11, 23, 17, 0, tzinfo=dt.UTC)
    assert until is not None and until == dt.datetime(2026, 11, 24, 16, 59, 59, 999999, tzinfo=dt.UTC)
    assert AuditFilter().bounds() == (None, None)


def test_the_filter_reads_by_action_actor_and_day_newest_first(store: Store) -> None:
    audit.record_now(store.engine, ROOT_ADMIN, "account_added", target="lan", details={"role": "staff"})
    audit.record_now(store.engine, LAN, "sign_in", target="lan")
    audit.record_now(store.engine, LAN, "export", target="csv", details={"what": "ratings"})
    assert list(AuditFilter().read(store.engine)["action"]) == ["export", "sign_in", "account_added"]
    assert list(AuditFilter(actions=("sign_in",)).read(store.engine)["actor"]) == ["lan"]
    assert list(AuditFilter(actors=("root",)).read(store.engine)["action"]) == ["account_added"]
    today = dt.datetime.now(audit_report.LOCAL_TZ).date()
    assert len(AuditFilter(date_from=today, date_to=today).read(store.engine)) == 3
    yesterday = today - dt.timedelta(days=1)
    assert AuditFilter(date_to=yesterday).read(store.engine).empty
    assert audit_report.actors(store.engine) == ["lan", "root"]


def test_the_table_has_localised_headers_labels_and_short_hashes(store: Store) -> None:
    audit.record_now(store.engine, ROOT_ADMIN, "version_withdrawn", target="q-le-chan/2023", file_sha256="a" * 64,
                     details={"version": 2, "reason": "nhầm năm"})
    table = audit_report.audit_table(audit.audit_log(store.engine), "vi")
    assert list(table.columns) == ["Thời điểm", "Người thực hiện", "Vai trò", "Thao tác", "Đối tượng",
                                   "Mã tệp (SHA-256)", "Chi tiết"]
    row = table.iloc[0]
    assert row["Thao tác"] == "Rút phiên bản" and row["Vai trò"] == "Quản trị"
    assert row["Mã tệp (SHA-256)"] == "a" * audit_report.HASH_SHOWN
    assert row["Chi tiết"] == "Phiên bản: 2 · Lý do: nhầm năm"
    assert audit_report.audit_table(audit.audit_log(store.engine), "en").iloc[0]["Action"] == "Version withdrawn"


def test_the_exports_hold_the_table_and_the_filters(store: Store) -> None:
    audit.record_now(store.engine, LAN, "sign_in", target="lan")
    chosen = AuditFilter(actions=("sign_in",), date_from=dt.date(2026, 1, 1))
    table = audit_report.audit_table(chosen.read(store.engine), "vi")
    book = openpyxl.load_workbook(io.BytesIO(audit_report.xlsx_bytes(table, chosen.describe("vi"), "vi")))
    assert book.sheetnames == ["Nhật ký", "Bộ lọc"]
    data = book["Nhật ký"]
    assert data["A1"].value == "Thời điểm" and data["D2"].value == "Đăng nhập" and data.freeze_panes == "A2"
    filters = {r[0]: r[1] for r in book["Bộ lọc"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert filters["Thao tác"] == "Đăng nhập" and filters["Từ ngày"] == "01/01/2026"
    assert filters["Người thực hiện"] == "(tất cả)" and filters["Số dòng"] == 1
    text = audit_report.csv_bytes(table)
    assert text.startswith(b"\xef\xbb\xbf")
    assert pd.read_csv(io.BytesIO(text), encoding="utf-8-sig").iloc[0]["Người thực hiện"] == "lan"
    assert audit_report.file_name("csv", "en", dt.date(2026, 11, 24)) == "audit-trail-2026-11-24.csv"
    assert chosen.to_json() == {"actions": ["sign_in"], "actors": [], "from": "2026-01-01", "to": None}


def test_no_entry_grows_with_what_was_typed_or_uploaded(store: Store) -> None:
    """The trail is append-only and never cleaned: an entry's actor, target and details stay bounded."""
    with store.writing() as conn:
        audit.record(conn, Actor("x" * 10_000, Role.VIEWER), "sign_in_failed", target="y" * 1_000_000,
                     details={"reason": "z" * 1_000_000})
    entry = audit.audit_log(store.engine).iloc[0]
    assert len(entry["actor"]) <= audit.MAX_NAME and len(entry["target"]) <= audit.MAX_TARGET
    assert len(entry["details"]) <= audit.MAX_DETAILS + 100 and json.loads(entry["details"])["truncated"] > 1_000_000


def test_file_names_of_exports_carry_the_date_in_vietnam(monkeypatch: pytest.MonkeyPatch) -> None:
    from lgqa_metrics.domain import formatting
    from lgqa_metrics.services import reference

    monkeypatch.setattr(formatting, "utc_now", lambda: dt.datetime(2026, 12, 31, 17, 0, tzinfo=dt.UTC))
    assert audit_report.file_name("xlsx", "vi") == "nhat-ky-he-thong-2027-01-01.xlsx"
    assert reference.download_name("units") == "units-2027-01-01.csv"
