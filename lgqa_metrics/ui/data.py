"""Access to the store, keyed by the data version so new uploads show at once.

The store handle and the compact ratings table are held once per server process by :mod:`lgqa_metrics.services.shared`
(every session shares the same frame, nothing is copied per rerun, and no browser can clear them); the text of
the ratings a view shows (evidence, notes) is fetched for those rows alone, in Streamlit's cache (cheap to
fetch again should a browser clear it)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from lgqa_metrics.analysis import basis, scope
from lgqa_metrics.domain.basis import Basis
from lgqa_metrics.domain.catalogue import Catalogue, default_catalogue
from lgqa_metrics.domain.units import UnitRegistry
from lgqa_metrics.intake.mapping import LayoutMapping
from lgqa_metrics.services import shared
from lgqa_metrics.store import layout_mappings
from lgqa_metrics.store.database import Store
from lgqa_metrics.ui import state


def get_store() -> Store:
    """One store per server process (URL from LGQA_DATABASE_URL or the default SQLite file)."""
    return shared.store()


def catalogue() -> Catalogue:
    """The indicator catalogue."""
    return default_catalogue()


def registry() -> UnitRegistry:
    """The unit registry in effect for the store (the store's own, or ``data/units.csv``)."""
    return get_store().registry


@st.cache_data(max_entries=64, show_spinner=False)
def _detail(version: str, years: tuple[int, ...], units: tuple[str, ...], indicators: tuple[str, ...]) -> pd.DataFrame:
    store = get_store()
    held = shared.overlay()
    return basis.apply(scope.with_areas(store.ratings(years=years, units=units, indicators=indicators), store.registry),
                       held.accepted, held.overrides, chosen_basis())


def chosen_basis() -> Basis:
    """The ratings the figures count, as chosen in the sidebar (default: appraised where there is an appraisal)."""
    return Basis(st.session_state.get(state.BASIS, Basis.COMBINED.value))


@st.cache_data(max_entries=4, show_spinner=False)
def _submissions(version: str) -> pd.DataFrame:
    return get_store().submissions()


def data_version() -> str:
    """The key of what the figures are drawn from: the store's data version and the basis chosen (a figure on
    another basis is another figure)."""
    return f"{get_store().data_version()}|{chosen_basis().value}"


def current_ratings() -> pd.DataFrame:
    """The current ratings in long form without their text (see ``Store.rating_table``), with each
    unit's province and district, counted on the chosen basis; reloaded whenever anything new is stored or
    appraised. Shared: never modify it."""
    return shared.ratings(chosen_basis())


def detail_ratings(years: Sequence[int] = (), units: Sequence[str] = (), indicators: Sequence[str] = ()) -> pd.DataFrame:
    """The current ratings with evidence, notes and cells, of the chosen years, units and indicators
    (an empty choice means all: keep at least one narrow)."""
    return _detail(data_version(), tuple(int(y) for y in years), tuple(str(u) for u in units),
                   tuple(str(c) for c in indicators))


def submissions() -> pd.DataFrame:
    """Every stored submission (all versions)."""
    return _submissions(data_version())


def mappings() -> dict[str, LayoutMapping]:
    """The store's confirmed column mappings (a small table, read on every run: a confirmation shows at once)."""
    return layout_mappings.stored(get_store().engine)


def mappings_version(found: dict[str, LayoutMapping]) -> str:
    """A key that changes whenever a mapping is confirmed or deleted (for caches of files read with them)."""
    return "|".join(f"{fp}:{m.to_json()}" for fp, m in sorted(found.items()))
