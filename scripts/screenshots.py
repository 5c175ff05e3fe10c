"""Start the dashboard on a store, open pages in headless Chromium and save PNGs.

Usage: ``.venv/bin/python scripts/screenshots.py [--db URL] [--out docs/screenshots] [--user NAME --password PW]
[--pages overview upload …]``. Without ``--user`` only the open pages can be shown; with it the script
signs in through the Account page and moves through the sidebar (one Streamlit session). Chromium
comes from Debian (``/usr/bin/chromium``); Playwright drives it without downloading a browser.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lgqa_metrics.domain.i18n import t
from lgqa_metrics.ui.navigation import PAGES
from tests.e2e.server import chromium, go_to, sign_in, streamlit_server, wait_until_idle


def main() -> None:
    names = [Path(p.path).stem for p in PAGES]
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=None)
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--pages", nargs="*", default=names, choices=names)
    parser.add_argument("--width", type=int, default=1440)
    parser.add_argument("--height", type=int, default=1600)
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
            if args.user:
                go_to(page, titles[name])
            else:
                page.goto(f"{url}/{name}")
                wait_until_idle(page)
            target = args.out / f"{name}.png"
            page.screenshot(path=str(target), full_page=True)
            print(target)


if __name__ == "__main__":
    main()
