"""The frame: page config, shared sidebar, navigation."""

from __future__ import annotations

import streamlit as st

from lgqa_metrics.i18n import t
from lgqa_metrics.ui import state

st.set_page_config(page_title="lgqa-metrics", page_icon="🚦", layout="wide")
state.mark_framed()
state.keep_filters()
with st.sidebar:
    st.radio(t("app.language"), options=["vi", "en"], format_func=lambda x: {"vi": "Tiếng Việt", "en": "English"}[x],
             key=state.LANG, horizontal=True)
lang = state.lang()
nav = st.navigation([
    st.Page("pages/overview.py", title=t("page.overview", lang), icon=":material/traffic:", default=True),
    st.Page("pages/compare.py", title=t("page.compare", lang), icon=":material/compare_arrows:"),
    st.Page("pages/trends.py", title=t("page.trends", lang), icon=":material/trending_up:"),
    st.Page("pages/indicator.py", title=t("page.indicator", lang), icon=":material/flag:"),
    st.Page("pages/upload.py", title=t("page.upload", lang), icon=":material/upload_file:"),
    st.Page("pages/data.py", title=t("page.data", lang), icon=":material/table_view:"),
    st.Page("pages/submissions.py", title=t("page.submissions", lang), icon=":material/fact_check:"),
])
nav.run()
