"""The gap between self-assessment and appraisal: who rates themselves greener than the evidence supports, on which
indicators, and how that changes over the years. Input: ratings on the combined basis (``basis.apply``), whose
``self_rating`` is the unit's and ``rating`` the appraiser's where the return has been appraised."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import pandas as pd

from lgqa_metrics.analysis.analytics import UNIT_KEYS, type_rank
from lgqa_metrics.domain.catalogue import code_key

_SCORES: Final = {"red": 0, "yellow": 1, "green": 2}
#: The columns of every gap table after its keys.
GAP_COLUMNS: Final = ("compared", "over", "under", "same", "over_share", "mean_gap")


def compared(ratings: pd.DataFrame) -> pd.DataFrame:
    """The appraised ratings both sides scored (red, yellow or green), each with ``gap`` = the unit's score minus the
    appraiser's (> 0: the unit rated itself higher than the appraiser did)."""
    if "appraised" not in ratings or ratings.empty:
        return ratings.iloc[0:0].assign(gap=pd.Series(dtype="int64"))
    rows = ratings[ratings["appraised"].astype(bool)]
    own = rows["self_rating"].astype(str).map(_SCORES).astype("Int64")
    found = rows["rating"].astype(str).map(_SCORES).astype("Int64")
    both = own.notna() & found.notna()
    return rows[both].assign(gap=(own[both] - found[both]).astype("int64"))


def _gaps(rows: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    keys = list(by)
    if rows.empty:
        return pd.DataFrame(columns=[*keys, *GAP_COLUMNS])
    flags = rows[keys].assign(compared=1, over=(rows["gap"] > 0).astype(int), under=(rows["gap"] < 0).astype(int),
                              same=(rows["gap"] == 0).astype(int), gap=rows["gap"])
    out = flags.groupby(keys, observed=True).agg(compared=("compared", "sum"), over=("over", "sum"),
                                                 under=("under", "sum"), same=("same", "sum"),
                                                 mean_gap=("gap", "mean")).reset_index()
    out["over_share"] = out["over"] / out["compared"]
    return out[[*keys, *GAP_COLUMNS]]


def gap_by_unit(ratings: pd.DataFrame, year: int) -> pd.DataFrame:
    """Per appraised unit of ``year``: indicators compared, rated higher by the unit than by the appraiser (over),
    lower (under), the same, the share over and the mean gap in score points; the most over-rated first."""
    rows = compared(ratings)
    out = _gaps(rows[rows["year"] == year], UNIT_KEYS)
    if out.empty:
        return out
    out = out.assign(_t=type_rank(out["unit_type"]))
    return out.sort_values(["mean_gap", "_t", "unit_name"], ascending=[False, True, True]).drop(columns="_t") \
        .reset_index(drop=True)


def gap_by_indicator(ratings: pd.DataFrame, year: int) -> pd.DataFrame:
    """Per indicator of ``year`` (over the appraised units): the same counts; the most over-rated first, then by
    code."""
    rows = compared(ratings)
    out = _gaps(rows[rows["year"] == year], ("indicator_code", "indicator_name"))
    if out.empty:
        return out
    out = out.assign(_k=out["indicator_code"].astype(str).map(code_key))
    return out.sort_values(["mean_gap", "_k"], ascending=[False, True]).drop(columns="_k").reset_index(drop=True)


def gap_by_year(ratings: pd.DataFrame) -> pd.DataFrame:
    """Per year: units appraised, indicators compared and the gap counts: does self-assessment come closer to the
    appraisal as the pilot goes on?"""
    rows = compared(ratings)
    out = _gaps(rows, ("year",))
    units = rows.groupby("year")["unit_id"].nunique().rename("units").reset_index()
    return units.merge(out, on="year") if not out.empty else out.assign(units=pd.Series(dtype="int64"))


def unit_gap_trend(ratings: pd.DataFrame) -> pd.DataFrame:
    """Per appraised unit and year: the mean gap (for a line per unit over the years)."""
    return _gaps(compared(ratings), (*UNIT_KEYS, "year"))
