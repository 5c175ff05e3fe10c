"""End to end in a real headless Chromium against the real Streamlit server on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from lgqa_metrics.domain.paths import SAMPLES_DIR
from lgqa_metrics.services.ingest import ingest_paths
from lgqa_metrics.store.database import Store
from tests.e2e.server import streamlit_server, wait_until_idle

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One server for the module, on a store loaded with the bundled demo returns (the tests only read it)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'e2e.sqlite'}"
    store = Store.open(url)
    ingest_paths(store, [SAMPLES_DIR], uploader="e2e")
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
