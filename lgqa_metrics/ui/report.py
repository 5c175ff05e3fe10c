"""The Report page's pieces: choose the year, the comparison year and the format, make the pilot report (the
same as ``python -m lgqa_metrics report``) and download it."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Final

import streamlit as st

from lgqa_metrics.domain.formatting import local_today, number
from lgqa_metrics.domain.i18n import t
from lgqa_metrics.domain.roles import Actor
from lgqa_metrics.services.report import ReportError, ReportRequest, make_report
from lgqa_metrics.store import audit
from lgqa_metrics.ui import components, figures, state
from lgqa_metrics.ui.data import get_store

log = logging.getLogger(__name__)
MIME: Final = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
               "pdf": "application/pdf"}


def choices(lang: str) -> tuple[ReportRequest, str]:
    """The year (the pages' shared year), the year it is compared with and the file format, from the sidebar."""
    year = components.year_select(lang, st.sidebar)
    earlier = [s.year for s in figures.year_statuses() if s.year < year]
    options: list[int | None] = [None, *sorted(earlier, reverse=True)]
    if st.session_state.get(state.REPORT_COMPARE, "unset") not in options:
        st.session_state[state.REPORT_COMPARE] = options[1] if len(options) > 1 else None
    compare = st.sidebar.selectbox(t("report.compare_to", lang), options, key=state.REPORT_COMPARE,
                                   format_func=lambda y: t("report.no_compare_choice", lang) if y is None else str(y))
    kind = st.sidebar.radio(t("report.format", lang), list(MIME), key=state.REPORT_FORMAT,
                            format_func=lambda k: t(f"report.format_{k}", lang))
    return ReportRequest(year, compare, lang="vi"), str(kind)


def make(request: ReportRequest, kind: str, actor: Actor | None, lang: str) -> None:
    """Make the report on the button's press and keep it for the download button (one per session)."""
    st.caption(t("report.page_help", lang))
    if st.button(t("report.make", lang), type="primary", key="report_make", icon=":material/description:"):
        with st.spinner(t("report.making", lang)), tempfile.TemporaryDirectory(prefix="lgqa-report-") as folder:
            out = Path(folder) / f"bao-cao-thi-diem-{request.year}.{kind}"
            try:
                made = make_report(get_store(), request, out)
            except ReportError as err:
                st.error(err.message(lang))
                return
            except Exception as err:  # LibreOffice or Chromium failed: say so, never a traceback
                log.error("report failed", exc_info=err)
                st.error(t("report.failed", lang, detail=type(err).__name__))
                return
            st.session_state[state.REPORT_FILE] = {"name": out.name, "kind": kind, "data": out.read_bytes(),
                                                   "figures": made.figures, "seconds": made.seconds}
        if actor is not None:
            audit.record_now(get_store().engine, actor, "report_made", target=out.name,
                             details={"year": request.year, "compare_to": request.compare_to, "format": kind})
    held = st.session_state.get(state.REPORT_FILE)
    if isinstance(held, dict):
        st.success(t("report.ready", lang, name=held["name"], figures=number(held["figures"], lang),
                     seconds=number(held["seconds"], lang, 1)))
        st.download_button(t("report.download", lang), data=held["data"], mime=MIME[held["kind"]],
                           file_name=f"{Path(held['name']).stem}_{local_today().isoformat()}.{held['kind']}",
                           on_click="ignore", key="report_download", icon=":material/download:")
