"""End to end in a real headless Chromium against the real Streamlit server on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from lgqa_metrics.domain.paths import SAMPLES_DIR
from lgqa_metrics.domain.roles import Role, cli_actor
from lgqa_metrics.services.ingest import ingest_paths
from lgqa_metrics.store.accounts import Accounts
from lgqa_metrics.store.database import Store
from tests.e2e.server import go_to, streamlit_server, wait_until_idle

pytestmark = pytest.mark.browser

STAFF, PASSWORD = "lan", "staff-password-1"


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One server for the module, on a store loaded with the bundled demo returns and holding one staff account
    (the tests store nothing)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'e2e.sqlite'}"
    store = Store.open(url)
    ingest_paths(store, [SAMPLES_DIR], uploader="e2e")
    Accounts(store).add(cli_actor(), STAFF, PASSWORD, Role.STAFF)
    store.close()
    with streamlit_server(url) as base:
        yield base


def test_overview_shows_the_matrix_with_every_pilot_unit_and_switches_language(browser: Any, demo_server: str) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 1400})
    page.goto(demo_server)
    wait_until_idle(page)
    assert page.locator("h1").first.inner_text() == "Tổng quan"
    matrix = page.locator(".js-plotly-plot").first
    matrix.locator("text=Quận Hồng Bàng").first.wait_for(timeout=60_000)
    svg_text = matrix.inner_text()
    for name in ("Quận Hồng Bàng", "Huyện Vĩnh Bảo", "Phường Minh Khai", "Xã Trung Lập"):
        assert name in svg_text
    assert "12 / 12" in page.locator("[data-testid='stMetric']").first.inner_text()
    page.get_by_text("English").click()
    page.locator("h1", has_text="Overview").wait_for(timeout=60_000)
    wait_until_idle(page)
    assert "Traffic-light matrix" in page.locator(".js-plotly-plot").first.inner_text()
    page.close()


def test_a_page_opened_by_its_address_shows_the_full_frame(browser: Any, demo_server: str) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 1400})
    page.goto(f"{demo_server}/compare")
    wait_until_idle(page)
    assert page.locator("h1").first.inner_text() == "So sánh đơn vị"
    nav = [line.strip() for line in page.locator("[data-testid='stSidebarNav']").inner_text().splitlines()]
    assert "Tổng quan" in nav and "compare" not in nav and "dashboard" not in nav
    assert page.get_by_text("Ngôn ngữ / Language").count() == 1
    page.close()


def test_a_reload_and_a_new_tab_keep_the_language_chosen(browser: Any, demo_server: str) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.goto(demo_server)
    wait_until_idle(page)
    page.get_by_text("English", exact=True).click()
    page.locator("h1", has_text="Overview").wait_for(timeout=60_000)
    wait_until_idle(page)
    page.reload()  # F5: a new Streamlit session
    wait_until_idle(page)
    assert page.locator("h1").first.inner_text() == "Overview"
    other = context.new_page()  # a bookmark opened in another tab of the same browser
    other.goto(f"{demo_server}/compare")
    wait_until_idle(other)
    assert other.locator("h1").first.inner_text() == "Compare units"
    stranger = browser.new_page()  # another browser: the default language
    stranger.goto(demo_server)
    wait_until_idle(stranger)
    assert stranger.locator("h1").first.inner_text() == "Tổng quan"
    context.close()
    stranger.close()


def test_the_address_of_a_staff_page_asks_a_visitor_to_sign_in_then_opens_it_and_a_reload_keeps_it(
        browser: Any, demo_server: str) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.goto(f"{demo_server}/upload")  # a bookmark, opened before signing in
    wait_until_idle(page)
    assert page.locator("h1").first.inner_text() == "Nộp báo cáo"
    assert page.get_by_text("Đăng nhập để xem trang này").is_visible()
    assert page.locator("[data-testid='stFileUploader']").count() == 0
    page.get_by_label("Tên đăng nhập").fill(STAFF)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.locator("[data-testid='stFileUploader']").wait_for(timeout=60_000)  # the page asked for, not the Overview
    wait_until_idle(page)
    assert page.locator("h1").first.inner_text() == "Nộp báo cáo"
    assert "/upload" in page.url
    page.wait_for_timeout(500)  # the session cookie is handed over just after the sign-in
    page.reload()
    wait_until_idle(page)
    assert page.locator("[data-testid='stFileUploader']").count() == 1, "a reload keeps the user signed in"
    assert page.get_by_text(f"{STAFF}").first.is_visible()
    context.close()


def test_a_ranking_of_twelve_units_shows_every_row_without_a_scroll_box(browser: Any, demo_server: str) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.goto(demo_server)
    wait_until_idle(page)
    go_to(page, "So sánh đơn vị")
    table = page.locator("[data-testid='stDataFrame']").first
    table.wait_for(timeout=60_000)
    box = table.bounding_box()
    assert box is not None and box["height"] >= 13 * 35, f"header and 12 rows of 35 px, drawn {box}"
    page.close()
