"""Backup and restore: a round trip keeps everything, a backup taken during an ingest is consistent, a damaged
or foreign backup is refused with a message, and a store holding data is not overwritten by accident."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from lgqa_metrics.domain.i18n import load_messages, messages
from lgqa_metrics.services.ingest import ingest_bytes
from lgqa_metrics.store import backup as bk
from lgqa_metrics.store.database import Store
from lgqa_metrics.store.schema import metadata
from tests.support import builders
from tests.support.cli import ROOT, run_in_process, run_process
from tests.support.consistency import check_store, submission_ids, write_returns
from tests.support.returns import filled_template, pattern


def _fill(store: Store) -> None:
    """Two unit-years with two versions each, one more unit-year, and one rejected file."""
    for shift, unit, year in ((0, "q-le-chan", 2023), (1, "q-le-chan", 2023), (2, "p-cat-dai", 2022),
                              (3, "p-cat-dai", 2022), (4, "x-an-thang", 2023)):
        ingest_bytes(store, filled_template(unit, year, pattern(shift)), f"{unit}-{year}-{shift}.xlsx",
                     uploader=f"staff{shift}")
    ingest_bytes(store, b"STT,Ma,Ket qua\n1,1.1,Do\n", "broken.xlsx")


def _everything(store: Store) -> dict[str, pd.DataFrame | dict[str, bytes | None]]:
    """What the store answers (current ratings, every version, the logs, the archive) and every table's rows."""
    subs = store.submissions()
    seen: dict[str, pd.DataFrame | dict[str, bytes | None]] = {
        "current": store.ratings(),
        "versions": pd.concat([store.ratings(submission_id=int(i)) for i in subs["id"]], ignore_index=True),
        "submissions": subs,
        "intake": store.intake_log(),
        "issues": pd.concat([store.issues_of(int(i)) for i in store.intake_log()["id"]], ignore_index=True),
        "archive": {sha: store.archived(sha) for sha in store.intake_log()["file_sha256"]},
    }
    with store.engine.connect() as conn:
        for table in metadata.sorted_tables:  # users and the audit trail too
            seen[table.name] = pd.read_sql(sa.select(table).order_by(*table.primary_key.columns), conn)
    return seen


def _assert_same(left: dict[str, pd.DataFrame | dict[str, bytes | None]],
                 right: dict[str, pd.DataFrame | dict[str, bytes | None]]) -> None:
    for key, frame in left.items():
        if isinstance(frame, pd.DataFrame):
            other = right[key]
            assert isinstance(other, pd.DataFrame)
            pd.testing.assert_frame_equal(frame, other, check_dtype=False)
        else:
            assert frame == right[key] and all(frame.values())


@pytest.mark.parametrize("logical", [False, True], ids=["sqlite-snapshot", "logical-dump"])
def test_round_trip_restores_ratings_versions_archive_and_intake_log(tmp_path: Path, logical: bool) -> None:
    source = Store.open(f"sqlite:///{tmp_path / 'source.sqlite'}")
    _fill(source)
    before = _everything(source)
    assert len(before["submissions"]) == 5 and len(before["intake"]) == 6
    assert len(before["audit"]) == 6

    manifest = bk.backup(f"sqlite:///{tmp_path / 'source.sqlite'}", tmp_path / "b.zip", logical=logical)
    source.close()
    assert manifest.kind == ("logical" if logical else "sqlite")
    assert (manifest.counts["submissions"], manifest.counts["ratings"], manifest.counts["files"]) == (5, 5 * 39, 6)
    with zipfile.ZipFile(tmp_path / "b.zip") as zf:
        written = json.loads(zf.read("manifest.json"))
    assert written["tool_version"] and written["created_at"] and written["counts"] == manifest.counts
    assert all(len(m["sha256"]) == 64 for m in written["members"].values())

    target_url = f"sqlite:///{tmp_path / 'new' / 'restored.sqlite'}"
    assert bk.restore(tmp_path / "b.zip", target_url) == manifest
    restored = Store.open(target_url)
    _assert_same(before, _everything(restored))
    restored.close()
    check_store(tmp_path / "new" / "restored.sqlite")
    assert not list((tmp_path / "new").glob(".*restoring")), "no temporary file left behind"


def test_a_dump_loads_into_an_empty_database_through_the_generic_path(tmp_path: Path) -> None:
    """The path used for PostgreSQL and other backends (one transaction over SQLAlchemy), run against SQLite."""
    source = Store.open(f"sqlite:///{tmp_path / 'source.sqlite'}")
    _fill(source)
    before = _everything(source)
    source.close()
    target_url = f"sqlite:///{tmp_path / 'target.sqlite'}"
    Store.open(target_url).close()  # a new store: reference data only, counts as empty
    for logical in (True, False):
        archive = tmp_path / f"b-{logical}.zip"
        manifest = bk.backup(f"sqlite:///{tmp_path / 'source.sqlite'}", archive, logical=logical)
        bk._restore_other(archive, manifest, target_url, force=False)
        restored = Store.open(target_url)
        _assert_same(before, _everything(restored))
        restored.close()
        with pytest.raises(bk.BackupError) as refused:  # now it holds data
            bk._restore_other(archive, manifest, target_url, force=True)
        assert refused.value.key == "backup.force_sqlite_only"
        (tmp_path / "target.sqlite").unlink()
        Store.open(target_url).close()


def _utc_naive(seen: dict[str, pd.DataFrame | dict[str, bytes | None]]) -> dict[str, pd.DataFrame | dict[str, bytes | None]]:
    """Times as naive UTC: SQLite returns them without a zone, PostgreSQL with one."""
    out: dict[str, pd.DataFrame | dict[str, bytes | None]] = {}
    for key, frame in seen.items():
        if isinstance(frame, pd.DataFrame):
            frame = frame.copy()
            for name in frame.columns:
                if isinstance(frame[name].dtype, pd.DatetimeTZDtype):
                    frame[name] = frame[name].dt.tz_convert("UTC").dt.tz_localize(None)
        out[key] = frame
    return out


@pytest.mark.postgres
@pytest.mark.parametrize("logical", [False, True], ids=["sqlite-snapshot", "logical-dump"])
def test_a_sqlite_backup_restores_into_an_empty_postgresql_database(
        tmp_path: Path, pg_url: str, logical: bool) -> None:
    source = Store.open(f"sqlite:///{tmp_path / 'source.sqlite'}")
    _fill(source)
    before = _everything(source)
    source.close()
    bk.backup(f"sqlite:///{tmp_path / 'source.sqlite'}", tmp_path / "b.zip", logical=logical)
    Store.open(pg_url).close()  # a new store (reference data only) counts as empty
    run = run_in_process("--lang", "en", "restore", "--db", pg_url, str(tmp_path / "b.zip"))
    assert run.returncode == 0, run.stderr
    restored = Store.open(pg_url)
    _assert_same(_utc_naive(before), _utc_naive(_everything(restored)))
    [new] = ingest_bytes(restored, filled_template("q-le-chan", 2023, pattern(9)), "after.xlsx")  # sequences moved on
    assert (new.version, int(restored.submissions()["id"].max())) == (3, int(before["submissions"]["id"].max()) + 1)
    refused = run_in_process("--lang", "en", "restore", "--force", "--db", pg_url, str(tmp_path / "b.zip"))
    assert refused.returncode == 1 and "already holds data" in refused.stderr and "SQLite files only" in refused.stderr
    restored.close()


@pytest.mark.postgres
def test_a_postgresql_store_is_dumped_logically_and_restores_into_sqlite(tmp_path: Path, pg_url: str) -> None:
    source = Store.open(pg_url)
    _fill(source)
    before = _everything(source)
    source.close()
    manifest = bk.backup(pg_url, tmp_path / "pg.zip")  # any backend but SQLite is always dumped logically
    assert (manifest.kind, manifest.source, manifest.skipped_tables) == ("logical", "postgresql", ())
    assert (manifest.counts["submissions"], manifest.counts["ratings"], manifest.counts["files"]) == (5, 5 * 39, 6)
    target = tmp_path / "restored.sqlite"
    bk.restore(tmp_path / "pg.zip", f"sqlite:///{target}")
    restored = Store.open(f"sqlite:///{target}")
    _assert_same(_utc_naive(before), _utc_naive(_everything(restored)))
    restored.close()
    check_store(target)


def test_a_backup_taken_while_another_process_ingests_is_consistent(tmp_path: Path) -> None:
    db_path = tmp_path / "live.sqlite"
    unit_years = [(u, y) for u in builders.pilot_ids() for y in (2022, 2023)]  # 24 returns
    paths = write_returns(tmp_path / "in", [(u, y, "v1") for u, y in unit_years])
    env = {k: v for k, v in os.environ.items() if k != "LGQA_DATABASE_URL"} | {"PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "lgqa_metrics", "ingest", "--create", "--db", f"sqlite:///{db_path}",
                             str(tmp_path / "in")], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 90
    while len(submission_ids(db_path)) < 2:
        assert proc.poll() is None and time.monotonic() < deadline, "the ingest ended or stalled"
        time.sleep(0.005)
    taken: list[tuple[bool, int, Path]] = []  # (logical, submissions in the backup, restored copy)
    while proc.poll() is None:
        n = len(taken)
        archive = tmp_path / f"during-{n}.zip"
        manifest = bk.backup(f"sqlite:///{db_path}", archive, logical=n % 2 == 1)
        restored = tmp_path / f"restored-{n}.sqlite"
        bk.restore(archive, f"sqlite:///{restored}")
        taken.append((n % 2 == 1, manifest.counts["submissions"], restored))
    assert proc.wait() == 0, proc.stderr.read() if proc.stderr else ""

    mid_way = [t for t in taken if 0 < t[1] < len(paths)]
    assert mid_way, f"no backup was taken while the ingest was writing: {[(t[0], t[1]) for t in taken]}"
    for _logical, count, restored in taken:
        facts = check_store(restored)  # integrity ok, 39 ratings each, archived, logged, versions gap-free
        assert len(facts.submissions) == count == facts.intake == facts.files
        names = sorted(name for _u, _y, _v, name in facts.submissions.values())
        assert names == [p.name for p in paths[:count]], "a snapshot holds a prefix of the ingest"


def _rewrite(archive: Path, out: Path, change: dict[str, bytes]) -> None:
    """Copy ``archive`` to ``out`` with some members' bytes replaced (the zip itself stays well formed)."""
    with zipfile.ZipFile(archive) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, change.get(info.filename, src.read(info.filename)))


@pytest.fixture
def backup_zip(tmp_path: Path) -> Path:
    """A backup of a store holding two returns."""
    url = f"sqlite:///{tmp_path / 'source.sqlite'}"
    store = Store.open(url)
    for shift, unit in ((0, "q-hong-bang"), (1, "h-vinh-bao")):
        ingest_bytes(store, filled_template(unit, 2023, pattern(shift)), f"{unit}.xlsx")
    store.close()
    bk.backup(url, tmp_path / "good.zip")
    return tmp_path / "good.zip"


def test_restore_refuses_a_corrupted_backup_with_a_message_in_either_language(
        backup_zip: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(backup_zip) as zf:
        db = bytearray(zf.read("lgqa.sqlite"))
    db[len(db) // 2] ^= 0xFF
    bad = tmp_path / "bad-hash.zip"
    _rewrite(backup_zip, bad, {"lgqa.sqlite": bytes(db)})
    target = tmp_path / "target.sqlite"
    for lang, words in (("vi", "không khớp"), ("en", "does not match")):
        args = ("--lang", lang, "restore", "--db", f"sqlite:///{target}", str(bad))
        run = run_process(*args) if lang == "vi" else run_in_process(*args)
        assert run.returncode == 1
        assert "Traceback" not in run.stderr + run.stdout
        assert words in run.stderr and "SHA-256" in run.stderr and "lgqa.sqlite" in run.stderr
    assert not target.exists(), "nothing was written"

    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(backup_zip.read_bytes()[: backup_zip.stat().st_size // 2])
    not_zip = tmp_path / "notes.zip"
    not_zip.write_text("not a backup", encoding="utf-8")
    no_manifest = tmp_path / "no-manifest.zip"
    with zipfile.ZipFile(no_manifest, "w") as zf:
        zf.writestr("lgqa.sqlite", b"x")
    newer = tmp_path / "newer.zip"
    with zipfile.ZipFile(backup_zip) as zf:
        raw = json.loads(zf.read("manifest.json"))
    _rewrite(backup_zip, newer, {"manifest.json": json.dumps(raw | {"format_version": 99}).encode()})
    for archive, key in ((truncated, "backup.corrupt"), (not_zip, "backup.corrupt"),
                         (no_manifest, "backup.not_a_backup"), (newer, "backup.newer_format")):
        with pytest.raises(bk.BackupError) as refused:
            bk.restore(archive, f"sqlite:///{target}")
        assert refused.value.key == key, archive.name
        assert refused.value.message("vi") != refused.value.message("en")
    assert not target.exists()
    missing = run_in_process("restore", "--db", f"sqlite:///{target}", str(tmp_path / "nowhere.zip"))
    assert missing.returncode == 2 and "Traceback" not in missing.stderr and "nowhere.zip" in missing.stderr


def test_restore_keeps_a_store_with_data_unless_forced(backup_zip: Path, tmp_path: Path) -> None:
    target = tmp_path / "target.sqlite"
    url = f"sqlite:///{target}"
    store = Store.open(url)
    ingest_bytes(store, filled_template("x-tien-minh", 2022, pattern(3)), "other.xlsx")
    store.close()

    refused = run_in_process("--lang", "en", "restore", "--db", url, str(backup_zip))
    assert refused.returncode == 1 and "--force" in refused.stderr and "Traceback" not in refused.stderr
    kept = Store.open(url)
    assert set(kept.ratings()["unit_id"]) == {"x-tien-minh"}
    kept.close()

    forced = run_in_process("--lang", "en", "restore", "--force", "--db", url, str(backup_zip))
    assert forced.returncode == 0, forced.stderr
    assert "2 return versions" in forced.stdout
    replaced = Store.open(url)
    assert set(replaced.ratings()["unit_id"]) == {"q-hong-bang", "h-vinh-bao"}
    replaced.close()
    check_store(target)


def test_restore_refuses_a_store_that_another_process_has_open(backup_zip: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'busy.sqlite'}"
    running = Store.open(url)  # like the dashboard: its pool keeps a connection to the file
    ingest_bytes(running, filled_template("q-kien-an", 2022, pattern()), "k.xlsx")
    with pytest.raises(bk.BackupError) as refused:
        bk.restore(backup_zip, url, force=True)
    assert refused.value.key == "backup.in_use"
    assert set(running.ratings()["unit_id"]) == {"q-kien-an"}
    running.close()
    bk.restore(backup_zip, url, force=True)  # stopped: now it goes ahead
    check_store(tmp_path / "busy.sqlite")


def test_backup_cli_writes_a_private_zip_and_reports_what_it_holds(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    store = Store.open(url)
    ingest_bytes(store, filled_template("p-minh-khai", 2023, pattern()), "m.xlsx")
    store.close()
    run = run_in_process("--lang", "en", "backup", "--db", url, "-o", str(tmp_path / "out" / "b.zip"))
    assert run.returncode == 0, run.stderr
    assert "1 return versions, 1 original files" in run.stdout
    assert (tmp_path / "out" / "b.zip").stat().st_mode & 0o777 == 0o600
    assert bk.verify(tmp_path / "out" / "b.zip").counts["ratings"] == 39
    nothing = run_in_process("backup", "--db", f"sqlite:///{tmp_path / 'none.sqlite'}", "-o", str(tmp_path / "x.zip"))
    assert nothing.returncode == 1 and "Traceback" not in nothing.stderr and not (tmp_path / "none.sqlite").exists()


def test_every_backup_message_is_in_the_catalogue_in_both_languages() -> None:
    code = "".join((ROOT / "lgqa_metrics" / name).read_text(encoding="utf-8") for name in ("store/backup.py", "cli/backup.py"))
    used = set(re.findall(r"""(?:BackupError\(|\bt\()\s*"(backup\.[a-z_]+)\"""", code))
    own = {k for k in load_messages(ROOT / "data" / "i18n") if k.startswith("backup.")}
    assert used and used == own, f"unused: {own - used}, missing: {used - own}"
    assert all(messages()[k][0] != messages()[k][1] for k in own)
