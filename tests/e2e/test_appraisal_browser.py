"""An appraiser appraises a demo return in a real browser: takes it up from the queue, sets one indicator's
appraised rating and its reason in the review table (a canvas grid, edited as a user does: double-click, pick, type),
and accepts it; the store holds both ratings, the return is locked, and the Overview says one return is appraised."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from lgqa_metrics.domain.paths import SAMPLES_DIR
from lgqa_metrics.domain.roles import Role, cli_actor
from lgqa_metrics.services.ingest import ingest_paths
from lgqa_metrics.store.accounts import Accounts
from lgqa_metrics.store.appraisals import Appraisals, AppraisalStatus
from lgqa_metrics.store.audit import audit_log
from lgqa_metrics.store.database import Store
from lgqa_metrics.ui.appraisal import _WIDTHS
from tests.e2e.server import go_to, sign_in, streamlit_server, wait_until_idle

APPRAISER, PASSWORD = "minh", "appraiser-password-1"
#: The review table's first row, and its columns' centres (the grid is drawn on a canvas: cells have no elements).
ROW_1 = 35 + 17


def _centre(column: str) -> int:
    left = 0
    for name, width in _WIDTHS.items():
        if name == column:
            return left + width // 2
        left += width
    raise KeyError(column)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A server of its own (this test changes the store): the demo returns and an appraiser."""
    url = f"sqlite:///{Path(tmp_path_factory.mktemp('appraisal')) / 'store.sqlite'}"
    store = Store.open(url)
    ingest_paths(store, [SAMPLES_DIR], uploader="demo")
    Accounts(store).add(cli_actor(), APPRAISER, PASSWORD, Role.APPRAISER)
    store.close()
    with streamlit_server(url) as base:
        yield base, url


def test_an_appraiser_appraises_a_demo_return_in_the_browser(browser: Any, server: tuple[str, str]) -> None:
    base, url = server
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    sign_in(page, base, APPRAISER, PASSWORD, at="appraisal")
    chosen = page.get_by_test_id("stMarkdown").filter(has_text="(do demo tải lên)").inner_text()
    page.get_by_role("button", name="Nhận thẩm định báo cáo này").click()
    page.get_by_text("Đã nhận thẩm định").wait_for(timeout=60_000)
    wait_until_idle(page)

    grid = page.get_by_test_id("stDataFrame").last
    columns = list(_WIDTHS)
    grid.dblclick(position={"x": _centre("appraised"), "y": ROW_1})
    page.get_by_role("option", name="Đ Đỏ").click()
    wait_until_idle(page)  # the grid's cells are mirrored in a table for screen readers: the edit shows there
    expect(grid.get_by_test_id(f"glide-cell-{columns.index('appraised')}-0")).to_have_text("Đ Đỏ", timeout=30_000)
    reason = grid.get_by_test_id(f"glide-cell-{columns.index('reason')}-0")
    text = "Biên bản kiểm tra không nêu kết quả"
    for _ in range(8):  # the grid redraws once more after the rerun its first edit asked for, which drops a selection
        wait_until_idle(page)  # or closes an open editor: try again, as a user would, until the text is in the cell
        grid.click(position={"x": _centre("reason"), "y": ROW_1})
        try:
            expect(reason).to_have_attribute("aria-selected", "true", timeout=3_000)
            page.keyboard.press("Enter")  # open the cell's editor, then type into it
            expect(page.locator("textarea.gdg-input")).to_be_focused(timeout=3_000)
        except AssertionError:
            continue
        page.keyboard.type(text)
        page.keyboard.press("Enter")
        page.wait_for_timeout(1000)
        if reason.inner_text() == text:
            break
    expect(reason).to_have_text(text, timeout=30_000)
    page.get_by_text("Thẩm định một báo cáo").click()  # leave the grid, as a user moving on does: the edit is sent
    wait_until_idle(page)
    page.get_by_label("Kết luận").fill("Điều chỉnh chỉ số 1.1")
    page.get_by_label("Kết luận").press("Tab")
    wait_until_idle(page)
    page.get_by_role("button", name="Hoàn thành thẩm định").click()
    page.get_by_text("Đã hoàn thành thẩm định; báo cáo đã được khóa.").wait_for(timeout=60_000)

    store = Store.open(url)
    book = Appraisals(store)
    queue = book.queue()
    [done] = queue[queue["status"] == AppraisalStatus.ACCEPTED.value].itertuples()
    assert done.unit_name in chosen and done.appraiser == APPRAISER and done.locked
    assert done.comment == "Điều chỉnh chỉ số 1.1"
    detail = book.detail(int(done.submission_id)).set_index("indicator_code")
    assert detail.loc["1.1", "appraised"] == "red" and detail.loc["1.1", "rating"] != "red"
    assert detail.loc["1.1", "reason"] == "Biên bản kiểm tra không nêu kết quả"
    assert int(detail["changed"].sum()) == 1
    actions = set(audit_log(store.engine, actors=[APPRAISER])["action"])
    assert {"appraisal_started", "appraisal_saved", "appraisal_accepted"} <= actions
    store.close()

    go_to(page, "Tổng quan")
    page.get_by_text("kết quả thẩm định của 1/30 báo cáo đã thẩm định").wait_for(timeout=60_000)
    page.close()
