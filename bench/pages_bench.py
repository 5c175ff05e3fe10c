"""Rerun time of every dashboard page under AppTest at pilot scale (the bundled demo: 12 units × 2 years).

Each page is opened once (first load, cold caches), then rerun ``--repeat`` times; the median rerun
time is printed against the 300 ms target. Run: ``.venv/bin/python bench/pages_bench.py``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_MS = 300


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--db", help="an existing store (default: a temporary one loaded with the demo)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{tmp}/bench.sqlite"
        os.environ["LGQA_DATABASE_URL"] = url
        from streamlit.testing.v1 import AppTest

        from lgqa_metrics.accounts import Accounts
        from lgqa_metrics.accounts_base import Role, cli_actor
        from lgqa_metrics.ingest import ingest_paths
        from lgqa_metrics.paths import SAMPLES_DIR
        from lgqa_metrics.store import Store
        from lgqa_metrics.ui import state

        if not args.db:
            ingest_paths(Store.open(url), [SAMPLES_DIR], uploader="bench")
        accounts = Accounts(Store.open(url))
        if accounts.actor("bench-admin") is None:  # every page, the admin ones too, needs a signed-in admin
            accounts.add(cli_actor(), "bench-admin", "bench-admin-password", Role.ADMIN)
        pages = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))
        print(f"store: {url}; reruns per page: {args.repeat}; target < {TARGET_MS} ms")
        print(f"{'page':28} {'first load ms':>14} {'rerun ms (median)':>18} {'max ms':>8}  verdict")
        for page in pages:
            at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
            at.session_state[state.AUTH_USER] = "bench-admin"
            at.session_state[state.AUTH_SEEN] = time.time()
            at.run()
            start = time.perf_counter()
            at.switch_page(page).run()
            first = (time.perf_counter() - start) * 1000
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                at.run()
                times.append((time.perf_counter() - start) * 1000)
            if at.exception:
                print(f"{page:28} EXCEPTION {at.exception}")
                continue
            median = statistics.median(times)
            verdict = "ok" if median < TARGET_MS else "SLOW"
            print(f"{page:28} {first:14.0f} {median:18.0f} {max(times):8.0f}  {verdict}")


if __name__ == "__main__":
    main()
