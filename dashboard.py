"""The frame: page config, shared sidebar (language, who is signed in), navigation by role."""

from __future__ import annotations

import streamlit as st

from lgqa_metrics.domain.i18n import t
from lgqa_metrics.ui import auth, navigation, state

st.set_page_config(page_title="lgqa-metrics", page_icon="🚦", layout="wide")
state.keep_filters()
with st.sidebar:
    st.radio(t("app.language"), options=["vi", "en"], format_func=lambda x: {"vi": "Tiếng Việt", "en": "English"}[x],
             key=state.LANG, horizontal=True)
lang = state.lang()
actor = auth.viewer()
with st.sidebar:
    auth.who(actor, lang)
    auth.cookie_refused(lang)
    auth.hand_over()
st.navigation(navigation.navigation(actor, lang)).run()
