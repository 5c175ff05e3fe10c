"""The compact ratings table (``Store.rating_table``) holds exactly what ``Store.ratings`` holds, less the
text, on both backends; and the scope helpers that summarise it at national scale."""

from __future__ import annotations

import pandas as pd
import pytest

from lgqa_metrics.analysis import scope
from lgqa_metrics.domain.catalogue import default_catalogue
from lgqa_metrics.domain.units import UnitRegistry
from lgqa_metrics.services.ingest import ingest_bytes
from lgqa_metrics.store.database import Store
from lgqa_metrics.store.packed import COLUMNS, PACK_BASE, unpack_ratings
from lgqa_metrics.synthetic.synth import SynthSpec, generate
from lgqa_metrics.synthetic.synth_write import write_store
from tests.support.returns import filled_template, pattern


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Categoricals as plain values, for comparing frames cell by cell."""
    return frame.astype({c: object for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)})


def test_the_compact_table_equals_the_long_table_without_text(store_url: str) -> None:
    store = Store.open(store_url)
    for unit, year, shift, evidence in [("q-le-chan", 2022, 0, "QĐ số {code}/QĐ-UBND"), ("q-le-chan", 2023, 2, ""),
                                        ("x-an-thang", 2023, 1, "Không có")]:
        ingest_bytes(store, filled_template(unit, year, pattern(shift), evidence), f"{unit}-{year}.xlsx")
    # A second version supersedes the first: only the current one counts.
    ingest_bytes(store, filled_template("x-an-thang", 2023, pattern(3)), "x-an-thang-2023-v2.xlsx")
    compact, full = store.rating_table(), store.ratings()
    assert list(compact.columns) == list(COLUMNS)
    assert len(compact) == len(full) == 3 * 39
    pd.testing.assert_frame_equal(_plain(compact), _plain(full[list(COLUMNS)]), check_dtype=False)
    assert compact["rating"].dtype == "category" and compact["unit_id"].dtype == "category"
    assert set(compact["evidence_status"]) == {"evidenced", "missing", "not_required"}
    store.close()


def test_an_empty_store_gives_an_empty_table_with_every_column(store_url: str) -> None:
    frame = Store.open(store_url).rating_table()
    assert frame.empty and list(frame.columns) == list(COLUMNS)


def test_unpacking_skips_codes_outside_the_catalogue() -> None:
    cat = default_catalogue()
    good = chr(PACK_BASE) + chr(PACK_BASE + 2) + chr(PACK_BASE)  # the first indicator, green, evidenced
    stray = chr(PACK_BASE + 60) + chr(PACK_BASE) + chr(PACK_BASE)  # no 61st indicator
    subs = pd.DataFrame({"submission_id": [7], "unit_id": ["u"], "year": [2024], "version": [1]})
    units = pd.DataFrame({"unit_id": ["u"], "unit_name": ["Xã U"], "unit_type": ["xa"]})
    frame = unpack_ratings([(7, good + stray)], subs, units, cat)
    assert frame[["indicator_code", "rating", "evidence_status", "score"]].astype(object).values.tolist() == [
        [cat.codes[0], "green", "evidenced", 2]]


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, UnitRegistry]:
    """Ratings of a small synthetic country with their areas (300 units, one year), and its registry."""
    url = f"sqlite:///{tmp_path_factory.mktemp('national') / 'n.sqlite'}"
    write_store(generate(SynthSpec(units=300, years=(2024,), seed=5)), url)
    store = Store.open(url)
    frame = scope.with_areas(store.rating_table(), store.registry)
    store.close()
    return frame, store.registry


def test_every_unit_lies_in_a_province_and_a_district_of_it(national: tuple[pd.DataFrame, UnitRegistry]) -> None:
    ratings, _ = national
    units = ratings.drop_duplicates("unit_id")
    assert (units["province_id"] != "").all() and (units["district_id"] != "").all()
    for province in scope.provinces(ratings):
        inside = scope.Scope(province).apply(ratings)
        assert set(scope.districts(ratings, province)) == set(inside["district_id"])
    assert scope.summarised(ratings) and not scope.summarised(
        scope.Scope(district=scope.districts(ratings)[0]).apply(ratings))


def test_the_area_matrix_is_the_red_share_of_each_area_and_indicator(national: tuple[pd.DataFrame, UnitRegistry]) -> None:
    ratings, _ = national
    grid, counts = scope.area_matrix(ratings, "province_id", default_catalogue())
    assert sorted(grid.index) == scope.provinces(ratings) and list(grid.columns) == list(default_catalogue().codes)
    province, code = grid.index[0], grid.columns[0]
    cell = ratings[(ratings["province_id"] == province) & (ratings["indicator_code"] == code)]
    assessed = cell["rating"].isin(["red", "yellow", "green"]).sum()
    assert grid.at[province, code] == pytest.approx((cell["rating"] == "red").sum() / assessed)
    assert counts["assessed"].sum() == ratings["rating"].isin(["red", "yellow", "green"]).sum()


def test_worst_units_and_search_come_from_the_ranking(national: tuple[pd.DataFrame, UnitRegistry]) -> None:
    ratings, registry = national
    ranked = scope.ranked_units(ratings, 2024, registry)
    worst = scope.worst_units(ranked, 5)
    assert list(worst["index"]) == sorted(ranked["index"])[:5]
    name = str(worst["unit_name"].iloc[0])
    hits = scope.search_units(ranked, name.upper().replace(" ", "  "))
    assert name in set(hits["unit_name"]) and len(hits) <= scope.LIST_ROWS
    assert scope.search_units(ranked, "   ").empty and scope.search_units(ranked, "zzzz-none").empty
    assert (ranked["province"] != "").all() and (ranked["district"] != "").all()


def test_the_profiles_draw_the_chosen_units_or_by_default_the_weakest(national: tuple[pd.DataFrame, UnitRegistry]) -> None:
    ratings, registry = national
    ranked = scope.ranked_units(ratings, 2024, registry)
    weakest = list(scope.worst_units(ranked, scope.PROFILE_UNITS)["unit_id"])
    assert scope.profiled_units([], ranked, many=True) == weakest
    chosen = [str(u) for u in ranked["unit_id"].head(scope.PROFILE_UNITS + 3)]
    assert scope.profiled_units(chosen, ranked, many=True) == chosen[:scope.PROFILE_UNITS]
    assert scope.profiled_units(chosen, ranked, many=False) == chosen
