"""Start the dashboard on a store, open pages in headless Chromium and save PNGs.

Usage: ``.venv/bin/python scripts/screenshots.py [--db URL] [--out docs/screenshots] [--user NAME --password PW]
[--pages overview upload …]``. Without ``--user`` only the open pages can be shown; with it the script
signs in through the Account page and moves through the sidebar (one Streamlit session). Each PNG holds the
whole page: the window is made as tall as the page's content (up to ``--max-height``) once its charts are drawn.
Chromium comes from Debian (``/usr/bin/chromium``); Playwright drives it without downloading a browser.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path
from typing import Any

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lgqa_metrics.domain.i18n import t
from lgqa_metrics.ui.navigation import PAGES
from tests.e2e.server import chromium, go_to, sign_in, streamlit_server, wait_until_idle

#: The main column's content, whose bottom is where the page ends (the window itself does not scroll).
CONTENT = "[data-testid='stMainBlockContainer']"
#: The sidebar's own content (navigation, language, who is signed in, filters), which may end below the page's.
SIDEBAR = "[data-testid='stSidebarUserContent']"


def wait_for_charts(page: Any, timeout_ms: int = 60_000) -> None:
    """Wait until every plotly chart on the page has been drawn (they are drawn after the script run ends)."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stPlotlyChart]')].every(c => c.querySelector('.main-svg'))",
        timeout=timeout_ms)
    page.wait_for_timeout(1000)


def fit_to_content(page: Any, width: int, max_height: int = 4000) -> None:
    """Make the window as tall as the page's content (or the sidebar's, if longer), so that a screenshot of the
    window shows all of it (Streamlit scrolls its main column inside the window, which ``full_page`` screenshots
    do not capture)."""
    bottom = page.evaluate(f"() => Math.max(...[\"{CONTENT}\", \"{SIDEBAR}\"].map("
                           "s => document.querySelector(s)?.getBoundingClientRect().bottom ?? 0))")
    page.set_viewport_size({"width": width, "height": min(max_height, int(bottom) + 24)})
    page.wait_for_timeout(1000)
    wait_for_charts(page)


def save_png(png: bytes, target: Path) -> None:
    """``png`` saved with at most 256 colours: screens of text and flat colours lose nothing visible, and the file
    is a third of the size."""
    Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(
        target, optimize=True)
    print(target)


def main() -> None:
    names = [Path(p.path).stem for p in PAGES]
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=None)
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--pages", nargs="*", default=names, choices=names)
    parser.add_argument("--width", type=int, default=1440)
    parser.add_argument("--height", type=int, default=900, help="the window's height before it is fitted")
    parser.add_argument("--max-height", type=int, default=4000)
    parser.add_argument("--user")
    parser.add_argument("--password")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    titles = {Path(p.path).stem: t(p.title, "vi") for p in PAGES}
    with streamlit_server(args.db) as url, chromium() as browser:
        page = browser.new_page(viewport={"width": args.width, "height": args.height})
        if args.user:
            sign_in(page, url, args.user, args.password or "")
        for name in args.pages:
            page.set_viewport_size({"width": args.width, "height": args.height})
            if args.user:
                go_to(page, titles[name])
            else:
                page.goto(f"{url}/{name}")
                wait_until_idle(page)
            wait_for_charts(page)
            fit_to_content(page, args.width, args.max_height)
            save_png(page.screenshot(), args.out / f"{name}.png")


if __name__ == "__main__":
    main()
