"""Tables of the administration pages: accounts for people, and the versions an administrator may withdraw."""

from __future__ import annotations

import datetime as dt

import pytest

from lgqa_metrics.domain.roles import Role, cli_actor
from lgqa_metrics.domain.units import default_registry
from lgqa_metrics.services import admin_tables
from lgqa_metrics.services.ingest import ingest_bytes
from lgqa_metrics.store.accounts import Accounts
from lgqa_metrics.store.database import Store
from tests.support.returns import filled_template, pattern


@pytest.fixture
def db_url(store_url: str) -> str:
    """Every store test here runs on SQLite and on PostgreSQL."""
    return store_url


PASSWORD = "a-long-password-1"


def test_the_accounts_table_shows_no_hash_and_dates_the_vietnamese_way(store: Store) -> None:
    accounts = Accounts(store)
    accounts.add(cli_actor(), "lan", PASSWORD, Role.STAFF, display_name="Nguyễn Thị Lan", email="Lan@HP.gov.vn")
    accounts.add(cli_actor(), "an", PASSWORD, Role.VIEWER)
    accounts.disable(cli_actor(), "an")
    accounts.sign_in("lan", PASSWORD, now=dt.datetime(2026, 11, 24, 8, 30, tzinfo=dt.UTC))
    table = admin_tables.accounts_table(accounts.list(), "vi").set_index("Tên đăng nhập")
    assert list(table.columns) == ["Họ tên", "E-mail", "Vai trò", "Trạng thái", "Đăng nhập lần cuối", "Ngày tạo"]
    assert not any("hash" in c.lower() or "mật khẩu" in c.lower() for c in table.columns)
    assert table.loc["lan", "Đăng nhập lần cuối"] == "24/11/2026 15:30"
    assert table.loc["lan", "E-mail"] == "lan@hp.gov.vn" and table.loc["lan", "Vai trò"] == "Cán bộ (nộp, xuất)"
    assert table.loc["an", "Trạng thái"] == "Đã vô hiệu hóa" and table.loc["an", "Đăng nhập lần cuối"] == "–"
    assert admin_tables.accounts_table(accounts.list(), "en").columns[0] == "User name"


def test_a_locked_account_says_until_when() -> None:
    now = dt.datetime(2026, 11, 24, 8, 0, tzinfo=dt.UTC)
    until = now + dt.timedelta(minutes=5)
    assert admin_tables.account_status(True, until, "vi", now) == "Tạm khóa đến 24/11/2026 15:05"
    assert admin_tables.account_status(True, now - dt.timedelta(minutes=1), "en", now) == "Active"


def test_withdraw_choices_skip_fully_withdrawn_unit_years_and_preview_the_outcome(store: Store) -> None:
    for shift in (0, 1, 2):
        ingest_bytes(store, filled_template("q-le-chan", 2023, pattern(shift)), f"LeChan-{shift}.xlsx")
    ingest_bytes(store, filled_template("x-an-thang", 2022, pattern(0)), "AnThang.xlsx")
    history = store.history("q-le-chan", 2023)
    newest = int(history["id"].iloc[0])
    assert admin_tables.current_version(history) == 3
    assert admin_tables.current_after_withdrawal(history, newest) == 2
    assert admin_tables.current_after_withdrawal(history, int(history["id"].iloc[2])) == 3, "v1 is not current"
    store.withdraw(cli_actor(), newest, "sai")
    history = store.history("q-le-chan", 2023)
    assert [c.version for c in admin_tables.withdrawable(history, "vi")] == [2, 1]
    assert admin_tables.withdrawable(history, "vi")[0].label.startswith("v2 · Hiện hành · ")
    only = int(store.history("x-an-thang", 2022)["id"].iloc[0])
    assert admin_tables.current_after_withdrawal(store.history("x-an-thang", 2022), only) is None
    store.withdraw(cli_actor(), only, "sai")
    choices = admin_tables.withdraw_choices(store.submissions(), default_registry())
    assert choices == {"q-le-chan": [2023]}
