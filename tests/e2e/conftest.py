"""Browser fixtures: Debian's headless Chromium shell must be there under CI; elsewhere its absence skips."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from lgqa_metrics.domain.paths import SAMPLES_DIR
from lgqa_metrics.domain.roles import Actor, Role, cli_actor
from lgqa_metrics.services.ingest import ingest_paths
from lgqa_metrics.store import audit
from lgqa_metrics.store.accounts import Accounts
from lgqa_metrics.store.database import Store
from tests.e2e.server import ADMIN, ADMIN_PASSWORD, CHROMIUM, STAFF, STAFF_PASSWORD, chromium, streamlit_server


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium for the whole session."""
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: .ci/run must install Debian's chromium-headless-shell")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium-headless-shell)")
    with chromium() as b:
        yield b


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One server per test worker for the browser tests that read and change nothing but sessions: the bundled
    demo returns (twelve units in 2022 and 2023, their six successors in 2025), a staff account and an administrator, and audit entries of the
    kinds that once showed English (a failed sign-in, a role change, an export of ratings with its filters, a
    refused download)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'e2e.sqlite'}"
    store = Store.open(url)
    ingest_paths(store, [SAMPLES_DIR], uploader="e2e")
    accounts = Accounts(store)
    accounts.add(cli_actor(), STAFF, STAFF_PASSWORD, Role.STAFF)
    accounts.add(cli_actor(), ADMIN, ADMIN_PASSWORD, Role.ADMIN)
    accounts.add(cli_actor(), "hoa", "staff-password-2", Role.STAFF)
    accounts.sign_in("hoa", "wrong-password-1", client="10.0.0.5")
    admin = Actor(ADMIN, Role.ADMIN)
    accounts.set_role(admin, "hoa", Role.VIEWER)
    audit.record_now(store.engine, admin, "export", target="xlsx", details={
        "what": "ratings", "rows": 1234, "filters": {"years": [2023], "units": ["q-le-chan"]}})
    audit.record_now(store.engine, admin, "download_refused", target="ratings.csv", details={"reason": "expired"})
    store.close()
    with streamlit_server(url) as base:
        yield base
