"""A session id is not enough to take over a signed-in session: a websocket client of its own (no browser) that
reconnects to ``/_stcore/stream`` giving the id of an administrator's session is not signed in as that
administrator — not even with the administrator's own XSRF cookie (readable by any script on the page), only with
the HTTP-only session cookie. Against the real server, the victim signed in through a real headless Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from lgqa_metrics.domain.roles import Role, cli_actor
from lgqa_metrics.store import audit
from lgqa_metrics.store.accounts import Accounts
from lgqa_metrics.store.database import Store
from tests.e2e.server import go_to, sign_in, stream, streamlit_server, xsrf_cookie

pytestmark = pytest.mark.browser

ADMIN_ONLY = "Nhật ký hệ thống"  # the Audit trail page's title: only an administrator sees it


def _session_id(frames: list[bytes]) -> str:
    """The id of the browser's session, from the first NewSession message the server sent it."""
    for payload in frames:
        msg = ForwardMsg()
        msg.ParseFromString(payload)
        if msg.HasField("new_session"):
            return str(msg.new_session.initialize.session_id)
    raise AssertionError("no NewSession message seen")


def _texts(msg: ForwardMsg) -> str:
    """Every text a delta carries (titles, markdown, captions, buttons' labels), as one string."""
    return str(msg.delta) if msg.HasField("delta") else ""


def _take_over(url: str, xsrf: str, session_id: str, page_name: str) -> str:
    """Reconnect to ``session_id`` as a client of our own (our own XSRF cookie and token, no other cookie),
    ask for ``page_name`` and gather the page's texts for a few seconds."""
    texts: list[str] = []
    with stream(url, xsrf, session_id=session_id, page_name=page_name, seconds=12) as messages:
        for msg in messages:
            texts.append(_texts(msg))
            if msg.HasField("script_finished"):
                break
    return "\n".join(texts)


def test_a_stolen_session_id_does_not_sign_a_stranger_in(browser: Any, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'e2e.sqlite'}"
    Accounts(Store.open(db)).add(cli_actor(), "root", "root-password-1", Role.ADMIN)
    with streamlit_server(db) as url:
        page = browser.new_page(viewport={"width": 1440, "height": 1200})
        frames: list[bytes] = []
        page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(
            payload if isinstance(payload, bytes) else payload.encode())))
        sign_in(page, url, "root", "root-password-1")  # (an administration page's address asks no visitor to sign in)
        go_to(page, ADMIN_ONLY)  # the victim sees the admin page
        victim = _session_id(frames)
        seen = _take_over(url, xsrf_cookie(url), victim, "audit")  # the XSRF cookie any visitor is given
        assert seen, "the server answered the reconnecting client"
        assert ADMIN_ONLY not in seen and "root · Quản trị" not in seen, "the stranger must not see the admin's pages"
        refused = audit.audit_log(Store.open(db).engine, actions=["session_refused"])
        assert list(refused["target"]) == ["root"], "the attempt is in the audit trail"

        victims_xsrf = next(c["value"] for c in page.context.cookies() if c["name"] == "_streamlit_xsrf")
        seen = _take_over(url, victims_xsrf, victim, "audit")  # the XSRF cookie is not HTTP-only: a script reads it
        assert seen and ADMIN_ONLY not in seen and "root · Quản trị" not in seen, \
            "a new connection without the session cookie is refused, whatever XSRF token it shows"

        page.reload()  # the victim's own browser: still signed in (its session cookie), no password typed again
        go_to(page, ADMIN_ONLY)
        page.close()
