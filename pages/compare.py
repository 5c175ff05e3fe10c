"""So sánh đơn vị / Compare units: quadrant profiles, diagnostic wheels, ranking, group averages."""

from __future__ import annotations

import streamlit as st

from lgqa_metrics import analytics
from lgqa_metrics.filters import filter_ratings
from lgqa_metrics.i18n import t
from lgqa_metrics.ui import components, figures

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
radar, groups = figures.compare(year, chosen, lang)
left.plotly_chart(radar, key="radar")
right.plotly_chart(groups, key="groups")
right.dataframe(components.group_table(analytics.group_averages(this_year, year), lang), hide_index=True)

st.subheader(t("compare.wheels", lang))
components.legend_caption(lang)
st.plotly_chart(figures.wheels(year, chosen, lang), key="wheels")
