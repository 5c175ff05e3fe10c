"""Who may write to Streamlit's upload endpoint (the guard of lgqa_metrics/ui/web.py), on the app's store: a live
session of a staff account; under single sign-on, Streamlit's identity cookie read with Streamlit's own signer."""

from __future__ import annotations

import json

from streamlit.web.server.starlette.starlette_app_utils import create_signed_value

from lgqa_metrics.domain.roles import Role, cli_actor
from lgqa_metrics.store import web_sessions
from lgqa_metrics.store.accounts import Accounts
from lgqa_metrics.store.database import Store
from lgqa_metrics.ui.web import SSO_COOKIE, may_upload, sso_email

SECRET = "a-cookie-secret-of-32-characters!"


def _token(store: Store, name: str) -> str:
    started = web_sessions.start(store, name, browser="b" * 64)
    return web_sessions.exchange(store, started.grant, browser="b" * 64).token


def test_only_a_live_staff_session_may_upload(store: Store) -> None:
    accounts = Accounts(store)
    accounts.add(cli_actor(), "lan", "staff-password-1", Role.STAFF)
    accounts.add(cli_actor(), "root", "admin-password-1", Role.ADMIN)
    accounts.add(cli_actor(), "minh", "viewer-password-1", Role.VIEWER)
    staff, admin, viewer = _token(store, "lan"), _token(store, "root"), _token(store, "minh")
    assert may_upload({web_sessions.COOKIE: staff}) and may_upload({web_sessions.COOKIE: admin})
    assert not may_upload({web_sessions.COOKIE: viewer})
    assert not may_upload({}) and not may_upload({web_sessions.COOKIE: "forged"})
    web_sessions.sign_out(store, web_sessions.digest(staff))
    assert not may_upload({web_sessions.COOKIE: staff}), "signed out: the cookie opens nothing"


def _identity(payload: dict[str, object], secret: str = SECRET) -> dict[str, str]:
    return {SSO_COOKIE: create_signed_value(secret, SSO_COOKIE, json.dumps(payload)).decode()}


def test_streamlits_identity_cookie_counts_only_under_its_secret_and_when_signed_in() -> None:
    signed_in = {"origin": "https://iso.example", "is_logged_in": True, "email": "an@skhcn.vn"}
    assert sso_email(_identity(signed_in), SECRET) == "an@skhcn.vn"
    assert sso_email(_identity(signed_in, "another-secret-of-32-characters!!"), SECRET) == ""
    assert sso_email(_identity({**signed_in, "is_logged_in": False}), SECRET) == ""
    assert sso_email({SSO_COOKIE: "not signed at all"}, SECRET) == "" and sso_email({}, SECRET) == ""


def test_without_single_sign_on_configured_an_identity_cookie_opens_nothing(store: Store) -> None:
    cookie = _identity({"origin": "https://iso.example", "is_logged_in": True, "email": "an@skhcn.vn"})
    assert not may_upload(cookie)
