"""The lineage crosswalk: the shipped file, every rejection with its message, generated reorganisations, and the
registry's answers around the 1 July 2025 reorganisation (existing_on, reports_for, match by year)."""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lgqa_metrics.domain.lineage import (
    REGISTRY_SOURCE,
    ChangeKind,
    Lineage,
    LineageError,
    default_lineage,
    lineage_from_rows,
    load_lineage,
)
from lgqa_metrics.domain.textnorm import fold
from lgqa_metrics.domain.units import UnitRegistry, UnitType, default_registry, registry_from_rows
from tests.support.builders import ROOT

UNITS_CSV = ROOT / "data" / "units.csv"
LINEAGE_CSV = ROOT / "data" / "lineage.csv"
REFORM = dt.date(2025, 7, 1)
LAST_OLD_DAY = dt.date(2025, 6, 30)

#: The links of data/lineage.csv, written out by hand: old ward or commune → its illustrative successor.
SHIPPED = {
    "p-minh-khai": "p-hong-bang",
    "p-cat-dai": "p-le-chan",
    "p-bac-son": "p-kien-an",
    "x-an-thang": "x-an-lao",
    "x-tien-minh": "x-tien-lang",
    "x-trung-lap": "x-vinh-bao",
}
DISTRICTS = ("q-hong-bang", "q-le-chan", "q-kien-an", "h-an-lao", "h-tien-lang", "h-vinh-bao")


# --- a small registry for the rejections -----------------------------------------------------------------------


def _unit(uid: str, valid_from: str = "", valid_to: str = "", successors: str = "", utype: str = "xa") -> dict[str, str]:
    return {"id": uid, "type": utype, "name": f"Xã {uid}", "name_en": "", "parent_id": "", "aliases": "",
            "valid_from": valid_from, "valid_to": valid_to, "successor_ids": successors}


def small_registry(*extra: dict[str, str]) -> UnitRegistry:
    """Old communes x-a, x-b, x-c (until 30 June 2025), new ones x-n1, x-n2, x-n3 (from 1 July 2025), x-keep (no
    dates, always there), x-late (ends on 1 July 2025 itself)."""
    return registry_from_rows([
        *(_unit(u, "1990-01-01", "2025-06-30") for u in ("x-a", "x-b", "x-c")),
        *(_unit(u, "2025-07-01") for u in ("x-n1", "x-n2", "x-n3")),
        _unit("x-keep"),
        _unit("x-late", "1990-01-01", "2025-07-01"),
        *extra,
    ])


def link(old: str, new: str, kind: str = "merge", share: object = "", day: object = "2025-07-01",
         source: str = "NQ thử") -> dict[str, object]:
    return {"from_id": old, "to_id": new, "effective_date": day, "kind": kind, "share": share, "source": source}


#: Good rows the bad one is put after, so the row a message names is not simply the first.
GOOD = [link("x-a", "x-n1"), link("x-b", "x-n1")]


def rejected(rows: Sequence[Mapping[str, object]], key: str, *, first_row: int = 2,
             registry: UnitRegistry | None = None) -> LineageError:
    with pytest.raises(LineageError) as caught:
        lineage_from_rows(rows, registry or small_registry(), first_row=first_row)
    assert caught.value.key == f"lineage.{key}", (caught.value.key, caught.value.fields)
    assert isinstance(caught.value, ValueError)
    return caught.value


def names_row(message: str, row: int | str) -> bool:
    """True when ``message`` names row ``row`` ("Dòng 4:", "Row 4:", "(dòng 4)", "rows 2, 3")."""
    return re.search(rf"\b(?:dòng|các dòng|row|rows)\s+(?:\d+, )*{row}\b", message, re.IGNORECASE) is not None


def both_name(error: LineageError, *texts: str) -> None:
    for lang in ("vi", "en"):
        message = error.message(lang)
        for text in texts:
            assert text in message, (lang, text, message)
    assert error.message("vi") != error.message("en")


# --- the shipped crosswalk -------------------------------------------------------------------------------------


def test_the_shipped_crosswalk_loads_against_the_shipped_registry() -> None:
    registry = default_registry()
    lineage = load_lineage(registry, LINEAGE_CSV)
    assert {(k.from_id, k.to_id) for k in lineage.links} == set(SHIPPED.items())
    for k in lineage.links:
        assert (k.effective, k.kind, k.share) == (REFORM, ChangeKind.MERGE, 1.0)
        assert "UBTVQH" in k.source
    assert {(k.from_id, k.to_id) for k in default_lineage().links} == set(SHIPPED.items())


def test_the_shipped_crosswalk_answers_who_came_from_whom() -> None:
    lineage = load_lineage(default_registry(), LINEAGE_CSV)
    for old, new in SHIPPED.items():
        assert [k.from_id for k in lineage.predecessors(new)] == [old]
        assert [k.to_id for k in lineage.successors(old)] == [new]
        assert lineage.ancestors(new) == (old,)
        assert lineage.descendants(old) == (new,)
        assert lineage.predecessors(old) == () and lineage.successors(new) == ()
        assert [u.id for u in lineage.predecessors_on(new, default_registry(), 2024)] == [old]
        assert lineage.predecessors_on(new, default_registry(), 2025) == ()  # the old unit ended mid-year
        assert [u.id for u in lineage.successors_on(old, default_registry(), 2025)] == [new]
    for district in DISTRICTS:  # the district level was abolished: no successor
        assert lineage.successors(district) == () and lineage.descendants(district) == ()


def test_every_row_of_the_shipped_file_is_a_link() -> None:
    with LINEAGE_CSV.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(SHIPPED) == len(load_lineage(default_registry(), LINEAGE_CSV))


# --- rejections, each with its key and a message naming the row ------------------------------------------------


@pytest.mark.parametrize("first_row", [1, 2])
def test_a_cycle_of_two_units_is_rejected_naming_its_path_and_row(first_row: int) -> None:
    registry = small_registry()
    rows = [link("x-c", "x-n3"), link("x-a", "x-b"), link("x-b", "x-a")]
    error = rejected(rows, "cycle", first_row=first_row, registry=registry)
    path = str(error.fields["path"])
    assert path in {"x-a → x-b → x-a", "x-b → x-a → x-b"}
    row = first_row + 1 if path.startswith("x-a") else first_row + 2  # the row of the path's first link
    assert error.fields["row"] == row
    both_name(error, path)
    assert all(names_row(error.message(lang), row) for lang in ("vi", "en"))


def test_a_cycle_of_three_units_names_the_path_in_link_order() -> None:
    rows = [link("x-a", "x-n1"), link("x-n1", "x-n2"), link("x-n2", "x-a")]
    rotations = {"x-a → x-n1 → x-n2 → x-a", "x-n1 → x-n2 → x-a → x-n1", "x-n2 → x-a → x-n1 → x-n2"}
    error = rejected(rows, "cycle")
    assert error.fields["path"] in rotations  # the links' direction, never reversed
    row = {"x-a": 2, "x-n1": 3, "x-n2": 4}[str(error.fields["path"]).split(" → ")[0]]
    both_name(error, str(error.fields["path"]))
    assert all(names_row(error.message(lang), row) for lang in ("vi", "en"))


def test_a_cycle_through_a_link_the_registry_implies_is_rejected() -> None:
    registry = small_registry(_unit("x-old", "1990-01-01", "2025-06-30", successors="x-n1"))
    error = rejected([link("x-n1", "x-old")], "cycle", registry=registry)
    assert set(str(error.fields["path"]).split(" → ")) == {"x-old", "x-n1"}


@pytest.mark.parametrize(("shares", "total"), [(("0.5", "0.4"), "0.9"), (("0.6", "0.5"), "1.1"),
                                                (("0.3", "0.3", "0.3"), "0.9"), (("0,6", "0,5"), "1.1")])
def test_a_split_whose_shares_do_not_sum_to_one_names_the_unit_the_sum_and_the_rows(
        shares: tuple[str, ...], total: str) -> None:
    news = ("x-n1", "x-n2", "x-n3")
    rows = [link("x-b", "x-n3"), *(link("x-a", new, "split", s) for new, s in zip(news, shares, strict=False))]
    error = rejected(rows, "split_shares")
    both_name(error, "x-a", total)
    expected_rows = ", ".join(str(3 + i) for i in range(len(shares)))
    assert all(expected_rows in error.message(lang) for lang in ("vi", "en"))


@pytest.mark.parametrize(("old", "new", "named"), [("x-nowhere", "x-n1", "x-nowhere"), ("x-a", "x-elsewhere", "x-elsewhere"),
                                                   ("", "x-n1", "∅")])
def test_an_unknown_unit_is_rejected_naming_it_and_its_row(old: str, new: str, named: str) -> None:
    error = rejected([*GOOD, link(old, new)], "unknown_unit")
    assert error.fields["row"] == 4
    both_name(error, named)
    assert all(names_row(error.message(lang), 4) for lang in ("vi", "en"))


def test_a_self_link_is_rejected() -> None:
    error = rejected([*GOOD, link("x-c", "x-c")], "self_link")
    both_name(error, "x-c")
    assert all(names_row(error.message(lang), 4) for lang in ("vi", "en"))


@pytest.mark.parametrize("kind", ["annex", "", "merged", "sáp nhập"])
def test_a_bad_kind_is_rejected_naming_the_value_and_the_kinds(kind: str) -> None:
    error = rejected([*GOOD, link("x-c", "x-n2", kind)], "bad_kind")
    both_name(error, f"«{kind}»", "merge", "split", "rename", "boundary")
    assert all(names_row(error.message(lang), 4) for lang in ("vi", "en"))


@pytest.mark.parametrize("kind", ["MERGE", "Merge", " merge "])
def test_the_kind_is_read_whatever_its_case(kind: str) -> None:
    lineage = lineage_from_rows([link("x-c", "x-n2", kind)], small_registry())
    assert [k.kind for k in lineage.links if k.from_id == "x-c"] == [ChangeKind.MERGE]


@pytest.mark.parametrize("day", ["2025-13-01", "01/07/2025", "", "1 tháng 7 2025", "2025-02-30"])
def test_a_bad_date_is_rejected(day: str) -> None:
    error = rejected([*GOOD, link("x-c", "x-n2", day=day)], "bad_date")
    both_name(error, f"«{day}»")
    assert all(names_row(error.message(lang), 4) for lang in ("vi", "en"))


def test_a_typed_date_is_read() -> None:
    lineage = lineage_from_rows([link("x-c", "x-n2", day=REFORM)], small_registry())
    assert lineage.links[0].effective == REFORM


@pytest.mark.parametrize(("kind", "share"), [("merge", "0.5"), ("rename", "0.99"), ("boundary", 0.25)])
def test_a_share_on_a_link_that_is_not_a_split_is_rejected(kind: str, share: object) -> None:
    old = "x-keep" if kind == "boundary" else "x-c"
    error = rejected([*GOOD, link(old, "x-n2", kind, share)], "share_not_split")
    both_name(error, f"«{kind}»")
    assert all(names_row(error.message(lang), 4) for lang in ("vi", "en"))


@pytest.mark.parametrize("share", ["0", "-0.5", "1.5", "abc", "nan", "inf"])
def test_a_share_that_is_not_a_part_is_rejected(share: str) -> None:
    error = rejected([*GOOD, link("x-c", "x-n2", "split", share)], "bad_share")
    assert all(names_row(error.message(lang), 4) for lang in ("vi", "en"))


@pytest.mark.parametrize("share", ["", "1", "1.0", 1, 1.0])
def test_a_merge_may_write_its_share_as_one_or_leave_it_blank(share: object) -> None:
    lineage = lineage_from_rows([link("x-c", "x-n2", "merge", share)], small_registry())
    assert lineage.links[0].share == 1.0


def test_a_repeated_pair_is_rejected_naming_both_rows() -> None:
    error = rejected([link("x-a", "x-n1"), link("x-b", "x-n1"), link("x-a", "x-n1", "rename")], "repeated")
    assert (error.fields["row"], error.fields["first"]) == (4, 2)
    both_name(error, "x-a", "x-n1")
    assert all(names_row(error.message(lang), 4) and re.search(r"\b2\b", error.message(lang)) for lang in ("vi", "en"))


@pytest.mark.parametrize(("old", "kind", "valid_to"), [("x-keep", "merge", "∅"), ("x-late", "merge", "2025-07-01"),
                                                        ("x-keep", "rename", "∅"), ("x-late", "split", "2025-07-01")])
def test_an_old_unit_that_has_not_ended_before_the_date_cannot_be_merged(old: str, kind: str, valid_to: str) -> None:
    rows = [*GOOD, link(old, "x-n2", kind, "1")]
    error = rejected(rows, "old_not_ended")
    both_name(error, old, "2025-07-01", valid_to)
    assert all(names_row(error.message(lang), 4) for lang in ("vi", "en"))


@pytest.mark.parametrize("day", ["2025-06-01", "2024-12-31"])
def test_a_new_unit_that_does_not_exist_on_the_date_is_rejected(day: str) -> None:
    registry = small_registry(_unit("x-older", "", "2024-05-31"))
    error = rejected([*GOOD, link("x-older", "x-n2", day=day)], "new_not_valid", registry=registry)
    both_name(error, "x-n2", day)
    assert all(names_row(error.message(lang), 4) for lang in ("vi", "en"))


def test_an_old_unit_that_begins_with_the_new_one_cannot_precede_it() -> None:
    error = rejected([*GOOD, link("x-n3", "x-n2")], "old_not_before")
    both_name(error, "x-n3")


def test_a_boundary_change_whose_old_unit_ended_is_rejected() -> None:
    error = rejected([*GOOD, link("x-c", "x-n2", "boundary")], "boundary_ended")
    both_name(error, "x-c", "2025-07-01")
    assert all(names_row(error.message(lang), 4) for lang in ("vi", "en"))


def test_a_boundary_change_keeps_both_units() -> None:
    lineage = lineage_from_rows([*GOOD, link("x-keep", "x-n2", "boundary")], small_registry())
    assert [k.from_id for k in lineage.predecessors("x-n2")] == ["x-keep"]
    assert lineage.ancestors("x-n2") == ("x-keep",)


def test_a_blank_row_is_skipped_but_still_counted() -> None:
    blank = dict.fromkeys(("from_id", "to_id", "effective_date", "kind", "share", "source"), "")
    error = rejected([link("x-a", "x-n1"), blank, link("x-c", "x-c")], "self_link")
    assert error.fields["row"] == 4


def test_a_file_without_a_needed_column_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "lineage.csv"
    path.write_text("from_id,to_id,effective_date,share\nx-a,x-n1,2025-07-01,1\n", encoding="utf-8")
    with pytest.raises(LineageError) as caught:
        load_lineage(small_registry(), path)
    assert caught.value.key == "lineage.missing_columns"
    both_name(caught.value, "kind")


def test_a_file_is_read_with_the_row_numbers_of_a_spreadsheet(tmp_path: Path) -> None:
    path = tmp_path / "lineage.csv"
    path.write_text("\ufefffrom_id,to_id,effective_date,kind,share,source\n"
                    "x-a,x-n1,2025-07-01,merge,1,NQ\nx-b,x-b,2025-07-01,merge,1,NQ\n", encoding="utf-8")
    with pytest.raises(LineageError) as caught:
        load_lineage(small_registry(), path)
    assert caught.value.key == "lineage.self_link" and caught.value.fields["row"] == 3


# --- links the registry implies ------------------------------------------------------------------------------


def test_successor_ids_in_the_registry_imply_merges_the_day_after_the_old_unit_ends(tmp_path: Path) -> None:
    registry = small_registry(_unit("x-old", "1990-01-01", "2025-06-30", successors="x-n1;x-n2"))
    lineage = load_lineage(registry, tmp_path / "absent.csv")
    assert {(k.from_id, k.to_id, k.effective, k.kind, k.share, k.source) for k in lineage.links} == {
        ("x-old", "x-n1", REFORM, ChangeKind.MERGE, 1.0, REGISTRY_SOURCE),
        ("x-old", "x-n2", REFORM, ChangeKind.MERGE, 1.0, REGISTRY_SOURCE)}
    stated = lineage_from_rows([link("x-old", "x-n1", "rename", source="QĐ 1")], registry)
    assert sorted((k.from_id, k.to_id, k.kind.value, k.source) for k in stated.links) == [
        ("x-old", "x-n1", "rename", "QĐ 1"), ("x-old", "x-n2", "merge", REGISTRY_SOURCE)]


# --- the questions asked of a lineage --------------------------------------------------------------------------


def chain_registry() -> UnitRegistry:
    """x-g1, x-g2 (until 2019) → x-p (2020 – June 2025); x-p and x-q (until June 2025) → x-r (from July 2025);
    x-s (until June 2025) split between x-r and x-t."""
    return registry_from_rows([
        _unit("x-g1", "", "2019-12-31"), _unit("x-g2", "", "2019-12-31"),
        _unit("x-p", "2020-01-01", "2025-06-30"), _unit("x-q", "", "2025-06-30"), _unit("x-s", "", "2025-06-30"),
        _unit("x-r", "2025-07-01"), _unit("x-t", "2025-07-01"),
    ])


def chain() -> Lineage:
    return lineage_from_rows([
        link("x-g1", "x-p", day="2020-01-01"), link("x-g2", "x-p", day="2020-01-01"),
        link("x-p", "x-r"), link("x-q", "x-r"), link("x-s", "x-r", "split", "0.25"), link("x-s", "x-t", "split", "0.75"),
    ], chain_registry())


def test_ancestors_come_nearest_first_and_descendants_likewise() -> None:
    lineage = chain()
    ancestors = lineage.ancestors("x-r")
    assert set(ancestors[:3]) == {"x-p", "x-q", "x-s"} and set(ancestors[3:]) == {"x-g1", "x-g2"}
    assert lineage.descendants("x-g1") == ("x-p", "x-r")
    assert set(lineage.descendants("x-s")) == {"x-r", "x-t"}
    assert {k.share for k in lineage.predecessors("x-r")} == {1.0, 0.25}


def test_family_holds_the_links_around_a_unit_and_its_siblings() -> None:
    lineage = chain()
    assert {(k.from_id, k.to_id) for k in lineage.family("x-t")} == {("x-s", "x-t"), ("x-s", "x-r")}  # its sibling
    assert len(lineage.family("x-r")) == 6
    assert len(lineage.family("x-r", limit=2)) == 2


def test_predecessors_and_successors_on_a_year_are_the_units_answering_for_it() -> None:
    registry, lineage = chain_registry(), chain()
    assert {u.id for u in lineage.predecessors_on("x-r", registry, 2024)} == {"x-p", "x-q", "x-s"}
    assert {u.id for u in lineage.predecessors_on("x-r", registry, 2019)} == {"x-q", "x-s", "x-g1", "x-g2"}
    assert lineage.predecessors_on("x-r", registry, 2025) == ()
    assert {u.id for u in lineage.successors_on("x-g1", registry, 2025)} == {"x-r"}
    assert {u.id for u in lineage.successors_on("x-g1", registry, 2022)} == {"x-p"}


# --- generated reorganisations -------------------------------------------------------------------------------


@dataclass
class Reform:
    """A generated reorganisation: ``olds`` communes ending 30 June 2025 grouped into ``news`` from 1 July 2025;
    ``into[old]`` = {new: share}; ``older[old]`` = units merged into ``old`` on 1 January 2020 (then ``old`` begins
    that day)."""

    olds: list[str]
    news: list[str]
    into: dict[str, dict[str, Fraction]]
    older: dict[str, list[str]]
    typed_floats: bool

    def registry(self) -> UnitRegistry:
        rows = [_unit(g, "1980-01-01", "2019-12-31") for gs in self.older.values() for g in gs]
        rows += [_unit(o, "2020-01-01" if self.older.get(o) else "1980-01-01", "2025-06-30") for o in self.olds]
        rows += [_unit(n, "2025-07-01") for n in self.news]
        return registry_from_rows(rows)

    def rows(self) -> list[dict[str, object]]:
        out = [link(g, o, day="2020-01-01") for o, gs in self.older.items() for g in gs]
        for old, parts in self.into.items():
            for new, share in parts.items():
                if len(parts) == 1:
                    out.append(link(old, new, "merge", ""))
                elif self.typed_floats:
                    out.append(link(old, new, "split", float(share)))  # as a database column gives it
                else:
                    out.append(link(old, new, "split", _decimal(share)))
        return out

    def predecessors(self, new: str) -> set[str]:
        return {o for o, parts in self.into.items() if new in parts}

    def successors(self, old: str) -> set[str]:
        return set(self.into[old])


def _decimal(share: Fraction) -> str:
    """``share`` written exactly as a decimal (its denominator has no factor but 2 and 5)."""
    text = f"{share.numerator / share.denominator:.10f}".rstrip("0")
    assert Fraction(text) == share
    return text


@st.composite
def reforms(draw: st.DrawFn, with_split: bool = False) -> Reform:
    n_old = draw(st.integers(3 if with_split else 2, 12))
    n_new = draw(st.integers(2 if with_split else 1, max(2 if with_split else 1, math.ceil(n_old / 3) + 1)))
    olds, news = [f"x-cu-{i}" for i in range(n_old)], [f"x-moi-{j}" for j in range(n_new)]
    typed_floats = draw(st.booleans())
    into: dict[str, dict[str, Fraction]] = {}
    for i, old in enumerate(olds):
        split = n_new >= 2 and ((with_split and i == 0) or draw(st.integers(0, 3)) == 0)
        if not split:
            into[old] = {news[draw(st.integers(0, n_new - 1))]: Fraction(1)}
            continue
        targets = draw(st.lists(st.sampled_from(news), min_size=2, max_size=min(3, n_new), unique=True))
        if typed_floats:  # any parts over their total: 1/3, 2/7 … as floats
            parts = draw(st.lists(st.integers(1, 9), min_size=len(targets), max_size=len(targets)))
        else:  # parts of a total with only 2 and 5 in it, so the decimals are exact
            total = draw(st.sampled_from([4, 5, 8, 10, 20, 25, 100]))  # at least as many parts as targets (≤ 3)
            cuts = sorted(draw(st.lists(st.integers(1, total - 1), min_size=len(targets) - 1,
                                        max_size=len(targets) - 1, unique=True)))
            parts = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
        into[old] = {t: Fraction(p, sum(parts)) for t, p in zip(targets, parts, strict=True)}
        assert sum(into[old].values()) == 1
    older: dict[str, list[str]] = {}
    for i, old in enumerate(olds):
        if draw(st.integers(0, 4)) == 0:
            older[old] = [f"x-xua-{i}-{k}" for k in range(draw(st.integers(1, 2)))]
    return Reform(olds, news, into, older, typed_floats)


def _ordered(rows: list[dict[str, object]], order: list[int]) -> list[dict[str, object]]:
    return [rows[i] for i in order]


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_a_generated_reorganisation_validates_and_answers_as_it_was_made(data: st.DataObject) -> None:
    reform = data.draw(reforms())
    rows = reform.rows()
    rows = _ordered(rows, data.draw(st.permutations(range(len(rows)))))
    registry = reform.registry()
    lineage = lineage_from_rows(rows, registry)
    assert len(lineage) == len(rows)
    for new in reform.news:
        direct = reform.predecessors(new)
        assert {k.from_id for k in lineage.predecessors(new)} == direct
        for k in lineage.predecessors(new):
            assert k.effective == REFORM
            assert k.kind is (ChangeKind.MERGE if len(reform.into[k.from_id]) == 1 else ChangeKind.SPLIT)
            assert k.share == pytest.approx(float(reform.into[k.from_id][new]), abs=1e-9)
        older = {g for o in direct for g in reform.older.get(o, [])}
        ancestors = lineage.ancestors(new)
        assert set(ancestors) == direct | older and len(ancestors) == len(direct | older)
        assert set(ancestors[: len(direct)]) == direct  # nearest first
        assert {u.id for u in lineage.predecessors_on(new, registry, 2024)} == direct
        assert {u.id for u in lineage.predecessors_on(new, registry, 2019)} == (
            {o for o in direct if o not in reform.older} | older)
    for old in reform.olds:
        assert {k.to_id for k in lineage.successors(old)} == reform.successors(old)
        assert set(lineage.descendants(old)) == reform.successors(old)
        assert {u.id for u in lineage.successors_on(old, registry, 2025)} == reform.successors(old)
        for g in reform.older.get(old, []):
            assert {k.to_id for k in lineage.successors(g)} == {old}
            assert lineage.descendants(g)[0] == old and set(lineage.descendants(g)) == {old} | reform.successors(old)


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_leaving_out_one_part_of_a_split_fails_naming_the_unit(data: st.DataObject) -> None:
    reform = data.draw(reforms(with_split=True))
    rows = reform.rows()
    parts = [i for i, r in enumerate(rows) if r["kind"] == "split"]
    dropped = data.draw(st.sampled_from(parts))
    old = rows[dropped]["from_id"]
    error = rejected([r for i, r in enumerate(rows) if i != dropped], "split_shares", registry=reform.registry())
    assert error.fields["unit"] == old
    both_name(error, str(old))


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_a_link_back_to_an_ancestor_makes_a_cycle(data: st.DataObject) -> None:
    reform = data.draw(reforms())
    new = data.draw(st.sampled_from(sorted({n for parts in reform.into.values() for n in parts})))
    chosen = reform.predecessors(new) | {g for o in reform.predecessors(new) for g in reform.older.get(o, [])}
    back = data.draw(st.sampled_from(sorted(chosen)))
    rows = reform.rows()
    rows.insert(data.draw(st.integers(0, len(rows))), link(new, back, day="2026-01-01"))
    error = rejected(rows, "cycle", registry=reform.registry())
    path = str(error.fields["path"]).split(" → ")
    assert path[0] == path[-1] and {new, back} <= set(path)
    both_name(error, " → ".join(path))


def test_float_shares_of_thirds_as_a_database_gives_them_validate() -> None:
    registry = small_registry()
    rows = [link("x-a", n, "split", 1 / 3) for n in ("x-n1", "x-n2", "x-n3")]
    lineage = lineage_from_rows(rows, registry)
    assert math.fsum(k.share for k in lineage.predecessors("x-n1") + lineage.predecessors("x-n2")
                     + lineage.predecessors("x-n3")) == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("shares", [("0.3333333", "0.3333333", "0.3333334"), ("0.5", "0.25", "0.25")])
def test_text_shares_that_sum_to_one_validate(shares: tuple[str, ...]) -> None:
    rows = [link("x-a", n, "split", s) for n, s in zip(("x-n1", "x-n2", "x-n3"), shares, strict=True)]
    assert len(lineage_from_rows(rows, small_registry())) == 3


def test_a_split_rejected_for_its_sum_never_says_it_sums_to_one() -> None:
    """Six-digit thirds sum to 0.999999: accepted, or rejected with that sum shown (not "sums to 1, not 1")."""
    rows = [link("x-a", n, "split", "0.333333") for n in ("x-n1", "x-n2", "x-n3")]
    try:
        lineage_from_rows(rows, small_registry())
    except LineageError as error:
        assert error.key == "lineage.split_shares"
        assert error.fields["total"] != "1"
        both_name(error, "0.999999")


def test_thirds_written_out_read_back() -> None:
    registry = small_registry()
    first = lineage_from_rows([link("x-a", n, "split", 1 / 3) for n in ("x-n1", "x-n2", "x-n3")], registry)
    again = lineage_from_rows([k.row() for k in first.links], registry)
    assert [(k.from_id, k.to_id, k.kind) for k in again.links] == [(k.from_id, k.to_id, k.kind) for k in first.links]
    assert [k.share for k in again.links] == pytest.approx([1 / 3] * 3, abs=1e-12)


def test_a_lineage_written_out_reads_back_the_same() -> None:
    """Link.row() is what synth and the reference pages write; reading those rows gives the same links."""
    registry = small_registry()
    first = lineage_from_rows([link("x-a", "x-n1", "split", "0.25"), link("x-a", "x-n2", "split", "0.75"),
                               link("x-b", "x-n1"), link("x-keep", "x-n3", "boundary")], registry)
    again = lineage_from_rows([k.row() for k in first.links], registry)
    assert again.links == first.links


# --- the registry around the reorganisation -------------------------------------------------------------------


def _csv_units() -> list[dict[str, str]]:
    with UNITS_CSV.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_exists_on_and_reports_for_turn_over_between_30_june_and_1_july_2025() -> None:
    registry = default_registry()
    rows = _csv_units()
    ended = {r["id"] for r in rows if r["valid_to"] == "2025-06-30"}
    begun = {r["id"] for r in rows if r["valid_from"] == "2025-07-01"}
    assert ended == set(SHIPPED) | set(DISTRICTS) and begun == set(SHIPPED.values())
    on_30_june = {u.id for u in registry.existing_on(LAST_OLD_DAY)}
    on_1_july = {u.id for u in registry.existing_on(REFORM)}
    assert on_30_june == ended | {"tp-hai-phong"}
    assert on_1_july == begun | {"tp-hai-phong"}
    assert [u.id for u in registry.existing_on(REFORM)] == [r["id"] for r in rows if r["id"] in on_1_july]  # order
    assert {u.id for u in registry.existing_on(dt.date(1970, 1, 1))} == {
        r["id"] for r in rows if r["valid_from"] <= "1970-01-01"}
    for uid in ended:
        unit = registry[uid]
        assert unit.exists_on(LAST_OLD_DAY) and not unit.exists_on(REFORM)
        assert unit.reports_for(2024) and not unit.reports_for(2025)
        assert unit.valid_in(2025)  # it existed for half of 2025, but does not answer for it
    for uid in begun:
        unit = registry[uid]
        assert unit.exists_on(REFORM) and not unit.exists_on(LAST_OLD_DAY)
        assert unit.reports_for(2025) and unit.reports_for(2030) and not unit.reports_for(2024)
    assert registry["tp-hai-phong"].reports_for(2024) and registry["tp-hai-phong"].reports_for(2025)


def test_a_unit_that_begins_on_31_december_reports_for_that_year() -> None:
    registry = registry_from_rows([_unit("x-dec", "2024-12-31"), _unit("x-jan", "2025-01-01", "2025-12-30")])
    assert registry["x-dec"].reports_for(2024) and not registry["x-dec"].reports_for(2023)
    assert not registry["x-jan"].reports_for(2025) and not registry["x-jan"].reports_for(2024)
    assert registry["x-jan"].exists_on(dt.date(2025, 12, 30)) and not registry["x-jan"].exists_on(dt.date(2025, 12, 31))
    assert [u.id for u in registry.existing_on(dt.date(2024, 12, 31))] == ["x-dec"]


def test_every_unit_lies_in_hai_phong() -> None:
    registry = default_registry()
    for row in _csv_units():
        assert registry.province_of(row["id"]) == "tp-hai-phong", row["id"]
    assert registry.province_of("x-nowhere") is None
    assert registry_from_rows([_unit("x-alone")]).province_of("x-alone") is None


def _shared_names() -> dict[str, tuple[str, str]]:
    """Bare names an old and a new unit of data/units.csv share: name → (old id, new id), found from the file."""
    words = ("Quận ", "Huyện ", "Phường ", "Xã ")
    bare: dict[str, list[dict[str, str]]] = {}
    for row in _csv_units():
        if row["type"] == "tinh":
            continue
        name = next(row["name"][len(w):] for w in words if row["name"].startswith(w))
        bare.setdefault(name, []).append(row)
    return {name: (next(r["id"] for r in rows if r["valid_to"]), next(r["id"] for r in rows if not r["valid_to"]))
            for name, rows in bare.items() if len(rows) == 2}


def test_six_names_are_shared_by_a_district_and_its_successor_area() -> None:
    assert set(_shared_names()) == {"Hồng Bàng", "Lê Chân", "Kiến An", "An Lão", "Tiên Lãng", "Vĩnh Bảo"}


@pytest.mark.parametrize("name", sorted(["Hồng Bàng", "Lê Chân", "Kiến An", "An Lão", "Tiên Lãng", "Vĩnh Bảo"]))
def test_a_shared_name_matches_the_unit_that_reports_for_the_year(name: str) -> None:
    registry = default_registry()
    old, new = _shared_names()[name]
    for text in (name, fold(name), name.upper(), f"UBND {name}"):
        for year in (2019, 2023, 2024):
            assert getattr(registry.match(text, year), "id", None) == old, (text, year)
        for year in (2025, 2026):
            assert getattr(registry.match(text, year), "id", None) == new, (text, year)
        assert registry.match(text) is None  # without a year the name is ambiguous
    old_unit, new_unit = registry[old], registry[new]
    for year in (2023, 2025):  # a type word decides, whatever the year
        assert registry.match(old_unit.name, year) == old_unit
        assert registry.match(new_unit.name, year) == new_unit
        assert registry.match(new_unit.name_en, year) == new_unit
    assert new_unit.type in (UnitType.PHUONG, UnitType.XA) and old_unit.type in (UnitType.QUAN, UnitType.HUYEN)


def test_a_name_only_one_unit_has_matches_whatever_the_year() -> None:
    registry = default_registry()
    for year in (None, 2023, 2025):
        assert getattr(registry.match("Minh Khai", year), "id", None) == "p-minh-khai"
        assert getattr(registry.match("Phường Hồng Bàng", year), "id", None) == "p-hong-bang"
        assert getattr(registry.match("P. Hồng Bàng (mới)", year), "id", None) == "p-hong-bang"


def test_a_unit_is_involved_in_the_lineage_when_it_has_a_predecessor_or_a_successor() -> None:
    shipped = load_lineage(default_registry())
    assert shipped.involves("p-minh-khai") and shipped.involves("p-hong-bang")
    assert not shipped.involves("q-le-chan"), "a dissolved district has neither"
    assert not shipped.involves("x-nowhere")
