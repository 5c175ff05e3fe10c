"""One Vietnamese voice (issue 14 item 8) as the browser draws it: the audit trail's details in Vietnamese, with
Vietnamese numbers. (The multi-choices and the charts' percentages: tests/e2e/test_chart_layout_browser.py.)"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.server import ADMIN, ADMIN_PASSWORD, go_to, sign_in

pytestmark = pytest.mark.browser


def test_the_audit_trail_s_details_read_in_vietnamese(browser: Any, demo_server: str) -> None:
    page = browser.new_page(viewport={"width": 1600, "height": 1400})
    sign_in(page, demo_server, ADMIN, ADMIN_PASSWORD)
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
