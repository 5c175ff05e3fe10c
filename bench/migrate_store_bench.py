"""Throughput of ``migrate-store`` (SQLite → PostgreSQL) on a large synthetic store.

Builds a SQLite store with ``--submissions`` return versions (39 ratings each: 100,000 → 3.9 million ratings),
an archived file, an intake row and an audit entry each, written straight into the tables (ingesting that many
workbooks would take hours), then copies it with :func:`lgqa_metrics.store.transfer.copy_store` and prints the
per-table figures and the rows per second.

    .venv/bin/python bench/migrate_store_bench.py [--submissions 100000] [--to postgresql+psycopg://…]

Without ``--to``, a private throwaway PostgreSQL cluster is started (the test suite's, ``tests/support/postgres.py``).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lgqa_metrics.cli.migrate import summary  # noqa: E402
from lgqa_metrics.domain.catalogue import default_catalogue  # noqa: E402
from lgqa_metrics.domain.roles import cli_actor  # noqa: E402
from lgqa_metrics.domain.units import default_registry  # noqa: E402
from lgqa_metrics.store.database import Store  # noqa: E402
from lgqa_metrics.store.transfer import copy_store  # noqa: E402

RATINGS = ("red", "yellow", "green", "na", "missing")


def build(path: Path, submissions: int) -> None:
    """A store at ``path`` holding ``submissions`` versions spread over the 12 units and ten years."""
    Store.open(f"sqlite:///{path}").close()
    codes = default_catalogue().codes
    units = [u.id for u in default_registry().units]
    keys = [(unit, year) for unit in units for year in range(2016, 2026)]
    per_key = -(-submissions // len(keys))
    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA synchronous=OFF")
        sub_id = 0
        with con:
            for unit, year in keys:
                for version in range(1, per_key + 1):
                    if sub_id == submissions:
                        break
                    sub_id += 1
                    content = f"synthetic workbook {sub_id} ".encode() * 40
                    sha = hashlib.sha256(content).hexdigest()
                    con.execute("INSERT INTO files VALUES (?, ?, 'xlsx', ?, ?, ?)",
                                (sha, f"{unit}-{year}-v{version}.xlsx", len(content), content, at))
                    status = "current" if version == per_key or sub_id == submissions else "superseded"
                    con.execute("INSERT INTO submissions VALUES (?, ?, ?, ?, ?, ?, ?, 'Tự đánh giá', 'bench', ?, ?)",
                                (sub_id, unit, year, version, status, sha, f"{unit}-{year}-v{version}.xlsx", at,
                                 sha))
                    con.executemany("INSERT INTO ratings VALUES (?, ?, ?, ?, ?, ?, ?)", [
                        (sub_id, code, RATINGS[(sub_id + n) % 5], "Xanh lá", f"QĐ {n}/{year} về {code}", "",
                         f"D{n + 12}") for n, code in enumerate(codes)])
                    con.execute("INSERT INTO intake (at, uploader, file_sha256, file_name, sheet, unit_id, year, "
                                "status, submission_id) VALUES (?, 'bench', ?, ?, 'Tự đánh giá', ?, ?, 'accepted', ?)",
                                (at, sha, f"{unit}-{year}-v{version}.xlsx", unit, year, sub_id))
                    con.execute("INSERT INTO audit (at, actor, role, action, target, file_sha256, details) "
                                "VALUES (?, 'bench', 'staff', 'version_created', ?, ?, '{}')",
                                (at, f"{unit}/{year}", sha))
    finally:
        con.close()


@contextlib.contextmanager
def target(url: str | None) -> Iterator[str]:
    """The given URL, or a fresh database on a private throwaway cluster."""
    if url:
        yield url
        return
    from tests.support.postgres import cluster, server_bindir

    bindir = server_bindir()
    if bindir is None:
        raise SystemExit("no PostgreSQL server binaries: install Debian's postgresql or pass --to URL")
    with cluster(bindir) as server:
        yield server.create_database()


def main() -> None:
    """Build, copy, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=100_000)
    parser.add_argument("--to", help="an empty PostgreSQL database (default: a private throwaway cluster)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lgqa-bench-") as tmp:
        path = Path(tmp) / "big.sqlite"
        began = time.perf_counter()
        build(path, args.submissions)
        print(f"built {args.submissions:,} submissions ({args.submissions * 39:,} ratings) in "
              f"{time.perf_counter() - began:.1f} s, {path.stat().st_size / 2**20:,.0f} MB")
        with target(args.to) as url:
            done = copy_store(f"sqlite:///{path}", url, actor=cli_actor())
        print(summary(done, "en"))
        ratings = next(c for c in done.tables if c.name == "ratings")
        print(f"ratings alone: {ratings.rows / ratings.seconds:,.0f} rows/s")


if __name__ == "__main__":
    main()
