"""AppTest smoke and flow tests of the dashboard on an empty store and on stored returns."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from lgqa_metrics.ingest import ingest_bytes
from lgqa_metrics.store import Store
from tests.returns import filled_template, pattern

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60


@pytest.fixture(autouse=True)
def _fresh_caches(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test gets its own database and empty Streamlit caches."""
    monkeypatch.setenv("LGQA_DATABASE_URL", db_url)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def app() -> AppTest:
    return AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=TIMEOUT)


def test_empty_store_shows_how_to_load_data_and_no_exception() -> None:
    at = app().run()
    assert not at.exception
    assert "demo" in at.info[0].value


def test_stored_returns_show_in_the_summary_and_detail_tables(store: Store) -> None:
    ingest_bytes(store, filled_template("q-le-chan", 2023, pattern()), "a.xlsx")
    ingest_bytes(store, filled_template("x-an-thang", 2023, pattern(1)), "b.xlsx")
    at = app().run()
    assert not at.exception
    summary, detail = at.dataframe[0].value, at.dataframe[1].value
    assert set(summary["Đơn vị"]) == {"Quận Lê Chân", "Xã An Thắng"}
    expected_green = sum(1 for v in pattern().values() if v == "green")
    assert int(summary.loc[summary["Đơn vị"] == "Quận Lê Chân", "Xanh lá"].iloc[0]) == expected_green
    assert len(detail) == 78


def test_unit_type_filter_narrows_the_tables(store: Store) -> None:
    ingest_bytes(store, filled_template("q-le-chan", 2023, pattern()), "a.xlsx")
    ingest_bytes(store, filled_template("x-an-thang", 2023, pattern(1)), "b.xlsx")
    at = app().run()
    at.multiselect(key="filter_unit_types").set_value(["xa"]).run()
    assert not at.exception
    assert set(at.dataframe[0].value["Đơn vị"]) == {"Xã An Thắng"}
    assert len(at.dataframe[1].value) == 39


def test_english_switch_translates_the_page(store: Store) -> None:
    ingest_bytes(store, filled_template("q-le-chan", 2023, pattern()), "a.xlsx")
    at = app().run()
    at.radio(key="lang").set_value("en").run()
    assert not at.exception
    assert at.title[0].value == "Stored returns"
    assert "Unit" in at.dataframe[0].value.columns
