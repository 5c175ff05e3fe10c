"""Who is using the dashboard: built-in accounts (with session expiry) or single sign-on, and the
role each page needs. The package's write paths check the role again themselves."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Final

import streamlit as st

from lgqa_metrics import audit
from lgqa_metrics.accounts import MAX_PASSWORD, MAX_USERNAME, Accounts, role_for_email, still_allowed
from lgqa_metrics.accounts_base import Actor, PermissionDenied, Role, require
from lgqa_metrics.binding import XSRF_COOKIE, browser_key
from lgqa_metrics.i18n import t
from lgqa_metrics.settings import Settings, load_settings
from lgqa_metrics.ui import state
from lgqa_metrics.ui.data import get_store

ANONYMOUS: Final = Actor("anonymous", Role.VIEWER, via="open")


def sso_configured() -> bool:
    """True when ``[auth]`` is configured in ``.streamlit/secrets.toml`` (Streamlit's OIDC ``st.login``)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def _sso_actor(conf: Settings) -> Actor | None:
    if not sso_configured() or not getattr(st.user, "is_logged_in", False):
        return None
    email = str(st.user.get("email", "") or "")
    role = role_for_email(email, conf.sso_roles, conf.sso_default_role or None)
    return Actor(email, role, via="sso") if role else None


def current_actor() -> Actor | None:
    """The signed-in actor, or None. A built-in session ends after the configured minutes without
    activity; the role is re-read from the database on every run, so a changed role or a disabled
    account applies at once."""
    conf = load_settings()
    username = st.session_state.get(state.AUTH_USER)
    if username and st.session_state.get(state.AUTH_BROWSER) != this_browser():
        _refuse_other_browser(str(username))
        return _sso_actor(conf)
    if username:
        last = float(st.session_state.get(state.AUTH_SEEN, 0.0))
        if time.time() - last > conf.session_minutes * 60:
            sign_out(expired=True)
            return _sso_actor(conf)
        actor = Accounts(get_store()).actor(str(username))
        if actor is None:
            sign_out(expired=False)
            return _sso_actor(conf)
        st.session_state[state.AUTH_SEEN] = time.time()
        return actor
    return _sso_actor(conf)


def guarded(build: Callable[[], bytes], *, actor: Actor | None, what: str, needed: Role) -> Callable[[], bytes]:
    """``build`` for a download button, run when the button is clicked only if ``actor`` (who the page was shown
    to) may still do what needs ``needed`` at that moment (:func:`~lgqa_metrics.accounts.still_allowed`: session not expired,
    account active with the role); otherwise the refusal is audited and nothing is built (the browser says the
    file could not be made). The page may have been open for hours: the role it was shown with is not enough."""
    actor = require(actor, needed, f"download {what}")
    conf = load_settings()
    seen = st.session_state.get(state.AUTH_SEEN)
    expires_at = float(seen) + conf.session_minutes * 60 if seen is not None and actor.via == "password" else None
    store = get_store()

    def make() -> bytes:
        why = still_allowed(store, actor, needed, expires_at=expires_at, now=time.time(), settings=load_settings())
        if why:
            audit.record_now(store.engine, actor, "download_refused", target=what, details={"reason": why})
            raise PermissionDenied(actor, needed, f"download {what} ({why})")
        return build()

    return make


def viewer() -> Actor | None:
    """Who may look at the analysis pages: the signed-in actor, or an anonymous viewer when the
    analysis pages are open (setting ``open_analysis``), else None."""
    actor = current_actor()
    if actor is None and load_settings().open_analysis:
        return ANONYMOUS
    return actor


def this_browser() -> str:
    """The digest of the secret the browser of this run holds (:func:`lgqa_metrics.binding.browser_key`)."""
    cookie = st.context.cookies.get(XSRF_COOKIE)
    return browser_key(cookie if isinstance(cookie, str) else None)


def _refuse_other_browser(username: str) -> None:
    """A run of a signed-in session from a request that does not carry the signing-in browser's secret (a client
    that reconnected giving the session's id): shown signed out, and audited once per session. The session's
    own browser, reconnecting, is still signed in."""
    if st.session_state.get(state.AUTH_REFUSED) != username:
        st.session_state[state.AUTH_REFUSED] = username
        audit.record_now(get_store().engine, Actor(username, Role.VIEWER), "session_refused", target=username,
                         details={"reason": "another browser", "client": _client_address()})


def _client_address() -> str:
    """The browser's address, for throttling sign-ins per client: the trusted proxy's header when the settings
    name one (``client_header``), else the connection's own ("" when Streamlit does not know it)."""
    header = load_settings().client_header
    address = st.context.headers.get(header) if header else st.context.ip_address
    return address.split(",")[0].strip() if isinstance(address, str) else ""


def sign_in(username: str, password: str) -> str:
    """Check a built-in account; on success start the session. Returns the outcome's reason."""
    result = Accounts(get_store()).sign_in(username, password, client=_client_address())
    if result.actor is not None:
        st.session_state[state.AUTH_USER] = result.actor.username
        st.session_state[state.AUTH_SEEN] = time.time()
        st.session_state[state.AUTH_BROWSER] = this_browser()
        st.session_state.pop(state.AUTH_EXPIRED, None)
    st.session_state[state.AUTH_WAIT] = result.wait_seconds
    return result.reason


def sign_out(*, expired: bool = False) -> None:
    """End the built-in session (audited when the user asked for it)."""
    username = st.session_state.pop(state.AUTH_USER, None)
    st.session_state.pop(state.AUTH_SEEN, None)
    if expired and username:
        st.session_state[state.AUTH_EXPIRED] = True
    elif username:
        audit.record_now(get_store().engine, Actor(str(username), Role.VIEWER), "sign_out", target=str(username))


def require_page(role: Role, lang: str) -> Actor:
    """Stop the page with a message unless the current user holds ``role``."""
    actor = current_actor() if role is not Role.VIEWER else viewer()
    if actor is None or not actor.can(role):
        st.warning(t("auth.page_needs", lang, role=t(f"role.{role.value}", lang)), icon=":material/lock:")
        st.stop()
    assert actor is not None
    return actor


def _submit() -> None:
    name = str(st.session_state.get(state.SIGNIN_NAME, ""))
    password = str(st.session_state.get(state.SIGNIN_PASSWORD, ""))
    st.session_state[state.SIGNIN_PASSWORD] = ""
    st.session_state[state.SIGNIN_RESULT] = sign_in(name, password)


def sign_in_form(lang: str) -> None:
    """User name and password, with the outcome of the last attempt."""
    with st.form("signin", clear_on_submit=False):
        st.text_input(t("auth.username", lang), key=state.SIGNIN_NAME, autocomplete="username",
                      max_chars=MAX_USERNAME)
        st.text_input(t("auth.password", lang), type="password", key=state.SIGNIN_PASSWORD,
                      autocomplete="current-password", max_chars=MAX_PASSWORD)
        st.form_submit_button(t("auth.sign_in", lang), on_click=_submit, type="primary")
    result = st.session_state.pop(state.SIGNIN_RESULT, None)
    wait = int(st.session_state.get(state.AUTH_WAIT, 0) or 0)
    if result in ("bad", "locked", "disabled"):
        st.error(t(f"auth.{result}", lang, seconds=wait), icon=":material/block:")
        if result == "bad" and wait:
            st.warning(t("auth.slowed", lang, seconds=wait), icon=":material/hourglass_top:")
    st.caption(t("auth.first_admin", lang))


def who(actor: Actor | None, lang: str) -> None:
    """A caption in the sidebar saying who is signed in (or that viewing is open)."""
    if actor is None:
        return
    if actor.via == "open":
        st.caption(t("auth.sidebar_open", lang))
    else:
        st.caption(t("auth.sidebar_user", lang, user=actor.username, role=t(f"role.{actor.role.value}", lang)))
