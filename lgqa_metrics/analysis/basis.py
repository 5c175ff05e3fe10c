"""Which rating a figure counts: the unit's self-assessment (tự đánh giá) or the appraiser's (thẩm định).

By default a figure counts the appraised rating where the unit's return has been appraised and the self-assessed one
otherwise (:attr:`Basis.COMBINED`), and marks the units not appraised; the other two bases count only the
self-assessments, or only the appraised returns. :func:`apply` gives any ratings table (the compact one or the one with
text) the chosen basis: ``rating`` and ``score`` become the counted ones, ``self_rating`` keeps the unit's, and
``appraised`` says whether the unit-year's return has been appraised.
"""

from __future__ import annotations

from typing import Final

import pandas as pd

from lgqa_metrics.domain.basis import Basis

_SCORES: Final = {"red": 0, "yellow": 1, "green": 2}


def apply(ratings: pd.DataFrame, accepted: frozenset[int], overrides: pd.DataFrame, basis: Basis) -> pd.DataFrame:
    """``ratings`` counted on ``basis``: ``accepted`` are the appraised submissions, ``overrides`` their appraised
    ratings where they differ from the unit's (``submission_id``, ``indicator_code``, ``appraised``)."""
    appraised = ratings["submission_id"].isin(list(accepted)) if accepted else pd.Series(False, index=ratings.index)
    out = ratings.assign(self_rating=ratings["rating"], appraised=appraised.to_numpy())
    if basis is Basis.SELF or not accepted:
        return out if basis is not Basis.APPRAISED else out[out["appraised"]]
    keyed = overrides.astype({"submission_id": "int64", "indicator_code": str})
    position = pd.MultiIndex.from_arrays([out["submission_id"].astype("int64"), out["indicator_code"].astype(str)])
    found = pd.Series(keyed["appraised"].to_numpy(), index=pd.MultiIndex.from_frame(
        keyed[["submission_id", "indicator_code"]])).reindex(position).to_numpy()
    counted = pd.Series(found, index=out.index).where(out["appraised"]).fillna(out["rating"].astype(str))
    if isinstance(ratings["rating"].dtype, pd.CategoricalDtype):
        counted = counted.astype(ratings["rating"].dtype)
    out["rating"] = counted
    out["score"] = counted.astype(str).map(_SCORES).astype("Int64")
    return out if basis is Basis.COMBINED else out[out["appraised"]].reset_index(drop=True)
