"""Plotly figures, built from the tables in :mod:`lgqa_metrics.analysis.analytics`. No Streamlit here.

Every figure has a title, axis labels and a legend in the chosen language; ratings use the scale's
exact colours and, for greyscale and colour-blind readers, a letter or symbol beside the colour.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Sequence
from typing import Final

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lgqa_metrics.analysis.analytics import ASSESSED, RATING_ORDER, type_rank
from lgqa_metrics.analysis.filters import type_label
from lgqa_metrics.domain.catalogue import Catalogue, Quadrant
from lgqa_metrics.domain.i18n import t
from lgqa_metrics.domain.ratings import Rating

_Z: Final = {"red": 0, "yellow": 1, "green": 2, "na": 3, "missing": 4}
#: Symbols drawn on each cell so the matrix reads without colour.
SYMBOLS: Final[dict[str, dict[str, str]]] = {
    "vi": {"red": "Đ", "yellow": "V", "green": "X", "na": "—", "missing": "?"},
    "en": {"red": "R", "yellow": "Y", "green": "G", "na": "—", "missing": "?"},
}
_NA_FILL: Final = "#FFFFFF"
_FONT: Final = {"family": "Arial, 'Noto Sans', sans-serif"}


def rating_colours(catalogue: Catalogue) -> dict[str, str]:
    """Rating word → colour; not applicable is drawn white with a dash (distinct from grey missing)."""
    colours = {r.value: catalogue.scale[r].colour for r in Rating}
    colours["na"] = _NA_FILL
    return colours


def _label(catalogue: Catalogue, rating: str, lang: str) -> str:
    return catalogue.scale[Rating(rating)].label(lang)


def _base(fig: go.Figure, title: str, height: int | None = None) -> go.Figure:
    fig.update_layout(title={"text": title, "x": 0, "xanchor": "left"}, font=_FONT, template="plotly_white",
                      margin={"l": 10, "r": 10, "t": 60, "b": 10},
                      legend={"orientation": "h", "y": -0.2, "yanchor": "top"})
    if height:
        fig.update_layout(height=height)
    return fig


def matrix_figure(grid: pd.DataFrame, evidence: pd.DataFrame, units: pd.DataFrame, catalogue: Catalogue,
                  year: int, lang: str = "vi") -> go.Figure:
    """The traffic-light matrix: units (grouped by type) × 39 indicators (grouped by quadrant)."""
    colours = rating_colours(catalogue)
    codes = list(grid.columns)
    names = {u: n for u, n in zip(units["unit_id"], units["unit_name"], strict=True)}
    types = {u: ty for u, ty in zip(units["unit_id"], units["unit_type"], strict=True)}
    y = [f"{names[u]}" for u in grid.index]
    z = grid.replace(_Z).astype(int).to_numpy()
    text = grid.replace(SYMBOLS[lang]).to_numpy()
    ind_names = [catalogue[c].name(lang) for c in codes]
    custom = [[[ind_names[j], _label(catalogue, str(grid.iat[i, j]), lang), str(evidence.iat[i, j])[:160] or "–",
                type_label(types[u], lang)] for j in range(len(codes))] for i, u in enumerate(grid.index)]
    scale = []
    for i, key in enumerate(["red", "yellow", "green", "na", "missing"]):
        scale += [[i / 5, colours[key]], [(i + 1) / 5, colours[key]]]
    fig = go.Figure(go.Heatmap(
        z=z, x=codes, y=y, zmin=-0.5, zmax=4.5, colorscale=scale, showscale=False, xgap=2, ygap=2,
        text=text, texttemplate="%{text}", textfont={"size": 11, "color": "#1A1A1A"}, customdata=custom,
        hovertemplate=(f"<b>%{{y}}</b> (%{{customdata[3]}})<br>%{{x}} %{{customdata[0]}}<br>"
                       f"{t('chart.rating', lang)}: <b>%{{customdata[1]}}</b><br>"
                       f"{t('chart.evidence', lang)}: %{{customdata[2]}}<extra></extra>")))
    fig.add_traces([go.Scatter(x=[None], y=[None], mode="markers", showlegend=True,  # legend entries
                               name=f"{SYMBOLS[lang][rating]} {_label(catalogue, rating, lang)}",
                               marker={"size": 12, "symbol": "square", "color": colours[rating],
                                       "line": {"color": "#555", "width": 1}}) for rating in RATING_ORDER])
    quadrant_separators(fig, catalogue, lambda q: f"<b>{q.roman}</b> {q.name(lang)}")
    kinds = [types[u] for u in grid.index]
    fig.update_layout(shapes=[*fig.layout.shapes, *(_line("y", i - 0.5) for i in range(1, len(kinds))
                                                     if kinds[i] != kinds[i - 1])])
    fig.update_yaxes(autorange="reversed", title=t("chart.unit", lang), tickfont={"size": 12})
    fig.update_xaxes(title=t("chart.indicator", lang), tickangle=-90, type="category", tickfont={"size": 10})
    height = 160 + 34 * max(len(y), 1)
    return _base(fig, t("chart.matrix_title", lang, year=year), height)


def quadrant_separators(fig: go.Figure, catalogue: Catalogue, label: Callable[[Quadrant], str]) -> None:
    """On a chart whose x axis holds the 39 codes in order: a line between quadrants and a label above each."""
    shapes, notes = [], []
    start = 0
    for number, quadrant in catalogue.quadrants.items():
        size = len(catalogue.in_quadrant(number))
        if start:
            shapes.append(_line("x", start - 0.5))
        notes.append({"x": start + (size - 1) / 2, "y": 1.0, "yref": "paper", "yanchor": "bottom",
                      "showarrow": False, "text": label(quadrant), "font": {"size": 11}})
        start += size
    fig.update_layout(shapes=[*fig.layout.shapes, *shapes], annotations=[*fig.layout.annotations, *notes])


def _line(axis: str, at: float) -> dict[str, object]:
    """A dark separator across the plot at ``at`` on the ``x`` or ``y`` axis (one layout shape)."""
    if axis == "x":
        return {"type": "line", "xref": "x", "yref": "paper", "x0": at, "x1": at, "y0": 0, "y1": 1,
                "line": {"color": "#333", "width": 2}}
    return {"type": "line", "xref": "paper", "yref": "y", "x0": 0, "x1": 1, "y0": at, "y1": at,
            "line": {"color": "#333", "width": 2}}


def quadrant_bars(counts: pd.DataFrame, catalogue: Catalogue, lang: str = "vi", shares: bool = False) -> go.Figure:
    """Per unit, stacked counts of each colour in each of the four quadrants (one panel a quadrant);
    with ``shares``, each bar is the colour mix to 100 % (for areas of different sizes)."""
    colours = rating_colours(catalogue)
    quads = list(catalogue.quadrants.values())
    fig = make_subplots(rows=1, cols=4, shared_yaxes=True, horizontal_spacing=0.02,
                        subplot_titles=[f"{q.roman}. {q.name(lang)}" for q in quads])
    units = counts[["unit_id", "unit_name", "unit_type"]].drop_duplicates()
    order = units.assign(_t=type_rank(units["unit_type"]))
    names = order.sort_values(["_t", "unit_name"])["unit_name"].tolist()
    traces, cols = [], []
    for col, q in enumerate(quads, start=1):
        part = counts[counts["quadrant"] == q.number].set_index("unit_name").reindex(names).fillna(0)
        total = part[RATING_ORDER].sum(axis=1).where(lambda v: v > 0, 1)
        for rating in RATING_ORDER:
            values = part[rating] / total if shares else part[rating]
            traces.append(go.Bar(
                y=names, x=values, orientation="h", name=_label(catalogue, rating, lang),
                marker={"color": colours[rating], "line": {"color": "#777", "width": 0.5}},
                legendgroup=rating, showlegend=col == 1, insidetextanchor="middle", textposition="inside",
                text=[(f"{v:.0%}" if shares else int(v)) if v else "" for v in values],
                hovertemplate=(f"%{{y}}<br>{_label(catalogue, rating, lang)}: "
                               f"{'%{x:.1%}' if shares else '%{x}'}<extra>{q.roman}</extra>")))
            cols.append(col)
    fig.add_traces(traces, rows=[1] * len(traces), cols=cols)
    fig.update_xaxes(title_text=t("chart.share", lang) if shares else t("chart.count", lang))
    if shares:
        fig.update_xaxes(tickformat=".0%", range=[0, 1])
    fig.update_layout(barmode="stack")
    fig.update_yaxes(autorange="reversed")
    fig.update_annotations(font_size=11)
    return _base(fig, t("chart.quadrant_title", lang), 140 + 28 * max(len(names), 1))


def radar(profile: pd.DataFrame, catalogue: Catalogue, lang: str = "vi") -> go.Figure:
    """Quadrant profile of each unit: the 0–100 index per quadrant on a polar chart."""
    quads = list(catalogue.quadrants.values())
    theta = [f"<b>{q.roman}</b><br>{'<br>'.join(textwrap.wrap(q.name(lang), 22))}" for q in quads]
    fig = go.Figure()
    for (_, name), part in profile.groupby(["unit_id", "unit_name"], sort=False):
        values = part.set_index("quadrant").reindex([q.number for q in quads])["index"].tolist()
        fig.add_trace(go.Scatterpolar(r=[*values, values[0]], theta=[*theta, theta[0]], name=str(name),
                                      mode="lines+markers", hovertemplate="%{theta}: %{r:.0f}<extra>%{fullData.name}</extra>"))
    fig.update_layout(polar={"radialaxis": {"range": [0, 100], "tickvals": [25, 50, 75, 100], "angle": 45,
                                            "tickfont": {"size": 9}}},
                      )
    fig = _base(fig, t("chart.radar_title", lang), 540)
    fig.update_layout(margin={"l": 90, "r": 90, "t": 110})
    return fig


def _wheel_traces(unit_ratings: pd.DataFrame, catalogue: Catalogue, lang: str) -> list[go.BasePlotlyType]:
    """One slice per indicator (coloured by rating) and the four quarter-circle boundaries."""
    colours = rating_colours(catalogue)
    by_code = dict(zip(unit_ratings["indicator_code"], unit_ratings["rating"], strict=False))
    theta, width, colour, text, hover = [], [], [], [], []
    for number, quadrant in catalogue.quadrants.items():
        inds = catalogue.in_quadrant(number)
        step = 90 / len(inds)
        for k, ind in enumerate(inds):
            rating = by_code.get(ind.code, "missing")
            theta.append((number - 1) * 90 + (k + 0.5) * step)
            width.append(step)
            colour.append(colours[rating])
            text.append(ind.code)
            hover.append(f"{quadrant.roman} · {ind.code} {ind.name(lang)}<br>{_label(catalogue, rating, lang)}")
    slices = go.Barpolar(r=[1] * len(theta), theta=theta, width=width, marker_color=colour, marker_line_color="#444",
                         marker_line_width=1, text=text, hovertext=hover, hoverinfo="text", showlegend=False)
    bounds = go.Scatterpolar(r=[0, 1, None, 0, 1, None, 0, 1, None, 0, 1], mode="lines", hoverinfo="skip",
                             theta=[0, 0, None, 90, 90, None, 180, 180, None, 270, 270], showlegend=False,
                             line={"color": "#111", "width": 3})
    return [slices, bounds]


def _wheel_axes(catalogue: Catalogue) -> dict[str, object]:
    romans = [f"<b>{q.roman}</b>" for q in catalogue.quadrants.values()]
    return {"radialaxis": {"visible": False, "range": [0, 1]}, "hole": 0.18,
            "angularaxis": {"direction": "clockwise", "rotation": 90, "tickvals": [45, 135, 225, 315],
                            "ticktext": romans, "showgrid": False, "tickfont": {"size": 13}}}


def wheel(unit_ratings: pd.DataFrame, catalogue: Catalogue, title: str, lang: str = "vi") -> go.Figure:
    """The 39-slice integral diagnostic wheel of one unit-year: four quarter circles, one slice per
    indicator, coloured by rating."""
    fig = go.Figure(_wheel_traces(unit_ratings, catalogue, lang))
    fig.update_layout(polar=_wheel_axes(catalogue), showlegend=False)
    return _base(fig, title, 340)


def wheels(units: Sequence[tuple[str, pd.DataFrame]], catalogue: Catalogue, title: str, lang: str = "vi",
           per_row: int = 3) -> go.Figure:
    """The diagnostic wheels of several units in one figure, ``per_row`` to a row."""
    rows = max(1, math.ceil(len(units) / per_row))
    fig = make_subplots(rows=rows, cols=per_row, specs=[[{"type": "polar"}] * per_row] * rows,
                        subplot_titles=[name for name, _ in units], vertical_spacing=0.3 / rows,
                        horizontal_spacing=0.08)
    traces, at_rows, at_cols = [], [], []
    for i, (_, frame) in enumerate(units):
        for trace in _wheel_traces(frame, catalogue, lang):
            traces.append(trace)
            at_rows.append(i // per_row + 1)
            at_cols.append(i % per_row + 1)
    if traces:
        fig.add_traces(traces, rows=at_rows, cols=at_cols)
    axes = _wheel_axes(catalogue)
    fig.update_layout({f"polar{i + 1 if i else ''}": axes for i in range(rows * per_row)}, showlegend=False)
    fig.update_annotations(font_size=12, yshift=14)
    fig = _base(fig, title, 140 + 330 * rows)
    fig.update_layout(margin={"t": 110})
    return fig


def group_bars(groups: pd.DataFrame, catalogue: Catalogue, lang: str = "vi") -> go.Figure:
    """Pooled colour shares per unit type, stacked to 100 %."""
    colours = rating_colours(catalogue)
    labels = [type_label(v, lang) for v in groups["unit_type"]]
    fig = go.Figure()
    for rating in ASSESSED:
        fig.add_trace(go.Bar(x=labels, y=groups[rating], name=_label(catalogue, rating, lang),
                             marker_color=colours[rating], texttemplate="%{y:.0%}", textposition="inside",
                             hovertemplate=f"%{{x}}<br>{_label(catalogue, rating, lang)}: %{{y:.1%}}<extra></extra>"))
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title=t("chart.share", lang), tickformat=".0%", range=[0, 1])
    fig.update_xaxes(title=t("chart.unit_type", lang))
    return _base(fig, t("chart.group_title", lang), 380)


def trend_lines(trend: pd.DataFrame, lang: str = "vi", title_key: str = "chart.trend_title") -> go.Figure:
    """Index per unit over the years (a slope chart when there are two years)."""
    fig = go.Figure()
    for (_, name), part in trend.groupby(["unit_id", "unit_name"], sort=False):
        part = part.sort_values("year")
        fig.add_trace(go.Scatter(x=part["year"], y=part["index"], name=str(name), mode="lines+markers+text",
                                 text=[f"{v:.0f}" if pd.notna(v) else "" for v in part["index"]],
                                 textposition="top center",
                                 hovertemplate="%{x}: %{y:.0f}<extra>%{fullData.name}</extra>"))
    years = sorted(trend["year"].unique())
    fig.update_xaxes(title=t("chart.year", lang), tickmode="array", tickvals=years, ticktext=[str(y) for y in years])
    fig.update_yaxes(title=t("chart.index", lang), range=[0, 105])
    return _base(fig, t(title_key, lang), 460)


def quadrant_trend(trend: pd.DataFrame, catalogue: Catalogue, lang: str = "vi") -> go.Figure:
    """Index per unit over the years, one panel per quadrant."""
    quads = list(catalogue.quadrants.values())
    fig = make_subplots(rows=1, cols=4, shared_yaxes=True, subplot_titles=[f"{q.roman}. {q.name(lang)}" for q in quads])
    palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
               "#bcbd22", "#17becf", "#393b79", "#637939"]
    units = list(dict.fromkeys(trend["unit_name"]))
    traces, cols = [], []
    for (quadrant, name), line in trend.sort_values("year").groupby(["quadrant", "unit_name"], sort=False):
        i = units.index(str(name))
        traces.append(go.Scatter(x=line["year"], y=line["index"], name=str(name), legendgroup=str(name),
                                 showlegend=quadrant == quads[0].number, mode="lines+markers",
                                 line={"color": palette[i % len(palette)]},
                                 hovertemplate="%{x}: %{y:.0f}<extra>%{fullData.name}</extra>"))
        cols.append(int(str(quadrant)))
    fig.add_traces(traces, rows=[1] * len(traces), cols=cols)
    years = sorted(trend["year"].unique())
    fig.update_xaxes(tickmode="array", tickvals=years, ticktext=[str(y) for y in years], title_text=t("chart.year", lang))
    fig.update_yaxes(range=[0, 105])
    fig.update_yaxes(title_text=t("chart.index", lang), row=1, col=1)
    fig.update_annotations(font_size=11)
    return _base(fig, t("chart.quadrant_trend_title", lang), 420)


def distribution_bars(dist: pd.DataFrame, catalogue: Catalogue, title: str, lang: str = "vi") -> go.Figure:
    """Colour counts of one indicator per year, stacked."""
    colours = rating_colours(catalogue)
    fig = go.Figure()
    years = [str(y) for y in dist["year"]]
    for rating in RATING_ORDER:
        fig.add_trace(go.Bar(x=years, y=dist[rating], name=_label(catalogue, rating, lang),
                             marker={"color": colours[rating], "line": {"color": "#777", "width": 0.5}},
                             text=[int(v) if v else "" for v in dist[rating]], textposition="inside"))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title=t("chart.year", lang), type="category")
    fig.update_yaxes(title=t("chart.units", lang))
    return _base(fig, title, 380)


def area_heatmap(grid: pd.DataFrame, counts: pd.DataFrame, key: str, names: dict[str, str], catalogue: Catalogue,
                 year: int, lang: str = "vi") -> go.Figure:
    """Areas (provinces or districts) × the 39 indicators: the share of units rated red, white (none) to
    the scale's red (all), with the share written in each cell and the colour counts on hover. The
    national summary of the traffic-light matrix; its size does not grow with the number of units."""
    codes = list(grid.columns)
    keyed = counts.assign(**{key: counts[key].astype(str), "indicator_code": counts["indicator_code"].astype(str)})
    per_colour = [keyed.pivot(index=key, columns="indicator_code", values=r).reindex(index=grid.index, columns=codes)
                  .fillna(0).astype(int).to_numpy() for r in RATING_ORDER]
    ind_names = [catalogue[c].name(lang) for c in codes]
    custom = [[[ind_names[j], *(int(p[i, j]) for p in per_colour)] for j in range(len(codes))]
              for i in range(len(grid.index))]
    text = [[f"{v * 100:.0f}" if pd.notna(v) else "" for v in line] for line in grid.to_numpy()]
    red = catalogue.scale[Rating.RED].colour
    labels = {r: _label(catalogue, r, lang) for r in RATING_ORDER}
    hover = "<br>".join(f"{labels[r]}: %{{customdata[{i + 1}]}}" for i, r in enumerate(RATING_ORDER))
    fig = go.Figure(go.Heatmap(
        z=grid.to_numpy(dtype=float), x=codes, y=[names.get(a, a) for a in grid.index], zmin=0, zmax=1,
        colorscale=[[0, "#FFFFFF"], [1, red]], xgap=1, ygap=1, text=text, texttemplate="%{text}",
        textfont={"size": 9, "color": "#1A1A1A"}, customdata=custom,
        colorbar={"title": {"text": t("chart.red_share", lang)}, "tickformat": ".0%"},
        hovertemplate=(f"<b>%{{y}}</b><br>%{{x}} %{{customdata[0]}}<br>{t('chart.red_share', lang)}: "
                       f"<b>%{{z:.0%}}</b><br>{hover}<extra></extra>")))
    quadrant_separators(fig, catalogue, lambda q: f"<b>{q.roman}</b> {q.name(lang)}")
    fig.update_yaxes(autorange="reversed", title=t("chart.area", lang), tickfont={"size": 11})
    fig.update_xaxes(title=t("chart.indicator", lang), tickangle=-90, type="category", tickfont={"size": 10})
    return _base(fig, t("chart.area_matrix_title", lang, year=year), 160 + 22 * max(len(grid.index), 1))
