"""Charts as a projector shows them (issue 14, items 3 and 4), measured in a real headless Chromium against the
real server on the demo (twelve lines on Trends): every text of every chart at least 11 px and level inside bars, no text
over another text, none cut at the chart's edge, in Vietnamese and in English, and each unit in one colour on
every chart; the ranking of twelve units without a scroll box; the multi-choices and the charts' percentages in
the chosen language's voice (issue 14, items 2 and 8)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from lgqa_metrics.ui.language import COOKIE
from tests.e2e.server import go_to, wait_until_idle

pytestmark = pytest.mark.browser

#: The smallest text a projected chart may show (px).
SMALLEST = 11

#: Every visible text of every chart on the page: chart number, text, class, size as drawn (font size times the
#: scale plotly gives text it fits into a bar), angle, box; and each chart's own box.
_TEXTS = """() => [...document.querySelectorAll('[data-testid=stPlotlyChart] .js-plotly-plot')].map((chart, n) => {
  const frame = chart.querySelector('.main-svg').getBoundingClientRect();
  const texts = [...chart.querySelectorAll('svg text')].filter(t => {
    const r = t.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && t.textContent.trim() && getComputedStyle(t).display !== 'none';
  }).map(t => {
    const m = t.getScreenCTM(), r = t.getBoundingClientRect();
    return {text: t.textContent, kind: t.getAttribute('class') || t.parentNode.getAttribute('class') || '',
            size: parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b),
            angle: Math.round(Math.atan2(m.b, m.a) * 180 / Math.PI), box: [r.left, r.top, r.right, r.bottom]};
  });
  return {chart: n, frame: [frame.left, frame.top, frame.right, frame.bottom], texts};
})"""
#: Each chart's legend: entry name → the colour of its line.
_LEGENDS = """() => [...document.querySelectorAll('[data-testid=stPlotlyChart] .js-plotly-plot')].map(chart =>
  Object.fromEntries([...chart.querySelectorAll('.legend .traces')].map(entry =>
    [entry.querySelector('.legendtext').textContent, entry.querySelector('.js-line')?.style.stroke ?? null])))"""
#: The charts' drawing, as a signature that stops changing once plotly has laid every chart out at its width.
_DRAWN = """() => JSON.stringify([...document.querySelectorAll('[data-testid=stPlotlyChart]')].map(c => {
  const svg = c.querySelector('.main-svg');
  return svg ? [Math.round(svg.getBoundingClientRect().width), c.querySelectorAll('svg text').length] : null;
}))"""


def _charts_drawn(page: Any, timeout_ms: int = 60_000) -> list[dict[str, Any]]:
    """The texts of the page's charts once every chart is drawn and its layout has stopped changing (for 400 ms:
    plotly lays a chart out again when its column settles)."""
    from playwright.sync_api import TimeoutError as Unchanged

    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=stPlotlyChart]')]"
                           ".every(c => c.querySelector('.main-svg'))", timeout=timeout_ms)
    drawn = page.evaluate(_DRAWN)
    for _ in range(100):
        try:
            page.wait_for_function(f"previous => ({_DRAWN})() !== previous", arg=drawn, timeout=400)
        except Unchanged:
            break
        drawn = page.evaluate(_DRAWN)
    charts: list[dict[str, Any]] = page.evaluate(_TEXTS)
    return charts


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


def _overlaps(texts: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Pairs of texts whose boxes cross by more than a pixel each way."""
    found = []
    for i, a in enumerate(texts):
        for b in texts[i + 1:]:
            across = min(a["box"][2], b["box"][2]) - max(a["box"][0], b["box"][0])
            down = min(a["box"][3], b["box"][3]) - max(a["box"][1], b["box"][1])
            if across > 1 and down > 1:
                found.append((a["text"], b["text"]))
    return found


def _assert_clean(charts: list[dict[str, Any]], where: str) -> None:
    """No text under 11 px, none turned inside a bar, none over another, none beyond its chart's edge."""
    assert charts, f"{where}: no chart drawn"
    for chart in charts:
        texts, (left, top, right, bottom) = chart["texts"], chart["frame"]
        label = f"{where}, chart {chart['chart']}"
        assert not [(t["text"], round(t["size"], 1)) for t in texts if t["size"] < SMALLEST - 0.05], f"{label}: text under 11 px"
        assert not [t["text"] for t in texts if "bartext" in t["kind"] and t["angle"]], f"{label}: turned bar text"
        assert not _overlaps(texts), f"{label}: texts over one another: {_overlaps(texts)[:5]}"
        cut = [t["text"] for t in texts if t["box"][0] < left - 1 or t["box"][2] > right + 1
               or t["box"][1] < top - 1 or t["box"][3] > bottom + 1]
        assert not cut, f"{label}: texts cut at the chart's edge: {cut[:5]}"


def test_every_unit_keeps_one_colour_and_every_label_its_room_on_trends_and_compare(browser: Any, demo_server: str) -> None:
    """Item 3, in Vietnamese: the trends chart's twelve end labels apart (the six districts and the six successors,
    whose predecessors are drawn as their earlier years), each unit one colour of twelve on the trends and the same
    on the radar, no small or turned text anywhere."""
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(f"{demo_server}/trends")
    wait_until_idle(page)
    charts = _charts_drawn(page)
    _assert_clean(charts, "Xu hướng")
    end_labels = [t for t in charts[0]["texts"] if "annotation" in t["kind"] and " " in t["text"].strip()
                  and t["text"].strip() != "Sắp xếp ĐVHC"]  # the reorganisation's line is labelled too
    assert len(end_labels) == 12, [t["text"] for t in end_labels]
    trends = page.evaluate(_LEGENDS)[1]
    assert len(trends) == 12 and len(set(trends.values())) == 12, trends
    go_to(page, "So sánh đơn vị")
    _assert_clean(_charts_drawn(page), "So sánh đơn vị")
    radar = page.evaluate(_LEGENDS)[0]
    assert len(radar) == 6 and all(trends[name] == colour for name, colour in radar.items()), \
        "each unit has the same colour on the radar (2025: the six successors) as on the trends"
    ranking = page.locator("[data-testid='stDataFrame']").first.bounding_box()
    assert ranking is not None and ranking["height"] >= 7 * 35, f"every row without a scroll box: {ranking}"
    assert _options(page, "Loại đơn vị") == ["Quận", "Huyện", "Phường", "Xã"], "no English 'Select all'"
    mix = _chart_text(page, 1)  # colour mix by unit type: ticks and bar labels are percentages
    assert re.search(r"\b20 %", mix) and re.search(r"\b\d+ %", mix) and not re.search(r"\d%", mix), mix
    page.close()


def test_english_titles_names_and_legends_lay_out_cleanly_with_twelve_units_and_with_two(browser: Any,
                                                                                       demo_server: str) -> None:
    """Item 4: in English, the quadrant titles over the matrix, the bars and the trend panels, the unit types under
    their bars and the radar's quadrant names, with twelve units and with two, never overlap nor are cut."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.add_cookies([{"name": COOKIE, "value": "en", "url": demo_server}])  # English chosen on an earlier visit
    page = context.new_page()
    page.goto(demo_server)
    wait_until_idle(page)
    assert page.locator("h1").first.inner_text() == "Overview"
    _assert_clean(_charts_drawn(page), "Overview")
    go_to(page, "Trends")
    _assert_clean(_charts_drawn(page), "Trends")
    go_to(page, "Compare units")
    _assert_clean(_charts_drawn(page), "Compare units, 6 units")
    assert _options(page, "Unit types")[0] == "Select all", "English keeps Streamlit's own bulk choice"
    mix = _chart_text(page, 1)
    assert re.search(r"\b20%", mix) and not re.search(r"\d %", mix), mix
    units = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").last
    for name in ("An Lão", "Tiên Lãng"):
        units.click()
        page.keyboard.type(name)
        page.keyboard.press("Enter")
        wait_until_idle(page)
    page.keyboard.press("Escape")
    wait_until_idle(page)
    charts = _charts_drawn(page)
    _assert_clean(charts, "Compare units, 2 units")
    assert sorted(page.evaluate(_LEGENDS)[0]) == ["Xã An Lão", "Xã Tiên Lãng"]
    context.close()
