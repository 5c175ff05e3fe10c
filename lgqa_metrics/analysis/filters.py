"""Filters over the long ratings table (one row per unit × year × indicator) for the Data & export page.

An empty choice means "all". :class:`RatingFilter` holds one set of choices, applies it and describes
it in words for the filter sheet of an export.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

import pandas as pd

from lgqa_metrics.analysis.analytics import RATING_ORDER, TYPE_ORDER, unit_order
from lgqa_metrics.domain.catalogue import Catalogue, code_key
from lgqa_metrics.domain.i18n import t
from lgqa_metrics.domain.ratings import Rating
from lgqa_metrics.domain.textnorm import fold
from lgqa_metrics.domain.units import TYPE_LABELS, UnitType

#: Filter name → column of the long table it restricts.
COLUMNS: Final = {"years": "year", "units": "unit_id", "unit_types": "unit_type", "quadrants": "quadrant",
                  "indicators": "indicator_code", "ratings": "rating"}


def filter_ratings(frame: pd.DataFrame, *, years: Iterable[int] = (), units: Iterable[str] = (),
                   unit_types: Iterable[str] = (), quadrants: Iterable[int] = (), indicators: Iterable[str] = (),
                   ratings: Iterable[str] = ()) -> pd.DataFrame:
    """The rows of ``frame`` that match every non-empty choice (an empty choice keeps every row), with a
    fresh index."""
    chosen: dict[str, list[int] | list[str]] = {"years": [int(y) for y in years], "units": [str(u) for u in units],
              "unit_types": [str(v) for v in unit_types], "quadrants": [int(q) for q in quadrants],
              "indicators": [str(c) for c in indicators], "ratings": [str(r) for r in ratings]}
    if not any(chosen.values()):
        return frame.reset_index(drop=True)  # copy-on-write: no rows are copied
    mask = pd.Series(True, index=frame.index)
    for name, values in chosen.items():
        if values:
            mask &= frame[COLUMNS[name]].isin(values)
    return frame[mask].reset_index(drop=True)


@dataclass(frozen=True, slots=True)
class RatingFilter:
    """One set of choices; every field empty means the whole table."""

    years: tuple[int, ...] = ()
    units: tuple[str, ...] = ()
    unit_types: tuple[str, ...] = ()
    quadrants: tuple[int, ...] = ()
    indicators: tuple[str, ...] = ()
    ratings: tuple[str, ...] = ()

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The matching rows of ``frame`` (see :func:`filter_ratings`)."""
        return filter_ratings(frame, years=self.years, units=self.units, unit_types=self.unit_types,
                              quadrants=self.quadrants, indicators=self.indicators, ratings=self.ratings)

    @property
    def active(self) -> bool:
        """True when any choice restricts the table."""
        return any((self.years, self.units, self.unit_types, self.quadrants, self.indicators, self.ratings))

    def to_json(self) -> dict[str, list[int] | list[str]]:
        """The choices as plain data in no language (codes and ids), for the audit entry of an export: the
        audit trail names them in the language of whoever reads it."""
        return {"years": sorted(self.years), "unit_types": list(self.unit_types), "units": list(self.units),
                "quadrants": sorted(self.quadrants), "indicators": sorted(self.indicators, key=code_key),
                "ratings": list(self.ratings)}

    def describe(self, catalogue: Catalogue, unit_names: dict[str, str], lang: str = "vi") -> dict[str, list[str]]:
        """Each filter's name and chosen values in words, in ``lang`` (an empty list means all), for the
        filter sheet of an export. ``unit_names`` maps unit ids to the names shown."""
        return {
            t("export.f_years", lang): [str(y) for y in sorted(self.years)],
            t("export.f_unit_types", lang): [type_label(v, lang) for v in _in_order(self.unit_types, TYPE_ORDER)],
            t("export.f_units", lang): [unit_names.get(u, u) for u in self.units],
            t("export.f_quadrants", lang): [quadrant_label(catalogue, q, lang) for q in sorted(self.quadrants)],
            t("export.f_indicators", lang): [indicator_label(catalogue, c, lang)
                                            for c in sorted(self.indicators, key=code_key)],
            t("export.f_ratings", lang): [catalogue.scale[Rating(r)].label(lang)
                                         for r in _in_order(self.ratings, RATING_ORDER)],
        }


def _in_order(values: Sequence[str], order: Sequence[str]) -> list[str]:
    rank = {v: i for i, v in enumerate(order)}
    return sorted(values, key=lambda v: rank.get(v, len(rank)))


def type_label(unit_type: str, lang: str = "vi") -> str:
    """Quận / Huyện / Phường / Xã, or the English label."""
    return TYPE_LABELS[UnitType(unit_type)][0 if lang == "vi" else 1]


def quadrant_label(catalogue: Catalogue, quadrant: int, lang: str = "vi") -> str:
    """"I. Phát triển thể chế …"."""
    q = catalogue.quadrants[int(quadrant)]
    return f"{q.roman}. {q.name(lang)}"


def indicator_label(catalogue: Catalogue, code: str, lang: str = "vi") -> str:
    """"1.10 · An ninh, trật tự công cộng"."""
    return f"{code} · {catalogue[code].name(lang)}"


@dataclass(frozen=True, slots=True)
class FilterOptions:
    """What each filter can offer for one table: the values present, in display order."""

    years: tuple[int, ...]
    units: tuple[str, ...]
    unit_names: dict[str, str]
    unit_types: tuple[str, ...]
    quadrants: tuple[int, ...]
    ratings: tuple[str, ...]

    def indicators(self, catalogue: Catalogue, quadrants: Sequence[int] = ()) -> tuple[str, ...]:
        """The indicator codes, in numeric order, of the chosen quadrants (all when none is chosen)."""
        return tuple(i.code for i in catalogue.indicators if not quadrants or i.quadrant in quadrants)


def filter_options(frame: pd.DataFrame, catalogue: Catalogue) -> FilterOptions:
    """The choices each filter offers for ``frame``: years and units present, every unit type, quadrant
    and rating in display order."""
    units = unit_order(frame) if not frame.empty else pd.DataFrame(columns=["unit_id", "unit_name", "unit_type"])
    return FilterOptions(
        years=tuple(sorted(int(y) for y in frame["year"].unique())),
        units=tuple(str(u) for u in units["unit_id"]),
        unit_names={str(u): str(n) for u, n in zip(units["unit_id"], units["unit_name"], strict=True)},
        unit_types=tuple(TYPE_ORDER),
        quadrants=tuple(catalogue.quadrants),
        ratings=tuple(RATING_ORDER),
    )


def rows_matching(table: pd.DataFrame, text: str) -> pd.DataFrame:
    """The rows of a table shown to people in which any text cell contains ``text`` (case, accents and spacing
    ignored, so "hong bang" finds "Quận Hồng Bàng"); every row when ``text`` is blank."""
    needle = fold(text)
    if not needle:
        return table
    text_columns = [c for c in table.columns if not pd.api.types.is_numeric_dtype(table[c])]
    if not text_columns:
        return table.iloc[0:0]
    hay = table[text_columns].astype(str).agg(" ".join, axis=1).map(fold)
    return table[hay.str.contains(needle, regex=False).to_numpy()]
