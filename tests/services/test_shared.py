"""The store handle and the ratings table are shared by every session and survive Streamlit's "clear cache"
message, which any browser may send (it empties st.cache_data and st.cache_resource for all sessions)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import streamlit as st

from lgqa_metrics.services import shared
from lgqa_metrics.services.ingest import ingest_bytes
from lgqa_metrics.store.database import Store
from tests.support.returns import filled_template, pattern


@pytest.fixture
def pointed(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("LGQA_DATABASE_URL", db_url)
    yield db_url
    shared.reset()


def test_a_clear_cache_message_rebuilds_nothing_shared(pointed: str, monkeypatch: pytest.MonkeyPatch) -> None:
    store = shared.store()
    ingest_bytes(store, filled_template("q-le-chan", 2023, pattern(0)), "a.xlsx", isolated=False)
    builds: list[str] = []
    real = Store.rating_table
    monkeypatch.setattr(Store, "rating_table", lambda self: builds.append("built") or real(self))
    first = shared.ratings()
    st.cache_data.clear()  # what Streamlit does on a client's "clear cache" message
    st.cache_resource.clear()
    assert shared.store() is store and shared.ratings() is first and builds == ["built"]
    ingest_bytes(store, filled_template("q-le-chan", 2024, pattern(1)), "b.xlsx", isolated=False)
    assert len(shared.ratings()) == len(first) + 39 and builds == ["built", "built"], "new data: rebuilt once"


def test_sessions_asking_at_once_build_the_table_once(pointed: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from concurrent.futures import ThreadPoolExecutor

    ingest_bytes(shared.store(), filled_template("q-le-chan", 2023, pattern(0)), "a.xlsx", isolated=False)
    builds: list[str] = []
    real = Store.rating_table
    monkeypatch.setattr(Store, "rating_table", lambda self: builds.append("built") or real(self))
    with ThreadPoolExecutor(max_workers=8) as pool:
        tables = list(pool.map(lambda _: shared.ratings(), range(8)))
    assert builds == ["built"] and all(t is tables[0] for t in tables)
