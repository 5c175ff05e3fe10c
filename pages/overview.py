"""Tổng quan / Overview: headline figures, the traffic-light matrix, quadrant summary per unit."""

from __future__ import annotations

import streamlit as st

from lgqa_metrics import analytics, charts
from lgqa_metrics.i18n import t
from lgqa_metrics.ui import components, state
from lgqa_metrics.ui.data import catalogue, current_ratings, registry

state.ensure_framed()
lang = state.lang()
st.title(t("page.overview", lang))
ratings = current_ratings()
if components.empty_state(ratings, lang):
    st.stop()
years = analytics.years_of(ratings)
year = components.year_select(years, lang, st.sidebar)
st.caption(t("overview.caption", lang, year=year))
components.headline_metrics(analytics.headline(ratings, year, registry()), lang)
grid, evidence = analytics.matrix(ratings, year, catalogue())
units = analytics.unit_order(ratings[ratings["year"] == year])
st.plotly_chart(charts.matrix_figure(grid, evidence, units, catalogue(), year, lang), key="matrix")
components.legend_caption(lang)
counts = analytics.quadrant_counts(ratings[ratings["year"] == year])
st.plotly_chart(charts.quadrant_bars(counts, catalogue(), lang), key="quadrant_bars")
