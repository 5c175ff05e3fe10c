"""Figures and tables of the analysis pages, cached by data version and the user's choices, so a rerun
that changes nothing (or returns to earlier choices) rebuilds nothing."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from lgqa_metrics import analytics, charts
from lgqa_metrics.filters import filter_ratings
from lgqa_metrics.i18n import t
from lgqa_metrics.ui.data import catalogue, current_ratings, data_version, registry

_ENTRIES = 32


@st.cache_data(max_entries=_ENTRIES, show_spinner=False)
def _overview(version: str, year: int, lang: str) -> tuple[analytics.Headline, go.Figure, go.Figure]:
    ratings = current_ratings()
    this_year = filter_ratings(ratings, years=[year])
    grid, evidence = analytics.matrix(ratings, year, catalogue())
    matrix = charts.matrix_figure(grid, evidence, analytics.unit_order(this_year), catalogue(), year, lang)
    bars = charts.quadrant_bars(analytics.quadrant_counts(this_year), catalogue(), lang)
    return analytics.headline(ratings, year, registry()), matrix, bars


def overview(year: int, lang: str) -> tuple[analytics.Headline, go.Figure, go.Figure]:
    """Headline figures, the traffic-light matrix and the quadrant bars of one year."""
    return _overview(data_version(), year, lang)


@st.cache_data(max_entries=_ENTRIES, show_spinner=False)
def _trends(version: str, units: tuple[str, ...], lang: str) -> tuple[go.Figure, go.Figure]:
    selected = filter_ratings(current_ratings(), units=units)
    return (charts.trend_lines(analytics.trend(selected), lang),
            charts.quadrant_trend(analytics.trend(selected, by_quadrant=True), catalogue(), lang))


def trends(units: list[str], lang: str) -> tuple[go.Figure, go.Figure]:
    """Index lines per unit, overall and per quadrant."""
    return _trends(data_version(), tuple(units), lang)


@st.cache_data(max_entries=_ENTRIES, show_spinner=False)
def _compare(version: str, year: int, units: tuple[str, ...], lang: str) -> tuple[go.Figure, go.Figure]:
    this_year = filter_ratings(current_ratings(), years=[year])
    selected = filter_ratings(this_year, units=units)
    return (charts.radar(analytics.quadrant_profile(selected, year), catalogue(), lang),
            charts.group_bars(analytics.group_averages(this_year, year), catalogue(), lang))


def compare(year: int, units: list[str], lang: str) -> tuple[go.Figure, go.Figure]:
    """The quadrant radar of the chosen units and the colour mix by unit type."""
    return _compare(data_version(), year, tuple(units), lang)


@st.cache_data(max_entries=_ENTRIES, show_spinner=False)
def _wheels(version: str, year: int, units: tuple[str, ...], lang: str) -> go.Figure:
    this_year = filter_ratings(current_ratings(), years=[year], units=units)
    order = analytics.unit_order(this_year)
    panels = [(name, filter_ratings(this_year, units=[uid])) for uid, name in zip(order["unit_id"], order["unit_name"],
                                                                                     strict=True)]
    return charts.wheels(panels, catalogue(), t("chart.wheels_title", lang, year=year), lang)


def wheels(year: int, units: list[str], lang: str) -> go.Figure:
    """The diagnostic wheels of the chosen units, in unit order, in one figure."""
    return _wheels(data_version(), year, tuple(units), lang)
