"""So sánh đơn vị / Compare units: quadrant profiles, diagnostic wheels, ranking, group averages; at
national scale the ranking is paged and the profiles show the chosen (by default the weakest) units."""

from __future__ import annotations

import streamlit as st

from lgqa_metrics.analysis import scope
from lgqa_metrics.domain.formatting import number
from lgqa_metrics.domain.i18n import t
from lgqa_metrics.ui import components, figures

lang, ratings = components.analysis_page("page.compare")
year = components.year_select(lang, st.sidebar)
where = components.scope_select(ratings, lang, st.sidebar, year)
types = components.type_select(lang, st.sidebar)
units = figures.compare_units(year, where, types, lang)
many, ranked = units.many, units.ranked
chosen = components.unit_select(units.order, lang, st.sidebar, default_all=not many)
profiled = scope.profiled_units(chosen, ranked, many)
st.caption(t("compare.caption", lang, year=year, units=number(len(ranked) if many else len(chosen), lang)))

st.subheader(t("compare.ranking", lang))
if many:
    components.table(components.placed_ranking_table(ranked.reset_index(drop=True), lang), lang, "ranking")
else:
    components.table(components.ranking_table(figures.ranking(year, where, types, chosen, lang), lang), lang, "ranking")
st.caption(t("compare.index_note", lang))

if many:
    st.caption(t("scope.profiled", lang, n=len(profiled)))
left, right = st.columns([3, 2])
radar, groups, group_table = figures.compare(year, where, profiled, lang)
left.plotly_chart(radar, key="radar")
right.plotly_chart(groups, key="groups")
with right:
    components.table(components.group_table(group_table, lang), lang, "groups")

st.subheader(t("compare.wheels", lang))
components.legend_caption(lang)
st.plotly_chart(figures.wheels(year, profiled, lang), key="wheels")
