"""AppTest smoke tests of every page, and flow tests of the analysis pages."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pytest
from streamlit import dataframe_util

from lgqa_metrics.domain.formatting import number
from lgqa_metrics.domain.i18n import t
from lgqa_metrics.services.ingest import ingest_bytes
from lgqa_metrics.store.database import Store
from lgqa_metrics.ui import state
from tests.support.returns import filled_template, pattern
from tests.ui.conftest import PAGES, open_app


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_an_empty_store_without_exception(page: str) -> None:
    at = open_app(page)
    assert not at.exception, at.exception
    assert at.title, "every page has a title"


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_stored_returns_in_both_languages(pilot: Store, page: str) -> None:
    at = open_app(page)
    assert not at.exception, at.exception
    at.radio(key="lang").set_value("en").run()
    assert not at.exception, at.exception


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_the_bundled_demo_data(demo: str, page: str) -> None:
    at = open_app(page)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def test_overview_on_the_demo_opens_on_2025_and_counts_the_returns_of_each_year(demo: str) -> None:
    """The demo's latest year is 2025, after the reorganisation: the six successors answer for it; in 2023 the
    twelve pilot units did."""
    at = open_app("app_pages/overview.py")
    assert at.selectbox(key=state.YEAR).value == 2025 and at.metric[0].value == "6 / 6"
    at.selectbox(key=state.YEAR).set_value(2023).run()
    assert at.metric[0].value == "12 / 12"


def test_analysis_pages_on_an_empty_store_say_how_to_load_data() -> None:
    for page in ("app_pages/overview.py", "app_pages/compare.py", "app_pages/trends.py", "app_pages/indicator.py"):
        at = open_app(page)
        assert "demo" in at.info[0].value


def test_overview_headline_counts_returns_and_matrix_has_the_units(pilot: Store) -> None:
    at = open_app("app_pages/overview.py")
    assert at.metric[0].value == "4 / 12"
    charts = at.get("plotly_chart")
    assert len(charts) == 2
    at.selectbox(key="year").set_value(2022).run()
    assert at.metric[0].value == "3 / 12"
    assert not at.exception


def test_year_choice_is_shared_between_pages(pilot: Store) -> None:
    at = open_app("app_pages/overview.py")
    at.selectbox(key="year").set_value(2022).run()
    at.switch_page("app_pages/compare.py").run()
    assert at.selectbox(key="year").value == 2022
    assert any("2022" in caption.value for caption in at.caption)


def test_compare_ranks_units_and_type_filter_narrows_them(pilot: Store) -> None:
    at = open_app("app_pages/compare.py")
    ranking = at.dataframe[0].value
    assert set(ranking["Đơn vị"]) == {"Quận Lê Chân", "Xã An Thắng", "Huyện Vĩnh Bảo", "Phường Cát Dài"}
    assert list(ranking["Hạng"]) == sorted(ranking["Hạng"])
    at.multiselect(key="filter_unit_types").set_value(["xa"]).run()
    assert set(at.dataframe[0].value["Đơn vị"]) == {"Xã An Thắng"}


def test_trends_list_changes_between_the_two_years(pilot: Store) -> None:
    at = open_app("app_pages/trends.py")
    assert not at.exception
    summary = at.dataframe[0].value.set_index("Đơn vị")
    before, after = pattern(2), pattern(0)
    rank = {"red": 0, "yellow": 1, "green": 2}
    improved = sum(1 for c in before if c in after and before[c] in rank and after[c] in rank
                   and rank[after[c]] > rank[before[c]])
    assert summary.loc["Quận Lê Chân", "Cải thiện"] == improved
    detail = at.dataframe[1].value
    assert len(detail) == int(summary[["Cải thiện", "Giảm"]].to_numpy().sum())


def test_indicator_page_lists_red_units_with_evidence(pilot: Store) -> None:
    at = open_app("app_pages/indicator.py")
    red_code = next(c for c, v in pattern(2).items() if v == "red")
    at.selectbox(key="indicator_code").set_value(red_code).run()
    at.selectbox(key="year").set_value(2023).run()
    red = at.dataframe[0].value
    assert "Xã An Thắng" in set(red["Đơn vị"])
    assert f"QĐ số {red_code}/QĐ-UBND" in set(red["Minh chứng"])


@pytest.mark.parametrize("page", ["app_pages/compare.py", "app_pages/trends.py", "app_pages/data.py",
                                  "app_pages/audit.py"])
def test_multi_choices_offer_streamlit_s_english_select_all_only_in_english(pilot: Store, page: str) -> None:
    """Streamlit's "Select all" is English written into its frontend: the Vietnamese interface leaves it out."""
    at = open_app(page)
    assert at.multiselect, "the page has multi-choices"
    assert all(m.proto.select_all == 0 for m in at.multiselect), [m.label for m in at.multiselect]
    at.radio(key="lang").set_value("en").run()
    assert all(m.proto.select_all != 0 for m in at.multiselect)


def _drawn(table: Any) -> pd.DataFrame:
    """The text a table's cells are drawn with (its Styler's display values), beside ``table.value``."""
    return dataframe_util.convert_arrow_bytes_to_pandas_df(table.proto.arrow_data.styler.display_values)


@pytest.mark.parametrize(("lang", "decimal", "thousands", "marks"), [("vi", ",", ".", ",."), ("en", ".", ",", ".,")])
def test_tables_and_charts_write_numbers_the_reader_s_way(pilot: Store, lang: str, decimal: str, thousands: str,
                                                          marks: str) -> None:
    at = open_app("app_pages/compare.py")
    at.radio(key="lang").set_value(lang).run()
    ranking = at.dataframe[0]
    column = t("col.index", lang)
    drawn, values = _drawn(ranking)[column], ranking.value[column]
    assert list(drawn) == [number(v, lang, 1) for v in values], "one decimal, the language's mark"
    assert any(decimal in text for text in drawn) and not any(thousands in text for text in drawn)
    assert values.dtype.kind == "f", "the cells keep their numbers: the column still sorts by value"
    for chart in at.get("plotly_chart"):
        assert json.loads(chart.proto.spec)["layout"]["separators"] == marks
    groups = json.loads(at.get("plotly_chart")[1].proto.spec)
    assert ("40 %" if lang == "vi" else "40%") in groups["layout"]["yaxis"]["ticktext"]


def test_the_data_page_writes_its_counts_and_shares_the_reader_s_way(pilot: Store) -> None:
    at = open_app("app_pages/data.py")
    assert "**273** dòng khớp bộ lọc (trên tổng số 273)" in at.markdown[0].value
    summary = next(d for d in at.dataframe if t("col.green_share", "vi") in d.value.columns)
    bar = json.loads(summary.proto.columns)[t("col.green_share", "vi")]
    assert bar["type_config"]["format"] == "%.0f %%" and bar["type_config"]["max_value"] == 100
    assert list(_drawn(summary)[t("col.year", "vi")]) == [str(y) for y in summary.value[t("col.year", "vi")]], \
        "years are written without a thousands separator"
    at.radio(key="lang").set_value("en").run()
    summary = next(d for d in at.dataframe if t("col.green_share", "en") in d.value.columns)
    assert json.loads(summary.proto.columns)[t("col.green_share", "en")]["type_config"]["format"] == "%.0f%%"


def test_ratings_sent_without_evidence_are_listed_on_the_indicator_page_and_counted_in_the_ranking(pilot: Store) -> None:
    ingest_bytes(pilot, filled_template("p-cat-dai", 2023, pattern(1), "Không có"), "cat-dai-v2.xlsx")
    green_code = next(c for c, v in pattern(1).items() if v == "green")
    at = open_app("app_pages/indicator.py")
    at.selectbox(key="indicator_code").set_value(green_code).run()
    at.selectbox(key="year").set_value(2023).run()
    listed = [d.value for d in at.dataframe if "Tình trạng minh chứng" not in d.value.columns
              and "Kết quả" in d.value.columns]
    assert [list(f["Đơn vị"]) for f in listed] == [["Phường Cát Dài"]]
    assert list(listed[0]["Minh chứng"]) == ["Không có"]
    every = next(d.value for d in at.dataframe if "Tình trạng minh chứng" in d.value.columns).set_index("Đơn vị")
    assert every.loc["Phường Cát Dài", "Tình trạng minh chứng"] == "Thiếu minh chứng"
    assert every.loc["Quận Lê Chân", "Tình trạng minh chứng"] in {"Có minh chứng", "Không yêu cầu"}
    at.switch_page("app_pages/compare.py").run()
    shares = at.dataframe[0].value.set_index("Đơn vị")["Tỷ lệ có minh chứng"]
    assert shares["Phường Cát Dài"] == 0 and shares["Quận Lê Chân"] == 1


@pytest.mark.parametrize("page", ["app_pages/overview.py", "app_pages/compare.py", "app_pages/trends.py",
                                  "app_pages/indicator.py"])
def test_every_chart_says_under_its_title_which_ratings_it_counts(pilot: Store, page: str) -> None:
    at = open_app(page)
    subtitles = {json.loads(c.proto.spec)["layout"]["title"]["subtitle"]["text"] for c in at.get("plotly_chart")}
    assert subtitles == {"Số liệu: Thẩm định (nếu có), còn lại tự đánh giá"}
    at.radio(key=state.BASIS).set_value("self").run()
    subtitles = {json.loads(c.proto.spec)["layout"]["title"]["subtitle"]["text"] for c in at.get("plotly_chart")}
    assert subtitles == {"Số liệu: Chỉ tự đánh giá"}
