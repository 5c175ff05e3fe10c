"""What every session of a dashboard process shares: the store handle and the compact ratings table.

They are held here, not in Streamlit's caches: any browser, signed in or not, can send Streamlit's "clear cache"
message, which empties ``st.cache_data`` and ``st.cache_resource`` for every session at once — one visitor could
make every other session reopen the store and rebuild a national ratings table (seconds each) on every click.
A holder here is replaced only when the store's data version changes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

import pandas as pd

from lgqa_metrics.analysis import basis, scope
from lgqa_metrics.domain.basis import Basis
from lgqa_metrics.store.appraisals import Appraisals, Overlay
from lgqa_metrics.store.database import Store
from lgqa_metrics.store.url import resolve_url

T = TypeVar("T")


class Versioned(Generic[T]):
    """One value per data version: built on first use, rebuilt when the version changes, kept meanwhile (the
    build runs once however many sessions ask at the same time)."""

    def __init__(self, build: Callable[[str], T]) -> None:
        self._build = build
        self._lock = threading.Lock()
        self._held: tuple[str, T] | None = None

    def get(self, version: str) -> T:
        """The value for ``version``."""
        held = self._held
        if held is not None and held[0] == version:
            return held[1]
        with self._lock:
            if self._held is None or self._held[0] != version:
                self._held = (version, self._build(version))
            return self._held[1]

    def forget(self) -> None:
        """Drop the value (the next use builds it again): after the store's reference data changed."""
        with self._lock:
            self._held = None


_STORES_LOCK = threading.Lock()
_STORES: dict[str, Store] = {}


def store() -> Store:
    """The store this process is pointed at (``LGQA_DATABASE_URL`` or the default SQLite file), opened once."""
    url = resolve_url()
    held = _STORES.get(url)
    if held is None:
        with _STORES_LOCK:
            held = _STORES.get(url)
            if held is None:
                held = _STORES[url] = Store.open(url)
    return held


def _ratings_of(key: str) -> pd.DataFrame:
    held = store()
    return scope.with_areas(held.rating_table(), held.registry)


#: The compact ratings table of the current store and data version, shared read-only by every session.
RATINGS: Versioned[pd.DataFrame] = Versioned(_ratings_of)


def _overlay_of(key: str) -> Overlay:
    return Appraisals(store()).overlay()


#: The appraisals the figures count (accepted returns and their appraised ratings), per data version.
OVERLAY: Versioned[Overlay] = Versioned(_overlay_of)


def _on_basis(chosen: Basis) -> Versioned[pd.DataFrame]:
    def build(key: str) -> pd.DataFrame:
        version = key.rpartition("|")[0]
        held = OVERLAY.get(version)
        return basis.apply(RATINGS.get(version), held.accepted, held.overrides, chosen)
    return Versioned(build)


#: The ratings table counted on each basis (see :mod:`lgqa_metrics.analysis.basis`), per data version.
ON_BASIS: dict[Basis, Versioned[pd.DataFrame]] = {b: _on_basis(b) for b in Basis}


def overlay() -> Overlay:
    """The accepted appraisals of the current data version."""
    return OVERLAY.get(f"{resolve_url()}#{store().data_version()}")


def ratings(chosen: Basis = Basis.COMBINED) -> pd.DataFrame:
    """The current ratings table (see :meth:`Store.rating_table`) counted on ``chosen`` basis, rebuilt only when
    something was stored or appraised."""
    version = f"{resolve_url()}#{store().data_version()}"
    return ON_BASIS[chosen].get(f"{version}|{chosen.value}")


def reset() -> None:
    """Close the stores and drop the table: the next use opens them again (after the unit registry or the
    indicator catalogue was replaced, whose copies the store holds)."""
    with _STORES_LOCK:
        stores = list(_STORES.values())
        _STORES.clear()
    RATINGS.forget()
    OVERLAY.forget()
    for held_basis in ON_BASIS.values():
        held_basis.forget()
    for held in stores:
        held.close()
