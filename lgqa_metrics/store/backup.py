"""Backups of the store as one ``.zip``: a consistent snapshot plus a manifest that restore verifies.

The archive of original files lives in the database (``files``), so the database is the whole store:

- **SQLite** (the default): the online backup API copies the database in one step from a single read
  transaction, so the snapshot is the last commit even while the app or an ingest is writing (WAL mode:
  readers never block writers). The zip holds ``lgqa.sqlite`` and ``manifest.json``.
- **Any other backend**, or ``logical=True``: every table of the schema is read in one transaction
  (REPEATABLE READ on PostgreSQL/MySQL) and written as JSON lines, ``tables/<name>.jsonl``. Such a dump
  restores into an empty database of any backend, which also moves a store between backends.

``manifest.json`` records the format, the creation time, the tool version, the kind, the rows per table
and the SHA-256 and size of every other member. :func:`restore` checks all of it before touching the
target, refuses a store that holds data unless forced, and replaces a SQLite file atomically (a verified
temporary file renamed over it); a non-SQLite target is loaded in a single transaction.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import sqlite3
import stat
import tempfile
import time
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from contextlib import closing, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Final

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lgqa_metrics import __version__
from lgqa_metrics.domain.i18n import MessageError
from lgqa_metrics.store import migrations
from lgqa_metrics.store.database import make_engine
from lgqa_metrics.store.schema import metadata
from lgqa_metrics.store.url import redact_url, resolve_url

FORMAT: Final = "lgqa-metrics-backup"
FORMAT_VERSION: Final = 1
MANIFEST: Final = "manifest.json"
DB_MEMBER: Final = "lgqa.sqlite"
TABLES_DIR: Final = "tables/"
KIND_SQLITE: Final = "sqlite"
KIND_LOGICAL: Final = "logical"
#: Tables synced from the data files at every open, and the schema revision: a store holding only these counts
#: as empty.
REFERENCE_TABLES: Final = frozenset({"units", "unit_links", "indicators", "meta", "alembic_version"})
_BATCH: Final = 500
_CHUNK: Final = 1 << 20


class BackupError(MessageError):
    """A backup or restore that cannot go ahead; ``key`` names its message in the catalogue."""


@dataclass(frozen=True, slots=True)
class Member:
    """One file inside the zip besides the manifest."""

    sha256: str
    size: int


@dataclass(frozen=True)
class Manifest:
    """What a backup holds and how to check it."""

    kind: str  # sqlite | logical
    created_at: str  # ISO 8601, UTC
    source: str  # the SQLAlchemy dialect backed up (sqlite, postgresql, …)
    counts: dict[str, int]  # rows per table
    members: dict[str, Member]
    tool_version: str = __version__
    skipped_tables: tuple[str, ...] = field(default=())  # tables outside the schema (logical dumps only)

    def to_json(self) -> dict[str, Any]:
        """The manifest as written to ``manifest.json``."""
        return {"format": FORMAT, "format_version": FORMAT_VERSION, "tool": "lgqa-metrics",
                "tool_version": self.tool_version, "created_at": self.created_at, "kind": self.kind,
                "source": self.source, "counts": self.counts,
                "members": {name: {"sha256": m.sha256, "size": m.size} for name, m in self.members.items()},
                "skipped_tables": list(self.skipped_tables)}

    @classmethod
    def from_json(cls, raw: object, archive: Path) -> Manifest:
        """Parse and check a manifest; :class:`BackupError` when it is not one this version can restore."""
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise BackupError("backup.not_a_backup", path=archive)
        version = raw.get("format_version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise BackupError("backup.newer_format", path=archive, version=version, tool=raw.get("tool_version"))
        try:
            counts = {str(k): int(v) for k, v in raw["counts"].items()}
            members = {str(k): Member(str(v["sha256"]), int(v["size"])) for k, v in raw["members"].items()}
            manifest = cls(kind=str(raw["kind"]), created_at=str(raw["created_at"]), source=str(raw["source"]),
                           counts=counts, members=members, tool_version=str(raw.get("tool_version", "")),
                           skipped_tables=tuple(raw.get("skipped_tables", ())))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise BackupError("backup.bad_manifest", path=archive, detail=type(exc).__name__) from exc
        if manifest.kind not in (KIND_SQLITE, KIND_LOGICAL) or (
                manifest.kind == KIND_SQLITE and DB_MEMBER not in manifest.members):
            raise BackupError("backup.bad_manifest", path=archive, detail=f"kind={manifest.kind}")
        return manifest


def sqlite_path(url: str) -> Path | None:
    """The database file behind a SQLite URL; ``None`` for any other backend."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:" or parsed.database.startswith("file:"):
        raise BackupError("backup.sqlite_file_needed", url=parsed.render_as_string(hide_password=True))
    return Path(parsed.database)


# --- backup -------------------------------------------------------------------------------------------


def backup(url: str | None, output: Path, *, logical: bool = False) -> Manifest:
    """Write a consistent snapshot of the store at ``url`` to the zip ``output`` (replaced atomically, mode
    0600: it holds account password hashes) and return its manifest. ``logical`` dumps tables as JSON lines
    even from SQLite (for moving to another backend); other backends are always dumped that way."""
    url = resolve_url(url)
    path = sqlite_path(url)
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".lgqa-backup-") as work:
        partial = Path(work) / "backup.zip"
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
            if path is not None and not logical:
                manifest = _snapshot_sqlite(path, Path(work) / DB_MEMBER, zf)
            else:
                if path is not None and not path.is_file():
                    raise BackupError("backup.no_store", path=path)
                manifest = _dump_logical(url, zf)
            zf.writestr(MANIFEST, json.dumps(manifest.to_json(), ensure_ascii=False, indent=1))
        os.chmod(partial, 0o600)
        _fsync(partial)
        os.replace(partial, output)
        _fsync(output.parent)
    return manifest


def _fsync(path: Path) -> None:
    """Flush a file, or a folder after a rename, to disk (so a power cut cannot leave an empty file)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _snapshot_sqlite(path: Path, snapshot: Path, zf: zipfile.ZipFile) -> Manifest:
    if not path.is_file():
        raise BackupError("backup.no_store", path=path)
    with closing(sqlite3.connect(path, timeout=30)) as src, closing(sqlite3.connect(snapshot)) as dst:
        src.backup(dst)  # pages=-1: one step, one read transaction, the state of the last commit
        dst.execute("PRAGMA journal_mode=DELETE")  # a self-contained file, no -wal beside it
        if dst.execute("PRAGMA integrity_check").fetchall() != [("ok",)]:
            raise BackupError("backup.integrity_failed", path=path)
        counts = _sqlite_counts(dst)
    zf.write(snapshot, DB_MEMBER)
    member = Member(_file_sha256(snapshot), snapshot.stat().st_size)
    return Manifest(KIND_SQLITE, _now(), "sqlite", counts, {DB_MEMBER: member})


def _sqlite_counts(con: sqlite3.Connection) -> dict[str, int]:
    names = [r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {name: int(con.execute(f"SELECT COUNT(*) FROM {_quoted(name)}").fetchone()[0]) for name in names}


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _dump_logical(url: str, zf: zipfile.ZipFile) -> Manifest:
    engine = make_engine(url)
    counts: dict[str, int] = {}
    members: dict[str, Member] = {}
    try:
        with engine.connect() as conn:
            if engine.dialect.name in ("postgresql", "mysql", "mariadb"):
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():  # every table read from one snapshot
                inspector = sa.inspect(conn)
                present = set(inspector.get_table_names())
                for table in metadata.sorted_tables:
                    if table.name not in present:
                        continue
                    have = {c["name"] for c in inspector.get_columns(table.name)}
                    columns = [c for c in table.columns if c.name in have]
                    query = sa.select(*columns).order_by(*table.primary_key.columns).execution_options(yield_per=_BATCH)
                    name = f"{TABLES_DIR}{table.name}.jsonl"
                    digest, size, rows = hashlib.sha256(), 0, 0
                    entry = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
                    entry.compress_type = zipfile.ZIP_DEFLATED
                    with zf.open(entry, "w", force_zip64=True) as fh:
                        for row in conn.execute(query):
                            line = (json.dumps({k: _encode(v) for k, v in row._mapping.items()},
                                               ensure_ascii=False) + "\n").encode()
                            fh.write(line)
                            digest.update(line)
                            size += len(line)
                            rows += 1
                    counts[table.name] = rows
                    members[name] = Member(digest.hexdigest(), size)
                skipped = tuple(sorted(n for n in present - set(metadata.tables) - REFERENCE_TABLES
                                       if not n.startswith("sqlite_")))
    finally:
        engine.dispose()
    return Manifest(KIND_LOGICAL, _now(), engine.dialect.name, counts, members, skipped_tables=skipped)


def _encode(value: object) -> object:
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


# --- verification --------------------------------------------------------------------------------------


def verify(archive: Path) -> Manifest:
    """Read the manifest of ``archive`` and check every member against its SHA-256 and size."""
    if not archive.is_file():
        raise BackupError("backup.file_missing", path=archive)
    try:
        with zipfile.ZipFile(archive) as zf:
            try:
                raw = json.loads(zf.read(MANIFEST))
            except KeyError as exc:
                raise BackupError("backup.not_a_backup", path=archive) from exc
            except ValueError as exc:
                raise BackupError("backup.bad_manifest", path=archive, detail=type(exc).__name__) from exc
            manifest = Manifest.from_json(raw, archive)
            present = set(zf.namelist())
            for name, member in manifest.members.items():
                if name not in present:
                    raise BackupError("backup.member_missing", path=archive, member=name)
                with zf.open(name) as fh:
                    digest, size = _stream_sha256(fh)
                if (digest, size) != (member.sha256, member.size):
                    raise BackupError("backup.bad_hash", path=archive, member=name)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise BackupError("backup.corrupt", path=archive, detail=str(exc)[:200]) from exc
    return manifest


def _stream_sha256(fh: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := fh.read(_CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def _file_sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return _stream_sha256(fh)[0]


# --- restore -------------------------------------------------------------------------------------------


def restore(archive: Path, url: str | None, *, force: bool = False) -> Manifest:
    """Restore ``archive`` into the store at ``url`` after verifying it; returns its manifest.

    A target holding any data (rows outside the reference tables) is refused unless ``force`` (SQLite only;
    another backend must be an empty database). A SQLite target is replaced atomically: the snapshot is
    checked as a temporary file beside it (integrity, rows per table) and renamed over it. Stop the app
    first: restore refuses a SQLite store that another process has open.
    """
    manifest = verify(archive)
    url = resolve_url(url)
    path = sqlite_path(url)
    if path is not None:
        _restore_sqlite(archive, manifest, path, force)
    else:
        _restore_other(archive, manifest, url, force)
    return manifest


def _restore_sqlite(archive: Path, manifest: Manifest, path: Path, force: bool) -> None:
    if path.exists() and not force and not _sqlite_is_empty(path):
        raise BackupError("backup.not_empty", target=path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".restoring")
    os.close(fd)
    staged = Path(name)
    try:
        with zipfile.ZipFile(archive) as zf:
            if manifest.kind == KIND_SQLITE:
                with zf.open(DB_MEMBER) as src, staged.open("wb") as dst:
                    digest = hashlib.sha256()
                    while chunk := src.read(_CHUNK):
                        digest.update(chunk)
                        dst.write(chunk)
                    dst.flush()
                    os.fsync(dst.fileno())
                if digest.hexdigest() != manifest.members[DB_MEMBER].sha256:
                    raise BackupError("backup.bad_hash", path=archive, member=DB_MEMBER)
            else:
                staged.unlink()
                engine = sa.create_engine(f"sqlite:///{staged}")
                try:
                    with engine.begin() as conn:
                        migrations.upgrade(conn)
                        _load(conn, zf, manifest, archive)
                finally:
                    engine.dispose()
        with closing(sqlite3.connect(staged)) as con:
            if con.execute("PRAGMA integrity_check").fetchall() != [("ok",)]:
                raise BackupError("backup.integrity_failed", path=archive)
            restored = _sqlite_counts(con)
        wrong = sorted(n for n, c in manifest.counts.items() if restored.get(n) != c)
        if wrong:
            raise BackupError("backup.counts_mismatch", path=archive, tables=", ".join(wrong))
        _keep_owner_and_mode(path, staged)
        _release(path)
        os.replace(staged, path)
        _fsync(path.parent)
    finally:
        staged.unlink(missing_ok=True)


def _keep_owner_and_mode(path: Path, staged: Path) -> None:
    """Give the restored file the permissions (and, when run as root, the owner) of the file it replaces, so
    the service user can still open it; a new file gets the permissions a new store would get (umask)."""
    if not path.exists():
        umask = os.umask(0o022)
        os.umask(umask)
        os.chmod(staged, 0o666 & ~umask)
        return
    info = path.stat()
    os.chmod(staged, stat.S_IMODE(info.st_mode))
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.chown(staged, info.st_uid, info.st_gid)


def _sqlite_is_empty(path: Path) -> bool:
    """True when the file holds no rows outside the reference tables (a new store counts as empty)."""
    try:
        with closing(sqlite3.connect(path, timeout=30)) as con:
            counts = _sqlite_counts(con)
    except sqlite3.DatabaseError:  # not a SQLite database: not empty, only --force replaces it
        return False
    return all(n == 0 for name, n in counts.items() if name not in REFERENCE_TABLES)


def _release(path: Path) -> None:
    """Before ``path`` is replaced: fold its write-ahead log in and leave WAL mode, which SQLite allows only
    when no other connection has it open (so a running app is detected), then drop stale -wal/-shm/-journal
    files, which would otherwise be replayed into the restored database."""
    if path.exists():
        try:
            with closing(sqlite3.connect(path, timeout=5, isolation_level=None)) as con:
                mode = con.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise BackupError("backup.in_use", target=path) from exc
            mode = "delete"  # not a database (only reached with --force): nothing to fold in
        except sqlite3.DatabaseError:
            mode = "delete"
        if mode != "delete":
            raise BackupError("backup.in_use", target=path)
    for suffix in ("-wal", "-shm", "-journal"):
        with suppress(FileNotFoundError):
            os.unlink(f"{path}{suffix}")


def _restore_other(archive: Path, manifest: Manifest, url: str, force: bool) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:  # all or nothing (PostgreSQL's DDL is transactional too)
            present = set(sa.inspect(conn).get_table_names())
            holding = sorted(n for n in present - REFERENCE_TABLES
                             if conn.execute(sa.select(sa.func.count()).select_from(sa.table(n))).scalar())
            if holding:
                raise BackupError("backup.force_sqlite_only" if force else "backup.not_empty", target=redact_url(url))
            migrations.upgrade(conn)
            clear_reference(conn)  # synced by Store.open; replaced by the backup's
            if manifest.kind == KIND_SQLITE:
                with tempfile.TemporaryDirectory(prefix="lgqa-restore-") as work:
                    snapshot = Path(work) / DB_MEMBER
                    with zipfile.ZipFile(archive) as zf, zf.open(DB_MEMBER) as src, snapshot.open("wb") as dst:
                        while chunk := src.read(_CHUNK):
                            dst.write(chunk)
                    source = sa.create_engine(f"sqlite:///{snapshot}")
                    try:
                        with source.connect() as src_conn:
                            _copy(src_conn, conn, manifest, archive)
                    finally:
                        source.dispose()
            else:
                with zipfile.ZipFile(archive) as zf:
                    _load(conn, zf, manifest, archive)
            if conn.dialect.name == "postgresql":
                reset_sequences(conn)
    finally:
        engine.dispose()


def _load(conn: Connection, zf: zipfile.ZipFile, manifest: Manifest, archive: Path) -> None:
    """Insert every ``tables/<name>.jsonl`` of a logical dump, parents first, and check the row counts."""
    for table in metadata.sorted_tables:
        name = f"{TABLES_DIR}{table.name}.jsonl"
        if name not in manifest.members:
            continue
        with zf.open(name) as fh:
            _insert(conn, table, (_decode_row(table, json.loads(line), archive) for line in fh), manifest, archive)


def _copy(src: Connection, dst: Connection, manifest: Manifest, archive: Path) -> None:
    """Copy every schema table present in a SQLite snapshot into ``dst``, parents first."""
    present = set(sa.inspect(src).get_table_names())
    for table in metadata.sorted_tables:
        if table.name not in present:
            continue
        have = {c["name"] for c in sa.inspect(src).get_columns(table.name)}
        columns = [c for c in table.columns if c.name in have]
        rows = src.execute(sa.select(*columns).execution_options(yield_per=_BATCH))
        _insert(dst, table, ({k: _utc(table, k, v) for k, v in r._mapping.items()} for r in rows), manifest, archive)


def _insert(conn: Connection, table: sa.Table, rows: Iterator[dict[str, Any]], manifest: Manifest,
            archive: Path) -> None:
    batch: list[dict[str, Any]] = []
    done = 0
    for row in rows:
        batch.append(row)
        if len(batch) == _BATCH:
            conn.execute(table.insert(), batch)
            done, batch = done + len(batch), []
    if batch:
        conn.execute(table.insert(), batch)
        done += len(batch)
    if done != manifest.counts.get(table.name, 0):
        raise BackupError("backup.counts_mismatch", path=archive, tables=table.name)


def _decode_row(table: sa.Table, raw: Mapping[str, Any], archive: Path) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in table.c:
            raise BackupError("backup.unknown_column", path=archive, table=table.name, column=key)
        column_type = table.c[key].type
        if value is None:
            row[key] = None
        elif isinstance(column_type, sa.LargeBinary):
            row[key] = base64.b64decode(value)
        elif isinstance(column_type, sa.DateTime):
            row[key] = _utc(table, key, dt.datetime.fromisoformat(value))
        elif isinstance(column_type, sa.Date):
            row[key] = dt.date.fromisoformat(value)
        else:
            row[key] = value
    return row


def _utc(table: sa.Table, key: str, value: Any) -> Any:
    """SQLite keeps no time zone: the store writes UTC, so a naive time in a zone-aware column is UTC."""
    column_type = table.c[key].type
    if isinstance(value, dt.datetime) and value.tzinfo is None and getattr(column_type, "timezone", False):
        return value.replace(tzinfo=dt.UTC)
    return value


def clear_reference(conn: Connection) -> None:
    """Empty the reference tables opening a store fills (meta, indicators, the crosswalk, units), before a copy
    brings its own."""
    for name in ("meta", "indicators", "unit_links", "units"):
        conn.execute(metadata.tables[name].delete())


def reset_sequences(conn: Connection) -> None:
    """After rows were inserted with their ids, move each serial sequence past the largest id (PostgreSQL)."""
    for table in metadata.sorted_tables:
        column = table.autoincrement_column
        if column is not None:
            conn.execute(sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                f"COALESCE(MAX({column.name}), 1), MAX({column.name}) IS NOT NULL) FROM {table.name}"))
