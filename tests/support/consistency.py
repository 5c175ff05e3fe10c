"""Independent checks of a store's wholeness, read with the plain ``sqlite3`` module or ``psycopg`` (not through the
code under test), and batches of return files for the durability and backup tests."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa

from tests.support.returns import filled_template, pattern

#: Indicators in every stored return.
N_INDICATORS = 39


@dataclass(frozen=True)
class Facts:
    """What a consistent store holds: submissions by id with their unit, year, version and file name."""

    submissions: dict[int, tuple[str, int, int, str]]
    intake: int
    files: int


def write_returns(folder: Path, specs: Iterable[tuple[str, int, str]]) -> list[Path]:
    """Write one filled-in return per ``(unit_id, year, tag)``; the tag goes into the evidence text, so
    returns for the same unit and year differ. Files are named ``NN-unit-year-tag.xlsx`` in spec order."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, (unit, year, tag) in enumerate(specs):
        path = folder / f"{i:02d}-{unit}-{year}-{tag}.xlsx"
        path.write_bytes(filled_template(unit, year, pattern(i), evidence=f"QĐ {{code}} {tag}"))
        paths.append(path)
    return paths


def connect(target: Path | str) -> Any:
    """A plain DB-API connection to a store: a SQLite file by its path, PostgreSQL by its SQLAlchemy URL."""
    if isinstance(target, Path):
        return sqlite3.connect(target, timeout=30)
    url = sa.engine.make_url(target)
    return psycopg.connect(host=url.host, port=url.port, user=url.username, password=url.password,
                           dbname=url.database, autocommit=True)


def check_store(target: Path | str) -> Facts:
    """Assert that the store at ``target`` (a SQLite file, or a PostgreSQL URL) is whole and return what it holds.

    Whole means: SQLite's integrity and foreign-key checks pass (PostgreSQL enforces foreign keys itself); every
    submission has exactly 39 ratings, its archived file (whose bytes hash to their key) and exactly one
    ``accepted`` intake row; no rating without its submission; and per unit-year the versions are exactly 1..n
    with one ``current``, the latest.
    """
    con = connect(target)
    try:
        if isinstance(target, Path):
            assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            dangling = con.execute("PRAGMA foreign_key_check").fetchall()
            assert dangling == [], f"rows referring to rows that are not there: {dangling[:5]}"
        short = con.execute(
            "SELECT s.id, COUNT(r.indicator_code) FROM submissions s LEFT JOIN ratings r ON r.submission_id = s.id "
            f"GROUP BY s.id HAVING COUNT(r.indicator_code) != {N_INDICATORS}").fetchall()
        assert short == [], f"submissions without their 39 ratings: {short}"
        orphans = con.execute(
            "SELECT COUNT(*) FROM ratings WHERE submission_id NOT IN (SELECT id FROM submissions)").fetchone()[0]
        assert orphans == 0, f"{orphans} ratings without their submission"
        unarchived = con.execute(
            "SELECT id FROM submissions WHERE file_sha256 NOT IN (SELECT sha256 FROM files)").fetchall()
        assert unarchived == [], f"submissions whose file is not archived: {unarchived}"
        unlogged_files = con.execute(
            "SELECT name FROM files WHERE sha256 NOT IN (SELECT file_sha256 FROM intake)").fetchall()
        assert unlogged_files == [], f"archived files without their intake row: {unlogged_files}"
        for sha, content, size in con.execute("SELECT sha256, content, size FROM files").fetchall():
            assert hashlib.sha256(content).hexdigest() == sha and len(content) == size
        unlogged = con.execute(
            "SELECT s.id, COUNT(i.id) FROM submissions s LEFT JOIN intake i "
            "ON i.submission_id = s.id AND i.status = 'accepted' GROUP BY s.id HAVING COUNT(i.id) != 1").fetchall()
        assert unlogged == [], f"submissions not logged exactly once as accepted: {unlogged}"
        rows = con.execute("SELECT id, unit_id, year, version, status, file_name FROM submissions").fetchall()
        by_unit_year: dict[tuple[str, int], list[tuple[int, str]]] = {}
        for _id, unit, year, version, status, _name in rows:
            by_unit_year.setdefault((unit, year), []).append((version, status))
        for key, versions in by_unit_year.items():
            numbers = sorted(v for v, _ in versions)
            assert numbers == list(range(1, len(numbers) + 1)), f"{key}: versions {numbers} are not 1..n"
            current = [v for v, s in versions if s == "current"]
            live = [v for v, s in versions if s != "withdrawn"]
            assert current == ([max(live)] if live else []), f"{key}: current {current} is not exactly the latest"
        intake = con.execute("SELECT COUNT(*) FROM intake").fetchone()[0]
        files = con.execute("SELECT COUNT(*) FROM files").fetchone()[0]
        return Facts({r[0]: (r[1], r[2], r[3], r[5]) for r in rows}, intake, files)
    finally:
        con.close()


def submission_ids(db_path: Path) -> set[int]:
    """Ids of the submissions committed so far (a reader never blocks the writer in WAL mode)."""
    con = sqlite3.connect(db_path, timeout=30)
    try:
        return {r[0] for r in con.execute("SELECT id FROM submissions")}
    except sqlite3.OperationalError:  # the store is not created yet
        return set()
    finally:
        con.close()
