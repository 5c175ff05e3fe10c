"""Reusable page blocks: shared filters, empty state, headline metrics, legend."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import pandas as pd
import streamlit as st

from lgqa_metrics.analysis import numbers, scope
from lgqa_metrics.analysis.analytics import (
    SUBSTANTIALLY_IN,
    Headline,
    YearStatus,
    default_year,
    unit_order,
    units_in_both,
)
from lgqa_metrics.analysis.charts import SYMBOLS
from lgqa_metrics.analysis.filters import rows_matching, type_label
from lgqa_metrics.analysis.lineage import BaselineRule, Carried, carried_note, followed_units
from lgqa_metrics.domain.basis import Basis
from lgqa_metrics.domain.catalogue import Catalogue, Indicator
from lgqa_metrics.domain.evidence import status_labels
from lgqa_metrics.domain.formatting import number, percent
from lgqa_metrics.domain.i18n import t
from lgqa_metrics.domain.ratings import Rating
from lgqa_metrics.domain.roles import Actor
from lgqa_metrics.domain.units import REPORTING_TYPES
from lgqa_metrics.services import shared
from lgqa_metrics.ui import account, auth, figures, navigation, state
from lgqa_metrics.ui.data import catalogue, chosen_basis, current_ratings, get_store, registry


def page(title_key: str) -> tuple[str, Actor | None]:
    """The start of every page: the role the navigation gives this page (checked again here, so a page reached
    another way still refuses), the title. Returns the language and the actor."""
    lang = state.lang()
    role = navigation.role_of(title_key)
    st.title(t(title_key, lang))
    if role is None:
        return lang, auth.current_actor()
    actor = auth.page_actor(role)
    if actor is None:
        account.refuse(role, lang)
        st.stop()
    return lang, actor


def analysis_page(title_key: str) -> tuple[str, pd.DataFrame]:
    """The start of every analysis page (see :func:`page`): the choice of the ratings counted, the current ratings
    counted on it, and a line saying which they are; on an empty store the page shows how to load data and stops
    there."""
    lang, _ = page(title_key)
    basis_select(lang, st.sidebar)
    ratings = current_ratings()
    if empty_state(ratings, lang) and chosen_basis() is not Basis.APPRAISED:
        st.stop()
    basis_caption(lang)
    if ratings.empty:  # appraised only, and nothing appraised yet
        st.stop()
    return lang, ratings


def basis_select(lang: str, where: object = st) -> Basis:
    """The sidebar's choice of the ratings every figure and export counts (kept across pages)."""
    options = [b.value for b in Basis]
    _valid_choice(state.BASIS, options, Basis.COMBINED.value)
    where.radio(t("basis.choose", lang), options, key=state.BASIS,  # type: ignore[attr-defined]
                format_func=lambda v: Basis(v).label(lang), help=t("basis.help", lang))
    return chosen_basis()


def basis_caption(lang: str) -> None:
    """Which ratings the page's figures count, and how many current returns have been appraised."""
    held = shared.overlay()
    chosen = chosen_basis()
    key = "basis.none_appraised" if chosen is Basis.APPRAISED and not held.accepted else f"basis.caption_{chosen.value}"
    st.caption(t(key, lang, appraised=number(len(held.accepted), lang), returns=number(held.returns, lang)))


def empty_state(ratings: pd.DataFrame, lang: str) -> bool:
    """Show how to get data in when the store is empty; True when it is."""
    if not ratings.empty:
        return False
    st.info(t("empty.body", lang))
    return True


def select_all(lang: str) -> bool:
    """Whether a multi-choice offers Streamlit's own "Select all" (and "Select N matches") at the top of its list:
    in English only. Its words are written into Streamlit's frontend, which no app can translate, so Vietnamese
    lists leave the entry out; choosing none already means all, as the empty box says ("Tất cả")."""
    return lang == "en"


def _valid_choice(key: str, options: Sequence[object], default: object) -> None:
    if st.session_state.get(key) not in options:
        st.session_state[key] = default


def year_label(status: YearStatus, lang: str) -> str:
    """A year as the year pickers offer it: marked while its returns are still coming in."""
    if not status.receiving:
        return str(status.year)
    return t("year.receiving", lang, year=status.year, received=status.received, expected=status.expected)


def year_select(lang: str, where: object = st) -> int:
    """The shared single-year choice: by default the latest year whose returns are substantially in
    (:func:`lgqa_metrics.analysis.analytics.default_year`); a newer year still being received is offered,
    marked, and says so on the page when chosen."""
    statuses = {s.year: s for s in figures.year_statuses()}
    years = list(statuses)
    _valid_choice(state.YEAR, years, default_year(list(statuses.values())))
    year = int(where.selectbox(t("filter.year", lang), years, key=state.YEAR,  # type: ignore[attr-defined]
                               format_func=lambda y: year_label(statuses[y], lang)))
    receiving_note(statuses[year], lang)
    return year


def receiving_note(status: YearStatus, lang: str) -> None:
    """On a page showing a year still being received: how many returns are in, and that figures will move."""
    if status.receiving:
        st.info(t("year.receiving_note", lang, year=status.year, received=number(status.received, lang),
                  expected=number(status.expected, lang), share=percent(SUBSTANTIALLY_IN, lang, decimals=0)))


def unit_select(units: pd.DataFrame, lang: str, where: object = st, default_all: bool = True) -> list[str]:
    """The shared multi-unit choice, labelled by unit name; empty means all."""
    ids = list(units["unit_id"])
    names = dict(zip(units["unit_id"], units["unit_name"], strict=True))
    current = [u for u in st.session_state.get(state.UNITS, []) if u in ids]
    st.session_state[state.UNITS] = current
    chosen = where.multiselect(t("filter.units", lang), ids, key=state.UNITS,  # type: ignore[attr-defined]
                               format_func=lambda u: names[u], placeholder=t("filter.all", lang),
                               select_all=select_all(lang))
    return list(chosen) or (ids if default_all else [])


def lineage_select(units: Sequence[str], lang: str, where: object = st) -> BaselineRule | None:
    """Whether the chosen units follow lineage, and by which rule several predecessors become one baseline:
    offered only when one of ``units`` has predecessors (on by default; the worst rating by default). None when
    lineage is not followed."""
    if not followed_units(units, get_store().lineage):
        return None
    st.session_state.setdefault(state.LINEAGE_FOLLOW, True)
    if not where.toggle(t("lineage.follow", lang), key=state.LINEAGE_FOLLOW,  # type: ignore[attr-defined]
                        help=t("lineage.follow_help", lang)):
        return None
    options = [r.value for r in BaselineRule]
    _valid_choice(state.LINEAGE_RULE, options, BaselineRule.WORST.value)
    chosen = where.radio(t("lineage.rule", lang), options, key=state.LINEAGE_RULE,  # type: ignore[attr-defined]
                         format_func=lambda v: BaselineRule(v).label(lang),
                         captions=[BaselineRule(v).explanation(lang) for v in options])
    return BaselineRule(chosen)


def carried_caption(carried: Sequence[Carried], rule: BaselineRule, lang: str) -> None:
    """Under charts that follow lineage: that they do, and which predecessors each unit's earlier years stand on."""
    if carried:
        st.caption(t("lineage.carried_title", lang) + "\n" + carried_note(carried, registry(), rule, lang))


def lineage_change_note(carried: Sequence[Carried], rule: BaselineRule | None, year_from: int, year_to: int,
                        lang: str) -> None:
    """Under a comparison of two years: which units it compares through lineage (their earlier year is their
    predecessors'), and by which rule."""
    across = [c.unit_id for c in carried if year_from in c.years and year_to not in c.years]
    if rule is not None and across:
        names = ", ".join(registry().name_of(u, lang) for u in across)
        st.caption(t("lineage.change_note", lang, units=names, year_from=year_from, year_to=year_to,
                     rule=rule.label(lang)))


#: At most this many units get their lineage drawn under the Trends charts.
LINEAGE_GRAPHS: Final = 3


def lineage_graphs(units: Sequence[str], lang: str) -> None:
    """The lineage of each chosen unit that has one, as a small graph (when at most :data:`LINEAGE_GRAPHS` units
    are chosen)."""
    links = get_store().lineage
    related = [u for u in units if links.involves(u)]
    if not related or len(units) > LINEAGE_GRAPHS:
        return
    for uid in related:
        st.plotly_chart(figures.lineage_graph(uid, lang), key=f"lineage_{uid}")


def type_select(lang: str, where: object = st) -> list[str]:
    """The shared unit-type choice; empty means all."""
    types = [u.value for u in REPORTING_TYPES]
    st.session_state[state.UNIT_TYPES] = [v for v in st.session_state.get(state.UNIT_TYPES, []) if v in types]
    chosen = where.multiselect(t("filter.unit_types", lang), types, key=state.UNIT_TYPES,  # type: ignore[attr-defined]
                               format_func=lambda v: type_label(v, lang), placeholder=t("filter.all", lang),
                               select_all=select_all(lang))
    return list(chosen) or types


def headline_metrics(head: Headline, lang: str) -> None:
    """Returns received of expected and the colour shares with their change against last year."""
    cols = st.columns(4)
    cols[0].metric(t("overview.received", lang), f"{number(head.received, lang)} / {number(head.expected, lang)}",
                   help=t("overview.received_help", lang))
    scale = catalogue().scale
    for col, rating in zip(cols[1:], (Rating.GREEN, Rating.YELLOW, Rating.RED), strict=True):
        delta = percent(head.change[rating.value], lang, signed=True) if head.change else None
        col.metric(t("overview.share_of", lang, label=scale[rating].label(lang)),
                   percent(head.shares[rating.value], lang), delta,
                   delta_color="inverse" if rating is Rating.RED else "normal")
    if head.change:
        st.caption(t("overview.vs_year", lang, year=head.previous_year, units=head.compared))


def legend_caption(lang: str) -> None:
    """One line explaining the colours and the letters drawn on them."""
    scale = catalogue().scale
    parts = [f"**{SYMBOLS[lang][r.value]}** {scale[r].label(lang)}" for r in Rating]
    st.caption(t("legend.prefix", lang) + " · ".join(parts))




def ranking_table(ranking: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The ranking with localised headers, in display order."""
    cols = ["rank", "unit_name", "unit_type", "index", "tier", "green", "yellow", "red", "na", "missing",
            "evidenced_share", "appraisal"]
    appraised = ranking["appraised"] if "appraised" in ranking else pd.Series(False, index=ranking.index)
    statuses = [t("appraisal.yes" if v else "appraisal.no", lang) for v in appraised.fillna(False)]
    shown = ranking.assign(appraisal=statuses).reindex(columns=cols)
    shown = shown.assign(unit_type=[type_label(v, lang) for v in ranking["unit_type"]], index=ranking["index"].round(1))
    return shown.rename(columns={c: t(f"col.{c}", lang) for c in cols})


def group_table(groups: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Group averages by unit type with localised headers."""
    cols = ["unit_type", "units", "index_mean", "index_min", "index_max"]
    shown = groups[cols].assign(unit_type=[type_label(v, lang) for v in groups["unit_type"]],
                                index_mean=groups["index_mean"].round(1), index_min=groups["index_min"].round(1),
                                index_max=groups["index_max"].round(1))
    return shown.rename(columns={c: t(f"col.{c}", lang) for c in cols})


def year_pair(lang: str) -> tuple[int, int]:
    """Two years to compare, kept across pages: by default the year pages open on
    (:func:`lgqa_metrics.analysis.analytics.default_year`) and the one before it."""
    statuses = {s.year: s for s in figures.year_statuses()}
    years = list(statuses)
    latest = years.index(default_year(list(statuses.values())))
    _valid_choice(state.YEAR_FROM, years, years[max(latest - 1, 0)])
    _valid_choice(state.YEAR_TO, years, years[max(latest, 1)])
    left, right = st.columns(2)
    year_from = left.selectbox(t("trends.year_from", lang), years, key=state.YEAR_FROM,
                               format_func=lambda y: year_label(statuses[y], lang))
    year_to = right.selectbox(t("trends.year_to", lang), years, key=state.YEAR_TO,
                              format_func=lambda y: year_label(statuses[y], lang))
    for year in sorted({int(year_from), int(year_to)}):
        receiving_note(statuses[year], lang)
    return int(year_from), int(year_to)


def compared_note(ratings: pd.DataFrame, year_from: int, year_to: int, lang: str) -> None:
    """Under a comparison of two years: how many units of ``ratings`` it compares (those with a return in both
    years), and how many it leaves out (a return in one of the two only)."""
    both, one_only = units_in_both(ratings, year_from, year_to)
    note = t("trends.compared", lang, units=number(both, lang), year_from=year_from, year_to=year_to)
    if one_only:
        note += " " + t("trends.one_year_only", lang, units=number(one_only, lang))
    st.caption(note)


def change_summary_table(summary: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Improved / declined / unchanged counts per unit with localised headers."""
    cols = ["unit_name", "unit_type", "improved", "declined", "unchanged", "not_comparable", "net"]
    shown = summary[cols].assign(unit_type=[type_label(v, lang) for v in summary["unit_type"]])
    return shown.rename(columns={c: t(f"col.{c}", lang) for c in cols})


def change_detail_table(detail: pd.DataFrame, cat: Catalogue, lang: str) -> pd.DataFrame:
    """Each upgrade and downgrade with both ratings as labels."""
    labels = {r.value: f"{SYMBOLS[lang][r.value]} {cat.scale[r].label(lang)}" for r in Rating}
    names = {i.code: i.name(lang) for i in cat.indicators}
    cols = ["unit_name", "indicator_code", "indicator_name", "rating_from", "rating_to", "change", "note"]
    shown = detail.assign(indicator_name=detail["indicator_code"].map(names),
                          rating_from=detail["rating_from"].map(labels), rating_to=detail["rating_to"].map(labels),
                          change=[t(f"col.{v}", lang) for v in detail["change"]])[cols]
    return shown.rename(columns={c: t(f"col.{c}", lang) for c in cols})


def indicator_select(cat: Catalogue, lang: str, where: object = st) -> Indicator:
    """The indicator shown on the Indicator page, kept across pages."""
    codes = list(cat.codes)
    _valid_choice(state.INDICATOR, codes, codes[0])
    code = where.selectbox(t("filter.indicator", lang), codes, key=state.INDICATOR,  # type: ignore[attr-defined]
                           format_func=lambda c: f"{c} · {cat[c].name(lang)}")
    return cat[str(code)]


def indicator_legend(cat: Catalogue, code: str, lang: str) -> None:
    """The legend wording of each colour for one indicator, from the catalogue."""
    lines = [f"- **{SYMBOLS[lang][r.value]} {cat.scale[r].label(lang)}**: {cat.legend(code, r, lang)}"
             for r in (Rating.GREEN, Rating.YELLOW, Rating.RED)]
    st.markdown("\n".join(lines))


def red_units_table(red: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Units rated red with their evidence and notes."""
    cols = ["unit_name", "unit_type", "evidence", "note"]
    shown = red[cols].assign(unit_type=[type_label(v, lang) for v in red["unit_type"]])
    return shown.rename(columns={c: t(f"col.{c}", lang) for c in cols})


def rating_labels(cat: Catalogue, lang: str) -> dict[str, str]:
    """Each rating's value → its letter and words ("X Xanh lá"), as tables show a rating."""
    return {r.value: f"{SYMBOLS[lang][r.value]} {cat.scale[r].label(lang)}" for r in Rating}


def indicator_units_table(ratings: pd.DataFrame, code: str, year: int, cat: Catalogue, lang: str) -> pd.DataFrame:
    """Every unit's rating, evidence status, evidence and note on one indicator in one year."""
    part = ratings[(ratings["indicator_code"] == code) & (ratings["year"] == year)]
    order = {u: i for i, u in enumerate(unit_order_ids(part))}
    part = part.assign(_o=part["unit_id"].map(order)).sort_values("_o")
    statuses = status_labels(lang)
    cols = ["unit_name", "unit_type", "rating_label", "evidence_status", "evidence", "note"]
    shown = part.assign(unit_type=[type_label(v, lang) for v in part["unit_type"]],
                        rating_label=part["rating"].map(rating_labels(cat, lang)),
                        evidence_status=part["evidence_status"].map(statuses))[cols]
    return shown.rename(columns={c: t(f"col.{c}", lang) for c in cols})


def unevidenced_table(unevidenced: pd.DataFrame, cat: Catalogue, lang: str) -> pd.DataFrame:
    """Units whose rating needed evidence and had none, with what they wrote in the evidence cell and the note."""
    cols = ["unit_name", "unit_type", "rating_label", "evidence", "note"]
    shown = unevidenced.assign(unit_type=[type_label(v, lang) for v in unevidenced["unit_type"]],
                               rating_label=unevidenced["rating"].map(rating_labels(cat, lang)))[cols]
    return shown.rename(columns={c: t(f"col.{c}", lang) for c in cols})


def unit_order_ids(ratings: pd.DataFrame) -> list[str]:
    """Unit ids in display order (type, then name)."""
    return list(unit_order(ratings)["unit_id"])


def scope_select(ratings: pd.DataFrame, lang: str, where: object = st, year: int | None = None) -> scope.Scope:
    """The shared province / district choice, offered only when there are too many units to show one
    by one (see :mod:`lgqa_metrics.analysis.scope`); otherwise everything is in scope. With a ``year``, the areas
    offered are those of that year (no districts after the 2025 reorganisation)."""
    if not scope.summarised(ratings):
        return scope.Scope()
    reg = registry()
    present = figures.areas(year)
    provinces = [p for p in present if p]
    province = ""
    if provinces:
        _valid_choice(state.PROVINCE, ["", *provinces], "")
        province = str(where.selectbox(  # type: ignore[attr-defined]
            t("scope.province", lang), ["", *provinces], key=state.PROVINCE,
            format_func=lambda p: reg.name_of(p, lang) if p else t("scope.country", lang)))
    district = ""
    districts = present.get(province, []) if province or not provinces else []
    if districts:  # none after the 2025 reform: communes belong to their province directly
        _valid_choice(state.DISTRICT, ["", *districts], "")
        district = str(where.selectbox(  # type: ignore[attr-defined]
            t("scope.district", lang), ["", *districts], key=state.DISTRICT,
            format_func=lambda d: reg.name_of(d, lang) if d else t("scope.all_districts", lang)))
    return scope.Scope(province, district)


def scope_caption(where: scope.Scope, lang: str) -> str:
    """The scope in words ("Tỉnh A › Huyện B", or the whole country)."""
    reg = registry()
    parts = [reg.name_of(a, lang) for a in (where.province, where.district) if a]
    return " › ".join(parts) or t("scope.country", lang)


def area_table(areas: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Areas of a summarised view, worst index first, with localised headers."""
    cols = ["area", "units", "index", "green_share", "red", "yellow", "green"]
    shown = areas[cols].assign(index=areas["index"].round(1))
    return shown.rename(columns={c: t(f"col.{c}", lang) for c in cols})


def placed_ranking_table(ranked: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A ranking (see :func:`ranking_table`) with each unit's district and province beside its name."""
    shown = ranking_table(ranked, lang)
    shown.insert(2, t("col.district", lang), ranked["district"].to_numpy())
    shown.insert(3, t("col.province", lang), ranked["province"].to_numpy())
    return shown


def unit_follow(lang: str, where: object = st) -> list[str]:
    """At national scale, where no list holds every unit: units found by name (a search, then a choice among at
    most :data:`~lgqa_metrics.analysis.scope.FOLLOW_HITS` hits) to follow one by one; empty when none is chosen."""
    reg = registry()
    text = where.text_input(t("trends.follow_search", lang), key=state.TREND_FIND,  # type: ignore[attr-defined]
                            placeholder=t("scope.search_hint", lang), max_chars=100)
    kept = [u for u in st.session_state.get(state.TREND_UNITS, []) if u in reg]
    options = list(dict.fromkeys([*kept, *figures.found_units(text)]))
    st.session_state[state.TREND_UNITS] = kept
    if not options:
        return []
    chosen = where.multiselect(t("trends.follow_units", lang), options, key=state.TREND_UNITS,  # type: ignore[attr-defined]
                               format_func=lambda u: f"{reg.name_of(u, lang)} ({u})",
                               placeholder=t("trends.follow_none", lang))
    return [str(u) for u in chosen]


def unit_search(ranked: pd.DataFrame, lang: str) -> None:
    """Find units by name among a ranked table (at national scale, where no list shows them all)."""
    text = st.text_input(t("scope.search", lang), key=state.UNIT_SEARCH, placeholder=t("scope.search_hint", lang),
                         max_chars=100)
    if not text.strip():
        return
    hits = scope.search_units(ranked, text)
    if hits.empty:
        st.info(t("scope.no_hit", lang, text=text))
        return
    table(placed_ranking_table(hits, lang), lang, "unit_search_hits")
    if len(hits) == scope.LIST_ROWS:
        st.caption(t("scope.more_hits", lang, n=scope.LIST_ROWS))


#: Rows a table shows at its full height, every row in view; a longer table shows this many a page at a time.
PAGE_ROWS: Final = 50
#: Columns (by message key) of whole numbers written as they are: years and version numbers.
_PLAIN_COLUMNS: Final = ("col.year", "col.version", "submissions.col_year", "submissions.col_version",
                         "batch.col_year", "batch.col_version")
#: Columns (by message key) of shares from 0 to 1, written as percentages.
_PERCENT_COLUMNS: Final = ("col.green_share", "col.evidenced_share", "col.over_share")


def _drawn(frame: pd.DataFrame, lang: str, percents: Sequence[str] | None) -> Any:
    """``frame`` with its numbers written the reader's way (:func:`lgqa_metrics.analysis.numbers.styled`: ``1.234``,
    ``84,2``, ``48,2 %`` in Vietnamese), its values kept so that it still sorts by them: years and versions as
    they are, shares (the columns in ``percents``, by default those headed "green share") as percentages."""
    shares = [t(k, lang) for k in _PERCENT_COLUMNS] if percents is None else percents
    return numbers.styled(frame, lang, percents=shares, plain=[t(k, lang) for k in _PLAIN_COLUMNS])


def table(frame: pd.DataFrame, lang: str, key: str, column_config: dict[str, Any] | None = None,
          percents: Sequence[str] | None = None) -> None:
    """A table with every row in view (no scroll box hiding the last ones) up to :data:`PAGE_ROWS` rows; a
    longer one a page at a time, with a search over its text and the count of rows shown, found and in all.
    Numbers are written the reader's way (see :func:`_drawn`)."""
    if len(frame) <= PAGE_ROWS:
        st.dataframe(_drawn(frame, lang, percents), hide_index=True, key=key, height="content",
                     column_config=column_config)
        return
    text = st.text_input(t("table.search", lang), key=f"{key}_search", max_chars=100,
                         placeholder=t("table.search_hint", lang))
    found = rows_matching(frame, text)
    pages = max(1, -(-len(found) // PAGE_ROWS))
    page_no = min(max(int(st.session_state.get(f"{key}_page", 1)), 1), pages)
    st.session_state[f"{key}_page"] = page_no
    st.dataframe(_drawn(found.iloc[(page_no - 1) * PAGE_ROWS: page_no * PAGE_ROWS], lang, percents), hide_index=True,
                 key=key, height="content", column_config=column_config)
    left, right = st.columns([1, 3])
    left.number_input(t("scope.page", lang), min_value=1, max_value=pages, step=1, key=f"{key}_page")
    first, last = (page_no - 1) * PAGE_ROWS + 1, min(page_no * PAGE_ROWS, len(found))
    if found.empty:
        right.caption(t("table.no_match", lang, text=text, total=number(len(frame), lang)))
    elif len(found) < len(frame):
        right.caption(t("table.rows_found", lang, first=number(first, lang), last=number(last, lang),
                        found=number(len(found), lang), total=number(len(frame), lang)))
    else:
        right.caption(t("scope.page_of", lang, first=number(first, lang), last=number(last, lang),
                        total=number(len(frame), lang)))
