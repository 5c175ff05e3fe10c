"""Trends across the 2025 reorganisation as a leader sees it (issue 16, "Done means"), in a real headless Chromium
against the real server on the demo store: a post-2025 ward chosen in the sidebar shows its predecessor's 2022–2023
ratings dotted and its own 2025 return solid on one chart, the break marked and labelled, a caption naming the
predecessor and the rule, and its lineage drawn as a graph; choosing another rule renames the rule in the caption;
no exception box anywhere."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.server import wait_until_idle

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: The demo's illustrative successor (formed 1/7/2025) and the ward it was formed from (data/lineage.csv).
WARD, PREDECESSOR = "Phường Hồng Bàng", "Phường Minh Khai"
#: The sidebar's rule choice and its options, in the order shown (data/i18n/lineage.toml).
RULE = "Quy tắc gộp nhiều đơn vị tiền thân"
RULES = ("Mức thấp nhất", "Mức phổ biến nhất", "Điểm bình quân theo tỷ lệ")
BREAK = "Sắp xếp ĐVHC"
CAPTIONS = "[data-testid='stCaptionContainer']"
CHARTS = "[data-testid='stPlotlyChart']"

#: The first chart as drawn: each line trace (its name, the dash plotly drew on its line, its colour, the centres
#: of its markers), the x tick labels' centres, the dashed vertical lines (shapes) and the visible annotations.
_TREND = """() => {
  const chart = document.querySelector('[data-testid=stPlotlyChart] .js-plotly-plot');
  const centre = el => {
    const r = el.getBoundingClientRect();
    return [(r.left + r.right) / 2, (r.top + r.bottom) / 2];
  };
  const traces = [...chart.querySelectorAll('.scatterlayer g.trace')].map(g => {
    const line = g.querySelector('path.js-line');
    return {name: g.__data__?.[0]?.trace?.name ?? '', dash: line ? getComputedStyle(line).strokeDasharray : null,
            colour: line ? getComputedStyle(line).stroke : null,
            points: [...g.querySelectorAll('path.point')].map(centre)};
  });
  const ticks = Object.fromEntries([...chart.querySelectorAll('.xtick text')].map(t => [t.textContent, centre(t)[0]]));
  const shapes = [...chart.querySelectorAll('.shapelayer path')].map(p => {
    const r = p.getBoundingClientRect();
    return {dash: getComputedStyle(p).strokeDasharray, left: r.left, right: r.right, height: r.height};
  });
  const notes = [...chart.querySelectorAll('.annotation')].filter(a => {
    const r = a.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(a).visibility !== 'hidden';
  }).map(a => ({text: a.textContent, centre: centre(a)}));
  return {traces, ticks, shapes, notes};
}"""


def _drawn(page: Any, timeout_ms: int = 60_000) -> None:
    """Wait until every chart on the page is drawn (plotly draws after the script run ends)."""
    page.wait_for_function(f"() => [...document.querySelectorAll(\"{CHARTS}\")]"
                           ".every(c => c.querySelector('.main-svg'))", timeout=timeout_ms)
    page.wait_for_timeout(500)


def _at(points: list[list[float]], ticks: dict[str, float], *years: str) -> bool:
    """Whether the markers ``points`` stand, one each and in order, over the ticks of ``years`` (to 2 px)."""
    return len(points) == len(years) and all(abs(x - ticks[y]) < 2 for (x, _), y in zip(points, years, strict=True))


def _no_exception(page: Any, where: str) -> None:
    assert page.locator("[data-testid='stException']").count() == 0, \
        f"{where}: {page.locator('[data-testid=stException]').first.inner_text()[:2000]}"


def _choose_unit(page: Any, name: str) -> None:
    """Pick ``name`` in the sidebar's units multi-choice (empty: all units) and let the page settle."""
    units = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").last
    units.click()
    page.keyboard.type(name)
    page.get_by_role("option", name=name, exact=True).click()
    wait_until_idle(page)
    page.keyboard.press("Escape")
    wait_until_idle(page)
    _drawn(page)


def _lineage_caption(page: Any) -> str:
    caption = page.locator(CAPTIONS).filter(has_text=re.compile(r"^So sánh qua dòng kế thừa"))
    assert caption.count() == 1, "one caption under the chart says it follows lineage"
    return str(caption.inner_text())


def _choose_rule(page: Any, label: str) -> None:
    rules = page.locator("[data-testid='stSidebar'] [data-testid='stRadio']").filter(has_text=RULE)
    rules.get_by_text(label, exact=True).click()
    page.locator(CAPTIONS).filter(has_text=f"quy tắc: {label})").first.wait_for(timeout=60_000)
    wait_until_idle(page)
    _drawn(page)


def test_a_new_ward_shows_its_predecessor_s_years_dotted_its_own_2025_solid_the_break_and_its_lineage(
        browser: Any, demo_server: str) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 1400})
    page.goto(f"{demo_server}/trends")
    wait_until_idle(page)
    assert page.locator("h1").first.inner_text() == "Xu hướng"
    _no_exception(page, "Xu hướng, every unit")
    _choose_unit(page, WARD)
    _no_exception(page, f"Xu hướng, {WARD}")
    sidebar = page.locator("[data-testid='stSidebar']")
    assert sidebar.locator("[data-testid='stCheckbox']").filter(has_text="Theo dòng kế thừa").locator(
        "input").is_checked(), "lineage is followed by default"

    trend = page.evaluate(_TREND)
    ticks = trend["ticks"]
    assert {"2022", "2023", "2025"} <= set(ticks), f"the year axis: {sorted(ticks)}"
    lines = [tr for tr in trend["traces"] if tr["points"]]  # the unit's lines (the label leaders have no marker)
    dotted = [tr for tr in lines if tr["dash"] not in (None, "", "none")]
    solid = [tr for tr in lines if tr["dash"] in (None, "", "none")]
    assert len(dotted) == 1 and len(solid) == 1, f"one dotted line and one solid: {lines}"
    before, after = dotted[0], solid[0]
    assert before["name"] == f"{WARD} — tiền thân" and after["name"] == WARD, (before["name"], after["name"])
    assert _at(before["points"], ticks, "2022", "2023"), \
        f"the dotted line stands on 2022 and 2023: {before['points']} vs {ticks}"
    assert _at(after["points"], ticks, "2025"), \
        f"the solid one on the ward's own 2025 return: {after['points']} vs {ticks}"
    assert before["colour"] == after["colour"], "one unit, one colour on both sides of the break"

    marks = [s for s in trend["shapes"] if s["dash"] not in ("", "none") and s["right"] - s["left"] < 4
             and s["height"] > 100]
    assert len(marks) == 1, f"one dashed vertical line marks the reorganisation: {trend['shapes']}"
    assert ticks["2023"] < marks[0]["left"] < ticks["2025"], "the break lies between 2023 and 2025"
    label = page.locator(CHARTS).first.get_by_text(BREAK, exact=True).first
    assert label.is_visible(), "the break is labelled"
    box = label.bounding_box()
    assert box is not None and abs(box["x"] + box["width"] / 2 - marks[0]["left"]) < 3, \
        f"the label sits over the line: {box} vs {marks[0]}"

    caption = _lineage_caption(page)
    carried = f"{WARD}: năm 2022, 2023 lấy từ đơn vị tiền thân {PREDECESSOR} (quy tắc: {RULES[0]})."
    assert carried in caption, caption

    graph = page.locator(CHARTS).filter(has=page.locator(".gtitle", has_text=f"Dòng kế thừa của {WARD}"))
    assert graph.count() == 1, "the ward's lineage is drawn under the Trends charts"
    graph_text = " ".join(graph.locator("svg text").all_text_contents())
    assert PREDECESSOR in graph_text and WARD in graph_text and "hợp nhất" in graph_text, graph_text
    assert graph.locator(".annotation-arrow-g path").count() >= 1, "an arrow from the predecessor to the ward"

    points = {rule: before["points"] for rule in RULES[:1]}
    for rule in RULES[1:]:
        _choose_rule(page, rule)
        _no_exception(page, f"Xu hướng, {WARD}, {rule}")
        caption = _lineage_caption(page)
        assert f"(quy tắc: {rule})" in caption and f"(quy tắc: {RULES[0]})" not in caption, caption
        assert PREDECESSOR in caption, caption
        changes = page.locator(CAPTIONS).filter(has_text="được so sánh qua dòng kế thừa").inner_text()
        assert f"(quy tắc: {rule})" in changes, changes
        dotted = [tr for tr in page.evaluate(_TREND)["traces"] if tr["name"] == f"{WARD} — tiền thân"]
        points[rule] = dotted[0]["points"]
    assert len({tuple(map(tuple, p)) for p in points.values()}) == 1, \
        f"one predecessor: every rule gives back its own ratings, so the dotted line stays put: {points}"
    page.close()


def test_the_ward_s_2025_end_label_stays_beside_the_break_label(browser: Any, demo_server: str) -> None:
    """The 2025 point keeps its end label (marker, value, name) like every line's end, and the break is labelled
    once: the label of the reorganisation is added beside the end labels, not over one of them."""
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.goto(f"{demo_server}/trends")
    wait_until_idle(page)
    _choose_unit(page, WARD)
    notes = [n["text"] for n in page.evaluate(_TREND)["notes"]]
    assert notes.count(BREAK) == 1, f"the break labelled once: {notes}"
    assert [n for n in notes if n.endswith(f" {WARD}")], f"the 2025 point labelled with the ward's name: {notes}"
    _no_exception(page, f"Xu hướng, {WARD}")
    page.close()
