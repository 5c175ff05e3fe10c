"""End to end in a real headless Chromium against the real Streamlit server on loopback."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.server import STAFF, STAFF_PASSWORD, wait_until_idle

pytestmark = pytest.mark.browser


def test_overview_shows_the_matrix_with_every_unit_due(browser: Any, demo_server: str) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 1400})
    page.goto(demo_server)
    wait_until_idle(page)
    assert page.locator("h1").first.inner_text() == "Tổng quan"
    matrix = page.locator(".js-plotly-plot").first
    matrix.locator("text=Phường Hồng Bàng").first.wait_for(timeout=60_000)
    svg_text = matrix.inner_text()  # the demo opens on 2025: the six successors of the pilot's wards and communes
    for name in ("Phường Hồng Bàng", "Phường Kiến An", "Xã An Lão", "Xã Vĩnh Bảo"):
        assert name in svg_text
    assert "Quận Hồng Bàng" not in svg_text, "a district dissolved in 2025 is not due in 2025"
    assert "6 / 6" in page.locator("[data-testid='stMetric']").first.inner_text()
    page.close()  # the switch to English: test_a_reload_and_a_new_tab_keep_the_language_chosen; English charts:
    # tests/e2e/test_chart_layout_browser.py


def test_a_page_opened_by_its_address_shows_the_full_frame(browser: Any, demo_server: str) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 1400})
    page.goto(f"{demo_server}/account")
    wait_until_idle(page)
    assert page.locator("h1").first.inner_text() == "Tài khoản"
    nav = [line.strip() for line in page.locator("[data-testid='stSidebarNav']").inner_text().splitlines()]
    assert "Tổng quan" in nav and "compare" not in nav and "dashboard" not in nav
    assert page.get_by_text("Ngôn ngữ / Language").count() == 1
    page.close()


def test_a_reload_and_a_new_tab_keep_the_language_chosen(browser: Any, demo_server: str) -> None:
    # The Account page, which every visitor may open and which draws no chart: the language is the whole frame's.
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.goto(f"{demo_server}/account")
    wait_until_idle(page)
    page.get_by_text("English", exact=True).click()
    page.locator("h1", has_text="Account").wait_for(timeout=60_000)
    wait_until_idle(page)
    page.reload()  # F5: a new Streamlit session
    wait_until_idle(page)
    assert page.locator("h1").first.inner_text() == "Account"
    other = context.new_page()  # a bookmark opened in another tab of the same browser
    other.goto(f"{demo_server}/account")
    wait_until_idle(other)
    assert other.locator("h1").first.inner_text() == "Account"
    assert other.get_by_role("button", name="Sign in").count() == 1
    stranger = browser.new_page()  # another browser: the default language
    stranger.goto(f"{demo_server}/account")
    wait_until_idle(stranger)
    assert stranger.locator("h1").first.inner_text() == "Tài khoản"
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
    page.get_by_label("Mật khẩu").fill(STAFF_PASSWORD)
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
