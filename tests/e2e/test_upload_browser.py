"""Upload, confirm and download in a real headless Chromium against the real Streamlit server."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from lgqa_metrics.domain.roles import Role, cli_actor
from lgqa_metrics.intake.reader import read_bytes
from lgqa_metrics.services.annotate import ISSUES_SHEET
from lgqa_metrics.store.accounts import Accounts
from lgqa_metrics.store.database import Store
from tests.e2e.server import go_to, sign_in, streamlit_server, wait_until_idle
from tests.support.returns import filled_template, pattern

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
BAD = ROOT / "data" / "samples-bad" / "02_tu-danh-gia-la_MinhKhai_TDG_2023.xlsx"


def choose(page: Any, label: str, option: str, effect: Any, state: str) -> None:
    """Pick ``option`` in the selectbox ``label`` until the page shows its ``effect`` (a locator reaching
    ``state``): a pick made while the page still reruns from the one before can be lost, and is made again."""
    for attempt in range(3):
        wait_until_idle(page)
        page.get_by_label(label, exact=True).click()
        page.get_by_role("option", name=option).click()
        try:
            effect.wait_for(state=state, timeout=30_000)
            return
        except Exception:  # playwright's TimeoutError: pick it again
            if attempt == 2:
                raise


def _download(page: Any, button: str) -> bytes:
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=button).click()
    return Path(info.value.path()).read_bytes()


def test_dropped_files_are_checked_stored_on_confirmation_and_exported(browser: Any, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'e2e.sqlite'}"
    Accounts(Store.open(db)).add(cli_actor(), "lan", "staff-password-1", Role.STAFF)
    good = tmp_path / "BaoCao_QuanLeChan_2023.xlsx"
    good.write_bytes(filled_template("q-le-chan", 2023, pattern(0)))
    with streamlit_server(db) as url:
        page = browser.new_page(viewport={"width": 1440, "height": 2400}, accept_downloads=True)
        sign_in(page, url, "lan", "staff-password-1", at="upload")
        page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files([str(good), str(BAD)])
        page.get_by_text("Hợp lệ: Quận Lê Chân, năm 2023").wait_for(timeout=60_000)
        page.get_by_text("Bị từ chối (1 lỗi cần sửa)").wait_for(timeout=60_000)
        page.locator(".js-plotly-plot").nth(1).wait_for(timeout=60_000)
        issues = page.locator("[data-testid='stTable']").first
        [error] = [i for r in read_bytes(BAD.read_bytes(), BAD.name).returns for i in r.issues if i.code == "rating_unknown"]
        assert error.message_vi in " ".join(issues.inner_text().split()), "the message reads in full"
        cut = issues.evaluate("t => [...t.querySelectorAll('td, th')].filter(c => c.scrollWidth > c.clientWidth + 1)"
                              ".map(c => c.innerText)")
        assert cut == [], f"no cell is cut off: {cut}"
        header = [h.strip() for h in issues.locator("th").all_inner_texts()]
        assert header[-2:] == ["Mô tả", "Mã lỗi"], "the message before the code, which comes last"
        assert page.locator(".js-plotly-plot").count() == 2, "one preview strip per return"
        store = Store.open(db)
        assert store.submissions().empty, "nothing is stored before the confirmation"

        marked = openpyxl.load_workbook(io.BytesIO(_download(page, "Tải tệp đã đánh dấu lỗi")))
        assert marked.sheetnames[0] == ISSUES_SHEET
        assert marked["Tự đánh giá"]["D12"].comment is not None

        assert page.get_by_text("Chi tiết từng tệp").count() == 1
        page.get_by_role("button", name="Lưu 1 báo cáo hợp lệ").click()
        page.get_by_text("Đã lưu 1 báo cáo").wait_for(timeout=60_000)
        assert list(store.submissions()["unit_id"]) == ["q-le-chan"]
        wait_until_idle(page)
        assert page.get_by_text("Chi tiết từng tệp").count() == 0, "the uploader is emptied: nothing left to check"
        assert page.get_by_role("button", name="Lưu 1 báo cáo hợp lệ").count() == 0

        go_to(page, "Tổng quan")
        matrix = page.locator(".js-plotly-plot").first
        matrix.locator("text=Quận Lê Chân").first.wait_for(timeout=60_000)
        assert "1 / 12" in page.locator("[data-testid='stMetric']").first.inner_text()

        go_to(page, "Dữ liệu & xuất")
        sheet = openpyxl.load_workbook(io.BytesIO(_download(page, "Tải Excel")))["Dữ liệu"]
        assert sheet.max_row == 1 + 39
        header = [c.value for c in sheet[1]]
        rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
        assert {r["Mã đơn vị"] for r in rows} == {"q-le-chan"} and {r["Năm"] for r in rows} == {2023}
        expected = pattern(0)
        assert {r["Mã chỉ số"]: r["Kết quả"] for r in rows} == expected
        store.close()
        page.close()


def test_a_return_of_a_new_layout_and_an_ambiguous_one_mapped_in_the_browser(browser: Any, tmp_path: Path) -> None:
    """"Chỉ số" over the codes is read at once; two "Kết quả" columns are mapped on the page, then stored."""
    from lgqa_metrics.synthetic import forms
    from tests.intake.test_layout_cases import ENTRIES
    from tests.intake.test_mappings import LAYOUT, THIS_YEAR

    db = f"sqlite:///{tmp_path / 'e2e.sqlite'}"
    Accounts(Store.open(db)).add(cli_actor(), "lan", "staff-password-1", Role.STAFF)
    plain = tmp_path / "HongBang_2023.xlsx"
    layout = forms.word_layout({"stt": "TT", "code": "Chỉ số", "name": "Nội dung chỉ số", "rating": "Mức đánh giá"})
    plain.write_bytes(forms.write_return(layout, forms.FormContent(ENTRIES)))
    ambiguous = tmp_path / "LeChan_2023.xlsx"
    ambiguous.write_bytes(forms.write_return(LAYOUT, forms.FormContent(THIS_YEAR, unit_line="UBND QUẬN LÊ CHÂN")))
    with streamlit_server(db) as url:
        page = browser.new_page(viewport={"width": 1440, "height": 2600})
        sign_in(page, url, "lan", "staff-password-1", at="upload")
        page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files([str(plain), str(ambiguous)])
        page.get_by_text("Hợp lệ: Quận Hồng Bàng, năm 2023").wait_for(timeout=60_000)
        page.get_by_text("Chọn cột cho mẫu biểu này").wait_for(timeout=60_000)
        choose(page, "Mã chỉ số", "B — Mã chỉ số", page.get_by_text("Hãy chọn cột mã chỉ số"), "detached")
        choose(page, "Kết quả tự đánh giá", "E — Kết quả năm 2023",
               page.get_by_text("Xem trước: 39 chỉ số đọc được, 0 lỗi"), "visible")
        page.get_by_role("button", name="Xác nhận cách chọn cột này").click()
        page.get_by_text("Đã lưu cách chọn cột").wait_for(timeout=60_000)
        wait_until_idle(page)
        store_button = page.get_by_role("button", name="Lưu 2 báo cáo hợp lệ")
        store_button.wait_for(timeout=90_000)
        store_button.click()
        page.get_by_text("Đã lưu 2 báo cáo").wait_for(timeout=60_000)
        store = Store.open(db)
        assert sorted(store.submissions()["unit_id"]) == ["q-hong-bang", "q-le-chan"]
        le_chan = store.ratings(units=["q-le-chan"])
        assert dict(zip(le_chan["indicator_code"], le_chan["rating"], strict=True)) == {
            c: e.rating.value for c, e in THIS_YEAR.items()}
        store.close()
        page.close()
