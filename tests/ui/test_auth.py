"""Sign-in, roles and navigation in AppTest."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from lgqa_metrics.domain.roles import Actor, Role, cli_actor
from lgqa_metrics.store import audit, web_sessions
from lgqa_metrics.store.accounts import Accounts
from lgqa_metrics.store.database import Store
from lgqa_metrics.store.schema import web_sessions_t
from lgqa_metrics.ui import state
from lgqa_metrics.ui.auth import ANONYMOUS
from lgqa_metrics.ui.navigation import asked_for
from tests.ui.conftest import open_app

PASSWORD = "staff-password-1"


def test_anonymous_visitors_see_analysis_but_not_upload(pilot: Store) -> None:
    at = open_app("app_pages/overview.py", role=None)
    assert not at.exception and at.title[0].value == "Tổng quan"
    for page in ("app_pages/upload.py", "app_pages/data.py", "app_pages/submissions.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)


def test_with_analysis_closed_an_anonymous_visitor_sees_only_the_sign_in(
        pilot: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LGQA_OPEN_ANALYSIS", "0")
    at = open_app(role=None)
    assert at.title[0].value == "Tài khoản" and not at.get("plotly_chart")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/overview.py")


def _sign_in(at, name: str, password: str):  # type: ignore[no-untyped-def]
    at.text_input(key=state.SIGNIN_NAME).input(name)
    at.text_input(key=state.SIGNIN_PASSWORD).input(password)
    return at.button[0].click().run()


def test_staff_sign_in_through_the_form_opens_the_upload_page(store: Store) -> None:
    Accounts(store).add(cli_actor(), "lan", PASSWORD, Role.STAFF)
    at = _sign_in(open_app("app_pages/account.py", role=None), "lan", PASSWORD)
    assert not at.exception, at.exception
    assert "lan" in at.success[0].value
    at.switch_page("app_pages/upload.py").run()
    assert not at.warning and at.file_uploader
    assert list(audit.audit_log(store.engine, actions=["sign_in"])["actor"]) == ["lan"]


def _scripts(at) -> list[str]:  # type: ignore[no-untyped-def]
    return [h.proto.body for h in at.get("html") if h.proto.unsafe_allow_javascript]


def test_a_sign_in_hands_its_browser_one_grant_and_a_sign_out_has_the_cookie_cleared(store: Store) -> None:
    Accounts(store).add(cli_actor(), "lan", PASSWORD, Role.STAFF)
    at = _sign_in(open_app("app_pages/account.py", role=None), "lan", PASSWORD)
    [script] = _scripts(at)
    grant = re.search(r'"body": "([0-9a-f]{64})"', script)
    assert grant and 'fetch("/lgqa/session"' in script and '"method": "POST"' in script
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(web_sessions_t)).one()
    assert row.username == "lan" and row.grant_digest == web_sessions.digest(grant.group(1))
    assert row.key == at.session_state[state.AUTH_SESSION] and row.cookie_set is None
    assert not _scripts(at.run()), "the grant is handed over once"
    assert "lan" in at.success[0].value, "the connection that signed in stays signed in before the cookie is set"

    at.button(key="sign_out").click().run()
    assert at.text_input(key=state.SIGNIN_NAME), "signed out"
    [script] = _scripts(at)
    assert '"method": "DELETE"' in script, "the browser is asked to drop its cookie"
    assert web_sessions.check(store, row.key, idle=dt.timedelta(hours=1)).why == "ended", "ended on the server"
    assert list(audit.audit_log(store.engine, actions=["sign_out"])["actor"]) == ["lan"]


def test_a_wrong_password_is_refused_with_a_message(store: Store) -> None:
    Accounts(store).add(cli_actor(), "lan", PASSWORD, Role.STAFF)
    at = _sign_in(open_app("app_pages/account.py", role=None), "lan", "not-the-password")
    assert "Sai tên đăng nhập hoặc mật khẩu" in at.error[0].value
    assert state.AUTH_USER not in at.session_state


def test_an_idle_session_expires(store: Store) -> None:
    at = open_app("app_pages/upload.py")
    assert at.file_uploader
    with store.engine.begin() as conn:  # its last activity two hours ago
        conn.execute(web_sessions_t.update().values(last_seen=dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)))
    at.run()
    assert not at.file_uploader, "the upload page is gone with the session"
    at.switch_page("app_pages/account.py").run()
    assert "hết hạn" in at.info[0].value
    assert at.text_input(key=state.SIGNIN_NAME), "the sign-in form is offered again"


def test_a_disabled_account_loses_access_at_the_next_page(store: Store) -> None:
    at = open_app("app_pages/upload.py")
    Accounts(store).disable(cli_actor(), "test-staff")
    at.run()
    assert not at.file_uploader and state.AUTH_USER not in at.session_state


def _change_password(at, current: str, new: str, again: str):  # type: ignore[no-untyped-def]
    at.text_input(key=state.OWN_PASSWORD).input(current)
    at.text_input(key=state.OWN_PASSWORD_NEW).input(new)
    at.text_input(key=state.OWN_PASSWORD_NEW2).input(again)
    return next(b for b in at.button if b.label == "Đổi mật khẩu").click().run()


def test_a_signed_in_user_changes_their_own_password_on_the_account_page(store: Store) -> None:
    accounts = Accounts(store)
    accounts.add(cli_actor(), "lan", PASSWORD, Role.STAFF)
    at = _sign_in(open_app("app_pages/account.py", role=None), "lan", PASSWORD)
    at = _change_password(at, PASSWORD, "another-pass-22", "another-pass-23")
    assert not at.exception and "không khớp" in at.error[0].value
    at = _change_password(at, "wrong-password-0", "another-pass-22", "another-pass-22")
    assert "Mật khẩu hiện tại không đúng" in at.error[0].value
    at = _change_password(at, PASSWORD, "another-pass-22", "another-pass-22")
    assert not at.error and "Đã đổi mật khẩu" in at.success[-1].value
    assert "lan" in at.success[0].value, "still signed in"
    assert [at.text_input(key=k).value for k in (state.OWN_PASSWORD, state.OWN_PASSWORD_NEW)] == ["", ""], \
        "no password is left in the form"
    assert accounts.sign_in("lan", "another-pass-22").reason == "ok" and accounts.sign_in("lan", PASSWORD).reason == "bad"




def test_a_visitor_not_signed_in_is_never_given_the_address_of_an_administration_page() -> None:
    """Whether the analysis pages are open to anyone (the anonymous viewer) or not (nobody); a signed-in viewer is
    told what an administration page needs."""
    for stranger in (ANONYMOUS, None):
        asked = [p.path for p in asked_for(stranger)]
        assert "app_pages/upload.py" in asked and not [p for p in asked if "admin" in p or "audit" in p], asked
    assert "app_pages/audit.py" in [p.path for p in asked_for(Actor("hung", Role.VIEWER))]
