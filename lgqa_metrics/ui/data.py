"""Cached access to the store, keyed by the data version so new uploads show at once."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lgqa_metrics.store import Store


@st.cache_resource
def get_store() -> Store:
    """One store per server process (URL from LGQA_DATABASE_URL or the default SQLite file)."""
    return Store.open()


@st.cache_data(max_entries=8, show_spinner=False)
def _ratings(version: str) -> pd.DataFrame:
    return get_store().ratings()


def current_ratings() -> pd.DataFrame:
    """The current ratings in long form, reloaded whenever anything new is stored."""
    store = get_store()
    return _ratings(store.data_version())
