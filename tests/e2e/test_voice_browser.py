"""One Vietnamese voice (issue 14 item 8) as the browser draws it: no Streamlit "Select all" in a Vietnamese
multi-choice, percentages on the charts written the language's way, the audit trail's details in Vietnamese."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from lgqa_metrics.domain.paths import SAMPLES_DIR
from lgqa_metrics.domain.roles import Actor, Role, cli_actor
from lgqa_metrics.services.ingest import ingest_paths
from lgqa_metrics.store import audit
from lgqa_metrics.store.accounts import Accounts
from lgqa_metrics.store.database import Store
from tests.e2e.server import go_to, sign_in, streamlit_server, wait_until_idle

pytestmark = pytest.mark.browser

ADMIN, PASSWORD = "quan-tri", "admin-password-1"


@pytest.fixture(scope="module")
def voice_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One server on the demo returns, with an administrator and audit entries of the kinds that once showed
    English: a failed sign-in, a role change, an export of ratings with its filters, a refused download."""
    url = f"sqlite:///{tmp_path_factory.mktemp('voice') / 'voice.sqlite'}"
    store = Store.open(url)
    ingest_paths(store, [SAMPLES_DIR], uploader="e2e")
    accounts = Accounts(store)
    accounts.add(cli_actor(), ADMIN, PASSWORD, Role.ADMIN)
    accounts.add(cli_actor(), "lan", "staff-password-1", Role.STAFF)
    accounts.sign_in("lan", "wrong-password-1", client="10.0.0.5")
    admin = Actor(ADMIN, Role.ADMIN)
    accounts.set_role(admin, "lan", Role.VIEWER)
    audit.record_now(store.engine, admin, "export", target="xlsx", details={
        "what": "ratings", "rows": 1234, "filters": {"years": [2023], "units": ["q-le-chan"]}})
    audit.record_now(store.engine, admin, "download_refused", target="ratings.csv", details={"reason": "expired"})
    store.close()
    with streamlit_server(url) as base:
        yield base


def _options(page: Any, label: str) -> list[str]:
    """The entries a multi-choice's list offers when opened."""
    page.locator("[data-testid='stMultiSelect']").filter(has_text=label).first.click()
    page.locator("[role='option']").first.wait_for(timeout=30_000)
    shown = [o.strip() for o in page.locator("[role='option']").all_inner_texts()]
    page.keyboard.press("Escape")
    return shown


def _chart_text(page: Any, index: int) -> str:
    """The text plotly drew on a chart of the page (ticks, bar labels)."""
    chart = page.locator("[data-testid='stPlotlyChart']").nth(index)
    chart.locator(".main-svg").first.wait_for(timeout=60_000)
    return str(chart.inner_text())


def test_multi_choices_and_chart_percentages_speak_the_chosen_language(browser: Any, voice_server: str) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 1400})
    page.goto(f"{voice_server}/compare")
    wait_until_idle(page)
    assert _options(page, "Loại đơn vị") == ["Quận", "Huyện", "Phường", "Xã"], "no English 'Select all'"
    mix = _chart_text(page, 1)  # colour mix by unit type: ticks and bar labels are percentages
    assert re.search(r"\b20 %", mix) and re.search(r"\b\d+ %", mix) and not re.search(r"\d%", mix), mix
    page.get_by_text("English", exact=True).click()
    page.locator("h1", has_text="Compare units").wait_for(timeout=60_000)
    wait_until_idle(page)
    assert _options(page, "Unit types")[0] == "Select all", "English keeps Streamlit's own bulk choice"
    mix = _chart_text(page, 1)
    assert re.search(r"\b20%", mix) and not re.search(r"\d %", mix), mix
    page.close()


def test_the_audit_trail_s_details_read_in_vietnamese(browser: Any, voice_server: str) -> None:
    page = browser.new_page(viewport={"width": 1600, "height": 1400})
    sign_in(page, voice_server, ADMIN, PASSWORD)
    go_to(page, "Nhật ký hệ thống")
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.wait_for(timeout=60_000)
    cells = [c.strip() for c in grid.locator("td").all_inner_texts()]  # the grid's accessible table, row by row
    text = "\n".join(cells)
    assert "Lý do: phiên đăng nhập đã hết hạn" in text and "bảng đánh giá (csv)" in cells
    assert "Dữ liệu: bảng đánh giá · Số dòng: 1.234 · Bộ lọc: Năm: 2023; Đơn vị: Quận Lê Chân" in cells
    assert "Vai trò: Lãnh đạo (xem)" in cells and "Số lần sai liên tiếp: 1" in cells
    leaks = re.findall(r"\b(failures|reason|what|rows|filters|role|expired|ratings)\b", text)
    assert not leaks, leaks
    page.close()
