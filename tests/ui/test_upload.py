"""The Upload page through AppTest's file uploader: check without storing, confirm, send bad files back."""

from __future__ import annotations

import io

import openpyxl
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from lgqa_metrics.domain.roles import Role
from lgqa_metrics.services.annotate import ISSUES_SHEET
from lgqa_metrics.services.template import DATA_SHEET
from lgqa_metrics.store.database import Store, intake_t, submissions_t
from tests.support import builders
from tests.support.builders import as_words, cycle_ratings, docx_bytes, row_of, word_return
from tests.support.returns import filled_template, pattern
from tests.ui.conftest import ROOT, open_app
from tests.ui.downloads import Downloads, downloads

__all__ = ["downloads"]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BAD_SAMPLE = ROOT / "data" / "samples-bad" / "02_tu-danh-gia-la_MinhKhai_TDG_2023.xlsx"


def _upload(at: AppTest, *files: tuple[str, bytes]) -> AppTest:
    at.file_uploader[0].set_value([(name, data, XLSX) for name, data in files]).run()
    assert not at.exception, at.exception
    return at


def _bad_return() -> bytes:
    words = as_words(cycle_ratings())
    words["1.3"] = "Khá"
    return word_return(words, sheet="Biểu 01")


def test_the_page_offers_a_multi_file_uploader_and_nothing_else_to_check() -> None:
    at = open_app("app_pages/upload.py")
    assert not at.exception
    assert at.title[0].value == "Nộp báo cáo"
    uploader = at.file_uploader[0]
    assert uploader.accept_multiple_files
    assert not at.button, "no confirm button before any file"


def test_a_good_file_is_previewed_and_stored_only_on_confirmation(store: Store) -> None:
    at = _upload(open_app("app_pages/upload.py"), ("LeChan_2023.xlsx", filled_template("q-le-chan", 2023, pattern(0))))
    assert "Quận Lê Chân" in at.success[0].value and "2023" in at.success[0].value
    assert "phiên bản 1" in at.success[0].value
    assert len(at.get("plotly_chart")) == 1, "the preview strip"
    assert [m.value for m in at.metric] == ["1", "1", "0", "0"]
    assert store.count(submissions_t) == 0 and store.count(intake_t) == 0, "a dry run stores nothing"

    at.button(key="upload_confirm").click().run()
    assert not at.exception, at.exception
    assert store.count(submissions_t) == 1
    assert list(store.submissions()["uploader"]) == ["test-staff"], "recorded as the signed-in staff member"
    assert "Đã lưu 1 báo cáo" in at.success[0].value
    assert at.dataframe[0].value.iloc[0]["Kết quả"] == "Đã lưu"
    assert at.file_uploader[0].key == "upload_files_1" and not at.file_uploader[0].value, "the uploader is emptied"
    assert not at.button, "nothing left to confirm"

    at.run()
    assert not at.success, "the outcome is shown once"


def test_charts_show_a_confirmed_upload_without_a_restart(pilot: Store) -> None:
    at = open_app("app_pages/overview.py", role=Role.STAFF)
    at.selectbox(key="year").set_value(2023).run()
    assert at.metric[0].value == "4 / 12"
    at.switch_page("app_pages/upload.py").run()
    _upload(at, ("AnLao_2023.xlsx", filled_template("h-an-lao", 2023, pattern(4))))
    at.button(key="upload_confirm").click().run()
    at.switch_page("app_pages/overview.py").run()
    assert not at.exception, at.exception
    assert at.metric[0].value == "5 / 12"


def test_a_bad_file_shows_its_issues_with_sheet_and_cell_and_stores_nothing(store: Store,
                                                                            downloads: Downloads) -> None:
    data = _bad_return()
    at = _upload(open_app("app_pages/upload.py"), ("BaoCao_HongBang_2023.xlsx", data))
    assert "Bị từ chối" in at.error[0].value
    issues = at.table[0].value
    row = issues[issues["Mã lỗi"] == "`rating_unknown`"].iloc[0]
    assert (row["Trang tính"], row["Ô"], row["Giá trị đọc được"]) == ("Biểu 01", f"D{row_of(data, '1.3')}", "Khá")
    assert issues.iloc[0]["Loại"] == "Lỗi"
    assert [b.label for b in at.button] == ["Ghi nhận các tệp bị từ chối vào kho cách ly"], "no store button"
    assert "sửa" in at.info[0].value
    assert store.count(submissions_t) == 0 and store.count(intake_t) == 0

    labels = [b.label for b in at.get("download_button")]
    assert "Tải tệp đã đánh dấu lỗi" in labels
    marked = openpyxl.load_workbook(io.BytesIO(downloads.read("BaoCao_HongBang_2023_danh-dau-loi.xlsx")))
    assert marked.sheetnames[0] == ISSUES_SHEET
    assert marked["Biểu 01"][row["Ô"]].comment is not None


def test_a_mixed_batch_stores_the_good_returns_and_logs_the_bad_ones(store: Store) -> None:
    at = _upload(open_app("app_pages/upload.py"),
                 ("LeChan_2023.xlsx", filled_template("q-le-chan", 2023, pattern(0))),
                 (BAD_SAMPLE.name, BAD_SAMPLE.read_bytes()),
                 ("AnThang_2023.xlsx", filled_template("x-an-thang", 2023, pattern(1))))
    assert [m.value for m in at.metric] == ["3", "2", "0", "1"]
    assert at.button(key="upload_confirm").label == "Lưu 2 báo cáo hợp lệ"
    assert store.count(submissions_t) == 0
    at.button(key="upload_confirm").click().run()
    assert sorted(store.submissions()["unit_id"]) == ["q-le-chan", "x-an-thang"]
    log = store.intake_log()
    assert sorted(log["status"]) == ["accepted", "accepted", "rejected"]
    said = at.success[0].value
    assert "Đã lưu 2 báo cáo" in said and "1 báo cáo bị từ chối được ghi vào kho cách ly" in said
    assert "trùng" not in said, "no duplicate in the batch: none mentioned"


def test_sending_a_stored_return_again_is_a_duplicate(pilot: Store) -> None:
    at = _upload(open_app("app_pages/upload.py"),
                 ("again.xlsx", filled_template("q-le-chan", 2023, pattern(0))),
                 ("newer.xlsx", filled_template("q-le-chan", 2023, pattern(3))))
    assert "đã có (phiên bản 1)" in at.info[0].value
    assert "phiên bản 2" in at.success[0].value
    assert [m.value for m in at.metric] == ["2", "1", "1", "0"]


def test_two_returns_of_one_unit_year_in_one_batch_are_pointed_out() -> None:
    at = _upload(open_app("app_pages/upload.py"),
                 ("a.xlsx", filled_template("q-le-chan", 2023, pattern(0))),
                 ("b.xlsx", filled_template("q-le-chan", 2023, pattern(1))))
    assert "Quận Lê Chân" in at.warning[0].value and "a.xlsx, b.xlsx" in at.warning[0].value
    assert ["phiên bản 1" in s.value for s in at.success] == [True, False]
    assert "phiên bản 2" in at.success[1].value


def test_a_file_that_is_no_spreadsheet_gets_the_issues_list_as_a_workbook(downloads: Downloads) -> None:
    at = _upload(open_app("app_pages/upload.py"), ("BaoCao.docx", docx_bytes()))
    assert "Bị từ chối" in at.error[0].value
    assert at.table[0].value.iloc[0]["Mã lỗi"] == "`file_not_spreadsheet`"
    assert "Tải danh sách lỗi (.xlsx)" in [b.label for b in at.get("download_button")]
    book = openpyxl.load_workbook(io.BytesIO(downloads.read("BaoCao_danh-dau-loi.xlsx")))
    assert book.sheetnames == [ISSUES_SHEET]


def test_the_page_speaks_english_after_the_switch() -> None:
    at = open_app("app_pages/upload.py")
    at.radio(key="lang").set_value("en").run()
    _upload(at, ("x.xlsx", _bad_return()))
    assert at.title[0].value == "Upload"
    assert at.error[0].value.startswith("Rejected")
    assert "Value read" in at.table[0].value.columns


def test_a_database_failure_during_the_check_is_a_message_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def down(*args: object, **kwargs: object) -> object:
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("database is locked"))

    at = open_app("app_pages/upload.py")
    monkeypatch.setattr(Store, "record", down)
    _upload(at, ("x.xlsx", filled_template("q-le-chan", 2023, pattern(0))))
    assert "OperationalError" in at.error[0].value
    assert not at.button


def test_a_database_failure_on_confirmation_keeps_the_files_and_says_so(store: Store,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    at = _upload(open_app("app_pages/upload.py"), ("x.xlsx", filled_template("q-le-chan", 2023, pattern(0))))
    def full(*args: object, **kwargs: object) -> object:
        raise RuntimeError("disk full")

    monkeypatch.setattr(Store, "record", full)
    at.button(key="upload_confirm").click().run()
    assert not at.exception, at.exception
    assert any("x.xlsx" in e.value and "RuntimeError" in e.value for e in at.error)
    assert at.file_uploader[0].key == "upload_files_0", "the files stay for another try"
    monkeypatch.undo()
    assert store.count(submissions_t) == 0


def test_a_blank_template_for_the_chosen_unit_and_year(downloads: Downloads) -> None:
    at = open_app("app_pages/upload.py")
    at.selectbox(key="template_year").set_value(2023).run()
    at.selectbox(key="template_unit").set_value("x-an-thang").run()
    assert not at.exception, at.exception
    name = "BieuTuDanhGia_ISO18091_x-an-thang_2023.xlsx"
    assert name in downloads
    book = openpyxl.load_workbook(io.BytesIO(downloads.read(name)))
    ws = book[DATA_SHEET]
    assert ws["B7"].value == "Xã An Thắng" and ws["B8"].value == 2023


def test_a_year_in_which_no_registered_unit_exists_offers_no_template() -> None:
    at = open_app("app_pages/upload.py")
    years = [int(y) for y in at.selectbox(key="template_year").options]
    empty = [y for y in years if not builders.pilot_ids(y)]
    if not empty:
        pytest.skip("every offered year has registered units")
    at.selectbox(key="template_year").set_value(empty[0]).run()
    assert not at.exception, at.exception
    assert str(empty[0]) in at.info[0].value
    assert "template_unit" not in [s.key for s in at.selectbox]


def test_file_names_are_shown_literally_not_as_markdown() -> None:
    at = _upload(open_app("app_pages/upload.py"), ("Báo cáo *mới* [2023]_v$2.xlsx", _bad_return()))
    assert "**Báo cáo \\*mới\\* \\[2023\\]\\_v\\$2.xlsx**" in [m.value for m in at.markdown]


def test_a_rejected_only_batch_can_be_recorded_in_quarantine(store: Store) -> None:
    at = _upload(open_app("app_pages/upload.py"), ("BaoCao_HongBang_2023.xlsx", _bad_return()))
    at.button(key="upload_confirm").click().run()
    assert not at.exception, at.exception
    assert store.count(submissions_t) == 0, "no ratings stored"
    log = store.intake_log()
    assert list(log["status"]) == ["rejected"] and list(log["file_name"]) == ["BaoCao_HongBang_2023.xlsx"]
    assert store.archived(str(log.loc[0, "file_sha256"])) is not None


def test_returns_in_layouts_the_template_never_had_are_checked_and_stored(store: Store) -> None:
    from lgqa_metrics.synthetic import forms
    from tests.intake.test_layout_cases import ENTRIES

    code_name = forms.word_layout(roles=("stt", "code_name", "rating", "evidence", "note"))
    chi_so = forms.word_layout({"stt": "TT", "code": "Chỉ số", "name": "Nội dung chỉ số", "rating": "Mức đánh giá"})
    at = _upload(open_app("app_pages/upload.py"),
                 ("HongBang_2023.xlsx", forms.write_return(code_name, forms.FormContent(ENTRIES))),
                 ("LeChan_2023.xlsx", forms.write_return(chi_so, forms.FormContent(
                     ENTRIES, unit_line="UBND QUẬN LÊ CHÂN"))),
                 ("AnLao_tong_hop_2023.xlsx", forms.write_consolidation(
                     {"Xã An Thắng": {c: e.rating for c, e in ENTRIES.items()},
                      "Xã Tiên Minh": {c: e.rating for c, e in ENTRIES.items()}})))
    assert [m.value for m in at.metric] == ["3", "4", "0", "0"]
    at.button(key="upload_confirm").click().run()
    assert not at.exception, at.exception
    stored = store.ratings()
    assert sorted(set(stored["unit_id"])) == ["q-hong-bang", "q-le-chan", "x-an-thang", "x-tien-minh"]
    for _, one in stored.groupby("unit_id"):
        assert dict(zip(one["indicator_code"], one["rating"], strict=True)) == {c: e.rating.value
                                                                                for c, e in ENTRIES.items()}


def test_staff_map_the_columns_of_an_ambiguous_layout_once_and_the_file_is_read_with_them(store: Store) -> None:
    from lgqa_metrics.store import layout_mappings
    from tests.intake.test_mappings import DATA, THIS_YEAR

    at = _upload(open_app("app_pages/upload.py"), ("BaoCao_2023.xlsx", DATA))
    assert [m.value for m in at.metric] == ["1", "0", "0", "1"]
    assert at.selectbox(key="map_sheet_0").value == "Biểu 01"
    assert at.number_input(key="map_row_0").value == 8
    assert any("Hãy chọn cột" in m.value for m in at.info), "nothing to preview before the roles are chosen"
    at.selectbox(key="map_code_0").set_value(1)
    at.selectbox(key="map_rating_0").set_value(4)
    at.selectbox(key="map_evidence_0").set_value(5).run()
    assert not at.exception, at.exception
    assert any(c.value == "Xem trước: 39 chỉ số đọc được, 0 lỗi" for c in at.caption)
    preview = at.dataframe[-1].value
    assert list(preview["Kết quả"][:3]) == ["Xanh lá", "Đỏ", "Vàng"]
    at.button(key="map_confirm_0").click().run()
    assert not at.exception, at.exception
    assert "Đã lưu cách chọn cột" in at.success[0].value
    assert [m.value for m in at.metric] == ["1", "1", "0", "0"], "read again with the mapping"
    assert len(layout_mappings.stored(store.engine)) == 1
    at.button(key="upload_confirm").click().run()
    (current,) = [dict(zip(g["indicator_code"], g["rating"], strict=True)) for _, g in store.ratings().groupby("unit_id")]
    assert current == {c: e.rating.value for c, e in THIS_YEAR.items()}


def test_a_batch_of_returns_already_stored_says_so_and_asks_nobody_to_fix_anything(pilot: Store) -> None:
    at = _upload(open_app("app_pages/upload.py"), ("again.xlsx", filled_template("q-le-chan", 2023, pattern(0))))
    infos = [info.value for info in at.info]
    assert any("đã có (phiên bản 1)" in said for said in infos), infos
    (note,) = [said for said in infos if "không có gì mới để lưu" in said]
    assert "sửa" not in note and "từ chối" not in note, "nothing was rejected: nothing to fix"
    assert not at.button, "nothing to store, nothing to record"


def test_recording_only_rejected_files_says_nothing_was_stored_in_a_warning(store: Store) -> None:
    at = _upload(open_app("app_pages/upload.py"), ("BaoCao_HongBang_2023.xlsx", _bad_return()))
    at.button(key="upload_confirm").click().run()
    assert not at.exception, at.exception
    assert store.count(submissions_t) == 0 and list(store.intake_log()["status"]) == ["rejected"]
    assert not at.success, "nothing stored: no green message, no word of updated charts"
    said = at.warning[0].value
    assert "Không lưu báo cáo nào" in said and "1 báo cáo bị từ chối được ghi vào kho cách ly" in said
    assert "biểu đồ" not in said
