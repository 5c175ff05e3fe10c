"""The administration pages in AppTest: who may open them, accounts, the audit trail, withdrawing a
version, and replacing the unit registry. The administrator signs in through the real sign-in form."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lgqa_metrics.domain.roles import Actor, Role, cli_actor
from lgqa_metrics.services.ingest import ingest_bytes
from lgqa_metrics.store import audit
from lgqa_metrics.store.accounts import Accounts
from lgqa_metrics.store.appraisals import Appraisals
from lgqa_metrics.store.database import Store
from lgqa_metrics.store.schema import users_t
from lgqa_metrics.ui import state
from tests.support.reference_data import REAL_UNITS, data_copy, edit_csv, lineage_copy, unit_row
from tests.support.returns import filled_template, pattern
from tests.ui.conftest import ROOT, TIMEOUT, open_app, sign_in_as
from tests.ui.downloads import Downloads, downloads

__all__ = ["data_copy", "downloads", "lineage_copy"]

ADMIN_PAGES = ("app_pages/admin_accounts.py", "app_pages/audit.py", "app_pages/admin_data.py")
ROOT_PASSWORD = "a-long-password-1"
LAN_PASSWORD = "lan-password-22"


@pytest.fixture
def root(store: Store) -> Store:
    """The store with one administrator, ``root``."""
    Accounts(store).add(cli_actor(), "root", ROOT_PASSWORD, Role.ADMIN)
    return store


def _sign_in(name: str, password: str) -> AppTest:
    """A new session signed in through the form on the Account page."""
    at = open_app("app_pages/account.py", role=None)
    at.text_input(key=state.SIGNIN_NAME).input(name)
    at.text_input(key=state.SIGNIN_PASSWORD).input(password)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


def _admin_on(page: str) -> AppTest:
    at = _sign_in("root", ROOT_PASSWORD)
    assert at.session_state[state.AUTH_USER] == "root"
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def _page_alone(page: str, role: Role | None, lang: str = "vi") -> AppTest:
    """``page`` run directly (as a URL typed by hand would reach it), by ``role`` or anonymously."""
    at = AppTest.from_file(str(ROOT / page), default_timeout=TIMEOUT)
    at.session_state[state.LANG] = lang
    if role is not None:
        sign_in_as(at, role)
    return at.run()


# --- access ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("page", ADMIN_PAGES)
@pytest.mark.parametrize("role", [None, Role.VIEWER, Role.STAFF])
def test_an_admin_page_is_locked_for_anyone_but_administrators(root: Store, page: str, role: Role | None) -> None:
    at = _page_alone(page, role)
    assert not at.exception, at.exception
    said = [m.value for m in (*at.warning, *at.info)]
    assert len(said) == 1 and "vai trò Quản trị" in said[0], said
    assert not at.dataframe and not at.file_uploader and not at.selectbox and not at.multiselect
    if role is None:  # a visitor is offered the sign-in form, and nothing else
        assert "Đăng nhập để xem trang này" in said[0]
        assert [w.label for w in at.text_input] == ["Tên đăng nhập", "Mật khẩu"] and len(at.button) == 1
    else:  # a signed-in user is told their own role
        assert f"tài khoản **test-{role.value}**" in said[0] and not at.button and not at.text_input


@pytest.mark.parametrize("role", [None, Role.VIEWER, Role.STAFF])
def test_admin_pages_are_absent_from_the_navigation_of_others(root: Store, role: Role | None) -> None:
    at = open_app("app_pages/overview.py", role=role)
    for page in ADMIN_PAGES:
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)


def test_an_administrator_signed_in_through_the_form_sees_the_admin_section(root: Store) -> None:
    at = _sign_in("root", ROOT_PASSWORD)
    for page in ADMIN_PAGES:
        at.switch_page(page).run()
        assert not at.exception and not at.warning, page
        assert at.title[0].value in {"Tài khoản người dùng", "Nhật ký hệ thống", "Quản trị dữ liệu"}


# --- accounts -------------------------------------------------------------------------------------------

def _add_account(at: AppTest, name: str, password: str, again: str | None = None, role: str = "staff") -> AppTest:
    at.text_input(key=state.ACCOUNT_NAME).input(name)
    at.text_input(key=state.ACCOUNT_DISPLAY).input("Nguyễn Thị Lan")
    at.text_input(key=state.ACCOUNT_EMAIL).input("lan@haiphong.gov.vn")
    at.selectbox(key=state.ACCOUNT_ROLE).set_value(role)
    at.text_input(key=state.ACCOUNT_PASSWORD).input(password)
    at.text_input(key=state.ACCOUNT_PASSWORD2).input(password if again is None else again)
    at.button(key="admin_add_submit").click().run()
    assert not at.exception, at.exception
    return at


def test_an_administrator_adds_a_staff_account_that_can_then_sign_in(root: Store) -> None:
    at = _add_account(_admin_on("app_pages/admin_accounts.py"), "lan", LAN_PASSWORD)
    assert "Đã tạo tài khoản **lan**" in at.success[0].value and "Cán bộ" in at.success[0].value
    table = at.dataframe[0].value.set_index("Tên đăng nhập")
    assert table.loc["lan", "Họ tên"] == "Nguyễn Thị Lan" and table.loc["lan", "Trạng thái"] == "Đang hoạt động"
    assert table.loc["lan", "Đăng nhập lần cuối"] == "–"
    assert not any("hash" in c.lower() for c in at.dataframe[0].value.columns)
    assert at.text_input(key=state.ACCOUNT_NAME).value == "" and at.text_input(key=state.ACCOUNT_PASSWORD).value == ""
    assert root.count(users_t) == 2

    lan = _sign_in("lan", LAN_PASSWORD)
    assert "lan" in lan.success[0].value and "Cán bộ" in lan.success[0].value
    lan.switch_page("app_pages/upload.py").run()
    assert not lan.warning and lan.file_uploader

    at.run()
    last = at.dataframe[0].value.set_index("Tên đăng nhập").loc["lan", "Đăng nhập lần cuối"]
    assert dt.datetime.strptime(last, "%d/%m/%Y %H:%M"), "last sign-in in Vietnamese date format"


def test_mismatched_or_weak_passwords_and_bad_names_are_refused_with_messages(root: Store) -> None:
    at = _add_account(_admin_on("app_pages/admin_accounts.py"), "lan", LAN_PASSWORD, again="something-else-1")
    assert "không khớp" in at.error[0].value
    assert at.text_input(key=state.ACCOUNT_NAME).value == "lan", "the form keeps what was typed, but no password"
    assert at.text_input(key=state.ACCOUNT_PASSWORD).value == ""
    at = _add_account(at, "lan", "short")
    assert "Mật khẩu quá yếu" in at.error[0].value
    at = _add_account(at, "Lan Nguyễn", LAN_PASSWORD)
    assert "không hợp lệ" in at.error[0].value
    at = _add_account(at, "root", LAN_PASSWORD)
    assert "đã tồn tại" in at.error[0].value
    assert Accounts(root).actor("lan") is None


def test_an_administrator_changes_a_role_sets_a_password_and_disables_and_enables(root: Store) -> None:
    Accounts(root).add(cli_actor(), "lan", LAN_PASSWORD, Role.STAFF)
    at = _admin_on("app_pages/admin_accounts.py")

    at.selectbox(key=state.ROLE_USER).set_value("lan")
    at.selectbox(key=state.ROLE_NEW).set_value("viewer")
    at.button(key="admin_role_submit").click().run()
    assert "**lan**" in at.success[0].value and "Lãnh đạo" in at.success[0].value
    assert Accounts(root).actor("lan").role is Role.VIEWER  # type: ignore[union-attr]

    at.selectbox(key=state.PASSWORD_USER).set_value("lan")
    at.text_input(key=state.PASSWORD_NEW).input("a-new-password-9")
    at.text_input(key=state.PASSWORD_NEW2).input("a-new-password-9")
    at.button(key="admin_password_submit").click().run()
    assert "mật khẩu mới" in at.success[0].value
    assert Accounts(root).sign_in("lan", "a-new-password-9").reason == "ok"

    at.selectbox(key=state.STATUS_USER).set_value("lan")
    at.button(key="admin_disable").click().run()
    assert "Đã vô hiệu hóa tài khoản **lan**" in at.success[0].value
    assert Accounts(root).actor("lan") is None
    assert at.dataframe[0].value.set_index("Tên đăng nhập").loc["lan", "Trạng thái"] == "Đã vô hiệu hóa"
    assert "vô hiệu hóa" in _sign_in("lan", "a-new-password-9").error[0].value

    at.selectbox(key=state.STATUS_USER).set_value("lan")
    at.button(key="admin_enable").click().run()
    assert Accounts(root).actor("lan") is not None


def test_an_administrator_cannot_disable_or_demote_themself(root: Store) -> None:
    at = _admin_on("app_pages/admin_accounts.py")
    at.selectbox(key=state.STATUS_USER).set_value("root")
    at.button(key="admin_disable").click().run()
    assert "chính mình" in at.error[0].value
    at.selectbox(key=state.ROLE_USER).set_value("root")
    at.selectbox(key=state.ROLE_NEW).set_value("staff")
    at.button(key="admin_role_submit").click().run()
    assert "chính mình" in at.error[0].value
    assert Accounts(root).actor("root").role is Role.ADMIN  # type: ignore[union-attr]


def test_a_session_demoted_meanwhile_cannot_act(root: Store) -> None:
    Accounts(root).add(cli_actor(), "lan", LAN_PASSWORD, Role.STAFF)
    at = _admin_on("app_pages/admin_accounts.py")
    Accounts(root).add(cli_actor(), "boss", ROOT_PASSWORD, Role.ADMIN)
    Accounts(root).set_role(cli_actor(), "root", Role.STAFF)
    at.selectbox(key=state.STATUS_USER).set_value("lan")
    at.button(key="admin_disable").click().run()
    assert not at.exception
    assert Accounts(root).actor("lan") is not None, "the package refused the change"


# --- audit trail ----------------------------------------------------------------------------------------

def test_the_audit_trail_lists_account_changes_filters_them_and_exports_audited(
        root: Store, downloads: Downloads) -> None:
    at = _add_account(_admin_on("app_pages/admin_accounts.py"), "lan", LAN_PASSWORD)
    at.selectbox(key=state.ROLE_USER).set_value("lan")
    at.selectbox(key=state.ROLE_NEW).set_value("viewer")
    at.button(key="admin_role_submit").click().run()
    at.selectbox(key=state.STATUS_USER).set_value("lan")
    at.button(key="admin_disable").click().run()

    at.switch_page("app_pages/audit.py").run()
    assert not at.exception, at.exception
    log = at.dataframe[0].value
    actions = list(log["Thao tác"])
    assert actions[:3] == ["Vô hiệu hóa tài khoản", "Đổi vai trò", "Tạo tài khoản"], "newest first"
    assert "Đăng nhập" in actions
    added = log[log["Thao tác"] == "Tạo tài khoản"].iloc[0]
    assert added["Người thực hiện"] == "root" and added["Đối tượng"] == "lan" and added["Chi tiết"] == "Vai trò: Cán bộ (nộp, xuất)"
    assert dt.datetime.strptime(added["Thời điểm"], "%d/%m/%Y %H:%M:%S")

    at.multiselect(key=state.AUDIT_ACTIONS).set_value(["role_set"]).run()
    assert list(at.dataframe[0].value["Thao tác"]) == ["Đổi vai trò"]
    assert "**1**" in at.markdown[0].value
    at.multiselect(key=state.AUDIT_ACTIONS).set_value(["template"]).run()
    assert "Không có mục nào" in at.info[0].value and not at.dataframe
    at.multiselect(key=state.AUDIT_ACTIONS).set_value([]).run()
    assert at.multiselect(key=state.AUDIT_ACTORS).options == sorted([cli_actor().username, "root"]), \
        "only people who appear in the trail"
    at.multiselect(key=state.AUDIT_ACTORS).set_value(["root"]).run()
    assert set(at.dataframe[0].value["Người thực hiện"]) == {"root"}
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    at.date_input(key=state.AUDIT_FROM).set_value(tomorrow).run()
    assert "Không có mục nào" in at.info[0].value
    at.date_input(key=state.AUDIT_FROM).set_value(None).run()

    at.multiselect(key=state.AUDIT_ACTIONS).set_value(["account_added", "role_set"]).run()
    name = next(n for n in downloads.names() if n.startswith("nhat-ky-he-thong-") and n.endswith(".xlsx"))
    book = openpyxl.load_workbook(io.BytesIO(downloads.read(name)))
    rows = list(book.active.iter_rows(min_row=2, values_only=True))
    assert [r[3] for r in rows] == ["Đổi vai trò", "Tạo tài khoản"]
    csv_name = name.replace(".xlsx", ".csv")
    assert downloads.read(csv_name).decode("utf-8-sig").count("\n") == 3
    exports = audit.audit_log(root.engine, actions=["export"])
    assert list(exports["target"]) == ["csv", "xlsx"] and set(exports["actor"]) == {"root"}
    details = json.loads(exports["details"].iloc[0])
    assert details["what"] == "audit" and details["rows"] == 2
    assert details["filters"]["actions"] == ["account_added", "role_set"]


def test_a_long_audit_trail_is_read_a_page_at_a_time(root: Store) -> None:
    with root.writing() as conn:
        for i in range(450):
            audit.record(conn, Actor("?", Role.VIEWER), "sign_in_failed", target=f"? {i:010d}")
    at = _admin_on("app_pages/audit.py")
    total = len(audit.audit_log(root.engine, limit=10_000))
    assert len(at.dataframe[0].value) == 200 and f"**{total}**" in at.markdown[0].value
    last_page = -(-total // 200)
    assert at.number_input(key=state.AUDIT_PAGE).max == last_page
    at.number_input(key=state.AUDIT_PAGE).set_value(last_page).run()
    shown = at.dataframe[0].value
    assert len(shown) == total - 200 * (last_page - 1) and f"{200 * (last_page - 1) + 1}–{total}" in at.markdown[0].value
    assert shown["Đối tượng"].iloc[-1] == "root", "the oldest entry (root's account was added first) comes last"
    assert set(shown.loc[shown["Người thực hiện"] == "?", "Vai trò"]) == {"—"}, "a name no account has has no role"


def test_the_audit_trail_reads_in_english(root: Store) -> None:
    at = _admin_on("app_pages/audit.py")
    at.radio(key="lang").set_value("en").run()
    assert at.title[0].value == "Audit trail"
    assert "Signed in" in set(at.dataframe[0].value["Action"])


#: English words the audit trail once showed in its Vietnamese view: recorded field names and codes.
ENGLISH_IN_DETAILS = ("failures", "reason", "what", "rows", "filters", "role", "client", "ratings", "audit", "unknown",
                      "disabled", "expired", "another connection", "grant reused", "template", "sessions_ended",
                      "actions", "actors", "years", "units", "none", "from", "to")


def _every_kind_of_entry(store: Store) -> None:
    """Entries as the dashboard and the command line write them: failed sign-ins, account changes, exports
    of ratings and of the trail itself, refused downloads and sessions."""
    accounts = Accounts(store)
    accounts.add(cli_actor(), "lan", LAN_PASSWORD, Role.STAFF)
    accounts.sign_in("lan", "wrong-password-1", client="10.0.0.5")
    accounts.sign_in("khong-co-ai", "wrong-password-1", client="10.0.0.5")
    root_actor = Actor("root", Role.ADMIN)
    accounts.set_role(root_actor, "lan", Role.VIEWER)
    accounts.disable(root_actor, "lan")
    audit.record_now(store.engine, root_actor, "export", target="csv (excel-vn)", details={
        "what": "ratings", "rows": 1234, "filters": {"years": [2023], "unit_types": ["quan"], "units": ["q-le-chan"],
                                                     "quadrants": [1], "indicators": [], "ratings": ["red"]}})
    audit.record_now(store.engine, root_actor, "export", target="xlsx", details={
        "what": "audit", "rows": 2, "filters": {"actions": ["sign_in"], "actors": [], "from": "2026-11-01", "to": None}})
    audit.record_now(store.engine, root_actor, "download_refused", target="ratings.xlsx", details={"reason": "expired"})
    audit.record_now(store.engine, root_actor, "download_refused", target="template q-le-chan/2024",
                     details={"reason": "role"})
    audit.record_now(store.engine, Actor("lan", Role.VIEWER), "session_refused", target="lan",
                     details={"reason": "another connection", "client": "10.0.0.5"})


def test_the_audit_trail_s_details_read_in_vietnamese_with_vietnamese_numbers(root: Store) -> None:
    _every_kind_of_entry(root)
    at = _admin_on("app_pages/audit.py")
    shown = at.dataframe[0].value
    text = "\n".join(shown["Chi tiết"]) + "\n" + "\n".join(shown["Đối tượng"])
    leaks = [w for w in ENGLISH_IN_DETAILS if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text, re.IGNORECASE)]
    assert not leaks, (leaks, text)
    assert "Số lần sai liên tiếp: 1" in text and "Vai trò: Lãnh đạo (xem)" in text
    assert "Dữ liệu: bảng đánh giá · Số dòng: 1.234 · Bộ lọc: Năm: 2023; Loại đơn vị: Quận; Đơn vị: Quận Lê Chân" in text
    assert "Thao tác: Đăng nhập; Từ ngày: 01/11/2026" in text
    assert "Lý do: phiên đăng nhập đã hết hạn" in text and "Lý do: mã phiên được dùng từ một kết nối khác" in text
    assert {"bảng đánh giá (xlsx)", "biểu mẫu trống q-le-chan/2024", "csv (cho Excel tiếng Việt)"} <= set(
        shown["Đối tượng"])


def test_the_audit_trail_s_details_read_in_english_with_english_numbers(root: Store) -> None:
    _every_kind_of_entry(root)
    at = _admin_on("app_pages/audit.py")
    at.radio(key="lang").set_value("en").run()
    text = "\n".join(at.dataframe[0].value["Details"])
    assert "Failed attempts in a row: 1" in text and "Role: Viewer" in text
    assert "Data: ratings · Rows: 1,234 · Filters: Years: 2023; Unit types: Urban district; Units: Le Chan" in text
    assert "Reason: the session had expired" in text and "Số" not in text and "Lý do" not in text


# --- withdrawing a version ------------------------------------------------------------------------------

def _two_versions(store: Store) -> None:
    ingest_bytes(store, filled_template("q-le-chan", 2023, pattern(0)), "LeChan-v1.xlsx")
    ingest_bytes(store, filled_template("q-le-chan", 2023, pattern(2)), "LeChan-v2.xlsx")
    ingest_bytes(store, filled_template("x-an-thang", 2023, pattern(1)), "AnThang.xlsx")


def test_withdrawing_the_current_version_makes_the_previous_one_current_and_is_audited(root: Store) -> None:
    _two_versions(root)
    at = _admin_on("app_pages/admin_data.py")
    at.selectbox(key=state.WITHDRAW_UNIT).set_value("q-le-chan").run()
    assert at.selectbox(key=state.WITHDRAW_YEAR).value == 2023
    assert any("hiện hành sẽ là **v1**" in c.value for c in at.caption), "the page says what becomes current"
    v2 = int(root.history("q-le-chan", 2023)["id"].iloc[0])
    assert at.selectbox(key=state.WITHDRAW_ID).value == v2

    at.button(key="withdraw_submit").click().run()
    assert "Hãy ghi lý do" in at.error[0].value
    at.text_area(key=state.WITHDRAW_REASON).input("Đơn vị gửi nhầm bản nháp").run()
    at.button(key="withdraw_submit").click().run()
    assert "ô xác nhận" in at.error[0].value
    assert list(root.history("q-le-chan", 2023)["status"]) == ["current", "superseded"], "nothing withdrawn yet"

    at.checkbox(key=state.WITHDRAW_SURE).check()
    at.button(key="withdraw_submit").click().run()
    assert not at.exception, at.exception
    assert "Đã rút phiên bản v2 của Quận Lê Chân năm 2023" in at.success[0].value
    assert "**v1**" in at.success[0].value
    assert list(root.history("q-le-chan", 2023)["status"]) == ["withdrawn", "current"]
    assert set(root.ratings(units=["q-le-chan"], years=[2023])["version"]) == {1}
    assert list(at.dataframe[0].value["Trạng thái"]) == ["Đã rút", "Hiện hành"]
    assert at.text_area(key=state.WITHDRAW_REASON).value == "" and not at.checkbox(key=state.WITHDRAW_SURE).value
    [entry] = audit.audit_log(root.engine, actions=["version_withdrawn"]).to_dict("records")
    assert entry["actor"] == "root" and entry["target"] == "q-le-chan/2023"
    assert json.loads(entry["details"])["reason"] == "Đơn vị gửi nhầm bản nháp"

    at.switch_page("app_pages/submissions.py").run()
    at.selectbox(key=state.HISTORY_UNIT).set_value("q-le-chan").run()
    assert not at.exception, at.exception
    history = next(d.value for d in at.dataframe if "Phiên bản" in d.value.columns)
    assert list(history["Trạng thái"]) == ["Đã rút", "Hiện hành"], "the withdrawn version stays viewable"


def test_a_withdrawal_shows_at_once_on_the_analysis_pages(root: Store) -> None:
    _two_versions(root)
    at = _admin_on("app_pages/overview.py")
    at.selectbox(key="year").set_value(2023).run()
    assert at.metric[0].value == "2 / 12"
    at.switch_page("app_pages/admin_data.py").run()
    at.selectbox(key=state.WITHDRAW_UNIT).set_value("x-an-thang").run()
    at.text_area(key=state.WITHDRAW_REASON).input("Nhầm đơn vị").run()
    at.checkbox(key=state.WITHDRAW_SURE).check()
    at.button(key="withdraw_submit").click().run()
    assert "không còn phiên bản hiện hành" in at.success[0].value
    at.switch_page("app_pages/overview.py").run()
    assert at.metric[0].value == "1 / 12"


def test_with_nothing_stored_there_is_nothing_to_withdraw(root: Store) -> None:
    at = _admin_on("app_pages/admin_data.py")
    assert "Chưa có phiên bản nào để rút" in at.info[0].value
    assert not [b for b in at.button if b.key == "withdraw_submit"]


# --- the unit registry file -----------------------------------------------------------------------------

def _registry_rows(at: AppTest) -> int:
    """Rows of the unit registry table as the page shows it."""
    return len(next(d.value for d in at.dataframe if "Mã đơn vị kế thừa" in d.value.columns))


def _units_uploader(at: AppTest):  # type: ignore[no-untyped-def]
    return next(u for u in at.file_uploader if str(u.key).startswith(f"{state.REFERENCE_UPLOAD}_units_"))


def test_a_bad_registry_upload_is_refused_with_a_message_and_the_file_is_unchanged(
        root: Store, data_copy: Path) -> None:
    target = data_copy / "units.csv"
    before = target.read_bytes()
    at = _admin_on("app_pages/admin_data.py")
    assert _registry_rows(at) == 19, "the registry as it stands"
    bad = edit_csv(target, lambda rows: [*rows, unit_row("x-moi", "Xã Mới", unit_type="lang")])
    _units_uploader(at).set_value(("units.csv", bad, "text/csv")).run()
    assert not at.exception, at.exception
    message = at.error[0].value
    assert "Không dùng được tệp này thay cho units.csv" in message and "'lang'" in message
    assert not [b for b in at.button if b.key == "reference_confirm_units"]
    _units_uploader(at).set_value(("units.csv", b"PK\x03\x04 an xlsx renamed", "text/csv")).run()
    assert "không phải tệp CSV" in at.error[0].value
    assert target.read_bytes() == before
    assert audit.audit_log(root.engine, actions=["registry_replaced"]).empty


def test_a_good_registry_upload_shows_the_changes_and_replaces_the_file_on_confirmation(
        root: Store, data_copy: Path, downloads: Downloads) -> None:
    target = data_copy / "units.csv"
    real = REAL_UNITS.read_bytes()
    at = _admin_on("app_pages/admin_data.py")
    current = next(n for n in downloads.names() if n.startswith("units-"))
    assert downloads.read(current) == target.read_bytes()

    def edit(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        for row in rows:
            if row["id"] == "q-le-chan":
                row["name"] = "Quận Lê Chân (sửa)"
        return [*rows, unit_row("x-moi", "Xã Mới", "New Commune", parent="h-an-lao")]

    good = edit_csv(target, edit)
    _units_uploader(at).set_value(("units.csv", good, "text/csv")).run()
    assert not at.exception, at.exception
    assert "hợp lệ" in at.success[0].value
    assert "**1** thêm" in next(m.value for m in at.markdown if "thêm" in m.value)
    changes = next(d.value for d in at.dataframe if "Thay đổi" in d.value.columns)
    assert list(zip(changes["Thay đổi"], changes["Mã"], strict=True)) == [("Thêm", "x-moi"), ("Đổi tên", "q-le-chan")]
    assert target.read_bytes() != good, "nothing is written before the confirmation"

    at.button(key="reference_confirm_units").click().run()
    assert not at.exception, at.exception
    assert "Đã thay tệp **units.csv**" in at.success[0].value
    assert target.read_bytes() == good
    assert REAL_UNITS.read_bytes() == real, "the real data folder is never touched"
    assert _units_uploader(at).value is None, "the uploader is emptied"
    assert _registry_rows(at) == 20
    [entry] = audit.audit_log(root.engine, actions=["registry_replaced"]).to_dict("records")
    assert entry["actor"] == "root" and json.loads(entry["details"])["added"] == ["x-moi"]

    _units_uploader(at).set_value(("units.csv", good, "text/csv")).run()
    assert any("giống hệt" in m.value for m in at.info)


def test_the_data_admin_page_reads_in_english(root: Store, data_copy: Path) -> None:
    at = _admin_on("app_pages/admin_data.py")
    at.radio(key="lang").set_value("en").run()
    assert not at.exception and at.title[0].value == "Data administration"
    _units_uploader(at).set_value(("units.csv", b"id,name\nx,y\n", "text/csv")).run()
    assert "Required columns are missing: type" in at.error[0].value


def _reference_table(at: AppTest, first: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """The table of a reference file as the page shows it (the one whose first column is ``first``), and the
    help of each of its columns."""
    [table] = [d for d in at.dataframe if list(d.value.columns)[:1] == [first]]
    config = json.loads(table.proto.columns)
    return table.value, {name: column.get("help", "") for name, column in config.items()}


def test_the_reference_files_are_headed_in_the_reader_s_language_and_downloaded_as_written(
        root: Store, data_copy: Path, downloads: Downloads) -> None:
    at = _admin_on("app_pages/admin_data.py")
    units, helps = _reference_table(at, "Mã đơn vị")
    assert list(units.columns) == ["Mã đơn vị", "Loại", "Tên", "Tên tiếng Anh", "Mã đơn vị cấp trên", "Tên khác",
                                   "Hiệu lực từ", "Hiệu lực đến", "Mã đơn vị kế thừa", "Ghi chú"]
    assert helps["Hiệu lực từ"] == "Cột «valid_from» trong tệp CSV", "the file's own name, to edit the file by"
    indicators, _ = _reference_table(at, "Mã chỉ số")
    assert {"Mã chỉ số", "Tên tiếng Việt", "Chú giải Đỏ (tiếng Việt)"} <= set(indicators.columns)
    assert not {"id", "type", "valid_from", "code", "name_vi"} & (set(indicators.columns) | set(units.columns))
    current = next(n for n in downloads.names() if n.startswith("units-"))
    assert downloads.read(current).decode("utf-8-sig").startswith("id,type,name,name_en,"), "the CSV contract stays"
    at.radio(key="lang").set_value("en").run()
    units, helps = _reference_table(at, "Unit id")
    assert list(units.columns)[:3] == ["Unit id", "Type", "Name"] and helps["Valid from"] == \
        "Column “valid_from” of the CSV file"
    assert "Red legend (English)" in _reference_table(at, "Indicator code")[0].columns


def test_admins_see_the_confirmed_column_mappings_and_delete_one_with_an_audit_entry(root: Store) -> None:
    from lgqa_metrics.domain.roles import Actor
    from lgqa_metrics.intake.mapping import layout_choices, proposal
    from lgqa_metrics.store import layout_mappings
    from lgqa_metrics.synthetic import forms
    from tests.intake.test_mappings import DATA

    _, headers, _ = layout_choices(DATA, "Biểu 01", forms.HEADER_ROW)
    layout_mappings.confirm(root.engine, Actor("can-bo", Role.STAFF), proposal(headers, {"code": 1, "rating": 4}, {}))
    at = _admin_on("app_pages/admin_data.py")
    table = next(d.value for d in at.dataframe if "Tiêu đề cột" in d.value.columns)
    assert list(table["Người xác nhận"]) == ["can-bo"]
    assert "Kết quả năm 2023" in table["Tiêu đề cột"].iloc[0]
    assert "kết quả tự đánh giá: E" in table["Cột được chọn"].iloc[0]
    at.button(key="admin_mapping_delete").click().run()
    assert not at.exception, at.exception
    assert any("Đã xóa cách chọn cột" in m.value for m in at.success)
    assert layout_mappings.stored(root.engine) == {}
    assert any("Chưa có cách chọn cột" in m.value for m in at.info)
    [entry] = audit.audit_log(root.engine, actions=["layout_mapping_deleted"]).to_dict("records")
    assert entry["actor"] == "root"


def test_an_admin_unlocks_an_appraised_return_with_a_reason_and_the_unit_can_send_a_new_version(root: Store) -> None:
    ingest_bytes(root, filled_template("q-le-chan", 2023, pattern(0)), "LeChan-v1.xlsx")
    [sid] = root.submissions()["id"].tolist()
    appraiser = Actor("tham-dinh", Role.APPRAISER)
    Appraisals(root).start(appraiser, sid)
    Appraisals(root).accept(appraiser, sid)
    at = _admin_on("app_pages/admin_data.py")
    assert "tham-dinh" in at.selectbox(key=state.UNLOCK_UNIT).format_func(at.selectbox(key=state.UNLOCK_UNIT).value)
    at.button(key="unlock_do").click().run()
    assert "lý do" in at.error[0].value
    assert [o.status for o in ingest_bytes(root, filled_template("q-le-chan", 2023, pattern(1)), "v2.xlsx")] == [
        "rejected"]
    at.text_input(key=state.UNLOCK_REASON).input("Đơn vị phát hiện nhập nhầm chỉ số 3.2").run()
    at.button(key="unlock_do").click().run()
    assert not at.exception and "Quận Lê Chân" in at.success[0].value
    assert [o.status for o in ingest_bytes(root, filled_template("q-le-chan", 2023, pattern(1)), "v2.xlsx")] == [
        "accepted"]
    [entry] = audit.audit_log(root.engine, actions=["appraisal_unlocked"]).to_dict("records")
    assert entry["actor"] == "root" and "nhập nhầm" in json.loads(entry["details"])["reason"]


def _lineage_uploader(at: AppTest):  # type: ignore[no-untyped-def]
    return next(u for u in at.file_uploader if str(u.key).startswith(f"{state.REFERENCE_UPLOAD}_lineage_"))


def test_the_lineage_tab_checks_a_crosswalk_upload_and_draws_a_unit_s_lineage(
        root: Store, lineage_copy: Path) -> None:
    target = lineage_copy / "lineage.csv"
    before = target.read_bytes()
    at = _admin_on("app_pages/admin_data.py")
    table = next(d.value for d in at.dataframe if "Đơn vị cũ" in d.value.columns)
    assert len(table) == 6 and set(table["Loại thay đổi"]) == {"merge"}
    graph = next(c for c in at.get("plotly_chart") if c.proto.id and "lineage_graph_admin" in c.proto.id)
    title = json.loads(graph.proto.spec)["layout"]["title"]["text"]
    assert title == "Dòng kế thừa của Xã Vĩnh Bảo", "the last unit with a lineage, the newest, is drawn first"
    texts = " ".join(str(tr.get("text")) for tr in json.loads(graph.proto.spec)["data"])
    assert "Xã Trung Lập" in texts, "with its predecessor"

    cycle = edit_csv(target, lambda rows: [*rows, {**rows[0], "from_id": rows[0]["to_id"], "to_id": rows[0]["from_id"]}])
    _lineage_uploader(at).set_value(("lineage.csv", cycle, "text/csv")).run()
    assert not at.exception, at.exception
    message = at.error[0].value
    assert "Không dùng được tệp này thay cho lineage.csv" in message and "vòng lặp" in message
    assert "p-minh-khai → p-hong-bang → p-minh-khai" in message or "p-hong-bang → p-minh-khai → p-hong-bang" in message
    assert not [b for b in at.button if b.key == "reference_confirm_lineage"]

    uneven = edit_csv(target, lambda rows: [*rows[:-1], {**rows[-1], "kind": "split", "share": "0.6"}])
    _lineage_uploader(at).set_value(("lineage.csv", uneven, "text/csv")).run()
    assert "tổng tỷ lệ các phần là 0.6, không phải 1" in at.error[0].value

    sourced = edit_csv(target, lambda rows: [{**r, "source": "Nghị quyết 1669/NQ-UBTVQH15"} for r in rows])
    _lineage_uploader(at).set_value(("lineage.csv", sourced, "text/csv")).run()
    assert "hợp lệ" in at.success[0].value and target.read_bytes() == before
    at.button(key="reference_confirm_lineage").click().run()
    assert not at.exception, at.exception
    assert target.read_bytes() == sourced
    [entry] = audit.audit_log(root.engine, actions=["lineage_replaced"]).to_dict("records")
    assert entry["target"] == "lineage.csv" and len(json.loads(entry["details"])["changed"]) == 6
