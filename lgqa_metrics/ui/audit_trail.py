"""Blocks of the Audit trail page: the filters, the table newest first and its Excel and CSV exports
(each export is itself audited when the file is built)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
import streamlit as st

from lgqa_metrics.domain.formatting import number
from lgqa_metrics.domain.i18n import t
from lgqa_metrics.domain.roles import Actor, Role
from lgqa_metrics.services import audit_report
from lgqa_metrics.services.annotate import XLSX_MIME
from lgqa_metrics.services.audit_report import AuditFilter
from lgqa_metrics.store import audit
from lgqa_metrics.ui import auth, components, state
from lgqa_metrics.ui.data import get_store


def _keep(key: str, options: list[str]) -> None:
    st.session_state[key] = [v for v in st.session_state.get(key, []) if v in options]


def filters(lang: str) -> AuditFilter:
    """Actions (by their labels), actors, and a first and last day (empty: all)."""
    actions = list(audit_report.action_options())
    actors = audit_report.actors(get_store().engine)
    _keep(state.AUDIT_ACTIONS, actions)
    _keep(state.AUDIT_ACTORS, actors)
    with st.container(border=True):
        top = st.columns([3, 2, 1.3, 1.3])
        chosen_actions = top[0].multiselect(t("audit.f_actions", lang), actions, key=state.AUDIT_ACTIONS,
                                            format_func=lambda a: audit_report.action_label(a, lang),
                                            placeholder=t("filter.all", lang),
                                            select_all=components.select_all(lang))
        chosen_actors = top[1].multiselect(t("audit.f_actors", lang), actors, key=state.AUDIT_ACTORS,
                                           placeholder=t("filter.all", lang),
                                           select_all=components.select_all(lang))
        fmt = "DD/MM/YYYY" if lang == "vi" else "YYYY-MM-DD"
        since = top[2].date_input(t("audit.f_from", lang), value=None, key=state.AUDIT_FROM, format=fmt)
        until = top[3].date_input(t("audit.f_to", lang), value=None, key=state.AUDIT_TO, format=fmt)
    return AuditFilter(tuple(chosen_actions), tuple(chosen_actors),
                       since if isinstance(since, dt.date) else None, until if isinstance(until, dt.date) else None)


def log_table(chosen: AuditFilter, lang: str) -> pd.DataFrame:
    """One page of the matching entries, newest first, as a table for people, with how many match and which
    rows are shown (a trail of years is never read whole)."""
    if chosen.date_from and chosen.date_to and chosen.date_from > chosen.date_to:
        st.warning(t("audit.bad_range", lang), icon=":material/event_busy:")
    engine = get_store().engine
    total = chosen.count(engine)
    pages = max(1, -(-total // audit_report.PAGE))
    if not 1 <= int(st.session_state.get(state.AUDIT_PAGE, 1)) <= pages:
        st.session_state[state.AUDIT_PAGE] = 1
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    page = int(right.number_input(t("audit.page", lang, pages=pages), min_value=1, max_value=pages, step=1,
                                  key=state.AUDIT_PAGE, disabled=pages == 1))
    first = (page - 1) * audit_report.PAGE
    table = audit_report.audit_table(chosen.read(engine, limit=audit_report.PAGE, offset=first), lang)
    left.markdown(t("audit.matching", lang, rows=number(total, lang), first=number(min(first + 1, total), lang),
                    last=number(first + len(table), lang)))
    return table


def show(table: pd.DataFrame, lang: str) -> None:
    """The table, or a note when nothing matches."""
    if table.empty:
        st.info(t("audit.none", lang), icon=":material/search_off:")
        return
    st.dataframe(table, hide_index=True, key="audit_table", height="content", column_config={  # every row in view
        t("audit.col_details", lang): st.column_config.TextColumn(width="large")})


def downloads(chosen: AuditFilter, actor: Actor, lang: str) -> None:
    """Excel and CSV of every matching entry (the newest :data:`~lgqa_metrics.services.audit_report.LIMIT`), read, built
    and audited only when a button is pressed."""
    engine = get_store().engine
    described = chosen.describe(lang)

    def logged(fmt: str, build: Callable[[pd.DataFrame], bytes]) -> Callable[[], bytes]:
        def make() -> bytes:
            table = audit_report.audit_table(chosen.read(engine), lang)
            data = build(table)
            audit.record_now(engine, actor, "export", target=fmt,
                             details={"what": "audit", "rows": len(table), "filters": chosen.to_json()})
            return data
        return auth.guarded(make, actor=actor, what=f"audit.{fmt}", needed=Role.ADMIN)

    row = st.container(horizontal=True)
    row.download_button(t("audit.excel", lang), data=logged("xlsx", lambda table: audit_report.xlsx_bytes(
                            table, described, lang)),
                        file_name=audit_report.file_name("xlsx", lang), mime=XLSX_MIME, on_click="ignore",
                        icon=":material/table:", type="primary", key="audit_xlsx",
                        help=t("audit.export_help", lang, limit=number(audit_report.LIMIT, lang)))
    row.download_button(t("audit.csv", lang), data=logged("csv", audit_report.csv_bytes),
                        file_name=audit_report.file_name("csv", lang), mime="text/csv", on_click="ignore",
                        icon=":material/download:", key="audit_csv",
                        help=t("audit.export_help", lang, limit=number(audit_report.LIMIT, lang)))
