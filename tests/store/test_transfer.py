"""``migrate-store``: a whole store copied into another database (SQLite → PostgreSQL, and back), verified, in one
transaction on the target; refusals (a target holding data, a missing source) change nothing."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from lgqa_metrics.cli.main import main
from lgqa_metrics.domain.i18n import load_messages, messages
from lgqa_metrics.domain.paths import DATA_DIR, SAMPLES_DIR
from lgqa_metrics.domain.roles import Actor, Role, cli_actor
from lgqa_metrics.services.ingest import ingest_bytes, ingest_paths
from lgqa_metrics.store import audit, transfer
from lgqa_metrics.store.accounts import Accounts
from lgqa_metrics.store.database import Store
from lgqa_metrics.store.schema import audit_t, intake_t, issues_t, metadata, submissions_t
from tests.support.returns import filled_template, pattern

ROOT = Path(__file__).resolve().parents[2]
ADMIN_PASSWORD = "an-admin-password-1"


@pytest.fixture(scope="module")
def _demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo store (the 30 bundled synthetic returns) with a second version of one unit-year, a withdrawn
    version, the broken samples (rejected, with their issues) and an administrator who has signed in once."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    store = Store.open(f"sqlite:///{path}")
    ingest_paths(store, [SAMPLES_DIR], uploader="demo")
    ingest_paths(store, [DATA_DIR / "samples-bad"], uploader="demo")
    ingest_bytes(store, filled_template("q-le-chan", 2023, pattern(5)), "le-chan-v2.xlsx", uploader="staff")
    ingest_bytes(store, filled_template("x-an-thang", 2022, pattern(6)), "an-thang-v2.xlsx", uploader="staff")
    [withdrawn] = store.history("x-an-thang", 2022)["id"][:1]
    store.withdraw(cli_actor(), int(withdrawn), "sai đơn vị")
    accounts = Accounts(store)
    accounts.add(cli_actor(), "lan.admin", ADMIN_PASSWORD, Role.ADMIN, display_name="Chị Lan")
    assert accounts.sign_in("lan.admin", ADMIN_PASSWORD).reason == "ok"
    store.close()
    return path


@pytest.fixture
def demo_path(_demo_file: Path, tmp_path: Path) -> Path:
    """A private copy of the demo store file."""
    copy = tmp_path / "demo.sqlite"
    shutil.copyfile(_demo_file, copy)
    return copy


def _utc_naive(frame: pd.DataFrame) -> pd.DataFrame:
    """Times as naive UTC (SQLite returns them without a zone, PostgreSQL with one)."""
    out = frame.copy()
    for name in out.columns:
        if isinstance(out[name].dtype, pd.DatetimeTZDtype):
            out[name] = out[name].dt.tz_convert("UTC").dt.tz_localize(None)
    return out


def _same(left: pd.DataFrame, right: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(_utc_naive(left).reset_index(drop=True), _utc_naive(right).reset_index(drop=True),
                                  check_dtype=False)


def _answers(store: Store) -> dict[str, pd.DataFrame]:
    """Everything the store answers: current ratings, every version's ratings, submissions, each unit-year's
    history, the intake log with every issue, the audit trail and the archive."""
    subs = store.submissions()
    log = store.intake_log()
    archive = {sha: store.archived(sha) for sha in sorted(set(log["file_sha256"]))}
    return {
        "ratings": store.ratings(),
        "versions": pd.concat([store.ratings(submission_id=int(i)) for i in subs["id"]], ignore_index=True),
        "submissions": subs,
        "history": pd.concat([store.history(u, int(y)) for u, y in sorted(set(zip(subs["unit_id"], subs["year"],
                                                                                   strict=True)))]),
        "intake": log,
        "issues": pd.concat([store.issues_of(int(i)) for i in log["id"]], ignore_index=True),
        "audit": audit.audit_log(store.engine).sort_values("id"),
        "archive": pd.DataFrame({"sha256": list(archive), "content": list(archive.values())}),
    }


def test_a_sqlite_demo_store_moves_into_postgresql_whole_and_keeps_working(
        demo_path: Path, pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--lang", "en", "migrate-store", "--from", str(demo_path), "--to", pg_url]) == 0
    printed = capsys.readouterr()
    assert "every table's rows and checksum match the source" in printed.out and not printed.err
    assert all(re.search(rf"^\s*{name}\s", printed.out, re.M) for name in metadata.tables), printed.out
    assert "***" in printed.out and sa.engine.make_url(pg_url).password not in printed.out

    source, moved = Store.open(f"sqlite:///{demo_path}"), Store.open(pg_url)
    before, after = _answers(source), _answers(moved)
    assert len(before["submissions"]) == 32 and len(before["issues"]) > 0 and before["archive"]["content"].all()
    assert list(after["audit"]["action"])[-1] == "store_migrated"
    after["audit"] = after["audit"].iloc[:-1]
    for key, frame in before.items():
        _same(frame, after[key])
    assert set(moved.submissions()["status"]) == {"current", "superseded", "withdrawn"}

    assert Accounts(moved).sign_in("lan.admin", ADMIN_PASSWORD).actor == Actor("lan.admin", Role.ADMIN)
    ids = {t.name: int(moved.count(t) and pd.read_sql(sa.select(sa.func.max(t.c.id)), moved.engine).iloc[0, 0])
           for t in (submissions_t, intake_t, issues_t, audit_t)}
    version = int(moved.history("q-le-chan", 2023)["version"].max())
    [new] = ingest_bytes(moved, filled_template("q-le-chan", 2023, pattern(7)), "le-chan-v3.xlsx", uploader="lan")
    [bad] = ingest_bytes(moved, b"STT,Ma,Ket qua\n1,1.1,Do\n", "broken-after.xlsx", uploader="lan")
    assert (new.status, new.version, bad.status) == ("accepted", version + 1, "rejected")
    assert int(moved.submissions()["id"].max()) == ids["submissions"] + 1
    log = moved.intake_log()
    assert list(log["id"])[-2:] == [ids["intake"] + 1, ids["intake"] + 2]
    assert int(moved.issues_of(ids["intake"] + 2)["id"].min()) == ids["issues"] + 1
    assert list(audit.audit_log(moved.engine)["id"])[:2] == [ids["audit"] + 2, ids["audit"] + 1]
    source.close()
    moved.close()


def test_moving_into_a_database_that_holds_data_is_refused_and_changes_nothing(
        demo_path: Path, pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    target = Store.open(pg_url)
    ingest_bytes(target, filled_template("p-cat-dai", 2024, pattern(1)), "cat-dai.xlsx")
    before = {t.name: target.count(t) for t in metadata.sorted_tables}
    env = {k: v for k, v in os.environ.items() if k != "LGQA_DATABASE_URL"} | {"PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "lgqa_metrics", "migrate-store", "--from", str(demo_path),
                          "--to", pg_url], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert run.returncode == 1 and "Traceback" not in run.stderr + run.stdout
    assert "đã có dữ liệu" in run.stderr and "submissions (1)" in run.stderr
    assert main(["--lang", "en", "migrate-store", "--from", str(demo_path), "--to", pg_url]) == 1
    assert "already holds data" in capsys.readouterr().err
    assert {t.name: target.count(t) for t in metadata.sorted_tables} == before
    target.close()


def test_a_failure_midway_rolls_everything_back_leaving_the_target_empty(
        demo_path: Path, pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    con = sqlite3.connect(demo_path)  # foreign keys are off in a plain connection: a broken reference gets in
    with con:
        con.execute("INSERT INTO ratings VALUES (99999, '1.1', 'red', 'Đỏ', '', '', 'D12', 'not_required')")
    con.close()
    assert main(["--lang", "en", "migrate-store", "--from", str(demo_path), "--to", pg_url]) == 1
    err = capsys.readouterr().err
    assert "ratings" in err and "refer" in err and "the target was not changed" in err
    engine = sa.create_engine(pg_url)
    try:
        with engine.connect() as conn:
            assert sa.inspect(conn).get_table_names() == [], "not even the schema was left behind"
    finally:
        engine.dispose()


def test_a_store_goes_to_postgresql_and_back_to_sqlite_unchanged(demo_path: Path, pg_url: str, tmp_path: Path) -> None:
    back = f"sqlite:///{tmp_path / 'back.sqlite'}"
    first = transfer.copy_store(f"sqlite:///{demo_path}", pg_url)
    second = transfer.copy_store(pg_url, back)
    # the fingerprints are the same whatever the backend: computed on SQLite, then on PostgreSQL
    assert [(c.name, c.rows, c.checksum) for c in first.tables if c.name != "audit"] == [
        (c.name, c.rows, c.checksum) for c in second.tables if c.name != "audit"]
    assert {c.name: c.rows for c in second.tables} == {c.name: c.rows + (c.name == "audit") for c in first.tables}
    original, returned = Store.open(f"sqlite:///{demo_path}"), Store.open(back)
    before, after = _answers(original), _answers(returned)
    assert list(after["audit"]["action"])[-2:] == ["store_migrated", "store_migrated"]
    after["audit"] = after["audit"].iloc[:-2]
    for key, frame in before.items():
        _same(frame, after[key])
    [new] = ingest_bytes(returned, filled_template("q-le-chan", 2023, pattern(8)), "again.xlsx")
    assert new.version == int(original.history("q-le-chan", 2023)["version"].max()) + 1
    original.close()
    returned.close()


def test_a_missing_source_is_a_usage_error_and_creates_nothing(tmp_path: Path, pg_url: str,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    for source in (str(tmp_path / "none.sqlite"), f"sqlite:///{tmp_path / 'none.sqlite'}"):
        assert main(["--lang", "en", "migrate-store", "--from", source, "--to", pg_url]) == 2
        assert "not found" in capsys.readouterr().err
    assert not (tmp_path / "none.sqlite").exists()
    assert main(["migrate-store", "--from", str(tmp_path), "--to", pg_url]) == 2  # a folder is no store either


def test_copying_a_store_onto_itself_is_refused(demo_path: Path) -> None:
    with pytest.raises(transfer.TransferError) as refused:
        transfer.copy_store(f"sqlite:///{demo_path}", f"sqlite:///{demo_path.parent / '..' / demo_path.parent.name}/demo.sqlite")
    assert refused.value.key == "transfer.same_store"
    assert refused.value.message("vi") != refused.value.message("en")


def test_every_migration_message_is_in_the_catalogue_in_both_languages() -> None:
    code = "".join((ROOT / "lgqa_metrics" / name).read_text(encoding="utf-8")
                   for name in ("store/transfer.py", "cli/migrate.py"))
    used = set(re.findall(r"""(?:TransferError\(|\bt\()\s*"((?:transfer|migrate)\.[a-z_]+)\"""", code))
    own = {k for k in load_messages(ROOT / "data" / "i18n") if k.startswith(("transfer.", "migrate."))}
    assert used and used == own, f"unused: {own - used}, missing: {used - own}"
    assert all(messages()[k][0] != messages()[k][1] for k in own)
