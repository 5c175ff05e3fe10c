"""Which ratings the figures count (self-assessed, appraised, or appraised where there is an appraisal) and the gap
between self-assessment and appraisal; expected values written out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from lgqa_metrics.analysis import analytics, appraisal
from lgqa_metrics.analysis.basis import apply
from lgqa_metrics.domain.basis import Basis
from tests.analysis.test_analytics import CODES, frame

#: Lê Chân's 2023 return (submission 1) has been appraised: two greens were found yellow and red, one red green.
RATINGS = frame({("q-le-chan", 2023): {"1.1": "green", "1.2": "green", "1.3": "red", "1.4": "yellow", "1.5": "na"},
                 ("x-an-thang", 2023): {"1.1": "green", "1.2": "green"},
                 ("q-le-chan", 2022): {"1.1": "yellow"}})
RATINGS["submission_id"] = [{("q-le-chan", 2023): 1, ("x-an-thang", 2023): 2, ("q-le-chan", 2022): 3}[(u, y)]
                            for u, y in zip(RATINGS["unit_id"], RATINGS["year"], strict=True)]
RATINGS["score"] = RATINGS["rating"].map({"red": 0, "yellow": 1, "green": 2}).astype("Int64")
OVERRIDES = pd.DataFrame({"submission_id": [1, 1, 1, 2], "indicator_code": ["1.1", "1.2", "1.3", "1.1"],
                          "appraised": ["yellow", "red", "green", "red"]})  # submission 2's is a draft: not accepted
ACCEPTED = frozenset({1})


def _of(frame_: pd.DataFrame, unit: str, year: int, code: str) -> str:
    row = frame_[(frame_["unit_id"] == unit) & (frame_["year"] == year) & (frame_["indicator_code"] == code)]
    return str(row["rating"].item())


def test_the_combined_basis_counts_the_appraised_rating_of_appraised_returns_only() -> None:
    both = apply(RATINGS, ACCEPTED, OVERRIDES, Basis.COMBINED)
    assert [_of(both, "q-le-chan", 2023, c) for c in ("1.1", "1.2", "1.3", "1.4", "1.5")] == [
        "yellow", "red", "green", "yellow", "na"]
    assert _of(both, "x-an-thang", 2023, "1.1") == "green"  # in review: its draft does not count
    assert _of(both, "q-le-chan", 2022, "1.1") == "yellow"
    lc = both[(both["unit_id"] == "q-le-chan") & (both["year"] == 2023)].set_index("indicator_code")
    assert list(lc.loc[["1.1", "1.2", "1.3"], "self_rating"]) == ["green", "green", "red"]
    assert list(lc.loc[["1.1", "1.2", "1.3"], "score"]) == [1, 0, 2]
    assert set(both.loc[both["submission_id"] == 1, "appraised"]) == {True}
    assert set(both.loc[both["submission_id"] != 1, "appraised"]) == {False}


def test_the_self_basis_counts_what_units_said_and_the_appraised_basis_only_appraised_returns() -> None:
    own = apply(RATINGS, ACCEPTED, OVERRIDES, Basis.SELF)
    pd.testing.assert_series_equal(own["rating"], RATINGS["rating"])
    only = apply(RATINGS, ACCEPTED, OVERRIDES, Basis.APPRAISED)
    assert set(only["submission_id"]) == {1} and len(only) == len(CODES)
    assert apply(RATINGS, frozenset(), OVERRIDES.iloc[0:0], Basis.APPRAISED).empty


def test_figures_follow_the_basis() -> None:
    ranked = analytics.ranking(apply(RATINGS, ACCEPTED, OVERRIDES, Basis.COMBINED), 2023).set_index("unit_id")
    assert (ranked.loc["q-le-chan", "green"], ranked.loc["q-le-chan", "red"]) == (1, 1)
    assert bool(ranked.loc["q-le-chan", "appraised"]) and not bool(ranked.loc["x-an-thang", "appraised"])
    own = analytics.ranking(apply(RATINGS, ACCEPTED, OVERRIDES, Basis.SELF), 2023).set_index("unit_id")
    assert (own.loc["q-le-chan", "green"], own.loc["q-le-chan", "red"]) == (2, 1)


def test_the_gap_counts_who_rated_themselves_higher_than_the_appraiser() -> None:
    both = apply(RATINGS, ACCEPTED, OVERRIDES, Basis.COMBINED)
    [unit] = appraisal.gap_by_unit(both, 2023).to_dict("records")
    # 1.1 green→yellow (+1), 1.2 green→red (+2), 1.3 red→green (-2), 1.4 yellow→yellow; 1.5 n/a and blanks left out
    assert (unit["unit_id"], unit["compared"], unit["over"], unit["under"], unit["same"]) == ("q-le-chan", 4, 2, 1, 1)
    assert unit["mean_gap"] == pytest.approx((1 + 2 - 2 + 0) / 4)
    assert unit["over_share"] == pytest.approx(0.5)
    by_code = appraisal.gap_by_indicator(both, 2023).set_index("indicator_code")
    assert list(by_code.index[:2]) == ["1.2", "1.1"]  # the most over-rated first
    assert by_code.loc["1.3", "under"] == 1
    [year] = appraisal.gap_by_year(both).to_dict("records")
    assert (year["year"], year["units"], year["compared"]) == (2023, 1, 4)
    assert appraisal.gap_by_unit(apply(RATINGS, frozenset(), OVERRIDES.iloc[0:0], Basis.COMBINED), 2023).empty
