"""Dữ liệu & xuất / Data & export: filter the current ratings, read them as tables, export them."""

from __future__ import annotations

import streamlit as st

from lgqa_metrics.domain.formatting import number
from lgqa_metrics.domain.i18n import t
from lgqa_metrics.ui import components, export
from lgqa_metrics.ui.data import current_ratings

lang, _ = components.page("page.data")
st.caption(t("data.caption", lang))
ratings = current_ratings()
if ratings.empty:
    st.info(t("data.empty", lang))
    st.stop()
where = components.scope_select(ratings, lang, st.sidebar)
ratings = where.apply(ratings)
chosen, options = export.filter_panel(where, lang)
shown = chosen.apply(ratings)
export.match_line(shown, ratings, lang)
if shown.empty:
    st.warning(t("data.no_match", lang))
    st.stop()
rows = export.detail_rows(shown, chosen, where)
if rows is None:
    st.warning(t("data.too_many", lang, rows=number(len(shown), lang), limit=number(export.EXPORT_ROWS, lang)))
else:
    export.downloads(rows, chosen, options, lang)
export.summary_table(where, chosen, lang)
if rows is not None:
    export.detail_table(rows, lang)
