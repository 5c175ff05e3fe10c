"""Aggregates over the long ratings table (one row per unit × year × indicator).

Counts and shares of each colour come first; the ordinal score (red 0, yellow 1, green 2) is used only
inside aggregates, always with the number of excluded N/A and missing items beside it. The *index* is
the mean score of the assessed indicators scaled to 0–100 (all green = 100, all red = 0).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

import pandas as pd

from lgqa_metrics.analysis.lineage import THROUGH
from lgqa_metrics.domain.catalogue import Catalogue, code_key
from lgqa_metrics.domain.evidence import EvidenceStatus
from lgqa_metrics.domain.paths import CATALOGUE_DIR
from lgqa_metrics.domain.ratings import Rating
from lgqa_metrics.domain.units import REPORTING_TYPES, UnitRegistry

RATING_ORDER: Final = [r.value for r in (Rating.GREEN, Rating.YELLOW, Rating.RED, Rating.NA, Rating.MISSING)]
ASSESSED: Final = ("green", "yellow", "red")
TYPE_ORDER: Final = [t.value for t in REPORTING_TYPES]
UNIT_KEYS: Final = ("unit_id", "unit_name", "unit_type")


@dataclass(frozen=True, slots=True)
class Tier:
    """A tier label for an index, in the style of Vietnamese governance indices."""

    min_index: float
    label_vi: str
    label_en: str

    def label(self, lang: str = "vi") -> str:
        """The label in ``lang``."""
        return self.label_en if lang == "en" else self.label_vi


@cache
def load_tiers(path: Path | None = None) -> tuple[Tier, ...]:
    """Tier thresholds from ``data/catalogue/tiers.csv``, highest first; the lowest must start at 0."""
    path = path or CATALOGUE_DIR / "tiers.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        tiers = tuple(sorted((Tier(float(r["min_index"]), r["label_vi"].strip(), r["label_en"].strip())
                              for r in csv.DictReader(fh)), key=lambda t: -t.min_index))
    if not tiers or tiers[-1].min_index != 0:
        raise ValueError(f"{path.name}: the lowest tier must start at 0")
    return tiers


def tier_of(index: float | None, lang: str = "vi") -> str:
    """The tier label of an index ('' when there is none)."""
    if index is None or pd.isna(index):
        return ""
    return next(t.label(lang) for t in load_tiers() if index >= t.min_index)


def colour_counts(ratings: pd.DataFrame, by: Sequence[str] = (*UNIT_KEYS, "year")) -> pd.DataFrame:
    """Count of each rating per group, the number assessed, the green share and the 0–100 index."""
    by = list(by)
    columns = [*by, *RATING_ORDER, "assessed", "green_share", "index"]
    if ratings.empty:
        return pd.DataFrame(columns=columns)
    counts = (ratings.groupby(by, observed=True)["rating"].value_counts().unstack(fill_value=0)
              .reindex(columns=RATING_ORDER, fill_value=0).reset_index())
    counts.columns.name = None
    counts["assessed"] = counts[list(ASSESSED)].sum(axis=1)
    assessed = counts["assessed"].where(counts["assessed"] > 0)
    counts["green_share"] = counts["green"] / assessed
    counts["index"] = (counts["green"] * 2 + counts["yellow"]) / assessed * 50
    return counts[columns]


def years_of(ratings: pd.DataFrame) -> list[int]:
    """The years present, ascending."""
    return sorted(int(y) for y in ratings["year"].unique()) if not ratings.empty else []


def expected_units(registry: UnitRegistry, year: int) -> list[str]:
    """Ids of the units expected to report for ``year``: those that answer for it (exist on 31 December, see
    :meth:`~lgqa_metrics.domain.units.Unit.reports_for`), so that a reorganised year expects the new units, not
    the old ones."""
    return [u.id for u in registry.units if u.type in REPORTING_TYPES and u.reports_for(year)]


#: A year's returns are *substantially in* once at least this share of the units expected that year have sent
#: one; until then the year is still being received, and no page opens on it by itself.
SUBSTANTIALLY_IN: Final = 0.5


@dataclass(frozen=True, slots=True)
class YearStatus:
    """How far one year's returns are in: units with a return (``received``) of the units due (``expected``:
    those the registry expects that year, and any other unit that sent one)."""

    year: int
    received: int
    expected: int

    @property
    def receiving(self) -> bool:
        """True while fewer than :data:`SUBSTANTIALLY_IN` of the expected units have sent their return."""
        return self.received < SUBSTANTIALLY_IN * self.expected


def year_statuses(ratings: pd.DataFrame, registry: UnitRegistry) -> list[YearStatus]:
    """Each year with returns, ascending, with how far its returns are in."""
    sent = ratings.groupby("year", observed=True)["unit_id"].unique() if not ratings.empty else pd.Series()
    statuses = []
    for year in years_of(ratings):
        units = {str(u) for u in sent[year]}
        statuses.append(YearStatus(year, len(units), len(set(expected_units(registry, year)) | units)))
    return statuses


def default_year(statuses: Sequence[YearStatus]) -> int:
    """The year a page opens on: the latest whose returns are substantially in (the latest of all when none
    is). A newer year still being received stays one choice away."""
    settled = [s.year for s in statuses if not s.receiving]
    return settled[-1] if settled else statuses[-1].year


@dataclass(frozen=True, slots=True)
class Headline:
    """Headline figures of one year, with the change against the previous year where there is one: the change
    is measured on the ``compared`` units that have a return in both years only (like with like)."""

    year: int
    received: int
    expected: int
    shares: dict[str, float]
    previous_year: int | None
    change: dict[str, float]
    compared: int = 0


def _shares(frame: pd.DataFrame) -> dict[str, float]:
    """The share of each colour among the assessed ratings of ``frame``."""
    assessed = frame[frame["rating"].isin(ASSESSED)]
    total = len(assessed)
    return {c: (float((assessed["rating"] == c).sum()) / total if total else 0.0) for c in ASSESSED}


def headline(ratings: pd.DataFrame, year: int, registry: UnitRegistry,
             expected: Sequence[str] | None = None) -> Headline:
    """Returns received of expected (``expected`` ids, default: every registered unit valid that year), the
    share of each colour among assessed indicators, and its change since the previous year with returns,
    measured on the units that sent a return in both years."""
    this = ratings[ratings["year"] == year]
    earlier = [y for y in years_of(ratings) if y < year]
    prev = earlier[-1] if earlier else None
    change: dict[str, float] = {}
    compared = 0
    if prev is not None:
        before = ratings[ratings["year"] == prev]
        both = set(this["unit_id"].unique()) & set(before["unit_id"].unique())
        compared = len(both)
        if both:
            now_both = _shares(this[this["unit_id"].isin(both)])
            before_both = _shares(before[before["unit_id"].isin(both)])
            change = {c: now_both[c] - before_both[c] for c in ASSESSED}
    due = set(expected_units(registry, year) if expected is None else expected) | set(this["unit_id"].unique())
    return Headline(year, int(this["unit_id"].nunique()), len(due), _shares(this), prev, change, compared)


def type_rank(types: pd.Series) -> pd.Series:
    """Each unit type's place in :data:`TYPE_ORDER` (quận, huyện, phường, xã; anything else last), as plain
    integers whatever the column's dtype (a categorical's own order is alphabetical)."""
    rank = {t: i for i, t in enumerate(TYPE_ORDER)}
    return types.astype(str).map(lambda v: rank.get(v, len(rank))).astype(int)


def unit_order(ratings: pd.DataFrame) -> pd.DataFrame:
    """The units present, ordered by type (quận, huyện, phường, xã) then name."""
    units = ratings[list(UNIT_KEYS)].drop_duplicates()
    units = units.assign(_t=type_rank(units["unit_type"]))
    return units.sort_values(["_t", "unit_name"]).drop(columns="_t").reset_index(drop=True)


def units_due(ratings: pd.DataFrame, year: int, registry: UnitRegistry, expected: Sequence[str]) -> pd.DataFrame:
    """The units of ``year``'s matrix: every unit with a return that year and every ``expected`` unit without
    one, in type then name order, with ``sent`` telling them apart."""
    this = ratings[ratings["year"] == year]
    sent = set(this["unit_id"].unique())
    absent = [registry[u] for u in expected if u not in sent and u in registry]
    rows = pd.concat([this[list(UNIT_KEYS)].drop_duplicates().assign(sent=True),
                      pd.DataFrame({"unit_id": [u.id for u in absent], "unit_name": [u.name for u in absent],
                                    "unit_type": [u.type.value for u in absent], "sent": False})],
                     ignore_index=True)
    rows = rows.assign(unit_type=rows["unit_type"].astype(str), _t=type_rank(rows["unit_type"]))
    return rows.sort_values(["_t", "unit_name"]).drop(columns="_t").reset_index(drop=True)


@dataclass(frozen=True, slots=True)
class Matrix:
    """The traffic-light matrix of one year, three grids alike (units × the 39 codes): each rating, its evidence
    text, and its evidence status (``evidenced``, ``missing``, ``not_required``)."""

    ratings: pd.DataFrame
    evidence: pd.DataFrame
    evidence_status: pd.DataFrame


def matrix(ratings: pd.DataFrame, year: int, catalogue: Catalogue, units: pd.DataFrame | None = None) -> Matrix:
    """The traffic-light matrix of one year, units as rows (``units``' ``unit_id`` in its order; default: the
    units present, in type order), the 39 codes as columns in numeric order. Unit-years without a value hold
    ``missing``, with no evidence and none required."""
    this = ratings[ratings["year"] == year]
    order = unit_order(this) if units is None else units
    codes = list(catalogue.codes)

    def grid(values: str, empty: str) -> pd.DataFrame:
        if values not in this:
            return pd.DataFrame(empty, index=pd.Index(order["unit_id"]), columns=codes)
        table = this.pivot(index="unit_id", columns="indicator_code", values=values).astype(object)
        return table.reindex(index=order["unit_id"], columns=codes).fillna(empty)

    return Matrix(grid("rating", "missing"), grid("evidence", ""),
                  grid("evidence_status", EvidenceStatus.NOT_REQUIRED.value))


def quadrant_counts(ratings: pd.DataFrame) -> pd.DataFrame:
    """Colour counts per unit × year × quadrant (for stacked bars)."""
    return colour_counts(ratings, (*UNIT_KEYS, "year", "quadrant"))


def evidenced_share(ratings: pd.DataFrame, by: Sequence[str] = (*UNIT_KEYS, "year")) -> pd.DataFrame:
    """Per group of ``by``: how many ratings needed evidence (``needing``), how many of them had it
    (``evidenced``), and ``evidenced_share``, from 0 to 1 (NA where none needed any)."""
    needing = ratings["evidence_status"].astype(str) != EvidenceStatus.NOT_REQUIRED.value
    given = ratings["evidence_status"].astype(str) == EvidenceStatus.EVIDENCED.value
    flags = ratings[list(by)].assign(needing=needing.astype(int), evidenced=given.astype(int))
    out = flags.groupby(list(by), observed=True)[["needing", "evidenced"]].sum().reset_index()
    out["evidenced_share"] = (out["evidenced"] / out["needing"].where(out["needing"] > 0)).astype("Float64")
    return out


def ranking(ratings: pd.DataFrame, year: int, lang: str = "vi") -> pd.DataFrame:
    """Units of one year ranked by index (ties share a rank), with colour counts, excluded N/A and
    missing counts, the tier label, the share of ratings needing evidence that had it and, when ``ratings`` says,
    whether the unit's return has been appraised."""
    this_year = ratings[ratings["year"] == year]
    counts = colour_counts(this_year)
    if counts.empty:
        return counts.assign(rank=pd.Series(dtype="Int64"), tier=pd.Series(dtype="str"),
                             evidenced_share=pd.Series(dtype="Float64"))
    if "evidence_status" in this_year:
        shares = evidenced_share(this_year, ("unit_id",))[["unit_id", "evidenced_share"]]
        counts = counts.merge(shares.astype({"unit_id": counts["unit_id"].dtype}), on="unit_id", how="left")
    if "appraised" in this_year:
        appraised = this_year.groupby("unit_id", observed=True)["appraised"].any().reset_index()
        counts = counts.merge(appraised.astype({"unit_id": counts["unit_id"].dtype}), on="unit_id", how="left")
    counts = counts.sort_values(["index", "green", "unit_name"], ascending=[False, False, True], na_position="last")
    counts["rank"] = counts["index"].rank(method="min", ascending=False).astype("Int64")
    counts["tier"] = [tier_of(v, lang) for v in counts["index"]]
    return counts.reset_index(drop=True)


def group_averages(ratings: pd.DataFrame, year: int) -> pd.DataFrame:
    """Per unit type: number of units, mean and range of the unit indices, and pooled colour shares."""
    per_unit = colour_counts(ratings[ratings["year"] == year])
    if per_unit.empty:
        return pd.DataFrame(columns=["unit_type", "units", "index_mean", "index_min", "index_max", *ASSESSED])
    grouped = per_unit.groupby("unit_type", observed=True)
    out = grouped.agg(units=("unit_id", "nunique"), index_mean=("index", "mean"), index_min=("index", "min"),
                      index_max=("index", "max"), green=("green", "sum"), yellow=("yellow", "sum"),
                      red=("red", "sum")).reset_index()
    total = out[list(ASSESSED)].sum(axis=1).where(lambda s: s > 0)
    for colour in ASSESSED:
        out[colour] = out[colour] / total
    out["_t"] = type_rank(out["unit_type"])
    return out.sort_values("_t").drop(columns="_t").reset_index(drop=True)


def quadrant_profile(ratings: pd.DataFrame, year: int) -> pd.DataFrame:
    """Per unit × quadrant of one year: colour counts, green share and index (for radar charts)."""
    return colour_counts(ratings[ratings["year"] == year], (*UNIT_KEYS, "quadrant"))


def trend(ratings: pd.DataFrame, by_quadrant: bool = False) -> pd.DataFrame:
    """Index and colour counts per unit and year (and quadrant); rows carried back from predecessors
    (``through_lineage``, see :mod:`lgqa_metrics.analysis.lineage`) stay apart from the unit's own."""
    marked = (THROUGH,) if THROUGH in ratings else ()
    keys = (*UNIT_KEYS, *marked, "year", "quadrant") if by_quadrant else (*UNIT_KEYS, *marked, "year")
    return colour_counts(ratings, keys)


_RANK: Final = {"red": 0, "yellow": 1, "green": 2}


def change_summary(ratings: pd.DataFrame, year_from: int, year_to: int) -> pd.DataFrame:
    """Indicator-level changes of each unit between two years, counted per unit: improved, declined,
    unchanged, not comparable, and the net. Only indicators assessed (red/yellow/green) in both years count
    as improved, declined or unchanged."""
    both = _compared(ratings, year_from, year_to)
    kinds = ["improved", "declined", "unchanged", "not_comparable"]
    summary = (both.groupby(list(UNIT_KEYS), observed=True)["change"].value_counts().unstack(fill_value=0)
               .reindex(columns=kinds, fill_value=0).reset_index())
    summary.columns.name = None
    summary["net"] = summary["improved"] - summary["declined"]
    return summary.sort_values(["net", "unit_name"], ascending=[False, True]).reset_index(drop=True)


def units_in_both(ratings: pd.DataFrame, year_from: int, year_to: int) -> tuple[int, int]:
    """How many units have a return in both years (the only ones a change is measured on), and how many in one
    of the two only."""
    first = set(ratings.loc[ratings["year"] == year_from, "unit_id"].unique())
    second = set(ratings.loc[ratings["year"] == year_to, "unit_id"].unique())
    return len(first & second), len(first ^ second)


def change_detail(ratings: pd.DataFrame, year_from: int, year_to: int) -> pd.DataFrame:
    """Each improvement and decline between two years (as :func:`change_summary` counts them), with the
    later year's evidence and note when ``ratings`` has them."""
    both = _compared(ratings, year_from, year_to)
    detail = both[both["change"].isin(["improved", "declined"])].copy()
    detail["_k"] = detail["indicator_code"].map(code_key)
    return detail.sort_values(["unit_name", "change", "_k"]).drop(columns="_k").reset_index(drop=True)


def _compared(ratings: pd.DataFrame, year_from: int, year_to: int) -> pd.DataFrame:
    """Each indicator of each unit rated in both years, with its change."""
    text = [c for c in ("evidence", "note") if c in ratings]
    a = ratings[ratings["year"] == year_from][[*UNIT_KEYS, "indicator_code", "indicator_name", "rating"]]
    b = ratings[ratings["year"] == year_to][["unit_id", "indicator_code", "rating", *text]]
    both = a.merge(b, on=["unit_id", "indicator_code"], suffixes=("_from", "_to"))
    score_from = both["rating_from"].astype(str).map(_RANK)
    score_to = both["rating_to"].astype(str).map(_RANK)
    comparable = score_from.notna() & score_to.notna()
    both["change"] = "not_comparable"
    both.loc[comparable & (score_to > score_from), "change"] = "improved"
    both.loc[comparable & (score_to < score_from), "change"] = "declined"
    both.loc[comparable & (score_to == score_from), "change"] = "unchanged"
    return both


def indicator_distribution(ratings: pd.DataFrame, code: str) -> pd.DataFrame:
    """Colour counts of one indicator per year."""
    return colour_counts(ratings[ratings["indicator_code"] == code], ("year",))


def unevidenced_units(ratings: pd.DataFrame, code: str, year: int) -> pd.DataFrame:
    """Units whose rating of one indicator in one year needed evidence and had none (greens first), with their
    evidence cell and note as sent."""
    mask = ((ratings["indicator_code"] == code) & (ratings["year"] == year)
            & (ratings["evidence_status"] == EvidenceStatus.MISSING.value))
    part = ratings.loc[mask, [*UNIT_KEYS, "rating", "evidence", "note"]]
    part = part.assign(_g=(part["rating"] != "green").astype(int))
    return part.sort_values(["_g", "unit_name"]).drop(columns="_g").reset_index(drop=True)


def red_units(ratings: pd.DataFrame, code: str, year: int | None = None) -> pd.DataFrame:
    """Units rated red on one indicator (one year or all), with their evidence and notes."""
    mask = (ratings["indicator_code"] == code) & (ratings["rating"] == "red")
    if year is not None:
        mask &= ratings["year"] == year
    cols = [*UNIT_KEYS, "year", "evidence", "note", "version"]
    return ratings.loc[mask, cols].sort_values(["year", "unit_name"], ascending=[False, True]).reset_index(drop=True)


def completeness(submissions: pd.DataFrame, registry: UnitRegistry, years: Sequence[int]) -> pd.DataFrame:
    """Units × years: the current version number received, or NA where the return is missing. The units are those
    answering for at least one of ``years`` (the hierarchy of those years: old units before a reorganisation, new
    ones after) and any other unit that sent a return; a unit not expected in a year is left out of that year's
    count but shown."""
    current = submissions[submissions["status"] == "current"]
    grid = current.pivot_table(index="unit_id", columns="year", values="version", aggfunc="max")
    sent = set(current.loc[current["year"].isin(list(years)), "unit_id"].astype(str))
    ids = [u.id for u in registry.units
           if u.type in REPORTING_TYPES and (u.id in sent or any(u.reports_for(y) for y in years))]
    ids += [i for i in grid.index if i not in registry]
    grid = grid.reindex(index=ids, columns=list(years))
    grid.columns = [int(c) for c in grid.columns]
    return grid.astype("Int64")
