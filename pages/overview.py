"""Tổng quan / Overview: headline figures, the traffic-light matrix, quadrant summary per unit."""

from __future__ import annotations

import streamlit as st

from lgqa_metrics import analytics, charts
from lgqa_metrics.filters import filter_ratings
from lgqa_metrics.i18n import t
from lgqa_metrics.ui import components
from lgqa_metrics.ui.data import catalogue, registry

lang, ratings = components.analysis_page("page.overview")
years = analytics.years_of(ratings)
year = components.year_select(years, lang, st.sidebar)
st.caption(t("overview.caption", lang, year=year))
components.headline_metrics(analytics.headline(ratings, year, registry()), lang)
grid, evidence = analytics.matrix(ratings, year, catalogue())
this_year = filter_ratings(ratings, years=[year])
units = analytics.unit_order(this_year)
st.plotly_chart(charts.matrix_figure(grid, evidence, units, catalogue(), year, lang), key="matrix")
components.legend_caption(lang)
counts = analytics.quadrant_counts(this_year)
st.plotly_chart(charts.quadrant_bars(counts, catalogue(), lang), key="quadrant_bars")
