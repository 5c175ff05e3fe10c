"""So sánh đơn vị / Compare units: quadrant profiles, diagnostic wheels, ranking, group averages."""

from __future__ import annotations

import streamlit as st

from lgqa_metrics import analytics, charts
from lgqa_metrics.filters import filter_ratings
from lgqa_metrics.i18n import t
from lgqa_metrics.ui import components
from lgqa_metrics.ui.data import catalogue

lang, ratings = components.analysis_page("page.compare")
year = components.year_select(analytics.years_of(ratings), lang, st.sidebar)
this_year = filter_ratings(ratings, years=[year])
types = components.type_select(lang, st.sidebar)
units = analytics.unit_order(filter_ratings(this_year, unit_types=types))
chosen = components.unit_select(units, lang, st.sidebar)
selected = filter_ratings(this_year, units=chosen)
st.caption(t("compare.caption", lang, year=year, units=len(analytics.unit_order(selected))))

st.subheader(t("compare.ranking", lang))
st.dataframe(components.ranking_table(analytics.ranking(selected, year, lang), lang), hide_index=True)
st.caption(t("compare.index_note", lang))

left, right = st.columns([3, 2])
left.plotly_chart(charts.radar(analytics.quadrant_profile(selected, year), catalogue(), lang), key="radar")
right.plotly_chart(charts.group_bars(analytics.group_averages(this_year, year), catalogue(), lang), key="groups")
right.dataframe(components.group_table(analytics.group_averages(this_year, year), lang), hide_index=True)

st.subheader(t("compare.wheels", lang))
components.legend_caption(lang)
order = analytics.unit_order(selected)
columns = st.columns(3)
for i, (unit_id, name) in enumerate(zip(order["unit_id"], order["unit_name"], strict=True)):
    fig = charts.wheel(filter_ratings(selected, units=[unit_id]), catalogue(), f"{name} ({year})", lang)
    columns[i % 3].plotly_chart(fig, key=f"wheel_{unit_id}")
