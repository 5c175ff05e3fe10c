"""A real Streamlit server on a free loopback port and Debian's headless Chromium, for browser tests."""

from __future__ import annotations

import contextlib
import http.cookies
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
#: The process of each server a test started, by base URL (for a test that watches its memory).
PROCESSES: dict[str, subprocess.Popen[bytes]] = {}
#: Debian's ``chromium-headless-shell``: the same engine as ``chromium`` without the browser around it (what
#: Playwright itself runs for headless Chromium); a page load costs about half the CPU of the full browser's. A
#: machine with only Debian's ``chromium`` runs the browser tests in it (``LGQA_CHROMIUM`` names another).
CHROMIUM = os.environ.get("LGQA_CHROMIUM") or next(
    (path for path in ("/usr/bin/chromium-headless-shell", "/usr/bin/chromium") if os.path.exists(path)),
    "/usr/bin/chromium-headless-shell")
#: The accounts of the shared demo server (tests/e2e/conftest.py): a staff member and an administrator.
STAFF, STAFF_PASSWORD = "lan", "staff-password-1"
ADMIN, ADMIN_PASSWORD = "quan-tri", "admin-password-1"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


@contextlib.contextmanager
def stream(url: str, xsrf: str, *, session_id: str | None = None, page_name: str | None = None,
           seconds: float = 30.0) -> Iterator[Iterator[Any]]:
    """A websocket client of our own on the server's ``/_stcore/stream`` (no browser: only the XSRF cookie
    ``xsrf``), reconnecting to ``session_id`` when given: it asks for one run (of ``page_name``) and yields the
    server's messages (``ForwardMsg``) as they come, for up to ``seconds``."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.sync.client import connect

    protocols = ["streamlit", xsrf, *([session_id] if session_id else [])]
    with connect(f"ws://{url.removeprefix('http://')}/_stcore/stream", subprotocols=protocols,  # type: ignore[arg-type]
                 additional_headers={"Cookie": f"_streamlit_xsrf={xsrf}", "Origin": url}, open_timeout=20) as ws:
        rerun = BackMsg()
        if page_name is None:
            rerun.rerun_script.SetInParent()
        else:
            rerun.rerun_script.page_name = page_name
        ws.send(rerun.SerializeToString())

        def messages() -> Iterator[Any]:
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                try:
                    payload = ws.recv(timeout=1)
                except TimeoutError:
                    continue
                msg = ForwardMsg()
                msg.ParseFromString(payload if isinstance(payload, bytes) else payload.encode())
                yield msg

        yield messages()


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def streamlit_server(db_url: str | None, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """Run the dashboard as scripts/run.sh does (``streamlit run serve.py``: the dashboard with the app's own
    session route and upload guard) on loopback until the block ends; yields its base URL."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(extra_env or {})}
    if db_url:
        env["LGQA_DATABASE_URL"] = db_url
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "serve.py"), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
                raise RuntimeError(f"streamlit did not start:\n{out[-3000:]}")
            time.sleep(0.3)
        PROCESSES[url] = proc
        yield url
    finally:
        PROCESSES.pop(url, None)
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def xsrf_cookie(url: str) -> str:
    """The XSRF cookie the server gives any client that asks (as it gives every browser): a new one each time."""
    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as resp:
        jar: http.cookies.SimpleCookie = http.cookies.SimpleCookie()
        for header in resp.headers.get_all("Set-Cookie") or []:
            jar.load(header)
    return jar["_streamlit_xsrf"].value


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Debian's headless Chromium shell, driven by Playwright (no browser download)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


#: The app's root element once the server is connected and no script run is under way or asked for (Streamlit's
#: frontend keeps both states as attributes of its root, as its own browser tests read them).
APP_IDLE = ("[data-testid='stApp'][data-test-connection-state='CONNECTED']"
            "[data-test-script-state='notRunning']")
#: Elements of a finished run still drawn as stale (faded) or skeletons: the page has not settled yet.
UNSETTLED = "[data-stale='true'], [data-testid='stSkeleton'], [data-testid='stStatusWidget']"


def wait_until_idle(page: Any, timeout_ms: int = 60_000) -> None:
    """Wait until the Streamlit script run has finished and the page has settled: the app connected and its run
    over, nothing stale left, and still so a moment later (a widget's change asks for its rerun within that
    moment)."""
    page.wait_for_selector("[data-testid='stSidebarNav'] >> text=/Tổng quan|Overview/", timeout=timeout_ms)
    page.wait_for_selector("h1", timeout=timeout_ms)
    settled = (f"() => !!document.querySelector(\"{APP_IDLE}\")"
               f" && !document.querySelector(\"{UNSETTLED}\")")
    for _ in range(2):
        page.wait_for_function(settled, timeout=timeout_ms)
        page.wait_for_timeout(250)
    page.wait_for_function(settled, timeout=timeout_ms)


def go_to(page: Any, title: str, timeout_ms: int = 60_000) -> None:
    """Open a page through the sidebar navigation (in the same Streamlit session: filters and choices kept)."""
    page.locator("[data-testid='stSidebarNav'] a").get_by_text(title, exact=True).click()  # a link, not a section
    page.locator("h1", has_text=title).first.wait_for(timeout=timeout_ms)
    wait_until_idle(page, timeout_ms)


def session_cookie(page: Any, timeout_s: float = 20) -> dict[str, Any] | None:
    """The browser's ``lgqa_session`` cookie as Playwright reports it (every attribute), waited for up to
    ``timeout_s`` seconds; None when it never came."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = next((c for c in page.context.cookies() if c["name"] == "lgqa_session"), None)
        if found is not None or time.monotonic() > deadline:
            return found
        page.wait_for_timeout(200)


def sign_in(page: Any, url: str, username: str, password: str, *, at: str = "account") -> None:
    """Sign in through the sign-in form of the page at the address ``at``: the Account page, or a page that needs a
    role, which asks for the password and then opens itself, as a bookmark would. Wait until the sidebar names
    the user and the browser holds its session cookie (the page hands it over a moment after the password was
    accepted)."""
    page.goto(f"{url}/{at}")
    wait_until_idle(page)
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.locator("[data-testid='stSidebar']").get_by_text(f"👤 {username} · ").wait_for(timeout=60_000)
    wait_until_idle(page)
    assert session_cookie(page) is not None, "the browser was given its session cookie"
