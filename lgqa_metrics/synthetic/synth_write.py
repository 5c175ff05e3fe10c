"""Writing a synthetic dataset (:mod:`lgqa_metrics.synthetic.synth`): straight into the store in bulk, or as return
workbooks in the project's template for ingest benchmarks.

Into the store, in one write transaction: the generated units replace the registry in the ``units`` table
and their crosswalk (:attr:`Dataset.links`, the 2025 reform's links) replaces the ``unit_links`` table; the
meta key ``registry_source`` = ``store`` makes :meth:`Store.open` use both (``data/units.csv`` and
``data/lineage.csv`` stay out, the stored crosswalk is checked on every open); one small synthetic ``files`` row per year (``synth-<year>.txt``, kind ``synthetic``, a line saying
that no original workbook exists) is what every submission of that year points at; submissions with
explicit ids, their ratings, one accepted intake row per submission and one audit entry for the whole run.
A store that already holds returns is refused. Rows go in batches of :data:`BATCH_ROWS` through the
driver's ``executemany`` with a statement compiled by SQLAlchemy Core (PostgreSQL with psycopg: ``COPY``).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lgqa_metrics.domain.catalogue import Catalogue, default_catalogue
from lgqa_metrics.domain.evidence import EvidenceRule, EvidenceStatus
from lgqa_metrics.domain.lineage import COLUMNS as LINEAGE_COLUMNS
from lgqa_metrics.domain.lineage import Link
from lgqa_metrics.domain.ratings import COLOURS, Rating
from lgqa_metrics.domain.roles import Actor, Role, cli_actor, require
from lgqa_metrics.domain.units import Unit, UnitRegistry
from lgqa_metrics.services.template import DATA_SHEET
from lgqa_metrics.store import audit
from lgqa_metrics.store.backup import reset_sequences
from lgqa_metrics.store.database import REGISTRY_FROM_STORE, REGISTRY_SOURCE_KEY, WRITE_OPTION, Store, unit_rows
from lgqa_metrics.store.schema import (
    STATUS_CURRENT,
    STATUS_SUPERSEDED,
    files_t,
    intake_t,
    meta_t,
    ratings_t,
    submissions_t,
    unit_links_t,
    units_t,
)
from lgqa_metrics.store.transfer import copy_rows
from lgqa_metrics.store.url import redact_url
from lgqa_metrics.synthetic import forms
from lgqa_metrics.synthetic.synth import (
    BANNER,
    NOTE_SYNTHETIC,
    RATINGS,
    Dataset,
    SynthError,
    rating_cells,
    rating_words,
)

UPLOADER: Final = "synth"
FILE_KIND: Final = "synthetic"
#: Meta key holding what was generated (seed, sizes, time) in a synthetic store.
META_SYNTHETIC: Final = "synthetic"
BATCH_ROWS: Final = 50_000
UNITS_CSV: Final = "units.csv"
LINEAGE_CSV: Final = "lineage.csv"
UNITS_COLUMNS: Final = ("id", "type", "name", "name_en", "parent_id", "aliases", "valid_from", "valid_to",
                        "successor_ids", "note")
_SQLITE_CACHE_KIB: Final = 262_144
#: Workbooks written per task, and the number of workbooks from which they are written by several processes.
FILES_PER_TASK: Final = 100
PARALLEL_FROM: Final = 400

#: ``progress(stage, done, total)``: stage is "units", "submissions" (with their intake rows), "ratings" or "files".
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class Written:
    """What a run wrote and how long it took (seconds)."""

    units: int
    returns: int
    submissions: int
    ratings: int
    files: int
    seconds: float


# --- into the store -------------------------------------------------------------------------------------


@contextmanager
def _bulk(store: Store) -> Iterator[Connection]:
    """One write transaction like :meth:`Store.writing`; on SQLite with durability relaxed and a large page
    cache for this connection only while it runs (``synchronous=OFF``: a crash mid-run leaves the store as it
    was before, or a fresh one to delete; the settings are restored before the connection returns to the pool)."""
    with store.engine.connect() as conn:
        raw = conn.connection.driver_connection if conn.dialect.name == "sqlite" else None
        if raw is not None:
            raw.execute("PRAGMA synchronous=OFF")
            raw.execute(f"PRAGMA cache_size=-{_SQLITE_CACHE_KIB}")
        try:
            conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                yield conn
        finally:
            if raw is not None:
                raw.execute("PRAGMA synchronous=NORMAL")
                raw.execute("PRAGMA cache_size=-2000")


def _insert(conn: Connection, table: sa.Table, columns: Mapping[str, Sequence[Any]]) -> int:
    """Insert rows given column by column; returns how many."""
    names = list(columns)
    count = len(columns[names[0]])
    if not count:
        return 0
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        return copy_rows(conn, table.name, names, zip(*columns.values(), strict=True))
    compiled = table.insert().compile(dialect=conn.dialect, column_keys=names)
    if compiled.positional and compiled.positiontup is not None and set(compiled.positiontup) == set(names):
        values = []
        for name in compiled.positiontup:  # the column types' own conversions (dates and times on SQLite)
            process = table.c[name].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
            values.append(list(map(process, columns[name])) if process else columns[name])
        conn.exec_driver_sql(compiled.string, list(zip(*values, strict=True)))
    else:
        conn.execute(table.insert(), [dict(zip(names, row, strict=True))
                                      for row in zip(*(columns[n] for n in names), strict=True)])
    return count


def _set_meta(conn: Connection, key: str, value: str) -> None:
    conn.execute(meta_t.delete().where(meta_t.c.key == key))
    conn.execute(meta_t.insert().values(key=key, value=value))


def _refuse_unless_empty(conn: Connection, url: str) -> None:
    for table in (submissions_t, intake_t):
        if conn.execute(sa.select(sa.func.count()).select_from(table)).scalar():
            raise SynthError("synth.store_not_empty", target=redact_url(url))


def _register(conn: Connection, registry: UnitRegistry, links: Sequence[Link], progress: Progress | None) -> int:
    """Make ``registry`` the store's registry and ``links`` its crosswalk: the ``units`` and ``unit_links``
    tables hold exactly them, and the meta key says the registry lives in the store."""
    conn.execute(unit_links_t.delete())  # first: its rows refer to the units
    conn.execute(units_t.delete())
    rows = unit_rows(registry)
    _insert(conn, units_t, {column: [row[column] for row in rows] for column in rows[0]})
    _insert(conn, unit_links_t, {
        "from_id": [k.from_id for k in links], "to_id": [k.to_id for k in links],
        "effective_date": [k.effective for k in links], "kind": [k.kind.value for k in links],
        "share": [k.share for k in links], "source": [k.source for k in links]})
    _set_meta(conn, REGISTRY_SOURCE_KEY, REGISTRY_FROM_STORE)
    conn.execute(meta_t.delete().where(meta_t.c.key == "reference"))  # the next open syncs the catalogue again
    if progress:
        progress("units", len(rows), len(rows))
    return len(rows)


def register_units(url: str, registry: UnitRegistry, *, links: Sequence[Link] = (), actor: Actor | None = None) -> int:
    """Make ``registry`` the registry of the (empty) store at ``url``, ``links`` its crosswalk, without writing
    any return (for ``synth --files --db``: ingest then resolves the generated units). Returns the number of
    units."""
    require(actor or cli_actor(), Role.ADMIN, "replace the unit registry")
    store = Store.open(url)
    try:
        with _bulk(store) as conn:
            _refuse_unless_empty(conn, url)
            return _register(conn, registry, links, None)
    finally:
        store.close()


def _synthetic_file(ds: Dataset, year: int, returns: int) -> dict[str, Any]:
    text = (f"SYNTHETIC DATA / DỮ LIỆU TỔNG HỢP — generated by `python -m lgqa_metrics synth` (seed {ds.spec.seed}): "
            f"{returns} returns for {year} written straight into the store; no original workbook exists.\n")
    data = text.encode("utf-8")
    return {"sha256": hashlib.sha256(data).hexdigest(), "name": f"synth-{year}.txt", "kind": FILE_KIND,
            "size": len(data), "content": data, "first_seen": dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC)}


def write_store(ds: Dataset, url: str, *, actor: Actor | None = None, progress: Progress | None = None,
                catalogue: Catalogue | None = None) -> Written:
    """Write ``ds`` into the empty store at ``url`` (created when missing) in one transaction. Raises
    :class:`SynthError` (``synth.store_not_empty``) when the store already holds returns."""
    who = require(actor or cli_actor(), Role.ADMIN, "write synthetic data")
    started = time.perf_counter()
    cat = catalogue or default_catalogue()
    store = Store.open(url, catalogue=cat)
    try:
        with _bulk(store) as conn:
            _refuse_unless_empty(conn, url)
            units = _register(conn, ds.registry, ds.links, progress)
            first_sub = 1 + int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(submissions_t.c.id), 0))).scalar_one())
            first_intake = 1 + int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(intake_t.c.id), 0))).scalar_one())
            per_year = {y: int((ds.sub_current & (ds.sub_year == y)).sum()) for y in ds.spec.years}
            files = {y: _synthetic_file(ds, y, n) for y, n in per_year.items()}
            _insert(conn, files_t, {k: [f[k] for f in files.values()] for k in files[ds.spec.years[0]]})
            sha_of_year = {y: f["sha256"] for y, f in files.items()}
            _write_submissions(conn, ds, first_sub, first_intake, sha_of_year, progress)
            _write_ratings(conn, ds, first_sub, cat, store.evidence_rule, progress)
            if conn.dialect.name == "postgresql":  # explicit ids: move the id sequences past them
                reset_sequences(conn)
            details = {"units": ds.spec.units, "years": [ds.spec.years[0], ds.spec.years[-1]], "seed": ds.spec.seed,
                       "registry_units": units, "links": len(ds.links), "reform": ds.spec.reform,
                       "returns": ds.returns, "submissions": ds.submissions,
                       "ratings": ds.rating_count}
            _set_meta(conn, META_SYNTHETIC, json.dumps({**details, "generated_at": dt.datetime.now(dt.UTC).isoformat()}))
            audit.record(conn, who, "synthetic_data", target=f"{ds.spec.units} units, {ds.spec.years[0]}–{ds.spec.years[-1]}",
                         details=details)
    finally:
        store.close()
    return Written(units, ds.returns, ds.submissions, ds.rating_count, 0, time.perf_counter() - started)


def _batches(total: int, size: int) -> Iterator[tuple[int, int]]:
    for start in range(0, total, size):
        yield start, min(total, start + size)


def _write_submissions(conn: Connection, ds: Dataset, first_sub: int, first_intake: int,
                       sha_of_year: Mapping[int, str], progress: Progress | None) -> None:
    epoch = {y: dt.datetime(y + 1, 1, 1, tzinfo=dt.UTC) for y in ds.spec.years}
    total = ds.submissions
    for start, end in _batches(total, BATCH_ROWS):
        span = range(start, end)
        years = ds.sub_year[start:end].tolist()
        units = [ds.reporting[u].id for u in ds.sub_unit[start:end].tolist()]
        at = [epoch[y] + dt.timedelta(seconds=s) for y, s in zip(years, ds.sub_seconds[start:end].tolist(), strict=True)]
        names = [ds.file_name(i) for i in span]
        shas = [sha_of_year[y] for y in years]
        ids = [first_sub + i for i in span]
        sheet = [DATA_SHEET] * len(span)
        uploader = [UPLOADER] * len(span)
        _insert(conn, submissions_t, {
            "id": ids, "unit_id": units, "year": years, "version": ds.sub_version[start:end].tolist(),
            "status": [STATUS_CURRENT if c else STATUS_SUPERSEDED for c in ds.sub_current[start:end].tolist()],
            "file_sha256": shas, "file_name": names, "sheet": sheet, "uploader": uploader, "uploaded_at": at,
            "fingerprint": [ds.fingerprint(i) for i in span]})
        _insert(conn, intake_t, {
            "id": [first_intake + i for i in span], "at": at, "uploader": uploader, "file_sha256": shas,
            "file_name": names, "sheet": sheet, "unit_id": units, "year": years, "status": ["accepted"] * len(span),
            "submission_id": ids})
        if progress:
            progress("submissions", end, total)


def evidence_statuses(ds: Dataset, rule: EvidenceRule) -> npt.NDArray[np.object_]:
    """Each generated rating's evidence status by ``rule`` (submissions × codes), judged once per text of the
    dataset's evidence and note pools rather than once per rating."""
    needs = np.array([rule.needs_evidence(r) for r in RATINGS])
    given = np.array([rule.gives_evidence(text) for text in ds.evidence_pool])
    cited = np.array([rule.cites_document(text) for text in ds.note_pool])
    evidenced = given[ds.evidence] | cited[ds.notes]
    return np.where(~needs[ds.ratings], EvidenceStatus.NOT_REQUIRED.value,
                    np.where(evidenced, EvidenceStatus.EVIDENCED.value, EvidenceStatus.MISSING.value)).astype(object)


def _write_ratings(conn: Connection, ds: Dataset, first_sub: int, catalogue: Catalogue, rule: EvidenceRule,
                   progress: Progress | None) -> None:
    k = len(ds.codes)
    values = np.array([r.value for r in RATINGS], dtype=object)
    raws = np.array(rating_words(catalogue), dtype=object)
    evidence = np.array(ds.evidence_pool, dtype=object)
    notes = np.array(ds.note_pool, dtype=object)
    codes, cells = list(ds.codes), list(rating_cells(catalogue))
    statuses = evidence_statuses(ds, rule)
    per_batch = max(1, BATCH_ROWS // k)
    total = ds.rating_count
    for start, end in _batches(ds.submissions, per_batch):
        flat = ds.ratings[start:end].ravel()
        _insert(conn, ratings_t, {
            "submission_id": np.repeat(np.arange(first_sub + start, first_sub + end), k).tolist(),
            "indicator_code": codes * (end - start), "rating": values[flat].tolist(), "raw": raws[flat].tolist(),
            "evidence": evidence[ds.evidence[start:end].ravel()].tolist(),
            "note": notes[ds.notes[start:end].ravel()].tolist(), "cell": cells * (end - start),
            "evidence_status": statuses[start:end].ravel().tolist()})
        if progress:
            progress("ratings", end * k, total)


# --- as workbooks ---------------------------------------------------------------------------------------


def write_lineage_csv(links: Iterable[Link], path: Path) -> None:
    """The crosswalk in the format of ``data/lineage.csv`` (a header only when there is no link)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, LINEAGE_COLUMNS)
        writer.writeheader()
        writer.writerows(link.row() for link in links)


def write_units_csv(registry: UnitRegistry, path: Path) -> None:
    """The registry in the format of ``data/units.csv`` (every unit noted as synthetic)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(UNITS_COLUMNS)
        for u in registry.units:
            writer.writerow([u.id, u.type.value, u.name, u.name_en, u.parent_id or "", ";".join(u.aliases),
                             u.valid_from.isoformat() if u.valid_from else "",
                             u.valid_to.isoformat() if u.valid_to else "", ";".join(u.successor_ids), NOTE_SYNTHETIC])


_Job = tuple[Unit, int, dict[str, tuple[str, str, str]], str]


def _write_workbooks(folder: Path, jobs: Sequence[_Job], catalogue: Catalogue | None = None) -> int:
    """Each unit-year's return in the layout its unit uses (:func:`lgqa_metrics.synthetic.forms.preset_for`), its unit
    named by the issuing body and a "Mã đơn vị" line."""
    cat = catalogue or default_catalogue()
    by_word = {cat.scale[r].label_vi: r for r in (*COLOURS, Rating.NA)}
    for unit, year, filled, name in jobs:
        entries = {code: forms.Entry(by_word.get(word, Rating.MISSING), evidence, note)
                   for code, (word, evidence, note) in filled.items()}
        content = forms.FormContent(entries, unit_line=f"UBND {unit.name.upper()}", year_line=f"Năm {year}",
                                    date_line=f"Hải Phòng, ngày 15 tháng 01 năm {year + 1}", banner=BANNER,
                                    extra_lines=((6, 0, f"Mã đơn vị: {unit.id}"),))
        (folder / name).write_bytes(forms.write_return(forms.PRESETS[forms.preset_for(unit.id)], content, cat))
    return len(jobs)


def write_files(ds: Dataset, folder: Path, *, progress: Progress | None = None, catalogue: Catalogue | None = None,
                workers: int | None = None, parallel_from: int = PARALLEL_FROM) -> Written:
    """One return workbook per unit-year (the current versions, each unit in a layout of its own) into ``folder``, named
    ``<unit id>_<year>.xlsx``, the registry as ``folder/units.csv`` and its crosswalk as ``folder/lineage.csv``. From ``parallel_from`` files on they
    are written by ``workers`` processes (default: one per core)."""
    started = time.perf_counter()
    cat = catalogue or default_catalogue()
    folder.mkdir(parents=True, exist_ok=True)
    write_units_csv(ds.registry, folder / UNITS_CSV)
    write_lineage_csv(ds.links, folder / LINEAGE_CSV)
    current = np.flatnonzero(ds.sub_current).tolist()
    jobs: list[_Job] = [(ds.reporting[ds.sub_unit[i]], int(ds.sub_year[i]), ds.entries(i, cat), ds.file_name(i))
                        for i in current]
    chunks = [jobs[a:b] for a, b in _batches(len(jobs), FILES_PER_TASK)]
    workers = workers or os.cpu_count() or 1
    done = 0
    if workers > 1 and len(jobs) >= parallel_from and catalogue is None:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            for written in pool.map(_write_workbooks, [folder] * len(chunks), chunks):
                done += written
                if progress:
                    progress("files", done, len(jobs))
    else:
        for chunk in chunks:
            done += _write_workbooks(folder, chunk, cat)
            if progress:
                progress("files", done, len(jobs))
    return Written(len(ds.registry), len(jobs), 0, len(jobs) * len(ds.codes), len(jobs), time.perf_counter() - started)
