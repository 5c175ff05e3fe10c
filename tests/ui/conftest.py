"""AppTest fixtures: a temporary store per test and empty Streamlit caches."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from lgqa_metrics.domain.paths import SAMPLES_DIR
from lgqa_metrics.domain.roles import Role, cli_actor
from lgqa_metrics.services import shared
from lgqa_metrics.services.ingest import ingest_bytes, ingest_paths
from lgqa_metrics.store import web_sessions
from lgqa_metrics.store.accounts import Accounts
from lgqa_metrics.store.database import Store
from lgqa_metrics.ui import navigation, state
from tests.support.returns import filled_template, pattern

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60
PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "app_pages").glob("*.py"))


@pytest.fixture(autouse=True)
def _fresh_caches(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test gets its own database and empty Streamlit caches."""
    monkeypatch.setenv("LGQA_DATABASE_URL", db_url)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()
    shared.reset()


def sign_in_as(at: AppTest, role: Role) -> str:
    """Put an account with ``role`` into the app's store and start its web session (as a sign-in would)."""
    name = f"test-{role.value}"
    store = Store.open()
    accounts = Accounts(store)
    if accounts.actor(name) is None:
        accounts.add(cli_actor(), name, "a-long-test-password", role)
    started = web_sessions.start(store, name, browser="")  # AppTest's runs come without a browser
    at.session_state[state.AUTH_SESSION] = started.key
    at.session_state[state.AUTH_USER] = name
    at.session_state[state.AUTH_CONNECTION] = ""  # nor a connection: the binding of a run without either
    return name


def open_app(page: str | None = None, *, role: Role | str | None = "page") -> AppTest:
    """The dashboard, run once, on ``page`` (a path under app_pages/) when given. ``role``: "page"
    signs in with the role the page needs (none for open pages), a Role signs in with it, None stays
    anonymous."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=TIMEOUT)
    needed = next((p.role for p in navigation.PAGES if p.path == page), None) if role == "page" else role
    if isinstance(needed, Role) and needed is not Role.VIEWER:
        sign_in_as(at, needed)
    if page:
        at.switch_page(page)  # the first run opens the page itself, as its address would
    return at.run()


@pytest.fixture(scope="session")
def _demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store file loaded once with the bundled demo returns."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    store = Store.open(f"sqlite:///{path}")
    ingest_paths(store, [SAMPLES_DIR], uploader="demo")
    store.close()
    return path


def use_copy(source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point the app at a private copy of the store file ``source``; its URL."""
    copy = tmp_path / f"copy-{source.name}"
    shutil.copyfile(source, copy)
    url = f"sqlite:///{copy}"
    monkeypatch.setenv("LGQA_DATABASE_URL", url)
    return url


@pytest.fixture
def demo(_demo_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A private copy of the demo store, used by the app."""
    return use_copy(_demo_file, tmp_path, monkeypatch)


@pytest.fixture
def pilot(store: Store) -> Store:
    """Four units over two years: q-le-chan improves, x-an-thang declines, p-cat-dai 2023 only."""
    returns = {("q-le-chan", 2022): 2, ("q-le-chan", 2023): 0, ("x-an-thang", 2022): 0, ("x-an-thang", 2023): 2,
               ("h-vinh-bao", 2022): 3, ("h-vinh-bao", 2023): 3, ("p-cat-dai", 2023): 1}
    for (unit, year), shift in returns.items():
        ingest_bytes(store, filled_template(unit, year, pattern(shift)), f"{unit}-{year}.xlsx")
    return store
