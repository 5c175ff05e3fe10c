"""Nhật ký hệ thống / Audit trail: who did what and when, filtered by action, person and dates, newest
first, with Excel and CSV exports (administrators only; each export is audited too)."""

from __future__ import annotations

import streamlit as st

from lgqa_metrics.domain.i18n import t
from lgqa_metrics.ui import audit_trail, components

lang, actor = components.page("page.audit")
st.caption(t("audit.caption", lang))
chosen = audit_trail.filters(lang)
table = audit_trail.log_table(chosen, lang)
audit_trail.downloads(chosen, actor, lang)
audit_trail.show(table, lang)
