"""The frame: page config, shared sidebar (language, who is signed in), navigation by role."""

from __future__ import annotations

import streamlit as st

from lgqa_metrics.ui import auth, language, navigation, state

st.set_page_config(page_title="lgqa-metrics", page_icon="🚦", layout="wide")
state.keep_filters()
with st.sidebar:
    lang = language.switch()
actor = auth.viewer()
with st.sidebar:
    auth.who(actor, lang)
    auth.cookie_refused(lang)
    auth.hand_over()
    language.hand_over()
st.navigation(navigation.navigation(actor, lang), expanded=True).run()  # every page listed, none behind "View more"
