"""Xu hướng / Trends: each unit's index over the years, by quadrant, and indicator-level changes."""

from __future__ import annotations

import streamlit as st

from lgqa_metrics import analytics
from lgqa_metrics.filters import filter_ratings
from lgqa_metrics.i18n import t
from lgqa_metrics.ui import components, figures
from lgqa_metrics.ui.data import catalogue

lang, ratings = components.analysis_page("page.trends")
years = analytics.years_of(ratings)
units = analytics.unit_order(ratings)
chosen = components.unit_select(units, lang, st.sidebar)
selected = filter_ratings(ratings, units=chosen)
if len(years) < 2:
    st.info(t("trends.one_year", lang, year=years[0]))
    st.stop()
lines, per_quadrant = figures.trends(chosen, lang)
st.plotly_chart(lines, key="trend")
st.plotly_chart(per_quadrant, key="qtrend")

st.subheader(t("trends.changes", lang))
year_from, year_to = components.year_pair(years, lang)
summary, detail = analytics.changes(selected, year_from, year_to)
st.dataframe(components.change_summary_table(summary, lang), hide_index=True)
st.subheader(t("trends.detail", lang, year_from=year_from, year_to=year_to))
st.dataframe(components.change_detail_table(detail, catalogue(), lang), hide_index=True)
