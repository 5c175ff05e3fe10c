"""Xu hướng / Trends: each unit's index over the years, by quadrant, and indicator-level changes; a unit formed in
a reorganisation shows its predecessors' earlier years (following lineage, by a chosen rule); at national scale
one line per area."""

from __future__ import annotations

import streamlit as st

from lgqa_metrics.analysis import analytics, scope
from lgqa_metrics.domain.i18n import t
from lgqa_metrics.ui import components, figures
from lgqa_metrics.ui.data import catalogue

lang, ratings = components.analysis_page("page.trends")
years = analytics.years_of(ratings)
where = components.scope_select(ratings, lang, st.sidebar)
ratings = where.apply(ratings)
many = scope.summarised(ratings)
chosen = components.unit_follow(lang, st.sidebar) if many else components.unit_select(
    analytics.unit_order(ratings), lang, st.sidebar)
rule = components.lineage_select(chosen, lang, st.sidebar)
if len(years) < 2:
    st.info(t("trends.one_year", lang, year=years[0]))
    st.stop()
view = figures.trends(where, chosen, many, rule, lang)
if view.areas:
    st.caption(t("scope.lines_note", lang, scope=components.scope_caption(where, lang), limit=scope.UNIT_LIMIT))
st.plotly_chart(view.lines, key="trend")
if rule is not None:
    components.carried_caption(view.carried, rule, lang)
st.plotly_chart(view.per_quadrant, key="qtrend")
components.lineage_graphs(chosen, lang)

st.subheader(t("trends.changes", lang))
year_from, year_to = components.year_pair(lang)
summary = figures.change_summary(where, chosen, year_from, year_to, rule)
components.compared_note(figures.two_years(where, chosen, year_from, year_to, rule), year_from, year_to, lang)
components.lineage_change_note(view.carried, rule, year_from, year_to, lang)
components.table(components.change_summary_table(summary, lang), lang, "change_summary")
st.subheader(t("trends.detail", lang, year_from=year_from, year_to=year_to))
if view.areas:
    st.info(t("scope.detail_narrow", lang, limit=scope.UNIT_LIMIT))
    st.stop()
detail = figures.change_detail(chosen, year_from, year_to, rule)
components.table(components.change_detail_table(detail, catalogue(), lang), lang, "change_detail")
