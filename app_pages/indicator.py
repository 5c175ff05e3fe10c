"""Chỉ số / Indicator: one indicator across all units and years, with the red units' evidence and the greens
and yellows sent without evidence."""

from __future__ import annotations

import streamlit as st

from lgqa_metrics.analysis import analytics
from lgqa_metrics.domain.i18n import t
from lgqa_metrics.ui import components, figures
from lgqa_metrics.ui.data import catalogue, detail_ratings

lang, ratings = components.analysis_page("page.indicator")
indicator = components.indicator_select(catalogue(), lang, st.sidebar)
year = components.year_select(lang, st.sidebar)
where = components.scope_select(ratings, lang, st.sidebar, year)
st.subheader(f"{indicator.code} · {indicator.name(lang)}")
components.indicator_legend(catalogue(), indicator.code, lang)
this_year = where.apply(detail_ratings(years=[year], indicators=[indicator.code]))
left, right = st.columns([2, 3])
left.plotly_chart(figures.distribution(indicator.code, where, lang), key="dist")
with right:
    st.markdown(f"**{t('indicator.red_units', lang, year=year)}**")
    red = analytics.red_units(this_year, indicator.code, year)
    if red.empty:
        st.success(t("indicator.no_red", lang, year=year))
    else:
        components.table(components.red_units_table(red, lang), lang, "red_units")
st.markdown(f"**{t('indicator.unevidenced', lang, year=year)}**")
unevidenced = analytics.unevidenced_units(this_year, indicator.code, year)
if unevidenced.empty:
    st.success(t("indicator.all_evidenced", lang, year=year))
else:
    components.table(components.unevidenced_table(unevidenced, catalogue(), lang), lang, "unevidenced_units")
st.markdown(f"**{t('indicator.all_units', lang, year=year)}**")
components.table(components.indicator_units_table(this_year, indicator.code, year, catalogue(), lang), lang,
                 "all_units")
