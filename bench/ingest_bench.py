"""Per-file ingest time on the bundled samples: read only (calamine) and read + store (SQLite).

Also reads the same returns with openpyxl alone, as the baseline measured in the same run, and prints
the ratio; and the cost of reading in the isolated worker process (lgqa_metrics.safety): starting a
worker once, then each file sent to it and its result returned. Run:
``.venv/bin/python bench/ingest_bench.py [--repeat N]``.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lgqa_metrics import safety
from lgqa_metrics.ingest import collect_files, ingest_bytes
from lgqa_metrics.paths import SAMPLES_DIR
from lgqa_metrics.reader import read_bytes
from lgqa_metrics.store import Store
from lgqa_metrics.textnorm import _fold_text


def _per_file(fn: object, blobs: list[tuple[str, bytes]], repeat: int, *, worker: bool = False) -> float:
    times = []
    for _ in range(repeat):
        _fold_text.cache_clear()  # no help from earlier rounds: every round reads cold
        if worker:
            safety.call_isolated(_fold_text.cache_clear)  # in the worker too
        start = time.perf_counter()
        for name, data in blobs:
            fn(data, name)  # type: ignore[operator]
        times.append((time.perf_counter() - start) / len(blobs))
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    blobs = [(p.name, p.read_bytes()) for p in collect_files([SAMPLES_DIR])]
    xlsx = [(n, b) for n, b in blobs if n.endswith(".xlsx")]
    read_bytes(*reversed(blobs[0]))  # warm-up: imports and catalogue
    read = _per_file(lambda d, n: read_bytes(d, n), blobs, args.repeat)
    read_xlsx = _per_file(lambda d, n: read_bytes(d, n), xlsx, args.repeat)
    baseline = _per_file(lambda d, n: [list(ws.values) for ws in openpyxl.load_workbook(io.BytesIO(d)).worksheets],
                         xlsx, args.repeat)
    safety.shutdown()
    start = time.perf_counter()
    safety.read_isolated(*reversed(blobs[0]))  # starts the worker: imports the reader there
    worker_start = time.perf_counter() - start
    isolated = _per_file(lambda d, n: safety.read_isolated(d, n), blobs, args.repeat, worker=True)
    full: dict[bool, float] = {}
    for isolate in (False, True):
        with tempfile.TemporaryDirectory() as tmp:
            store = Store.open(f"sqlite:///{tmp}/bench.sqlite")
            _fold_text.cache_clear()
            start = time.perf_counter()
            for name, data in blobs:
                ingest_bytes(store, data, name, isolated=isolate)
            full[isolate] = (time.perf_counter() - start) / len(blobs)
            store.close()
    print(f"files: {len(blobs)} ({len(xlsx)} xlsx) from {SAMPLES_DIR}")
    print(f"read + validate, all formats:       {read * 1000:7.1f} ms/file (median of {args.repeat})")
    print(f"read + validate, xlsx only:         {read_xlsx * 1000:7.1f} ms/file")
    print(f"baseline openpyxl values only, xlsx: {baseline * 1000:7.1f} ms/file")
    print(f"ratio baseline / ours (xlsx):        {baseline / read_xlsx:7.2f}x")
    print(f"read + validate in the worker:      {isolated * 1000:7.1f} ms/file "
          f"(+{(isolated - read) * 1000:.1f} ms for isolation; worker start {worker_start * 1000:.0f} ms, once)")
    print(f"full ingest into SQLite (first time): {full[True] * 1000:7.1f} ms/file isolated (the default), "
          f"{full[False] * 1000:.1f} ms/file in process")


if __name__ == "__main__":
    main()
