"""The durable store: units, indicators, versioned submissions, ratings in long form, issues and the
archive of every uploaded file, through SQLAlchemy (SQLite by default, PostgreSQL for many users)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Connection, Engine

from lgqa_metrics.domain.catalogue import Catalogue, default_catalogue
from lgqa_metrics.domain.evidence import EvidenceRule, EvidenceStatus, default_rule
from lgqa_metrics.domain.issues import Issue, Severity, make_issue
from lgqa_metrics.domain.lineage import REGISTRY_SOURCE, Lineage, default_lineage, lineage_from_rows
from lgqa_metrics.domain.ratings import Rating
from lgqa_metrics.domain.roles import Actor, Role, require
from lgqa_metrics.domain.units import UnitRegistry, default_registry, registry_from_rows
from lgqa_metrics.intake.reader import ParsedReturn, ReadResult
from lgqa_metrics.store import audit, migrations
from lgqa_metrics.store.frames import frame_of_columns, read_frame
from lgqa_metrics.store.schema import (
    STATUS_CURRENT,
    STATUS_SUPERSEDED,
    STATUS_WITHDRAWN,
    appraisals_t,
    files_t,
    indicators_t,
    intake_t,
    issues_t,
    meta_t,
    ratings_t,
    submissions_t,
    unit_links_t,
    units_t,
)
from lgqa_metrics.store.url import StoreMissing, check_target, redact_url, resolve_url

if TYPE_CHECKING:
    import pandas as pd

WRITE_OPTION: Final = "lgqa_write"
_AUDIT_ACTION: Final = {"accepted": "version_created", "duplicate": "duplicate", "rejected": "return_rejected"}
VERSION_RETRIES: Final = 5
#: A unit-year's latest version and the latest one the return would repeat (the same sheet of the same file,
#: or the current version with the same content), both in one query.
_VERSIONS: Final = sa.select(
    sa.func.max(submissions_t.c.version).label("latest"),
    sa.func.max(sa.case((sa.or_(sa.and_(submissions_t.c.file_sha256 == sa.bindparam("sha256"),
                                         submissions_t.c.sheet == sa.bindparam("sheet")),
                                 sa.and_(submissions_t.c.status == STATUS_CURRENT,
                                         submissions_t.c.fingerprint == sa.bindparam("fingerprint"))),
                         submissions_t.c.version))).label("same"),
).where(submissions_t.c.unit_id == sa.bindparam("unit_id"), submissions_t.c.year == sa.bindparam("year"))
_VERSION_ID: Final = sa.select(submissions_t.c.id).where(
    submissions_t.c.unit_id == sa.bindparam("unit_id"), submissions_t.c.year == sa.bindparam("year"),
    submissions_t.c.version == sa.bindparam("version"))
#: The appraisal of a unit-year's current version when it is accepted and locked (see ``store/appraisals.py``).
_LOCK: Final = (sa.select(appraisals_t.c.appraiser, appraisals_t.c.decided_at)
                .select_from(appraisals_t.join(submissions_t, appraisals_t.c.submission_id == submissions_t.c.id))
                .where(submissions_t.c.unit_id == sa.bindparam("unit_id"), submissions_t.c.year == sa.bindparam("year"),
                       submissions_t.c.status == STATUS_CURRENT, appraisals_t.c.locked.is_(True)))
#: Meta key naming where the unit registry comes from; :data:`REGISTRY_FROM_STORE` means the ``units`` table.
REGISTRY_SOURCE_KEY: Final = "registry_source"
REGISTRY_FROM_STORE: Final = "store"
#: Meta key holding the digest of the evidence rule the stored evidence statuses were made under.
EVIDENCE_RULE_KEY: Final = "evidence_rule"
#: Submissions whose ratings' evidence statuses are made again in one step when the rule changes.
_EVIDENCE_BATCH: Final = 2_000

@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one return (or to a file in which no return was found)."""

    file: str
    sheet: str
    status: str  # accepted | duplicate | rejected
    unit_id: str | None
    year: int | None
    version: int | None
    ratings: int
    issues: tuple[Issue, ...]

    def to_json(self, lang: str = "vi") -> dict[str, Any]:
        """The CLI's JSON object for this outcome."""
        return {
            "file": self.file, "sheet": self.sheet, "status": self.status, "unit_id": self.unit_id,
            "year": self.year, "version": self.version, "ratings": self.ratings,
            "issues": [{"severity": str(i.severity), "code": i.code, "sheet": i.sheet, "cell": i.cell,
                        "value": i.value, "message": i.message(lang), "message_en": i.message_en}
                       for i in self.issues],
        }


def _known_rating(value: str) -> Rating:
    """A stored rating as a :class:`Rating`; a value the scale does not know counts as missing."""
    try:
        return Rating(value)
    except ValueError:
        return Rating.MISSING


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get WAL, a busy timeout and foreign keys."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # transactions are begun below, not by the driver
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @sa.event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            # Writers take the write lock up front (waiting up to the busy timeout), so two writers
            # never both read the same latest version; readers begin deferred and never block.
            immediate = conn.get_execution_options().get(WRITE_OPTION, False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def unit_rows(registry: UnitRegistry) -> list[dict[str, Any]]:
    """The ``units`` table's rows for ``registry``."""
    return [{"id": u.id, "type": u.type.value, "name": u.name, "name_en": u.name_en, "parent_id": u.parent_id,
             "aliases": ";".join(u.aliases), "valid_from": u.valid_from, "valid_to": u.valid_to,
             "successor_ids": ";".join(u.successor_ids)} for u in registry.units]


def link_rows(lineage: Lineage) -> list[dict[str, Any]]:
    """The ``unit_links`` table's rows for the links ``lineage`` states (not those implied by ``successor_ids``)."""
    return [{"from_id": k.from_id, "to_id": k.to_id, "effective_date": k.effective, "kind": k.kind.value,
             "share": k.share, "source": k.source} for k in lineage.links if k.source != REGISTRY_SOURCE]


def _stored_lineage(conn: Connection, registry: UnitRegistry) -> Lineage:
    """The crosswalk in the store's ``unit_links`` table, checked against ``registry``."""
    rows = conn.execute(sa.select(unit_links_t).order_by(unit_links_t.c.from_id, unit_links_t.c.to_id)).mappings().all()
    return lineage_from_rows(rows, registry, first_row=1)


def _holds_registry(conn: Connection) -> bool:
    """True when the store says it holds its own registry and crosswalk (meta ``registry_source`` = ``store``)."""
    source = conn.execute(sa.select(meta_t.c.value).where(meta_t.c.key == REGISTRY_SOURCE_KEY)).scalar()
    return bool(source == REGISTRY_FROM_STORE)


def _units_table(conn: Connection) -> UnitRegistry:
    """The registry in the store's ``units`` table, validated like ``data/units.csv``."""
    rows = conn.execute(sa.select(units_t).order_by(units_t.c.id)).mappings().all()
    return registry_from_rows(rows, "units table")


def _stored_registry(conn: Connection) -> UnitRegistry | None:
    """:meth:`Store.stored_registry` on ``conn``."""
    return _units_table(conn) if _holds_registry(conn) else None


def _create_sqlite_file_whole(url: str) -> None:
    """Make a missing SQLite store appear whole or not at all: its schema is made in a private file beside it,
    which is then linked into place in one step (a link never replaces a file). Processes that create the same
    store at once each make their own; the first link wins and the others open that one. Other processes thus
    never meet an empty or half-migrated file (nor an empty database beside a write-ahead log, which SQLite
    treats as a log to discard), and a creation cut short leaves only the private file behind."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite" or Path(parsed.database or "").exists():
        return
    target = Path(parsed.database or "")
    private = target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.new")
    engine = make_engine(parsed.set(database=str(private)).render_as_string(hide_password=False))
    try:
        with engine.connect() as conn:
            conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                migrations.upgrade(conn)
    finally:
        engine.dispose()  # the last connection closed: the log is checkpointed into the file and removed
    try:
        os.link(private, target)
    except FileExistsError:
        pass  # another process made it first: open theirs
    except OSError:  # a file system without hard links: moved into place unless a store appeared meanwhile
        if not target.exists():
            os.replace(private, target)
    finally:
        for leftover in (private, *(private.with_name(private.name + end) for end in ("-wal", "-shm"))):
            leftover.unlink(missing_ok=True)


class Store:
    """The project's database. Create with :meth:`open`."""

    def __init__(self, engine: Engine, catalogue: Catalogue, registry: UnitRegistry,
                 evidence_rule: EvidenceRule | None = None, lineage: Lineage | None = None) -> None:
        self.engine = engine
        self.catalogue = catalogue
        self.registry = registry
        self.lineage = lineage if lineage is not None else Lineage()
        self.evidence_rule = evidence_rule or default_rule()

    @classmethod
    def open(cls, url: str | None = None, *, catalogue: Catalogue | None = None,
             registry: UnitRegistry | None = None, evidence_rule: EvidenceRule | None = None,
             lineage: Lineage | None = None, create: bool = True) -> Store:
        """Open the store at ``url``: create it on first use (only with ``create``; see :func:`check_target`)
        or bring it to the latest schema revision (Alembic migrations, :mod:`lgqa_metrics.store.migrations`), then
        sync the catalogue, registry and lineage into it, and make every rating's evidence status again if the
        evidence rule has changed since they were made. Raises :class:`StoreMissing`.

        The lineage is ``lineage`` when given; else the store's own ``unit_links`` when the registry lives in the
        store; else ``data/lineage.csv`` with the default registry; with another registry given, only the links
        its ``successor_ids`` imply."""
        resolved = resolve_url(url)
        check_target(resolved, create=create)
        if create:
            _create_sqlite_file_whole(resolved)
        store = cls(make_engine(resolved), catalogue or default_catalogue(), registry or default_registry(),
                    evidence_rule)
        if not create:
            with store.engine.connect() as conn:
                made = sa.inspect(conn).has_table(submissions_t.name)
            if not made:
                store.close()
                raise StoreMissing("store.empty_database", url=redact_url(resolved))
        # one write transaction: processes opening a store at once migrate and sync it one after another
        with store.writing() as conn:
            migrations.upgrade(conn)
            holds_registry = _holds_registry(conn)
            stored = _units_table(conn) if registry is None and holds_registry else None
            if stored is not None:  # the registry lives in the store (a synthetic national dataset): data/units.csv stays out
                store.registry = stored
                store.lineage = lineage if lineage is not None else _stored_lineage(conn, stored)
            elif lineage is not None:
                store.lineage = lineage
            else:
                store.lineage = default_lineage() if registry is None else lineage_from_rows([], registry)
            store._sync_reference_data(conn, with_units=stored is None, with_links=not holds_registry)
            store._sync_evidence_statuses(conn)
        return store

    def close(self) -> None:
        """Release the engine's connections."""
        self.engine.dispose()

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """One write transaction: committed when the block ends, rolled back on any error. On SQLite
        it holds the write lock from its first statement (BEGIN IMMEDIATE)."""
        with self.engine.connect() as conn:
            conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                yield conn

    # --- reference data -------------------------------------------------------------------------

    def stored_registry(self) -> UnitRegistry | None:
        """The registry held in the store's ``units`` table when the store says it is the registry's source
        (meta ``registry_source`` = ``store``, set by ``python -m lgqa_metrics synth``), validated like
        ``data/units.csv``; else None."""
        with self.engine.connect() as conn:
            return _stored_registry(conn)

    def _sync_reference_data(self, conn: Connection, *, with_units: bool = True, with_links: bool = True) -> None:
        """Write the registry (unless it lives in the store), its crosswalk (unless the store holds its own) and
        the catalogue into the store when they changed since the last sync. The crosswalk's table is rewritten
        whole: it is reference data, and each replacement of its file is in the audit trail with the previous
        file's hash."""
        units = unit_rows(self.registry) if with_units else []
        links = link_rows(self.lineage) if with_links else []
        inds = [{"code": i.code, "quadrant": i.quadrant, "seq": i.seq, "name_vi": i.name_vi, "name_en": i.name_en}
                for i in self.catalogue.indicators]
        digest = hashlib.sha256(json.dumps([units, inds, links], default=str, ensure_ascii=False).encode()).hexdigest()
        stored = conn.execute(sa.select(meta_t.c.value).where(meta_t.c.key == "reference")).scalar()
        if stored == digest:
            return
        if units:
            _upsert(conn, units_t, "id", units)
        if with_links:
            conn.execute(unit_links_t.delete())
            if links:
                conn.execute(unit_links_t.insert(), links)
        _upsert(conn, indicators_t, "code", inds)
        conn.execute(meta_t.delete().where(meta_t.c.key == "reference"))
        conn.execute(meta_t.insert().values(key="reference", value=digest))

    def _sync_evidence_statuses(self, conn: Connection) -> None:
        """Make each stored rating's evidence status by the current rule, unless they were made by it already
        (meta ``evidence_rule``): after the department edits ``data/catalogue/evidence.toml``, every page and
        export follows the new rule. Only the statuses change; ratings, evidence and notes are never rewritten."""
        rule = self.evidence_rule
        stored = conn.execute(sa.select(meta_t.c.value).where(meta_t.c.key == EVIDENCE_RULE_KEY)).scalar()
        if stored == rule.fingerprint:
            return
        r = ratings_t
        first, last = conn.execute(sa.select(sa.func.min(r.c.submission_id), sa.func.max(r.c.submission_id))).one()
        update = (r.update().where(r.c.submission_id == sa.bindparam("sid"), r.c.indicator_code == sa.bindparam("code"))
                  .values(evidence_status=sa.bindparam("status")))
        for start in range(first or 0, (last or -1) + 1, _EVIDENCE_BATCH):
            rows = conn.execute(sa.select(r.c.submission_id, r.c.indicator_code, r.c.rating, r.c.evidence, r.c.note,
                                          r.c.evidence_status)
                                .where(r.c.submission_id.between(start, start + _EVIDENCE_BATCH - 1))).all()
            changed = [{"sid": row[0], "code": row[1], "status": status.value} for row in rows
                       if (status := rule.status(_known_rating(row[2]), row[3], row[4])).value != row[5]]
            if changed:
                conn.execute(update, changed)
        conn.execute(meta_t.delete().where(meta_t.c.key == EVIDENCE_RULE_KEY))
        conn.execute(meta_t.insert().values(key=EVIDENCE_RULE_KEY, value=rule.fingerprint))

    # --- writing ------------------------------------------------------------------------------

    def record(self, result: ReadResult, data: bytes, *, actor: Actor | None = None, uploader: str | None = None,
               dry_run: bool = False, reading: Connection | None = None) -> list[Outcome]:
        """Store every accepted return of one read file; log rejected ones; archive the file's bytes.

        Each return is one transaction: it is stored whole or not at all, with its audit entry. Writing
        needs a staff ``actor`` (checked here, whatever the caller); ``uploader`` is the name recorded
        (default: the actor's). With ``dry_run`` nothing is written and the outcomes say what would happen,
        looked up through ``reading`` when given (one :meth:`dry_run_connection` for a whole batch), else
        through a connection of their own.
        """
        if not dry_run:
            actor = require(actor, Role.STAFF, "store returns")
        who = actor or Actor("dry-run", Role.VIEWER)
        uploader = uploader or who.username
        outcomes: list[Outcome] = []
        if not result.returns:
            outcomes.append(Outcome(result.file, "", "rejected", None, None, None, 0, result.issues))
            if not dry_run:
                with self.writing() as conn:
                    self._archive(conn, result, data)
                    self._log(conn, result, "", None, None, "rejected", None, uploader, result.issues, who)
            return outcomes
        for ret in result.returns:
            issues = (*result.issues, *ret.issues)
            if not ret.accepted or (result.issues and any(i.severity is Severity.ERROR for i in result.issues)):
                outcomes.append(Outcome(result.file, ret.sheet, "rejected", ret.unit_id, ret.year, None, 0, issues))
                if not dry_run:
                    with self.writing() as conn:
                        self._archive(conn, result, data)
                        self._log(conn, result, ret.sheet, ret.unit_id, ret.year, "rejected", None, uploader, issues, who)
                continue
            outcomes.append(self._store_return(result, ret, data, issues, uploader, dry_run, who, reading))
        return outcomes

    def dry_run_connection(self) -> Connection:
        """A connection for the dry-run outcomes of a batch (:meth:`record` with ``reading``): one read
        transaction, so the whole batch is judged against the same state of the store. Close it after."""
        return self.engine.connect()

    def _store_return(self, result: ReadResult, ret: ParsedReturn, data: bytes, issues: tuple[Issue, ...],
                      uploader: str, dry_run: bool, who: Actor, reading: Connection | None = None) -> Outcome:
        """Store one accepted return as the next version. Writers of the same unit-year go one after another
        (SQLite: the write lock; PostgreSQL: an advisory lock on the unit-year); should one still lose a race
        for a version number, it tries again in a fresh transaction with the next one."""
        for attempt in range(VERSION_RETRIES):
            try:
                return self._store_once(result, ret, data, issues, uploader, dry_run, who, reading)
            except sa.exc.IntegrityError:
                if attempt == VERSION_RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    def _store_once(self, result: ReadResult, ret: ParsedReturn, data: bytes, issues: tuple[Issue, ...],
                    uploader: str, dry_run: bool, who: Actor, reading: Connection | None = None) -> Outcome:
        assert ret.unit_id is not None and ret.year is not None
        opened: AbstractContextManager[Connection]
        if not dry_run:
            opened = self.writing()
        else:
            opened = nullcontext(reading) if reading is not None else self.engine.connect()
        with opened as conn:
            if not dry_run:
                migrations.advisory_lock(conn, f"unit-year:{ret.unit_id}/{ret.year}")
            latest, same = conn.execute(_VERSIONS, {"unit_id": ret.unit_id, "year": ret.year, "sha256": result.sha256,
                                                    "sheet": ret.sheet, "fingerprint": ret.fingerprint}).one()
            if same is not None:
                if not dry_run:
                    same_id = conn.execute(_VERSION_ID, {"unit_id": ret.unit_id, "year": ret.year,
                                                         "version": same}).scalar_one()
                    self._archive(conn, result, data)
                    self._log(conn, result, ret.sheet, ret.unit_id, ret.year, "duplicate", same_id, uploader, issues, who)
                return Outcome(result.file, ret.sheet, "duplicate", ret.unit_id, ret.year, same, len(ret.ratings),
                               issues)
            lock = conn.execute(_LOCK, {"unit_id": ret.unit_id, "year": ret.year}).first()
            if lock is not None:  # appraised and locked: no new version until an admin unlocks it
                locked = (*issues, make_issue("return_locked", file=result.file, sheet=ret.sheet, value=ret.year,
                                              unit=self.registry.name_of(ret.unit_id), year=ret.year,
                                              who=lock.appraiser, at=lock.decided_at.date().isoformat()))
                if not dry_run:
                    self._archive(conn, result, data)
                    self._log(conn, result, ret.sheet, ret.unit_id, ret.year, "rejected", None, uploader, locked, who)
                return Outcome(result.file, ret.sheet, "rejected", ret.unit_id, ret.year, None, 0, locked)
            version = (latest or 0) + 1
            if dry_run:
                return Outcome(result.file, ret.sheet, "accepted", ret.unit_id, ret.year, version,
                               len(ret.ratings), issues)
            self._archive(conn, result, data)
            conn.execute(submissions_t.update().where(
                submissions_t.c.unit_id == ret.unit_id, submissions_t.c.year == ret.year,
                submissions_t.c.status == STATUS_CURRENT).values(status=STATUS_SUPERSEDED))
            sub_id = conn.execute(submissions_t.insert().returning(submissions_t.c.id).values(
                unit_id=ret.unit_id, year=ret.year, version=version, status=STATUS_CURRENT,
                file_sha256=result.sha256, file_name=result.file[:500], sheet=ret.sheet[:200], uploader=uploader[:200],
                uploaded_at=_now(), fingerprint=ret.fingerprint)).scalar_one()
            conn.execute(ratings_t.insert(), [
                {"submission_id": sub_id, "indicator_code": r.code, "rating": r.rating.value, "raw": r.raw,
                 "evidence": r.evidence, "note": r.note, "cell": r.cell,
                 "evidence_status": self.evidence_rule.status(r.rating, r.evidence, r.note).value}
                for r in ret.ratings])
            self._log(conn, result, ret.sheet, ret.unit_id, ret.year, "accepted", sub_id, uploader, issues, who)
        return Outcome(result.file, ret.sheet, "accepted", ret.unit_id, ret.year, version, len(ret.ratings), issues)

    def withdraw(self, actor: Actor | None, submission_id: int, reason: str) -> int | None:
        """Withdraw one version (admin only). It stays stored and viewable with status ``withdrawn``;
        when it was current, the latest remaining version becomes current. Returns that version's id."""
        who = require(actor, Role.ADMIN, "withdraw a version")
        s = submissions_t
        with self.writing() as conn:
            row = conn.execute(sa.select(s.c.id, s.c.unit_id, s.c.year, s.c.version, s.c.status, s.c.file_sha256)
                               .where(s.c.id == submission_id)).first()
            if row is not None:  # PostgreSQL: wait for writers of the same unit-year, then read it again
                migrations.advisory_lock(conn, f"unit-year:{row.unit_id}/{row.year}")
                row = conn.execute(sa.select(s.c.id, s.c.unit_id, s.c.year, s.c.version, s.c.status, s.c.file_sha256)
                                   .where(s.c.id == submission_id)).first()
            if row is None or row.status == STATUS_WITHDRAWN:
                raise LookupError(f"no withdrawable submission {submission_id}")
            conn.execute(s.update().where(s.c.id == submission_id).values(status=STATUS_WITHDRAWN))
            successor = None
            if row.status == STATUS_CURRENT:
                successor = conn.execute(sa.select(s.c.id).where(
                    s.c.unit_id == row.unit_id, s.c.year == row.year, s.c.status == STATUS_SUPERSEDED)
                    .order_by(s.c.version.desc())).scalar()
                if successor is not None:
                    conn.execute(s.update().where(s.c.id == successor).values(status=STATUS_CURRENT))
            audit.record(conn, who, "version_withdrawn", target=f"{row.unit_id}/{row.year}",
                         file_sha256=row.file_sha256,
                         details={"submission_id": submission_id, "version": row.version, "reason": reason,
                                  "now_current": successor})
        return successor

    def _archive(self, conn: Connection, result: ReadResult, data: bytes) -> None:
        exists = conn.execute(sa.select(files_t.c.sha256).where(files_t.c.sha256 == result.sha256)).first()
        if exists is None:
            row = {"sha256": result.sha256, "name": result.file[:500], "kind": result.kind, "size": len(data),
                   "content": data, "first_seen": _now()}
            if conn.dialect.name == "postgresql":  # the same file sent by two people at once: one copy kept
                conn.execute(pg_insert(files_t).values(**row).on_conflict_do_nothing(index_elements=["sha256"]))
            else:
                conn.execute(files_t.insert().values(**row))

    def _log(self, conn: Connection, result: ReadResult, sheet: str, unit_id: str | None, year: int | None,
             status: str, submission_id: int | None, uploader: str, issues: Iterable[Issue], who: Actor) -> None:
        known_unit = unit_id if unit_id in self.registry else None
        intake_id = conn.execute(intake_t.insert().returning(intake_t.c.id).values(
            at=_now(), uploader=uploader[:200], file_sha256=result.sha256, file_name=result.file[:500], sheet=sheet[:200],
            unit_id=known_unit, year=year, status=status, submission_id=submission_id)).scalar_one()
        audit.record(conn, who, _AUDIT_ACTION[status], file_sha256=result.sha256,
                     target=f"{unit_id or '?'}/{year or '?'}", details={"file": result.file, "sheet": sheet,
                                                                       "submission_id": submission_id})
        # Column limits hold on every backend (a hostile file may name a sheet or cell at any length).
        rows = [{"intake_id": intake_id, "severity": str(i.severity), "code": i.code, "sheet": i.sheet[:200],
                 "cell": i.cell[:16],
                 "value": i.value, "message_vi": i.message_vi, "message_en": i.message_en} for i in issues]
        if rows:
            conn.execute(issues_t.insert(), rows)

    # --- reading ------------------------------------------------------------------------------

    def data_version(self) -> str:
        """A token that changes whenever anything is stored, a version is withdrawn or an appraisal decided (for
        cache keys)."""
        withdrawn = sa.select(sa.func.count()).where(submissions_t.c.status == STATUS_WITHDRAWN).scalar_subquery()
        decided = sa.select(sa.func.count(appraisals_t.c.decided_at)).scalar_subquery()
        last_decided = sa.select(sa.func.max(appraisals_t.c.decided_at)).scalar_subquery()
        with self.engine.connect() as conn:
            n, last, out, judged, latest = conn.execute(
                sa.select(sa.func.count(), sa.func.max(intake_t.c.id), withdrawn, decided, last_decided)).one()
        return f"{n}:{last}:{out}:{judged}:{latest.isoformat() if latest else ''}"

    def ratings(self, *, years: Sequence[int] = (), units: Sequence[str] = (), quadrants: Sequence[int] = (),
                indicators: Sequence[str] = (), submission_id: int | None = None) -> pd.DataFrame:
        """Ratings in long form, one row per unit × year × indicator, of the current versions (or of one
        submission), with unit and indicator attributes."""
        s, r, u, i = submissions_t, ratings_t, units_t, indicators_t
        query = (
            sa.select(s.c.unit_id, u.c.name.label("unit_name"), u.c.type.label("unit_type"), s.c.year,
                      i.c.quadrant, r.c.indicator_code, i.c.seq, i.c.name_vi.label("indicator_name"),
                      i.c.name_en.label("indicator_name_en"), r.c.rating, r.c.raw, r.c.evidence, r.c.note,
                      r.c.evidence_status, r.c.cell, s.c.version, s.c.id.label("submission_id"), s.c.file_name, s.c.sheet)
            .select_from(r.join(s, r.c.submission_id == s.c.id).join(u, s.c.unit_id == u.c.id)
                         .join(i, r.c.indicator_code == i.c.code))
        )
        if submission_id is not None:
            query = query.where(s.c.id == submission_id)
        else:
            query = query.where(s.c.status == STATUS_CURRENT)
        if years:
            query = query.where(s.c.year.in_([int(y) for y in years]))
        if units:
            query = query.where(s.c.unit_id.in_(list(units)))
        if quadrants:
            query = query.where(i.c.quadrant.in_([int(q) for q in quadrants]))
        if indicators:
            query = query.where(r.c.indicator_code.in_(list(indicators)))
        query = query.order_by(s.c.year, s.c.unit_id, i.c.quadrant, i.c.seq)
        with self.engine.connect() as conn:
            frame = read_frame(query, conn)
        frame["score"] = frame["rating"].map({"red": 0, "yellow": 1, "green": 2}).astype("Int64")
        return frame.drop(columns=["seq"])

    def rating_table(self) -> pd.DataFrame:
        """Every current rating, one row per unit × year × indicator, in compact form for aggregation: no
        text columns (evidence, notes and cells come from :meth:`ratings` for the rows a view shows), ids
        and labels as categoricals. Built from one packed row per submission, so a national store (millions
        of ratings) loads in seconds."""
        from lgqa_metrics.store.packed import (  # numpy: only here
            PACK_BASE,
            PACKED_RATINGS,
            PACKED_STATUSES,
            unpack_ratings,
        )

        s, r = submissions_t, ratings_t
        codes = list(self.catalogue.codes)
        code_char = sa.case({c: chr(PACK_BASE + n) for n, c in enumerate(codes)}, value=r.c.indicator_code,
                            else_="?")
        rating_char = sa.case({v: chr(PACK_BASE + n) for n, v in enumerate(PACKED_RATINGS)}, value=r.c.rating,
                              else_=chr(PACK_BASE + PACKED_RATINGS.index("missing")))
        status_char = sa.case({v.value: chr(PACK_BASE + n) for n, v in enumerate(PACKED_STATUSES)},
                              value=r.c.evidence_status,
                              else_=chr(PACK_BASE + PACKED_STATUSES.index(EvidenceStatus.NOT_REQUIRED)))
        heads = (s.c.id, s.c.unit_id, s.c.year, s.c.version)
        packed = (sa.select(*heads, sa.func.aggregate_strings(code_char + rating_char + status_char, ""))
                  .select_from(r.join(s, r.c.submission_id == s.c.id)).where(s.c.status == STATUS_CURRENT)
                  .group_by(*heads))
        with self.engine.connect() as conn:
            rows = conn.execute(packed).all()
            units = frame_of_columns(conn.execute(sa.select(units_t.c.id, units_t.c.name, units_t.c.type)).all(),
                             ["unit_id", "unit_name", "unit_type"])
        subs = frame_of_columns([row[:4] for row in rows], ["submission_id", "unit_id", "year", "version"])
        return unpack_ratings([(row[0], row[4]) for row in rows], subs, units, self.catalogue)

    def history(self, unit_id: str, year: int) -> pd.DataFrame:
        """Every stored version of one unit-year, newest first."""
        s = submissions_t
        query = (sa.select(s.c.id, s.c.version, s.c.status, s.c.uploaded_at, s.c.uploader, s.c.file_name, s.c.sheet,
                           s.c.file_sha256).where(s.c.unit_id == unit_id, s.c.year == year)
                 .order_by(s.c.version.desc()))
        with self.engine.connect() as conn:
            return read_frame(query, conn)

    def submissions(self) -> pd.DataFrame:
        """All stored submissions (every version)."""
        with self.engine.connect() as conn:
            return read_frame(sa.select(submissions_t).order_by(submissions_t.c.id), conn)

    def intake_log(self) -> pd.DataFrame:
        """Every ingest outcome, accepted, duplicate or rejected, oldest first."""
        with self.engine.connect() as conn:
            return read_frame(sa.select(intake_t).order_by(intake_t.c.id), conn)

    def issues_of(self, intake_id: int) -> pd.DataFrame:
        """The issues logged with one intake."""
        with self.engine.connect() as conn:
            return read_frame(sa.select(issues_t).where(issues_t.c.intake_id == intake_id).order_by(issues_t.c.id), conn)

    def archived(self, sha256: str) -> bytes | None:
        """The archived bytes of a file, by content hash."""
        with self.engine.connect() as conn:
            return conn.execute(sa.select(files_t.c.content).where(files_t.c.sha256 == sha256)).scalar()

    def count(self, table: sa.Table) -> int:
        """Rows in one table."""
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() or 0)


def _upsert(conn: Connection, table: sa.Table, key: str, rows: list[dict[str, Any]]) -> None:
    existing = set(conn.execute(sa.select(table.c[key])).scalars())
    new = [r for r in rows if r[key] not in existing]
    old = [r for r in rows if r[key] in existing]
    if new:
        conn.execute(table.insert(), new)
    for row in old:  # the key is left out of SET: the foreign-key check of every referencing row is not needed
        conn.execute(table.update().where(table.c[key] == row[key]).values(**{k: v for k, v in row.items() if k != key}))
