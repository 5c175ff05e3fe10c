"""What a person waits for when a national year of returns comes in: the whole ``ingest --dry-run`` command.

Input: one national year of returns, ``python -m lgqa_metrics synth --units N --years Y --files DIR`` (3,300
units by default: about Vietnam's number of communes), each unit's return in a layout of its own from the
layout generator's presets (:data:`lgqa_metrics.synthetic.forms.PRESETS`), checked against the store the command
registers their units in. Every figure is a whole process, started and timed from outside, in one run:

- **ours**: ``python -m lgqa_metrics ingest --dry-run --db URL FILES…`` (interpreter, imports, store, reader
  workers, every return read, validated and judged against the store);
- **floor**: a bare Python process that imports python-calamine and reads every sheet of every file to Python
  values, nothing else;
- **naive**: a bare Python process reading every file with ``pandas.read_excel(sheet_name=None,
  engine="openpyxl")``, on every ``--naive-every``-th file (openpyxl is slow: the figure is per file);
- **fixed cost**: ``ingest --dry-run`` of one small file against ``python -c "import pandas, sqlalchemy"``.

Median of ``--repeat`` rounds, the methods interleaved. Targets: ours at most 2.5× the floor, at least 5× faster
than naive per file, a one-file call within 1.5× of the import baseline.

Run: ``.venv/bin/python bench/ingest_bench.py [--units 3300] [--year 2024] [--repeat 3] [--naive-every 10]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
FLOOR_TARGET = 2.5  # ours / floor at most
NAIVE_TARGET = 5.0  # naive / ours (per file) at least
FIXED_TARGET = 1.5  # one-file call / import baseline at most

FLOOR = """import sys, python_calamine as pc
for path in sys.argv[1:]:
    book = pc.CalamineWorkbook.from_path(path)
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python(skip_empty_area=False)
"""
NAIVE = """import sys, pandas as pd
for path in sys.argv[1:]:
    pd.read_excel(path, sheet_name=None, engine="openpyxl")
"""


def timed(cmd: list[str]) -> float:
    """Seconds one whole command takes (it must succeed or only reject returns: exit 0 or 1)."""
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    took = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"{cmd[:4]} failed ({done.returncode}): {done.stderr.strip()[:400]}")
    return took


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=3300)
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--naive-every", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lgqa-bench-") as tmp:
        folder, url = Path(tmp) / "returns", f"sqlite:///{tmp}/bench.sqlite"
        print(f"writing {args.units} synthetic returns for {args.year} …", flush=True)
        subprocess.run([PY, "-m", "lgqa_metrics", "synth", "--db", url, "--units", str(args.units), "--years",
                        str(args.year), "--files", str(folder), "--seed", str(args.seed)], cwd=ROOT, check=True,
                       capture_output=True)
        files = sorted(str(p) for p in folder.glob("*.xlsx"))
        sample = files[:: args.naive_every]
        one = files[:1]
        outcome = subprocess.run([PY, "-m", "lgqa_metrics", "ingest", "--dry-run", "--json", "--db", url, *files],
                                 cwd=ROOT, capture_output=True, text=True)
        statuses = [o["status"] for o in json.loads(outcome.stdout)]
        print(f"{len(files)} files, {statuses.count('accepted')} returns accepted, "
              f"{len(statuses) - statuses.count('accepted')} not", flush=True)
        runs: dict[str, list[float]] = {k: [] for k in ("ours", "floor", "naive", "one", "imports")}
        for _ in range(args.repeat):
            runs["ours"].append(timed([PY, "-m", "lgqa_metrics", "ingest", "--dry-run", "--db", url, *files]))
            runs["floor"].append(timed([PY, "-c", FLOOR, *files]))
            runs["naive"].append(timed([PY, "-c", NAIVE, *sample]))
            for _ in range(3):
                runs["one"].append(timed([PY, "-m", "lgqa_metrics", "ingest", "--dry-run", "--db", url, *one]))
                runs["imports"].append(timed([PY, "-c", "import pandas, sqlalchemy"]))
    med = {k: statistics.median(v) for k, v in runs.items()}
    floor_ratio = med["ours"] / med["floor"]
    per_file = {"ours": med["ours"] / len(files), "naive": med["naive"] / len(sample)}
    naive_ratio = per_file["naive"] / per_file["ours"]
    fixed_ratio = med["one"] / med["imports"]
    print(f"\nmedian of {args.repeat} rounds (whole processes), {len(files)} returns:")
    print(f"  ours   ingest --dry-run          {med['ours']:7.2f} s  ({per_file['ours'] * 1000:.2f} ms/file)")
    print(f"  floor  bare python-calamine      {med['floor']:7.2f} s  → ours is {floor_ratio:.2f}× the floor "
          f"(target ≤ {FLOOR_TARGET}×: {verdict(floor_ratio <= FLOOR_TARGET)})")
    print(f"  naive  pandas + openpyxl         {per_file['naive'] * 1000:7.1f} ms/file ({len(sample)} files) → ours is "
          f"{naive_ratio:.1f}× faster (target ≥ {NAIVE_TARGET}×: {verdict(naive_ratio >= NAIVE_TARGET)})")
    print(f"  fixed  ingest --dry-run, 1 file  {med['one']:7.2f} s  against import pandas, sqlalchemy "
          f"{med['imports']:.2f} s → {fixed_ratio:.2f}× (target ≤ {FIXED_TARGET}×: {verdict(fixed_ratio <= FIXED_TARGET)})")


if __name__ == "__main__":
    main()
