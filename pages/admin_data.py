"""Quản trị dữ liệu / Data administration: withdraw a stored version with a reason, and keep the unit
registry and the indicator catalogue files (show, download, replace by a checked upload). Administrators only."""

from __future__ import annotations

import streamlit as st

from lgqa_metrics.accounts_base import Role
from lgqa_metrics.i18n import t
from lgqa_metrics.ui import admin, admin_data, auth, state

state.ensure_framed()
auth.require_page(Role.ADMIN, state.lang())
lang = state.lang()
st.title(t("page.admin_data", lang))
admin.notice(lang)
withdraw, units, catalogue = st.tabs([t("withdraw.tab", lang), t("reference.units_tab", lang),
                                      t("reference.catalogue_tab", lang)])
with withdraw:
    admin_data.withdraw_block(lang)
with units:
    admin_data.reference_block("units", lang)
with catalogue:
    admin_data.reference_block("catalogue", lang)
