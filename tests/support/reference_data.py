"""A private copy of the reference files (``units.csv`` and ``catalogue/``) under ``LGQA_DATA_DIR``, so tests
that replace them never touch the real ``data/`` folder, and helpers that edit CSV text."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REAL_UNITS = ROOT / "data" / "units.csv"
REAL_INDICATORS = ROOT / "data" / "catalogue" / "indicators.csv"


@pytest.fixture
def data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the reference files in a temporary data folder, named by ``LGQA_DATA_DIR``.

    Read no returns while it is active: the isolated reader's worker processes inherit the environment
    and are reused by later tests, so one started now would look for its data in this folder."""
    folder = tmp_path / "data"
    (folder / "catalogue").mkdir(parents=True)
    shutil.copyfile(REAL_UNITS, folder / "units.csv")
    for path in (ROOT / "data" / "catalogue").glob("*.csv"):
        shutil.copyfile(path, folder / "catalogue" / path.name)
    monkeypatch.setenv("LGQA_DATA_DIR", str(folder))
    return folder


def edit_csv(path: Path, change: Callable[[list[dict[str, str]]], list[dict[str, str]]]) -> bytes:
    """The bytes of ``path`` (a UTF-8 CSV) after ``change`` has edited its rows; the file is not written."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = list(reader.fieldnames or [])
        rows = change([dict(r) for r in reader])
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def unit_row(unit_id: str, name: str, name_en: str = "", unit_type: str = "xa", parent: str = "") -> dict[str, str]:
    """One row of ``units.csv``."""
    return {"id": unit_id, "type": unit_type, "name": name, "name_en": name_en, "parent_id": parent, "aliases": "",
            "valid_from": "2025-07-01", "valid_to": "", "successor_ids": "", "note": "test"}


@pytest.fixture
def lineage_copy(data_copy: Path) -> Path:
    """:func:`data_copy` with a copy of the lineage crosswalk beside the registry (without it, the registry's own
    ``successor_ids`` are the only lineage, so registry edits are checked on their own)."""
    shutil.copyfile(REAL_UNITS.with_name("lineage.csv"), data_copy / "lineage.csv")
    return data_copy
