"""So sánh đơn vị / Compare units: quadrant profiles, diagnostic wheels, ranking, group averages."""

from __future__ import annotations

import streamlit as st

from lgqa_metrics import analytics, charts
from lgqa_metrics.i18n import t
from lgqa_metrics.ui import components, state
from lgqa_metrics.ui.data import catalogue, current_ratings

state.ensure_framed()
lang = state.lang()
st.title(t("page.compare", lang))
ratings = current_ratings()
if components.empty_state(ratings, lang):
    st.stop()
year = components.year_select(analytics.years_of(ratings), lang, st.sidebar)
this_year = ratings[ratings["year"] == year]
types = components.type_select(lang, st.sidebar)
units = analytics.unit_order(this_year[this_year["unit_type"].isin(types)])
chosen = components.unit_select(units, lang, st.sidebar)
selected = this_year[this_year["unit_id"].isin(chosen)]
st.caption(t("compare.caption", lang, year=year, units=selected["unit_id"].nunique()))

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
    fig = charts.wheel(selected[selected["unit_id"] == unit_id], catalogue(), f"{name} ({year})", lang)
    columns[i % 3].plotly_chart(fig, key=f"wheel_{unit_id}")
