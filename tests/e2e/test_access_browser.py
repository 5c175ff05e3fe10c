"""Access checked at the moment of use, in a real headless Chromium against the real Streamlit server: a page
left open after its account was disabled downloads nothing, and the audit trail shows the refusal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lgqa_metrics.domain.roles import Role, cli_actor
from lgqa_metrics.services.ingest import ingest_bytes
from lgqa_metrics.store import audit
from lgqa_metrics.store.accounts import Accounts
from lgqa_metrics.store.database import Store
from tests.e2e.server import sign_in, streamlit_server, wait_until_idle
from tests.support.returns import filled_template, pattern

pytestmark = pytest.mark.browser


def test_a_disabled_account_downloads_nothing_from_a_page_left_open(browser: Any, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'e2e.sqlite'}"
    store = Store.open(db)
    accounts = Accounts(store)
    accounts.add(cli_actor(), "lan", "staff-password-1", Role.STAFF)
    ingest_bytes(store, filled_template("q-le-chan", 2023, pattern(0)), "LeChan_2023.xlsx", isolated=False)
    with streamlit_server(db) as url:
        page = browser.new_page(viewport={"width": 1440, "height": 1600}, accept_downloads=True)
        sign_in(page, url, "lan", "staff-password-1", at="data")
        wait_until_idle(page)
        with page.expect_download(timeout=60_000) as first:
            page.get_by_role("button", name="Tải CSV", exact=True).click()
        assert Path(first.value.path()).read_bytes(), "while the account is active the file is built"

        accounts.disable(cli_actor(), "lan")  # an admin disables the account; the page stays open, no rerun
        downloads: list[Any] = []
        page.on("download", lambda download: downloads.append(download))
        page.get_by_role("button", name="Tải CSV", exact=True).click()
        page.wait_for_timeout(5_000)
        assert downloads == [], "nothing is built for an account disabled since the page was shown"
        refused = audit.audit_log(store.engine, actions=["download_refused"])
        assert list(refused["actor"]) == ["lan"] and list(refused["target"]) == ["ratings.csv"]
        assert "disabled" in refused["details"].iloc[0]
        exports = audit.audit_log(store.engine, actions=["export"])
        assert len(exports) == 1, "only the first download was built (and audited as an export)"
        page.close()
    store.close()


def test_the_first_anonymous_visitor_after_a_start_is_never_sent_the_admin_pages(browser: Any, tmp_path: Path) -> None:
    """With a ``pages/`` folder beside the entry script, Streamlit's legacy mode sent a new server's first visitor
    the list of every page, admin pages included, for about a second; with ``app_pages/`` only the navigation the
    role allows is ever sent. Every message from the server is read, from the first."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    db = f"sqlite:///{tmp_path / 'e2e.sqlite'}"
    Store.open(db).close()
    with streamlit_server(db) as url:
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        sent: list[str] = []

        def read(payload: bytes | str) -> None:
            msg = ForwardMsg()
            msg.ParseFromString(payload if isinstance(payload, bytes) else payload.encode())
            sent.append(str(msg))

        page.on("websocket", lambda ws: ws.on("framereceived", read))
        page.goto(f"{url}/audit")  # a deep link to an admin page, as a first visitor might type it
        wait_until_idle(page)
        page.wait_for_timeout(2_000)
        assert sent, "the server's messages were read"
        everything = "\n".join(sent)
        for admin_only in ("Nhật ký hệ thống", "Quản lý tài khoản", "admin_accounts", "admin_data"):
            assert admin_only not in everything, admin_only
        page.close()
