"""Durability of the store under real OS processes: concurrent writers get distinct, gap-free versions and lose
nothing (SQLite and PostgreSQL), a writer that loses a race for a version number on PostgreSQL retries in a fresh
transaction; an ingest killed with SIGKILL leaves every committed SQLite store whole and nothing half-written."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import signal
import sqlite3
import subprocess
import sys
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest
import sqlalchemy as sa

from lgqa_metrics.domain.roles import Actor, Role
from lgqa_metrics.intake.reader import read_bytes
from lgqa_metrics.store import migrations
from lgqa_metrics.store.database import Store
from lgqa_metrics.store.schema import metadata
from tests.support import builders
from tests.support.consistency import N_INDICATORS, check_store, connect, submission_ids, write_returns
from tests.support.returns import filled_template, pattern

ROOT = Path(__file__).resolve().parents[2]
UNIT, YEAR = "q-le-chan", 2023
WORKERS, PER_WORKER = 3, 4


def _processes() -> mp.context.ForkServerContext:
    """Real OS processes, forked from a server process that imported the store and the reader once (a spawned
    process imports pandas, SQLAlchemy and the package anew: a second or two of CPU each). Forked from that
    single-threaded server, not from this test process with its threads."""
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["lgqa_metrics.store.database", "lgqa_metrics.intake.reader", __name__])
    return ctx


def _writer(url: str, paths: list[str], uploader: str, barrier: Barrier, failure: str) -> None:
    """One member of staff in their own process: read their returns; open the store at the same moment as the
    others (the first open creates it); then, again all at once, confirm every return, one transaction each.
    Exits non-zero if any return is not accepted, writing what went wrong to ``failure``."""
    try:
        _write_together(url, paths, uploader, barrier)
    except BaseException:
        Path(failure).write_text(traceback.format_exc(), encoding="utf-8")
        raise


def _write_together(url: str, paths: list[str], uploader: str, barrier: Barrier) -> None:
    files = [(Path(p).name, Path(p).read_bytes()) for p in paths]
    results = [read_bytes(data, name) for name, data in files]
    barrier.wait(timeout=60)
    try:
        store = Store.open(url)
    except BaseException:
        barrier.abort()  # the others fail at once instead of waiting for the timeout
        raise
    barrier.wait(timeout=60)
    try:
        for result, (_name, data) in zip(results, files, strict=True):
            outcomes = store.record(result, data, actor=Actor(uploader, Role.STAFF))
            if [o.status for o in outcomes] != ["accepted"]:
                raise AssertionError(f"{result.file}: {[o.status for o in outcomes]}")
    finally:
        store.close()


def test_concurrent_writers_on_a_new_store_get_distinct_gap_free_versions_and_lose_nothing(
        tmp_path: Path, store_url: str) -> None:
    url = store_url
    target: Path | str = Path(sa.engine.make_url(url).database or "") if url.startswith("sqlite") else url
    batches = [write_returns(tmp_path / f"staff{w}", [(UNIT, YEAR, f"w{w}r{r}") for r in range(PER_WORKER)])
               for w in range(WORKERS)]
    ctx = _processes()
    barrier = ctx.Barrier(WORKERS)
    failures = [tmp_path / f"staff{w}.failure" for w in range(WORKERS)]
    procs = [ctx.Process(target=_writer, args=(url, [str(p) for p in paths], f"staff{w}", barrier, str(failures[w])))
             for w, paths in enumerate(batches)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    told = "\n".join(f.read_text(encoding="utf-8") for f in failures if f.exists())
    assert [p.exitcode for p in procs] == [0] * WORKERS, told

    total = WORKERS * PER_WORKER
    facts = check_store(target)  # versions 1..n, one current (the latest), 39 ratings, archive and log each
    assert sorted(v for _u, _y, v, _f in facts.submissions.values()) == list(range(1, total + 1))
    assert {(u, y) for u, y, _v, _f in facts.submissions.values()} == {(UNIT, YEAR)}
    assert facts.files == total
    con = connect(target)
    try:
        assert con.execute("SELECT COUNT(*) FROM ratings").fetchone()[0] == total * N_INDICATORS
        log = con.execute("SELECT uploader, status, file_name, submission_id FROM intake ORDER BY id").fetchall()
        versions = dict(con.execute("SELECT id, version FROM submissions").fetchall())
    finally:
        con.close()
    assert len(log) == total and {status for _u, status, _f, _s in log} == {"accepted"}
    assert sorted(name for _u, _s, name, _i in log) == sorted(p.name for paths in batches for p in paths)
    for w, paths in enumerate(batches):
        mine = [(name, versions[sub]) for who, _s, name, sub in log if who == f"staff{w}"]
        assert [name for name, _v in mine] == [p.name for p in paths], "each writer's returns, in its order"
        assert [v for _n, v in mine] == sorted(v for _n, v in mine), "a writer's later return is a later version"


def _open_store(url: str, barrier: Barrier) -> None:
    barrier.wait(timeout=60)
    Store.open(url).close()


def test_a_new_sqlite_store_appears_whole_to_everyone_watching_while_several_processes_create_it(
        tmp_path: Path) -> None:
    """Four processes create the same SQLite store at once while this one watches its path: whenever the file
    is there it already has the whole schema at the latest revision (never an empty or half-migrated file that
    another process could take for a store to create, or whose log SQLite would discard), and nothing else is
    left in the folder."""
    path = tmp_path / "lgqa.sqlite"
    url = f"sqlite:///{path}"
    ctx = _processes()
    barrier = ctx.Barrier(4)
    procs = [ctx.Process(target=_open_store, args=(url, barrier)) for _ in range(4)]
    for proc in procs:
        proc.start()
    seen: list[tuple[str | None, int]] = []
    while any(proc.is_alive() for proc in procs):
        if path.exists():
            con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
            try:
                tables = {name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                revision = (con.execute("SELECT version_num FROM alembic_version").fetchone() or [None])[0] \
                    if "alembic_version" in tables else None
            finally:
                con.close()
            seen.append((revision, len(tables)))
        time.sleep(0.002)
    for proc in procs:
        proc.join(timeout=60)
    assert [proc.exitcode for proc in procs] == [0] * 4
    whole = (migrations.head(), len(metadata.tables) + 1)  # every table, and Alembic's
    assert seen and set(seen) == {whole}, f"a watcher saw the store unfinished: {sorted(set(seen) - {whole})}"
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(path.name + "-")) == [path.name]


@pytest.mark.postgres
def test_a_writer_that_loses_the_race_for_a_version_number_retries_in_a_fresh_transaction(pg_url: str) -> None:
    """PostgreSQL: another session (one that takes no advisory lock, like a hand-made import) holds an uncommitted
    version 1 of the unit-year while the store stores its return. The store's insert waits on the unique
    constraint; when the other commits, it fails, its transaction is aborted, and the store retries in a new one
    as version 2."""
    store = Store.open(pg_url)
    data = filled_template(UNIT, YEAR, pattern(0))
    result = read_bytes(data, "mine.xlsx")
    rival, watcher = connect(pg_url), connect(pg_url)
    pool = ThreadPoolExecutor(1)
    try:
        with rival.transaction():  # committed when the block ends
            rival.execute("INSERT INTO files VALUES (%s, 'rival.xlsx', 'xlsx', 5, %s, now())", ("f" * 64, b"rival"))
            rival.execute("INSERT INTO submissions (unit_id, year, version, status, file_sha256, file_name, sheet, "
                          "uploader, uploaded_at, fingerprint) VALUES (%s, %s, 1, 'current', %s, 'rival.xlsx', "
                          "'Sheet1', 'rival', now(), 'rival')", (UNIT, YEAR, "f" * 64))
            storing = pool.submit(store.record, result, data, actor=Actor("staff", Role.STAFF))
            deadline = time.monotonic() + 60
            while not watcher.execute("SELECT COUNT(*) FROM pg_locks WHERE NOT granted").fetchone()[0]:
                assert not storing.done(), f"the store did not wait for the rival: {storing.result()}"
                assert time.monotonic() < deadline, "the store never reached the insert"
                time.sleep(0.01)
        [outcome] = storing.result(timeout=60)
    finally:
        pool.shutdown()
        rival.close()
        watcher.close()
    assert (outcome.status, outcome.version) == ("accepted", 2)
    history = store.history(UNIT, YEAR)
    assert list(zip(history["version"], history["status"], history["uploader"], strict=True)) == [
        (2, "current", "staff"), (1, "superseded", "rival")]
    assert list(store.intake_log()["status"]) == ["accepted"], "stored once, logged once"
    store.close()


def _ingest(db_url: str, folder: Path, *, output: int | None = subprocess.DEVNULL) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "LGQA_DATABASE_URL"}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.Popen([sys.executable, "-m", "lgqa_metrics", "ingest", "--db", db_url, "--create", "--json", str(folder)],
                            cwd=ROOT, env=env, stdout=output, stderr=subprocess.PIPE, text=True)


def _kill_while_writing(proc: subprocess.Popen[str], db_path: Path, at_least: int) -> set[int]:
    """Once ``at_least`` submissions are committed, SIGKILL ``proc`` at a moment it holds the write lock (in the
    middle of storing a return). Returns the submissions seen committed just before the kill."""
    deadline = time.monotonic() + 90
    seen: set[int] = set()
    while len(seen) < at_least:
        assert proc.poll() is None, f"the ingest ended before it could be killed: {proc.stderr and proc.stderr.read()}"
        assert time.monotonic() < deadline, "no progress"
        time.sleep(0.005)
        seen = submission_ids(db_path)
    probe = sqlite3.connect(db_path, timeout=0, isolation_level=None)
    try:
        while True:
            assert proc.poll() is None and time.monotonic() < deadline, "the ingest ended before it could be killed"
            seen = {r[0] for r in probe.execute("SELECT id FROM submissions")}
            try:
                probe.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:  # locked: the writer is inside a transaction right now
                os.kill(proc.pid, signal.SIGKILL)
                break
            probe.execute("ROLLBACK")
            time.sleep(0.001)
    finally:
        probe.close()
    assert proc.wait(timeout=30) == -signal.SIGKILL
    return seen


def test_an_ingest_killed_mid_write_leaves_every_committed_return_whole_and_a_rerun_completes_it(
        tmp_path: Path) -> None:
    db_path = tmp_path / "lgqa.sqlite"
    url = f"sqlite:///{db_path}"
    # 12 unit-years × 2 versions = 24 returns, each unit-year's second version right after its first
    unit_years = [(u, y) for u in builders.pilot_ids()[:6] for y in (2022, 2023)]
    paths = write_returns(tmp_path / "in", [(u, y, f"v{v}") for u, y in unit_years for v in (1, 2)])
    total = len(paths)

    committed: set[int] = set()
    for at_least in (5, 11):  # two ingests killed mid-way (each with a dozen writes still to come, to be caught in)
        seen = _kill_while_writing(_ingest(url, tmp_path / "in"), db_path, at_least)
        assert committed <= seen
        facts = check_store(db_path)  # whole after the crash: no half-written return, versions gap-free
        assert seen <= set(facts.submissions), "a return committed before the kill was lost"
        assert len(facts.submissions) < total, "killed before the end"
        committed = set(facts.submissions)
        stored_names = {name for _u, _y, _v, name in facts.submissions.values()}
        assert stored_names == {p.name for p in paths[:len(stored_names)]}, "stored in order, none skipped"

    done = _ingest(url, tmp_path / "in", output=subprocess.PIPE)
    out, err = done.communicate(timeout=120)
    assert done.returncode == 0, err
    status = {o["file"]: o["status"] for o in json.loads(out)}
    assert {n for n, s in status.items() if s == "duplicate"} == stored_names
    assert {n for n, s in status.items() if s == "accepted"} == {p.name for p in paths} - stored_names
    facts = check_store(db_path)
    assert len(facts.submissions) == total and committed <= set(facts.submissions)
    latest = {(u, y): (v, name) for u, y, v, name in sorted(facts.submissions.values(), key=lambda s: s[2])}
    assert {k: v for k, (v, _n) in latest.items()} == dict.fromkeys(unit_years, 2)
    assert all(name.endswith("-v2.xlsx") for _v, name in latest.values())


def test_on_a_file_system_without_hard_links_a_new_store_is_moved_into_place_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Some mounted file systems refuse hard links (EPERM): the private file is then renamed into place, and
    nothing but the store is left."""
    def no_links(_src: object, _dst: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    path = tmp_path / "lgqa.sqlite"
    Store.open(f"sqlite:///{path}").close()
    con = sqlite3.connect(path)
    try:
        assert con.execute("SELECT version_num FROM alembic_version").fetchone() == (migrations.head(),)
    finally:
        con.close()
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith(path.name + "-")] == [path.name]
