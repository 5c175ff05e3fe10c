"""Every session-state key the app uses, in one place."""

from __future__ import annotations

from typing import Final

import streamlit as st

from lgqa_metrics.i18n import DEFAULT_LANG

LANG: Final = "lang"  # "vi" | "en", chosen in the sidebar
YEARS: Final = "filter_years"  # list[int], shared by every page
UNIT_TYPES: Final = "filter_unit_types"  # list[str]


def lang() -> str:
    """The chosen language."""
    return str(st.session_state.get(LANG, DEFAULT_LANG))
