"""The preview of one parsed return before it is stored: a one-row traffic-light strip of the 39
indicators in the scale's exact colours, a letter on each cell, and the count of each colour."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Final

import pandas as pd
import plotly.graph_objects as go

from lgqa_metrics.analysis.charts import MIN_TEXT, SYMBOLS, quadrant_separators
from lgqa_metrics.domain.catalogue import Catalogue
from lgqa_metrics.domain.i18n import t
from lgqa_metrics.domain.ratings import Rating
from lgqa_metrics.intake.reader import RatingRow

#: Display order of the ratings in the count line.
COUNT_ORDER: Final = (Rating.GREEN, Rating.YELLOW, Rating.RED, Rating.NA, Rating.MISSING)
_Z: Final = {r: i for i, r in enumerate(COUNT_ORDER)}
_FONT: Final = {"family": "Arial, 'Noto Sans', sans-serif"}


def rating_counts(ratings: Sequence[RatingRow]) -> dict[Rating, int]:
    """How many indicators carry each rating, in :data:`COUNT_ORDER` (zeros included)."""
    counts = Counter(r.rating for r in ratings)
    return {r: counts.get(r, 0) for r in COUNT_ORDER}


def count_line(ratings: Sequence[RatingRow], catalogue: Catalogue, lang: str = "vi") -> str:
    """"X Xanh lá 20 · V Vàng 8 · …": the letter, label and count of each rating."""
    return " · ".join(f"{SYMBOLS[lang][r.value]} {catalogue.scale[r].label(lang)} {n}"
                      for r, n in rating_counts(ratings).items())


def return_strip(ratings: Sequence[RatingRow], catalogue: Catalogue, lang: str = "vi") -> go.Figure:
    """One row of 39 cells, grouped by quadrant, coloured as the return rates each indicator.

    Indicators absent from ``ratings`` are drawn as not assessed. Hovering a cell shows the indicator's
    name, its rating, the text read and the cell it was read from.
    """
    by_code = {r.code: r for r in ratings}
    codes = list(catalogue.codes)
    rows = [by_code.get(c) or RatingRow(c, Rating.MISSING, "", "", "", "") for c in codes]
    scale: list[list[float | str]] = []
    n = len(COUNT_ORDER)
    for i, rating in enumerate(COUNT_ORDER):
        colour = catalogue.scale[rating].colour
        scale += [[i / n, colour], [(i + 1) / n, colour]]
    custom = [[catalogue[r.code].name(lang), catalogue.scale[r.rating].label(lang), r.raw or "–", r.cell or "–"]
              for r in rows]
    fig = go.Figure(go.Heatmap(
        z=[[_z(r.rating) for r in rows]], x=codes, y=[""], zmin=-0.5, zmax=n - 0.5, colorscale=scale,
        showscale=False, xgap=2, ygap=2, text=[[SYMBOLS[lang][r.rating.value] for r in rows]],
        texttemplate="%{text}", textfont={"size": 12, "color": "#1A1A1A"}, customdata=[custom],
        hovertemplate=(f"<b>%{{x}}</b> %{{customdata[0]}}<br>{t('chart.rating', lang)}: <b>%{{customdata[1]}}</b>"
                       f"<br>{t('preview.read', lang)}: %{{customdata[2]}} ({t('preview.cell', lang)} "
                       f"%{{customdata[3]}})<extra></extra>")))
    quadrant_separators(fig, catalogue, lang, lambda q: f"<b>{t('preview.quadrant', lang, roman=q.roman)}</b>")
    fig.update_xaxes(type="category", tickangle=-90, tickfont={"size": MIN_TEXT}, showgrid=False)
    fig.update_yaxes(showticklabels=False, showgrid=False)
    fig.update_layout(title={"text": count_line(rows, catalogue, lang), "x": 0, "xanchor": "left",
                             "font": {"size": 13}},
                      font=_FONT, template="plotly_white", height=170,
                      margin={"l": 10, "r": 10, "t": 56, "b": 10}, plot_bgcolor="#8C8C8C")
    return fig


def _z(rating: Rating) -> int:
    return _Z[rating]


def rows_table(ratings: Sequence[RatingRow], catalogue: Catalogue, lang: str = "vi", limit: int = 12
               ) -> pd.DataFrame:
    """The first ``limit`` indicators read (those not missing) as a table: code, name, rating, evidence, note and
    the cell each rating came from, headed in ``lang``."""
    read = [r for r in ratings if r.rating is not Rating.MISSING][:limit]
    frame = pd.DataFrame({
        "code": [r.code for r in read],
        "name": [catalogue[r.code].name(lang) for r in read],
        "rating": [catalogue.scale[r.rating].label(lang) for r in read],
        "evidence": [r.evidence for r in read],
        "note": [r.note for r in read],
        "cell": [r.cell for r in read],
    })
    return frame.rename(columns={c: t(f"preview.col_{c}", lang) for c in frame.columns})
