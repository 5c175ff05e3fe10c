"""The compact ratings table the analysis pages aggregate.

The store sends one packed string per current submission: three characters per rating, the indicator's
position in the catalogue, the rating's position in :data:`PACKED_RATINGS` and its evidence status's position in
:data:`PACKED_STATUSES`, each offset by :data:`PACK_BASE`. Unpacking is a few vectorised numpy steps, so millions of ratings arrive in seconds
instead of the minutes that one Python object per cell would take. Ids and labels become categoricals.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import pandas as pd

from lgqa_metrics.domain.catalogue import Catalogue
from lgqa_metrics.domain.evidence import EvidenceStatus

PACK_BASE: Final = 65  # "A"
PACKED_RATINGS: Final = ("red", "yellow", "green", "na", "missing")
#: Evidence statuses, the third character of each rating.
PACKED_STATUSES: Final = tuple(EvidenceStatus)
#: The columns of :func:`unpack_ratings`, in order (the long table of ``Store.ratings`` without its text).
COLUMNS: Final = ("unit_id", "unit_name", "unit_type", "year", "quadrant", "indicator_code", "indicator_name",
                  "indicator_name_en", "rating", "evidence_status", "version", "submission_id", "score")
_SCORES: Final = np.array([0, 1, 2, 0, 0], dtype=np.int8)
_SCORED: Final = np.array([True, True, True, False, False])


def _categorical(codes: np.ndarray, labels: Sequence[object] | np.ndarray) -> pd.Categorical:
    """Per-row values ``labels[codes]`` as a categorical whose categories are the distinct labels, sorted."""
    cats, inverse = np.unique(np.asarray(labels, dtype=object).astype(str), return_inverse=True)
    return pd.Categorical.from_codes(inverse[codes], categories=pd.Index(cats, dtype="str"))


def unpack_ratings(packed: Sequence[Sequence[Any]], submissions: pd.DataFrame, units: pd.DataFrame,
                   catalogue: Catalogue) -> pd.DataFrame:
    """The compact long table from ``packed`` rows (submission id, packed string), the current
    ``submissions`` (submission_id, unit_id, year, version) and ``units`` (unit_id, unit_name, unit_type).

    Ratings of indicators no longer in the catalogue are left out. Rows come ordered by year, unit id,
    quadrant and indicator, like ``Store.ratings``."""
    codes = list(catalogue.codes)
    texts = [str(row[1] or "") for row in packed]
    ids = np.fromiter((int(row[0]) for row in packed), dtype=np.int64, count=len(packed))
    lengths = np.fromiter((len(t) // 3 for t in texts), dtype=np.int64, count=len(texts))
    pairs = np.frombuffer("".join(texts).encode("ascii"), dtype=np.uint8).reshape(-1, 3).astype(np.int16)
    pairs -= PACK_BASE
    sub_ids = np.repeat(ids, lengths)
    keep = ((pairs[:, 0] >= 0) & (pairs[:, 0] < len(codes)) & (pairs[:, 1] >= 0) & (pairs[:, 1] < len(PACKED_RATINGS))
            & (pairs[:, 2] >= 0) & (pairs[:, 2] < len(PACKED_STATUSES)))
    pairs, sub_ids = pairs[keep], sub_ids[keep]

    subs = submissions.sort_values("submission_id")
    sub_pos = np.searchsorted(subs["submission_id"].to_numpy(dtype=np.int64), sub_ids)
    unit_ids = subs["unit_id"].astype(str).to_numpy(dtype=object)
    unit_cats, unit_of_sub = np.unique(unit_ids, return_inverse=True)
    known = units.drop_duplicates("unit_id").set_index("unit_id")
    names = known["unit_name"].reindex(unit_cats).fillna(pd.Series(unit_cats, index=unit_cats)).to_numpy()
    types = known["unit_type"].reindex(unit_cats).fillna("").to_numpy()

    # Rows in the order of Store.ratings: submissions by year and unit, indicators in catalogue order.
    sub_rank = np.empty(len(subs), dtype=np.int64)
    sub_rank[np.lexsort((unit_of_sub, subs["year"].to_numpy(dtype=np.int64)))] = np.arange(len(subs))
    order = np.argsort(sub_rank[sub_pos] * len(codes) + pairs[:, 0], kind="stable")
    code_idx = pairs[order, 0].astype(np.intp)
    rating_idx, status_idx = pairs[order, 1].astype(np.intp), pairs[order, 2].astype(np.intp)
    sub_pos = sub_pos[order]
    unit_codes, years = unit_of_sub[sub_pos], subs["year"].to_numpy(dtype=np.int16)[sub_pos]
    inds = catalogue.indicators
    code_cat = pd.Categorical.from_codes(code_idx, categories=pd.Index(codes, dtype="str"))
    frame = pd.DataFrame({
        "unit_id": pd.Categorical.from_codes(unit_codes, categories=pd.Index(unit_cats.astype(str), dtype="str")),
        "unit_name": _categorical(unit_codes, names),
        "unit_type": _categorical(unit_codes, types),
        "year": years,
        "quadrant": np.array([i.quadrant for i in inds], dtype=np.int8)[code_idx],
        "indicator_code": code_cat,
        "indicator_name": _categorical(code_idx, [i.name_vi for i in inds]),
        "indicator_name_en": _categorical(code_idx, [i.name_en for i in inds]),
        "rating": pd.Categorical.from_codes(rating_idx, categories=pd.Index(PACKED_RATINGS, dtype="str")),
        "evidence_status": pd.Categorical.from_codes(status_idx, categories=pd.Index(PACKED_STATUSES, dtype="str")),
        "version": subs["version"].to_numpy(dtype=np.int32)[sub_pos],
        "submission_id": subs["submission_id"].to_numpy(dtype=np.int64)[sub_pos],
        "score": pd.arrays.IntegerArray(_SCORES[rating_idx], ~_SCORED[rating_idx]),
    })
    return frame
