"""Báo cáo thí điểm / Pilot report: the department's report to the Ministry for a year, compared with an earlier
one, as an editable Word document or a PDF."""

from __future__ import annotations

import streamlit as st

from lgqa_metrics.ui import components, report
from lgqa_metrics.ui.data import current_ratings

lang, actor = components.page("page.report")
if components.empty_state(current_ratings(), lang):
    st.stop()
request, kind = report.choices(lang)
report.make(request, kind, actor, lang)
