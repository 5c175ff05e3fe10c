"""The Report page makes the pilot report on the button's press and offers it for download (AppTest; Chromium draws
the charts), and says why when there is nothing to report."""

from __future__ import annotations

import io

import docx
import pytest

from lgqa_metrics.store import audit
from lgqa_metrics.store.database import Store
from lgqa_metrics.ui import state
from tests.ui.conftest import open_app

pytestmark = pytest.mark.slow


def test_the_report_page_makes_the_word_report_for_the_year_and_offers_it(pilot: Store) -> None:
    at = open_app("app_pages/report.py")
    assert not at.exception
    at.selectbox(key=state.YEAR).set_value(2023).run()
    assert at.selectbox(key=state.REPORT_COMPARE).value == 2022
    at.button(key="report_make").click().run()
    assert not at.exception and not at.error
    held = at.session_state[state.REPORT_FILE]
    assert held["kind"] == "docx" and held["name"] == "bao-cao-thi-diem-2023.docx"
    document = docx.Document(io.BytesIO(held["data"]))
    assert any("năm 2023" in p.text for p in document.paragraphs[:8])
    units = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert len(units) == 4  # the pilot fixture's units with a 2023 return
    assert "Tạo báo cáo" in at.success[0].value or "Đã tạo" in at.success[0].value
    [entry] = audit.audit_log(pilot.engine, actions=["report_made"]).to_dict("records")
    assert entry["target"] == "bao-cao-thi-diem-2023.docx"
