"""The pilot report, whole, as ``python -m lgqa_metrics report`` makes it, for the 12 pilot units and for a
300-unit province, against the floor any report of the same store pays.

- **Pilot**: the bundled demo returns and their illustrative appraisals (``demo``), the 2023 report against 2022, as
  .docx and as .pdf. Targets: under 20 s each.
- **Province**: a SYNTHETIC province of 300 reporting units (``synth --units 300 --years 2022-2023``), the same
  report. Target: under 2 minutes each.
- **Floor**, measured in the same run on each store: read the two years' ratings from the store, write a .docx holding
  one table of each unit-year's colour counts with python-docx, and (for the PDF) convert it with LibreOffice: what
  no report of these units can skip.

Each case runs as its own process (``python -m lgqa_metrics report``), timed whole, with its peak memory: the
command's own (``ru_maxrss``) and, separately, the largest of the programs it starts (Chromium for the charts,
LibreOffice for the PDF). Run: ``.venv/bin/python bench/report_bench.py [--units 300] [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGETS = {"pilot": 20.0, "province": 120.0}
#: Runs one command in a child process and prints its wall time and peak memory (its own, and its children's).
_MEASURE = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
seconds = time.perf_counter() - started
own = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"seconds": seconds, "rc": done.returncode, "peak_kib": own, "err": done.stderr[-400:]}))
"""
_FLOOR = """
import sys, tempfile
from pathlib import Path
import docx
from lgqa_metrics.services.office import convert_with_soffice
from lgqa_metrics.store.database import Store
store = Store.open(sys.argv[1], create=False)
frame = store.ratings(years=[2022, 2023])
counts = frame.groupby(["unit_name", "year"])["rating"].value_counts().unstack(fill_value=0).reset_index()
document = docx.Document()
table = document.add_table(rows=1, cols=len(counts.columns))
for row in counts.itertuples(index=False):
    cells = table.add_row().cells
    for cell, value in zip(cells, row, strict=True):
        cell.text = str(value)
out = Path(sys.argv[2])
document.save(str(out))
if sys.argv[3] == "pdf":
    convert_with_soffice([out], "pdf", out.parent)
"""


def measure(*command: str) -> dict[str, object]:
    """Run ``command`` in a fresh process (through a measuring parent); its seconds and peak resident memory."""
    done = subprocess.run([sys.executable, "-c", _MEASURE, *command], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["rc"] != 0:
        raise SystemExit(f"{' '.join(command)} failed: {result['err']}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--keep", type=Path, default=None, help="keep the stores and reports in this folder")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="lgqa-report-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    python = [sys.executable, "-m", "lgqa_metrics"]
    stores = {"pilot": f"sqlite:///{folder / 'pilot.sqlite'}", "province": f"sqlite:///{folder / 'province.sqlite'}"}
    for url in stores.values():
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    subprocess.run([*python, "demo", "--db", stores["pilot"], "--create"], check=True, capture_output=True, cwd=ROOT)
    subprocess.run([*python, "synth", "--units", str(args.units), "--years", "2022-2023", "--db", stores["province"],
                    "--seed", "7"], check=True, capture_output=True, cwd=ROOT)
    print(f"report 2023 vs 2022; {args.units}-unit SYNTHETIC province; files in {folder}\n")
    print(f"{'case':34} {'seconds':>8} {'peak MiB':>9} {'floor s':>8} {'ratio':>6} {'target':>8}")
    for case, url in stores.items():
        for kind in ("docx", "pdf"):
            out = folder / f"{case}.{kind}"
            ours = measure(*python, "report", "--db", url, "--year", "2023", "--compare-to", "2022", "-o", str(out))
            floor = measure(sys.executable, "-c", _FLOOR, url, str(folder / f"{case}-floor.docx"), kind)
            seconds, base = float(ours["seconds"]), float(floor["seconds"])  # type: ignore[arg-type]
            met = "met" if seconds < TARGETS[case] else "NOT met"
            print(f"{case + ' .' + kind:34} {seconds:8.1f} {int(ours['peak_kib']) / 1024:9.0f} "  # type: ignore[call-overload]
                  f"{base:8.1f} {seconds / base:5.1f}x {'< ' + format(TARGETS[case], 'g') + ' s':>8} {met}")
    print("\npeak MiB: the largest resident set of the report command and of any program it started "
          "(Chromium, LibreOffice), as the kernel counts it for waited-for children")


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"(whole run {time.perf_counter() - started:.0f} s)")
