"""Every dashboard page under AppTest at pilot scale and at national scale: first load, rerun, memory.

Pilot scale is the bundled demo (12 units × 2 years, ingested into a temporary store). National scale is
a synthetic store written by ``python -m lgqa_metrics synth`` (default 10,000 units × 2016–2025, about
3.9 million ratings; pass ``--national URL`` to reuse one). Each scale runs in its own process, so its
resident memory is that of one app process holding that store. Each page is opened once (its first
load; the first page of a scale also loads the store into the shared cache), then rerun ``--repeat``
times; the median rerun is checked against the targets (pilot < 300 ms; national ≤ 1 s after the first
load, first load ≤ 10 s, resident memory ≤ 1 GiB, each chart's payload ≤ 1 MB).

Run: ``.venv/bin/python bench/pages_bench.py [--national URL] [--units 10000 --years 2016-2025]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PILOT_RERUN_MS = 300
NATIONAL_RERUN_MS = 1000
NATIONAL_FIRST_MS = 10_000
RSS_LIMIT_MB = 1024
CHART_KB = 1024  # the largest chart's payload on a page at national scale
ADMIN = "bench-admin"


def _rss_mb() -> tuple[float, float]:
    """(current, peak) resident memory of this process in MiB, from /proc."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def measure(url: str, repeat: int) -> dict[str, Any]:
    """Open every page on the store at ``url`` as an admin; first load and rerun times, memory."""
    os.environ["LGQA_DATABASE_URL"] = url
    from streamlit.testing.v1 import AppTest

    from lgqa_metrics.domain.roles import Role, cli_actor
    from lgqa_metrics.store import web_sessions
    from lgqa_metrics.store.accounts import Accounts
    from lgqa_metrics.store.database import Store
    from lgqa_metrics.ui import state

    store = Store.open(url)
    accounts = Accounts(store)
    if accounts.actor(ADMIN) is None:  # every page, the admin ones too, needs a signed-in admin
        accounts.add(cli_actor(), ADMIN, "bench-admin-password", Role.ADMIN)
    pages = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "app_pages").glob("*.py"))
    # The analysis pages first: the first of them pays for loading the store into the shared cache.
    pages.sort(key=lambda p: p not in {"app_pages/overview.py"})
    rows = []
    cold = 0.0
    for page in pages:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300)
        at.session_state[state.AUTH_USER] = ADMIN  # signed in as a sign-in would leave it (as tests/ui/conftest.py)
        at.session_state[state.AUTH_SESSION] = web_sessions.start(store, ADMIN, browser="").key
        at.session_state[state.AUTH_CONNECTION] = ""
        start = time.perf_counter()
        at.run()  # the default page, the Overview: the very first run also loads the store into the cache
        cold = cold or (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        at.switch_page(page).run()
        first = (time.perf_counter() - start) * 1000
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            at.run()
            times.append((time.perf_counter() - start) * 1000)
        charts = [len(c.proto.spec) for c in at.get("plotly_chart")]
        rows.append({"page": page, "first_ms": first, "rerun_ms": statistics.median(times), "max_ms": max(times),
                     "chart_kb": max(charts, default=0) / 1024, "error": str(at.exception) if at.exception else ""})
    rss, peak = _rss_mb()
    return {"pages": rows, "rss_mb": rss, "peak_mb": peak, "cold_ms": cold}


def _run_child(url: str, repeat: int) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--child", url, "--repeat", str(repeat)], check=True,
                         capture_output=True, text=True, cwd=ROOT)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _pilot_store(folder: str) -> str:
    from lgqa_metrics.domain.paths import SAMPLES_DIR
    from lgqa_metrics.services.ingest import ingest_paths
    from lgqa_metrics.store.database import Store

    url = f"sqlite:///{folder}/pilot.sqlite"
    ingest_paths(Store.open(url), [SAMPLES_DIR], uploader="bench")
    return url


def _national_store(folder: str, units: int, years: str) -> tuple[str, float]:
    url = f"sqlite:///{folder}/national.sqlite"
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "lgqa_metrics", "synth", "--units", str(units), "--years", years,
                    "--db", url, "--seed", "1"], check=True, cwd=ROOT, capture_output=True)
    return url, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--national", help="an existing national-scale store (default: synthesise one)")
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--years", default="2016-2025")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.repeat)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        pilot = _run_child(_pilot_store(tmp), args.repeat)
        national_url = args.national
        if not national_url:
            national_url, seconds = _national_store(tmp, args.units, args.years)
            print(f"national store: synth --units {args.units} --years {args.years} in {seconds:.0f} s")
        national = _run_child(national_url, args.repeat)
    print(f"reruns per page: {args.repeat} (median); targets: pilot rerun < {PILOT_RERUN_MS} ms; national rerun "
          f"≤ {NATIONAL_RERUN_MS} ms, first load ≤ {NATIONAL_FIRST_MS} ms, memory ≤ {RSS_LIMIT_MB} MiB")
    print(f"{'page':24} {'pilot first':>11} {'pilot rerun':>11} {'nat. first':>11} {'nat. rerun':>11} "
          f"{'rerun ratio':>11} {'chart kB':>9}  verdict")
    ok_all = True
    for p, n in zip(pilot["pages"], national["pages"], strict=True):
        ok = (p["rerun_ms"] < PILOT_RERUN_MS and n["rerun_ms"] <= NATIONAL_RERUN_MS and n["chart_kb"] <= CHART_KB
              and n["first_ms"] <= NATIONAL_FIRST_MS and not p["error"] and not n["error"])
        ok_all &= ok
        note = p["error"] or n["error"]
        print(f"{p['page']:24} {p['first_ms']:11.0f} {p['rerun_ms']:11.0f} {n['first_ms']:11.0f} {n['rerun_ms']:11.0f} "
              f"{n['rerun_ms'] / p['rerun_ms']:10.1f}× {n['chart_kb']:9.0f}  {'ok' if ok else 'MISSED'} {note}")
    cold_ok = national["cold_ms"] <= NATIONAL_FIRST_MS
    print(f"cold start (a new server process: the store loaded, then the Overview), pilot: {pilot['cold_ms']:.0f} ms; "
          f"national: {national['cold_ms']:.0f} ms  {'ok' if cold_ok else 'MISSED'}")
    ok_all &= cold_ok
    mem_ok = national["peak_mb"] <= RSS_LIMIT_MB
    print(f"resident memory (MiB), pilot: {pilot['rss_mb']:.0f} (peak {pilot['peak_mb']:.0f}); national: "
          f"{national['rss_mb']:.0f} (peak {national['peak_mb']:.0f})  {'ok' if mem_ok else 'MISSED'}")
    print("all targets met" if ok_all and mem_ok else "SOME TARGETS MISSED")


if __name__ == "__main__":
    main()
