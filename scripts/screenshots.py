"""Start the dashboard on a store, open every page in headless Chromium and save PNGs.

Usage: ``.venv/bin/python scripts/screenshots.py [--db URL] [--out docs/screenshots] [--lang vi]``.
Chromium comes from Debian (``/usr/bin/chromium``); Playwright drives it without downloading a browser.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.e2e.server import chromium, streamlit_server, wait_until_idle

PAGES = ["", "compare", "trends", "indicator", "upload", "data", "submissions"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=None)
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--pages", nargs="*", default=PAGES)
    parser.add_argument("--width", type=int, default=1440)
    parser.add_argument("--height", type=int, default=1600)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with streamlit_server(args.db) as url, chromium() as browser:
        page = browser.new_page(viewport={"width": args.width, "height": args.height})
        for name in args.pages:
            page.goto(f"{url}/{name}")
            page.wait_for_selector("[data-testid='stAppViewContainer']")
            page.wait_for_load_state("networkidle")
            wait_until_idle(page)
            target = args.out / f"{name or 'overview'}.png"
            page.screenshot(path=str(target), full_page=True)
            print(target)


if __name__ == "__main__":
    main()
