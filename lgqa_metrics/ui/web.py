"""The dashboard's own HTTP routes, served beside Streamlit's by ``serve.py`` (``st.App``, Starlette): the session
route, which turns a sign-in's one-time grant into the HTTP-only ``lgqa_session`` cookie and clears it at
sign-out. The design of sessions is in :mod:`lgqa_metrics.web_sessions`."""

from __future__ import annotations

import logging
from typing import Final
from urllib.parse import urlsplit

import streamlit as st
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from lgqa_metrics import shared, web_sessions
from lgqa_metrics.binding import XSRF_COOKIE, browser_key
from lgqa_metrics.i18n import t
from lgqa_metrics.settings import Settings, load_settings

#: The session route, under the app's base path.
SESSION_ROUTE: Final = "lgqa/session"
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


def _refused(status: int, key: str) -> PlainTextResponse:
    """A short answer in both languages (read by no user: the page shows its own message)."""
    return PlainTextResponse(f"{t(key, 'vi')} / {t(key, 'en')}", status_code=status,
                             headers={"Cache-Control": "no-store"})
