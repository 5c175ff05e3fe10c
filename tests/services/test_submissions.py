"""Submission tracking tables: completeness grid, version history and the rejected-file log."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from lgqa_metrics.domain.units import Unit, UnitRegistry, UnitType, default_registry
from lgqa_metrics.services import submissions as subs
from lgqa_metrics.services.ingest import ingest_bytes
from lgqa_metrics.store.database import Store
from tests.support import builders
from tests.support.builders import docx_bytes
from tests.support.returns import filled_template, pattern


@pytest.fixture
def db_url(store_url: str) -> str:
    """Every store test here runs on SQLite and on PostgreSQL."""
    return store_url


def _ingest(store: Store, unit: str, year: int, shift: int, name: str = "") -> None:
    ingest_bytes(store, filled_template(unit, year, pattern(shift)), name or f"{unit}-{year}-{shift}.xlsx",
                 uploader="dashboard")


def test_grid_marks_received_versions_missing_units_and_counts_each_year(store: Store) -> None:
    _ingest(store, "q-le-chan", 2022, 0)
    _ingest(store, "q-le-chan", 2023, 0)
    _ingest(store, "q-le-chan", 2023, 1)
    _ingest(store, "x-an-thang", 2023, 2)
    grid = subs.completeness_grid(store.submissions(), default_registry(), [2022, 2023])
    labels = grid.labels
    assert list(labels.columns) == ["Đơn vị", "Loại", "2022", "2023"]
    assert list(labels.index) == sorted(builders.pilot_ids(), key=list(labels.index).index)
    assert len(labels) == 12, "the units answering for 2022 or 2023, not the successors of 2025"
    assert labels.loc["q-le-chan", "2023"] == "v2" and labels.loc["q-le-chan", "2022"] == "v1"
    assert labels.loc["x-an-thang", "2022"] == "Thiếu"
    assert grid.status.loc["x-an-thang", "2023"] == subs.RECEIVED
    assert grid.status.loc["h-vinh-bao", "2023"] == subs.MISSING
    assert grid.received == {2022: 1, 2023: 2} and grid.expected == {2022: 12, 2023: 12}
    assert list(labels.index[:3]) == ["q-hong-bang", "q-kien-an", "q-le-chan"], "quận first, by name"


def test_units_that_did_not_exist_in_a_year_are_not_expected(store: Store) -> None:
    later = Unit("p-moi", UnitType.PHUONG, "Phường Mới", "Moi Ward", None, (), dt.date(2023, 1, 1), None, ())
    registry = UnitRegistry([default_registry()["q-le-chan"], later])
    _ingest(store, "q-le-chan", 2022, 0)
    grid = subs.completeness_grid(store.submissions(), registry, [2022, 2023], "en")
    assert grid.labels.loc["p-moi", "2022"] == "–" and grid.status.loc["p-moi", "2022"] == subs.NOT_EXPECTED
    assert grid.labels.loc["p-moi", "2023"] == "Missing"
    assert grid.expected == {2022: 1, 2023: 2}
    alone = subs.completeness_grid(store.submissions(), registry, [2022], "en")
    assert "p-moi" not in alone.labels.index, "a unit answering for none of the years shown has no row"
    assert list(grid.labels.columns[:2]) == ["Unit", "Type"] and grid.labels.loc["p-moi", "Type"] == "Ward"


def test_history_choices_and_table_newest_first(store: Store) -> None:
    _ingest(store, "q-le-chan", 2023, 0, "first.xlsx")
    _ingest(store, "q-le-chan", 2023, 1, "second.xlsx")
    _ingest(store, "x-an-thang", 2022, 0)
    choices = subs.history_choices(store.submissions(), default_registry())
    assert choices == {"q-le-chan": [2023], "x-an-thang": [2022]}
    table = subs.history_table(store.history("q-le-chan", 2023), "vi")
    assert list(table.columns) == ["Phiên bản", "Trạng thái", "Thời điểm nộp", "Người nộp", "Tệp", "Trang tính"]
    assert list(table["Phiên bản"]) == [2, 1]
    assert list(table["Trạng thái"]) == ["Hiện hành", "Đã thay thế"]
    assert list(table["Tệp"]) == ["second.xlsx", "first.xlsx"]
    stamp = table["Thời điểm nộp"].iloc[0]
    assert len(stamp) == 16 and stamp[2] == "/" and stamp[5] == "/", stamp


def test_times_are_shown_in_vietnam_time() -> None:
    history = pd.DataFrame({"version": [1], "status": ["current"], "uploaded_at": [dt.datetime(2026, 11, 24, 20, 30)],
                            "uploader": ["cli"], "file_name": ["a.xlsx"], "sheet": ["S"]})
    assert subs.history_table(history, "en")["Uploaded at"].iloc[0] == "2026-11-25 03:30"


def test_rejected_log_lists_rejected_files_newest_first(store: Store) -> None:
    _ingest(store, "q-le-chan", 2023, 0)
    ingest_bytes(store, docx_bytes(), "BaoCao.docx", uploader="dashboard")
    ingest_bytes(store, b"", "empty.xlsx", uploader="dashboard")
    bad = subs.rejected(store.intake_log())
    assert list(bad["file_name"]) == ["empty.xlsx", "BaoCao.docx"]
    table = subs.intake_table(bad, default_registry(), "en")
    assert list(table.columns) == ["When", "Uploaded by", "File", "Sheet", "Unit", "Year", "Status"]
    assert set(table["Status"]) == {"Rejected"} and set(table["Unit"]) == {"–"}
    assert subs.intake_label(bad.iloc[1], "vi").endswith("· BaoCao.docx")


def test_an_empty_store_has_no_years_and_no_choices(store: Store) -> None:
    assert subs.submission_years(store.submissions()) == []
    assert subs.history_choices(store.submissions(), default_registry()) == {}
    assert subs.rejected(store.intake_log()).empty


def test_every_stored_status_has_a_label() -> None:
    for status in ("current", "superseded", "accepted", "duplicate", "rejected"):
        assert subs.status_label(status, "vi") != subs.status_label(status, "en")


def test_units_of_a_type_that_does_not_report_come_after_the_reporting_types_not_as_an_error() -> None:
    """A province (tỉnh) is registered but sends no return; should one still hold a submission, the lists
    put it after the reporting types (and unregistered ids last) instead of failing."""
    base = default_registry()
    province = Unit("t-hp", UnitType.TINH, "Thành phố Hải Phòng", "Hai Phong City", None, (), None, None, ())
    registry = UnitRegistry((*base.units, province))
    stored = pd.DataFrame({"unit_id": ["x-la", "t-hp", "q-hong-bang"], "year": [2023, 2023, 2023]})
    assert list(subs.history_choices(stored, registry)) == ["q-hong-bang", "t-hp", "x-la"]
