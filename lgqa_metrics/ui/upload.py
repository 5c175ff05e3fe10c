"""Blocks of the Upload page: the file drop, the dry-run report of each file, the confirmation, the
annotated downloads and the blank template."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Final

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from lgqa_metrics.analysis import preview
from lgqa_metrics.domain.formatting import local_today
from lgqa_metrics.domain.i18n import t
from lgqa_metrics.domain.issues import Issue, Severity
from lgqa_metrics.domain.ratings import Rating
from lgqa_metrics.domain.roles import Actor, Role, require
from lgqa_metrics.domain.units import REPORTING_TYPES
from lgqa_metrics.intake import mapping
from lgqa_metrics.intake.mapping import LayoutMapping
from lgqa_metrics.intake.reader import MIN_YEAR, ReadResult
from lgqa_metrics.intake.safety import call_isolated
from lgqa_metrics.intake.sheets import column_letters
from lgqa_metrics.intake.workers import IsolationError
from lgqa_metrics.services import annotate, batch
from lgqa_metrics.services.annotate import XLSX_MIME, annotated_download
from lgqa_metrics.services.batch import Checked
from lgqa_metrics.services.template import build_template
from lgqa_metrics.store import audit, layout_mappings
from lgqa_metrics.store.database import Outcome
from lgqa_metrics.ui import auth, components, state
from lgqa_metrics.ui.data import catalogue, get_store, mappings, mappings_version, registry

log = logging.getLogger(__name__)

_ICONS: Final = {batch.ACCEPTED: ":material/check_circle:", batch.DUPLICATE: ":material/content_copy:",
                 batch.REJECTED: ":material/error:", batch.FAILED: ":material/error:"}
#: How the outcome of a confirmation is shown, by its tone (:func:`lgqa_metrics.services.batch.saved_summary`).
_SAVED: Final = {"success": (st.success, ":material/task_alt:"), "warning": (st.warning, ":material/inventory_2:"),
                 "info": (st.info, ":material/info:")}


_MARKDOWN_SPECIALS: Final = "\\`*_[]<>|~$"  # enough for text inside a sentence or after "**"


def escape(text: str) -> str:
    """``text`` shown literally inside Markdown (file and sheet names may hold * _ [ ] $ …)."""
    return "".join(f"\\{ch}" if ch in _MARKDOWN_SPECIALS else ch for ch in text)


@st.cache_data(max_entries=1024, show_spinner=False)  # a batch of many files rereads none of them
def _read_with(data: bytes, name: str, version: str) -> ReadResult:
    return batch.read_upload(data, name, catalogue=catalogue(), registry=registry(), lineage=get_store().lineage,
                             mappings=mappings())


def _read(data: bytes, name: str) -> ReadResult:
    """One file read with the store's confirmed column mappings (read again once they change)."""
    return _read_with(data, name, mappings_version(mappings()))


def file_drop(lang: str) -> list[UploadedFile]:
    """The multi-file uploader (emptied after each confirmation)."""
    files = st.file_uploader(t("upload.drop", lang), accept_multiple_files=True, key=state.uploader_key(),
                             help=t("upload.drop_help", lang))
    return list(files or [])


def read_files(files: Sequence[UploadedFile], lang: str) -> list[tuple[str, bytes, ReadResult]]:
    """Read every uploaded file (cached by content) behind a progress bar."""
    bar = st.progress(0.0, text=t("upload.reading", lang, n=len(files)))
    read: list[tuple[str, bytes, ReadResult]] = []
    for i, f in enumerate(files):
        bar.progress(i / len(files), text=t("upload.reading_file", lang, i=i + 1, n=len(files), name=f.name))
        data = f.getvalue()
        read.append((f.name, data, _read(data, f.name)))
    bar.empty()
    return read


def check_files(files: Sequence[UploadedFile], lang: str) -> list[Checked] | None:
    """Read and dry-run the batch; None (with a message shown) when the store cannot be asked."""
    read = read_files(files, lang)
    try:
        return batch.check(get_store(), read)
    except Exception as exc:  # the database is unreachable: say so, never show a traceback
        log.exception("dry run failed")
        st.error(t("upload.store_error", lang, detail=type(exc).__name__), icon=":material/database:")
        return None


def batch_summary(checked: Sequence[Checked], lang: str) -> None:
    """Counts of the batch, one line per return, and a warning for unit-years sent twice."""
    rows = batch.outcome_rows(checked)
    counts = batch.status_counts(rows)
    cols = st.columns(4)
    cols[0].metric(t("upload.m_files", lang), len(checked))
    cols[1].metric(t("upload.m_accepted", lang), counts[batch.ACCEPTED])
    cols[2].metric(t("upload.m_duplicate", lang), counts[batch.DUPLICATE])
    cols[3].metric(t("upload.m_rejected", lang), counts[batch.REJECTED])
    components.table(batch.outcome_table(rows, registry(), lang), lang, "upload_plan")
    for (unit_id, year), names in batch.repeated_unit_years(checked).items():
        st.warning(t("upload.repeated", lang, unit=batch.unit_label(unit_id, registry(), lang), year=year,
                     files=escape(", ".join(names))), icon=":material/warning:")


def _store_batch() -> None:
    """Button callback: check the uploaded batch again against the store as it is now, store it, empty the
    uploader and leave the outcome for the next run. Runs before the page, so the page redraws at once."""
    files: list[UploadedFile] = list(st.session_state.get(state.uploader_key()) or [])
    try:
        read = [(f.name, f.getvalue(), _read(f.getvalue(), f.name)) for f in files]
        store = get_store()
        lang = state.lang()
        bar = st.progress(0.0, text=t("upload.storing", lang, n=len(files)))
        saved = batch.confirm(store, batch.check(store, read), actor=require(auth.current_actor(), Role.STAFF,
                                                                             "store returns"),
                              progress=lambda i, n, name: bar.progress(i / n, text=t(
                                  "upload.storing_file", lang, i=i + 1, n=n, name=name)))
        bar.empty()
    except Exception as exc:  # the database is unreachable: report every file as not stored, keep them
        log.exception("storing the batch failed")
        saved = [batch.Saved(f.name, (), type(exc).__name__) for f in files]
        st.session_state[state.UPLOAD_DONE] = batch.outcome_rows(saved)
        return
    st.session_state[state.UPLOAD_DONE] = batch.outcome_rows(saved)
    state.clear_uploader()


def confirm_button(checked: Sequence[Checked], lang: str) -> None:
    """The button that stores the batch (see :func:`_store_batch`); a note instead when nothing would be stored."""
    accepted = sum(item.accepted for item in checked)
    others = sum(len(item.outcomes) for item in checked) - accepted
    if not accepted:
        rejected = any(item.rejected for item in checked)
        st.info(t("upload.nothing_to_store" if rejected else "upload.nothing_new", lang), icon=":material/info:")
        if rejected:
            st.button(t("upload.record_rejected", lang), key=state.UPLOAD_CONFIRM, icon=":material/inventory_2:",
                      on_click=_store_batch, help=t("upload.record_rejected_help", lang))
        return
    st.caption(t("upload.confirm_note", lang, others=others) if others else t("upload.confirm_note_all", lang))
    st.button(t("upload.confirm", lang, n=accepted), type="primary", key=state.UPLOAD_CONFIRM,
              icon=":material/save:", on_click=_store_batch)


def last_saved(lang: str) -> None:
    """The outcome of the last confirmation, shown once."""
    rows = st.session_state.pop(state.UPLOAD_DONE, None)
    if not rows:
        return
    summary = batch.saved_summary(batch.status_counts(rows))
    text = " ".join(t(key, lang, **fields) for key, fields in summary.sentences)
    show, icon = _SAVED[summary.tone]
    show(text, icon=icon)
    for row in rows:
        if row["status"] == batch.FAILED:
            st.error(t("upload.save_failed", lang, file=escape(row["file"]), detail=escape(row["error"])),
                     icon=":material/error:")
    components.table(batch.outcome_table(rows, registry(), lang, done=True), lang, "upload_done")


def _verdict(outcome: Outcome, lang: str) -> None:
    reg = registry()
    fields = {"unit": batch.unit_label(outcome.unit_id, reg, lang),
              "year": outcome.year if outcome.year is not None else t("upload.unknown_year", lang),
              "version": outcome.version, "errors": sum(i.severity is Severity.ERROR for i in outcome.issues)}
    text = t(f"upload.verdict_{outcome.status}", lang, **fields)
    if outcome.status == batch.ACCEPTED:
        st.success(text, icon=_ICONS[outcome.status])
    elif outcome.status == batch.DUPLICATE:
        st.info(text, icon=_ICONS[outcome.status])
    else:
        st.error(text, icon=_ICONS[outcome.status])


def show_issues(issues: Sequence[Issue], lang: str, key: str) -> None:
    """The issues (errors first) in a table whose cells wrap, so that every message reads in full; the sheet,
    the cell and the value read come first, the message after them, its code last and set apart as a detail.
    Everything a file holds is shown literally (no Markdown)."""
    table = annotate.issues_table(issues, lang)
    shown = table.map(lambda v: escape(str(v)))
    code = table.columns[list(annotate.ISSUE_FIELDS).index("code")]
    shown[code] = [f"`{c}`" if c else "" for c in table[code]]
    with st.container(key=key):
        st.table(shown, hide_index=True, border="horizontal")


def _marked_bytes(data: bytes, name: str, kind: str, issues: tuple[Issue, ...], lang: str) -> bytes:
    return annotated_download(data, name, kind, issues, lang).data


def file_report(item: Checked, index: int, actor: Actor | None, lang: str) -> None:
    """One file: per return the verdict, the preview strip and the issues; for a rejected file the
    download of the marked-up workbook (or of the issues list)."""
    with st.container(border=True):
        st.markdown(f"**{escape(item.name)}**")
        for j, outcome in enumerate(item.outcomes):
            if outcome.sheet:
                st.caption(t("upload.sheet", lang, sheet=escape(outcome.sheet)))
            _verdict(outcome, lang)
            parsed = item.parsed(outcome.sheet)
            if parsed is not None and parsed.ratings:
                st.plotly_chart(preview.return_strip(parsed.ratings, catalogue(), lang),
                                key=f"upload_preview_{index}_{j}", config={"displayModeBar": False})
            if outcome.issues:
                show_issues(outcome.issues, lang, f"upload_issues_{index}_{j}")
        if mapping.ambiguous_place(item.issues()) is not None:
            mapping_form(item, index, lang)
        if item.rejected:
            kind = item.result.kind
            marked = kind in annotate.ANNOTATABLE_KINDS
            issues = item.issues()
            st.download_button(
                t("upload.download_marked" if marked else "upload.download_issues", lang),
                data=auth.guarded(lambda: _marked_bytes(item.data, item.name, kind, issues, lang),
                                  actor=actor, what=f"marked {item.result.sha256[:12]}", needed=Role.STAFF),
                file_name=annotate.marked_name(item.name, lang), mime=XLSX_MIME, on_click="ignore",
                icon=":material/download:", key=f"upload_marked_{index}",
                help=t("upload.download_marked_help" if marked else "upload.download_issues_help", lang))


@st.cache_data(max_entries=64, show_spinner=False)
def _choices(data: bytes, sheet: str, row: int) -> tuple[list[str], list[str], str]:
    try:
        found: tuple[list[str], list[str], str] = call_isolated(mapping.layout_choices, data, sheet, row)
        return found
    except IsolationError:
        return [], [], ""


def _confirm_mapping(proposed: LayoutMapping, file: str, sheet: str) -> None:
    """Button callback: store the mapping staff confirmed; the files are read again with it on the next run."""
    try:
        layout_mappings.confirm(get_store().engine, auth.current_actor(), proposed, file=file, sheet=sheet)
    except Exception:  # the database is unreachable, or the role was withdrawn meanwhile: say so, keep the page
        log.exception("confirming a mapping failed")
        st.session_state[state.MAPPING_DONE] = "upload.store_error"
        return
    st.session_state[state.MAPPING_DONE] = "mapping.confirmed"


def mapping_done(lang: str) -> None:
    """The outcome of the last mapping confirmation, shown once."""
    key = st.session_state.pop(state.MAPPING_DONE, None)
    if key == "mapping.confirmed":
        st.success(t(key, lang), icon=":material/task_alt:")
    elif key:
        st.error(t(key, lang, detail=""), icon=":material/database:")


def _capital(text: str) -> str:
    """``text`` with its first letter in capitals (role names are written for the middle of a sentence)."""
    return text[:1].upper() + text[1:]


def mapping_form(item: Checked, index: int, lang: str) -> None:
    """For a file whose columns could not be told apart: which column holds what, a preview of the rows as they
    would be read, and the button that stores the mapping for every file of this layout."""
    place = mapping.ambiguous_place(item.issues())
    assert place is not None
    st.markdown(f"**{t('mapping.title', lang)}**")
    st.caption(t("mapping.caption", lang))
    sheets, _, _ = _choices(item.data, place[0], place[1])
    if not sheets:
        return
    left, right = st.columns([2, 1])
    sheet = str(left.selectbox(t("mapping.sheet", lang), sheets, index=sheets.index(place[0])
                               if place[0] in sheets else 0, key=f"map_sheet_{index}"))
    row = int(right.number_input(t("mapping.header_row", lang), min_value=1, max_value=mapping.SEARCH_ROWS,
                                 value=place[1] + 1, key=f"map_row_{index}")) - 1
    _, headers, _ = _choices(item.data, sheet, row)
    options: list[int | None] = [None, *range(len(headers))]

    def label(col: int | None) -> str:
        if col is None:
            return t("mapping.none", lang)
        return f"{column_letters(col + 1)} — {headers[col]}" if headers[col] else column_letters(col + 1)

    cols = st.columns(3)
    chosen = {role: cols[i % 3].selectbox(_capital(t(f"layout.role_{role}", lang)), options, format_func=label,
                                          key=f"map_{role}_{index}")
              for i, role in enumerate(("code", "name", "code_name", "rating", "evidence", "note"))}
    st.caption(t("mapping.colour_columns", lang))
    cols = st.columns(4)
    colours = {r: cols[i].selectbox(catalogue().scale[r].label(lang), options, format_func=label,
                                    key=f"map_colour_{r.value}_{index}")
               for i, r in enumerate((Rating.RED, Rating.YELLOW, Rating.GREEN, Rating.NA))}
    proposed = mapping.proposal(headers, chosen, colours)
    for problem in proposed.problems():
        st.info(t(f"mapping.need_{problem}", lang), icon=":material/info:")
    if proposed.problems():
        return
    shown = batch.preview_mapping(item.data, item.name, proposed, sheet, catalogue=catalogue(), registry=registry())
    st.caption(t("mapping.preview", lang, read=shown.read, errors=shown.errors))
    if shown.ratings:
        st.dataframe(preview.rows_table(shown.ratings, catalogue(), lang), hide_index=True,
                     key=f"map_preview_{index}")
    st.button(t("mapping.confirm", lang), key=f"map_confirm_{index}", icon=":material/done_all:",
              on_click=_confirm_mapping, args=(proposed, item.name, sheet), type="primary")


def _template_years() -> list[int]:
    return list(range(local_today().year, MIN_YEAR - 1, -1))


def template_download(lang: str) -> None:
    """A blank return for a chosen unit and year."""
    st.subheader(t("upload.template_title", lang))
    years = _template_years()
    if st.session_state.get(state.TEMPLATE_YEAR) not in years:
        st.session_state[state.TEMPLATE_YEAR] = years[1] if len(years) > 1 else years[0]
    year = int(st.selectbox(t("upload.template_year", lang), years, key=state.TEMPLATE_YEAR))
    reg = registry()
    units = [u for u in reg.units if u.type in REPORTING_TYPES and u.reports_for(year)]
    if not units:
        st.info(t("upload.template_no_units", lang, year=year), icon=":material/info:")
        return
    ids = [u.id for u in units]
    if st.session_state.get(state.TEMPLATE_UNIT) not in ids:
        st.session_state[state.TEMPLATE_UNIT] = ids[0]
    unit_id = st.selectbox(t("upload.template_unit", lang), ids, key=state.TEMPLATE_UNIT,
                           format_func=lambda u: reg[u].display(lang))
    unit = reg[str(unit_id)]
    actor = require(auth.current_actor(), Role.STAFF, "hand out templates")

    def template() -> bytes:
        audit.record_now(get_store().engine, actor, "template", target=f"{unit.id}/{year}")
        return build_template(unit, year, catalogue())

    st.download_button(t("upload.template_download", lang),
                       data=auth.guarded(template, actor=actor, what=f"template {unit.id}/{year}",
                                         needed=Role.STAFF),
                       file_name=t("upload.template_file", lang, unit=unit.id, year=year), mime=XLSX_MIME,
                       on_click="ignore", icon=":material/download:", key="upload_template")
