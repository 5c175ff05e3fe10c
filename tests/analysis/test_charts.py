"""Plotly figures: exact colours, symbols for greyscale readers, titles and labels in the language."""

from __future__ import annotations

from lgqa_metrics.analysis import analytics, charts
from lgqa_metrics.domain.catalogue import default_catalogue
from tests.analysis.test_analytics import CODES, frame

CAT = default_catalogue()


def _data():  # type: ignore[no-untyped-def]
    return frame({("q-le-chan", 2023): {"1.1": "red", "1.2": "yellow", "1.3": "green", "1.4": "na"},
                  ("x-an-thang", 2023): {c: "green" for c in CODES},
                  ("x-an-thang", 2022): {c: "yellow" for c in CODES}})


def test_matrix_uses_exact_colours_symbols_and_hover_names() -> None:
    data = _data()
    grid, evidence = analytics.matrix(data, 2023, CAT)
    fig = charts.matrix_figure(grid, evidence, analytics.unit_order(data), CAT, 2023, "vi")
    heat = fig.data[0]
    assert list(heat.y) == ["Quận Lê Chân", "Xã An Thắng"]
    assert list(heat.text[0][:5]) == ["Đ", "V", "X", "—", "?"]
    colours = {c for _, c in heat.colorscale}
    assert {"#E00613", "#FCEA00", "#009640", "#D9D9D9", "#FFFFFF"} == colours
    assert heat.customdata[0][0][0] == "Quản lý chất lượng toàn diện"
    assert heat.customdata[0][0][1] == "Đỏ"
    assert "2023" in fig.layout.title.text
    assert fig.layout.yaxis.title.text == "Đơn vị"
    legend = [tr.name for tr in fig.data[1:]]
    assert legend == ["X Xanh lá", "V Vàng", "Đ Đỏ", "— Không áp dụng", "? Chưa đánh giá"]


def test_matrix_in_english_uses_english_letters_and_titles() -> None:
    data = _data()
    grid, evidence = analytics.matrix(data, 2023, CAT)
    fig = charts.matrix_figure(grid, evidence, analytics.unit_order(data), CAT, 2023, "en")
    assert list(fig.data[0].text[0][:3]) == ["R", "Y", "G"]
    assert fig.layout.title.text.startswith("Traffic-light matrix")


def test_wheel_has_39_slices_in_four_quarter_circles() -> None:
    data = _data()
    unit = data[(data["unit_id"] == "q-le-chan") & (data["year"] == 2023)]
    fig = charts.wheel(unit, CAT, "Quận Lê Chân (2023)")
    bar = fig.data[0]
    assert len(bar.theta) == 39
    assert sum(bar.width) == 360
    q1 = [th for th, code in zip(bar.theta, bar.text, strict=True) if code.startswith("1.")]
    assert len(q1) == 10 and max(q1) < 90
    assert bar.marker.color[0] == "#E00613" and bar.marker.color[4] == "#D9D9D9"


def test_radar_quadrant_bars_and_trends_carry_every_unit() -> None:
    data = _data()
    radar = charts.radar(analytics.quadrant_profile(data, 2023), CAT)
    assert {tr.name for tr in radar.data} == {"Quận Lê Chân", "Xã An Thắng"}
    bars = charts.quadrant_bars(analytics.quadrant_counts(data[data["year"] == 2023]), CAT)
    assert len(bars.data) == 4 * 5
    lines = charts.trend_lines(analytics.trend(data))
    an_thang = next(tr for tr in lines.data if tr.name == "Xã An Thắng")
    assert list(an_thang.x) == [2022, 2023] and list(an_thang.y) == [50, 100]


def test_wheels_put_every_unit_in_its_own_polar_panel() -> None:
    data = _data()
    panels = [(name, part) for name, part in
              ((n, data[(data["unit_name"] == n) & (data["year"] == 2023)]) for n in ("Quận Lê Chân", "Xã An Thắng"))]
    fig = charts.wheels(panels, CAT, "2023", per_row=3)
    slices = [tr for tr in fig.data if tr.type == "barpolar"]
    assert [tr.subplot for tr in slices] == ["polar", "polar2"]
    assert [a.text for a in fig.layout.annotations] == ["Quận Lê Chân", "Xã An Thắng"]
    assert list(fig.layout.polar.angularaxis.ticktext) == ["<b>I</b>", "<b>II</b>", "<b>III</b>", "<b>IV</b>"]


def test_units_stay_in_type_order_when_the_table_holds_categoricals() -> None:
    """The compact table's columns are categoricals, whose own order is alphabetical (huyện before quận)."""
    plain = frame({(u, 2023): {"1.1": "green"} for u in ("x-an-thang", "h-vinh-bao", "q-le-chan", "p-cat-dai")})
    compact = plain.astype({c: "category" for c in ("unit_id", "unit_name", "unit_type", "indicator_code", "rating")})
    expected = ["Quận Lê Chân", "Huyện Vĩnh Bảo", "Phường Cát Dài", "Xã An Thắng"]
    for data in (plain, compact):
        assert list(analytics.unit_order(data)["unit_name"]) == expected
        bars = charts.quadrant_bars(analytics.quadrant_counts(data), CAT)
        assert list(bars.data[0].y) == expected
        groups = analytics.group_averages(data, 2023)
        assert list(groups["unit_type"].astype(str)) == ["quan", "huyen", "phuong", "xa"]
