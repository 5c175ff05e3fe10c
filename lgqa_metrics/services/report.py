"""The pilot report to the Ministry (báo cáo kết quả thí điểm): an editable Word document, and a PDF made from it by
LibreOffice, filled from the store.

Sections: a cover in the form of Vietnamese administrative documents (Nghị định 30/2020/NĐ-CP: the letterhead of
``data/report.toml``, Quốc hiệu and Tiêu ngữ, number and date left for the văn thư); the summary (returns received,
colour shares and their change, the basis of the figures, evidence); the traffic-light matrix; the ranking with tiers;
the changes since the comparison year; self-assessment against appraisal; evidence per unit; a page per unit (its
wheel, its red indicators with their evidence, its changes); an annex with every rating. Charts are the dashboard's
own plotly figures, drawn by kaleido in one Chromium started once for the whole report, at 300 dpi. Figures count the
appraised ratings where a return has been appraised and the self-assessed ones otherwise, and say so.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import pandas as pd
import plotly.graph_objects as go
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from lgqa_metrics.analysis import analytics, appraisal, basis, charts, lineage, scope
from lgqa_metrics.analysis.charts import SYMBOLS, rating_colours
from lgqa_metrics.analysis.filters import type_label
from lgqa_metrics.domain.basis import Basis
from lgqa_metrics.domain.catalogue import Catalogue
from lgqa_metrics.domain.formatting import local_today, number, percent
from lgqa_metrics.domain.i18n import MessageError, t
from lgqa_metrics.domain.paths import DATA_DIR
from lgqa_metrics.domain.units import UnitRegistry
from lgqa_metrics.services import office, word
from lgqa_metrics.store.appraisals import Appraisals, Overlay
from lgqa_metrics.store.database import Store

LETTERHEAD_FILE: Final = DATA_DIR / "report.toml"
#: Print resolution of the charts, and the pixels plotly lays a figure out in per cm (96 per inch).
DPI: Final = 300
_PX_PER_CM: Final = 96 / 2.54
#: Wheels drawn on one sheet (one Chromium render) and cut apart, and how many to a row of the sheet.
_WHEELS_AT_ONCE: Final = 16
_WHEELS_PER_ROW: Final = 4
_LETTERHEAD_KEYS: Final = ("parent_body", "issuing_body", "issuing_body_in_text", "number", "place", "recipient",
                           "signer_title")


class ReportError(MessageError, ValueError):
    """A report that cannot be made as asked; ``key`` is a message-catalogue key."""


@dataclass(frozen=True)
class Letterhead:
    """The issuing body's part of the cover and the signature block."""

    parent_body: str
    issuing_body: str
    issuing_body_in_text: str
    number: str
    place: str
    recipient: str
    signer_title: str
    recipients_copy: tuple[str, ...]


def load_letterhead(path: Path = LETTERHEAD_FILE) -> Letterhead:
    """The letterhead in ``path``; a missing or empty key is refused naming it."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise ReportError("report.bad_letterhead", path=path, detail=str(err)) from err
    for key in _LETTERHEAD_KEYS:
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise ReportError("report.bad_letterhead", path=path, detail=f"'{key}' must be a text")
    copies = raw.get("recipients_copy", [])
    if not isinstance(copies, list) or not all(isinstance(c, str) for c in copies):
        raise ReportError("report.bad_letterhead", path=path, detail="'recipients_copy' must be a list of texts")
    text = {k: str(raw[k]).strip() for k in _LETTERHEAD_KEYS}
    return Letterhead(text["parent_body"], text["issuing_body"], text["issuing_body_in_text"], text["number"],
                      text["place"], text["recipient"], text["signer_title"], tuple(copies))


@dataclass(frozen=True)
class ReportRequest:
    """What the report covers: a year, the year it is compared with (None: none), the units (empty: every unit
    with a return or due), and the language (the Ministry's report is Vietnamese)."""

    year: int
    compare_to: int | None = None
    units: tuple[str, ...] = ()
    lang: str = "vi"


@dataclass(frozen=True)
class ReportData:
    """Everything the report shows, computed from the store before anything is drawn."""

    request: ReportRequest
    ratings: pd.DataFrame  # both years, counted on the combined basis, with text
    headline: analytics.Headline
    due: list[str]
    ranking: pd.DataFrame
    changes: pd.DataFrame | None
    change_detail: pd.DataFrame | None
    gaps: pd.DataFrame
    evidence: pd.DataFrame
    appraised: int
    returns: int
    registry: UnitRegistry
    carried: tuple[lineage.Carried, ...] = ()  # units compared through lineage with the comparison year


def default_comparison(store: Store, year: int) -> int | None:
    """The year a report on ``year`` compares with when none is named: the latest earlier year with returns."""
    earlier = [int(y) for y in store.submissions().query("status == 'current'")["year"].unique() if int(y) < year]
    return max(earlier) if earlier else None


def gather(store: Store, request: ReportRequest) -> ReportData:
    """The report's figures for ``request``, from ``store``."""
    for unit in request.units:
        if unit not in store.registry:
            raise ReportError("report.unknown_unit", value=unit)
    years = [request.year] + ([request.compare_to] if request.compare_to is not None else [])
    held = Appraisals(store).overlay()
    stored = store.ratings(years=years, units=list(request.units))
    ratings = basis.apply(scope.with_areas(stored, store.registry), held.accepted, held.overrides, Basis.COMBINED)
    this_year = ratings[ratings["year"] == request.year]
    if this_year.empty:
        raise ReportError("report.no_data", year=request.year)
    due = [u for u in analytics.expected_units(store.registry, request.year) if not request.units or u in request.units]
    head = analytics.headline(ratings, request.year, store.registry, due)
    changes = detail = None
    carried: list[lineage.Carried] = []
    if request.compare_to is not None:
        compared, carried = _through_lineage(store, ratings, request, held)
        changes = analytics.change_summary(compared, request.compare_to, request.year)
        detail = analytics.change_detail(compared, request.compare_to, request.year)
    evidence = analytics.evidenced_share(this_year, analytics.UNIT_KEYS)
    appraised = int(this_year.loc[this_year["appraised"], "submission_id"].nunique())
    return ReportData(request, ratings, head, due, analytics.ranking(ratings, request.year, request.lang), changes,
                      detail, appraisal.gap_by_unit(ratings, request.year), evidence, appraised,
                      int(this_year["submission_id"].nunique()), store.registry, tuple(carried))


#: The rule by which the report compares a new unit with its predecessors' earlier year (named in the report).
REPORT_RULE: Final = lineage.BaselineRule.WORST


def _through_lineage(store: Store, ratings: pd.DataFrame, request: ReportRequest,
                     held: Overlay) -> tuple[pd.DataFrame, list[lineage.Carried]]:
    """``ratings`` with, for each unit of the report's year that did not answer for the comparison year, that year
    carried back from its predecessors (:data:`REPORT_RULE`), so changes across a reorganisation are counted
    through lineage; and what was carried."""
    year, before = request.year, request.compare_to
    assert before is not None
    units = [str(u) for u in ratings.loc[ratings["year"] == year, "unit_id"].unique()]
    ancestors = [a for a in lineage.with_ancestors(units, store.lineage) if a not in units]
    if not ancestors:
        return ratings, []
    read = set(ratings["unit_id"].astype(str))
    unread = [a for a in ancestors if a not in read]  # read already unless the report names its units
    earlier = ratings[ratings["year"] == before]
    if unread:
        more = basis.apply(scope.with_areas(store.ratings(years=[before], units=unread), store.registry),
                           held.accepted, held.overrides, Basis.COMBINED)
        earlier = pd.concat([earlier, more], ignore_index=True)
    extra, carried = lineage.carry_back(earlier, units, store.lineage, store.registry, REPORT_RULE)
    if extra.empty:
        return ratings, []
    return pd.concat([ratings, extra.drop(columns=[lineage.THROUGH])], ignore_index=True), carried


# --- charts ----------------------------------------------------------------------------------------------------


class ChartRenderer:
    """Plotly figures to PNG at :data:`DPI` through kaleido, in one Chromium kept for the whole report."""

    def png(self, fig: go.Figure | dict[str, Any], width_cm: float, height_cm: float | None = None) -> bytes:
        """``fig`` (a figure or its spec) drawn ``width_cm`` wide (and ``height_cm`` high, default: its own)."""
        import kaleido

        width = round(width_cm * _PX_PER_CM)
        own = fig.layout.height if isinstance(fig, go.Figure) else fig.get("layout", {}).get("height")
        height = round(height_cm * _PX_PER_CM) if height_cm else int(own or 450)
        opts = {"format": "png", "width": width, "height": height, "scale": DPI / 96}
        return bytes(kaleido.calc_fig_sync(fig, opts=opts))


    def wheels(self, frames: list[pd.DataFrame], catalogue: Catalogue, lang: str, width_cm: float) -> list[bytes]:
        """Each unit-year's wheel, ``width_cm`` square: drawn :data:`_WHEELS_AT_ONCE` to a sheet and cut apart."""
        from PIL import Image

        out: list[bytes] = []
        for start in range(0, len(frames), _WHEELS_AT_ONCE):
            batch = frames[start:start + _WHEELS_AT_ONCE]
            rows = -(-len(batch) // _WHEELS_PER_ROW)
            sheet = charts.wheel_sheet(batch, catalogue, lang, _WHEELS_PER_ROW)
            png = self.png(sheet, width_cm * _WHEELS_PER_ROW, width_cm * rows)
            picture = Image.open(io.BytesIO(png)).convert("RGB")
            side = picture.width / _WHEELS_PER_ROW
            for k in range(len(batch)):
                row, column = divmod(k, _WHEELS_PER_ROW)
                piece = io.BytesIO()
                picture.crop((round(column * side), round(row * side), round((column + 1) * side),
                              round((row + 1) * side))).save(piece, format="PNG", dpi=(DPI, DPI), compress_level=1)
                out.append(piece.getvalue())
        return out


@contextlib.contextmanager
def chart_renderer() -> Iterator[ChartRenderer]:
    """A renderer whose Chromium starts once and stops when the block ends; a missing Chromium is a
    :class:`ReportError`."""
    import kaleido

    try:
        kaleido.start_sync_server(silence_warnings=True)
    except Exception as err:  # kaleido raises its own errors when no Chrome is found
        raise ReportError("report.no_chrome", detail=type(err).__name__) from err
    try:
        yield ChartRenderer()
    finally:
        kaleido.stop_sync_server(silence_warnings=True)


# --- the document --------------------------------------------------------------------------------------------


def _cover(doc: Any, head: Letterhead, data: ReportData) -> None:
    lang = data.request.lang
    grid = doc.add_table(rows=1, cols=2)
    word.fixed_widths(grid, (7.0, 9.5))
    left, right = grid.rows[0].cells
    for cell, lines in ((left, [(head.parent_body, False, False), (head.issuing_body, True, False),
                                ("———", False, False), (head.number, False, False)]),
                        (right, [(t("report.national_name", lang), True, False),
                                 (t("report.motto", lang), True, False), ("—————————", False, False),
                                 (t("report.date_line", lang, place=head.place, year=local_today().year), False, True)])):
        cell.paragraphs[0].text = ""
        for i, (content, bold, italic) in enumerate(lines):
            paragraph = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.paragraph_format.space_after = Pt(0)
            run = paragraph.add_run(content)
            run.bold, run.italic, run.font.size = bold, italic, Pt(12 if cell is left or i in (0, 3) else 13)
    doc.add_paragraph()
    word.text(doc, t("report.kind", lang), bold=True, align="center", size=14)
    word.text(doc, t("report.title", lang, year=data.request.year), bold=True, align="center", size=14)
    word.text(doc, t("report.to", lang, recipient=head.recipient), align="center")
    compare = t("report.intro_compare", lang, year=data.request.compare_to) if data.request.compare_to else ""
    word.text(doc, t("report.intro", lang, body=head.issuing_body_in_text, year=data.request.year,
                     units=number(len(set(data.due) | set(data.ranking["unit_id"].astype(str))), lang), compare=compare))


def _summary(doc: Any, data: ReportData) -> None:
    lang, head = data.request.lang, data.headline
    doc.add_heading(t("report.s_summary", lang), level=1)
    word.text(doc, t("report.received", lang, received=number(head.received, lang), expected=number(head.expected, lang),
                     share=percent(head.received / head.expected if head.expected else 0, lang, 0)))
    sent = set(data.ranking["unit_id"].astype(str))
    missing = [data.registry.name_of(u) if u in data.registry else u for u in data.due if u not in sent]
    if missing:
        word.text(doc, t("report.missing_units", lang, units=", ".join(missing)))
    word.text(doc, t("report.shares", lang, **{c: percent(head.shares[c], lang) for c in ("green", "yellow", "red")}))
    if head.change and data.request.compare_to == head.previous_year:
        word.text(doc, t("report.shares_change", lang, year=head.previous_year, units=number(head.compared, lang),
                         **{c: percent(head.change[c], lang, signed=True) for c in ("green", "yellow", "red")}))
    word.text(doc, t("report.basis", lang, appraised=number(data.appraised, lang), returns=number(data.returns, lang)))
    needing, given = int(data.evidence["needing"].sum()), int(data.evidence["evidenced"].sum())
    word.text(doc, t("report.evidence_line", lang, share=percent(given / needing if needing else 0, lang),
                     evidenced=number(given, lang), needing=number(needing, lang)))


class _Numbers:
    """The running numbers of figures and tables (the SEQ fields show them until Word updates its fields)."""

    def __init__(self) -> None:
        self.figure = self.table = 0

    def next_figure(self) -> int:
        self.figure += 1
        return self.figure

    def next_table(self) -> int:
        self.table += 1
        return self.table


def _matrix(doc: Any, data: ReportData, cat: Catalogue, names: dict[str, str], draw: ChartRenderer,
            numbers: _Numbers) -> None:
    lang, year = data.request.lang, data.request.year
    word.new_section(doc, landscape=True)  # 39 columns: the matrix takes a landscape page, at the dashboard's size
    doc.add_heading(t("report.s_matrix", lang), level=1)
    this_year = data.ratings[data.ratings["year"] == year]
    width = word.text_width_cm(doc)
    if scope.summarised(this_year):
        key = "district_id" if this_year["district_id"].astype(str).ne("").any() else "province_id"
        grid, counts = scope.area_matrix(this_year, key, cat)
        fig = charts.area_heatmap(grid, counts, key, names, cat, year, lang)
        note = t("report.area_note", lang)
    else:
        rows = analytics.units_due(this_year, year, data.registry, data.due)
        fig = charts.matrix_figure(analytics.matrix(this_year, year, cat, rows), rows, cat, year, lang)
        note = t("report.matrix_note", lang)
    fig.update_layout(title_text="")
    height = min(12.5, (fig.layout.height or 600) / _PX_PER_CM)  # with its heading and caption on one page
    word.picture(doc, draw.png(fig, width, height), width)
    word.caption(doc, t("report.figure", lang), numbers.next_figure(), t("report.cap_matrix", lang, year=year))
    word.text(doc, note, italic=True, size=11)
    word.new_section(doc, landscape=False)


def _ranking(doc: Any, data: ReportData, numbers: _Numbers) -> None:
    lang, ranked = data.request.lang, data.ranking
    doc.add_heading(t("report.s_ranking", lang), level=1)
    word.caption(doc, t("report.table", lang), numbers.next_table(), t("report.cap_ranking", lang, year=data.request.year))
    cols = ["rank", "unit_name", "unit_type", "index", "tier", "green", "yellow", "red", "na", "missing"]
    rows = [[int(r["rank"]), r["unit_name"], type_label(str(r["unit_type"]), lang), number(r["index"], lang, 1),
             r["tier"], *(int(r[c]) for c in ("green", "yellow", "red", "na", "missing"))]
            for _, r in ranked.iterrows()]
    word.table(doc, [t(f"col.{c}", lang) for c in cols], rows, size=10,
               widths_cm=[1.3, 4.0, 1.6, 1.6, 2.0, 1.2, 1.2, 1.2, 1.2, 1.2],
               numeric=[True, False, False, True, False, True, True, True, True, True])
    word.text(doc, t("report.ranking_note", lang), italic=True, size=11)


def _changes(doc: Any, data: ReportData, numbers: _Numbers) -> None:
    lang, before = data.request.lang, data.request.compare_to
    doc.add_heading(t("report.s_changes", lang, year=before or "—"), level=1)
    if data.changes is None or data.changes.empty:
        word.text(doc, t("report.no_compare", lang))
        return
    word.caption(doc, t("report.table", lang), numbers.next_table(),
                 t("report.cap_changes", lang, from_year=before, to_year=data.request.year))
    cols = ["unit_name", "improved", "declined", "unchanged", "not_comparable", "net"]
    rows = [[r["unit_name"], *(int(r[c]) for c in cols[1:])] for _, r in data.changes.iterrows()]
    word.table(doc, [t(f"col.{c}", lang) for c in cols], rows, size=10, widths_cm=[5.0, 2.2, 2.2, 2.2, 2.4, 2.2],
               numeric=[False, True, True, True, True, True])
    if data.carried:
        names = ", ".join(data.registry.name_of(c.unit_id, lang) for c in data.carried)
        word.text(doc, t("lineage.change_note", lang, units=names, year_from=before, year_to=data.request.year,
                         rule=REPORT_RULE.label(lang)), italic=True, size=11)


def _appraisal(doc: Any, data: ReportData, draw: ChartRenderer, numbers: _Numbers) -> None:
    lang, year = data.request.lang, data.request.year
    doc.add_heading(t("report.s_appraisal", lang), level=1)
    gaps = data.gaps
    if gaps.empty:
        word.text(doc, t("report.no_appraisal", lang, year=year))
        return
    compared, over, under = (int(gaps[c].sum()) for c in ("compared", "over", "under"))
    word.text(doc, t("report.appraisal_line", lang, appraised=number(data.appraised, lang),
                     returns=number(data.returns, lang), year=year, compared=number(compared, lang),
                     over=number(over, lang), over_share=percent(over / compared if compared else 0, lang),
                     under=number(under, lang)))
    fig = charts.gap_bars(gaps, year, lang)
    fig.update_layout(title_text="")
    word.picture(doc, draw.png(fig, 16, min(18.0, (fig.layout.height or 400) / _PX_PER_CM)), 15)
    word.caption(doc, t("report.figure", lang), numbers.next_figure(), t("report.cap_gap", lang, year=year))


def _evidence(doc: Any, data: ReportData, numbers: _Numbers) -> None:
    lang = data.request.lang
    doc.add_heading(t("report.s_evidence", lang), level=1)
    word.caption(doc, t("report.table", lang), numbers.next_table(), t("report.cap_evidence", lang, year=data.request.year))
    shares = data.evidence.sort_values("evidenced_share", na_position="last")
    rows = [[r["unit_name"], int(r["needing"]), int(r["evidenced"]),
             percent(float(r["evidenced_share"]), lang) if pd.notna(r["evidenced_share"]) else "—"]
            for _, r in shares.iterrows()]
    word.table(doc, [t("col.unit_name", lang), t("report.needing", lang), t("col.evidence", lang),
                     t("col.evidenced_share", lang)], rows, size=10, widths_cm=[6, 3, 3, 3.5],
               numeric=[False, True, True, True])


def _units(doc: Any, data: ReportData, cat: Catalogue, draw: ChartRenderer, numbers: _Numbers) -> None:
    lang, year = data.request.lang, data.request.year
    doc.add_heading(t("report.s_units", lang), level=1)
    word.text(doc, t("report.wheel_legend", lang), italic=True, size=11)
    this_year = data.ratings[data.ratings["year"] == year]
    ranked = data.ranking.set_index(data.ranking["unit_id"].astype(str))
    changes = data.changes.set_index(data.changes["unit_id"].astype(str)) if data.changes is not None else None
    by_unit = {str(unit): rows for unit, rows in this_year.groupby(this_year["unit_id"].astype(str), observed=True)}
    wheels = draw.wheels([by_unit[unit] for unit in ranked.index], cat, lang, 8)
    for n, (_, row) in enumerate(ranked.iterrows(), start=1):
        unit = str(row["unit_id"])
        if n > 1:
            word.page_break(doc)
        doc.add_heading(t("report.unit_heading", lang, n=n, unit=row["unit_name"]), level=2)
        own = by_unit[unit]
        status = t("report.appraised" if bool(own["appraised"].any()) else "report.not_appraised", lang)
        word.text(doc, t("report.unit_line", lang, index=number(row["index"], lang, 1), tier=row["tier"],
                         rank=int(row["rank"]), units=len(ranked), appraisal=status,
                         **{c: int(row[c]) for c in ("green", "yellow", "red", "na", "missing")}))
        word.picture(doc, wheels[n - 1], 8)
        word.caption(doc, t("report.figure", lang), numbers.next_figure(),
                     t("report.cap_wheel", lang, unit=row["unit_name"], year=year))
        reds = own[own["rating"].astype(str) == "red"]
        if reds.empty:
            word.text(doc, t("report.unit_no_reds", lang))
        else:
            word.text(doc, t("report.unit_reds", lang), bold=True)
            name = "indicator_name_en" if lang == "en" else "indicator_name"
            word.table(doc, [t("col.indicator_code", lang), t("col.indicator_name", lang), t("col.evidence", lang),
                             t("col.note", lang)],
                       [[r["indicator_code"], r[name], r["evidence"], r["note"]] for _, r in reds.iterrows()],
                       size=10, widths_cm=[1.3, 5.0, 4.6, 4.6])
        if changes is not None and unit in changes.index:
            counts = {k: int(str(changes.at[unit, k])) for k in ("improved", "declined", "unchanged")}
            word.text(doc, t("report.unit_changes", lang, year=data.request.compare_to, **counts))


def _annex(doc: Any, data: ReportData, cat: Catalogue, numbers: _Numbers) -> None:
    lang, year = data.request.lang, data.request.year
    word.new_section(doc, landscape=True)
    doc.add_heading(t("report.annex", lang, year=year), level=1)
    word.caption(doc, t("report.table", lang), numbers.next_table(), t("report.cap_annex", lang, year=year))
    this_year = data.ratings[data.ratings["year"] == year]
    cells = analytics.matrix(this_year, year, cat)
    colours = rating_colours(cat)
    order = data.ranking.set_index(data.ranking["unit_id"].astype(str))["unit_name"]
    codes = list(cat.codes)
    rows, fills = [], []
    for unit in cells.ratings.index:
        values = [str(v) for v in cells.ratings.loc[unit, codes]]
        rows.append([order.get(str(unit), unit), *(SYMBOLS[lang][v] for v in values)])
        fills.append([None, *(colours[v] if v != "na" else None for v in values)])
    width = word.text_width_cm(doc)
    word.table(doc, [t("col.unit_name", lang), *codes], rows, size=6.5, fills=fills,
               widths_cm=[3.6, *([(width - 3.6) / len(codes)] * len(codes))])


def _signature(doc: Any, head: Letterhead, lang: str) -> None:
    grid = doc.add_table(rows=1, cols=2)
    word.fixed_widths(grid, (8.0, 8.5))
    left, right = grid.rows[0].cells
    left.paragraphs[0].add_run(t("report.recipients", lang)).bold = True
    for line in head.recipients_copy:
        left.add_paragraph(f"- {line}").runs[0].font.size = Pt(11)
    right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    right.paragraphs[0].add_run(head.signer_title).bold = True


def write_docx(data: ReportData, store: Store, path: Path, draw: ChartRenderer, letterhead: Letterhead) -> int:
    """Write the report for ``data`` to ``path`` (.docx); returns how many figures it holds."""
    cat = store.catalogue
    names = {u.id: u.name for u in store.registry.units}
    lang = data.request.lang
    doc = word.new_document()
    numbers = _Numbers()
    _cover(doc, letterhead, data)
    _summary(doc, data)
    _matrix(doc, data, cat, names, draw, numbers)
    _ranking(doc, data, numbers)
    _changes(doc, data, numbers)
    _appraisal(doc, data, draw, numbers)
    _evidence(doc, data, numbers)
    _signature(doc, letterhead, lang)
    word.page_break(doc)
    _units(doc, data, cat, draw, numbers)
    _annex(doc, data, cat, numbers)
    doc.core_properties.title = t("report.title", lang, year=data.request.year)
    doc.core_properties.author = letterhead.issuing_body
    doc.save(str(path))
    return numbers.figure


@dataclass(frozen=True)
class Made:
    """A report written: where, how many pages (PDF) or figures (.docx), and how long it took."""

    path: Path
    figures: int
    seconds: float


def make_report(store: Store, request: ReportRequest, out: Path, *, letterhead: Letterhead | None = None) -> Made:
    """Write the report for ``request`` to ``out``: a .docx, or a .pdf converted from it by LibreOffice."""
    started = time.perf_counter()
    kind = out.suffix.lower()
    if kind not in (".docx", ".pdf"):
        raise ReportError("report.bad_format", path=out)
    if kind == ".pdf" and office.find_soffice() is None:
        raise ReportError("report.no_soffice")
    data = gather(store, request)
    head = letterhead or load_letterhead()
    with tempfile.TemporaryDirectory(prefix="lgqa-report-") as folder:
        docx = out if kind == ".docx" else Path(folder) / f"{out.stem}.docx"
        with chart_renderer() as draw:
            figures = write_docx(data, store, docx, draw, head)
        if kind == ".pdf":
            try:
                [made] = office.convert_with_soffice([docx], "pdf", Path(folder))
            except RuntimeError as err:
                raise ReportError("report.pdf_failed", detail=str(err)) from err
            out.write_bytes(made.read_bytes())
    return Made(out, figures, time.perf_counter() - started)
