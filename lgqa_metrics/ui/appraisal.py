"""The Appraisal page's pieces: the queue (what awaits whom, since when), and one return reviewed indicator by
indicator beside its evidence, with the appraiser's rating and reason, then accepted or returned to the unit."""

from __future__ import annotations

from typing import Any, Final

import pandas as pd
import streamlit as st

from lgqa_metrics.analysis.filters import type_label
from lgqa_metrics.domain.evidence import status_labels
from lgqa_metrics.domain.formatting import number, stored_time
from lgqa_metrics.domain.i18n import t
from lgqa_metrics.domain.roles import Actor
from lgqa_metrics.store.appraisals import APPRAISABLE, Appraisals, AppraisalStatus
from lgqa_metrics.ui import admin, components, state
from lgqa_metrics.ui.data import catalogue, get_store, registry

#: Statuses waiting for someone: the queue shows these unless asked for every return.
WAITING: Final = (AppraisalStatus.SUBMITTED, AppraisalStatus.IN_REVIEW, AppraisalStatus.RETURNED)
#: The most returns the queue lists (the oldest waiting); a national year can hold tens of thousands.
QUEUE_ROWS: Final = 200


def _book() -> Appraisals:
    return Appraisals(get_store())


def queue_table(queue: pd.DataFrame, lang: str, now: pd.Timestamp) -> pd.DataFrame:
    """The queue with localised headers: unit, year, version, where it stands, who holds it, since when and how
    many days."""
    days = ((now - pd.to_datetime(queue["since"], utc=True)).dt.total_seconds() // 86_400).astype("Int64")
    shown = pd.DataFrame({
        "unit_name": queue["unit_name"], "unit_type": [type_label(registry()[u].type.value, lang)
                                                       if u in registry() else "" for u in queue["unit_id"]],
        "year": queue["year"], "version": queue["version"],
        "status": [t(f"appraisal.status.{s}", lang) for s in queue["status"]],
        "appraiser": queue["appraiser"], "uploader": queue["uploader"],
        "since": [stored_time(v, lang) for v in queue["since"]], "days": days, "comment": queue["comment"]})
    return shown.rename(columns={c: t(f"col.{c}", lang) for c in shown.columns})


def queue_block(lang: str) -> pd.DataFrame:
    """The queue, oldest waiting first; returns the rows shown."""
    everything = st.toggle(t("appraisal.show_all", lang), key=state.APPRAISE_ALL)
    counts = _book().counts()
    st.caption(" · ".join(f"{t(f'appraisal.status.{s.value}', lang)}: {number(n, lang)}" for s, n in counts.items()))
    listed = AppraisalStatus if everything else WAITING
    waiting = sum(counts[s] for s in listed)
    queue = _book().queue(listed, limit=QUEUE_ROWS)  # the oldest first: a national queue is worked from its head
    if queue.empty:
        st.success(t("appraisal.queue_empty", lang))
        return queue
    components.table(queue_table(queue, lang, pd.Timestamp.now(tz="UTC")), lang, "appraisal_queue")
    if waiting > len(queue):
        st.caption(t("appraisal.queue_capped", lang, shown=number(len(queue), lang), total=number(waiting, lang)))
    return queue


def choose(queue: pd.DataFrame, lang: str) -> pd.Series | None:
    """The return to work on, picked from the queue: its row."""
    if queue.empty:
        return None
    labels = {int(r.submission_id): t("appraisal.pick_label", lang, unit=r.unit_name, year=r.year, version=r.version)
              for r in queue.itertuples()}  # no status here: the line under the choice says where it stands
    ids = list(labels)
    if st.session_state.get(state.APPRAISE_ID) not in ids:
        st.session_state[state.APPRAISE_ID] = ids[0]
    chosen = int(st.selectbox(t("appraisal.pick", lang), ids, key=state.APPRAISE_ID, format_func=labels.__getitem__))
    return queue[queue["submission_id"] == chosen].iloc[0]


def _editor_frame(detail: pd.DataFrame, lang: str) -> pd.DataFrame:
    statuses, labels = status_labels(lang), components.rating_labels(catalogue(), lang)
    return pd.DataFrame({  # in reading order: the unit's rating and its evidence, then the appraiser's
        "code": detail["indicator_code"].astype(str),
        "name": detail["indicator_name_en" if lang == "en" else "indicator_name"].astype(str),
        "self": detail["rating"].astype(str).map(labels),
        "evidence_status": detail["evidence_status"].astype(str).map(statuses),
        "evidence": detail["evidence"].astype(str),
        "appraised": detail["appraised"].astype(str).map(labels),
        "reason": detail["reason"].astype(str),
        "note": detail["note"].astype(str)})


#: Widths (px) of the review table's columns: the unit's side and the appraiser's fit a page of 1280 px.
_WIDTHS: Final = {"code": 48, "name": 170, "self": 80, "evidence_status": 110, "evidence": 170, "appraised": 110,
                  "reason": 180, "note": 200}


def _columns(lang: str) -> dict[str, Any]:
    named = components.rating_labels(catalogue(), lang)
    labels = [named[r.value] for r in APPRAISABLE]
    fixed = {c: st.column_config.TextColumn(t(f"appraisal.col_{c}", lang), disabled=True, width=_WIDTHS[c])
             for c in ("code", "name", "self", "evidence_status", "evidence", "note")}
    return {**fixed,
            "appraised": st.column_config.SelectboxColumn(t("appraisal.col_appraised", lang), options=labels,
                                                          required=True, width=_WIDTHS["appraised"]),
            "reason": st.column_config.TextColumn(t("appraisal.col_reason", lang), max_chars=500,
                                                  width=_WIDTHS["reason"])}


def decisions_of(edited: pd.DataFrame, lang: str) -> dict[str, tuple[str, str]]:
    """The editor's rows as the store takes them: code → (rating value, reason)."""
    values = {label: value for value, label in components.rating_labels(catalogue(), lang).items()}
    return {str(row.code): (values.get(str(row.appraised), str(row.appraised)), str(row.reason or ""))
            for row in edited.itertuples()}


def _save_then(actor: Actor, submission_id: int, edited: pd.DataFrame, lang: str, then: str, comment: str) -> str:
    _book().save(actor, submission_id, decisions_of(edited, lang))
    if then == "accept":
        _book().accept(actor, submission_id, comment)
    elif then == "return":
        _book().send_back(actor, submission_id, comment)
    return then


def review_block(row: pd.Series, actor: Actor, lang: str) -> None:
    """One return (its row of the queue): take it up, or review it indicator by indicator and decide, or read how it
    was decided."""
    submission_id = int(row["submission_id"])
    status = AppraisalStatus(row["status"])
    st.markdown(t("appraisal.standing", lang, unit=row["unit_name"], year=row["year"], version=row["version"],
                  status=t(f"appraisal.status.{status.value}", lang), uploader=row["uploader"]))
    detail = _book().detail(submission_id)
    if status in (AppraisalStatus.SUBMITTED, AppraisalStatus.RETURNED):
        if row["comment"]:
            st.info(t("appraisal.returned_with", lang, comment=row["comment"]))
        if st.button(t("appraisal.start", lang), type="primary", key="appraise_start"):
            admin.act(lambda who: _book().start(who, submission_id), lambda _: ("appraisal.started", {}))
            st.rerun()  # the outcome shows at the top of the page
        _read_only(detail, lang)
        return
    if status is AppraisalStatus.ACCEPTED or row["appraiser"] != actor.username:
        if status is AppraisalStatus.IN_REVIEW:
            st.info(t("appraisal.someone_else", lang, unit=row["unit_name"], year=row["year"], who=row["appraiser"]))
        elif row["comment"]:
            st.caption(t("appraisal.decided_with", lang, comment=row["comment"]))
        _read_only(detail, lang)
        return
    st.caption(t("appraisal.how", lang))
    edited = st.data_editor(_editor_frame(detail, lang), key=f"{state.APPRAISE_EDITS}_{submission_id}",
                            column_config=_columns(lang), hide_index=True, num_rows="fixed", height="content")
    comment = st.text_area(t("appraisal.comment", lang), key=state.APPRAISE_COMMENT, max_chars=2000)
    save, accept, send_back = st.columns(3)
    # the buttons act in the run their click starts, after the editor and the comment above took their new values
    for where, then, kind in ((save, "save", "secondary"), (accept, "accept", "primary"),
                              (send_back, "return", "secondary")):
        if where.button(t(f"appraisal.do_{then}", lang), key=f"appraise_{then}", type=kind):  # type: ignore[arg-type]
            admin.act(lambda who, then=then: _save_then(who, submission_id, edited, lang, then, comment),
                      lambda done: (f"appraisal.done_{done}", {}))
            st.rerun()  # the outcome shows at the top of the page; a refused step keeps every edit


def _read_only(detail: pd.DataFrame, lang: str) -> None:
    shown = _editor_frame(detail, lang)
    components.table(shown.rename(columns={c: t(f"appraisal.col_{c}", lang) for c in shown.columns}), lang,
                     "appraisal_detail")


def gap_table(gaps: pd.DataFrame, by: str, lang: str) -> pd.DataFrame:
    """A gap table (``by``: unit, indicator or year) with localised headers; the mean gap in score points, rounded."""
    keys = {"unit": ["unit_name", "unit_type"], "indicator": ["indicator_code", "indicator_name"],
            "year": ["year", "units"]}[by]
    cols = [*keys, "compared", "over", "under", "same", "over_share", "mean_gap"]
    shown = gaps[cols].assign(mean_gap=gaps["mean_gap"].astype(float).round(2))
    if by == "unit":
        shown = shown.assign(unit_type=[type_label(v, lang) for v in gaps["unit_type"]])
    return shown.rename(columns={c: t(f"col.{c}", lang) for c in cols})
