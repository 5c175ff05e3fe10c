"""Streamlit's upload endpoint is for staff only. An anonymous client of its own (no browser: its own XSRF cookie
and a session it opened itself, as the attack on the issue did) is refused before the server reads its file, and
a flood of such uploads leaves the server's memory as it was. Against the real server (``streamlit run
serve.py``)."""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from lgqa_metrics.domain.roles import Role, cli_actor
from lgqa_metrics.services.binding import browser_key
from lgqa_metrics.store import web_sessions
from lgqa_metrics.store.accounts import Accounts
from lgqa_metrics.store.database import Store
from tests.e2e.server import PROCESSES, stream, streamlit_server, xsrf_cookie

pytestmark = pytest.mark.browser

MB = 1024 * 1024


@contextmanager
def _own_session(url: str, xsrf: str) -> Iterator[str]:
    """A Streamlit session of our own, opened by a websocket client and kept open; yields its id."""
    with stream(url, xsrf) as messages:
        for msg in messages:
            if msg.HasField("new_session"):
                yield str(msg.new_session.initialize.session_id)
                return
    raise AssertionError("the server opened no session")


def _put(url: str, session_id: str, xsrf: str, *, size: int, send: int, wait_s: float, cookie: str = "") -> int | None:
    """PUT a file of ``size`` bytes to the session's upload URL, sending only the first ``send`` bytes of the body
    before waiting up to ``wait_s`` seconds for the answer (``cookie``: a ``lgqa_session`` token to send); its
    status, or None when none came."""
    host, port = url.removeprefix("http://").split(":")
    boundary = uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"r.xlsx\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    body_len = len(head) + size + len(tail)
    cookies = f"_streamlit_xsrf={xsrf}" + (f"; lgqa_session={cookie}" if cookie else "")
    request = (f"PUT /_stcore/upload_file/{session_id}/{uuid.uuid4().hex} HTTP/1.1\r\nHost: {host}:{port}\r\n"
               f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {body_len}\r\n"
               f"X-Xsrftoken: {xsrf}\r\nCookie: {cookies}\r\nOrigin: {url}\r\n\r\n").encode()
    with socket.create_connection((host, int(port)), timeout=wait_s) as sock:
        try:
            sock.sendall(request + head)
            chunk = b"\0" * MB
            left = min(send, size)
            while left > 0:
                sock.sendall(chunk[:left])
                left -= min(left, MB)
            if send >= size:
                sock.sendall(tail)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed without reading the rest
        try:
            answer = sock.recv(4096)
        except (TimeoutError, ConnectionResetError):
            return None
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else None


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """One server for the module (its URL, and its store's): the store holds a staff and a viewer account."""
    db = f"sqlite:///{tmp_path_factory.mktemp('guard') / 'e2e.sqlite'}"
    store = Store.open(db)
    accounts = Accounts(store)
    accounts.add(cli_actor(), "lan", "staff-password-1", Role.STAFF)
    accounts.add(cli_actor(), "minh", "viewer-password-1", Role.VIEWER)
    store.close()
    with streamlit_server(db) as url:
        yield url, db


def test_an_anonymous_upload_is_refused_before_its_body_is_read(server: tuple[str, str]) -> None:
    url, _ = server
    xsrf = xsrf_cookie(url)
    with _own_session(url, xsrf) as session_id:
        started = time.monotonic()
        status = _put(url, session_id, xsrf, size=19 * MB, send=256 * 1024, wait_s=15)
        assert status == 403, "refused at once, while 18.75 MB of the declared body are still unsent"
        assert time.monotonic() - started < 10


def test_a_flood_of_anonymous_uploads_leaves_the_servers_memory_as_it_was(server: tuple[str, str]) -> None:
    url, _ = server
    pid = PROCESSES[url].pid
    xsrf = xsrf_cookie(url)
    with _own_session(url, xsrf) as session_id:
        _put(url, session_id, xsrf, size=MB, send=MB, wait_s=15)  # the upload path warmed up once
        before = _rss_mb(pid)
        statuses = [_put(url, session_id, xsrf, size=8 * MB, send=8 * MB, wait_s=15) for _ in range(12)]
        grown = _rss_mb(pid) - before
    assert not [s for s in statuses if s is not None and s < 400], f"no upload was taken: {statuses}"
    assert grown < 40, f"12 × 8 MB sent, the server grew by {grown:.0f} MB"


def test_a_staff_session_cookie_opens_the_upload_path_and_a_viewers_does_not(server: tuple[str, str]) -> None:
    url, db = server
    store = Store.open(db)
    accounts = Accounts(store)
    xsrf = xsrf_cookie(url)
    tokens = {}
    for name in ("lan", "minh"):  # each signed in as the page would do it, the cookie taken by this client
        started = web_sessions.start(store, name, browser=browser_key(xsrf))
        tokens[name] = web_sessions.exchange(store, started.grant, browser=browser_key(xsrf)).token
    with _own_session(url, xsrf) as session_id:
        assert _put(url, session_id, xsrf, size=MB, send=MB, wait_s=15, cookie=tokens["lan"]) == 204
        assert _put(url, session_id, xsrf, size=MB, send=MB, wait_s=15, cookie=tokens["minh"]) == 403
        accounts.disable(cli_actor(), "lan")
        assert _put(url, session_id, xsrf, size=MB, send=MB, wait_s=15, cookie=tokens["lan"]) == 403, \
            "a disabled account's cookie opens nothing"
    store.close()
