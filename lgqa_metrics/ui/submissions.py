"""Blocks of the Submissions page: completeness grid, version history with the archived originals, and
the log of rejected files with their issues."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import pandas as pd
import streamlit as st

from lgqa_metrics.analysis import scope
from lgqa_metrics.domain.formatting import number
from lgqa_metrics.domain.i18n import t
from lgqa_metrics.domain.roles import Actor, Role
from lgqa_metrics.intake.sniff import sniff
from lgqa_metrics.services import annotate
from lgqa_metrics.services import submissions as subs
from lgqa_metrics.services.annotate import XLSX_MIME, annotated_download
from lgqa_metrics.ui import auth, components, state
from lgqa_metrics.ui.data import current_ratings, data_version, get_store, registry, submissions
from lgqa_metrics.ui.upload import show_issues

_CELL_STYLE: Final = {subs.RECEIVED: "background-color: #E3F2E6; color: #1B5E20; font-weight: 600",
                      subs.MISSING: "background-color: #FCE4E4; color: #B71C1C",
                      subs.NOT_EXPECTED: "background-color: #F2F2F2; color: #757575"}


@st.cache_data(max_entries=4, show_spinner=False)
def _intake(version: str) -> tuple[dict[str, int], pd.DataFrame]:
    log = get_store().intake_log()
    return {str(k): int(v) for k, v in log["status"].value_counts().items()}, subs.rejected(log)


def intake_log() -> tuple[dict[str, int], pd.DataFrame]:
    """The number of intake outcomes of each status and the rejected entries, newest first; reloaded
    whenever anything new is stored."""
    return _intake(data_version())


@st.cache_data(max_entries=4, show_spinner=False)
def _history_choices(version: str) -> dict[str, list[int]]:
    return subs.history_choices(submissions(), registry())


def _archived(sha256: str) -> bytes:
    return get_store().archived(sha256) or b""


def _original(sha256: str, actor: Actor | None) -> Callable[[], bytes]:
    """The archived file, fetched only when its button is pressed (and ``actor`` still may)."""
    return auth.guarded(lambda: _archived(sha256), actor=actor, what=f"original {sha256[:12]}", needed=Role.STAFF)


def completeness_block(lang: str) -> scope.Scope | None:
    """Received-of-expected per year and the units × years grid (by area when too many units are in
    the scope chosen in the sidebar); returns that scope, or None when nothing is stored yet."""
    stored = submissions()
    years = subs.submission_years(stored)
    st.subheader(t("submissions.grid_title", lang))
    if not years:
        st.info(t("submissions.empty", lang), icon=":material/info:")
        return None
    reg = registry()
    where = components.scope_select(current_ratings(), lang, st.sidebar)
    grid = _grid(data_version(), lang)
    if where.province or where.district:
        grid = grid.within([u for u in grid.labels.index if where.holds(reg.area(str(u)))])
    cols = st.columns(min(len(years), 6))
    for col, year in zip(cols, years[-6:], strict=False):
        col.metric(t("submissions.m_year", lang, year=year),
                   f"{number(grid.received[year], lang)} / {number(grid.expected[year], lang)}",
                   help=t("submissions.m_year_help", lang))
    if len(grid.labels) > scope.UNIT_LIMIT and not where.district:  # areas one level down the scope
        key = 1 if where.province else 0
        area_of = {str(u): reg.area(str(u))[key] or "" for u in grid.labels.index}
        names = {a: reg.name_of(a, lang) for a in set(area_of.values()) if a}
        components.table(subs.area_completeness(grid, area_of, names, lang), lang, key="submissions_areas")
        st.caption(t("submissions.area_caption", lang, scope=components.scope_caption(where, lang),
                     limit=scope.UNIT_LIMIT))
        return where
    styled = grid.labels.style.apply(lambda _: grid.status.map(lambda s: _CELL_STYLE.get(s, "")), axis=None)
    st.dataframe(styled, hide_index=True, key="submissions_grid", height="content")
    st.caption(t("submissions.grid_caption", lang))
    return where


@st.cache_data(max_entries=4, show_spinner=False)
def _grid(version: str, lang: str) -> subs.Grid:
    stored = submissions()
    return subs.completeness_grid(stored, registry(), subs.submission_years(stored), lang)


def history_block(where: scope.Scope, actor: Actor | None, lang: str) -> None:
    """Every version of one unit-year (units of the scope ``where``): who sent it, when, from which file
    and sheet, with the original."""
    reg = registry()
    choices = _history_choices(data_version())
    st.subheader(t("submissions.history_title", lang))
    ids = [u for u in choices if where.holds(reg.area(u))] or list(choices)
    names = {u: reg.name_of(u, lang) for u in ids}
    if st.session_state.get(state.HISTORY_UNIT) not in ids:
        st.session_state[state.HISTORY_UNIT] = ids[0]
    left, right, _ = st.columns([2, 1, 2])
    unit_id = str(left.selectbox(t("submissions.history_unit", lang), ids, key=state.HISTORY_UNIT,
                                 format_func=lambda u: names[u]))
    years = choices[unit_id]
    if st.session_state.get(state.HISTORY_YEAR) not in years:
        st.session_state[state.HISTORY_YEAR] = years[0]
    year = int(right.selectbox(t("submissions.history_year", lang), years, key=state.HISTORY_YEAR))
    history = get_store().history(unit_id, year)
    components.table(subs.history_table(history, lang), lang, key="submissions_history")
    st.caption(t("submissions.originals", lang))
    originals = st.container(horizontal=True)
    for row in history.to_dict("records"):
        label = t("submissions.download_original", lang, version=row["version"], file=row["file_name"])
        originals.download_button(label, data=_original(str(row["file_sha256"]), actor), file_name=str(row["file_name"]),
                                  mime="application/octet-stream", on_click="ignore", icon=":material/download:",
                                  key=f"original_{row['id']}")


def rejected_block(actor: Actor | None, lang: str) -> None:
    """The rejected files, newest first; the issues of one of them, its original and a marked-up copy."""
    counts, bad = intake_log()
    st.subheader(t("submissions.rejected_title", lang))
    st.caption(t("submissions.intake_counts", lang, total=sum(counts.values()), accepted=counts.get("accepted", 0),
                 duplicate=counts.get("duplicate", 0), rejected=counts.get("rejected", 0)))
    if bad.empty:
        st.success(t("submissions.no_rejected", lang), icon=":material/task_alt:")
        return
    st.dataframe(subs.intake_table(bad, registry(), lang), hide_index=True, key="submissions_rejected")
    ids = [int(i) for i in bad["id"]]
    if st.session_state.get(state.INTAKE_ID) not in ids:
        st.session_state[state.INTAKE_ID] = ids[0]
    rows = {int(r["id"]): r for _, r in bad.iterrows()}
    chosen = int(st.selectbox(t("submissions.rejected_pick", lang), ids, key=state.INTAKE_ID,
                              format_func=lambda i: subs.intake_label(rows[i], lang)))
    row = rows[chosen]
    issues = annotate.issues_from_frame(get_store().issues_of(chosen), str(row["file_name"]))
    show_issues(issues, lang, "submissions_issues")
    sha, name = str(row["file_sha256"]), str(row["file_name"])

    def marked() -> bytes:
        data = _archived(sha)
        return annotated_download(data, name, sniff(data).kind, issues, lang).data

    buttons = st.container(horizontal=True)
    buttons.download_button(t("submissions.download_rejected", lang), data=_original(sha, actor), file_name=name,
                            mime="application/octet-stream", on_click="ignore", icon=":material/download:",
                            key="rejected_original")
    buttons.download_button(t("submissions.download_marked", lang),
                            data=auth.guarded(marked, actor=actor, what=f"marked {sha[:12]}", needed=Role.STAFF),
                            file_name=annotate.marked_name(name, lang), mime=XLSX_MIME, on_click="ignore",
                            icon=":material/edit_note:", key="rejected_marked")
