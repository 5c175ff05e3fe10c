"""Aggregates over the long ratings table. Counts and shares per colour, never a bare mean."""

from __future__ import annotations

from typing import Final

import pandas as pd

from lgqa_metrics.ratings import Rating

RATING_ORDER: Final = [r.value for r in (Rating.GREEN, Rating.YELLOW, Rating.RED, Rating.NA, Rating.MISSING)]


def colour_counts(ratings: pd.DataFrame, by: tuple[str, ...] = ("unit_id", "unit_name", "unit_type", "year")) -> pd.DataFrame:
    """Count of each rating per group, with the share of green among assessed (non-N/A, non-missing) items."""
    if ratings.empty:
        return pd.DataFrame(columns=[*by, *RATING_ORDER, "assessed", "green_share"])
    counts = (ratings.groupby(list(by), observed=True)["rating"].value_counts().unstack(fill_value=0)
              .reindex(columns=RATING_ORDER, fill_value=0).reset_index())
    counts.columns.name = None
    counts["assessed"] = counts[["green", "yellow", "red"]].sum(axis=1)
    assessed = counts["assessed"].where(counts["assessed"] > 0)
    counts["green_share"] = (counts["green"] / assessed).round(3)
    return counts
