"""Quản trị dữ liệu / Data administration: withdraw a stored version with a reason, unlock an appraised return with
a reason, and keep the unit
registry, its lineage crosswalk and the indicator catalogue files (show, download, replace by a checked upload), and the column mappings
staff confirmed (list, delete). Administrators only."""

from __future__ import annotations

import streamlit as st

from lgqa_metrics.domain.i18n import t
from lgqa_metrics.ui import admin, admin_data, components

lang, actor = components.page("page.admin_data")
admin.notice(lang)
withdraw, unlock, units, lineage, catalogue, mappings = st.tabs([
    t("withdraw.tab", lang), t("unlock.tab", lang), t("reference.units_tab", lang), t("reference.lineage_tab", lang),
    t("reference.catalogue_tab", lang), t("mapping.admin_title", lang)])
with withdraw:
    admin_data.withdraw_block(lang)
with unlock:
    admin_data.unlock_block(lang)
with units:
    admin_data.reference_block("units", actor, lang)
with lineage:
    admin_data.lineage_block(actor, lang)
with catalogue:
    admin_data.reference_block("catalogue", actor, lang)
with mappings:
    admin_data.mappings_block(lang)
