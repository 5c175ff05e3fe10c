"""Start the dashboard on a store, open pages in headless Chromium and save PNGs.

Usage: ``.venv/bin/python scripts/screenshots.py [--db URL] [--out docs/screenshots] [--user NAME --password PW]
[--pages overview upload …]``. Without ``--user`` only the open pages can be shown; with it the script
signs in through the Account page and moves through the sidebar (one Streamlit session). Each PNG holds the
whole page: the window is made as tall as the page's content (up to ``--max-height``) once its charts are drawn.
Chromium comes from Debian (``/usr/bin/chromium``); Playwright drives it without downloading a browser.

``--every-view OUT``: every page each role may open, in Vietnamese and in English, as a viewer, a member of staff and
an administrator, on two stores the script makes itself: the bundled demo returns (``demo``), and the same with one
early return of the next year (``early``: one unit of twelve has sent its 2024 return). The files are
``OUT/<store>/<role>-<lang>-<page>.png``; ``--refresh-docs`` then copies the demo store's administrator views in
Vietnamese over the page pictures in ``docs/screenshots/`` (``overview.png``, ``compare.png``, …).
"""

from __future__ import annotations

import argparse
import io
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lgqa_metrics.domain.i18n import LANGUAGES, t
from lgqa_metrics.domain.paths import SAMPLES_DIR
from lgqa_metrics.domain.roles import Actor, Role, cli_actor
from lgqa_metrics.services.ingest import ingest_bytes, ingest_paths
from lgqa_metrics.store.accounts import Accounts
from lgqa_metrics.store.database import Store
from lgqa_metrics.ui.navigation import PAGES, visible
from tests.e2e.server import chromium, go_to, sign_in, streamlit_server, wait_until_idle
from tests.support.returns import filled_template, pattern

#: The account of each role the every-view run signs in with (name, password).
ACCOUNTS = {Role.VIEWER: ("hung", "viewer-password-1"), Role.STAFF: ("lan", "staff-password-1"),
            Role.ADMIN: ("quan-tri", "admin-password-1")}

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


def shoot(page: Any, width: int, max_height: int, target: Path) -> None:
    """The page in the window, drawn, fitted to its content and saved to ``target``."""
    wait_for_charts(page)
    fit_to_content(page, width, max_height)
    save_png(page.screenshot(), target)


def make_stores(folder: Path) -> dict[str, str]:
    """The two stores of the every-view run, with one account of each role: ``demo`` (the bundled demo returns)
    and ``early`` (the same and one 2024 return)."""
    urls = {name: f"sqlite:///{folder / (name + '.sqlite')}" for name in ("demo", "early")}
    for name, url in urls.items():
        store = Store.open(url)
        ingest_paths(store, [SAMPLES_DIR], uploader="demo")
        if name == "early":
            ingest_bytes(store, filled_template("q-hong-bang", 2024, pattern(1)), "BaoCao_QuanHongBang_2024.xlsx",
                         uploader="demo")
        for role, (user, password) in ACCOUNTS.items():
            Accounts(store).add(cli_actor(), user, password, role)
        store.close()
    return urls


def every_view(browser: Any, url: str, out: Path, width: int, height: int, max_height: int) -> None:
    """Each role's pages in each language, from one store's server, into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    for role, (user, password) in ACCOUNTS.items():
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        sign_in(page, url, user, password)
        for lang in LANGUAGES:
            if lang != "vi":
                page.get_by_text("English", exact=True).click()
                page.locator("h1", has_text=t("page.account", lang)).wait_for(timeout=60_000)
                wait_until_idle(page)
            for spec in visible(Actor(user, role)):
                page.set_viewport_size({"width": width, "height": height})
                go_to(page, t(spec.title, lang))
                shoot(page, width, max_height, out / f"{role.value}-{lang}-{Path(spec.path).stem}.png")
        context.close()


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
    parser.add_argument("--every-view", type=Path, metavar="OUT", help="every page of every role in both languages, "
                        "on the demo store and on one with an early return of a new year")
    parser.add_argument("--refresh-docs", action="store_true", help="with --every-view: copy the demo store's "
                        "administrator views in Vietnamese over docs/screenshots/<page>.png")
    args = parser.parse_args()
    if args.every_view:
        with tempfile.TemporaryDirectory() as folder, chromium() as browser:
            for store, url in make_stores(Path(folder)).items():
                with streamlit_server(url) as base:
                    every_view(browser, base, args.every_view / store, args.width, args.height, args.max_height)
        if args.refresh_docs:
            for name in names:
                shot = args.every_view / "demo" / f"admin-vi-{name}.png"
                if shot.exists() and (Path("docs/screenshots") / f"{name}.png").exists():
                    shutil.copyfile(shot, Path("docs/screenshots") / f"{name}.png")
        return
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
            shoot(page, args.width, args.max_height, args.out / f"{name}.png")


if __name__ == "__main__":
    main()
