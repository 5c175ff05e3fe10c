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
from tests.support import builders
from tests.support.returns import filled_template, pattern
from tests.ui.conftest import open_app

#: The units answering for 2025 on: the pilot units' six illustrative successors.
DUE = 6


@pytest.fixture
def early(demo: str) -> str:
    """The demo store (the 12 pilot units in 2022 and 2023, their 6 successors in 2025) and one return for 2026."""
    store = Store.open(demo)
    [outcome] = ingest_bytes(store, filled_template("p-hong-bang", 2026, pattern(1)), "hong-bang-2026.xlsx")
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
    assert year.value == 2025
    assert year.options == ["2022", "2023", "2025", f"2026 · đang nhận báo cáo 1/{DUE}"]
    assert not at.info, "a complete year needs no warning"
    assert len(_matrix_rows(at)) == DUE and not [r for r in _matrix_rows(at) if "chưa nộp" in r]


def test_the_new_year_chosen_shows_every_unit_due_and_compares_like_with_like(early: str) -> None:
    at = open_app("app_pages/overview.py")
    _ok(at.selectbox(key=state.YEAR).set_value(2026).run())
    assert any(f"mới có 1/{DUE} đơn vị nộp" in i.value for i in at.info)
    rows = _matrix_rows(at)
    unsent = [r for r in rows if r.endswith("(chưa nộp)")]
    assert len(rows) == DUE and len(unsent) == DUE - 1
    assert "Phường Hồng Bàng" in rows, "the one unit that sent its return, under its own name"
    expected = {f"{default_registry()[u].name} (chưa nộp)" for u in builders.pilot_ids(2026) if u != "p-hong-bang"}
    assert set(unsent) == expected
    assert "so sánh 1 đơn vị có báo cáo cả hai năm" in " ".join(c.value for c in at.caption)
    assert f"1 / {DUE}" in at.metric[0].value


def test_compare_and_trends_open_on_complete_years(early: str) -> None:
    at = _ok(open_app("app_pages/compare.py"))
    assert at.selectbox(key=state.YEAR).value == 2025
    assert len(at.dataframe[0].value) == DUE, "the ranking of every unit, not of one"
    at.switch_page("app_pages/trends.py")
    _ok(at.run())
    assert (at.selectbox(key=state.YEAR_FROM).value, at.selectbox(key=state.YEAR_TO).value) == (2023, 2025)
    captions = " ".join(c.value for c in at.caption)
    assert f"So sánh {DUE} đơn vị có báo cáo cả hai năm 2023 và 2025" in captions, "the successors, through lineage"
    assert "được so sánh qua dòng kế thừa" in captions
    at.selectbox(key=state.YEAR_FROM).set_value(2025)
    at.selectbox(key=state.YEAR_TO).set_value(2026)
    _ok(at.run())
    captions = " ".join(c.value for c in at.caption)
    assert "So sánh 1 đơn vị có báo cáo cả hai năm 2025 và 2026" in captions
    assert f"{DUE - 1} đơn vị chỉ có báo cáo một trong hai năm" in captions
    assert any("đang nhận báo cáo" in i.value for i in at.info)
