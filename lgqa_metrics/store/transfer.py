"""Copying a whole store into another database (``python -m lgqa_metrics migrate-store``), typically a SQLite
file into PostgreSQL when one server becomes several; any pair of backends works.

- The source is read in one transaction (one snapshot, REPEATABLE READ on PostgreSQL): the app may keep running
  on it. It is first brought to the latest schema revision, as opening it would.
- The target is written in **one transaction**: brought to the latest revision, refused when it holds anything
  beyond the reference data that opening a store syncs, filled table by table in dependency order (every id
  kept: submissions, intake, issues, the audit trail), its PostgreSQL sequences moved past the largest ids,
  verified, and stamped with a ``store_migrated`` audit entry. Any failure rolls it all back and leaves the
  target as it was.
- Rows go in batches: PostgreSQL's ``COPY … FROM STDIN`` through psycopg (the fast path), ``executemany``
  elsewhere.
- Verification compares, per table, the same aggregate fingerprint on both sides (rows, sums of integer columns,
  lengths of text and binary columns, non-null counts) and, for the archive, a SHA-256 over every file's key and
  the hash of its bytes as read back from the target.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from lgqa_metrics.domain.i18n import MessageError
from lgqa_metrics.domain.roles import Actor, cli_actor
from lgqa_metrics.store import audit, migrations
from lgqa_metrics.store.backup import REFERENCE_TABLES, clear_reference, reset_sequences
from lgqa_metrics.store.database import WRITE_OPTION, make_engine
from lgqa_metrics.store.schema import files_t, metadata
from lgqa_metrics.store.url import redact_url

#: Rows per batch (executemany, or between progress reports on the COPY path).
BATCH: Final = 10_000
#: Rows per batch of the archive, whose rows hold whole files (up to 20 MB each).
FILES_BATCH: Final = 16


class TransferError(MessageError):
    """A copy that cannot go ahead; ``key`` names its message in the catalogue."""


@dataclass(frozen=True, slots=True)
class TableCopy:
    """One table copied: its rows, its largest id (tables with one), its fingerprint and the seconds it took."""

    name: str
    rows: int
    max_id: int | None
    checksum: str
    seconds: float


@dataclass(frozen=True)
class Transfer:
    """What :func:`copy_store` did."""

    source: str  # URLs with the password hidden
    target: str
    tables: tuple[TableCopy, ...]
    seconds: float

    @property
    def rows(self) -> int:
        """Rows copied in all."""
        return sum(c.rows for c in self.tables)

    def rows_per_second(self) -> float:
        """Overall throughput."""
        return self.rows / self.seconds if self.seconds > 0 else 0.0


def source_url(value: str) -> str:
    """A ``--from`` value as a URL: a path names a SQLite file, which (like a ``sqlite:`` URL's file) must exist."""
    url = value if "://" in value else f"sqlite:///{Path(value).expanduser().resolve()}"
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
        raise TransferError("transfer.no_source", path=value)
    return url


def copy_store(source: str, target: str, *, actor: Actor | None = None, batch: int = BATCH) -> Transfer:
    """Copy every table of the store at ``source`` into the database at ``target`` (see the module docstring),
    recording ``actor`` (default: the command line's) in the audit entry. Raises :class:`TransferError` when
    refused; the target is then as it was."""
    if _same_database(source, target):
        raise TransferError("transfer.same_store", target=redact_url(target))
    started = time.perf_counter()
    src_engine, dst_engine = make_engine(source), make_engine(target)
    try:
        _bring_source_to_head(src_engine, source)
        with dst_engine.connect() as dst:
            dst.execution_options(**{WRITE_OPTION: True})  # SQLite: the write lock from the first statement
            with dst.begin():
                migrations.upgrade(dst)
                _refuse_non_empty(dst, target)
                clear_reference(dst)  # synced by opening a store: replaced by the source's
                postgresql = dst.dialect.name == "postgresql"
                foreign_keys = _drop_foreign_keys(dst) if postgresql else []
                tables = _copy_tables(src_engine, dst, batch)
                _add_foreign_keys(dst, foreign_keys)
                if postgresql:
                    reset_sequences(dst)
                _verify(dst, tables)
                audit.record(dst, actor or cli_actor(), "store_migrated", target=redact_url(source),
                             details={"from": redact_url(source), "to": redact_url(target),
                                      "rows": {c.name: c.rows for c in tables}})
    finally:
        src_engine.dispose()
        dst_engine.dispose()
    return Transfer(redact_url(source), redact_url(target), tuple(tables), time.perf_counter() - started)


def _same_database(source: str, target: str) -> bool:
    a, b = sa.engine.make_url(source), sa.engine.make_url(target)
    if a.get_backend_name() == "sqlite" and b.get_backend_name() == "sqlite":
        return Path(a.database or "").resolve() == Path(b.database or "").resolve()
    return (a.get_backend_name(), a.host, a.port, a.database) == (b.get_backend_name(), b.host, b.port, b.database)


def _bring_source_to_head(engine: Engine, url: str) -> None:
    """Check that ``url`` holds a store and migrate it to the latest revision (as opening it would)."""
    with engine.connect() as conn:
        present = set(sa.inspect(conn).get_table_names())
    if not {"submissions", "ratings"} <= present:
        raise TransferError("transfer.not_a_store", source=redact_url(url))
    with engine.connect() as conn:
        conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            migrations.upgrade(conn)


def _refuse_non_empty(conn: Connection, url: str) -> None:
    holding = []
    for table in metadata.sorted_tables:
        if table.name in REFERENCE_TABLES:
            continue
        n = int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() or 0)
        if n:
            holding.append(f"{table.name} ({n})")
    if holding:
        raise TransferError("transfer.target_not_empty", target=redact_url(url), tables=", ".join(holding))


def _drop_foreign_keys(conn: Connection) -> list[tuple[str, str, str]]:
    """Drop the schema's foreign keys on PostgreSQL for the load and return (table, name, definition) of each:
    checked row by row they make COPY several times slower; added back, they are checked in one pass."""
    found = conn.execute(sa.text(
        "SELECT r.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
        "JOIN pg_class r ON r.oid = c.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace "
        "WHERE c.contype = 'f' AND n.nspname = current_schema() ORDER BY r.relname, c.conname")).all()
    keys = [(str(table), str(name), str(definition)) for table, name, definition in found if table in metadata.tables]
    quote = conn.dialect.identifier_preparer.quote
    for table, name, _definition in keys:
        conn.exec_driver_sql(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
    return keys


def _add_foreign_keys(conn: Connection, keys: Sequence[tuple[str, str, str]]) -> None:
    """Add back the foreign keys :func:`_drop_foreign_keys` dropped (each checked against every row)."""
    quote = conn.dialect.identifier_preparer.quote
    for table, name, definition in keys:
        try:
            conn.exec_driver_sql(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
        except sa.exc.IntegrityError as exc:
            detail = str(exc.orig).splitlines()[0] if exc.orig else type(exc).__name__
            raise TransferError("transfer.broken_reference", table=table, detail=detail[:300]) from exc


def _copy_tables(src_engine: Engine, dst: Connection, batch: int) -> list[TableCopy]:
    """Copy every schema table, parents first, from one snapshot of the source."""
    done: list[TableCopy] = []
    with src_engine.connect() as src:
        if src.dialect.name in ("postgresql", "mysql", "mariadb"):
            src.execution_options(isolation_level="REPEATABLE READ")
        with src.begin():  # one snapshot (SQLite: a deferred read transaction, WAL keeps it consistent)
            for table in metadata.sorted_tables:
                began = time.perf_counter()
                size = FILES_BATCH if table is files_t else batch
                rows = _read(src, table, size)
                digest = _FileDigest() if table is files_t else None
                count = _write(dst, table, _watched(rows, digest) if digest else rows, size)
                fingerprint = _fingerprint(src, table)
                if digest is not None:
                    fingerprint["content_sha256"] = digest.hexdigest()
                if fingerprint["rows"] != count:
                    raise TransferError("transfer.count_mismatch", table=table.name, expected=fingerprint["rows"],
                                        got=count)
                done.append(TableCopy(table.name, count, _max_id(src, table), _checksum(fingerprint),
                                      time.perf_counter() - began))
    return done


class _FileDigest:
    """SHA-256 over every archived file's key and the SHA-256 of its bytes, in key order."""

    def __init__(self) -> None:
        self.entries: list[str] = []

    def add(self, key: str, content: bytes) -> None:
        self.entries.append(f"{key}:{hashlib.sha256(content).hexdigest()}")

    def hexdigest(self) -> str:
        return hashlib.sha256("\n".join(sorted(self.entries)).encode()).hexdigest()


def _watched(rows: Iterable[Sequence[Any]], digest: _FileDigest) -> Iterator[Sequence[Any]]:
    keys = [c.name for c in files_t.columns]
    sha, content = keys.index("sha256"), keys.index("content")
    for row in rows:
        digest.add(row[sha], row[content])
        yield row


#: Column types whose values pass from SQLite to any target as the driver returns them.
_PLAIN: Final = (sa.Integer, sa.String, sa.Text)


def _read(src: Connection, table: sa.Table, size: int) -> Iterator[Sequence[Any]]:
    """Every row of ``table`` on ``src``, as a sequence in column order. A SQLite table of plain columns (the
    ratings, the bulk of a store) is read straight from the driver's cursor, without SQLAlchemy's row objects;
    anything else through SQLAlchemy (its types parse SQLite's times and dates), normalised."""
    if src.dialect.name == "sqlite" and all(isinstance(c.type, _PLAIN) for c in table.columns):
        quote = src.dialect.identifier_preparer.quote
        cursor = src.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:  # the same connection, so the same read transaction
            cursor.execute(f"SELECT {', '.join(quote(c.name) for c in table.columns)} FROM {quote(table.name)}")
            while batch := cursor.fetchmany(size):
                yield from batch
        finally:
            cursor.close()
        return
    yield from _normalised(table, src.execute(sa.select(*table.columns).execution_options(yield_per=size)))


def _normalised(table: sa.Table, result: Iterable[sa.Row[Any]]) -> Iterator[Sequence[Any]]:
    """Source rows as tuples in column order; times in UTC (SQLite keeps no zone: the store writes UTC), bytes
    as bytes."""
    times = [i for i, c in enumerate(table.columns) if isinstance(c.type, sa.DateTime)]
    blobs = [i for i, c in enumerate(table.columns) if isinstance(c.type, sa.LargeBinary)]
    if not times and not blobs:
        yield from result
        return
    for row in result:
        values = list(row)
        for i in times:
            value = values[i]
            if isinstance(value, dt.datetime):
                values[i] = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
        for i in blobs:
            if isinstance(values[i], memoryview):
                values[i] = bytes(values[i])
        yield tuple(values)


def _write(dst: Connection, table: sa.Table, rows: Iterable[Sequence[Any]], size: int) -> int:
    """Insert ``rows`` into ``table`` on ``dst``; returns how many."""
    names = [c.name for c in table.columns]
    if dst.dialect.name == "postgresql" and dst.dialect.driver == "psycopg":
        return copy_rows(dst, table.name, names, rows)
    count, pending = 0, []
    insert = table.insert()
    for row in rows:
        pending.append(dict(zip(names, row, strict=True)))
        if len(pending) >= size:
            dst.execute(insert, pending)
            count, pending = count + len(pending), []
    if pending:
        dst.execute(insert, pending)
        count += len(pending)
    return count


def copy_rows(dst: Connection, name: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """``COPY name (columns) FROM STDIN`` on ``dst``'s own connection (so inside its transaction), PostgreSQL
    through psycopg; returns how many rows."""
    from psycopg import sql  # the PostgreSQL driver: imported only when a PostgreSQL target is used

    raw: Any = dst.connection.dbapi_connection
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(name), sql.SQL(", ").join(sql.Identifier(c) for c in columns))
    count = 0
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _fingerprint(conn: Connection, table: sa.Table) -> dict[str, Any]:
    """The same aggregates on either backend: rows; per column, the sum of integers, the total length of text
    and bytes, the count of true booleans, or (times and dates) the count of values present."""
    parts: list[tuple[str, sa.ColumnElement[Any]]] = [("rows", sa.func.count())]
    for column in table.columns:
        kind = column.type
        if isinstance(kind, sa.Boolean):
            parts.append((column.name, sa.func.sum(sa.case((column, 1), else_=0))))
        elif isinstance(kind, sa.Integer):
            parts.append((column.name, sa.func.sum(column)))
        elif isinstance(kind, sa.String | sa.Text | sa.LargeBinary):
            parts.append((column.name, sa.func.sum(sa.func.length(column))))
        else:
            parts.append((column.name, sa.func.count(column)))
    values = conn.execute(sa.select(*(expr for _name, expr in parts)).select_from(table)).one()
    return {name: int(value or 0) for (name, _expr), value in zip(parts, values, strict=True)}


def _max_id(conn: Connection, table: sa.Table) -> int | None:
    column = table.autoincrement_column
    if column is None:
        return None
    value = conn.execute(sa.select(sa.func.max(column))).scalar()
    return int(value) if value is not None else None


def _checksum(fingerprint: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(fingerprint, sort_keys=True).encode()).hexdigest()[:16]


def _verify(dst: Connection, copies: Sequence[TableCopy]) -> None:
    """Compute each table's fingerprint and largest id again on the target, inside its transaction."""
    for copy in copies:
        table = metadata.tables[copy.name]
        fingerprint = _fingerprint(dst, table)
        if table is files_t:
            digest = _FileDigest()
            keyset = sa.select(files_t.c.sha256, files_t.c.content).order_by(files_t.c.sha256)
            for key, content in dst.execute(keyset.execution_options(yield_per=FILES_BATCH)):
                digest.add(key, bytes(content))
            fingerprint["content_sha256"] = digest.hexdigest()
        if (_checksum(fingerprint), _max_id(dst, table)) != (copy.checksum, copy.max_id):
            raise TransferError("transfer.verify_failed", table=copy.name)
