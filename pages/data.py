"""Stored returns: the current ratings of every unit as tables."""

from __future__ import annotations

import streamlit as st

from lgqa_metrics.analytics import RATING_ORDER, colour_counts
from lgqa_metrics.export import export_frame
from lgqa_metrics.i18n import t
from lgqa_metrics.ui import state
from lgqa_metrics.ui.components import filter_ratings
from lgqa_metrics.ui.data import current_ratings

state.ensure_framed()
lang = state.lang()
st.title(t("page.data", lang))
st.caption(t("data.caption", lang))
ratings = current_ratings()
if ratings.empty:
    st.info(t("data.empty", lang))
    st.stop()
shown = filter_ratings(ratings, lang)
if shown.empty:
    st.warning(t("data.no_match", lang))
    st.stop()
st.subheader(t("data.summary", lang))
summary = colour_counts(shown)
cols = ["unit_name", "year", *RATING_ORDER, "green_share"]
st.dataframe(summary[cols].rename(columns={c: t(f"col.{c}", lang) for c in cols}), hide_index=True,
             column_config={t("col.green_share", lang): st.column_config.ProgressColumn(min_value=0, max_value=1,
                                                                                          format="percent")})
table = export_frame(shown, lang)
detail = ["unit_name", "year", "indicator_code", "indicator_name", "rating_label", "evidence", "note", "version"]
st.subheader(t("data.rows", lang, rows=len(table)))
st.dataframe(table[detail].rename(columns={c: t(f"col.{c}", lang) for c in detail}), hide_index=True)
