"""Thẩm định / Appraisal: the queue of returns (what awaits whom, since when), and one return reviewed indicator by
indicator beside its evidence, then accepted (locked) or returned to its unit. Appraisers and administrators."""

from __future__ import annotations

import streamlit as st

from lgqa_metrics.domain.i18n import t
from lgqa_metrics.ui import admin, appraisal, components

lang, actor = components.page("page.appraisal")
assert actor is not None  # components.page stops the run of anyone without the appraiser role
admin.notice(lang)
st.subheader(t("appraisal.queue", lang))
queue = appraisal.queue_block(lang)
chosen = appraisal.choose(queue, lang)
if chosen is not None:
    st.subheader(t("appraisal.review", lang))
    appraisal.review_block(chosen, actor, lang)
