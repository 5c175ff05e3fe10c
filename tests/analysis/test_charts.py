"""Plotly figures: exact colours, symbols for greyscale readers, titles and labels in the language."""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lgqa_metrics.analysis import analytics, charts
from lgqa_metrics.domain.catalogue import default_catalogue
from lgqa_metrics.domain.lineage import default_lineage
from lgqa_metrics.domain.ratings import Rating
from lgqa_metrics.domain.units import REPORTING_TYPES, default_registry, registry_from_rows
from tests.analysis.test_analytics import CODES, frame
from tests.support.colour_difference import ciede2000, difference, lab

CAT = default_catalogue()


def _data():  # type: ignore[no-untyped-def]
    return frame({("q-le-chan", 2023): {"1.1": "red", "1.2": "yellow", "1.3": "green", "1.4": "na"},
                  ("x-an-thang", 2023): {c: "green" for c in CODES},
                  ("x-an-thang", 2022): {c: "yellow" for c in CODES}})


def test_matrix_uses_exact_colours_symbols_and_hover_names() -> None:
    data = _data()
    fig = charts.matrix_figure(analytics.matrix(data, 2023, CAT), analytics.unit_order(data), CAT, 2023, "vi")
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


def test_a_rating_without_evidence_has_a_dark_triangle_in_its_cells_top_right_corner() -> None:
    data = frame({("q-le-chan", 2023): {"1.2": "yellow", "1.3": "green", "2.1": "green"},
                  ("x-an-thang", 2023): {c: "green" for c in CODES}},
                 unevidenced={("q-le-chan", 2023, "1.3"), ("x-an-thang", 2023, "4.9")})
    fig = charts.matrix_figure(analytics.matrix(data, 2023, CAT), analytics.unit_order(data), CAT, 2023, "vi")
    [marks] = [tr for tr in fig.data if tr.name == "Thiếu minh chứng"]
    assert marks.marker.symbol == "triangle-ne" and difference(marks.marker.color, "#000000") < 10  # dark in greyscale
    # on hidden axes laid over the grid cell for cell: numbers there are cell indices, rows counted downwards
    assert (marks.xaxis, marks.yaxis) == ("x2", "y2")
    assert list(fig.layout.xaxis2.range) == [-0.5, len(CODES) - 0.5] and list(fig.layout.yaxis2.range) == [1.5, -0.5]
    assert (fig.layout.xaxis2.type, fig.layout.yaxis2.type) == ("linear", "linear")  # not the matrix's categories
    assert fig.layout.xaxis2.autorange is False and fig.layout.yaxis2.autorange is False
    cells = set()
    for x, y in zip(marks.x, marks.y, strict=True):
        column, row = round(x), round(y)
        assert x > column and y < row, "right of the centre and above it: the top right corner"
        cells.add((fig.data[0].y[row], CODES[column]))
    assert cells == {("Quận Lê Chân", "1.3"), ("Xã An Thắng", "4.9")}
    assert fig.data[0].customdata[0][2][4] == "Thiếu minh chứng" and fig.data[0].customdata[0][1][4] == "Có minh chứng"
    evidenced = frame({("q-le-chan", 2023): {"1.2": "yellow"}})
    plain = charts.matrix_figure(analytics.matrix(evidenced, 2023, CAT), analytics.unit_order(evidenced), CAT, 2023)
    assert "Thiếu minh chứng" not in [tr.name for tr in plain.data]


def test_matrix_in_english_uses_english_letters_and_titles() -> None:
    data = _data()
    fig = charts.matrix_figure(analytics.matrix(data, 2023, CAT), analytics.unit_order(data), CAT, 2023, "en")
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
    radar = charts.radar(analytics.quadrant_profile(data, 2023), CAT, default_registry())
    assert {tr.name for tr in radar.data} == {"Quận Lê Chân", "Xã An Thắng"}
    bars = charts.quadrant_bars(analytics.quadrant_counts(data[data["year"] == 2023]), CAT)
    assert len(bars.data) == 4 * 5
    lines = charts.trend_lines(analytics.trend(data), default_registry())
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


# Charts a projector can show, in either language (issue 14, items 3 and 4).

REG = default_registry()
PILOT = [u.id for u in REG.units if u.type in REPORTING_TYPES and u.reports_for(2023)]
#: Smallest text a projected chart may hold (px).
SMALLEST = 11
#: Characters a line of a title over one of four panels side by side may hold: a panel of a page 1280 px wide is
#: about 170 px across; a character of 11-px text is about 6 px wide (with room to spare).
PANEL_LINE = 24


def _pilot(years: tuple[int, ...] = (2022, 2023)) -> pd.DataFrame:
    """Every pilot unit rated in ``years``, each unit's ratings its own (so each has its own index)."""
    ratings = ("green", "yellow", "red")
    return frame({(unit, year): {c: ratings[(i + k + year) % 3] for k, c in enumerate(CODES) if k % (i + 2)}
                  for i, unit in enumerate(PILOT) for year in years})


@functools.cache
def _figures(lang: str) -> dict[str, go.Figure]:
    """Every chart the analysis pages draw, on the twelve pilot units (made once: the tests only read them)."""
    data = _pilot()
    this_year = data[data["year"] == 2023]
    cells = analytics.matrix(data, 2023, CAT)
    unit = this_year[this_year["unit_id"] == "q-le-chan"]
    return {
        "matrix": charts.matrix_figure(cells, analytics.unit_order(this_year), CAT, 2023, lang),
        "quadrant_bars": charts.quadrant_bars(analytics.quadrant_counts(this_year), CAT, lang),
        "quadrant_shares": charts.quadrant_bars(analytics.quadrant_counts(this_year), CAT, lang, shares=True),
        "radar": charts.radar(analytics.quadrant_profile(this_year, 2023), CAT, REG, lang),
        "wheel": charts.wheel(unit, CAT, "Quận Lê Chân", lang),
        "wheels": charts.wheels([("Quận Lê Chân", unit)], CAT, "2023", lang),
        "group_bars": charts.group_bars(analytics.group_averages(data, 2023), CAT, lang),
        "trend_lines": charts.trend_lines(analytics.trend(data), REG, lang),
        "quadrant_trend": charts.quadrant_trend(analytics.trend(data, by_quadrant=True), CAT, REG, lang),
        "distribution": charts.distribution_bars(analytics.indicator_distribution(data, "1.1"), CAT, "1.1", lang),
    }


def _font_sizes(node: object, path: str = "") -> Iterator[tuple[str, float]]:
    """Every font size set anywhere in a figure's JSON, with where it is."""
    if isinstance(node, dict):
        for key, value in node.items():
            if "font" in key.lower() and isinstance(value, dict) and isinstance(value.get("size"), int | float):
                yield f"{path}.{key}", float(value["size"])
            yield from _font_sizes(value, f"{path}.{key}")
    elif isinstance(node, list | tuple):
        for i, value in enumerate(node):
            yield from _font_sizes(value, f"{path}[{i}]")


def _colour_of(trace: Any) -> str:
    return str(trace.line.color)


def test_the_colour_difference_used_here_matches_published_ciede2000_values() -> None:
    """Pairs 1, 7, 17 and 25 of Sharma, Wu and Dalal's test data, and sRGB red's CIELAB coordinates."""
    pairs = [((50, 2.6772, -79.7751), (50, 0, -82.7485), 2.0425), ((50, 0, 0), (50, -1, 2), 2.3669),
             ((50, 2.5, 0), (73, 25, -18), 27.1492), ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644)]
    for first, second, expected in pairs:
        assert ciede2000(first, second) == pytest.approx(expected, abs=1e-4)
    assert lab("#FF0000") == pytest.approx((53.24, 80.09, 67.20), abs=0.01)


def test_the_unit_colours_are_twelve_clearly_different_colours_none_like_a_rating_or_pale() -> None:
    rating_colours = [CAT.scale[r].colour for r in (Rating.RED, Rating.YELLOW, Rating.GREEN, Rating.MISSING)]
    assert len(set(charts.UNIT_COLOURS)) >= 12
    for first, second in itertools.combinations(charts.UNIT_COLOURS, 2):
        assert difference(first, second) >= 25, (first, second)
    for colour in charts.UNIT_COLOURS:
        assert min(difference(colour, rating) for rating in rating_colours) >= 22, colour
        assert lab(colour)[0] <= 70, f"{colour} is too pale for a line on white"


def test_the_twelve_pilot_units_get_twelve_colours_and_keep_them_on_every_chart() -> None:
    data = _pilot()
    this_year = data[data["year"] == 2023]
    radar = charts.radar(analytics.quadrant_profile(this_year, 2023), CAT, REG)
    colours = {tr.name: _colour_of(tr) for tr in radar.data}
    assert len(colours) == 12 and len(set(colours.values())) == 12
    # Another chart that shows only some of the units, in another order, gives each the same colour.
    few = data[data["unit_id"].isin(["x-trung-lap", "h-an-lao", "x-tien-minh"])]
    lines = charts.trend_lines(analytics.trend(few), REG, "en")
    drawn = {tr.name: _colour_of(tr) for tr in lines.data if tr.name}
    assert set(drawn) == {"Xã Trung Lập", "Huyện An Lão", "Xã Tiên Minh"}
    assert all(drawn[name] == colours[name] for name in drawn)
    per_quadrant = charts.quadrant_trend(analytics.trend(few, by_quadrant=True), CAT, REG)
    assert all(_colour_of(tr) == colours[tr.name] for tr in per_quadrant.data)
    assert {tr.marker.symbol for tr in per_quadrant.data if tr.name == "Huyện An Lão"} == {
        next(tr.marker.symbol for tr in radar.data if tr.name == "Huyện An Lão")}


def test_units_drawn_together_never_look_alike_even_when_their_places_in_a_large_registry_collide() -> None:
    rows = [{"id": f"x{i:03d}", "type": "xa", "name": f"Xã Số {i}", "name_en": "", "parent_id": "", "aliases": "",
             "valid_from": None, "valid_to": None, "successor_ids": ""} for i in range(200)]
    large = registry_from_rows(rows)
    together = ["x024", "x000", "x012", "x036", "x001", "x150"]  # four share their place modulo 12
    styles = charts.unit_styles(together, large)
    assert len({s.colour for s in styles.values()}) == len(together)
    assert styles["x000"] == charts.unit_styles(["x000"], large)["x000"], "the first in the registry keeps its own"
    sixty = charts.unit_styles([f"x{i * 3:03d}" for i in range(60)], large)
    assert len(set(sixty.values())) == 60, "60 units: 60 different colour-and-marker pairs"


def test_no_chart_sets_text_under_11_px_nor_turns_the_text_inside_bars() -> None:
    for lang in ("vi", "en"):
        for name, fig in _figures(lang).items():
            small = [(where, size) for where, size in _font_sizes(fig.to_plotly_json()) if size < SMALLEST]
            assert not small, (name, lang, small)
            bars = [tr for tr in fig.data if tr.type == "bar" and tr.text is not None]
            if bars:
                assert fig.layout.uniformtext.minsize >= SMALLEST and fig.layout.uniformtext.mode == "hide", name
                assert all(tr.textangle == 0 for tr in bars), name


def test_quadrant_titles_over_panels_wrap_to_their_width_in_both_languages() -> None:
    for lang in ("vi", "en"):
        figures = _figures(lang)
        for name in ("quadrant_bars", "quadrant_shares", "quadrant_trend"):
            titles = [a.text for a in figures[name].layout.annotations]
            assert [title.replace("<br>", " ") for title in titles] == [
                f"{q.roman}. {q.name(lang)}" for q in CAT.quadrants.values()], name
            assert all(len(line) <= PANEL_LINE for title in titles for line in title.split("<br>")), (name, titles)
        # Over the matrix a quadrant's label may be as wide as its columns: two characters a column.
        labels = [a.text for a in figures["matrix"].layout.annotations]
        for label, number in zip(labels, CAT.quadrants, strict=True):
            lines = label.replace("<b>", "").replace("</b>", "").split("<br>")
            assert all(len(line) <= 2 * len(CAT.in_quadrant(number)) for line in lines), label
    english = _figures("en")["quadrant_bars"].layout.annotations[0].text
    assert english == "I. Institutional<br>development for good<br>governance"


def test_legends_stand_below_the_plot_and_category_names_stay_level() -> None:
    for lang in ("vi", "en"):
        for name, fig in _figures(lang).items():
            if fig.layout.showlegend is not False and len(fig.data) > 1:
                legend = fig.layout.legend
                assert (legend.orientation, legend.yref, legend.y, legend.yanchor) == ("h", "container", 0, "bottom"), name
        groups = _figures(lang)["group_bars"]
        assert groups.layout.xaxis.tickangle == 0
        assert all(len(line) <= 12 for label in groups.data[0].x for line in label.split("<br>"))


def test_radar_quadrant_names_are_short_lines_beside_a_circle_that_leaves_room_for_them() -> None:
    data = _pilot()
    few = data[(data["year"] == 2023) & data["unit_id"].isin(["h-an-lao", "x-tien-minh"])]
    for lang in ("vi", "en"):
        fig = charts.radar(analytics.quadrant_profile(few, 2023), CAT, REG, lang)
        theta = list(fig.data[0].theta)
        names = [label.split("<br>", 1)[1] for label in theta[:4]]
        assert [n.replace("<br>", " ") for n in names] == [q.name(lang) for q in CAT.quadrants.values()]
        assert all(len(line) <= 16 for n in names for line in n.split("<br>"))
        low, high = fig.layout.polar.domain.x
        assert low >= 0.15 and high <= 0.85, "a fifth of the width each side for the names left and right"
        assert fig.layout.polar.domain.y[0] >= 0.1, "room under the circle for the bottom name above the legend"


def _end_labels(fig: go.Figure) -> list[tuple[float, str]]:
    return sorted((float(a.y), str(a.text)) for a in fig.layout.annotations if a.xanchor == "left")


def _pixels_per_point(fig: go.Figure) -> float:
    low, high = fig.layout.yaxis.range
    return float(fig.layout.height - fig.layout.margin.t - fig.layout.margin.b) / (high - low)


def test_trend_end_labels_stand_apart_even_when_every_unit_ends_on_the_same_value() -> None:
    same = frame({(unit, year): {c: "yellow" for c in CODES} for unit in PILOT for year in (2022, 2023)})
    for data in (same, _pilot()):
        fig = charts.trend_lines(analytics.trend(data), REG, "en")
        labels = _end_labels(fig)
        assert len(labels) == 12
        scale = _pixels_per_point(fig)
        gaps = [(b - a) * scale for (a, _), (b, _) in itertools.pairwise(labels)]
        assert min(gaps) >= 14, gaps  # 12-px text
        assert all(0 <= y <= fig.layout.yaxis.range[1] for y, _ in labels)
        assert all(any(text.endswith(f" {name}") for _, text in labels) for name in analytics.unit_order(data)["unit_name"])


def test_a_lone_trend_label_stands_at_its_value_and_labels_keep_the_order_of_their_lines() -> None:
    data = _pilot()
    one = data[data["unit_id"] == "h-vinh-bao"]
    fig = charts.trend_lines(analytics.trend(one), REG)
    [(y, text)] = _end_labels(fig)
    last = analytics.trend(one).sort_values("year")["index"].iloc[-1]
    assert y == pytest.approx(last) and text.endswith(f"{last:.0f} Huyện Vĩnh Bảo")
    fig = charts.trend_lines(analytics.trend(data), REG)
    ends = analytics.trend(data)
    ends = ends[ends["year"] == 2023].sort_values(["index", "unit_name"])
    shown = [re.search(r"</span> (\d+) ", text) for _, text in _end_labels(fig)]
    assert [int(m.group(1)) for m in shown if m] == [round(v) for v in ends["index"]]


@given(st.lists(st.floats(min_value=0, max_value=105), min_size=1, max_size=20), st.floats(min_value=0.5, max_value=5))
def test_spread_labels_keep_their_gap_their_order_and_the_range(values: list[float], gap: float) -> None:
    placed = charts.spread(values, gap, 0, 105)
    pairs = sorted(zip(values, placed, strict=True))
    heights = [h for _, h in pairs]
    assert all(b - a >= gap - 1e-9 for a, b in itertools.pairwise(heights))
    assert all(0 - 1e-9 <= h <= 105 + 1e-9 for h in placed)
    if len(values) == 1 or all(abs(a - b) >= gap for a, b in itertools.combinations(values, 2)):
        assert placed == pytest.approx(values), "labels with room stay at their values"


def test_every_figure_writes_numbers_the_reader_s_way() -> None:
    """Vietnamese: decimal comma, thousands dot and "48,2 %"; English: decimal point, thousands comma, "48.2%"."""
    for lang, marks, share in (("vi", ",.", "20 %"), ("en", ".,", "20%")):
        figures = _figures(lang)
        assert all(f.layout.separators == marks for f in figures.values()), lang
        groups = figures["group_bars"]
        assert share in groups.layout.yaxis.ticktext and not groups.layout.yaxis.tickformat
        assert all("%{customdata}" in bar.hovertemplate and ":.1%" not in bar.hovertemplate for bar in groups.data)
        mix = figures["quadrant_shares"]
        assert not any(axis.tickformat for axis in (mix.layout.xaxis, mix.layout.xaxis2))
    green = _figures("vi")["group_bars"].data[0]
    assert all(text.endswith(" %") and "." not in text for text in green.text)
    shares = {str(c) for bar in _figures("vi")["quadrant_shares"].data for c in bar.customdata}
    assert shares and all(re.fullmatch(r"\d+,\d %", c) for c in shares), shares


def test_a_place_keeps_its_colour_across_the_reorganisation() -> None:
    """With the lineage, each successor takes its predecessor's colour and marker (Phường Hồng Bàng looks like
    Phường Minh Khai); drawn together, the two still differ; the twelve pilot units keep twelve colours."""
    links = default_lineage()
    pilot = charts.unit_styles(PILOT, REG, links)
    successors = [u.id for u in REG.units if u.reports_for(2025) and u.type in REPORTING_TYPES]
    alone = charts.unit_styles(successors, REG, links)
    for successor in successors:
        [predecessor] = [k.from_id for k in links.predecessors(successor)]
        assert alone[successor] == pilot[predecessor]
    together = charts.unit_styles(["p-minh-khai", "p-hong-bang"], REG, links)
    assert together["p-minh-khai"].colour != together["p-hong-bang"].colour
    assert len({s.colour for s in pilot.values()}) == 12
