"""Blocks of the Data administration page: withdraw a stored version (with a mandatory reason), unlock an appraised
return (with a mandatory reason), and the unit registry, its lineage crosswalk and the indicator catalogue files —
shown, downloadable, and replaceable by a checked upload; a unit's lineage drawn as a graph."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from lgqa_metrics.domain.formatting import number
from lgqa_metrics.domain.i18n import t
from lgqa_metrics.domain.roles import Actor, Role
from lgqa_metrics.services import admin_tables, reference, shared
from lgqa_metrics.services.reference import Kind, Proposal, ReferenceError
from lgqa_metrics.services.submissions import history_table
from lgqa_metrics.store import layout_mappings
from lgqa_metrics.store.appraisals import Appraisals, AppraisalStatus
from lgqa_metrics.ui import auth, components, figures, state
from lgqa_metrics.ui.admin import act, post
from lgqa_metrics.ui.data import data_version, get_store, mappings, registry, submissions

# --- withdrawing a version ---------------------------------------------------------------------------


def _withdraw() -> None:
    """Button callback: withdraw the chosen version when a reason is given and the box is ticked."""
    reason = str(st.session_state.get(state.WITHDRAW_REASON) or "").strip()
    if not reason:
        post("error", "withdraw.need_reason")
        return
    if not st.session_state.get(state.WITHDRAW_SURE):
        post("error", "withdraw.need_sure")
        return
    chosen = int(st.session_state.get(state.WITHDRAW_ID) or 0)
    unit_id, year = str(st.session_state.get(state.WITHDRAW_UNIT)), int(st.session_state.get(state.WITHDRAW_YEAR) or 0)

    def run(actor: Actor) -> tuple[int, int | None]:
        store = get_store()
        versions = {int(r["id"]): int(r["version"]) for r in store.history(unit_id, year).to_dict("records")}
        if chosen not in versions:
            raise LookupError(f"no submission {chosen} for {unit_id}/{year}")
        store.withdraw(actor, chosen, reason)
        return versions[chosen], admin_tables.current_version(store.history(unit_id, year))

    def done(result: tuple[int, int | None]) -> tuple[str, dict[str, object]]:
        version, current = result
        fields: dict[str, object] = {"version": version, "unit": registry().name_of(unit_id),
                                     "year": year}
        if current is None:
            return "withdraw.done_none", fields
        return "withdraw.done", {**fields, "current": current}

    if act(run, done):
        st.session_state[state.WITHDRAW_REASON] = ""
        st.session_state[state.WITHDRAW_SURE] = False


def _choose(key: str, options: Sequence[object], default: object) -> None:
    if st.session_state.get(key) not in options:
        st.session_state[key] = default


@st.cache_data(max_entries=4, show_spinner=False)
def _withdraw_choices(version: str) -> dict[str, list[int]]:
    return admin_tables.withdraw_choices(submissions(), registry())


def withdraw_block(lang: str) -> None:
    """Unit, year and version (not yet withdrawn) from the stored history; what becomes current; the
    reason and a confirmation; the withdrawal itself in :meth:`Store.withdraw`."""
    st.caption(t("withdraw.caption", lang))
    reg = registry()
    choices = _withdraw_choices(data_version())
    if not choices:
        st.info(t("withdraw.none", lang), icon=":material/info:")
        return
    units = list(choices)
    names = {u: reg.name_of(u, lang) for u in units}
    _choose(state.WITHDRAW_UNIT, units, units[0])
    left, middle = st.columns([2, 1])
    unit_id = str(left.selectbox(t("withdraw.unit", lang), units, key=state.WITHDRAW_UNIT,
                                 format_func=lambda u: names[u]))
    years = choices[unit_id]
    _choose(state.WITHDRAW_YEAR, years, years[0])
    year = int(middle.selectbox(t("withdraw.year", lang), years, key=state.WITHDRAW_YEAR))
    history = get_store().history(unit_id, year)
    components.table(history_table(history, lang), lang, key="withdraw_history")
    versions = admin_tables.withdrawable(history, lang)
    if not versions:
        st.info(t("withdraw.none_here", lang), icon=":material/info:")
        return
    ids = [v.submission_id for v in versions]
    labels = {v.submission_id: v.label for v in versions}
    _choose(state.WITHDRAW_ID, ids, ids[0])
    chosen = int(st.selectbox(t("withdraw.version", lang), ids, key=state.WITHDRAW_ID,
                              format_func=lambda i: labels[i]))
    after = admin_tables.current_after_withdrawal(history, chosen)
    st.caption(t("withdraw.after", lang, version=after) if after is not None else t("withdraw.after_none", lang))
    st.text_area(t("withdraw.reason", lang), key=state.WITHDRAW_REASON, max_chars=500,
                 placeholder=t("withdraw.reason_placeholder", lang))
    st.checkbox(t("withdraw.sure", lang), key=state.WITHDRAW_SURE)
    st.button(t("withdraw.submit", lang), on_click=_withdraw, type="primary", icon=":material/remove_circle:",
              key="withdraw_submit")


# --- reference files ------------------------------------------------------------------------------------


def _uploaded(kind: Kind) -> bytes | None:
    file = st.session_state.get(state.reference_key(kind))
    return file.getvalue() if file is not None else None


def _replace(kind: Kind) -> None:
    """Button callback: check the uploaded file again and replace the reference file with it; then drop the
    cached store (it syncs the new registry or catalogue into the database when reopened) and cached tables."""
    data = _uploaded(kind)
    if data is None:
        return

    def run(actor: Actor) -> None:
        store = get_store()
        reference.replace(actor, store, reference.check(kind, data, store=store))

    if act(run, lambda _: ("reference.done", {"file": reference.file_path(kind).name})):
        state.clear_reference_uploads()
        shared.reset()  # the store holds the old registry or catalogue
        st.cache_data.clear()


def _changes(proposal: Proposal, lang: str) -> None:
    counts = {k: proposal.count(k) for k in (reference.ADDED, reference.REMOVED, reference.RENAMED,
                                             reference.CHANGED)}
    st.success(t("reference.valid", lang, file=reference.file_path(proposal.kind).name), icon=":material/check:")
    if not proposal.changes:
        st.info(t("reference.no_content_change", lang), icon=":material/info:")
    else:
        st.markdown(t("reference.counts", lang, **counts))
        st.dataframe(reference.changes_table(proposal.changes, lang), hide_index=True,
                     key=f"reference_changes_{proposal.kind}")
    if proposal.removed_with_data:
        reg = registry()
        names = ", ".join(reg.name_of(u, lang) for u in proposal.removed_with_data)
        st.warning(t("reference.removed_with_data", lang, units=names), icon=":material/warning:")


def reference_block(kind: Kind, actor: Actor | None, lang: str) -> None:
    """One reference file: its table and download, an uploader for a replacement, the check of the upload
    and what it changes, and the button that replaces the file."""
    name = reference.file_path(kind).name
    st.caption(t(f"reference.{kind}_caption", lang))
    try:
        table = reference.current_table(kind)
    except ReferenceError as exc:
        st.error(exc.message(lang), icon=":material/error:")
    else:
        st.markdown(t("reference.rows", lang, rows=number(len(table), lang), file=name))
        heads = reference.headings(table, lang)
        st.dataframe(table.rename(columns=heads), hide_index=True, key=f"reference_table_{kind}", column_config={
            head: st.column_config.TextColumn(help=t("reference.field_help", lang, column=column))
            for column, head in heads.items()})
        current = auth.guarded(lambda: reference.current_bytes(kind), actor=actor, what=f"reference {kind}",
                               needed=Role.ADMIN)
        st.download_button(t("reference.download", lang, file=name), data=current,
                           file_name=reference.download_name(kind), mime="text/csv", on_click="ignore",
                           icon=":material/download:", key=f"reference_download_{kind}")
    upload = st.file_uploader(t("reference.upload", lang, file=name), type=["csv"], key=state.reference_key(kind),
                              help=t("reference.upload_help", lang))
    if upload is None:
        return
    try:
        proposal = reference.check(kind, upload.getvalue(), store=get_store())
    except ReferenceError as exc:
        st.error(t("reference.refused", lang, file=name) + " " + exc.message(lang),
                 icon=":material/block:")
        return
    if proposal.identical:
        st.info(t("reference.same", lang), icon=":material/info:")
        return
    _changes(proposal, lang)
    st.button(t("reference.confirm", lang, file=name), on_click=_replace, args=(kind,), type="primary",
              icon=":material/published_with_changes:", key=f"reference_confirm_{kind}")


def lineage_block(actor: Actor | None, lang: str) -> None:
    """The lineage crosswalk as a reference file, and the lineage of a chosen unit drawn as a graph."""
    reference_block("lineage", actor, lang)
    links, reg = get_store().lineage, registry()
    linked = [u.id for u in reg.units if links.involves(u.id)]
    if not linked:
        return
    _choose(state.LINEAGE_UNIT, linked, linked[-1])
    chosen = st.selectbox(t("reference.lineage_unit", lang), linked, key=state.LINEAGE_UNIT,
                          format_func=lambda u: f"{reg.name_of(u, lang)} ({u})")
    st.plotly_chart(figures.lineage_graph(str(chosen), lang), key="lineage_graph_admin")


# --- column mappings ---------------------------------------------------------------------------------


def _delete_mapping() -> None:
    """Button callback: delete the chosen mapping."""
    chosen = str(st.session_state.get(state.MAPPING_PICK) or "")
    act(lambda actor: layout_mappings.delete(get_store().engine, actor, chosen),
        lambda _: ("mapping.deleted", {}))


def mappings_block(lang: str) -> None:
    """The column mappings staff confirmed, and the deletion of one."""
    st.caption(t("mapping.admin_caption", lang))
    found = mappings()
    if not found:
        st.info(t("mapping.admin_none", lang), icon=":material/info:")
        return
    st.dataframe(layout_mappings.mappings_table(found, lang), hide_index=True, key="admin_mappings")
    prints = list(found)
    _choose(state.MAPPING_PICK, prints, prints[0])
    st.selectbox(t("mapping.pick", lang), prints, key=state.MAPPING_PICK,
                 format_func=lambda fp: f"{fp[:8]} — {' | '.join(h for h in found[fp].headers if h)[:80]}")
    st.button(t("mapping.delete", lang), key="admin_mapping_delete", icon=":material/delete:", on_click=_delete_mapping)


# --- unlocking an appraised return -------------------------------------------------------------------


def _unlock() -> None:
    """Button callback: unlock the chosen appraised unit-year when a reason is given."""
    chosen = str(st.session_state.get(state.UNLOCK_UNIT) or "")
    reason = str(st.session_state.get(state.UNLOCK_REASON) or "").strip()
    unit_id, _, year = chosen.rpartition("/")
    if act(lambda actor: Appraisals(get_store()).unlock(actor, unit_id, int(year or 0), reason),
           lambda _: ("unlock.done", {"unit": registry().name_of(unit_id), "year": year})):
        st.session_state[state.UNLOCK_REASON] = ""


def unlock_block(lang: str) -> None:
    """The appraised returns that are locked, and the form that unlocks one (with a mandatory reason) so that
    its unit can send a new version."""
    st.caption(t("unlock.help", lang))
    queue = Appraisals(get_store()).queue([AppraisalStatus.ACCEPTED])
    locked = queue[queue["locked"]]
    if locked.empty:
        st.info(t("unlock.none", lang))
        return
    labels = {f"{r.unit_id}/{r.year}": t("unlock.label", lang, unit=r.unit_name, year=r.year, version=r.version,
                                         who=r.appraiser) for r in locked.itertuples()}
    _choose(state.UNLOCK_UNIT, list(labels), next(iter(labels)))
    st.selectbox(t("unlock.which", lang), list(labels), key=state.UNLOCK_UNIT, format_func=labels.__getitem__)
    st.text_input(t("unlock.reason", lang), key=state.UNLOCK_REASON, max_chars=500)
    st.button(t("unlock.do", lang), key="unlock_do", on_click=_unlock, type="primary")
