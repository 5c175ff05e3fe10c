"""One early return of a new year does not take the analysis pages over: they open on the latest year whose
returns are substantially in, offer the new year marked as still coming in, and when it is chosen show every
unit due (those without a return as rows of their own) and compare like with like."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from lgqa_metrics.domain.units import default_registry
from lgqa_metrics.services.ingest import ingest_bytes
from lgqa_metrics.store.database import Store
from lgqa_metrics.ui import state
from tests.support.returns import filled_template, pattern
from tests.ui.conftest import open_app

PILOT = 12


@pytest.fixture
def early(demo: str) -> str:
    """The demo store (the 12 pilot units in 2022 and 2023) and one return for 2024."""
    store = Store.open(demo)
    [outcome] = ingest_bytes(store, filled_template("q-hong-bang", 2024, pattern(1)), "hong-bang-2024.xlsx")
    assert outcome.status == "accepted", outcome
    store.close()
    return demo


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, at.exception
    return at


def _matrix_rows(at: AppTest) -> list[str]:
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    return list(spec["data"][0]["y"])


def test_the_overview_opens_on_the_last_complete_year_and_marks_the_new_one(early: str) -> None:
    at = _ok(open_app("app_pages/overview.py"))
    year = at.selectbox(key=state.YEAR)
    assert year.value == 2023
    assert year.options == ["2022", "2023", f"2024 · đang nhận báo cáo 1/{PILOT}"]
    assert not at.info, "a complete year needs no warning"
    assert len(_matrix_rows(at)) == PILOT and not [r for r in _matrix_rows(at) if "chưa nộp" in r]
    assert "so sánh 12 đơn vị có báo cáo cả hai năm" in " ".join(c.value for c in at.caption)


def test_the_new_year_chosen_shows_every_unit_due_and_compares_like_with_like(early: str) -> None:
    at = open_app("app_pages/overview.py")
    _ok(at.selectbox(key=state.YEAR).set_value(2024).run())
    assert any("mới có 1/12 đơn vị nộp" in i.value for i in at.info)
    rows = _matrix_rows(at)
    unsent = [r for r in rows if r.endswith("(chưa nộp)")]
    assert len(rows) == PILOT and len(unsent) == PILOT - 1
    assert "Quận Hồng Bàng" in rows, "the one unit that sent its return, under its own name"
    expected = {f"{u.name} (chưa nộp)" for u in default_registry().units if u.valid_in(2024) and u.id != "q-hong-bang"}
    assert set(unsent) == expected
    assert "so sánh 1 đơn vị có báo cáo cả hai năm" in " ".join(c.value for c in at.caption)
    assert "1 / 12" in at.metric[0].value


def test_compare_and_trends_open_on_complete_years(early: str) -> None:
    at = _ok(open_app("app_pages/compare.py"))
    assert at.selectbox(key=state.YEAR).value == 2023
    assert len(at.dataframe[0].value) == PILOT, "the ranking of every unit, not of one"
    at.switch_page("app_pages/trends.py")
    _ok(at.run())
    assert (at.selectbox(key=state.YEAR_FROM).value, at.selectbox(key=state.YEAR_TO).value) == (2022, 2023)
    assert any("So sánh 12 đơn vị có báo cáo cả hai năm 2022 và 2023" in c.value for c in at.caption)
    at.selectbox(key=state.YEAR_FROM).set_value(2023)
    at.selectbox(key=state.YEAR_TO).set_value(2024)
    _ok(at.run())
    captions = " ".join(c.value for c in at.caption)
    assert "So sánh 1 đơn vị có báo cáo cả hai năm 2023 và 2024" in captions
    assert "11 đơn vị chỉ có báo cáo một trong hai năm" in captions
    assert any("đang nhận báo cáo" in i.value for i in at.info)
