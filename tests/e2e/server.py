"""A real Streamlit server on a free loopback port and Debian's headless Chromium, for browser tests."""

from __future__ import annotations

import contextlib
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
CHROMIUM = os.environ.get("LGQA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def streamlit_server(db_url: str | None, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """Run ``streamlit run dashboard.py`` on loopback until the block ends; yields its base URL."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(extra_env or {})}
    if db_url:
        env["LGQA_DATABASE_URL"] = db_url
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"), "--server.headless", "true",
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
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (no browser download)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def wait_until_idle(page: Any, timeout_ms: int = 60_000) -> None:
    """Wait until the Streamlit script run has finished and the page has settled."""
    page.wait_for_selector("[data-testid='stAppViewContainer']", timeout=timeout_ms)
    page.wait_for_selector("[data-testid='stSidebarNav'] >> text=/Tổng quan|Overview/", timeout=timeout_ms)
    page.wait_for_selector("h1", timeout=timeout_ms)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && !document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=timeout_ms)
    page.wait_for_timeout(1500)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout_ms)


def go_to(page: Any, title: str, timeout_ms: int = 60_000) -> None:
    """Open a page through the sidebar navigation (a reload would start a new, signed-out session)."""
    page.locator("[data-testid='stSidebarNav']").get_by_text(title, exact=True).click()
    page.locator("h1", has_text=title).first.wait_for(timeout=timeout_ms)
    wait_until_idle(page, timeout_ms)


def sign_in(page: Any, url: str, username: str, password: str) -> None:
    """Sign in through the Account page's form."""
    page.goto(f"{url}/account")
    wait_until_idle(page)
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_text("Đã đăng nhập").wait_for(timeout=60_000)
    wait_until_idle(page)
