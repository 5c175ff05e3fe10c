"""Figures and tables of the analysis pages, cached by data version and the user's choices, so a rerun
that changes nothing (or returns to earlier choices) rebuilds nothing."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lgqa_metrics.analysis import analytics, appraisal, charts, lineage, scope
from lgqa_metrics.analysis.filters import filter_ratings
from lgqa_metrics.domain.basis import Basis
from lgqa_metrics.domain.i18n import t
from lgqa_metrics.services import shared
from lgqa_metrics.ui.data import (
    catalogue,
    chosen_basis,
    current_ratings,
    data_version,
    detail_ratings,
    get_store,
    registry,
)

_ENTRIES = 32


@dataclass(frozen=True, slots=True)
class OverviewView:
    """What the Overview shows for one year and scope. With few units in scope: the unit-by-unit matrix
    and quadrant bars; with many (``areas`` set): the area summary matrix and bars, the areas ranked and
    the worst units."""

    headline: analytics.Headline
    matrix: go.Figure
    bars: go.Figure
    areas: pd.DataFrame | None = None
    worst: pd.DataFrame | None = None


def _said(fig: go.Figure, lang: str) -> go.Figure:
    """``fig``, just made by a cached builder below, with the basis of its ratings under its title (so that a chart
    saved as a picture still says which ratings it counts); made once per data version and basis, not per run."""
    top = fig.layout.margin.t if fig.layout.margin.t is not None else 60
    fig.update_layout(title_subtitle_text=t("basis.subtitle", lang, basis=chosen_basis().label(lang)),
                      title_subtitle_font_size=12, margin_t=top + 18)
    return fig


@st.cache_data(max_entries=_ENTRIES, show_spinner=False)
def _overview(version: str, year: int, province: str, district: str, lang: str) -> OverviewView:
    where = scope.Scope(province, district)
    reg, cat = registry(), catalogue()
    ratings = where.apply(current_ratings())
    this_year = filter_ratings(ratings, years=[year])
    expected = [u for u in analytics.expected_units(reg, year) if where.holds(reg.area(u))]
    head = analytics.headline(ratings, year, reg, expected)
    if scope.summarised(this_year):
        key = where.child_key
        grid, counts = scope.area_matrix(this_year, key, cat)
        names = {a: reg.name_of(a, lang) for a in grid.index}
        areas = scope.area_summary(this_year, key).assign(area=lambda f: [names.get(a, a) for a in f[key]])
        return OverviewView(head, _said(charts.area_heatmap(grid, counts, key, names, cat, year, lang), lang),
                            _said(charts.quadrant_bars(scope.area_counts(this_year, key, names), cat, lang,
                                                       shares=True), lang),
                            areas, scope.worst_units(ranked_units(year, where, lang)))
    rows = analytics.units_due(this_year, year, reg, expected)  # a unit due without a return: a row of its own
    sent = [str(u) for u in rows.loc[rows["sent"], "unit_id"]]  # none: an empty matrix, not every unit's text
    detail = detail_ratings(years=[year], units=sent) if sent else this_year.assign(evidence="")
    cells = analytics.matrix(detail, year, cat, rows)
    appraised = set(this_year.loc[this_year["appraised"], "unit_id"].astype(str))
    labels = [unit_label(name, was_sent, str(unit) in appraised, bool(appraised), lang)
              for name, unit, was_sent in zip(rows["unit_name"], rows["unit_id"], rows["sent"], strict=True)]
    matrix = charts.matrix_figure(cells, rows.assign(unit_name=labels), cat, year, lang)
    return OverviewView(head, _said(matrix, lang),
                        _said(charts.quadrant_bars(analytics.quadrant_counts(this_year), cat, lang), lang))


def unit_label(name: str, sent: bool, appraised: bool, any_appraised: bool, lang: str) -> str:
    """A unit's name on a chart: marked "(chưa nộp)" when its return is missing, and "*" when its figures are its
    self-assessment while other units' on the chart are appraised (the combined basis, its return not appraised;
    when no unit's is, the page's caption says so once instead)."""
    if not sent:
        return t("overview.not_sent", lang, name=name)
    if chosen_basis() is Basis.COMBINED and any_appraised and not appraised:
        return f"{name} {t('basis.not_appraised_mark', lang)}"
    return name


@st.cache_data(max_entries=_ENTRIES, show_spinner=False)
def _year_statuses(version: str) -> list[analytics.YearStatus]:
    return analytics.year_statuses(current_ratings(), registry())


def year_statuses() -> list[analytics.YearStatus]:
    """Each stored year with how far its returns are in (units with a return of the units due)."""
    return _year_statuses(data_version())


@st.cache_data(max_entries=_ENTRIES, show_spinner=False)
def _ranked(version: str, year: int, province: str, district: str, lang: str) -> pd.DataFrame:
    this_year = filter_ratings(scope.Scope(province, district).apply(current_ratings()), years=[year])
    return scope.ranked_units(this_year, year, registry(), lang)


def ranked_units(year: int, where: scope.Scope, lang: str) -> pd.DataFrame:
    """Every unit in scope ranked by its index in ``year``, with district and province names."""
    return _ranked(data_version(), year, where.province, where.district, lang)


def overview(year: int, where: scope.Scope, lang: str) -> OverviewView:
    """Headline figures, the traffic-light matrix (or its area summary) and the quadrant bars of one
    year in one scope."""
    return _overview(data_version(), year, where.province, where.district, lang)


@dataclass(frozen=True, slots=True)
class TrendView:
    """The Trends charts: of the chosen units, or (``areas``) one line per area when none is chosen at national
    scale; and, when units follow lineage, what was carried back from predecessors (empty when nothing was)."""

    lines: go.Figure
    per_quadrant: go.Figure
    carried: tuple[lineage.Carried, ...] = ()
    areas: bool = False


def _followed(units: tuple[str, ...], rule: str | None) -> tuple[pd.DataFrame, list[lineage.Carried]]:
    """The chosen units' ratings; with a ``rule``, their years before they existed carried back from their
    predecessors (see :mod:`lgqa_metrics.analysis.lineage`)."""
    if rule is None:
        return filter_ratings(current_ratings(), units=units), []
    links = get_store().lineage
    read = filter_ratings(current_ratings(), units=lineage.with_ancestors(units, links))
    return lineage.followed(read, units, links, registry(), lineage.BaselineRule(rule))


@st.cache_data(max_entries=_ENTRIES, show_spinner=False)
def _trends(version: str, units: tuple[str, ...], rule: str | None, lang: str) -> TrendView:
    selected, carried = _followed(units, rule)
    breaks = lineage.break_years(carried)
    links = get_store().lineage
    return TrendView(_said(charts.trend_lines(analytics.trend(selected), registry(), lang, breaks=breaks,
                                              lineage=links), lang),
                     _said(charts.quadrant_trend(analytics.trend(selected, by_quadrant=True), catalogue(), registry(),
                                                 lang, breaks=breaks, lineage=links), lang),
                     tuple(carried))


def trends(where: scope.Scope, units: list[str], many: bool, rule: lineage.BaselineRule | None,
           lang: str) -> TrendView:
    """Index lines per unit, overall and per quadrant (with a ``rule``, following lineage); at national scale
    (``many``) with no unit chosen, one line per area one level down from the scope."""
    if many and not units:
        return TrendView(*_area_trends(data_version(), where.province, where.district, lang), areas=True)
    return _trends(data_version(), tuple(units), rule.value if rule else None, lang)


@st.cache_data(max_entries=_ENTRIES, show_spinner=False)
def _area_trends(version: str, province: str, district: str, lang: str) -> tuple[go.Figure, go.Figure]:
    where = scope.Scope(province, district)
    in_scope, key = where.apply(current_ratings()), where.child_key
    names = {str(a): registry().name_of(str(a), lang) for a in in_scope[key].unique() if a}
    lines = charts.trend_lines(scope.area_counts(in_scope, key, names, ("year",)), registry(), lang,
                               "chart.area_trend_title")
    per_quadrant = charts.quadrant_trend(scope.area_counts(in_scope, key, names, ("year", "quadrant")), catalogue(),
                                         registry(), lang)
    return _said(lines, lang), _said(per_quadrant, lang)


@st.cache_data(max_entries=_ENTRIES, show_spinner=False)
def _two_years(version: str, province: str, district: str, units: tuple[str, ...], rule: str | None,
               year_from: int, year_to: int) -> pd.DataFrame:
    if units and rule is not None:
        selected = _followed(units, rule)[0]
        return selected[selected["year"].isin([year_from, year_to])]
    return filter_ratings(scope.Scope(province, district).apply(current_ratings()), units=units,
                          years=[year_from, year_to])


def two_years(where: scope.Scope, units: list[str], year_from: int, year_to: int,
              rule: lineage.BaselineRule | None = None) -> pd.DataFrame:
    """The ratings of two years of the units in scope (or of the chosen units; with a ``rule``, a unit's years
    before it existed come from its predecessors), without their text."""
    return _two_years(data_version(), where.province, where.district, tuple(units), rule.value if rule else None,
                      year_from, year_to)


@st.cache_data(max_entries=_ENTRIES, show_spinner=False)
def _change_summary(version: str, province: str, district: str, units: tuple[str, ...], rule: str | None,
                    year_from: int, year_to: int) -> pd.DataFrame:
    selected = _two_years(version, province, district, units, rule, year_from, year_to)
    return analytics.change_summary(selected, year_from, year_to)


def change_summary(where: scope.Scope, units: list[str], year_from: int, year_to: int,
                   rule: lineage.BaselineRule | None = None) -> pd.DataFrame:
    """Improved, declined and unchanged indicators per unit in scope (or of the chosen units; with a ``rule``,
    following lineage as :func:`two_years`)."""
    return _change_summary(data_version(), where.province, where.district, tuple(units), rule.value if rule else None,
                           year_from, year_to)


def change_detail(units: list[str], year_from: int, year_to: int, rule: lineage.BaselineRule | None) -> pd.DataFrame:
    """Each improvement and decline of the chosen units between two years, with the later year's evidence and
    note; with a ``rule``, a unit's earlier year may come from its predecessors (their evidence is not shown)."""
    if rule is None:
        return analytics.change_detail(detail_ratings(years=[year_from, year_to], units=units), year_from, year_to)
    links = get_store().lineage
    read = detail_ratings(years=[year_from, year_to], units=lineage.with_ancestors(units, links))
    selected = lineage.followed(read, units, links, registry(), rule)[0]
    return analytics.change_detail(selected, year_from, year_to)


@dataclass(frozen=True, slots=True)
class CompareUnits:
    """The units Compare offers for one year, scope and unit types: in display order (``order``), ranked by
    index with their areas (``ranked``), and whether there are too many to show one by one (``many``)."""

    order: pd.DataFrame
    ranked: pd.DataFrame
    many: bool


def _in_types(year: int, province: str, district: str, types: tuple[str, ...]) -> pd.DataFrame:
    """The current ratings of ``year`` in scope, of units of ``types`` (for the cached results below)."""
    return filter_ratings(scope.Scope(province, district).apply(current_ratings()), years=[year],
                          unit_types=list(types))


@st.cache_data(max_entries=_ENTRIES, show_spinner=False)
def _compare_units(version: str, year: int, province: str, district: str, types: tuple[str, ...],
                   lang: str) -> CompareUnits:
    in_types = _in_types(year, province, district, types)
    ranked = ranked_units(year, scope.Scope(province, district), lang)
    return CompareUnits(analytics.unit_order(in_types), ranked[ranked["unit_type"].isin(types)],
                        scope.summarised(in_types))


def compare_units(year: int, where: scope.Scope, types: list[str], lang: str) -> CompareUnits:
    """The units of ``types`` in scope in ``year``, ordered and ranked (see :class:`CompareUnits`)."""
    return _compare_units(data_version(), year, where.province, where.district, tuple(types), lang)


@st.cache_data(max_entries=_ENTRIES, show_spinner=False)
def _ranking(version: str, year: int, province: str, district: str, types: tuple[str, ...], units: tuple[str, ...],
             lang: str) -> pd.DataFrame:
    return analytics.ranking(filter_ratings(_in_types(year, province, district, types), units=list(units)),
                             year, lang)


def ranking(year: int, where: scope.Scope, types: list[str], units: list[str], lang: str) -> pd.DataFrame:
    """The chosen units (none chosen: every unit of ``types`` in scope) ranked by their index in ``year``,
    with their quadrant scores."""
    return _ranking(data_version(), year, where.province, where.district, tuple(types), tuple(units), lang)


@st.cache_data(max_entries=_ENTRIES, show_spinner=False)
def _compare(version: str, year: int, province: str, district: str, units: tuple[str, ...],
             lang: str) -> tuple[go.Figure, go.Figure, pd.DataFrame]:
    this_year = filter_ratings(scope.Scope(province, district).apply(current_ratings()), years=[year])
    selected = filter_ratings(this_year, units=units)
    groups = analytics.group_averages(this_year, year)
    return (_said(charts.radar(analytics.quadrant_profile(selected, year), catalogue(), registry(), lang,
                               lineage=get_store().lineage), lang),
            _said(charts.group_bars(groups, catalogue(), lang), lang), groups)


def compare(year: int, where: scope.Scope, units: list[str], lang: str) -> tuple[go.Figure, go.Figure, pd.DataFrame]:
    """The quadrant radar of the chosen units, and the colour mix and index by unit type in scope."""
    return _compare(data_version(), year, where.province, where.district, tuple(units), lang)


@st.cache_data(max_entries=_ENTRIES, show_spinner=False)
def _wheels(version: str, year: int, units: tuple[str, ...], lang: str) -> go.Figure:
    this_year = filter_ratings(current_ratings(), years=[year], units=units)
    order = analytics.unit_order(this_year)
    panels = [(name, filter_ratings(this_year, units=[uid])) for uid, name in zip(order["unit_id"], order["unit_name"],
                                                                                     strict=True)]
    return _said(charts.wheels(panels, catalogue(), t("chart.wheels_title", lang, year=year), lang), lang)


def wheels(year: int, units: list[str], lang: str) -> go.Figure:
    """The diagnostic wheels of the chosen units, in unit order, in one figure."""
    return _wheels(data_version(), year, tuple(units), lang)


@st.cache_data(max_entries=_ENTRIES, show_spinner=False)
def _distribution(version: str, code: str, province: str, district: str, lang: str) -> go.Figure:
    ratings = scope.Scope(province, district).apply(current_ratings())
    return _said(charts.distribution_bars(analytics.indicator_distribution(ratings, code), catalogue(),
                                          t("indicator.dist_title", lang), lang), lang)


def distribution(code: str, where: scope.Scope, lang: str) -> go.Figure:
    """The colour counts of one indicator per year, in scope."""
    return _distribution(data_version(), code, where.province, where.district, lang)


@dataclass(frozen=True, slots=True)
class AppraisalView:
    """The Appraisal results page for one year: the gap per unit and per indicator, the gap over the years, and
    their charts (always self-assessment against appraisal, whichever basis the other pages count)."""

    by_unit: pd.DataFrame
    by_indicator: pd.DataFrame
    by_year: pd.DataFrame
    bars: go.Figure
    trend: go.Figure


@st.cache_data(max_entries=_ENTRIES, show_spinner=False)
def _appraisal_view(version: str, year: int, lang: str) -> AppraisalView:
    both = shared.ratings(Basis.COMBINED)
    by_unit = appraisal.gap_by_unit(both, year)
    by_year = appraisal.gap_by_year(both)
    return AppraisalView(by_unit, appraisal.gap_by_indicator(both, year), by_year,
                         charts.gap_bars(by_unit, year, lang), charts.gap_trend(by_year, lang))


def appraisal_view(year: int, lang: str) -> AppraisalView:
    """The gap between self-assessment and appraisal in ``year`` and over the years."""
    return _appraisal_view(data_version(), year, lang)


@st.cache_data(max_entries=_ENTRIES, show_spinner=False)
def _lineage_graph(version: str, unit_id: str, lang: str) -> go.Figure:
    return charts.lineage_graph(get_store().lineage.family(unit_id), registry(), unit_id, lang)


def lineage_graph(unit_id: str, lang: str) -> go.Figure:
    """A unit's lineage as a small graph (its ancestors, descendants and the units merged or split with them)."""
    return _lineage_graph(get_store().data_version(), unit_id, lang)


@st.cache_data(max_entries=_ENTRIES, show_spinner=False)
def _areas(version: str, year: int | None) -> dict[str, list[str]]:
    ratings = current_ratings()
    return scope.hierarchy(ratings if year is None else ratings[ratings["year"] == year])


def areas(year: int | None) -> dict[str, list[str]]:
    """Provinces and their districts with returns (of ``year``: the hierarchy valid that year), see
    :func:`lgqa_metrics.analysis.scope.hierarchy`."""
    return _areas(data_version(), year)


@st.cache_data(max_entries=_ENTRIES, show_spinner=False)
def _found_units(version: str, text: str) -> list[str]:
    return scope.find_registered(registry(), text)


def found_units(text: str) -> list[str]:
    """Registered units whose names match ``text`` (see :func:`lgqa_metrics.analysis.scope.find_registered`)."""
    return _found_units(get_store().data_version(), text) if text.strip() else []
