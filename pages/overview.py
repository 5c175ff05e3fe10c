"""Tổng quan / Overview: headline figures, the traffic-light matrix, quadrant summary per unit."""

from __future__ import annotations

import streamlit as st

from lgqa_metrics import analytics
from lgqa_metrics.i18n import t
from lgqa_metrics.ui import components, figures

lang, ratings = components.analysis_page("page.overview")
year = components.year_select(analytics.years_of(ratings), lang, st.sidebar)
st.caption(t("overview.caption", lang, year=year))
headline, matrix, bars = figures.overview(year, lang)
components.headline_metrics(headline, lang)
st.plotly_chart(matrix, key="matrix")
components.legend_caption(lang)
st.plotly_chart(bars, key="quadrant_bars")
