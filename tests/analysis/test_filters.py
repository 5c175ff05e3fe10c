"""Filters over the long ratings table: an empty choice keeps everything, choices combine with AND."""

from __future__ import annotations

import pandas as pd
import pytest

from lgqa_metrics.analysis.filters import RatingFilter, filter_options, filter_ratings, rows_matching
from lgqa_metrics.domain.catalogue import default_catalogue
from tests.support.builders import CODES, QUADRANT_SIZES

UNITS = {"q-le-chan": ("Quận Lê Chân", "quan"), "x-an-thang": ("Xã An Thắng", "xa"),
         "p-cat-dai": ("Phường Cát Dài", "phuong")}
CYCLE = ("green", "yellow", "red", "na", "missing")


@pytest.fixture
def long_table() -> pd.DataFrame:
    """Three units × two years × 39 indicators; each unit-year's ratings cycle through the five states."""
    rows = []
    for u, (unit_id, (name, unit_type)) in enumerate(UNITS.items()):
        for year in (2022, 2023):
            for i, code in enumerate(CODES):
                rows.append({"unit_id": unit_id, "unit_name": name, "unit_type": unit_type, "year": year,
                             "quadrant": int(code.split(".")[0]), "indicator_code": code,
                             "rating": CYCLE[(i + u + year) % len(CYCLE)]})
    return pd.DataFrame(rows)


def test_no_choice_keeps_every_row(long_table: pd.DataFrame) -> None:
    out = filter_ratings(long_table)
    assert len(out) == len(long_table) == 3 * 2 * 39
    assert list(out.index) == list(range(len(out)))


def test_each_filter_restricts_its_own_column(long_table: pd.DataFrame) -> None:
    assert set(filter_ratings(long_table, years=[2023])["year"]) == {2023}
    assert set(filter_ratings(long_table, units=["x-an-thang"])["unit_id"]) == {"x-an-thang"}
    assert set(filter_ratings(long_table, unit_types=["quan", "phuong"])["unit_id"]) == {"q-le-chan", "p-cat-dai"}
    assert len(filter_ratings(long_table, quadrants=[2])) == 3 * 2 * QUADRANT_SIZES[2]
    assert set(filter_ratings(long_table, indicators=["1.10", "4.9"])["indicator_code"]) == {"1.10", "4.9"}
    assert set(filter_ratings(long_table, ratings=["red"])["rating"]) == {"red"}


def test_choices_combine_and_values_are_compared_by_type(long_table: pd.DataFrame) -> None:
    out = filter_ratings(long_table, years=["2022"], unit_types=("xa",), quadrants=("3",), ratings=["green", "red"])
    expected = long_table[(long_table["year"] == 2022) & (long_table["unit_type"] == "xa")
                          & (long_table["quadrant"] == 3) & long_table["rating"].isin(["green", "red"])]
    assert len(out) == len(expected) > 0
    assert set(out["indicator_code"]) == set(expected["indicator_code"])


def test_a_choice_matching_nothing_gives_an_empty_table_with_the_same_columns(long_table: pd.DataFrame) -> None:
    out = filter_ratings(long_table, units=["q-le-chan"], unit_types=["xa"])
    assert out.empty and list(out.columns) == list(long_table.columns)


def test_rating_filter_applies_the_same_choices(long_table: pd.DataFrame) -> None:
    chosen = RatingFilter(years=(2023,), quadrants=(1, 4), ratings=("na",))
    assert chosen.active and not RatingFilter().active
    pd.testing.assert_frame_equal(chosen.apply(long_table),
                                  filter_ratings(long_table, years=[2023], quadrants=[1, 4], ratings=["na"]))


def test_describe_names_each_filter_and_its_values_in_words() -> None:
    cat = default_catalogue()
    chosen = RatingFilter(years=(2023, 2022), units=("x-an-thang",), unit_types=("xa", "quan"), quadrants=(2,),
                          indicators=("1.10", "1.9"), ratings=("red", "green"))
    vi = chosen.describe(cat, {"x-an-thang": "Xã An Thắng"}, "vi")
    assert vi == {
        "Năm": ["2022", "2023"],
        "Loại đơn vị": ["Quận", "Xã"],
        "Đơn vị": ["Xã An Thắng"],
        "Góc phần tư": [f"II. {cat.quadrants[2].name_vi}"],
        "Chỉ số": [f"1.9 · {cat['1.9'].name_vi}", f"1.10 · {cat['1.10'].name_vi}"],
        "Kết quả": ["Xanh lá", "Đỏ"],
    }
    en = RatingFilter().describe(cat, {}, "en")
    assert list(en) == ["Years", "Unit types", "Units", "Quadrants", "Indicators", "Ratings"]
    assert all(v == [] for v in en.values()), "an empty list means all"


def test_options_offer_what_the_table_holds_in_display_order(long_table: pd.DataFrame) -> None:
    cat = default_catalogue()
    options = filter_options(long_table, cat)
    assert options.years == (2022, 2023)
    assert options.units == ("q-le-chan", "p-cat-dai", "x-an-thang"), "quận, then phường, then xã"
    assert options.unit_names["p-cat-dai"] == "Phường Cát Dài"
    assert options.quadrants == (1, 2, 3, 4)
    assert options.ratings == ("green", "yellow", "red", "na", "missing")
    assert options.indicators(cat) == CODES
    assert options.indicators(cat, [4]) == tuple(c for c in CODES if c.startswith("4."))


def test_options_of_an_empty_table_are_empty() -> None:
    empty = pd.DataFrame(columns=["unit_id", "unit_name", "unit_type", "year", "quadrant", "indicator_code", "rating"])
    options = filter_options(empty, default_catalogue())
    assert options.years == () and options.units == ()


def test_a_table_search_finds_rows_by_any_text_cell_without_accents_or_case() -> None:
    table = pd.DataFrame({"Hạng": [1, 2, 3], "Đơn vị": ["Quận Hồng Bàng", "Huyện An Lão", "Xã Tiên Minh"],
                          "Ghi chú": ["", "Đang hoàn thiện hồ sơ", "hồng"]})
    assert list(rows_matching(table, "HONG BANG")["Hạng"]) == [1]
    assert list(rows_matching(table, "hong")["Hạng"]) == [1, 3], "any text column, in the table's order"
    assert list(rows_matching(table, "ho so")["Hạng"]) == [2]
    assert list(rows_matching(table, "  ")["Hạng"]) == [1, 2, 3], "a blank search keeps every row"
    assert rows_matching(table, "Hải Dương").empty
    assert rows_matching(table, "2").empty, "numbers are not searched as text"
