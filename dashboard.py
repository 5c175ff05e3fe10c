"""The frame: page config, shared sidebar, navigation."""

from __future__ import annotations

import streamlit as st

from lgqa_metrics.i18n import t
from lgqa_metrics.ui import state

st.set_page_config(page_title="lgqa-metrics", page_icon="🚦", layout="wide")
with st.sidebar:
    st.radio(t("app.language"), options=["vi", "en"], format_func=lambda x: {"vi": "Tiếng Việt", "en": "English"}[x],
             key=state.LANG, horizontal=True)
lang = state.lang()
nav = st.navigation([st.Page("pages/data.py", title=t("page.data", lang), icon="📋", default=True)])
nav.run()
