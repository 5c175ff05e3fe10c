"""Reusable page blocks."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lgqa_metrics.i18n import t
from lgqa_metrics.ui import state
from lgqa_metrics.units import TYPE_LABELS, UnitType


def filter_ratings(ratings: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Year and unit-type filters (kept across pages through session state) applied to ``ratings``."""
    years = sorted(int(y) for y in ratings["year"].unique())
    if state.YEARS not in st.session_state:
        st.session_state[state.YEARS] = years[-1:]
    st.session_state[state.YEARS] = [y for y in st.session_state[state.YEARS] if y in years]
    left, right = st.columns(2)
    chosen_years = left.multiselect(t("data.years", lang), years, key=state.YEARS)
    types = [u.value for u in UnitType]
    chosen_types = right.multiselect(t("data.unit_types", lang), types, key=state.UNIT_TYPES,
                                     format_func=lambda v: TYPE_LABELS[UnitType(v)][0 if lang == "vi" else 1])
    mask = ratings["year"].isin(chosen_years or years) & ratings["unit_type"].isin(chosen_types or types)
    return ratings.loc[mask]
