"""Who is using the dashboard: built-in accounts (web sessions bound to the browser by the HTTP-only
``lgqa_session`` cookie, :mod:`lgqa_metrics.store.web_sessions` — the design is there) or single sign-on, and the role
each page needs. The package's write paths check the role again themselves."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Final

import streamlit as st

from lgqa_metrics.domain.i18n import t
from lgqa_metrics.domain.roles import Actor, PermissionDenied, Role, require
from lgqa_metrics.domain.settings import Settings, load_settings
from lgqa_metrics.services.binding import WEBSOCKET_KEY, XSRF_COOKIE, browser_key, connection_key
from lgqa_metrics.store import audit, web_sessions
from lgqa_metrics.store.accounts import MAX_PASSWORD, MAX_USERNAME, Accounts, role_for_email, still_allowed
from lgqa_metrics.ui import state, web
from lgqa_metrics.ui.data import get_store
from lgqa_metrics.ui.web import sso_configured

ANONYMOUS: Final = Actor("anonymous", Role.VIEWER, via="open")


def _sso_actor(conf: Settings) -> Actor | None:
    if not sso_configured() or not getattr(st.user, "is_logged_in", False):
        return None
    email = str(st.user.get("email", "") or "")
    role = role_for_email(email, conf.sso_roles, conf.sso_default_role or None)
    return Actor(email, role, via="sso") if role else None


def current_actor() -> Actor | None:
    """The signed-in actor, or None. A built-in sign-in is a web session (:mod:`lgqa_metrics.store.web_sessions`): the
    run must show it — by the session cookie its connection carries, or by being the connection the password was
    typed on — and the session must be live (not expired, not revoked, its account active with its role, re-read
    on every run)."""
    conf = load_settings()
    idle = dt.timedelta(minutes=conf.session_minutes)
    own = str(st.session_state.get(state.AUTH_SESSION, "") or "")
    carried = web_sessions.token_key(_cookie(web_sessions.COOKIE))
    if own and (own == carried or st.session_state.get(state.AUTH_CONNECTION) == this_connection()):
        status = web_sessions.check(get_store(), own, idle=idle)
        if status.actor is not None:
            return status.actor
        _forget(expired=status.why == "expired", stale=own)
    elif own:  # a signed-in session run from a connection that shows nothing of it (its id was reused)
        _refuse_other_connection(str(st.session_state.get(state.AUTH_USER, "")))
    if carried and carried != own and carried != st.session_state.get(state.AUTH_STALE):
        status = web_sessions.check(get_store(), carried, idle=idle)
        if status.actor is not None:  # a new session of a signed-in browser: a reload, another tab
            _adopt(carried, status.actor)
            return status.actor
        st.session_state[state.AUTH_STALE] = carried
        if status.why == "expired":
            st.session_state[state.AUTH_EXPIRED] = True
    return _sso_actor(conf)


def _adopt(key: str, actor: Actor) -> None:
    st.session_state[state.AUTH_SESSION] = key
    st.session_state[state.AUTH_USER] = actor.username
    st.session_state[state.AUTH_CONNECTION] = this_connection()
    st.session_state.pop(state.AUTH_REFUSED, None)
    audit.record_now(get_store().engine, actor, "session_resumed", target=actor.username,
                     details={"client": _client_address()})


def _forget(*, expired: bool, stale: str = "") -> None:
    """Drop this Streamlit session's sign-in (its web session has ended, or the user signed out)."""
    for key in (state.AUTH_SESSION, state.AUTH_USER, state.AUTH_CONNECTION, state.AUTH_GRANT):
        st.session_state.pop(key, None)
    if stale:
        st.session_state[state.AUTH_STALE] = stale
    if expired:
        st.session_state[state.AUTH_EXPIRED] = True


def guarded(build: Callable[[], bytes], *, actor: Actor | None, what: str, needed: Role) -> Callable[[], bytes]:
    """``build`` for a download button, run when the button is clicked only if ``actor`` (who the page was shown
    to) may still do what needs ``needed`` at that moment (:func:`~lgqa_metrics.store.accounts.still_allowed`: account
    active with the role; for a built-in account, its web session still live); otherwise the refusal is audited and
    nothing is built (the browser says the file could not be made). The page may have been open for hours: the
    role it was shown with is not enough."""
    actor = require(actor, needed, f"download {what}")
    key = str(st.session_state.get(state.AUTH_SESSION, "") or "") if actor.via == "password" else ""
    store = get_store()

    def make() -> bytes:
        why = still_allowed(store, actor, needed, session=key, settings=load_settings())
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


def _cookie(name: str) -> str | None:
    value = st.context.cookies.get(name)
    return value if isinstance(value, str) else None


def this_browser() -> str:
    """The digest of the browser's own XSRF token (:func:`lgqa_metrics.services.binding.browser_key`)."""
    return browser_key(_cookie(XSRF_COOKIE))


def this_connection() -> str:
    """The digest naming this run's connection (:func:`lgqa_metrics.services.binding.connection_key`)."""
    handshake = st.context.headers.get(WEBSOCKET_KEY)
    return connection_key(_cookie(XSRF_COOKIE), handshake if isinstance(handshake, str) else None)


def _refuse_other_connection(username: str) -> None:
    """A run of a signed-in session from a connection that neither carries its cookie nor is the one the password
    was typed on (a client that reconnected giving the session's id): shown signed out, and audited once per
    session. The session's own browser, reconnecting with its cookie, is still signed in."""
    if username and st.session_state.get(state.AUTH_REFUSED) != username:
        st.session_state[state.AUTH_REFUSED] = username
        audit.record_now(get_store().engine, Actor(username, Role.VIEWER), "session_refused", target=username,
                         details={"reason": "another connection", "client": _client_address()})


def _client_address() -> str:
    """The browser's address, for throttling sign-ins per client: the trusted proxy's header when the settings
    name one (``client_header``), else the connection's own ("" when Streamlit does not know it)."""
    header = load_settings().client_header
    address = st.context.headers.get(header) if header else st.context.ip_address
    return address.split(",")[0].strip() if isinstance(address, str) else ""


def sign_in(username: str, password: str) -> str:
    """Check a built-in account; on success start its web session, bound to this connection, and keep the grant
    the browser will exchange for its cookie (:func:`hand_over`). Returns the outcome's reason."""
    store = get_store()
    result = Accounts(store).sign_in(username, password, client=_client_address())
    if result.actor is not None:
        started = web_sessions.start(store, result.actor.username, browser=this_browser())
        _forget(expired=False)
        st.session_state[state.AUTH_SESSION] = started.key
        st.session_state[state.AUTH_USER] = result.actor.username
        st.session_state[state.AUTH_CONNECTION] = this_connection()
        st.session_state[state.AUTH_GRANT] = started.grant
        for key in (state.AUTH_EXPIRED, state.AUTH_REFUSED, state.AUTH_STALE):
            st.session_state.pop(key, None)
    st.session_state[state.AUTH_WAIT] = result.wait_seconds
    return result.reason


def sign_out() -> None:
    """End the built-in session (revoked on the server, audited) and have the browser's cookie cleared."""
    key = str(st.session_state.get(state.AUTH_SESSION, "") or "")
    if key:
        web_sessions.sign_out(get_store(), key)
    _forget(expired=False, stale=key)
    st.session_state[state.AUTH_DROP_COOKIE] = True


def hand_over() -> None:
    """The one script a run owes the browser: after a sign-in, post the grant for the session cookie; after a
    sign-out, ask for the cookie to be cleared. ``st.html`` is not in an iframe, so the request is the page's own
    (same origin, its cookies). Shown once, then forgotten: a grant is good for one exchange."""
    grant = st.session_state.pop(state.AUTH_GRANT, None)
    drop = st.session_state.pop(state.AUTH_DROP_COOKIE, False)
    if not grant and not drop:
        return
    options = {"method": "POST", "credentials": "same-origin", "cache": "no-store", "body": grant,
               "headers": {"Content-Type": "text/plain"}} if grant else \
              {"method": "DELETE", "credentials": "same-origin", "cache": "no-store"}
    st.html(f"<script>fetch({json.dumps(web.session_path())}, {json.dumps(options)}).catch(() => {{}});</script>",
            unsafe_allow_javascript=True)


def cookie_refused(lang: str) -> None:
    """Say so when the browser of this sign-in never took its session cookie (blocked cookies or scripts, or a
    server started without ``serve.py``): a reload would sign it out and uploads are refused."""
    key = str(st.session_state.get(state.AUTH_SESSION, "") or "")
    if not key or key == web_sessions.token_key(_cookie(web_sessions.COOKIE)):
        return  # this connection carries the cookie: nothing to say
    if web_sessions.check(get_store(), key, idle=dt.timedelta(minutes=load_settings().session_minutes),
                          touch=False).lapsed:
        st.warning(t("auth.no_cookie", lang), icon=":material/warning:")


def page_actor(role: Role) -> Actor | None:
    """The user, if they may open a page that needs ``role`` (the analysis pages: also an anonymous viewer when
    they are open); None otherwise."""
    actor = current_actor() if role is not Role.VIEWER else viewer()
    return actor if actor is not None and actor.can(role) else None


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
