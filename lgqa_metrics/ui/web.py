"""The dashboard's own HTTP routes and middleware, served beside Streamlit's by ``serve.py`` (``st.App``, Starlette):
the session route, which turns a sign-in's one-time grant into the HTTP-only ``lgqa_session`` cookie and clears it
at sign-out, and the guard that keeps Streamlit's upload endpoint for staff. The design of sessions is in
:mod:`lgqa_metrics.store.web_sessions`.

Upload guard. Streamlit keeps every uploaded file in memory until its session ends, for any session, anonymous
included. :class:`UploadGuard` answers 403 to any ``PUT``/``POST`` to ``…/_stcore/upload_file/…`` (before a byte of
the body is read) unless the request carries a live ``lgqa_session`` cookie of an active account with at least
the staff role — or, when single sign-on is configured, Streamlit's own signed identity cookie (``_streamlit_user``,
checked with Streamlit's secret and signer) of an identity whose role mapping gives staff. Streamlit's identity
cookie cannot be revoked before it expires (30 days): a disabled SSO identity is refused by the role mapping, which
is re-read on every upload. The size and rate of uploads by staff are bounded by Streamlit (``server.maxUploadSize``)
and by the reverse proxy (deploy/nginx/lgqa.conf).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping
from typing import Final
from urllib.parse import urlsplit

import streamlit as st
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request, cookie_parser
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from lgqa_metrics.domain.i18n import t
from lgqa_metrics.domain.roles import Role
from lgqa_metrics.domain.settings import Settings, load_settings
from lgqa_metrics.services import shared
from lgqa_metrics.services.binding import XSRF_COOKIE, browser_key
from lgqa_metrics.store import web_sessions
from lgqa_metrics.store.accounts import role_for_email

#: The session route, under the app's base path.
SESSION_ROUTE: Final = "lgqa/session"
#: Streamlit's upload endpoint (``/_stcore/upload_file/<session id>/<file id>``, under the base path).
UPLOAD_ENDPOINT: Final = "/_stcore/upload_file"
#: Methods of the upload endpoint left to Streamlit whoever asks: its CORS preflight and removing a file.
UNGUARDED: Final = frozenset({"OPTIONS", "DELETE", "GET", "HEAD"})
#: Streamlit's identity cookie under single sign-on.
SSO_COOKIE: Final = "_streamlit_user"
#: Most bytes of a grant request read (a grant is 64 characters).
MAX_BODY: Final = 256
_LOG = logging.getLogger(__name__)


def base_path() -> str:
    """The path the app is served under, with a slash at both ends ("/" unless ``server.baseUrlPath`` is set)."""
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}/" if base else "/"


def session_path() -> str:
    """Where the page posts its grant, and asks for the cookie to be cleared."""
    return base_path() + SESSION_ROUTE


def cookie_path() -> str:
    """The session cookie's Path: the app's base path (``/`` by default), so every page, the websocket and the
    upload endpoint receive it."""
    return base_path().rstrip("/") or "/"


def routes() -> list[BaseRoute]:
    """The app's own routes, for ``st.App(routes=…)``."""
    return [Route(session_path(), _session_post, methods=["POST"]),
            Route(session_path(), _session_delete, methods=["DELETE"])]


def middleware() -> list[Middleware]:
    """The app's own middleware, for ``st.App(middleware=…)`` (it runs before Streamlit's)."""
    return [Middleware(UploadGuard)]


class UploadGuard:
    """ASGI middleware: writes to Streamlit's upload endpoint only for staff (:func:`may_upload`); anyone else is
    answered 403 without the request's body being read."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] == "http" and scope.get("method", "GET") not in UNGUARDED
                and UPLOAD_ENDPOINT in scope.get("path", "")):
            cookies = _cookies(scope)
            try:
                allowed = await run_in_threadpool(may_upload, cookies)
            except Exception:  # the store unreachable: refuse, never a traceback
                _LOG.exception("upload guard: the session could not be checked")
                allowed = False
            if not allowed:
                await _refused(403, "web.upload_refused")(scope, receive, send)
                return
        await self.app(scope, receive, send)


def may_upload(cookies: Mapping[str, str], *, settings: Settings | None = None, now: dt.datetime | None = None) -> bool:
    """True when a request with ``cookies`` may upload: a live session of an active staff or admin account, or an
    SSO identity the role mapping makes staff."""
    conf = settings or load_settings()
    actor = web_sessions.holder(shared.store(), cookies.get(web_sessions.COOKIE),
                                idle=dt.timedelta(minutes=conf.session_minutes), now=now)
    if actor is not None and actor.can(Role.STAFF):
        return True
    if not sso_configured():
        return False
    from streamlit.web.server.server_util import get_cookie_secret

    email = sso_email(cookies, get_cookie_secret())
    role = role_for_email(email, conf.sso_roles, conf.sso_default_role or None) if email else None
    return role is not None and role.rank >= Role.STAFF.rank


def sso_email(cookies: Mapping[str, str], secret: str) -> str:
    """The e-mail address in Streamlit's identity cookie when its signature under ``secret`` holds and it says the
    user is signed in ("" otherwise; any surprise in its format refuses)."""
    from streamlit.auth_util import get_cookie_with_chunks
    from streamlit.web.server.starlette.starlette_app_utils import decode_signed_value

    def one(name: str) -> bytes | None:
        value = cookies.get(name)
        return decode_signed_value(secret, name, value.encode("latin-1")) if value else None

    try:
        raw = get_cookie_with_chunks(one, SSO_COOKIE)
        payload = json.loads(raw) if raw else {}
    except (ValueError, UnicodeError):
        return ""
    if not isinstance(payload, dict) or payload.get("is_logged_in") is not True:
        return ""
    email = payload.get("email")
    return email if isinstance(email, str) else ""


def sso_configured() -> bool:
    """True when ``[auth]`` is configured in ``.streamlit/secrets.toml`` (Streamlit's OIDC ``st.login``)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


async def _session_post(request: Request) -> Response:
    """Exchange the grant in the body for the session cookie (same origin only, once, by the signing-in browser)."""
    if not _same_origin(request):
        return _refused(403, "web.refused")
    body = await _small_body(request)
    if body is None:
        return _refused(413, "web.refused")
    conf = load_settings()
    try:
        result = await run_in_threadpool(
            web_sessions.exchange, shared.store(), body.decode("ascii", "replace").strip(),
            browser=browser_key(request.cookies.get(XSRF_COOKIE)), client=_client(request, conf))
    except Exception:
        _LOG.exception("session route: the grant could not be exchanged")
        return _refused(503, "web.unavailable")
    if result.why:
        _LOG.info("session route: grant refused (%s)", result.why)
        return _refused(409 if result.why in ("used", "ended") else 403, "web.refused")
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    response.set_cookie(web_sessions.COOKIE, result.token, path=cookie_path(), secure=_secure(request, conf),
                        httponly=True, samesite="strict")
    return response


async def _session_delete(request: Request) -> Response:
    """End the session the cookie names (the page has already ended it, audited) and clear the cookie."""
    if not _same_origin(request):
        return _refused(403, "web.refused")
    key = web_sessions.token_key(request.cookies.get(web_sessions.COOKIE))
    if key:
        try:
            await run_in_threadpool(web_sessions.revoke, shared.store(), key, why="sign_out")
        except Exception:  # the cookie is cleared all the same
            _LOG.exception("session route: the session could not be ended")
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    response.delete_cookie(web_sessions.COOKIE, path=cookie_path(), secure=_secure(request, load_settings()),
                           httponly=True, samesite="strict")
    return response


def _same_origin(request: Request) -> bool:
    """True for a request a page of this app made: the browser says so (``Sec-Fetch-Site``, when it sends it) and
    its ``Origin`` names the host the request was sent to."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site != "same-origin":
        return False
    origin, host = request.headers.get("origin", ""), request.headers.get("host", "")
    return bool(origin and host) and urlsplit(origin).netloc.lower() == host.lower()


async def _small_body(request: Request) -> bytes | None:
    """The request's body, or None when it is longer than :data:`MAX_BODY` (not read further)."""
    declared = request.headers.get("content-length", "")
    if declared and (not declared.isdigit() or int(declared) > MAX_BODY):
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            return None
    return body


def _secure(request: Request, conf: Settings) -> bool:
    """Mark the cookie Secure: the request came over https (behind the proxy: its X-Forwarded-Proto, trusted from
    127.0.0.1 by the server), or the settings say so."""
    return conf.secure_cookie or request.url.scheme == "https"


def _client(request: Request, conf: Settings) -> str:
    header = request.headers.get(conf.client_header) if conf.client_header else None
    address = header or (request.client.host if request.client else "")
    return address.split(",")[0].strip()[:100]


def _cookies(scope: Scope) -> dict[str, str]:
    raw = b"; ".join(value for name, value in scope.get("headers", []) if name == b"cookie")
    return cookie_parser(raw.decode("latin-1"))


def _refused(status: int, key: str) -> PlainTextResponse:
    """A short answer in both languages (read by no user: the page shows its own message)."""
    return PlainTextResponse(f"{t(key, 'vi')} / {t(key, 'en')}", status_code=status,
                             headers={"Cache-Control": "no-store"})
