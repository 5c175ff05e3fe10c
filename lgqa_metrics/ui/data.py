"""Cached access to the store, keyed by the data version so new uploads show at once."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lgqa_metrics.catalogue import Catalogue, default_catalogue
from lgqa_metrics.store import Store
from lgqa_metrics.units import UnitRegistry, default_registry


@st.cache_resource
def get_store() -> Store:
    """One store per server process (URL from LGQA_DATABASE_URL or the default SQLite file)."""
    return Store.open()


def catalogue() -> Catalogue:
    """The indicator catalogue."""
    return default_catalogue()


def registry() -> UnitRegistry:
    """The unit registry."""
    return default_registry()


@st.cache_data(max_entries=4, show_spinner=False)
def _ratings(version: str) -> pd.DataFrame:
    return get_store().ratings()


@st.cache_data(max_entries=4, show_spinner=False)
def _submissions(version: str) -> pd.DataFrame:
    return get_store().submissions()


def data_version() -> str:
    """The store's current data version."""
    return get_store().data_version()


def current_ratings() -> pd.DataFrame:
    """The current ratings in long form, reloaded whenever anything new is stored."""
    return _ratings(data_version())


def submissions() -> pd.DataFrame:
    """Every stored submission (all versions)."""
    return _submissions(data_version())
