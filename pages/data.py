"""Dữ liệu & xuất / Data & export: filter the current ratings, read them as tables, export them."""

from __future__ import annotations

import streamlit as st

from lgqa_metrics.i18n import t
from lgqa_metrics.ui import components, export
from lgqa_metrics.ui.data import current_ratings

lang, _ = components.page("page.data")
st.caption(t("data.caption", lang))
ratings = current_ratings()
if ratings.empty:
    st.info(t("data.empty", lang))
    st.stop()
chosen, options = export.filter_panel(ratings, lang)
shown = chosen.apply(ratings)
export.match_line(shown, ratings, lang)
export.downloads(shown, chosen, options, lang)
if shown.empty:
    st.warning(t("data.no_match", lang))
    st.stop()
export.summary_table(shown, lang)
export.detail_table(shown, lang)
