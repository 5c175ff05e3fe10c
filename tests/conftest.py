"""Shared fixtures: a fresh SQLite store per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lgqa_metrics.store import Store


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """URL of a new SQLite file in the test's temporary folder."""
    return f"sqlite:///{tmp_path / 'lgqa.sqlite'}"


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """A fresh store on a real SQLite file."""
    s = Store.open(db_url)
    yield s
    s.close()
