"""Trends across the 2025 reorganisation: a new ward chosen on the demo shows its predecessor's 2022–2023 ratings,
dotted, and its own 2025 return on one chart, with the break marked; the rule that makes several predecessors one
baseline is the user's choice and is named; the changes across the break say they compare through lineage."""

from __future__ import annotations

import base64
import json
from typing import Any

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from lgqa_metrics.analysis.lineage import BaselineRule
from lgqa_metrics.ui import state
from tests.ui.conftest import open_app


def _chart(at: AppTest, key: str) -> dict[str, Any]:
    chart = next(c for c in at.get("plotly_chart") if json.loads(c.proto.spec).get("layout") and key in c.proto.id)
    return json.loads(chart.proto.spec)


def _trend(at: AppTest) -> dict[str, Any]:
    return json.loads(at.get("plotly_chart")[0].proto.spec)


def _array(value: Any) -> list[Any]:
    """A plotly array as a list (plotly writes numeric arrays as base64 ``bdata`` with their ``dtype``)."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist()  # type: ignore[no-any-return]
    return list(value)


def _lines(spec: dict[str, Any]) -> dict[str, list[int]]:
    """Each named line of a trend chart (not its label leaders) → its years."""
    return {tr["name"]: [int(x) for x in _array(tr["x"])] for tr in spec["data"] if tr.get("mode") == "lines+markers"}


def _on_trends(units: list[str], **state_values: object) -> AppTest:
    at = open_app("app_pages/trends.py")
    at.session_state[state.UNITS] = units
    for key, value in state_values.items():
        at.session_state[key] = value
    return at.run()


def test_a_new_ward_shows_its_predecessor_s_years_dotted_and_its_own_with_the_break(demo: str) -> None:
    at = _on_trends(["p-hong-bang"])
    assert not at.exception, at.exception
    assert at.toggle(key=state.LINEAGE_FOLLOW).value is True, "lineage is followed by default"
    spec = _trend(at)
    lines = _lines(spec)
    assert lines == {"Phường Hồng Bàng — tiền thân": [2022, 2023], "Phường Hồng Bàng": [2025]}
    dotted = next(tr for tr in spec["data"] if tr.get("name") == "Phường Hồng Bàng — tiền thân")
    assert dotted["line"]["dash"] == "dot"
    breaks = [s for s in spec["layout"].get("shapes", []) if s.get("type") == "line" and s.get("x0") == 2024.5]
    assert breaks, "the reorganisation is marked between 2024 and 2025"
    assert [a.get("text") for a in spec["layout"]["annotations"]].count("Sắp xếp ĐVHC") == 1, "labelled once"
    captions = " ".join(c.value for c in at.caption)
    assert "So sánh qua dòng kế thừa" in captions
    assert "**Phường Hồng Bàng**: năm 2022, 2023 lấy từ đơn vị tiền thân Phường Minh Khai (quy tắc: Mức thấp nhất)" \
        in captions
    assert "được so sánh qua dòng kế thừa" in captions, "the change 2023 → 2025 says it compares through lineage"
    summary = at.dataframe[0].value
    assert list(summary.iloc[:, 0]) == ["Phường Hồng Bàng"]


def test_the_predecessor_line_has_the_predecessor_s_own_index(demo: str) -> None:
    """With one predecessor every rule gives back its ratings: the dotted line is Minh Khai's own line."""
    own = _lines_with_values(_on_trends(["p-minh-khai"], **{state.LINEAGE_FOLLOW: False}))["Phường Minh Khai"]
    for rule in BaselineRule:
        at = _on_trends(["p-hong-bang"], **{state.LINEAGE_RULE: rule.value})
        assert _lines_with_values(at)["Phường Hồng Bàng — tiền thân"] == own


def _lines_with_values(at: AppTest) -> dict[str, list[tuple[int, float]]]:
    spec = _trend(at)
    return {tr["name"]: [(int(x), round(float(y), 6)) for x, y in zip(_array(tr["x"]), _array(tr["y"]), strict=True)]
            for tr in spec["data"] if tr.get("mode") == "lines+markers"}


def test_lineage_turned_off_shows_the_new_unit_s_own_year_alone_and_english_names_the_rule(demo: str) -> None:
    at = _on_trends(["p-hong-bang"], **{state.LINEAGE_FOLLOW: False})
    assert _lines(_trend(at)) == {"Phường Hồng Bàng": [2025]}
    assert not [c for c in at.caption if "dòng kế thừa" in c.value]
    at = _on_trends(["p-hong-bang", "p-minh-khai"], **{state.LANG: "en", state.LINEAGE_RULE: "weighted"})
    lines = _lines(_trend(at))
    assert lines == {"Phường Hồng Bàng — predecessors": [2022, 2023], "Phường Hồng Bàng": [2025]}, \
        "the predecessor chosen beside its successor is drawn as the successor's earlier years"
    assert any("rule: Share-weighted score" in c.value for c in at.caption)


def test_units_without_lineage_offer_no_lineage_choice(demo: str) -> None:
    at = _on_trends(["q-le-chan", "h-an-lao"])
    assert not at.exception
    assert not [t for t in at.toggle if t.key == state.LINEAGE_FOLLOW]


@pytest.mark.parametrize("unit", ["p-hong-bang", "p-minh-khai"])
def test_the_lineage_of_one_chosen_unit_is_drawn_as_a_graph(demo: str, unit: str) -> None:
    at = _on_trends([unit])
    graphs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")
              if "Dòng kế thừa" in json.dumps(json.loads(c.proto.spec)["layout"].get("title", {}), ensure_ascii=False)]
    assert len(graphs) == 1
    texts = " ".join(str(tr.get("text")) for tr in graphs[0]["data"])
    assert "Phường Minh Khai" in texts and "Phường Hồng Bàng" in texts
    assert any("hợp nhất" in str(a.get("text")) for a in graphs[0]["layout"]["annotations"])
