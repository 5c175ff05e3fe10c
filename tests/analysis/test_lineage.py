"""Following lineage: a new unit's years before it existed carried back from its predecessors' ratings by each
baseline rule, checked against expectations worked out here (by hand and, for generated predecessors, with exact
fractions), on frames shaped like the store's rating table."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lgqa_metrics.analysis.lineage import (
    THROUGH,
    BaselineRule,
    Carried,
    ancestor_weights,
    break_years,
    carried_note,
    carry_back,
    followed,
    followed_units,
    with_ancestors,
)
from lgqa_metrics.domain.lineage import ChangeKind, Lineage, Link
from lgqa_metrics.domain.units import UnitRegistry, registry_from_rows
from lgqa_metrics.store.packed import COLUMNS

REFORM = dt.date(2025, 7, 1)
CODES = ("1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3")
RATINGS = ("red", "yellow", "green", "na", "missing")
POINTS = {"red": Fraction(0), "yellow": Fraction(1, 2), "green": Fraction(1)}
SCORES = {"red": 0, "yellow": 1, "green": 2}
OLDS = tuple(f"x-o{i}" for i in range(1, 6))
TARGET = "x-n"
REST = "x-rest"
OTHER = "x-other"


def registry() -> UnitRegistry:
    """Old communes x-o1 … x-o5 (until 30 June 2025), new ones x-n and x-rest (from 1 July 2025), x-other always
    there; x-g (until 2019) went into x-o1 on 1 January 2020."""
    def row(uid: str, name: str, start: str = "", end: str = "") -> dict[str, str]:
        return {"id": uid, "type": "xa", "name": name, "name_en": name.replace("Xã", "") + " Commune",
                "valid_from": start, "valid_to": end}
    return registry_from_rows([
        row("x-g", "Xã Gốc", "1980-01-01", "2019-12-31"),
        *(row(o, f"Xã Cũ {o[-1]}", "1980-01-01", "2025-06-30") for o in OLDS),
        row(TARGET, "Xã Mới", "2025-07-01"), row(REST, "Xã Phần Còn Lại", "2025-07-01"), row(OTHER, "Xã Khác"),
    ])


REGISTRY = registry()


def merge(old: str, new: str = TARGET) -> Link:
    return Link(old, new, REFORM, ChangeKind.MERGE, 1.0, "test")


def split(old: str, share: float, new: str = TARGET) -> list[Link]:
    """``share`` of ``old`` into ``new``, the rest into x-rest."""
    return [Link(old, new, REFORM, ChangeKind.SPLIT, share, "test"),
            Link(old, REST, REFORM, ChangeKind.SPLIT, 1 - share, "test")]


def table(rows: Iterable[tuple[str, int, str, str]], *, categorical: bool = False) -> pd.DataFrame:
    """A frame with the columns of the store's rating table from (unit, year, code, rating) rows."""
    out = []
    submissions: dict[tuple[str, int], int] = {}
    for unit_id, year, code, rating in rows:
        unit = REGISTRY[unit_id]
        sid = submissions.setdefault((unit_id, year), len(submissions) + 1)
        out.append({"unit_id": unit_id, "unit_name": unit.name, "unit_type": unit.type.value, "year": year,
                    "quadrant": int(code[0]), "indicator_code": code, "indicator_name": f"Chỉ số {code}",
                    "indicator_name_en": f"Indicator {code}", "rating": rating,
                    "evidence_status": "evidenced" if rating in ("green", "yellow") else "not_required",
                    "version": 1, "submission_id": sid, "score": SCORES.get(rating)})
    frame = pd.DataFrame(out, columns=list(COLUMNS)).astype({"year": "int16", "score": "Int8"})
    if categorical:  # as Store.rating_table gives it
        frame = frame.astype({c: "category" for c in ("unit_id", "unit_name", "unit_type", "indicator_code",
                                                      "indicator_name", "indicator_name_en", "rating",
                                                      "evidence_status")})
    return frame


def returns(per_unit: Mapping[tuple[str, int], Sequence[str]]) -> list[tuple[str, int, str, str]]:
    """(unit, year) → ratings in CODES order, as rows."""
    return [(u, y, c, r) for (u, y), ratings in per_unit.items() for c, r in zip(CODES, ratings, strict=True)]


def carried_ratings(frame: pd.DataFrame) -> dict[tuple[int, str], str]:
    rows = frame[frame[THROUGH].astype(bool)]
    return {(int(y), str(c)): str(r) for y, c, r in zip(rows["year"], rows["indicator_code"], rows["rating"], strict=True)}


# --- each rule on hand-built ratings -----------------------------------------------------------------------

#: Three merged predecessors' 2024 ratings per indicator, and what each rule makes of them (worked by hand).
HAND = {
    # code: ((x-o1, x-o2, x-o3), (worst, most_frequent, weighted))
    "1.1": (("red", "green", "green"), ("red", "green", "yellow")),  # mean 2/3: nearer ½ than 1
    "1.2": (("yellow", "green", "na"), ("yellow", "yellow", "yellow")),  # a tie; mean ¾ a tie → lower
    "1.3": (("na", "na", "na"), ("na", "na", "na")),
    "1.4": (("missing", "missing", "na"), ("na", "na", "na")),
    "2.1": (("missing", "missing", "missing"), ("missing", "missing", "missing")),
    "2.2": (("green", "yellow", "green"), ("yellow", "green", "green")),  # mean 5/6: nearer 1
    "2.3": (("red", "yellow", "missing"), ("red", "red", "red")),  # a tie → red; mean ¼ a tie → lower
}
RULES = (BaselineRule.WORST, BaselineRule.MOST_FREQUENT, BaselineRule.WEIGHTED)


@pytest.mark.parametrize("categorical", [False, True], ids=["plain", "categorical"])
@pytest.mark.parametrize("rule", RULES)
def test_each_rule_on_three_merged_predecessors(rule: BaselineRule, categorical: bool) -> None:
    olds = OLDS[:3]
    lineage = Lineage([merge(o) for o in olds])
    rows = [(o, 2024, code, given_[i]) for code, (given_, _) in HAND.items() for i, o in enumerate(olds)]
    frame, carried = carry_back(table(rows, categorical=categorical), [TARGET], lineage, REGISTRY, rule)
    expected = {(2024, code): want[RULES.index(rule)] for code, (_, want) in HAND.items()}
    assert carried_ratings(frame) == expected
    assert set(frame["unit_id"].astype(str)) == {TARGET}
    assert set(frame["unit_name"].astype(str)) == {"Xã Mới"} and set(frame["unit_type"].astype(str)) == {"xa"}
    assert frame[THROUGH].all()
    assert carried == [Carried(TARGET, (2024,), {2024: olds}, 2025)]


@pytest.mark.parametrize(("rule", "want"), [(BaselineRule.WORST, "red"), (BaselineRule.MOST_FREQUENT, "red"),
                                            (BaselineRule.WEIGHTED, "green")])
def test_the_weighted_rule_weighs_each_predecessor_by_its_share(rule: BaselineRule, want: str) -> None:
    """x-o1 (all of it, green) and a quarter of x-o2 (red): (1·1 + ¼·0) / 1¼ = 0.8, green; unweighted it would be
    ½, yellow."""
    lineage = Lineage([merge("x-o1"), *split("x-o2", 0.25)])
    frame, _ = carry_back(table([("x-o1", 2024, "1.1", "green"), ("x-o2", 2024, "1.1", "red")]), [TARGET], lineage,
                          REGISTRY, rule)
    assert carried_ratings(frame) == {(2024, "1.1"): want}


def test_ancestor_weights_multiply_along_the_way_and_add_over_ways() -> None:
    lineage = Lineage([
        Link("x-g", "x-o1", dt.date(2020, 1, 1), ChangeKind.SPLIT, 0.5), Link("x-g", "x-o2", dt.date(2020, 1, 1),
                                                                              ChangeKind.SPLIT, 0.5),
        *split("x-o1", 0.4), merge("x-o2"), merge("x-o3"),
    ])
    weights = ancestor_weights(lineage, TARGET)
    assert weights == pytest.approx({"x-o1": 0.4, "x-o2": 1.0, "x-o3": 1.0, "x-g": 0.5 * 0.4 + 0.5 * 1.0})
    assert ancestor_weights(lineage, "x-o3") == {}
    assert followed_units([TARGET, "x-o3", OTHER], lineage) == [TARGET]
    assert set(with_ancestors([TARGET], lineage)) == {TARGET, "x-o1", "x-o2", "x-o3", "x-g"}


def test_an_older_ancestor_stands_for_the_years_its_successor_did_not_exist() -> None:
    """x-g (until 2019) → x-o1 (since 2020) → x-n (since July 2025): 2019 comes from x-g, 2024 from x-o1."""
    lineage = Lineage([Link("x-g", "x-o1", dt.date(2020, 1, 1), ChangeKind.MERGE), merge("x-o1")])
    registry = registry_from_rows([
        {"id": "x-g", "type": "xa", "name": "Xã Gốc", "valid_to": "2019-12-31"},
        {"id": "x-o1", "type": "xa", "name": "Xã Cũ 1", "valid_from": "2020-01-01", "valid_to": "2025-06-30"},
        {"id": TARGET, "type": "xa", "name": "Xã Mới", "valid_from": "2025-07-01"},
    ])
    rows = table([("x-g", 2019, "1.1", "red"), ("x-o1", 2019, "1.1", "green"),  # x-o1 did not report for 2019
                  ("x-o1", 2024, "1.1", "yellow")])
    frame, carried = carry_back(rows, [TARGET], lineage, registry, BaselineRule.WORST)
    assert carried_ratings(frame) == {(2019, "1.1"): "red", (2024, "1.1"): "yellow"}
    assert carried[0].sources == {2019: ("x-g",), 2024: ("x-o1",)}


def test_a_year_the_unit_answers_itself_is_never_carried_even_when_an_ancestor_answers_it_too() -> None:
    """A boundary change keeps the old unit (x-other): its 2025 return is its own, not the new unit's 2025."""
    lineage = Lineage([merge("x-o1"), Link(OTHER, TARGET, REFORM, ChangeKind.BOUNDARY, 1.0)])
    ratings = table([("x-o1", 2024, "1.1", "green"), (OTHER, 2024, "1.1", "yellow"), (OTHER, 2025, "1.1", "red"),
                     (OTHER, 2026, "1.1", "red"), (TARGET, 2025, "1.1", "green")])
    rows, carried = followed(ratings, [TARGET], lineage, REGISTRY, BaselineRule.WORST)
    assert carried_ratings(rows) == {(2024, "1.1"): "yellow"}
    assert carried == [Carried(TARGET, (2024,), {2024: ("x-o1", OTHER)}, 2025)]
    mine = rows[~rows[THROUGH].astype(bool)]
    assert [(str(u), int(y), str(r)) for u, y, r in zip(mine["unit_id"], mine["year"], mine["rating"], strict=True)] == [
        (TARGET, 2025, "green")]


def test_nothing_is_carried_without_predecessors_or_their_returns() -> None:
    lineage = Lineage([merge("x-o1")])
    empty, carried = carry_back(table([("x-o2", 2024, "1.1", "red")]), [TARGET, OTHER], lineage, REGISTRY,
                                BaselineRule.WORST)
    assert empty.empty and carried == []
    assert THROUGH in empty.columns
    rows, carried = followed(table([(OTHER, 2024, "1.1", "red")]), [OTHER], lineage, REGISTRY, BaselineRule.WORST)
    assert carried == [] and list(rows[THROUGH]) == [False]


def test_a_carried_row_is_shaped_like_a_stored_one_without_what_was_not_stored() -> None:
    lineage = Lineage([merge("x-o1"), merge("x-o2")])
    ratings = table([("x-o1", 2024, "1.1", "green"), ("x-o2", 2024, "1.1", "red"),
                     ("x-o1", 2024, "2.1", "yellow"), ("x-o2", 2024, "2.1", "na")], categorical=True)
    frame, _ = carry_back(ratings, [TARGET], lineage, REGISTRY, BaselineRule.WORST)
    assert list(frame.columns) == [*COLUMNS, THROUGH]
    by_code = {str(r["indicator_code"]): r for r in frame.to_dict("records")}
    assert (by_code["1.1"]["rating"], by_code["2.1"]["rating"]) == ("red", "yellow")
    assert {int(r["quadrant"]) for r in by_code.values()} == {1, 2}
    assert by_code["1.1"]["indicator_name"] == "Chỉ số 1.1"
    for row in by_code.values():
        assert pd.isna(row["submission_id"])  # no submission holds a carried rating
        assert row["evidence_status"] == ""


def test_a_carried_row_scores_its_own_rating() -> None:
    """The rating table's ``score`` (red 0, yellow 1, green 2) belongs to the rating of the row: the worst of a
    green and a red is red, scored 0, not the first predecessor's 2."""
    lineage = Lineage([merge("x-o1"), merge("x-o2")])
    ratings = table([("x-o1", 2024, "1.1", "green"), ("x-o2", 2024, "1.1", "red"),
                     ("x-o1", 2024, "1.2", "green"), ("x-o2", 2024, "1.2", "na")])
    frame, _ = carry_back(ratings, [TARGET], lineage, REGISTRY, BaselineRule.WORST)
    scores = {str(c): (None if pd.isna(s) else int(s)) for c, s in zip(frame["indicator_code"], frame["score"],
                                                                         strict=True)}
    assert scores == {"1.1": 0, "1.2": 2}


# --- generated predecessors --------------------------------------------------------------------------------


def expected_rating(given_: Sequence[tuple[str, Fraction]], rule: BaselineRule) -> str:
    """One indicator's carried rating from its predecessors' (rating, weight), worked with exact fractions."""
    assessed = [(r, w) for r, w in given_ if r in POINTS]
    if not assessed:
        return "na" if any(r == "na" for r, _ in given_) else "missing"
    if rule is BaselineRule.WORST:
        return min((r for r, _ in assessed), key=POINTS.__getitem__)
    if rule is BaselineRule.MOST_FREQUENT:
        counts = Counter(r for r, _ in assessed)
        top = max(counts.values())
        return min((r for r, n in counts.items() if n == top), key=POINTS.__getitem__)
    mean = sum(POINTS[r] * w for r, w in assessed) / sum(w for _, w in assessed)
    candidates = sorted(POINTS.values(), key=lambda p: (abs(p - mean), p))  # nearest; a tie to the lower
    return next(r for r, p in POINTS.items() if p == candidates[0])


def test_the_expected_rating_helper_works_by_hand() -> None:
    one = Fraction(1)
    assert expected_rating([("green", one), ("red", one)], BaselineRule.WEIGHTED) == "yellow"
    assert expected_rating([("green", one), ("yellow", one)], BaselineRule.WEIGHTED) == "yellow"  # ¾ → lower
    assert expected_rating([("green", one), ("red", Fraction(1, 4))], BaselineRule.WEIGHTED) == "green"
    assert expected_rating([("green", one), ("red", one), ("red", one)], BaselineRule.MOST_FREQUENT) == "red"
    assert expected_rating([("na", one), ("missing", one)], BaselineRule.WORST) == "na"


@st.composite
def predecessors(draw: st.DrawFn) -> tuple[dict[str, Fraction], dict[tuple[str, int], list[str]]]:
    """2–5 predecessors of x-n with their shares (merged whole or split with x-rest), and their returns for 2023
    and 2024 (some absent), ratings drawn from all five values."""
    olds = OLDS[: draw(st.integers(2, 5))]
    shares: dict[str, Fraction] = {}
    for old in olds:
        if draw(st.booleans()):
            shares[old] = Fraction(1)
        else:
            d = draw(st.integers(2, 12))
            shares[old] = Fraction(draw(st.integers(1, d - 1)), d)
    sent: dict[tuple[str, int], list[str]] = {}
    for old in olds:
        for year in (2023, 2024):
            if draw(st.integers(0, 5)):
                sent[old, year] = draw(st.lists(st.sampled_from(RATINGS), min_size=len(CODES), max_size=len(CODES)))
    return shares, sent


@settings(max_examples=50, deadline=None)
@given(drawn=predecessors(), rule=st.sampled_from(RULES), categorical=st.booleans(), late=st.booleans(),
       own=st.lists(st.sampled_from(RATINGS), min_size=len(CODES), max_size=len(CODES)))
def test_carried_ratings_follow_the_rule_for_any_predecessors(
        drawn: tuple[dict[str, Fraction], dict[tuple[str, int], list[str]]], rule: BaselineRule, categorical: bool,
        late: bool, own: list[str]) -> None:
    shares, sent = drawn
    links = [lk for old, s in shares.items() for lk in ([merge(old)] if s == 1 else split(old, float(s)))]
    lineage = Lineage(links)
    per_unit: dict[tuple[str, int], Sequence[str]] = {**sent, (TARGET, 2025): own, (OTHER, 2024): own}
    if late:  # a predecessor's return for 2025, after it ended: the new unit answers for 2025 itself
        per_unit[next(iter(shares)), 2025] = ["red"] * len(CODES)
    ratings = table(returns(per_unit), categorical=categorical)

    rows, carried = followed(ratings, [TARGET], lineage, REGISTRY, rule)

    years = sorted({y for (_, y) in sent})
    expected = {(y, code): expected_rating([(sent[o, y][i], shares[o]) for o in shares if (o, y) in sent], rule)
                for y in years for i, code in enumerate(CODES)}
    assert carried_ratings(rows) == expected
    carried_rows = rows[rows[THROUGH].astype(bool)]
    assert set(carried_rows["unit_id"].astype(str)) <= {TARGET}
    assert not set(carried_rows["year"].astype(int)) & {2025}  # never a year the unit answered itself
    if years:
        assert carried == [Carried(TARGET, tuple(years), {y: tuple(sorted(o for o in shares if (o, y) in sent))
                                                          for y in years}, 2025)]
        assert break_years(carried) == [2024.5]
    else:
        assert carried == [] and break_years(carried) == []

    # the unit's own rows come through unchanged, and only they and the carried ones
    mine = rows[~rows[THROUGH].astype(bool)]
    assert set(mine["unit_id"].astype(str)) == {TARGET}
    given_own = ratings[ratings["unit_id"].astype(str) == TARGET]
    assert _records(mine.drop(columns=THROUGH)) == _records(given_own)


def _records(frame: pd.DataFrame) -> list[tuple[str, ...]]:
    return sorted(tuple("<NA>" if pd.isna(v) else str(v) for v in row) for row in frame.itertuples(index=False))


# --- followed: which lines a view draws --------------------------------------------------------------------


def _pilot() -> tuple[pd.DataFrame, Lineage]:
    lineage = Lineage([merge("x-o1"), merge("x-o2")])
    ratings = table(returns({("x-o1", 2023): ["green"] * 7, ("x-o1", 2024): ["yellow"] * 7,
                             ("x-o2", 2024): ["red"] * 7, (TARGET, 2025): ["green"] * 7,
                             (OTHER, 2024): ["na"] * 7, ("x-o3", 2024): ["red"] * 7}), categorical=True)
    return ratings, lineage


def test_an_ancestor_chosen_beside_its_successor_is_not_a_line_of_its_own() -> None:
    ratings, lineage = _pilot()
    rows, _ = followed(ratings, [TARGET, "x-o1", OTHER, "x-o3"], lineage, REGISTRY, BaselineRule.WORST)
    by_unit = rows.groupby([rows["unit_id"].astype(str), rows[THROUGH].astype(bool)]).size().to_dict()
    assert by_unit == {(TARGET, False): 7, (TARGET, True): 14, (OTHER, False): 7, ("x-o3", False): 7}
    assert carried_ratings(rows) == {**{(2023, c): "green" for c in CODES}, **{(2024, c): "red" for c in CODES}}


def test_an_ancestor_chosen_alone_keeps_its_own_line() -> None:
    ratings, lineage = _pilot()
    rows, carried = followed(ratings, ["x-o1"], lineage, REGISTRY, BaselineRule.WORST)
    assert carried == [] and set(rows["unit_id"].astype(str)) == {"x-o1"} and len(rows) == 14
    assert not rows[THROUGH].any()


def test_break_years_lie_half_a_year_before_each_first_own_year() -> None:
    carried = [Carried("a", (2023, 2024), {}, 2025), Carried("b", (2024,), {}, 2025), Carried("c", (2019,), {}, 2020),
               Carried("d", (2024,), {}, None)]
    assert break_years(carried) == [2019.5, 2024.5]
    assert break_years([]) == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_carried_note_names_the_unit_its_years_predecessors_and_rule(lang: str) -> None:
    ratings, lineage = _pilot()
    _, carried = followed(ratings, [TARGET], lineage, REGISTRY, BaselineRule.MOST_FREQUENT)
    note = carried_note(carried, REGISTRY, BaselineRule.MOST_FREQUENT, lang)
    assert note.startswith("- ") and note.count("\n") == 0
    for text in (REGISTRY.name_of(TARGET, lang), "2023, 2024", REGISTRY.name_of("x-o1", lang),
                 REGISTRY.name_of("x-o2", lang), BaselineRule.MOST_FREQUENT.label(lang)):
        assert text in note, (text, note)
    assert REGISTRY.name_of("x-o3", lang) not in note
    assert carried_note(carried, REGISTRY, BaselineRule.WORST, "vi") != carried_note(carried, REGISTRY,
                                                                                    BaselineRule.WORST, "en")
