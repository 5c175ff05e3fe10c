"""The store: versions, duplicates, atomic rejections, archive, long-form queries; on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa
from alembic import command

from lgqa_metrics.domain.evidence import load_rule
from lgqa_metrics.domain.roles import cli_actor
from lgqa_metrics.services.ingest import batched, ingest_bytes, ingest_paths
from lgqa_metrics.store import migrations
from lgqa_metrics.store.database import (
    EVIDENCE_RULE_KEY,
    Store,
    files_t,
    intake_t,
    issues_t,
    make_engine,
    ratings_t,
    submissions_t,
)
from lgqa_metrics.store.schema import meta_t
from tests.support.returns import filled_template, pattern


@pytest.fixture
def db_url(store_url: str) -> str:
    """Every test here runs on SQLite and on PostgreSQL."""
    return store_url


def test_accepted_return_is_stored_as_version_1_with_39_ratings(store: Store) -> None:
    data = filled_template("q-le-chan", 2023, pattern())
    [out] = ingest_bytes(store, data, "le-chan.xlsx", uploader="staff-a")
    assert (out.status, out.unit_id, out.year, out.version, out.ratings) == ("accepted", "q-le-chan", 2023, 1, 39)
    frame = store.ratings()
    assert len(frame) == 39
    assert dict(zip(frame["indicator_code"], frame["rating"], strict=True)) == pattern()
    assert set(frame.loc[frame["rating"] == "green", "score"]) == {2}
    assert frame.loc[frame["rating"] == "na", "score"].isna().all()
    assert store.submissions().loc[0, "uploader"] == "staff-a"


def test_same_file_again_is_a_duplicate_and_stores_nothing_new(store: Store) -> None:
    data = filled_template("q-le-chan", 2023, pattern())
    ingest_bytes(store, data, "a.xlsx")
    [again] = ingest_bytes(store, data, "a-copy.xlsx")
    assert (again.status, again.version) == ("duplicate", 1)
    assert store.count(submissions_t) == 1
    assert store.count(ratings_t) == 39
    assert store.count(files_t) == 1


def test_a_repeat_of_an_older_version_is_a_duplicate_of_that_version_with_its_id_in_the_log(store: Store) -> None:
    """A duplicate names the version it repeats, which need not be the latest: the same sheet of the same file
    repeats whichever version it was; the same content repeats the current version only."""
    first, second = filled_template("x-an-thang", 2022, pattern(0)), filled_template("x-an-thang", 2022, pattern(1))
    ingest_bytes(store, first, "v1.xlsx")
    ingest_bytes(store, second, "v2.xlsx")
    ids = dict(zip(store.history("x-an-thang", 2022)["version"], store.history("x-an-thang", 2022)["id"], strict=True))
    [dry] = ingest_bytes(store, first, "v1-again.xlsx", dry_run=True)
    [again] = ingest_bytes(store, first, "v1-again.xlsx")
    assert (dry.status, dry.version) == (again.status, again.version) == ("duplicate", 1)
    [current] = ingest_bytes(store, _another_file(second), "v2-copy.xlsx")
    assert (current.status, current.version) == ("duplicate", 2)
    [older] = ingest_bytes(store, _another_file(first), "v1-copy.xlsx")
    assert (older.status, older.version) == ("accepted", 3), "content of a superseded version is a new version"
    with store.engine.connect() as conn:
        logged = conn.execute(sa.select(intake_t.c.file_name, intake_t.c.submission_id)
                              .where(intake_t.c.status == "duplicate").order_by(intake_t.c.id)).all()
    assert [tuple(row) for row in logged] == [("v1-again.xlsx", ids[1]), ("v2-copy.xlsx", ids[2])]


def _another_file(data: bytes) -> bytes:
    """The same return in another file (its document title changed)."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    book.properties.title = "Bản sao"
    out = io.BytesIO()
    book.save(out)
    assert out.getvalue() != data
    return out.getvalue()


def test_a_different_return_for_the_same_unit_year_becomes_the_next_version(store: Store) -> None:
    first = filled_template("x-an-thang", 2022, pattern(0))
    second = filled_template("x-an-thang", 2022, pattern(1))
    ingest_bytes(store, first, "v1.xlsx")
    [out] = ingest_bytes(store, second, "v2.xlsx")
    assert (out.status, out.version) == ("accepted", 2)
    current = store.ratings(units=["x-an-thang"])
    assert dict(zip(current["indicator_code"], current["rating"], strict=True)) == pattern(1)
    history = store.history("x-an-thang", 2022)
    assert list(history["version"]) == [2, 1]
    assert list(history["status"]) == ["current", "superseded"]
    old = store.ratings(submission_id=int(history.loc[1, "id"]))
    assert dict(zip(old["indicator_code"], old["rating"], strict=True)) == pattern(0)
    assert store.archived(history.loc[1, "file_sha256"]) == first


def test_rejected_return_stores_no_submission_but_keeps_the_file_and_its_issues(store: Store) -> None:
    ratings = pattern()
    ratings["2.3"] = "red"
    data = filled_template("p-bac-son", 2023, ratings)
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book["Tự đánh giá"]
    for row in ws.iter_rows():
        if row[1].value == "2.3":
            row[3].value = "Tím"
            bad_cell = row[3].coordinate
    buf = io.BytesIO()
    book.save(buf)
    [out] = ingest_bytes(store, buf.getvalue(), "bad.xlsx")
    assert out.status == "rejected"
    [err] = [i for i in out.issues if i.severity == "error"]
    assert (err.code, err.cell, err.value) == ("rating_unknown", bad_cell, "Tím")
    assert [i.code for i in out.issues] == ["rating_unknown"], "the bad row is not also reported missing"
    assert store.count(submissions_t) == 0
    assert store.count(ratings_t) == 0
    assert store.count(files_t) == 1
    log = store.intake_log()
    assert list(log["status"]) == ["rejected"]
    logged = store.issues_of(int(log.loc[0, "id"]))
    assert "rating_unknown" in set(logged["code"])


def test_dry_run_reports_the_version_it_would_create_and_writes_nothing(store: Store) -> None:
    data = filled_template("h-an-lao", 2023, pattern())
    [out] = ingest_bytes(store, data, "a.xlsx", dry_run=True)
    assert (out.status, out.version) == ("accepted", 1)
    for table in (submissions_t, ratings_t, files_t, intake_t, issues_t):
        assert store.count(table) == 0


def test_files_are_read_in_batches_of_a_few_files_and_bytes_in_order(tmp_path: Path) -> None:
    sizes = [10, 10, 10, 90, 10, 200, 10]
    files = []
    for i, size in enumerate(sizes):
        (path := tmp_path / f"f{i}.xlsx").write_bytes(bytes(size))
        files.append(path)
    batches = batched(files, 3, 100)
    assert [[p.name for p in b] for b in batches] == [["f0.xlsx", "f1.xlsx", "f2.xlsx"], ["f3.xlsx", "f4.xlsx"],
                                                      ["f5.xlsx"], ["f6.xlsx"]]  # f5 is larger than a batch
    assert batched(files, 16, 10_000) == [files]
    assert batched([], 4, 100) == []


def test_a_dry_run_batch_on_one_connection_gets_the_outcomes_of_a_connection_each(store: Store, tmp_path: Path) -> None:
    stored = filled_template("h-an-lao", 2023, pattern())
    ingest_bytes(store, stored, "stored.xlsx")
    files = {"same.xlsx": stored, "changed.xlsx": filled_template("h-an-lao", 2023, pattern(1)),
             "new.xlsx": filled_template("q-hong-bang", 2023, pattern()), "bad.xlsx": b"not a workbook"}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    paths = [tmp_path / name for name in files]
    shared = ingest_paths(store, paths, dry_run=True)
    alone = [out for path in paths for out in ingest_bytes(store, path.read_bytes(), path.name, dry_run=True)]
    assert shared == alone
    assert [(o.status, o.version) for o in shared] == [("duplicate", 1), ("accepted", 2), ("accepted", 1),
                                                      ("rejected", None)]
    assert store.count(submissions_t) == 1


def test_ratings_filters_by_year_unit_and_quadrant(store: Store) -> None:
    for unit in ("q-hong-bang", "h-vinh-bao"):
        for year in (2022, 2023):
            ingest_bytes(store, filled_template(unit, year, pattern(year)), f"{unit}-{year}.xlsx")
    assert len(store.ratings()) == 4 * 39
    only = store.ratings(years=[2023], units=["h-vinh-bao"], quadrants=[3])
    assert len(only) == 12
    assert set(only["unit_id"]) == {"h-vinh-bao"} and set(only["year"]) == {2023} and set(only["quadrant"]) == {3}
    assert list(only["indicator_code"])[-3:] == ["3.10", "3.11", "3.12"]


def test_store_reopens_an_existing_file_without_losing_data(db_url: str) -> None:
    first = Store.open(db_url)
    ingest_bytes(first, filled_template("q-kien-an", 2023, pattern()), "a.xlsx")
    first.close()
    again = Store.open(db_url)
    assert len(again.ratings()) == 39
    if again.engine.dialect.name == "sqlite":
        with again.engine.connect() as conn:
            assert conn.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
    again.close()


def test_data_version_changes_when_anything_is_stored_rejected_or_withdrawn(store: Store) -> None:
    seen = [store.data_version()]
    ingest_bytes(store, filled_template("q-kien-an", 2023, pattern()), "a.xlsx")
    seen.append(store.data_version())
    ingest_bytes(store, b"STT,Ma,Ket qua\n1,1.1,Do\n", "broken.xlsx")
    seen.append(store.data_version())
    store.withdraw(cli_actor(), int(store.submissions()["id"].iloc[0]), "nhầm năm")
    seen.append(store.data_version())
    assert len(set(seen)) == 4, seen
    assert store.ratings().empty, "the only version is withdrawn"


def test_the_archive_keeps_every_byte_of_a_file(store: Store) -> None:
    data = bytes(range(256)) * 64 + b"\x00\\x00'\"\r\n\t"  # NULs, backslashes, quotes: bytea and BLOB alike
    [out] = ingest_bytes(store, data, "strange.bin")
    assert out.status == "rejected"
    [sha] = store.intake_log()["file_sha256"]
    assert store.archived(sha) == data and store.archived("0" * 64) is None


def _statuses(store: Store) -> dict[tuple[int, str], str]:
    frame = store.rating_table()
    return {(int(y), str(c)): str(s) for y, c, s in zip(frame["year"], frame["indicator_code"],
                                                          frame["evidence_status"], strict=True)}


def test_each_rating_is_stored_with_its_evidence_status(store: Store) -> None:
    ingest_bytes(store, filled_template("q-le-chan", 2022, pattern(), "QĐ số {code}/QĐ-UBND"), "2022.xlsx")
    ingest_bytes(store, filled_template("q-le-chan", 2023, pattern(), "Không có"), "2023.xlsx")
    needs = {c for c, r in pattern().items() if r in ("green", "yellow")}
    assert _statuses(store) == {
        **{(2022, c): "evidenced" if c in needs else "not_required" for c in pattern()},
        **{(2023, c): "missing" if c in needs else "not_required" for c in pattern()}}
    detail = store.ratings(years=[2023])
    assert set(detail.loc[detail["rating"] == "green", "evidence_status"]) == {"missing"}


def test_a_changed_evidence_rule_remakes_the_statuses_when_the_store_opens_and_rewrites_nothing_else(
        db_url: str, store: Store, tmp_path: Path) -> None:
    ingest_bytes(store, filled_template("q-le-chan", 2023, pattern(), "Không có"), "2023.xlsx")
    before = store.ratings().drop(columns="evidence_status")
    rule = tmp_path / "evidence.toml"
    rule.write_text('required = ["green"]\nplaceholders = []\ndocument_references = []\n', encoding="utf-8")
    store.close()
    edited = Store.open(db_url, evidence_rule=load_rule(rule))
    assert _statuses(edited) == {(2023, c): "evidenced" if r == "green" else "not_required" for c, r in pattern().items()}
    pd.testing.assert_frame_equal(edited.ratings().drop(columns="evidence_status"), before)
    edited.close()
    again = Store.open(db_url)  # back to the department's rule
    assert set(_statuses(again).values()) == {"missing", "not_required"}
    again.close()


def test_a_store_from_before_evidence_statuses_gets_them_when_opened(db_url: str, store: Store) -> None:
    ingest_bytes(store, filled_template("q-le-chan", 2023, pattern(), ""), "2023.xlsx")
    store.close()
    engine = make_engine(db_url)
    with engine.begin() as conn:  # the store as revision 0004 left it: no statuses, no rule digest
        command.downgrade(migrations.config(conn), "0004")
        conn.execute(meta_t.delete().where(meta_t.c.key == EVIDENCE_RULE_KEY))
        assert "evidence_status" not in {c["name"] for c in sa.inspect(conn).get_columns("ratings")}
    engine.dispose()
    reopened = Store.open(db_url)
    assert set(_statuses(reopened).values()) == {"missing", "not_required"}
    reopened.close()
