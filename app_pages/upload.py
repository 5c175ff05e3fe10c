"""Nộp báo cáo / Upload: check returns without storing them, store them on confirmation, send bad files
back marked up, and hand out blank templates."""

from __future__ import annotations

import streamlit as st

from lgqa_metrics.domain.i18n import t
from lgqa_metrics.ui import components, upload

lang, actor = components.page("page.upload")
st.caption(t("upload.caption", lang))
upload.last_saved(lang)
upload.mapping_done(lang)
drop, template = st.columns([2, 1], gap="large")
with drop:
    files = upload.file_drop(lang)
with template:
    upload.template_download(lang)
if files:
    checked = upload.check_files(files, lang)
    if checked is not None:
        st.subheader(t("upload.check_title", lang))
        upload.batch_summary(checked, lang)
        upload.confirm_button(checked, lang)
        st.subheader(t("upload.details_title", lang))
        for i, item in enumerate(checked):
            upload.file_report(item, i, actor, lang)
