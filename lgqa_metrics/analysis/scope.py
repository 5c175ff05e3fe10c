"""The scope of a view at national scale: the whole country, one province or one district.

A few dozen units can be shown one by one (a row each in the traffic-light matrix, a line each in a
trend chart). Thousands cannot: above :data:`UNIT_LIMIT` units in scope the views summarise by the next
level down (provinces of the country, districts of a province) and list the worst units, and a unit is
found by searching its name. The long ratings table carries each unit's province and district
(``province_id``/``district_id``, empty where the registry has none) for this.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from lgqa_metrics.analysis.analytics import colour_counts, ranking
from lgqa_metrics.domain.catalogue import Catalogue
from lgqa_metrics.domain.textnorm import fold
from lgqa_metrics.domain.units import REPORTING_TYPES, UnitRegistry

#: At most this many units are shown one by one; above it views summarise by area.
UNIT_LIMIT: Final = 60
#: Rows of a ranked list (worst units, changes) shown at national scale.
LIST_ROWS: Final = 50
#: Units profiled (radar, wheels) at once at national scale; by default the weakest.
PROFILE_UNITS: Final = 6
#: Rows of a detail table (units with their evidence) shown at once.
TABLE_ROWS: Final = 500
AREA_KEYS: Final = ("province_id", "district_id")


@dataclass(frozen=True, slots=True)
class Scope:
    """One province, one district of it, or (both empty) everything."""

    province: str = ""
    district: str = ""

    def apply(self, ratings: pd.DataFrame) -> pd.DataFrame:
        """The rows of units inside the scope."""
        if self.district:
            return ratings[ratings["district_id"] == self.district]
        if self.province:
            return ratings[ratings["province_id"] == self.province]
        return ratings

    def holds(self, area: tuple[str | None, str | None]) -> bool:
        """True when a unit with this (province, district) lies inside the scope."""
        province, district = area
        return (not self.province or province == self.province) and (not self.district or district == self.district)

    @property
    def child_key(self) -> str:
        """The column that splits this scope one level down (provinces, districts, units)."""
        if self.district:
            return "unit_id"
        return "district_id" if self.province else "province_id"


def with_areas(ratings: pd.DataFrame, registry: UnitRegistry) -> pd.DataFrame:
    """``ratings`` with each unit's province and district ids (categoricals; empty when unknown)."""
    units = ratings["unit_id"].astype("category")
    rows = units.cat.codes.to_numpy()
    ids = [str(u) for u in units.cat.categories]
    columns = {}
    for level, key in enumerate(AREA_KEYS):
        labels = np.array([(registry.area(u)[level] if u in registry else None) or "" for u in ids], dtype=str)
        distinct, inverse = np.unique(labels, return_inverse=True)
        columns[key] = pd.Categorical.from_codes(np.asarray(inverse, dtype=np.int64)[rows],
                                                 categories=pd.Index(distinct, dtype="str"))
    return ratings.assign(**columns)


def provinces(ratings: pd.DataFrame) -> list[str]:
    """Province ids present (none when the registry has no provinces)."""
    return sorted(p for p in ratings["province_id"].unique() if p)


def districts(ratings: pd.DataFrame, province: str = "") -> list[str]:
    """District ids present, of one province (or all)."""
    part = ratings[ratings["province_id"] == province] if province else ratings
    return sorted(d for d in part["district_id"].unique() if d)


def hierarchy(ratings: pd.DataFrame) -> dict[str, list[str]]:
    """The areas present in ``ratings``: each province id → its district ids, and ``""`` → every district id
    (sorted). Given one year's ratings, the hierarchy of that year: before 1 July 2025 provinces hold districts,
    after it communes belong to their province directly (no districts)."""
    pairs = ratings[list(AREA_KEYS)].drop_duplicates().astype(str)
    out: dict[str, list[str]] = {"": sorted(d for d in pairs["district_id"].unique() if d)}
    for province, part in pairs.groupby("province_id"):
        if province:
            out[str(province)] = sorted(d for d in part["district_id"].unique() if d)
    return out


def unit_count(ratings: pd.DataFrame) -> int:
    """Distinct units in ``ratings``."""
    return int(ratings["unit_id"].nunique())


def summarised(ratings: pd.DataFrame) -> bool:
    """True when ``ratings`` holds too many units to show one by one."""
    return unit_count(ratings) > UNIT_LIMIT


def area_matrix(ratings: pd.DataFrame, key: str, catalogue: Catalogue) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Areas × the 39 indicators of one year's ``ratings``: (share of red among assessed ratings, colour
    counts in long form). Areas are the values of ``key`` (``province_id`` or ``district_id``)."""
    counts = colour_counts(ratings, (key, "indicator_code"))
    counts = counts[counts[key] != ""]
    share = (counts["red"] / counts["assessed"].where(counts["assessed"] > 0)).rename("red_share")
    grid = (counts.assign(red_share=share).pivot(index=key, columns="indicator_code", values="red_share")
            .reindex(columns=list(catalogue.codes)))
    grid.columns = [str(c) for c in grid.columns]
    grid.index = [str(i) for i in grid.index]
    return grid, counts.reset_index(drop=True)


def area_summary(ratings: pd.DataFrame, key: str) -> pd.DataFrame:
    """Per area of ``key``: units, colour counts, green share and index of one year's ``ratings``,
    worst index first."""
    counts = colour_counts(ratings, (key,))
    units = ratings.groupby(key, observed=True)["unit_id"].nunique().rename("units").reset_index()
    out = counts.merge(units, on=key)
    out = out[out[key] != ""]
    return out.sort_values(["index", key], ascending=[True, True]).reset_index(drop=True)


def area_counts(ratings: pd.DataFrame, key: str, names: dict[str, str], by: tuple[str, ...] = ("quadrant",)) -> pd.DataFrame:
    """Colour counts and index per area of ``key`` × ``by``, shaped like the per-unit tables of
    :mod:`lgqa_metrics.analysis.analytics` (the area in the unit columns), so the same charts draw them."""
    counts = colour_counts(ratings, (key, *by))
    counts = counts[counts[key] != ""]
    ids = counts[key].astype(str)
    return counts.drop(columns=key).assign(unit_id=ids, unit_name=[names.get(a, a) for a in ids], unit_type="")


def ranked_units(ratings: pd.DataFrame, year: int, registry: UnitRegistry, lang: str = "vi") -> pd.DataFrame:
    """Every unit of ``year`` ranked by index (see ``analytics.ranking``), with its district and
    province names (``district``, ``province``)."""
    ranked = ranking(ratings, year, lang)
    areas = ratings[["unit_id", *AREA_KEYS]].drop_duplicates("unit_id")
    ranked = ranked.merge(areas.assign(unit_id=areas["unit_id"].astype(str)),
                          on="unit_id", how="left") if not ranked.empty else ranked.assign(province_id="", district_id="")
    names = {a: registry.name_of(a, lang) for key in AREA_KEYS for a in ranked[key].dropna().unique() if a}
    return ranked.assign(district=[names.get(str(a), "") for a in ranked["district_id"]],
                         province=[names.get(str(a), "") for a in ranked["province_id"]])


def worst_units(ranked: pd.DataFrame, n: int = LIST_ROWS) -> pd.DataFrame:
    """The ``n`` lowest-ranked units of a :func:`ranked_units` table, worst first."""
    return ranked.iloc[::-1].head(n).reset_index(drop=True)


def profiled_units(chosen: list[str], ranked: pd.DataFrame, many: bool) -> list[str]:
    """The units the profile charts draw: every chosen one when few units are in scope; else at most
    :data:`PROFILE_UNITS` of the chosen, or (none chosen) the weakest of the ``ranked`` table."""
    if not many:
        return chosen
    return (chosen or list(worst_units(ranked, PROFILE_UNITS)["unit_id"]))[:PROFILE_UNITS]


#: Units a search on Trends at national scale offers to follow one by one.
FOLLOW_HITS: Final = 20


def find_registered(registry: UnitRegistry, text: str, limit: int = FOLLOW_HITS) -> list[str]:
    """Ids of the reporting units whose name, English name, id or province's name contains ``text`` (case, accents
    and spacing ignored), at most ``limit``, newest first (the units of a reorganisation before their
    predecessors), then by name."""
    needle = " ".join(fold(text).split())
    if not needle:
        return []
    hits = [u for u in registry.units if u.type in REPORTING_TYPES and needle in fold(
        f"{u.name} {u.name_en} {u.id} {registry.name_of(registry.province_of(u.id) or '')}")]
    hits.sort(key=lambda u: (-(u.valid_from.toordinal() if u.valid_from else 0), u.name, u.id))
    return [u.id for u in hits[:limit]]


def search_units(ranked: pd.DataFrame, text: str, limit: int = LIST_ROWS) -> pd.DataFrame:
    """The units of a ranked table whose name, id, district or province contains ``text`` (case,
    accents and spacing ignored), at most ``limit``, ordered by name."""
    needle = " ".join(fold(text).split())
    if not needle:
        return ranked.iloc[0:0]
    hay = [fold(" ".join(str(v) for v in row)) for row in
           zip(ranked["unit_name"], ranked["unit_id"], ranked["district"], ranked["province"], strict=True)]
    hits = ranked[[needle in h for h in hay]]
    return hits.sort_values(["unit_name", "unit_id"]).head(limit).reset_index(drop=True)
