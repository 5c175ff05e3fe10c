"""The language switch, kept by the browser: a reload, a bookmark or a new tab opens in the language last chosen
there (a first-party cookie holding "vi" or "en", nothing else), for visitors and signed-in users alike."""

from __future__ import annotations

import json
from typing import Final

import streamlit as st

from lgqa_metrics.domain.i18n import LANGUAGES, t
from lgqa_metrics.ui import state, web

COOKIE: Final = "lgqa_lang"
#: How long the browser keeps the choice (a year).
KEEP_SECONDS: Final = 365 * 24 * 3600
_NAMES: Final = {"vi": "Tiếng Việt", "en": "English"}


def switch() -> str:
    """The sidebar's language switch, starting a new session in the language the browser last chose; the
    language to use."""
    if state.LANG not in st.session_state:
        kept = st.context.cookies.get(COOKIE)
        if kept in LANGUAGES:
            st.session_state[state.LANG] = kept
    st.radio(t("app.language"), options=list(LANGUAGES), format_func=_NAMES.__getitem__, key=state.LANG,
             horizontal=True, on_change=_chosen)
    return state.lang()


def _chosen() -> None:
    st.session_state[state.LANG_SAVE] = True


def hand_over() -> None:
    """After the user switched language: have the browser keep the choice (once)."""
    if not st.session_state.pop(state.LANG_SAVE, False):
        return
    cookie = f"{COOKIE}={state.lang()}; Path={web.cookie_path()}; Max-Age={KEEP_SECONDS}; SameSite=Lax"
    st.html(f"<script>document.cookie = {json.dumps(cookie)};</script>", unsafe_allow_javascript=True)
