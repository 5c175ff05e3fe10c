"""Blocks of the Data & export page: the six filters, the tables and the two downloads."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

import pandas as pd
import streamlit as st

from lgqa_metrics.analysis import scope
from lgqa_metrics.analysis.analytics import RATING_ORDER, colour_counts
from lgqa_metrics.analysis.export import CSV_SEPARATORS, Headers, csv_bytes, export_frame, xlsx_bytes
from lgqa_metrics.analysis.filters import (
    FilterOptions,
    RatingFilter,
    filter_options,
    indicator_label,
    quadrant_label,
    type_label,
)
from lgqa_metrics.domain.formatting import local_today, number
from lgqa_metrics.domain.i18n import t
from lgqa_metrics.domain.ratings import Rating
from lgqa_metrics.domain.roles import Role, require
from lgqa_metrics.services.annotate import XLSX_MIME
from lgqa_metrics.store import audit
from lgqa_metrics.ui import auth, components, state
from lgqa_metrics.ui.data import (
    catalogue,
    chosen_basis,
    current_ratings,
    data_version,
    detail_ratings,
    get_store,
    registry,
)

#: The label of a percentage bar (shares × 100), one per language: Streamlit's frontend writes it with sprintf,
#: which knows no decimal comma, so the bar shows whole percents, with the language's sign (the cell's value
#: stays exact).
PERCENT_BAR: Final = {"vi": "%.0f %%", "en": "%.0f%%"}
#: At most this many rows are fetched with their text, shown and exported at once.
EXPORT_ROWS: Final = 200_000
_UNITS_IN_QUERY: Final = 1_000
_DETAIL: Final = ("unit_name", "year", "indicator_code", "indicator_name", "rating_label", "evidence", "note",
                  "version")


def _multi(where: Any, key: str, label: str, options: Sequence[Any], lang: str,
           format_func: Callable[[Any], str] = str) -> tuple[Any, ...]:
    """One multi-choice filter; choices no longer offered are dropped; empty means all."""
    st.session_state[key] = [v for v in st.session_state.get(key, []) if v in options]
    chosen = where.multiselect(label, list(options), key=key, format_func=format_func,
                               placeholder=t("filter.all", lang), select_all=components.select_all(lang))
    return tuple(chosen)


@st.cache_data(max_entries=16, show_spinner=False)
def _options(version: str, province: str, district: str) -> FilterOptions:
    return filter_options(scope.Scope(province, district).apply(current_ratings()), catalogue())


def filter_panel(where: scope.Scope, lang: str) -> tuple[RatingFilter, FilterOptions]:
    """Years, unit types, units, quadrants, indicators (of the chosen quadrants) and ratings, offering
    what the ratings in scope hold."""
    cat = catalogue()
    options = _options(data_version(), where.province, where.district)
    scale = cat.scale
    with st.container(border=True):
        top = st.columns(3)
        years = _multi(top[0], state.YEARS, t("export.f_years", lang), options.years, lang)
        types = _multi(top[1], state.UNIT_TYPES, t("export.f_unit_types", lang), options.unit_types, lang,
                       lambda v: type_label(v, lang))
        units = _multi(top[2], state.UNITS, t("export.f_units", lang), options.units, lang,
                       lambda u: options.unit_names.get(u, u))
        bottom = st.columns(3)
        quadrants = _multi(bottom[0], state.QUADRANTS, t("export.f_quadrants", lang), options.quadrants, lang,
                           lambda q: quadrant_label(cat, q, lang))
        indicators = _multi(bottom[1], state.INDICATORS, t("export.f_indicators", lang),
                            options.indicators(cat, quadrants), lang, lambda c: indicator_label(cat, c, lang))
        ratings_chosen = _multi(bottom[2], state.RATINGS, t("export.f_ratings", lang), options.ratings, lang,
                                lambda r: scale[Rating(r)].label(lang))
    chosen = RatingFilter(years=years, units=units, unit_types=types, quadrants=quadrants, indicators=indicators,
                          ratings=ratings_chosen)
    return chosen, options


def match_line(shown: pd.DataFrame, ratings: pd.DataFrame, lang: str) -> None:
    """How many rows, units and years the filters keep, of how many rows."""
    st.markdown(t("export.matching", lang, rows=number(len(shown), lang), total=number(len(ratings), lang),
                  units=number(shown["unit_id"].nunique(), lang),
                  years=shown["year"].nunique()))


@st.cache_data(max_entries=16, show_spinner=False)
def _summary(version: str, province: str, district: str, chosen: RatingFilter) -> tuple[pd.DataFrame, int]:
    summary = colour_counts(chosen.apply(scope.Scope(province, district).apply(current_ratings())))
    return summary.head(scope.TABLE_ROWS), len(summary)


def summary_table(where: scope.Scope, chosen: RatingFilter, lang: str) -> None:
    """Count of each colour per unit and year of the filtered rows, with the green share as a bar (the
    first :data:`scope.TABLE_ROWS` unit-years)."""
    st.subheader(t("data.summary", lang))
    summary, total = _summary(data_version(), where.province, where.district, chosen)
    cols = ["unit_name", "year", *RATING_ORDER, "green_share"]
    shown = summary[cols].assign(green_share=summary["green_share"] * 100)
    components.table(shown.rename(columns={c: t(f"col.{c}", lang) for c in cols}), lang, "data_summary", percents=(),
                     column_config={t("col.green_share", lang): st.column_config.ProgressColumn(
                         min_value=0, max_value=100, format=PERCENT_BAR[lang])})
    if total > len(summary):
        st.caption(t("scope.capped", lang, shown=number(len(summary), lang), total=number(total, lang)))


def detail_rows(shown: pd.DataFrame, chosen: RatingFilter, where: scope.Scope) -> pd.DataFrame | None:
    """The filtered rows with their evidence, notes and cells, fetched for those rows alone; None when
    they are more than :data:`EXPORT_ROWS` (the filters must narrow first)."""
    if len(shown) > EXPORT_ROWS:
        return None
    units = [str(u) for u in shown["unit_id"].unique()]
    years = [int(y) for y in shown["year"].unique()]
    detail = detail_ratings(years=years, units=units if len(units) <= _UNITS_IN_QUERY else chosen.units,
                            indicators=chosen.indicators)
    return chosen.apply(where.apply(detail))


def detail_table(shown: pd.DataFrame, lang: str) -> None:
    """Every filtered row: unit, year, indicator, rating, evidence, note, version."""
    table = export_frame(shown, lang, catalogue())
    st.subheader(t("data.rows", lang, rows=number(len(table), lang)))
    cols = list(_DETAIL)
    components.table(table[cols].rename(columns={c: t(f"col.{c}", lang) for c in cols}), lang, "data_rows")


def downloads(shown: pd.DataFrame, chosen: RatingFilter, options: FilterOptions, lang: str) -> None:
    """Excel (formatted, with a sheet describing the filters) and CSV (UTF-8 with BOM) of the filtered rows;
    the files are built only when a button is pressed."""
    cat = catalogue()
    headers: Headers = "en" if lang == "en" else "vi"
    described = {**chosen.describe(cat, options.unit_names, lang), t("basis.choose", lang): [chosen_basis().label(lang)]}
    stamp = local_today().isoformat()
    empty = shown.empty
    actor = require(auth.current_actor(), Role.STAFF, "export raw data")

    def logged(fmt: str) -> None:
        audit.record_now(get_store().engine, actor, "export", target=fmt,
                         details={"what": "ratings", "rows": len(shown), "filters": chosen.to_json()})

    def excel() -> bytes:
        logged("xlsx")
        return xlsx_bytes(export_frame(shown, lang, cat, registry=registry(), lineage=get_store().lineage), described,
                          headers=headers, catalogue=cat)

    def csv(variant: str) -> Callable[[], bytes]:
        def build() -> bytes:
            logged("csv" if variant == "standard" else f"csv ({variant})")
            return csv_bytes(export_frame(shown, lang, cat, registry=registry(), lineage=get_store().lineage),
                             headers=headers, separator=CSV_SEPARATORS[variant])
        return build

    row = st.container(horizontal=True)
    row.download_button(t("export.excel", lang), data=auth.guarded(excel, actor=actor, what="ratings.xlsx", needed=Role.STAFF), file_name=t("export.file", lang, date=stamp, ext="xlsx"),
                        mime=XLSX_MIME, on_click="ignore", icon=":material/table:", disabled=empty,
                        type="primary", key="export_xlsx", help=t("export.excel_help", lang))
    row.download_button(t("export.csv_vn", lang), data=auth.guarded(csv("excel-vn"), actor=actor, what="ratings.csv", needed=Role.STAFF), file_name=t("export.file_vn", lang, date=stamp),
                        mime="text/csv", on_click="ignore", icon=":material/download:", disabled=empty,
                        key="export_csv_vn", help=t("export.csv_vn_help", lang))
    row.download_button(t("export.csv", lang), data=auth.guarded(csv("standard"), actor=actor, what="ratings.csv", needed=Role.STAFF), file_name=t("export.file", lang, date=stamp, ext="csv"),
                        mime="text/csv", on_click="ignore", icon=":material/download:", disabled=empty,
                        key="export_csv", help=t("export.csv_help", lang))
