"""Tổng quan / Overview: headline figures, the traffic-light matrix, quadrant summary per unit; at
national scale the same by area, with the worst units and a unit search."""

from __future__ import annotations

import streamlit as st

from lgqa_metrics.analysis import scope
from lgqa_metrics.domain.i18n import t
from lgqa_metrics.ui import components, figures

lang, ratings = components.analysis_page("page.overview")
year = components.year_select(lang, st.sidebar)
where = components.scope_select(ratings, lang, st.sidebar, year)
st.caption(t("overview.caption", lang, year=year))
view = figures.overview(year, where, lang)
components.headline_metrics(view.headline, lang)
st.plotly_chart(view.matrix, key="matrix")
if view.areas is None or view.worst is None:
    components.legend_caption(lang)
    st.plotly_chart(view.bars, key="quadrant_bars")
    st.stop()
st.caption(t("scope.matrix_note", lang, scope=components.scope_caption(where, lang), limit=scope.UNIT_LIMIT))
st.plotly_chart(view.bars, key="quadrant_bars")
st.subheader(t("scope.areas", lang))
components.table(components.area_table(view.areas, lang), lang, "areas")
st.subheader(t("scope.worst", lang, n=len(view.worst)))
components.table(components.placed_ranking_table(view.worst, lang), lang, "worst")
st.subheader(t("scope.find", lang))
components.unit_search(figures.ranked_units(year, where, lang), lang)
