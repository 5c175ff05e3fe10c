"""Plotly figures, built from the tables in :mod:`lgqa_metrics.analysis.analytics`. No Streamlit here.

Every figure has a title, axis labels and a legend in the chosen language; ratings use the scale's
exact colours and, for greyscale and colour-blind readers, a letter or symbol beside the colour. Units
keep one colour and one marker on every chart (:func:`unit_styles`). Figures are made to be shown on a
projector in either language: no text under 11 px, no rotated labels inside bars, panel titles wrapped
over their panels, legends below the plot (never over axis labels), end labels spread apart.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lgqa_metrics.analysis.analytics import ASSESSED, RATING_ORDER, Matrix, type_rank, unit_order
from lgqa_metrics.analysis.filters import type_label
from lgqa_metrics.analysis.lineage import THROUGH
from lgqa_metrics.analysis.numbers import percent_ticks, separators
from lgqa_metrics.domain.catalogue import Catalogue, Quadrant
from lgqa_metrics.domain.evidence import EvidenceStatus, status_labels
from lgqa_metrics.domain.formatting import date_time, number, percent
from lgqa_metrics.domain.i18n import t
from lgqa_metrics.domain.lineage import Lineage, Link
from lgqa_metrics.domain.ratings import Rating
from lgqa_metrics.domain.units import UnitRegistry

_Z: Final = {"red": 0, "yellow": 1, "green": 2, "na": 3, "missing": 4}
#: Symbols drawn on each cell so the matrix reads without colour.
SYMBOLS: Final[dict[str, dict[str, str]]] = {
    "vi": {"red": "Đ", "yellow": "V", "green": "X", "na": "—", "missing": "?"},
    "en": {"red": "R", "yellow": "Y", "green": "G", "na": "—", "missing": "?"},
}
_NA_FILL: Final = "#FFFFFF"
#: The smallest text drawn (px): segment labels that would need less are hidden (their value is on hover).
MIN_TEXT: Final = 11
_FONT: Final = {"family": "Arial, 'Noto Sans', sans-serif", "size": 12}
#: Below the plot and its axis titles, across the figure's foot (the margin grows to hold it): never over
#: the category names of an axis, whatever the plot's height.
_LEGEND: Final = {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0, "xanchor": "left"}
#: Characters a line of a quadrant's title over one of four panels side by side holds.
PANEL_TITLE_WIDTH: Final = 20

#: The colours that tell units apart, in the order units take them by their place in the registry. Twelve
#: (the pilot's units, each its own), picked to be as different from one another as twelve colours can be
#: (at least 26 apart in CIEDE2000) while staying 22 or more from the rating colours (red, yellow, green,
#: grey): a unit's line on the radar or the trends never reads as a rating. None is pale (lightness at most
#: 70 of 100), so each stays visible on white and on a projector.
UNIT_COLOURS: Final = ("#0E71A3", "#FA9111", "#6E2EB3", "#1BBEB9", "#DE5DD4", "#8B500C",
                       "#000000", "#98951A", "#F1908F", "#99A7F0", "#863948", "#435A16")
#: The marker beside each unit's colour (a second cue for greyscale and colour-blind readers). Five, so that
#: with the twelve colours there are 60 different pairs (the most units drawn one by one, ``scope.UNIT_LIMIT``).
UNIT_SYMBOLS: Final = ("circle", "square", "diamond", "triangle-up", "triangle-down")
_PAIRS: Final = math.lcm(len(UNIT_COLOURS), len(UNIT_SYMBOLS))
#: The same markers as characters, drawn before a unit's end label in its colour.
_SYMBOL_CHARS: Final = {"circle": "●", "square": "■", "diamond": "◆", "triangle-up": "▲", "triangle-down": "▼"}


@dataclass(frozen=True, slots=True)
class UnitStyle:
    """How one unit (or area) is drawn on every chart that tells units apart: its colour and its marker."""

    colour: str
    symbol: str


def _style(index: int) -> UnitStyle:
    return UnitStyle(UNIT_COLOURS[index % len(UNIT_COLOURS)], UNIT_SYMBOLS[index % len(UNIT_SYMBOLS)])


def unit_styles(ids: Iterable[str], registry: UnitRegistry, lineage: Lineage | None = None) -> dict[str, UnitStyle]:
    """Each of ``ids`` (the units, or areas, one chart draws) its colour and marker, from its place in
    ``registry``: the unit at place *p* takes colour *p* mod 12 and marker *p* mod 5, whichever other units
    the chart shows, so with a registry of up to twelve units (the pilot) a unit looks the same on every chart
    of the app. **A place keeps its colour across a reorganisation**: with a ``lineage``, a unit takes the place
    of its earliest-registered ancestor (Phường Hồng Bàng the colour of Phường Minh Khai). In a larger registry
    two units drawn together may have the same place modulo 12: then the one later in the registry takes the next
    colour not yet drawn (the next pair not yet drawn once all twelve colours are), so that no two units of one
    chart look alike. Ids the registry does not hold follow its end, in the order given."""
    beyond = len(registry)
    places: dict[str, int] = {}
    for unit_id in dict.fromkeys(str(i) for i in ids):
        family = [unit_id, *(lineage.ancestors(unit_id) if lineage is not None else ())]
        known = [p for p in (registry.position(u) for u in family) if p is not None]
        if known:
            at = min(known)
        else:
            at, beyond = beyond, beyond + 1
        places[unit_id] = at
    styles: dict[str, UnitStyle] = {}
    for unit_id, at in sorted(places.items(), key=lambda item: item[1]):
        drawn = set(styles.values())
        colours = {style.colour for style in drawn}
        every_colour = len(colours) == len(UNIT_COLOURS)
        step = next((k for k in range(_PAIRS) if (_style(at + k) not in drawn if every_colour
                                                  else _style(at + k).colour not in colours)), 0)
        styles[unit_id] = _style(at + step)
    return {unit_id: styles[unit_id] for unit_id in places}


def wrapped(text: str, width: int) -> str:
    """``text`` broken at spaces into lines of at most ``width`` characters (plotly's ``<br>``)."""
    return "<br>".join(textwrap.wrap(text, width)) or text


def quadrant_title(quadrant: Quadrant, lang: str, width: int = PANEL_TITLE_WIDTH) -> str:
    """A quadrant's numeral and name as the title of a narrow panel, wrapped to ``width`` characters."""
    return wrapped(f"{quadrant.roman}. {quadrant.name(lang)}", width)


def _lines(text: str) -> int:
    return text.count("<br>") + 1


def rating_colours(catalogue: Catalogue) -> dict[str, str]:
    """Rating word → colour; not applicable is drawn white with a dash (distinct from grey missing)."""
    colours = {r.value: catalogue.scale[r].colour for r in Rating}
    colours["na"] = _NA_FILL
    return colours


def _label(catalogue: Catalogue, rating: str, lang: str) -> str:
    return catalogue.scale[Rating(rating)].label(lang)


def _base(fig: go.Figure, title: str, height: int | None = None, top: int = 60, *, lang: str) -> go.Figure:
    """The house layout: title at the top left, ``top`` px above the plot, the legend at the foot, bar text
    never under :data:`MIN_TEXT` (hidden instead) nor turned, and the decimal mark and thousands separator of
    ``lang`` for every number plotly writes itself (ticks, hover values)."""
    fig.update_layout(title={"text": title, "x": 0, "xanchor": "left", "yref": "container", "y": 1, "yanchor": "top",
                             "pad": {"t": 12}},
                      font=_FONT, template="plotly_white",
                      margin={"l": 10, "r": 10, "t": top, "b": 10}, legend=_LEGEND,
                      uniformtext={"minsize": MIN_TEXT, "mode": "hide"}, separators=separators(lang))
    fig.update_traces(textangle=0, selector={"type": "bar"})
    if height:
        fig.update_layout(height=height)
    return fig


def _panel_top(titles: Sequence[str]) -> int:
    """The top margin over panels whose titles are ``titles``: the figure's title, then the longest panel title."""
    return 50 + 16 * max((_lines(title) for title in titles), default=1)


def matrix_figure(cells: Matrix, units: pd.DataFrame, catalogue: Catalogue, year: int, lang: str = "vi") -> go.Figure:
    """The traffic-light matrix: units (grouped by type) × 39 indicators (grouped by quadrant); a rating that
    needed evidence and had none carries a dark triangle in its cell's top right corner (readable in greyscale)."""
    grid, evidence, statuses = cells.ratings, cells.evidence, cells.evidence_status
    colours = rating_colours(catalogue)
    codes = list(grid.columns)
    names = {u: n for u, n in zip(units["unit_id"], units["unit_name"], strict=True)}
    types = {u: ty for u, ty in zip(units["unit_id"], units["unit_type"], strict=True)}
    y = [f"{names[u]}" for u in grid.index]
    z = grid.replace(_Z).astype(int).to_numpy()
    text = grid.replace(SYMBOLS[lang]).to_numpy()
    ind_names = [catalogue[c].name(lang) for c in codes]
    said = status_labels(lang)
    custom = [[[ind_names[j], _label(catalogue, str(grid.iat[i, j]), lang), str(evidence.iat[i, j])[:160] or "–",
                type_label(types[u], lang), said[str(statuses.iat[i, j])]] for j in range(len(codes))]
              for i, u in enumerate(grid.index)]
    scale = []
    for i, key in enumerate(["red", "yellow", "green", "na", "missing"]):
        scale += [[i / 5, colours[key]], [(i + 1) / 5, colours[key]]]
    fig = go.Figure(go.Heatmap(
        z=z, x=codes, y=y, zmin=-0.5, zmax=4.5, colorscale=scale, showscale=False, xgap=2, ygap=2,
        text=text, texttemplate="%{text}", textfont={"size": 11, "color": "#1A1A1A"}, customdata=custom,
        hovertemplate=(f"<b>%{{y}}</b> (%{{customdata[3]}})<br>%{{x}} %{{customdata[0]}}<br>"
                       f"{t('chart.rating', lang)}: <b>%{{customdata[1]}}</b><br>"
                       f"{t('chart.evidence', lang)}: %{{customdata[2]}} (%{{customdata[4]}})<extra></extra>")))
    fig.add_traces([go.Scatter(x=[None], y=[None], mode="markers", showlegend=True,  # legend entries
                               name=f"{SYMBOLS[lang][rating]} {_label(catalogue, rating, lang)}",
                               marker={"size": 12, "symbol": "square", "color": colours[rating],
                                       "line": {"color": "#555", "width": 1}}) for rating in RATING_ORDER])
    rows, columns = np.nonzero(statuses.to_numpy() == EvidenceStatus.MISSING.value)
    if len(rows):
        fig.add_trace(_corner_marks(rows, columns, t("evidence.missing", lang)))
        fig.update_layout(xaxis2=_OVERLAY | {"overlaying": "x", "range": [-0.5, len(codes) - 0.5]},
                          yaxis2=_OVERLAY | {"overlaying": "y", "range": [len(grid.index) - 0.5, -0.5]})
    lines = quadrant_separators(fig, catalogue, lang)
    kinds = [types[u] for u in grid.index]
    fig.update_layout(shapes=[*fig.layout.shapes, *(_line("y", i - 0.5) for i in range(1, len(kinds))
                                                     if kinds[i] != kinds[i - 1])])
    # the matrix's own axes (not the marks' hidden ones); a grid to read, not to zoom (the marks could not follow)
    fig.update_layout(yaxis={"autorange": "reversed", "title": t("chart.unit", lang), "tickfont": {"size": 12},
                             "fixedrange": True},
                      xaxis={"title": t("chart.indicator", lang), "tickangle": -90, "type": "category",
                             "tickfont": {"size": MIN_TEXT}, "fixedrange": True})
    height = 160 + 16 * lines + 34 * max(len(y), 1)
    return _base(fig, t("chart.matrix_title", lang, year=year), height, top=44 + 16 * lines, lang=lang)


#: The colour of the matrix's mark for a rating without evidence: dark on every fill, and in greyscale.
_MARK: Final = "#1A1A1A"


#: The hidden numeric axes the corner marks are drawn on, laid over the matrix's category axes cell for cell.
_OVERLAY: Final = {"visible": False, "fixedrange": True, "showgrid": False, "zeroline": False, "type": "linear",
                   "autorange": False}
#: Where a corner mark sits in its cell (the cell spans ±0.5 around its index): near the top right corner.
_CORNER: Final = 0.3


def _corner_marks(rows: np.ndarray, columns: np.ndarray, name: str) -> go.Scatter:
    """One trace of dark triangles, each in the top right corner of a matrix cell at (``rows[k]``, ``columns[k]``),
    on the hidden axes x2/y2 whose numbers are the cells' indices (a trace on the category axes could only sit in the
    middle of a cell, and thousands of shapes take seconds to lay out)."""
    return go.Scatter(x=columns + _CORNER, y=rows - _CORNER, xaxis="x2", yaxis="y2", mode="markers", name=name,
                      marker={"symbol": "triangle-ne", "size": 9, "color": _MARK, "line": {"width": 0}},
                      hoverinfo="skip", showlegend=True, cliponaxis=False)


#: Characters of a quadrant's label over the matrix per column of the quadrant (a column is at least 11 px
#: wide on a page of 1280 px, a character of 11 px text about 6).
_CHARS_PER_COLUMN: Final = 2


def quadrant_separators(fig: go.Figure, catalogue: Catalogue, lang: str,
                        label: Callable[[Quadrant], str] | None = None) -> int:
    """On a chart whose x axis holds the 39 codes in order: a line between quadrants and, above each, its
    ``label`` (by default its numeral and name, wrapped to the width of its columns). Returns the most lines
    a label takes (for the top margin)."""
    shapes, notes = [], []
    start, most = 0, 1
    for which, quadrant in catalogue.quadrants.items():
        size = len(catalogue.in_quadrant(which))
        if start:
            shapes.append(_line("x", start - 0.5))
        if label is None:
            text = wrapped(f"{quadrant.roman} {quadrant.name(lang)}", _CHARS_PER_COLUMN * size)
            text = f"<b>{quadrant.roman}</b>{text.removeprefix(quadrant.roman)}"
        else:
            text = label(quadrant)
        most = max(most, _lines(text))
        notes.append({"x": start + (size - 1) / 2, "y": 1.0, "yref": "paper", "yanchor": "bottom",
                      "showarrow": False, "text": text, "font": {"size": MIN_TEXT}})
        start += size
    fig.update_layout(shapes=[*fig.layout.shapes, *shapes], annotations=[*fig.layout.annotations, *notes])
    return most


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
    titles = [quadrant_title(q, lang) for q in quads]
    fig = make_subplots(rows=1, cols=4, shared_yaxes=True, horizontal_spacing=0.05, subplot_titles=titles)
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
                text=[(percent(v, lang, 0) if shares else int(v)) if v else "" for v in values],
                customdata=[percent(v, lang) if shares else number(v, lang) for v in values],
                hovertemplate=(f"%{{y}}<br>{_label(catalogue, rating, lang)}: "
                               f"%{{customdata}}<extra>{q.roman}</extra>")))
            cols.append(col)
    fig.add_traces(traces, rows=[1] * len(traces), cols=cols)
    fig.update_xaxes(title_text=wrapped(t("chart.share", lang) if shares else t("chart.count", lang), PANEL_TITLE_WIDTH))
    if shares:
        fig.update_xaxes(range=[0, 1], **percent_ticks(lang, 0.5))
    fig.update_layout(barmode="stack")
    fig.update_yaxes(autorange="reversed")
    fig.update_annotations(font_size=MIN_TEXT)
    return _base(fig, t("chart.quadrant_title", lang), 140 + 16 * _lines(titles[0]) + 28 * max(len(names), 1),
                 top=_panel_top(titles), lang=lang)


#: Characters a line of a quadrant's name beside the radar holds (the names left and right of the circle
#: must fit beside it in the narrower of the Compare page's two columns).
_RADAR_LABEL_WIDTH: Final = 16


def radar(profile: pd.DataFrame, catalogue: Catalogue, registry: UnitRegistry, lang: str = "vi",
          lineage: Lineage | None = None) -> go.Figure:
    """Quadrant profile of each unit: the 0–100 index per quadrant on a polar chart, each unit in its own
    colour and marker (:func:`unit_styles`), units in display order (type, then name)."""
    quads = list(catalogue.quadrants.values())
    theta = [f"<b>{q.roman}</b><br>{wrapped(q.name(lang), _RADAR_LABEL_WIDTH)}" for q in quads]
    styles = unit_styles(profile["unit_id"], registry, lineage)
    fig = go.Figure()
    for uid, name in unit_order(profile)[["unit_id", "unit_name"]].itertuples(index=False):
        part = profile[profile["unit_id"] == uid]
        values = part.set_index("quadrant").reindex([q.number for q in quads])["index"].tolist()
        style = styles[str(uid)]
        fig.add_trace(go.Scatterpolar(r=[*values, values[0]], theta=[*theta, theta[0]], name=str(name),
                                      mode="lines+markers", line={"color": style.colour, "width": 2.5},
                                      marker={"symbol": style.symbol, "size": 8},
                                      hovertemplate="%{theta}: %{r:.0f}<extra>%{fullData.name}</extra>"))
    fig = _base(fig, t("chart.radar_title", lang), 540 + 22 * math.ceil(len(fig.data) / 3), top=120, lang=lang)
    # The circle keeps to the middle of the width and clear of the foot, so that the quadrant names beside,
    # above and below it are never cut or covered by the legend, with two units as with twelve.
    fig.update_layout(polar={"domain": {"x": [0.2, 0.8], "y": [0.16, 1]},
                             "radialaxis": {"range": [0, 100], "tickvals": [25, 50, 75, 100], "angle": 45,
                                            "tickfont": {"size": MIN_TEXT}},
                             "angularaxis": {"tickfont": {"size": 12}}})
    return fig


def _wheel_specs(unit_ratings: pd.DataFrame, catalogue: Catalogue, lang: str) -> list[dict[str, Any]]:
    """One slice per indicator (coloured by rating) and the four quarter-circle boundaries, as plotly trace specs."""
    colours = rating_colours(catalogue)
    by_code = dict(zip(unit_ratings["indicator_code"], unit_ratings["rating"], strict=False))
    theta, width, colour, text, hover = [], [], [], [], []
    for which, quadrant in catalogue.quadrants.items():
        inds = catalogue.in_quadrant(which)
        step = 90 / len(inds)
        for k, ind in enumerate(inds):
            rating = by_code.get(ind.code, "missing")
            theta.append((which - 1) * 90 + (k + 0.5) * step)
            width.append(step)
            colour.append(colours[rating])
            text.append(ind.code)
            hover.append(f"{quadrant.roman} · {ind.code} {ind.name(lang)}<br>{_label(catalogue, rating, lang)}")
    slices = {"type": "barpolar", "r": [1] * len(theta), "theta": theta, "width": width,
              "marker": {"color": colour, "line": {"color": "#444", "width": 1}}, "text": text, "hovertext": hover,
              "hoverinfo": "text", "showlegend": False}
    bounds = {"type": "scatterpolar", "r": [0, 1, None, 0, 1, None, 0, 1, None, 0, 1], "mode": "lines",
              "hoverinfo": "skip", "theta": [0, 0, None, 90, 90, None, 180, 180, None, 270, 270], "showlegend": False,
              "line": {"color": "#111", "width": 3}}
    return [slices, bounds]


def _wheel_traces(unit_ratings: pd.DataFrame, catalogue: Catalogue, lang: str) -> list[go.BasePlotlyType]:
    """:func:`_wheel_specs` as plotly traces."""
    slices, bounds = _wheel_specs(unit_ratings, catalogue, lang)
    return [go.Barpolar({k: v for k, v in slices.items() if k != "type"}),
            go.Scatterpolar({k: v for k, v in bounds.items() if k != "type"})]


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
    return _base(fig, title, 340, lang=lang)


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
    fig = _base(fig, title, 140 + 330 * rows, lang=lang)
    fig.update_layout(margin={"t": 110})
    return fig


#: Margin kept inside each cell of a wheel sheet, as a share of the cell (room for the quadrant numerals).
_SHEET_PAD: Final = 0.06


def wheel_sheet(frames: Sequence[pd.DataFrame], catalogue: Catalogue, lang: str = "vi",
                per_row: int = 4) -> dict[str, Any]:
    """Several unit-years' wheels on one sheet, each alone in its square cell of a ``per_row``-wide grid, without
    title or margin, so that the picture can be cut apart cell by cell: drawn together, a wheel costs a fraction of
    one drawn alone (the pilot report draws a wheel per unit). A plotly figure spec, not a validated figure: a report
    on a province builds hundreds of them for the renderer alone."""
    rows = max(1, math.ceil(len(frames) / per_row))
    axes: dict[str, Any] = {**_wheel_axes(catalogue), "radialaxis": {"visible": False, "range": [0, 1.06]}}
    layout: dict[str, Any] = {"showlegend": False, "margin": {"l": 0, "r": 0, "t": 0, "b": 0}, "font": _FONT,
                              "paper_bgcolor": "white", "plot_bgcolor": "white", "separators": separators(lang)}
    traces: list[dict[str, Any]] = []
    for k, frame in enumerate(frames):
        name = f"polar{k + 1 if k else ''}"
        row, column = divmod(k, per_row)
        layout[name] = {**axes, "bgcolor": "white",  # the rim drawn whole
                        "domain": {"x": [(column + _SHEET_PAD) / per_row, (column + 1 - _SHEET_PAD) / per_row],
                                   "y": [1 - (row + 1 - _SHEET_PAD) / rows, 1 - (row + _SHEET_PAD) / rows]}}
        traces += [{**spec, "subplot": name} for spec in _wheel_specs(frame, catalogue, lang)]
    return {"data": traces, "layout": layout}


#: Characters a line of a unit type's name under its bar holds: two short level lines rather than one turned.
_CATEGORY_WIDTH: Final = 10


def group_bars(groups: pd.DataFrame, catalogue: Catalogue, lang: str = "vi") -> go.Figure:
    """Pooled colour shares per unit type, stacked to 100 %."""
    colours = rating_colours(catalogue)
    labels = [wrapped(type_label(v, lang), _CATEGORY_WIDTH) for v in groups["unit_type"]]
    fig = go.Figure()
    for rating in ASSESSED:
        fig.add_trace(go.Bar(x=labels, y=groups[rating], name=_label(catalogue, rating, lang),
                             marker_color=colours[rating], text=[percent(v, lang, 0) for v in groups[rating]],
                             texttemplate="%{text}", textposition="inside",
                             customdata=[percent(v, lang) for v in groups[rating]],
                             hovertemplate=(f"%{{x}}<br>{_label(catalogue, rating, lang)}: "
                                            "%{customdata}<extra></extra>")))
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title=t("chart.share", lang), range=[0, 1], **percent_ticks(lang))
    fig.update_xaxes(title=t("chart.unit_type", lang), tickangle=0)
    return _base(fig, t("chart.group_title", lang), 400, lang=lang)


#: The index axis of the trend charts (a little above 100, so that a line at 100 and its label show whole).
_INDEX_TOP: Final = 105
#: Pixels from one end label of the trends chart to the next (its text is 12 px high).
LABEL_GAP: Final = 16
#: The trends chart's plot height (px) when its labels need no more; its margins above and below.
_TREND_PLOT: Final = 330
_TREND_TOP: Final = 60
_TREND_FOOT: Final = 70


def spread(values: Sequence[float], gap: float, low: float, high: float) -> list[float]:
    """Heights for labels wanted at ``values`` (in the same order), each at least ``gap`` from any other and as
    near its own value as that allows: labels that would overlap are gathered in a run centred on the mean of
    their values; the runs then kept within ``low``–``high`` where they fit."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    runs: list[list[int]] = []
    starts: list[float] = []
    for i in order:
        runs.append([i])
        starts.append(values[i])
        while len(runs) > 1 and starts[-2] + gap * len(runs[-2]) > starts[-1]:
            merged = runs[-2] + runs.pop()
            starts.pop()
            runs[-1] = merged
            starts[-1] = sum(values[j] for j in merged) / len(merged) - gap * (len(merged) - 1) / 2
    heights = [start + gap * k for run, start in zip(runs, starts, strict=True) for k in range(len(run))]
    for k, height in enumerate(heights):  # lift the lowest above ``low``, pushing the others up ...
        heights[k] = max(height, low if k == 0 else heights[k - 1] + gap)
    for k in reversed(range(len(heights))):  # ... and bring the highest under ``high``, pushing the others down
        heights[k] = min(heights[k], high if k == len(heights) - 1 else heights[k + 1] - gap)
    placed = [0.0] * len(values)
    for i, height in zip((i for run in runs for i in run), heights, strict=True):
        placed[i] = height
    return placed


def trend_lines(trend: pd.DataFrame, registry: UnitRegistry, lang: str = "vi",
                title_key: str = "chart.trend_title", breaks: Sequence[float] = (),
                lineage: Lineage | None = None) -> go.Figure:
    """Index per unit over the years (a slope chart when there are two years), each unit in its own colour and
    marker (:func:`unit_styles`). Each line ends in a label with its marker, last value and name, and starts
    with its first value; labels are spread apart (:func:`spread`) and tied to their line's end by a thin
    leader, so they never overlap: the chart grows taller when many lines need room. Years carried back from
    predecessors (``through_lineage``) are drawn dotted, apart from the unit's own years; ``breaks`` mark
    reorganisations on the year axis."""
    styles = unit_styles(trend["unit_id"], registry, lineage)
    years = sorted(int(y) for y in trend["year"].unique())
    span = max(years[-1] - years[0], 1) if years else 1
    lines = [(str(uid), str(name), part.sort_values("year").dropna(subset=["index"]))
             for (uid, name), part in trend.groupby(["unit_id", "unit_name"], sort=False, observed=True)]
    lines = [line for line in lines if not line[2].empty]
    plot = max(_TREND_PLOT, LABEL_GAP * (len(lines) + 1))
    gap = LABEL_GAP * _INDEX_TOP / plot
    fig = go.Figure()
    notes: list[dict[str, object]] = []
    for end, anchor, side in ((-1, "left", 1), (0, "right", -1)):
        at = [(uid, name, part.iloc[end]) for uid, name, part in lines if end == -1 or len(part) > 1]
        for x in sorted({int(row["year"]) for _, _, row in at}):
            here = [(uid, name, float(row["index"])) for uid, name, row in at if int(row["year"]) == x]
            heights = spread([v for _, _, v in here], gap, 0, _INDEX_TOP)
            for (uid, name, value), height in zip(here, heights, strict=True):
                style = styles[uid]
                fig.add_trace(go.Scatter(x=[x, x + side * 0.035 * span], y=[value, height], mode="lines",
                                         line={"color": style.colour, "width": 1}, hoverinfo="skip",
                                         showlegend=False))
                mark = f"<span style='color:{style.colour}'>{_SYMBOL_CHARS[style.symbol]}</span>"
                notes.append({"x": x + side * 0.04 * span, "y": height, "xanchor": anchor, "yanchor": "middle",
                              "showarrow": False, "font": {"size": 12, "color": "#1A1A1A"},
                              "text": f"{mark} {value:.0f} {name}" if end == -1 else f"{value:.0f}"})
    for uid, name, part in lines:
        style = styles[uid]
        for segment, carried in _segments(part):
            fig.add_trace(go.Scatter(
                x=segment["year"], y=segment["index"], mode="lines+markers", showlegend=False,
                name=t("lineage.predecessor_line", lang, unit=name) if carried else name,
                line={"color": style.colour, "width": 2 if carried else 2.5, "dash": "dot" if carried else "solid"},
                marker={"symbol": style.symbol, "size": 9, "opacity": 0.6 if carried else 1},
                hovertemplate="%{x}: %{y:.0f}<extra>%{fullData.name}</extra>"))
    longest = max((len(name) for _, name, _ in lines), default=0)
    _mark_breaks(fig, breaks)
    fig.update_layout(annotations=[*notes, *_break_labels(breaks, lang)])
    fig.update_xaxes(title=t("chart.year", lang), tickmode="array", tickvals=years, ticktext=[str(y) for y in years],
                     range=[years[0] - 0.08 * span, years[-1] + 0.05 * span] if years else None)
    fig.update_yaxes(title=t("chart.index", lang), range=[0, _INDEX_TOP])
    fig = _base(fig, t(title_key, lang), _TREND_TOP + plot + _TREND_FOOT, top=_TREND_TOP, lang=lang)
    fig.update_layout(margin={"r": 40 + 7 * longest, "b": _TREND_FOOT})
    return fig


def _segments(line: pd.DataFrame) -> list[tuple[pd.DataFrame, bool]]:
    """A unit's line as its parts: (rows, carried back from predecessors), the carried part first."""
    if THROUGH not in line:
        return [(line, False)]
    through = line[THROUGH].fillna(False).astype(bool)
    return [(part, carried) for part, carried in ((line[through], True), (line[~through], False)) if not part.empty]


def _mark_breaks(fig: go.Figure, breaks: Sequence[float]) -> None:
    """A dashed vertical line at each reorganisation on the year axis (every panel)."""
    for at in breaks:
        fig.add_vline(x=at, line={"color": "#555", "width": 1.5, "dash": "dash"})


def _break_labels(breaks: Sequence[float], lang: str) -> list[dict[str, object]]:
    """The label of each reorganisation line, at the top of the plot."""
    return [{"x": at, "y": 1, "xref": "x", "yref": "paper", "yanchor": "bottom", "showarrow": False,
             "text": t("lineage.break", lang), "font": {"size": MIN_TEXT, "color": "#333"}} for at in breaks]


def quadrant_trend(trend: pd.DataFrame, catalogue: Catalogue, registry: UnitRegistry, lang: str = "vi",
                   breaks: Sequence[float] = (), lineage: Lineage | None = None) -> go.Figure:
    """Index per unit over the years, one panel per quadrant, each unit in its own colour and marker; years
    carried back from predecessors dotted, ``breaks`` marked (see :func:`trend_lines`)."""
    quads = list(catalogue.quadrants.values())
    titles = [quadrant_title(q, lang) for q in quads]
    fig = make_subplots(rows=1, cols=4, shared_yaxes=True, subplot_titles=titles)
    styles = unit_styles(trend["unit_id"], registry, lineage)
    traces, cols = [], []
    for uid, name in unit_order(trend)[["unit_id", "unit_name"]].itertuples(index=False):
        style = styles[str(uid)]
        for col, quadrant in enumerate(quads, start=1):
            line = trend[(trend["unit_id"] == uid) & (trend["quadrant"] == quadrant.number)].sort_values("year")
            for segment, carried in _segments(line):
                traces.append(go.Scatter(
                    x=segment["year"], y=segment["index"], legendgroup=str(uid), mode="lines+markers",
                    name=t("lineage.predecessor_line", lang, unit=name) if carried else str(name),
                    showlegend=col == 1 and not carried,
                    line={"color": style.colour, "width": 2, "dash": "dot" if carried else "solid"},
                    marker={"symbol": style.symbol, "size": 7, "opacity": 0.6 if carried else 1},
                    hovertemplate="%{x}: %{y:.0f}<extra>%{fullData.name}</extra>"))
                cols.append(col)
    fig.add_traces(traces, rows=[1] * len(traces), cols=cols)
    _mark_breaks(fig, breaks)
    years = sorted(trend["year"].unique())
    fig.update_xaxes(tickmode="array", tickvals=years, ticktext=[str(y) for y in years], title_text=t("chart.year", lang))
    fig.update_yaxes(range=[0, _INDEX_TOP])
    fig.update_yaxes(title_text=t("chart.index", lang), row=1, col=1)
    fig.update_annotations(font_size=MIN_TEXT)
    return _base(fig, t("chart.quadrant_trend_title", lang), 420 + 16 * _lines(titles[0]), top=_panel_top(titles),
                 lang=lang)


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
    return _base(fig, title, 460, lang=lang)


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
    shares = grid.to_numpy(dtype=float)
    custom = [[[ind_names[j], *(number(int(p[i, j]), lang) for p in per_colour), percent(shares[i, j], lang, 0)]
               for j in range(len(codes))] for i in range(len(grid.index))]
    text = [[f"{v * 100:.0f}" if pd.notna(v) else "" for v in line] for line in grid.to_numpy()]
    red = catalogue.scale[Rating.RED].colour
    labels = {r: _label(catalogue, r, lang) for r in RATING_ORDER}
    hover = "<br>".join(f"{labels[r]}: %{{customdata[{i + 1}]}}" for i, r in enumerate(RATING_ORDER))
    fig = go.Figure(go.Heatmap(
        z=shares, x=codes, y=[names.get(a, a) for a in grid.index], zmin=0, zmax=1,
        colorscale=[[0, "#FFFFFF"], [1, red]], xgap=1, ygap=1, text=text, texttemplate="%{text}",
        textfont={"size": MIN_TEXT, "color": "#1A1A1A"}, customdata=custom,
        colorbar={"title": {"text": t("chart.red_share", lang)}, **percent_ticks(lang, 0.25)},
        hovertemplate=(f"<b>%{{y}}</b><br>%{{x}} %{{customdata[0]}}<br>{t('chart.red_share', lang)}: "
                       f"<b>%{{customdata[{len(RATING_ORDER) + 1}]}}</b><br>{hover}<extra></extra>")))
    lines = quadrant_separators(fig, catalogue, lang)
    fig.update_yaxes(autorange="reversed", title=t("chart.area", lang), tickfont={"size": MIN_TEXT})
    fig.update_xaxes(title=t("chart.indicator", lang), tickangle=-90, type="category", tickfont={"size": MIN_TEXT})
    return _base(fig, t("chart.area_matrix_title", lang, year=year), 160 + 16 * lines + 22 * max(len(grid.index), 1),
                 top=44 + 16 * lines, lang=lang)


#: The colours of the appraisal gap: the unit rated itself higher than the appraiser (over), lower (under).
_OVER: Final = "#B2182B"
_UNDER: Final = "#2166AC"


def gap_bars(by_unit: pd.DataFrame, year: int, lang: str = "vi") -> go.Figure:
    """Per appraised unit of one year, how many indicators it rated higher than the appraiser (to the right) and
    lower (to the left): who rates themselves greener than the evidence supports."""
    names = list(by_unit["unit_name"].astype(str))[::-1]
    fig = go.Figure([
        go.Bar(y=names, x=list(by_unit["over"])[::-1], orientation="h", name=t("chart.gap_over", lang),
               marker={"color": _OVER}, text=list(by_unit["over"])[::-1], textposition="inside"),
        go.Bar(y=names, x=[-v for v in by_unit["under"]][::-1], orientation="h", name=t("chart.gap_under", lang),
               marker={"color": _UNDER}, text=list(by_unit["under"])[::-1], textposition="inside",
               hovertemplate="%{y}: %{text}<extra></extra>")])
    fig.update_layout(barmode="relative")
    fig.update_xaxes(title=t("chart.gap_axis", lang), zeroline=True, zerolinecolor="#333", zerolinewidth=2)
    return _base(fig, t("chart.gap_title", lang, year=year), 160 + 30 * max(len(names), 1), lang=lang)


def gap_trend(by_year: pd.DataFrame, lang: str = "vi") -> go.Figure:
    """Per year, over the appraised returns: the share of indicators a unit rated higher than the appraiser, and
    lower; does self-assessment come closer to appraisal as the pilot goes on?"""
    years = [str(y) for y in by_year["year"]]
    fig = go.Figure()
    for column, colour, key in (("over", _OVER, "chart.gap_over"), ("under", _UNDER, "chart.gap_under")):
        shares = by_year[column] / by_year["compared"]
        fig.add_trace(go.Scatter(x=years, y=shares, mode="lines+markers+text", name=t(key, lang),
                                 line={"color": colour, "width": 3}, marker={"size": 9},
                                 text=[percent(v, lang, 0) for v in shares], textposition="top center",
                                 customdata=[percent(v, lang) for v in shares],
                                 hovertemplate="%{x}: %{customdata}<extra></extra>"))
    fig.update_xaxes(title=t("chart.year", lang), type="category")
    fig.update_yaxes(title=t("chart.gap_share_axis", lang), rangemode="tozero", **percent_ticks(lang, 0.1))
    return _base(fig, t("chart.gap_trend_title", lang), 380, lang=lang)


def lineage_graph(links: Sequence[Link], registry: UnitRegistry, unit_id: str, lang: str = "vi") -> go.Figure:
    """A unit's lineage as a small graph: units as labelled dots in columns by generation (the oldest on the
    left), arrows from each old unit to the new one labelled with the kind of change (and the share of a
    split) and its date; ``unit_id`` is drawn larger and dark."""
    ids = list(dict.fromkeys([unit_id, *(k.from_id for k in links), *(k.to_id for k in links)]))
    into: dict[str, list[str]] = {}
    for link in links:
        into.setdefault(link.to_id, []).append(link.from_id)
    depth: dict[str, int] = {}

    def level(uid: str, seen: frozenset[str] = frozenset()) -> int:
        if uid not in depth:
            parents = [p for p in into.get(uid, []) if p not in seen]
            depth[uid] = 1 + max((level(p, seen | {uid}) for p in parents), default=-1)
        return depth[uid]

    columns: dict[int, list[str]] = {}
    for uid in ids:
        columns.setdefault(level(uid), []).append(uid)
    place = {uid: (x, -(i - (len(col) - 1) / 2)) for x, col in columns.items() for i, uid in enumerate(col)}
    fig = go.Figure()
    notes: list[dict[str, object]] = []
    for link in links:
        (x0, y0), (x1, y1) = place[link.from_id], place[link.to_id]
        notes.append({"x": x1 - 0.04, "y": y1, "ax": x0 + 0.04, "ay": y0, "xref": "x", "yref": "y", "axref": "x",
                      "ayref": "y", "showarrow": True, "arrowhead": 3, "arrowwidth": 1.5, "arrowcolor": "#555",
                      "text": ""})
        kind = t(f"lineage.kind_{link.kind.value}", lang)
        share = f" {percent(link.share, lang, 0)}" if link.share != 1 else ""
        notes.append({"x": (x0 + x1) / 2, "y": (y0 + y1) / 2, "showarrow": False, "yshift": 9,
                      "text": f"{kind}{share} · {date_time(link.effective, lang)}",
                      "font": {"size": MIN_TEXT, "color": "#333"}, "bgcolor": "rgba(255,255,255,0.8)"})
    for uid in ids:
        unit = registry.get(uid)
        x, y = place[uid]
        span = "" if unit is None else f"<br>{_years(unit.valid_from)}–{_years(unit.valid_to)}"
        focus = uid == unit_id
        fig.add_trace(go.Scatter(x=[x], y=[y], mode="markers+text", showlegend=False, hoverinfo="skip",
                                 marker={"size": 16 if focus else 11, "color": "#1A1A1A" if focus else "#8A8A8A"},
                                 text=[f"<b>{registry.name_of(uid, lang)}</b>{span}" if focus
                                       else f"{registry.name_of(uid, lang)}{span}"],
                                 textposition="bottom center", textfont={"size": 12}))
    widest = max((len(col) for col in columns.values()), default=1)
    fig.update_xaxes(visible=False, range=[-0.5, max(columns) + 0.5], fixedrange=True)
    fig.update_yaxes(visible=False, range=[-(widest - 1) / 2 - 0.8, (widest - 1) / 2 + 0.5], fixedrange=True)
    fig.update_layout(annotations=notes)
    return _base(fig, t("lineage.graph_title", lang, unit=registry.name_of(unit_id, lang)), 140 + 90 * widest,
                 lang=lang)


def _years(day: object) -> str:
    return str(getattr(day, "year", "")) if day is not None else ""
