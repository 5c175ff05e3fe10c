"""A sign-in survives a reload, bound to its browser by the app's own HTTP-only cookie: real headless Chromium
against the real server (``streamlit run serve.py``)."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from lgqa_metrics.domain.roles import Role, cli_actor
from lgqa_metrics.services.binding import browser_key
from lgqa_metrics.store import audit, web_sessions
from lgqa_metrics.store.accounts import Accounts
from lgqa_metrics.store.database import Store
from tests.e2e.server import go_to, session_cookie, sign_in, streamlit_server, wait_until_idle, xsrf_cookie

pytestmark = pytest.mark.browser

PASSWORD = "staff-password-1"
SIGNED_IN = "lan · Cán bộ"  # the sidebar's caption while lan is signed in
UPLOAD = "Nộp báo cáo"  # the Upload page: in the navigation of staff only


def _signed_in(page: Any) -> bool:
    return page.locator("[data-testid='stSidebar']").get_by_text(SIGNED_IN).count() > 0


def test_a_sign_in_survives_a_reload_until_the_browser_signs_out(browser: Any, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'e2e.sqlite'}"
    store = Store.open(db)
    Accounts(store).add(cli_actor(), "lan", PASSWORD, Role.STAFF)
    with streamlit_server(db) as url:
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        page = context.new_page()
        sign_in(page, url, "lan", PASSWORD)
        cookie = session_cookie(page)
        assert cookie is not None
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
        assert cookie["expires"] == -1, "a browser-session cookie: it ends when the browser is closed"
        assert not cookie["secure"], "plain http on loopback: Secure only over https (or when the settings say so)"
        assert "lgqa_session" not in page.evaluate("document.cookie"), "no script on the page can read it"

        page.reload()  # a new Streamlit session in the same browser
        wait_until_idle(page)
        assert _signed_in(page), "still signed in after the reload, without typing the password again"
        go_to(page, UPLOAD)
        assert page.locator("[data-testid='stFileUploaderDropzoneInput']").count() == 1

        page.locator("[data-testid='stSidebarNav']").get_by_role("link", name="Tài khoản").click()
        page.get_by_role("button", name="Đăng xuất").click()
        page.get_by_role("button", name="Đăng nhập").wait_for(timeout=60_000)
        for _ in range(50):  # the page clears the cookie a moment after the sign-out
            if session_cookie(page, timeout_s=0) is None:
                break
            page.wait_for_timeout(200)
        assert session_cookie(page, timeout_s=0) is None, "the sign-out cleared the cookie"
        page.reload()
        wait_until_idle(page)
        assert not _signed_in(page) and page.get_by_label("Tên đăng nhập").count() == 1, "signed out after a reload"
        context.close()

        kept = browser.new_context(viewport={"width": 1440, "height": 900})  # the old cookie, kept by someone
        kept.add_cookies([{"name": cookie["name"], "value": cookie["value"], "url": url, "httpOnly": True,
                           "sameSite": "Strict"}])
        stale = kept.new_page()
        stale.goto(f"{url}/account")
        wait_until_idle(stale)
        assert not _signed_in(stale), "a signed-out session's cookie signs nobody in: it was revoked on the server"
        kept.close()
    actions = list(audit.audit_log(store.engine, actions=["sign_in", "session_started", "session_resumed",
                                                          "sign_out"])["action"])
    assert actions[::-1] == ["sign_in", "session_started", "session_resumed", "sign_out"]
    store.close()


def _post(url: str, body: str, *, xsrf: str, origin: str | None, site: str | None = "same-origin") -> tuple[int, str]:
    """POST ``body`` to the session route as a page script would (or not); the status and the Set-Cookie header."""
    headers = {"Content-Type": "text/plain", "Cookie": f"_streamlit_xsrf={xsrf}"}
    if origin is not None:
        headers["Origin"] = origin
    if site is not None:
        headers["Sec-Fetch-Site"] = site
    request = urllib.request.Request(f"{url}/lgqa/session", data=body.encode(), method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=15) as resp:
            return resp.status, resp.headers.get("Set-Cookie", "")
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Set-Cookie", "") or ""


def test_the_session_route_gives_the_cookie_once_to_the_signing_in_browser_and_page(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'e2e.sqlite'}"
    store = Store.open(db)
    Accounts(store).add(cli_actor(), "lan", PASSWORD, Role.STAFF)
    with streamlit_server(db) as url:
        xsrf, stranger = xsrf_cookie(url), xsrf_cookie(url)
        started = web_sessions.start(store, "lan", browser=browser_key(xsrf))  # as a sign-in on the page does
        refused = [
            _post(url, started.grant, xsrf=xsrf, origin="http://evil.example"),  # another site's page
            _post(url, started.grant, xsrf=xsrf, origin=url, site="cross-site"),
            _post(url, started.grant, xsrf=xsrf, origin=None),
            _post(url, started.grant, xsrf=stranger, origin=url),  # the grant, shown by another browser
            _post(url, started.grant + " " * 1000, xsrf=xsrf, origin=url),
        ]
        assert [status for status, _ in refused] == [403, 403, 403, 403, 413]
        assert not any(cookie for _, cookie in refused)

        status, cookie = _post(url, started.grant, xsrf=xsrf, origin=url)
        assert status == 204
        attributes = [part.strip() for part in cookie.split(";")]
        token = attributes[0].removeprefix("lgqa_session=")
        assert web_sessions.digest(token) == started.key
        assert {"HttpOnly", "SameSite=strict", "Path=/"} <= set(attributes)
        assert not any(a.lower().startswith(("max-age", "expires", "secure")) for a in attributes), attributes

        assert _post(url, started.grant, xsrf=xsrf, origin=url)[0] == 409, "a grant is good once"
        assert web_sessions.holder(store, token, idle=web_sessions.LONGEST) is None, "its reuse ended the session"
    store.close()
