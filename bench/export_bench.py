"""A 50,000-row export as the Data & export page makes it, against bare writers of the same cells.

The input is the long ratings table shaped as :meth:`lgqa_metrics.store.database.Store.ratings` returns it (built here
from the catalogue and the demo's wording, seeded: units, indicator names, ratings, evidence with a few
formula-like texts, notes, file names), or the first ``--rows`` rows of a store's ratings with ``--db URL``.

- **Excel**, ours: ``xlsx_bytes(export_frame(ratings, "vi"), filters, headers="vi")``, as the page's download
  does (header row, column formats and widths, rating cells filled with their colour, frozen header,
  autofilter, a filter sheet; every text a string cell); baseline: bare xlsxwriter with
  ``{"constant_memory": True}`` writing the same cells (the same values, no formats) row by row from Python
  lists made beforehand. Target: ours at most 1.5× the baseline.
- **CSV**, ours: ``csv_bytes(export_frame(ratings, "vi"), headers="vi")`` (formula-like text neutralised, UTF-8
  with BOM, CRLF); baseline: ``DataFrame.to_csv(index=False)`` of the same export table. No target: reported.

Times are medians of ``--repeat`` rounds, the methods interleaved in a different order each round. Peak memory
is measured in separate runs with tracemalloc (Python allocations, which tracemalloc slows: not timed).
Run: ``.venv/bin/python bench/export_bench.py [--rows N] [--repeat N] [--db URL]``.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
import xlsxwriter  # noqa: E402

from lgqa_metrics.analysis.export import EXPORT_COLUMNS, csv_bytes, export_frame, xlsx_bytes  # noqa: E402
from lgqa_metrics.domain.catalogue import default_catalogue  # noqa: E402
from lgqa_metrics.domain.ratings import Rating  # noqa: E402
from lgqa_metrics.synthetic.demo_content import EVIDENCE_FORMS, NA_REASONS, NOTES  # noqa: E402

XLSX_TARGET = 1.5
#: Formula-like texts units might type (or plant): the export must keep them inert.
_RISKY = ('=HYPERLINK("http://evil.example/","Bấm vào đây")', "+84 225 3842 123", "-2+3", "@SUM(A1:A9)")
_UNIT_TYPES = (("quan", "Quận"), ("huyen", "Huyện"), ("phuong", "Phường"), ("xa", "Xã"))
_SYLLABLES = ("An", "Bình", "Cát", "Đông", "Hà", "Hải", "Hồng", "Kiến", "Lạc", "Minh", "Ngô", "Phú", "Quang",
              "Tân", "Thành", "Tiên", "Trung", "Vĩnh", "Xuân", "Yên")


def synthetic_ratings(rows: int, seed: int = 18091) -> pd.DataFrame:
    """``rows`` rows shaped like ``Store.ratings()``: whole unit-years of the 39 indicators, realistic text."""
    rng = random.Random(seed)
    cat = default_catalogue()
    weights = (0.2, 0.35, 0.35, 0.06, 0.04)
    ratings = (Rating.RED, Rating.YELLOW, Rating.GREEN, Rating.NA, Rating.MISSING)
    out: dict[str, list[object]] = {k: [] for k in (
        "unit_id", "unit_name", "unit_type", "year", "quadrant", "indicator_code", "indicator_name",
        "indicator_name_en", "rating", "raw", "evidence", "note", "cell", "version", "submission_id", "file_name",
        "sheet")}
    unit = 0
    while len(out["unit_id"]) < rows:
        unit += 1
        utype, label = _UNIT_TYPES[unit % 4]
        name = f"{label} {rng.choice(_SYLLABLES)} {rng.choice(_SYLLABLES)}"
        for year in (2022, 2023, 2024):
            version = 1 + (rng.random() < 0.03)
            file_name = f"TuDanhGia_{name.replace(' ', '')}_{year}.xlsx"
            for i, ind in enumerate(cat.indicators):
                rating = rng.choices(ratings, weights)[0]
                form = rng.choice(EVIDENCE_FORMS).format(n=rng.randint(1, 500), d=rng.randint(1, 28),
                                                         m=rng.randint(1, 12), y=year)
                evidence = rng.choice(_RISKY) if rng.random() < 0.002 else form if rating in (
                    Rating.YELLOW, Rating.GREEN) or rng.random() < 0.5 else ""
                note = (rng.choice(NOTES[rating]).format(y=year, next=year + 1) if rating in NOTES
                        else NA_REASONS.get(ind.code, "Không thuộc thẩm quyền của cấp xã") if rating is Rating.NA
                        else "")
                values = (f"u{unit:05d}", name, utype, year, ind.quadrant, ind.code, ind.name_vi, ind.name_en,
                          rating.value, cat.scale[rating].label_vi if rating is not Rating.MISSING else "", evidence,
                          note, f"D{10 + i}", version, unit * 3 + year - 2022, file_name, "Tự đánh giá")
                for key, value in zip(out, values, strict=True):
                    out[key].append(value)
    frame = pd.DataFrame(out).head(rows)
    frame["score"] = frame["rating"].map({"red": 0, "yellow": 1, "green": 2}).astype("Int64")
    return frame


def store_ratings(url: str, rows: int) -> pd.DataFrame:
    """The first ``rows`` rows of a store's current ratings."""
    from lgqa_metrics.store.database import Store

    store = Store.open(url)
    try:
        return store.ratings().head(rows).reset_index(drop=True)
    finally:
        store.close()


def bare_xlsx(rows: list[list[object]], header: list[str]) -> bytes:
    """The baseline: bare xlsxwriter, constant-memory mode, the same cells without any format."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"constant_memory": True})
    ws = wb.add_worksheet("Dữ liệu")
    ws.write_row(0, 0, header)
    for r, row in enumerate(rows, start=1):
        ws.write_row(r, 0, row)
    wb.close()
    return buf.getvalue()


def python_rows(table: pd.DataFrame) -> list[list[object]]:
    """The export table's cells as Python values (None for missing), for the baseline writer."""
    plain = table.astype(object)
    return plain.where(plain.notna(), None).to_numpy().tolist()  # type: ignore[no-any-return]


def _median_times(methods: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    names = list(methods)
    times: dict[str, list[float]] = {n: [] for n in names}
    for r in range(repeat):
        for name in names[r % len(names):] + names[:r % len(names)]:
            start = time.perf_counter()
            methods[name]()
            times[name].append(time.perf_counter() - start)
    return {n: statistics.median(v) for n, v in times.items()}


def _peak(fn: Callable[[], object]) -> tuple[int, int]:
    """(peak traced Python memory while ``fn`` runs, size of its result) in bytes."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    result = fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak, len(result) if isinstance(result, (bytes, str)) else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5, help="rounds (median taken; default 5)")
    parser.add_argument("--db", help="take the rows from this store's ratings instead of building them")
    args = parser.parse_args()
    ratings = store_ratings(args.db, args.rows) if args.db else synthetic_ratings(args.rows)
    cat = default_catalogue()
    filters = {"Năm": sorted({int(y) for y in ratings["year"]}), "Đơn vị": []}
    table = export_frame(ratings, "vi", cat)
    shown_header = [vi for vi, _ in EXPORT_COLUMNS.values()]
    rows = python_rows(table)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{len(ratings):,} rows × {len(table.columns)} columns ({'from ' + args.db if args.db else 'synthetic'}); "
          f"xlsxwriter {xlsxwriter.__version__}, pandas {pd.__version__}, {os.cpu_count()} cores, "
          f"load average {load:.2f} at start; median of {args.repeat} rounds")

    methods: dict[str, Callable[[], object]] = {
        "xlsx ours": lambda: xlsx_bytes(export_frame(ratings, "vi", cat), filters, headers="vi", catalogue=cat),
        "xlsx baseline": lambda: bare_xlsx(rows, shown_header),
        "csv ours": lambda: csv_bytes(export_frame(ratings, "vi", cat), headers="vi"),
        "csv baseline": lambda: table.to_csv(index=False),
        "export_frame": lambda: export_frame(ratings, "vi", cat),
    }
    medians = _median_times(methods, args.repeat)
    peaks = {name: _peak(fn) for name, fn in methods.items() if name != "export_frame"}

    print(f"\n{'what':58} {'median s':>9} {'peak MiB':>9} {'output':>9}")
    labels = {
        "xlsx ours": "xlsx, ours: export_frame + xlsx_bytes (formatted)",
        "xlsx baseline": "xlsx, baseline: bare xlsxwriter, constant_memory",
        "csv ours": "csv, ours: export_frame + csv_bytes",
        "csv baseline": "csv, baseline: DataFrame.to_csv",
    }
    for name, label in labels.items():
        peak, size = peaks[name]
        print(f"{label:58} {medians[name]:9.3f} {peak / 2**20:9.1f} {size / 2**20:7.1f} MB")
    print(f"{'  (export_frame alone, in both of ours)':58} {medians['export_frame']:9.3f}")
    xlsx_ratio = medians["xlsx ours"] / medians["xlsx baseline"]
    csv_ratio = medians["csv ours"] / medians["csv baseline"]
    met = xlsx_ratio <= XLSX_TARGET
    print(f"\nxlsx ours / baseline: {xlsx_ratio:.2f}x (target ≤ {XLSX_TARGET:g}x: {'met' if met else 'NOT met'}); "
          f"peak memory ours / baseline {peaks['xlsx ours'][0] / peaks['xlsx baseline'][0]:.2f}x")
    print(f"csv ours / baseline: {csv_ratio:.2f}x (no target)")


if __name__ == "__main__":
    main()
