"""Comparisons that follow lineage: the years before a unit existed, seen through the units it came from.

A ward formed on 1 July 2025 from three communes has no return before 2025. Its predecessors do. To show the
place's history, each year before the unit answered is *carried back*: per indicator, the predecessors'
ratings of that year are turned into one rating for the new unit by a :class:`BaselineRule` the user chooses
and every view names. Carried rows are marked (``through_lineage``) and never stored: the returns stay as
the units sent them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

import numpy as np
import pandas as pd

from lgqa_metrics.domain.i18n import t
from lgqa_metrics.domain.lineage import Lineage
from lgqa_metrics.domain.ratings import COLOURS, Rating
from lgqa_metrics.domain.units import UnitRegistry

#: The column marking rows carried back from predecessors.
THROUGH: Final = "through_lineage"
#: Points of the assessed ratings (red 0, yellow ½, green 1): their scores (:attr:`Rating.score`) halved.
_POINTS: Final = {r.value: r.score / 2 for r in COLOURS if r.score is not None}
_BY_POINTS: Final = {points: rating for rating, points in _POINTS.items()}


class BaselineRule(StrEnum):
    """How several predecessors' ratings of one indicator become one rating of the new unit.

    worst: the lowest assessed rating (a place is as good as its weakest part);
    most_frequent: the rating most predecessors gave (a tie goes to the lower rating);
    weighted: the mean of the predecessors' points (red 0, yellow ½, green 1) weighted by the share of each
    that went into the new unit, rounded to the nearest colour (a tie goes to the lower one).

    An indicator no predecessor assessed is not applicable when one said so, else missing."""

    WORST = "worst"
    MOST_FREQUENT = "most_frequent"
    WEIGHTED = "weighted"

    def label(self, lang: str = "vi") -> str:
        """The rule's name for people."""
        return t(f"lineage.rule_{self.value}", lang)

    def explanation(self, lang: str = "vi") -> str:
        """What the rule does, in one sentence."""
        return t(f"lineage.rule_{self.value}_help", lang)


@dataclass(frozen=True, slots=True)
class Carried:
    """What was carried back for one unit: the years and, per year, the predecessors whose returns were used."""

    unit_id: str
    years: tuple[int, ...]
    sources: dict[int, tuple[str, ...]]
    first_own_year: int | None


def ancestor_weights(lineage: Lineage, unit_id: str) -> dict[str, float]:
    """Each ancestor of ``unit_id`` with the share of it that went into the unit (the product of the shares
    along the way, summed over ways)."""
    weights: dict[str, float] = {}
    frontier = {unit_id: 1.0}
    seen = {unit_id}
    while frontier:
        nxt: dict[str, float] = {}
        for uid, weight in frontier.items():
            for link in lineage.predecessors(uid):
                w = weight * link.share
                weights[link.from_id] = weights.get(link.from_id, 0.0) + w
                if link.from_id not in seen:
                    nxt[link.from_id] = nxt.get(link.from_id, 0.0) + w
        seen.update(nxt)
        frontier = nxt
    return weights


def followed_units(units: Sequence[str], lineage: Lineage) -> list[str]:
    """The units of ``units`` that have predecessors (the ones whose earlier years can be carried back)."""
    return [u for u in units if lineage.predecessors(u)]


def with_ancestors(units: Sequence[str], lineage: Lineage) -> list[str]:
    """``units`` and every ancestor of them (what to read to carry the units back)."""
    out = dict.fromkeys(units)
    for u in units:
        out.update(dict.fromkeys(lineage.ancestors(u)))
    return list(out)


def _combined(source: pd.DataFrame, rule: BaselineRule) -> pd.Series:
    """Per (target, year, indicator_code): one rating from the predecessors' rows of ``source`` (columns
    ``target``, ``year``, ``indicator_code``, ``rating``, ``weight``) by ``rule``."""
    keys = ["target", "year", "indicator_code"]
    ratings = source["rating"].astype(str)
    frame = source[keys].assign(points=ratings.map(_POINTS).astype(float), weight=source["weight"].astype(float),
                                na=ratings == Rating.NA.value)
    groups = frame.groupby(keys, observed=True, sort=True)
    fallback = groups["na"].any().map({True: Rating.NA.value, False: Rating.MISSING.value})
    assessed = frame.dropna(subset=["points"])
    if rule is BaselineRule.WORST:
        points = assessed.groupby(keys, observed=True)["points"].min()
    elif rule is BaselineRule.MOST_FREQUENT:
        counts = assessed.groupby([*keys, "points"], observed=True).size().rename("n").reset_index()
        counts = counts.sort_values([*keys, "n", "points"], ascending=[True, True, True, False, True])
        points = counts.drop_duplicates(keys).set_index(keys)["points"]
    else:
        weighted = assessed.assign(wp=assessed["points"] * assessed["weight"])
        sums = weighted.groupby(keys, observed=True)[["wp", "weight"]].sum()
        points = np.ceil(sums["wp"] / sums["weight"] * 2 - 0.5 - 1e-9) / 2  # nearest colour, a tie to the lower
    words = points.map(_BY_POINTS)
    return words.reindex(fallback.index).fillna(fallback)


def carry_back(ratings: pd.DataFrame, units: Sequence[str], lineage: Lineage, registry: UnitRegistry,
               rule: BaselineRule) -> tuple[pd.DataFrame, list[Carried]]:
    """Rows for the years before each of ``units`` answered, made from its ancestors' rows in ``ratings`` by
    ``rule`` (the ancestors that answered for that year), shaped like ``ratings`` with the unit's own id, name
    and type and ``through_lineage`` True; and what was carried for each unit. Years a unit answered itself
    are never carried, nor years none of its ancestors answered."""
    parts: list[pd.DataFrame] = []
    carried: list[Carried] = []
    unit_ids = ratings["unit_id"].astype(str)
    for uid in followed_units(units, lineage):
        unit = registry.get(uid)
        if unit is None:
            continue
        weights = ancestor_weights(lineage, uid)
        source = ratings[unit_ids.isin(list(weights))]
        answered = {(a, y) for a, y in source[["unit_id", "year"]].drop_duplicates().astype({"unit_id": str})
                    .itertuples(index=False) if registry[a].reports_for(int(y)) and not unit.reports_for(int(y))}
        keep = [(a, y) in answered for a, y in zip(source["unit_id"].astype(str), source["year"], strict=True)]
        source = source[keep]
        if source.empty:
            continue
        parts.append(source.assign(target=uid, weight=source["unit_id"].astype(str).map(weights)))
        years = tuple(sorted(int(y) for y in source["year"].unique()))
        sources = {y: tuple(sorted({a for a, yy in answered if yy == y})) for y in years}
        own = [y for y in range(years[-1] + 1, years[-1] + 100) if unit.reports_for(y)]
        carried.append(Carried(uid, years, sources, own[0] if own else None))
    if not parts:
        return ratings.head(0).assign(**{THROUGH: pd.Series(dtype=bool)}), carried
    source = pd.concat(parts, ignore_index=True)
    words = _combined(source, rule).rename("rating").reset_index()
    shape = source.drop_duplicates(["target", "year", "indicator_code"]).drop(columns=["rating", "weight"])
    frame = shape.merge(words, on=["target", "year", "indicator_code"])
    for column, empty in (("evidence", ""), ("note", ""), ("cell", ""), ("evidence_status", ""),
                          ("submission_id", pd.NA)):
        if column in frame:
            frame[column] = empty
    if "score" in frame:  # the carried rating's score, not that of the predecessor row the shape came from
        frame["score"] = frame["rating"].map(lambda r: Rating(r).score).astype("Int64")
    names = {c.unit_id: registry[c.unit_id] for c in carried}
    frame = frame.assign(unit_id=frame["target"], unit_name=frame["target"].map(lambda u: names[u].name),
                         unit_type=frame["target"].map(lambda u: names[u].type.value),
                         **{THROUGH: True}).drop(columns="target")
    return frame.reindex(columns=[*ratings.columns, THROUGH]), carried


def followed(ratings: pd.DataFrame, units: Sequence[str], lineage: Lineage, registry: UnitRegistry,
             rule: BaselineRule) -> tuple[pd.DataFrame, list[Carried]]:
    """The rows of ``units`` in ``ratings`` (``through_lineage`` False) with their carried-back years (True);
    an ancestor chosen beside a unit it is carried into is left out as a line of its own (it is drawn as that
    unit's earlier years)."""
    extra, carried = carry_back(ratings, units, lineage, registry, rule)
    absorbed = {a for c in carried for sources in c.sources.values() for a in sources}
    own_units = [u for u in units if u not in absorbed or u in {c.unit_id for c in carried}]
    own = ratings[ratings["unit_id"].astype(str).isin(own_units)]
    own = own.assign(**{THROUGH: False})
    if extra.empty:
        return own, carried
    columns = list(own.columns)
    combined = pd.concat([own.astype({c: "object" for c in ("unit_id", "unit_name", "unit_type")}),
                          extra.reindex(columns=columns)], ignore_index=True)
    return combined, carried


def break_years(carried: Sequence[Carried]) -> list[float]:
    """Where to draw the reorganisation on a year axis: half a year before each unit's first own year."""
    return sorted({c.first_own_year - 0.5 for c in carried if c.first_own_year is not None})


def carried_note(carried: Sequence[Carried], registry: UnitRegistry, rule: BaselineRule, lang: str = "vi") -> str:
    """One line per unit carried back: which years stand on which predecessors, and the rule."""
    lines = []
    for c in carried:
        names = sorted({registry.name_of(a, lang) for sources in c.sources.values() for a in sources})
        years = ", ".join(str(y) for y in c.years)
        lines.append(t("lineage.carried_line", lang, unit=registry.name_of(c.unit_id, lang), years=years,
                       units=", ".join(names), rule=rule.label(lang)))
    return "\n".join(f"- {line}" for line in lines)
