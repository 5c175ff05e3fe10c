"""Aggregates over the long ratings table, checked against hand-built frames."""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd
import pytest

from lgqa_metrics.analysis import analytics
from lgqa_metrics.domain.catalogue import default_catalogue
from lgqa_metrics.domain.units import default_registry
from tests.support import builders


def frame(rows: dict[tuple[str, int], dict[str, str]],
          unevidenced: Collection[tuple[str, int, str]] = ()) -> pd.DataFrame:
    """A long ratings table: (unit, year) -> {code: rating}; other codes are missing. Greens and yellows carry
    evidence, except those (unit, year, code) in ``unevidenced``."""
    reg, cat = default_registry(), default_catalogue()
    out = []
    for (unit, year), ratings in rows.items():
        u = reg[unit]
        for ind in cat.indicators:
            rating = ratings.get(ind.code, "missing")
            lacking = (unit, year, ind.code) in unevidenced
            status = ("missing" if lacking else "evidenced") if rating in ("green", "yellow") else "not_required"
            out.append({"unit_id": unit, "unit_name": u.name, "unit_type": u.type.value, "year": year,
                        "quadrant": ind.quadrant, "indicator_code": ind.code, "indicator_name": ind.name_vi,
                        "rating": rating, "evidence": "" if lacking else f"ev {unit} {ind.code}", "note": "",
                        "evidence_status": status, "version": 1})
    return pd.DataFrame(out)


CODES = default_catalogue().codes


def test_colour_counts_index_excludes_na_and_missing() -> None:
    data = frame({("q-le-chan", 2023): {"1.1": "green", "1.2": "green", "1.3": "red", "1.4": "yellow", "1.5": "na"}})
    [row] = analytics.colour_counts(data).to_dict("records")
    assert (row["green"], row["yellow"], row["red"], row["na"], row["missing"]) == (2, 1, 1, 1, 34)
    assert row["assessed"] == 4
    assert row["green_share"] == pytest.approx(0.5)
    assert row["index"] == pytest.approx((2 * 2 + 1) / 4 * 50)


def test_headline_counts_returns_of_expected_and_change_in_shares() -> None:
    data = frame({("q-le-chan", 2022): {c: "red" for c in CODES},
                  ("q-le-chan", 2023): {c: "green" for c in CODES},
                  ("x-an-thang", 2023): {c: "red" for c in CODES}})
    head = analytics.headline(data, 2023, default_registry())
    assert (head.received, head.expected, head.previous_year) == (2, 12, 2022)
    assert head.shares["green"] == pytest.approx(0.5), "this year's shares: every return of the year"
    # the change: like with like, on q-le-chan alone (x-an-thang sent nothing in 2022), all red to all green
    assert head.compared == 1
    assert head.change["green"] == pytest.approx(1.0)
    assert head.change["red"] == pytest.approx(-1.0)
    first = analytics.headline(data, 2022, default_registry())
    assert first.previous_year is None and first.change == {} and first.compared == 0


def test_a_change_against_a_year_sharing_no_unit_is_not_offered() -> None:
    data = frame({("q-le-chan", 2022): {c: "red" for c in CODES}, ("x-an-thang", 2023): {c: "green" for c in CODES}})
    head = analytics.headline(data, 2023, default_registry())
    assert head.previous_year == 2022 and head.compared == 0 and head.change == {}


def twelve_then(later: int) -> pd.DataFrame:
    """Every pilot unit's return in 2022 and 2023, and ``later`` units' returns in 2024."""
    units = builders.pilot_ids(2024)
    rows = {(u, y): {"1.1": "green"} for u in units for y in (2022, 2023)}
    rows |= {(u, 2024): {"1.1": "red"} for u in units[:later]}
    return frame(rows)


@pytest.mark.parametrize(("later", "opens_on"), [(1, 2023), (5, 2023), (6, 2024), (12, 2024)])
def test_pages_open_on_the_latest_year_whose_returns_are_substantially_in(later: int, opens_on: int) -> None:
    """Substantially in: at least half of the units due (6 of 12); a year with fewer is still being received."""
    statuses = analytics.year_statuses(twelve_then(later), default_registry())
    assert [(s.year, s.received, s.expected) for s in statuses] == [(2022, 12, 12), (2023, 12, 12), (2024, later, 12)]
    assert [s.receiving for s in statuses] == [False, False, later < 6]
    assert analytics.default_year(statuses) == opens_on


def test_when_no_year_is_substantially_in_pages_open_on_the_latest() -> None:
    data = frame({("q-le-chan", 2022): {"1.1": "red"}, ("q-le-chan", 2023): {"1.1": "red"}})
    statuses = analytics.year_statuses(data, default_registry())
    assert all(s.receiving for s in statuses) and analytics.default_year(statuses) == 2023


def test_a_year_counts_units_that_sent_a_return_although_the_registry_did_not_expect_them() -> None:
    data = frame({("q-le-chan", 2023): {"1.1": "red"}})
    data.loc[data["unit_id"] == "q-le-chan", "unit_id"] = "x-not-registered"
    [status] = analytics.year_statuses(data, default_registry())
    assert (status.received, status.expected) == (1, 13)


def test_the_matrix_has_a_row_for_every_unit_due_with_those_not_sent_marked() -> None:
    data = twelve_then(2)
    reg = default_registry()
    due = analytics.expected_units(reg, 2024)
    rows = analytics.units_due(data, 2024, reg, due)
    assert sorted(rows["unit_id"]) == sorted(due) and int(rows["sent"].sum()) == 2
    assert list(rows["unit_id"]) == list(analytics.unit_order(frame({(u, 2024): {} for u in due}))["unit_id"]), \
        "type, then name order, sent or not"
    grid = analytics.matrix(data, 2024, default_catalogue(), rows).ratings
    assert list(grid.index) == list(rows["unit_id"])
    unsent = rows.loc[~rows["sent"], "unit_id"]
    assert (grid.loc[unsent] == "missing").all().all() and (grid.loc[rows.loc[rows["sent"], "unit_id"], "1.1"] == "red").all()


def test_a_change_between_two_years_counts_the_units_in_both_and_in_one_only() -> None:
    data = frame({("q-le-chan", 2022): {}, ("q-le-chan", 2023): {}, ("x-an-thang", 2023): {}, ("h-an-lao", 2022): {}})
    assert analytics.units_in_both(data, 2022, 2023) == (1, 2)


def test_matrix_orders_units_by_type_and_codes_numerically() -> None:
    data = frame({("x-an-thang", 2023): {"1.10": "green"}, ("q-le-chan", 2023): {"1.9": "red"},
                  ("p-cat-dai", 2023): {}, ("h-an-lao", 2023): {"4.9": "na"}})
    cells = analytics.matrix(data, 2023, default_catalogue())
    grid, evidence = cells.ratings, cells.evidence
    assert list(grid.index) == ["q-le-chan", "h-an-lao", "p-cat-dai", "x-an-thang"]
    assert list(grid.columns[8:11]) == ["1.9", "1.10", "2.1"]
    assert grid.loc["x-an-thang", "1.10"] == "green" and grid.loc["q-le-chan", "1.9"] == "red"
    assert grid.loc["h-an-lao", "4.9"] == "na" and grid.loc["p-cat-dai", "1.1"] == "missing"
    assert evidence.loc["q-le-chan", "1.9"] == "ev q-le-chan 1.9"


def test_the_matrix_carries_each_ratings_evidence_status() -> None:
    data = frame({("q-le-chan", 2023): {"1.1": "green", "1.2": "yellow", "1.3": "red"}, ("x-an-thang", 2023): {}},
                 unevidenced={("q-le-chan", 2023, "1.2")})
    statuses = analytics.matrix(data, 2023, default_catalogue()).evidence_status
    assert statuses.loc["q-le-chan", ["1.1", "1.2", "1.3"]].tolist() == ["evidenced", "missing", "not_required"]
    assert (statuses.loc["x-an-thang"] == "not_required").all()
    assert int((statuses == "missing").sum().sum()) == 1


def test_the_ranking_gives_each_unit_the_share_of_ratings_needing_evidence_that_had_it() -> None:
    greens = {c: "green" for c in CODES[:10]} | {c: "red" for c in CODES[10:]}
    data = frame({("q-le-chan", 2023): greens, ("x-an-thang", 2023): {c: "red" for c in CODES},
                  ("h-an-lao", 2023): {c: "yellow" for c in CODES[:4]}},
                 unevidenced={("q-le-chan", 2023, c) for c in CODES[:3]} | {("h-an-lao", 2023, c) for c in CODES[:4]})
    shares = analytics.ranking(data, 2023).set_index("unit_id")["evidenced_share"]
    assert shares["q-le-chan"] == pytest.approx(7 / 10)
    assert shares["h-an-lao"] == 0
    assert pd.isna(shares["x-an-thang"])  # all red: nothing needed evidence


def test_unevidenced_units_of_an_indicator_list_greens_first_then_yellows() -> None:
    data = frame({("q-le-chan", 2023): {"2.1": "yellow"}, ("x-an-thang", 2023): {"2.1": "green"},
                  ("h-an-lao", 2023): {"2.1": "green"}, ("p-cat-dai", 2023): {"2.1": "red"},
                  ("x-an-thang", 2022): {"2.1": "green"}},
                 unevidenced={("q-le-chan", 2023, "2.1"), ("x-an-thang", 2023, "2.1"), ("x-an-thang", 2022, "2.1")})
    found = analytics.unevidenced_units(data, "2.1", 2023)
    assert list(zip(found["unit_id"], found["rating"], strict=True)) == [("x-an-thang", "green"), ("q-le-chan", "yellow")]
    assert analytics.unevidenced_units(data, "2.2", 2023).empty


def test_ranking_shares_ranks_on_ties_and_labels_tiers() -> None:
    data = frame({("q-le-chan", 2023): {c: "green" for c in CODES},
                  ("q-kien-an", 2023): {c: "green" for c in CODES},
                  ("x-an-thang", 2023): {c: "red" for c in CODES}})
    ranked = analytics.ranking(data, 2023)
    assert list(ranked["rank"]) == [1, 1, 3]
    assert list(ranked["tier"]) == ["Rất tốt", "Rất tốt", "Cần cải thiện"]
    assert ranked["unit_id"].iloc[-1] == "x-an-thang"
    assert analytics.tier_of(65.0, "en") == "Good" and analytics.tier_of(64.9) == "Khá"


def test_group_averages_pool_shares_per_unit_type() -> None:
    data = frame({("q-le-chan", 2023): {c: "green" for c in CODES},
                  ("q-kien-an", 2023): {c: "red" for c in CODES},
                  ("x-an-thang", 2023): {c: "yellow" for c in CODES}})
    groups = analytics.group_averages(data, 2023).set_index("unit_type")
    assert list(groups.index) == ["quan", "xa"]
    assert groups.loc["quan", "units"] == 2
    assert groups.loc["quan", "index_mean"] == pytest.approx(50)
    assert (groups.loc["quan", "index_min"], groups.loc["quan", "index_max"]) == (0, 100)
    assert groups.loc["quan", "green"] == pytest.approx(0.5) and groups.loc["xa", "yellow"] == pytest.approx(1)


def test_changes_list_each_upgrade_and_downgrade() -> None:
    data = frame({("p-bac-son", 2022): {"1.1": "red", "1.2": "green", "1.3": "yellow", "1.4": "na"},
                  ("p-bac-son", 2023): {"1.1": "green", "1.2": "yellow", "1.3": "yellow", "1.4": "red"}})
    summary = analytics.change_summary(data, 2022, 2023)
    detail = analytics.change_detail(data, 2022, 2023)
    [row] = summary.to_dict("records")
    assert (row["improved"], row["declined"], row["unchanged"], row["net"]) == (1, 1, 1, 0)
    assert row["not_comparable"] == 39 - 3
    assert {(r["indicator_code"], r["change"]) for r in detail.to_dict("records")} == {("1.1", "improved"),
                                                                                      ("1.2", "declined")}


def test_indicator_distribution_and_red_units() -> None:
    data = frame({("q-le-chan", 2022): {"2.5": "red"}, ("q-le-chan", 2023): {"2.5": "green"},
                  ("x-trung-lap", 2023): {"2.5": "red"}})
    dist = analytics.indicator_distribution(data, "2.5").set_index("year")
    assert dist.loc[2023, "red"] == 1 and dist.loc[2023, "green"] == 1 and dist.loc[2022, "red"] == 1
    red = analytics.red_units(data, "2.5", 2023)
    assert list(red["unit_id"]) == ["x-trung-lap"] and red["evidence"].iloc[0] == "ev x-trung-lap 2.5"


def test_completeness_marks_missing_returns_and_current_versions() -> None:
    subs = pd.DataFrame([{"unit_id": "q-le-chan", "year": 2022, "version": 1, "status": "superseded"},
                         {"unit_id": "q-le-chan", "year": 2022, "version": 2, "status": "current"},
                         {"unit_id": "x-an-thang", "year": 2023, "version": 1, "status": "current"}])
    grid = analytics.completeness(subs, default_registry(), [2022, 2023])
    assert grid.loc["q-le-chan", 2022] == 2
    assert pd.isna(grid.loc["q-le-chan", 2023]) and grid.loc["x-an-thang", 2023] == 1
    assert len(grid) == 12
