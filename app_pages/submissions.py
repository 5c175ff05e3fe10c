"""Tình hình nộp / Submissions: who has sent which year, every version with its original file, and the
files that were rejected with their issues."""

from __future__ import annotations

import streamlit as st

from lgqa_metrics.domain.i18n import t
from lgqa_metrics.ui import components
from lgqa_metrics.ui import submissions as tracking

lang, actor = components.page("page.submissions")
st.caption(t("submissions.caption", lang))
where = tracking.completeness_block(lang)
if where is not None:
    tracking.history_block(where, actor, lang)
tracking.rejected_block(actor, lang)
