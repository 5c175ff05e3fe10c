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


def test_details_become_one_readable_line() -> None:
    assert audit_report.details_text('{"role": "staff", "reason": "sai số liệu"}') == "role: staff · reason: sai số liệu"
    assert audit_report.details_text('{"added": ["a", "b"], "f": {"x": 1}}') == "added: a, b · f: {x: 1}"
    assert audit_report.details_text("{}") == "" and audit_report.details_text(None) == ""
    assert audit_report.details_text("not json") == "not json"


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
    assert row["Chi tiết"] == "version: 2 · reason: nhầm năm"
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
