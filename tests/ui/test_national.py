"""The analysis pages at national scale: a synthetic store with hundreds of units in two provinces.
Above ``scope.UNIT_LIMIT`` units the views summarise by area, list the worst units, page the ranking
and find units by name; choosing a district brings back the unit-by-unit views."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lgqa_metrics.analysis import scope
from lgqa_metrics.domain.textnorm import fold
from lgqa_metrics.store.database import Store
from lgqa_metrics.synthetic.synth import SynthSpec, generate
from lgqa_metrics.synthetic.synth_write import write_store
from lgqa_metrics.ui import state
from lgqa_metrics.ui.components import PAGE_ROWS
from tests.ui.conftest import open_app, use_copy

YEARS = (2023, 2024)


@pytest.fixture(scope="session")
def _national_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("national") / "national.sqlite"
    write_store(generate(SynthSpec(units=300, years=YEARS, seed=7)), f"sqlite:///{path}")
    return path


@pytest.fixture
def national(_national_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    """A private copy of the synthetic national store, used by the app."""
    return Store.open(use_copy(_national_file, tmp_path, monkeypatch))


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, at.exception
    return at


def _frame(at: AppTest, n: int) -> pd.DataFrame:
    """The n-th table of the page (Streamlit keeps no key on a read-only table)."""
    return at.dataframe[n].value


def _chart(at: AppTest, n: int) -> str:
    """The n-th chart's figure as JSON text with its non-ASCII text readable."""
    return json.dumps(json.loads(at.get("plotly_chart")[n].proto.spec), ensure_ascii=False)


def _districts_of(store: Store, province: str) -> list[str]:
    frame = scope.with_areas(store.rating_table(), store.registry)
    return scope.districts(frame, province)


def test_the_overview_sums_up_by_province_and_lists_the_worst_units(national: Store) -> None:
    at = _ok(open_app("app_pages/overview.py"))
    ratings = scope.with_areas(national.rating_table(), national.registry)
    this_year = ratings[ratings["year"] == YEARS[-1]]
    provinces = scope.provinces(this_year)
    assert len(provinces) >= 2 and scope.unit_count(this_year) > scope.UNIT_LIMIT
    matrix = json.loads(_chart(at, 0))
    names = [national.registry[p].name for p in provinces]
    assert sorted(matrix["data"][0]["y"]) == sorted(names), "one matrix row per province"
    assert all(len(c.proto.spec) < 1_000_000 for c in at.get("plotly_chart")), "each chart's payload stays small"
    areas = _frame(at, 0)
    assert sorted(areas.iloc[:, 0]) == sorted(names)
    assert areas.iloc[:, 1].sum() == scope.unit_count(this_year)
    worst = _frame(at, 1)
    ranked = scope.ranked_units(this_year, YEARS[-1], national.registry)
    assert len(worst) == scope.LIST_ROWS
    assert list(worst.iloc[:, 1]) == list(ranked["unit_name"].iloc[::-1].head(scope.LIST_ROWS))
    assert worst.iloc[:, 5].is_monotonic_increasing, "worst index first"


def test_choosing_a_province_then_a_district_narrows_to_single_units(national: Store) -> None:
    at = _ok(open_app("app_pages/overview.py"))
    ratings = scope.with_areas(national.rating_table(), national.registry)
    province = scope.provinces(ratings)[0]
    at.selectbox(key=state.PROVINCE).set_value(province)
    _ok(at.run())
    districts = _districts_of(national, province)
    matrix = _chart(at, 0)
    assert all(national.registry[d].name in matrix for d in districts if d in national.registry)
    district = districts[0]
    at.selectbox(key=state.DISTRICT).set_value(district)
    _ok(at.run())
    units = ratings[(ratings["district_id"] == district) & (ratings["year"] == YEARS[-1])]["unit_id"].unique()
    assert 0 < len(units) <= scope.UNIT_LIMIT
    matrix = _chart(at, 0)
    assert all(national.registry[str(u)].name in matrix for u in units), "the unit-by-unit matrix"
    assert not at.dataframe, "no area table and no worst list"


def test_a_unit_is_found_by_its_name_without_accents(national: Store) -> None:
    at = _ok(open_app("app_pages/overview.py"))
    unit = national.registry[str(national.rating_table()["unit_id"].iloc[0])]
    from lgqa_metrics.domain.textnorm import fold
    at.text_input(key=state.UNIT_SEARCH).input(fold(unit.name).upper())
    _ok(at.run())
    hits = _frame(at, 2)
    assert unit.name in set(hits.iloc[:, 1])
    at.text_input(key=state.UNIT_SEARCH).input("no such unit anywhere")
    _ok(at.run())
    assert any("no such unit anywhere" in i.value for i in at.info)


def test_the_compare_ranking_is_paged_and_profiles_the_weakest_units(national: Store) -> None:
    at = _ok(open_app("app_pages/compare.py"))
    first = _frame(at, 0)
    assert len(first) == PAGE_ROWS and list(first.iloc[:, 0])[:1] == [1]
    at.number_input(key="ranking_page").set_value(2)
    _ok(at.run())
    second = _frame(at, 0)
    assert second.iloc[0, 0] >= first.iloc[-1, 0] and set(second.iloc[:, 1]) != set(first.iloc[:, 1])
    wanted = str(second.iloc[3, 1])  # a unit on the second page, found by its name typed without accents
    at.text_input(key="ranking_search").input(fold(wanted))
    _ok(at.run())
    found = _frame(at, 0)
    assert wanted in set(found.iloc[:, 1]) and len(found) < PAGE_ROWS
    assert all(fold(wanted) in fold(" ".join(map(str, row))) for row in found.itertuples(index=False))
    assert any("tìm thấy" in c.value for c in at.caption), "the count says rows were found, of how many"
    radar = _chart(at, 0)
    ratings = scope.with_areas(national.rating_table(), national.registry)
    worst = scope.worst_units(scope.ranked_units(ratings[ratings["year"] == YEARS[-1]], YEARS[-1], national.registry), 6)
    assert all(name in radar for name in worst["unit_name"])


@pytest.mark.parametrize("page", ["app_pages/trends.py", "app_pages/indicator.py", "app_pages/data.py", "app_pages/submissions.py"])
def test_the_other_pages_summarise_or_cap_at_national_scale(national: Store, page: str) -> None:
    at = _ok(open_app(page))
    for frame in at.dataframe:
        assert len(frame.value) <= scope.TABLE_ROWS
    if page == "app_pages/trends.py":
        lines = _chart(at, 0)
        assert all(national.registry[p].name in lines for p in scope.provinces(
            scope.with_areas(national.rating_table(), national.registry)))
        assert any("quận/huyện" in i.value for i in at.info), "detail asks for a district"
    if page == "app_pages/submissions.py":
        areas = _frame(at, 0)
        assert len(areas) == len(scope.provinces(scope.with_areas(national.rating_table(), national.registry)))


@pytest.fixture(scope="session")
def _reformed_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("reformed") / "reformed.sqlite"
    write_store(generate(SynthSpec(units=400, years=(2024, 2025), seed=11)), f"sqlite:///{path}")
    return path


def test_the_scope_choices_follow_the_hierarchy_of_the_year_shown(_reformed_file: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """2024: provinces → districts → communes; 2025, after the reform: the merged provinces, no districts."""
    store = Store.open(use_copy(_reformed_file, tmp_path, monkeypatch))
    ratings = scope.with_areas(store.rating_table(), store.registry)
    expected = {year: sorted(p for p in ratings.loc[ratings["year"] == year, "province_id"].unique() if p)
                for year in (2024, 2025)}
    assert expected[2024] != expected[2025]
    at = _ok(open_app("app_pages/overview.py"))
    assert at.selectbox(key=state.YEAR).value == 2025
    assert at.selectbox(key=state.PROVINCE).options[1:] == [store.registry[p].name for p in expected[2025]]
    at.selectbox(key=state.PROVINCE).set_value(expected[2025][0])
    _ok(at.run())
    assert not [s for s in at.selectbox if s.key == state.DISTRICT], "no district choice after the reform"
    at.selectbox(key=state.PROVINCE).set_value("")
    at.selectbox(key=state.YEAR).set_value(2024)
    _ok(at.run())
    assert at.selectbox(key=state.PROVINCE).options[1:] == [store.registry[p].name for p in expected[2024]]
    province = expected[2024][0]
    at.selectbox(key=state.PROVINCE).set_value(province)
    _ok(at.run())
    districts = scope.districts(ratings[ratings["year"] == 2024], province)
    assert len(at.selectbox(key=state.DISTRICT).options) == len(districts) + 1
    store.close()


def test_at_national_scale_a_new_unit_found_by_name_is_followed_through_its_predecessors(
        _reformed_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(use_copy(_reformed_file, tmp_path, monkeypatch))
    merged = next(u for u in store.registry.units
                  if u.reports_for(2025) and len(store.lineage.predecessors(u.id)) >= 2
                  and u.type.value in ("phuong", "xa"))
    at = _ok(open_app("app_pages/trends.py"))
    assert "Chỉ số tổng hợp" in _chart(at, 0) and not at.multiselect, "one line per area, nothing followed yet"
    at.text_input(key=state.TREND_FIND).set_value(fold(merged.name).upper())
    _ok(at.run())
    assert f"{merged.name} ({merged.id})" in at.multiselect(key=state.TREND_UNITS).options
    at.multiselect(key=state.TREND_UNITS).set_value([merged.id])
    _ok(at.run())
    spec = json.loads(_chart(at, 0))
    names = {tr.get("name") for tr in spec["data"] if tr.get("mode") == "lines+markers"}
    assert names == {merged.name, f"{merged.name} — tiền thân"}
    predecessors = {store.registry[k.from_id].name for k in store.lineage.predecessors(merged.id)}
    note = " ".join(c.value for c in at.caption)
    assert all(name in note for name in predecessors), note
    store.close()
