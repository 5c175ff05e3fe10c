"""The Appraisal page and the Appraisal results page, driven by widget key (AppTest): an appraiser takes up a return,
disagrees with two ratings (one without a reason: refused, nothing saved), accepts it; the figures then count the
appraised ratings, the results page shows the gap, and the unit's next version is refused as locked."""

from __future__ import annotations

import pandas as pd
from streamlit.testing.v1 import AppTest

from lgqa_metrics.domain.roles import Role
from lgqa_metrics.services.ingest import ingest_bytes
from lgqa_metrics.store.appraisals import Appraisals, AppraisalStatus
from lgqa_metrics.store.database import Store
from lgqa_metrics.ui import state
from tests.support.returns import filled_template, pattern
from tests.ui.conftest import open_app

PAGE = "app_pages/appraisal.py"


def _editor(at: AppTest) -> pd.DataFrame:
    [editor] = [e for e in at.get("arrow_data_frame") if "Kết quả thẩm định" in e.value.columns]
    return editor.value


def _pick(at: AppTest, store: Store, unit: str, year: int) -> int:
    queue = Appraisals(store).queue()
    sid = int(queue.loc[(queue["unit_id"] == unit) & (queue["year"] == year), "submission_id"].item())
    at.selectbox(key=state.APPRAISE_ID).set_value(sid).run()
    return sid


def test_the_queue_lists_every_current_return_waiting_oldest_first(pilot: Store) -> None:
    at = open_app(PAGE)
    assert not at.exception
    queue = at.dataframe[0].value
    assert len(queue) == 7 and set(queue["Tình trạng"]) == {"Đã nộp, chờ thẩm định"}
    assert not open_app(PAGE, role=Role.STAFF).selectbox  # staff may not appraise: the page refuses


def test_an_appraiser_reviews_a_return_and_accepts_it(pilot: Store) -> None:
    at = open_app(PAGE)
    sid = _pick(at, pilot, "q-le-chan", 2023)
    at.button(key="appraise_start").click().run()
    assert Appraisals(pilot).status_of(sid) is AppraisalStatus.IN_REVIEW
    own = pattern(0)
    greens = [c for c, r in own.items() if r == "green"][:2]
    rows = {c: i for i, c in enumerate(Appraisals(pilot).detail(sid)["indicator_code"])}
    edits = {"edited_rows": {rows[greens[0]]: {"appraised": "V Vàng", "reason": "Minh chứng chưa đủ"},
                             rows[greens[1]]: {"appraised": "Đ Đỏ"}}}
    at.session_state[f"{state.APPRAISE_EDITS}_{sid}"] = edits
    at.run()
    at.button(key="appraise_accept").click().run()
    assert any(greens[1] in e.value for e in at.error), "a changed rating without a reason is refused, naming it"
    assert Appraisals(pilot).status_of(sid) is AppraisalStatus.IN_REVIEW
    assert not Appraisals(pilot).detail(sid)["changed"].any()
    edits["edited_rows"][rows[greens[1]]]["reason"] = "Chưa triển khai"
    at.session_state[f"{state.APPRAISE_EDITS}_{sid}"] = edits
    at.text_area(key=state.APPRAISE_COMMENT).input("Đạt yêu cầu, điều chỉnh 2 chỉ số").run()
    at.button(key="appraise_accept").click().run()
    assert not at.exception
    assert Appraisals(pilot).status_of(sid) is AppraisalStatus.ACCEPTED
    detail = Appraisals(pilot).detail(sid).set_index("indicator_code")
    assert list(detail.loc[greens, "appraised"]) == ["yellow", "red"]

    compare = open_app("app_pages/compare.py")
    ranking = compare.dataframe[0].value.set_index("Đơn vị")
    assert ranking.loc["Quận Lê Chân", "Thẩm định"] == "Đã thẩm định"
    assert ranking.loc["Xã An Thắng", "Thẩm định"] == "Chưa thẩm định"
    appraised_greens = ranking.loc["Quận Lê Chân", "Xanh lá"]
    compare.radio(key=state.BASIS).set_value("self").run()
    own_greens = compare.dataframe[0].value.set_index("Đơn vị").loc["Quận Lê Chân", "Xanh lá"]
    assert own_greens - appraised_greens == 2

    results = open_app("app_pages/appraisal_results.py")
    results.selectbox(key=state.YEAR).set_value(2023).run()
    by_unit = results.dataframe[0].value.set_index("Đơn vị")
    assert list(by_unit.index) == ["Quận Lê Chân"]
    scored = sum(1 for r in own.values() if r in ("red", "yellow", "green"))
    assert (by_unit.loc["Quận Lê Chân", "Tự đánh giá cao hơn"], by_unit.loc["Quận Lê Chân", "Trùng khớp"]) == (
        2, scored - 2)

    [refused] = ingest_bytes(pilot, filled_template("q-le-chan", 2023, pattern(4)), "v2.xlsx")
    assert refused.status == "rejected" and [i.code for i in refused.issues] == ["return_locked"]
