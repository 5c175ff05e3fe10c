"""The Data & export page: the filters decide what the tables and both downloads contain."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter
from streamlit.testing.v1 import AppTest

from lgqa_metrics.domain import formatting
from lgqa_metrics.store.audit import audit_log
from lgqa_metrics.store.database import Store
from lgqa_metrics.ui.components import PAGE_ROWS
from tests.ui.conftest import open_app
from tests.ui.downloads import Downloads, downloads

__all__ = ["downloads"]


def _files(downloads: Downloads) -> tuple[str, str]:
    """The Excel and CSV files of the last run."""
    xlsx = next(n for n in reversed(downloads.names()) if n.endswith(".xlsx"))
    csv = next(n for n in reversed(downloads.names()) if n.endswith(".csv"))
    return xlsx, csv


def _excel(downloads: Downloads) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(downloads.read(_files(downloads)[0])))


def _csv(downloads: Downloads) -> pd.DataFrame:
    data = downloads.read(_files(downloads)[1])
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark"
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")


def _open_data() -> AppTest:
    at = open_app("app_pages/data.py")
    assert not at.exception, at.exception
    return at


def test_the_page_is_titled_data_and_export_and_says_how_to_get_data_when_empty() -> None:
    at = _open_data()
    assert at.title[0].value == "Dữ liệu & xuất"
    assert "Nộp báo cáo" in at.info[0].value
    assert not at.get("download_button")


def test_without_filters_the_export_holds_every_current_rating(pilot: Store, downloads: Downloads) -> None:
    at = _open_data()
    assert at.dataframe[1].value.shape[0] == PAGE_ROWS, "a long table shows one page at a time"
    assert f"Dòng 1–{PAGE_ROWS} trong {7 * 39}" in " ".join(c.value for c in at.caption), "and says of how many"
    book = _excel(downloads)
    data = book["Dữ liệu"]
    assert data.max_row == 1 + 7 * 39
    assert data["A1"].value == "Mã đơn vị" and data.freeze_panes == "A2" and data.auto_filter.ref
    filters = {r[0]: r[1] for r in book["Bộ lọc"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert filters["Năm"] == "(tất cả)" and filters["Số dòng"] == 7 * 39
    assert len(_csv(downloads)) == 7 * 39


def test_filters_narrow_the_tables_and_both_exports(pilot: Store, downloads: Downloads) -> None:
    at = _open_data()
    at.multiselect(key="filter_years").set_value([2022]).run()
    at.multiselect(key="filter_unit_types").set_value(["quan", "xa"]).run()
    at.multiselect(key="filter_quadrants").set_value([1]).run()
    at.multiselect(key="filter_ratings").set_value(["red", "green"]).run()
    assert not at.exception, at.exception
    shown = at.dataframe[1].value
    assert set(shown["Năm"]) == {2022} and set(shown["Đơn vị"]) == {"Quận Lê Chân", "Xã An Thắng"}
    assert set(shown["Kết quả"]) <= {"Đỏ", "Xanh lá"} and set(shown["Mã"]) <= {f"1.{n}" for n in range(1, 11)}

    sheet = _excel(downloads)["Dữ liệu"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(rows) == len(shown) > 0
    assert {r["Năm"] for r in rows} == {2022} and {r["Góc phần tư"] for r in rows} == {1}
    assert {r["Kết quả"] for r in rows} <= {"red", "green"}
    red = next(c for c in sheet[get_column_letter(header.index("Kết quả") + 1)] if c.value == "red")
    assert red.fill.fgColor.rgb.endswith("E00613"), "rating cells carry the scale's colour"
    filters = {r[0]: r[1] for r in _excel(downloads)["Bộ lọc"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert filters["Năm"] == "2022" and filters["Loại đơn vị"] == "Quận, Xã"
    assert filters["Kết quả"] == "Xanh lá, Đỏ" and filters["Đơn vị"] == "(tất cả)"

    csv = _csv(downloads)
    assert len(csv) == len(rows) and set(csv["Năm"]) == {2022}


def test_choosing_quadrants_limits_the_indicator_choices(pilot: Store) -> None:
    at = _open_data()
    assert len(at.multiselect(key="filter_indicators").options) == 39
    at.multiselect(key="filter_indicators").set_value(["1.2", "4.9"]).run()
    at.multiselect(key="filter_quadrants").set_value([4]).run()
    assert not at.exception, at.exception
    indicators = at.multiselect(key="filter_indicators")
    assert len(indicators.options) == 9
    assert indicators.value == ["4.9"], "a choice outside the quadrants is dropped"
    assert set(at.dataframe[1].value["Mã"]) == {"4.9"}


def test_a_unit_choice_and_english_headers(pilot: Store, downloads: Downloads) -> None:
    at = _open_data()
    at.multiselect(key="filter_units").set_value(["p-cat-dai"]).run()
    at.radio(key="lang").set_value("en").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Data & export"
    assert set(at.dataframe[1].value["Unit"]) == {"Phường Cát Dài"}
    book = _excel(downloads)
    assert book.sheetnames == ["Data", "Filters"]
    assert book["Data"]["B1"].value == "Unit"
    csv = _csv(downloads)
    assert set(csv["Unit id"]) == {"p-cat-dai"} and len(csv) == 39


def test_no_match_warns_and_disables_the_downloads(pilot: Store) -> None:
    at = _open_data()
    at.multiselect(key="filter_units").set_value(["p-cat-dai"]).run()
    at.multiselect(key="filter_years").set_value([2022]).run()
    assert not at.exception, at.exception
    assert at.warning[0].value == "Không có dòng nào khớp bộ lọc."
    assert all(b.disabled for b in at.get("download_button"))
    assert not at.dataframe


def test_filter_choices_are_kept_when_moving_between_pages(pilot: Store) -> None:
    at = _open_data()
    at.multiselect(key="filter_ratings").set_value(["red"]).run()
    at.switch_page("app_pages/overview.py").run()
    at.switch_page("app_pages/data.py").run()
    assert at.multiselect(key="filter_ratings").value == ["red"]


def test_each_export_is_recorded_in_the_audit_trail(pilot: Store, downloads: Downloads) -> None:
    _open_data()
    _excel(downloads)
    _csv(downloads)
    log = audit_log(pilot.engine, actions=["export"])
    assert sorted(log["target"]) == ["csv", "xlsx"] and set(log["actor"]) == {"test-staff"}
    assert all('"rows": 273' in d for d in log["details"])


def test_the_table_and_both_files_carry_each_rating_s_evidence_and_note(pilot: Store, downloads: Downloads) -> None:
    """The analysis frame holds no text; the page fetches it for the rows it shows and exports."""
    at = _open_data()
    table = at.dataframe[1].value
    assert "QĐ số 1.10/QĐ-UBND" in set(table["Minh chứng"])
    stored = pilot.ratings()
    noted = int((stored["note"] == "giải trình").sum())
    assert noted > PAGE_ROWS and not stored["evidence"].str.contains("giải trình").any()
    at.text_input(key="data_rows_search").input("GIAI TRINH").run()  # typed without accents, in capitals
    found = at.dataframe[1].value
    assert (found["Ghi chú"] == "giải trình").all() and len(found) == PAGE_ROWS
    assert f"trong {noted} dòng tìm thấy (bảng có {len(stored)} dòng)" in " ".join(c.value for c in at.caption)
    csv = _csv(downloads)
    assert set(csv["Minh chứng"]) == set(stored["evidence"])
    data = _excel(downloads)["Dữ liệu"]
    header = [c.value for c in data[1]]
    column = header.index("Minh chứng") + 1
    assert {data.cell(row=r, column=column).value for r in range(2, data.max_row + 1)} == set(stored["evidence"])


def test_a_csv_for_vietnamese_excel_is_offered_beside_the_standard_one_and_says_which_to_choose(
        pilot: Store, downloads: Downloads) -> None:
    at = _open_data()
    buttons = {b.key: b for b in at.get("download_button")}
    assert "Excel" in buttons["export_csv_vn"].proto.help and "chấm phẩy" in buttons["export_csv_vn"].proto.help
    assert "một cột" in buttons["export_csv"].proto.help, "the standard one says when to take the other"
    name = next(n for n in reversed(downloads.names()) if n.endswith("_excel-vn.csv"))
    data = downloads.read(name)
    assert data.startswith(b"\xef\xbb\xbf")
    vn = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", sep=";")
    pd.testing.assert_frame_equal(vn, _csv(downloads))
    log = audit_log(pilot.engine, actions=["export"])
    assert "csv (excel-vn)" in set(log["target"])


def test_export_file_names_carry_the_date_in_vietnam_not_the_servers(pilot: Store, downloads: Downloads,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """At 01:30 on New Year's Day in Hai Phong the server's UTC clock still reads the old year."""
    monkeypatch.setattr(formatting, "utc_now", lambda: dt.datetime(2026, 12, 31, 18, 30, tzinfo=dt.UTC))
    _open_data()
    names = downloads.names()
    assert len(names) == 3 and all("2027-01-01" in n for n in names), names
