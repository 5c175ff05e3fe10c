"""Kết quả thẩm định / Appraisal results: the gap between self-assessment and appraisal per unit and per indicator
(who rates themselves greener than the evidence supports), and how it changes over the years."""

from __future__ import annotations

import streamlit as st

from lgqa_metrics.domain.i18n import t
from lgqa_metrics.ui import appraisal, components, figures
from lgqa_metrics.ui.data import current_ratings

lang, _ = components.page("page.appraisal_results")
if components.empty_state(current_ratings(), lang):
    st.stop()
year = components.year_select(lang, st.sidebar)
view = figures.appraisal_view(year, lang)
st.caption(t("gap.caption", lang))
if view.by_unit.empty:
    st.info(t("gap.none", lang, year=year))
    st.stop()
st.plotly_chart(view.bars, key="gap_bars")
components.table(appraisal.gap_table(view.by_unit, "unit", lang), lang, "gap_units")
st.subheader(t("gap.indicators", lang, year=year))
components.table(appraisal.gap_table(view.by_indicator, "indicator", lang), lang, "gap_indicators")
st.subheader(t("gap.years", lang))
st.plotly_chart(view.trend, key="gap_trend")
components.table(appraisal.gap_table(view.by_year, "year", lang), lang, "gap_years")
