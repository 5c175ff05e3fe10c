"""The Submissions page: completeness grid, version history with originals, and rejected files."""

from __future__ import annotations

import io

import openpyxl

from lgqa_metrics.services.annotate import ISSUES_SHEET
from lgqa_metrics.services.ingest import ingest_bytes
from lgqa_metrics.store.database import Store
from tests.support.returns import filled_template, pattern
from tests.ui.conftest import ROOT, open_app
from tests.ui.downloads import Downloads, downloads

__all__ = ["downloads"]

BAD_SAMPLE = ROOT / "data" / "samples-bad" / "02_tu-danh-gia-la_MinhKhai_TDG_2023.xlsx"


def test_an_empty_store_says_nothing_is_stored_and_nothing_was_rejected() -> None:
    at = open_app("app_pages/submissions.py")
    assert not at.exception, at.exception
    assert at.title[0].value == "Tình hình nộp"
    assert "Nộp báo cáo" in at.info[0].value
    assert at.success[0].value == "Chưa có tệp nào bị từ chối."
    assert not at.selectbox and not at.dataframe


def test_the_grid_shows_versions_received_and_missing_returns(pilot: Store) -> None:
    at = open_app("app_pages/submissions.py")
    assert not at.exception, at.exception
    assert [m.label for m in at.metric] == ["Năm 2022", "Năm 2023"]
    assert [m.value for m in at.metric] == ["3 / 12", "4 / 12"]
    grid = at.dataframe[0].value.set_index("Đơn vị")
    assert list(grid.columns) == ["Loại", "2022", "2023"]
    assert len(grid) == 12
    assert grid.loc["Quận Lê Chân", "2023"] == "v1"
    assert grid.loc["Phường Cát Dài", "2022"] == "Thiếu"
    assert grid.loc["Quận Hồng Bàng", "2023"] == "Thiếu"


def test_history_lists_every_version_with_its_original(pilot: Store, downloads: Downloads) -> None:
    newer = filled_template("q-le-chan", 2023, pattern(4))
    ingest_bytes(pilot, newer, "LeChan_2023_sua.xlsx", uploader="dashboard")
    at = open_app("app_pages/submissions.py")
    assert at.dataframe[0].value.set_index("Đơn vị").loc["Quận Lê Chân", "2023"] == "v2"
    at.selectbox(key="history_unit").set_value("q-le-chan").run()
    at.selectbox(key="history_year").set_value(2023).run()
    assert not at.exception, at.exception
    history = at.dataframe[1].value
    assert list(history["Phiên bản"]) == [2, 1]
    assert list(history["Trạng thái"]) == ["Hiện hành", "Đã thay thế"]
    uploaders = list(history["Người nộp"])
    assert uploaders[0] == "dashboard" and uploaders[1].startswith("cli:"), uploaders
    assert list(history["Tệp"]) == ["LeChan_2023_sua.xlsx", "q-le-chan-2023.xlsx"]
    labels = [b.label for b in at.get("download_button")]
    assert "v2: LeChan_2023_sua.xlsx" in labels and "v1: q-le-chan-2023.xlsx" in labels
    assert downloads.read("LeChan_2023_sua.xlsx") == newer


def test_history_years_follow_the_chosen_unit(pilot: Store) -> None:
    at = open_app("app_pages/submissions.py")
    at.selectbox(key="history_unit").set_value("p-cat-dai").run()
    assert at.selectbox(key="history_year").options == ["2023"]
    assert len(at.dataframe[1].value) == 1


def test_rejected_files_are_listed_with_their_issues_and_a_marked_up_copy(pilot: Store, downloads: Downloads) -> None:
    ingest_bytes(pilot, BAD_SAMPLE.read_bytes(), BAD_SAMPLE.name, uploader="dashboard")
    at = open_app("app_pages/submissions.py")
    assert not at.exception, at.exception
    rejected = at.dataframe[2].value
    assert list(rejected["Tệp"]) == [BAD_SAMPLE.name]
    assert list(rejected["Đơn vị"]) == ["Phường Minh Khai"]
    issues = at.table[0].value
    row = issues[issues["Mã lỗi"] == "`rating_unknown`"].iloc[0]
    assert (row["Trang tính"], row["Ô"]) == ("Tự đánh giá", "D12")
    assert any("1 bị từ chối" in c.value for c in at.caption)
    assert downloads.read(BAD_SAMPLE.name) == BAD_SAMPLE.read_bytes()
    marked = openpyxl.load_workbook(io.BytesIO(downloads.read(BAD_SAMPLE.stem + "_danh-dau-loi.xlsx")))
    assert marked.sheetnames[0] == ISSUES_SHEET
    assert marked["Tự đánh giá"]["D12"].comment is not None


def test_the_page_renders_in_english(pilot: Store) -> None:
    at = open_app("app_pages/submissions.py")
    at.radio(key="lang").set_value("en").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Submissions"
    grid = at.dataframe[0].value.set_index("Unit")
    assert grid.loc["Le Chan District", "2022"] == "v1"
    assert grid.loc["Cat Dai Ward", "2022"] == "Missing"
