"""A batch of uploaded files: read and checked against the store without storing anything (a dry run),
then stored when staff confirm. No Streamlit here; the Upload page draws what these functions return."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

import pandas as pd

from lgqa_metrics.domain.catalogue import Catalogue
from lgqa_metrics.domain.i18n import t
from lgqa_metrics.domain.issues import Issue, Severity
from lgqa_metrics.domain.lineage import Lineage
from lgqa_metrics.domain.ratings import Rating
from lgqa_metrics.domain.roles import Actor, Role, require
from lgqa_metrics.domain.units import UnitRegistry
from lgqa_metrics.intake.mapping import LayoutMapping
from lgqa_metrics.intake.reader import ParsedReturn, RatingRow, ReadResult
from lgqa_metrics.intake.safety import read_safely
from lgqa_metrics.store.database import Outcome, Store

log = logging.getLogger(__name__)

ACCEPTED: Final = "accepted"
DUPLICATE: Final = "duplicate"
REJECTED: Final = "rejected"
FAILED: Final = "failed"  # the store could not record the file (database error); only after a confirmation
#: Columns of :func:`outcome_rows` records, in display order.
ROW_FIELDS: Final = ("file", "sheet", "unit_id", "year", "status", "version", "errors", "warnings", "error")


@dataclass(frozen=True)
class Checked:
    """One uploaded file after a dry run: what was read and what storing it would do."""

    name: str
    data: bytes
    result: ReadResult
    outcomes: tuple[Outcome, ...]

    def parsed(self, sheet: str) -> ParsedReturn | None:
        """The return read from ``sheet`` (None for a file in which no return was found)."""
        return next((r for r in self.result.returns if r.sheet == sheet), None)

    @property
    def accepted(self) -> int:
        """How many of the file's returns would be stored."""
        return sum(o.status == ACCEPTED for o in self.outcomes)

    @property
    def rejected(self) -> bool:
        """True when any return of the file (or the file itself) is rejected."""
        return any(o.status == REJECTED for o in self.outcomes)

    def issues(self) -> tuple[Issue, ...]:
        """Every issue of the file: its own and those of each of its returns, without repeats."""
        seen: dict[Issue, None] = dict.fromkeys(self.result.issues)
        for ret in self.result.returns:
            seen.update(dict.fromkeys(ret.issues))
        return tuple(seen)


@dataclass(frozen=True)
class Saved:
    """What storing one file did, or why it could not be stored."""

    file: str
    outcomes: tuple[Outcome, ...]
    error: str = ""


def read_upload(data: bytes, name: str, *, catalogue: Catalogue | None = None,
                registry: UnitRegistry | None = None, lineage: Lineage | None = None,
                mappings: Mapping[str, LayoutMapping] | None = None, isolated: bool = True) -> ReadResult:
    """Read one uploaded file as untrusted (:func:`lgqa_metrics.intake.safety.read_safely`): over the size cap it is
    ``file_too_large`` unread; otherwise it is read in a worker process, and a crash, a memory blow-up or a
    timeout there becomes an issue (``read_crashed``, ``read_timeout``), never an exception. ``mappings``: the
    store's confirmed column mappings; ``lineage``: the store's crosswalk (see :func:`lgqa_metrics.intake.reader.read_bytes`)."""
    return read_safely(data, name, isolated=isolated, catalogue=catalogue, registry=registry, lineage=lineage,
                       mappings=mappings)


@dataclass(frozen=True)
class MappingPreview:
    """A file read with a mapping staff propose: the ratings of the mapped sheet's return (empty when none was
    found), how many are read (not missing) and how many errors the file would still have."""

    ratings: tuple[RatingRow, ...]
    read: int
    errors: int


def preview_mapping(data: bytes, name: str, proposed: LayoutMapping, sheet: str, *,
                    catalogue: Catalogue | None = None, registry: UnitRegistry | None = None) -> MappingPreview:
    """Read ``data`` as untrusted with ``proposed`` as the only mapping, for the Upload page's preview."""
    result = read_upload(data, name, catalogue=catalogue, registry=registry,
                         mappings={proposed.fingerprint: proposed})
    ret = next((r for r in result.returns if r.sheet.startswith(sheet)), None)
    issues = [*result.issues, *(ret.issues if ret else ())]
    ratings = ret.ratings if ret else ()
    return MappingPreview(ratings, sum(r.rating is not Rating.MISSING for r in ratings),
                          sum(i.severity is Severity.ERROR for i in issues))


@dataclass
class _Plan:
    """What the batch has planned so far for one unit-year."""

    fingerprint: str  # content of the version planned last (the would-be current one)
    version: int  # its number
    files: dict[tuple[str, str], int]  # (file hash, sheet) -> version planned for it


def _replan(store: Store, outcome: Outcome, ret: ParsedReturn, sha256: str, plan: _Plan) -> Outcome:
    """The outcome of a return once earlier returns of the same unit-year in the batch are stored first,
    following :meth:`Store.record`: a file and sheet already stored, or the content of the current
    version, is a duplicate; anything else is the next version."""
    if (sha256, ret.sheet) in plan.files:
        return replace(outcome, status=DUPLICATE, version=plan.files[(sha256, ret.sheet)])
    if outcome.status == DUPLICATE and outcome.unit_id and outcome.year:
        stored = store.history(outcome.unit_id, outcome.year)
        if ((stored["file_sha256"] == sha256) & (stored["sheet"] == ret.sheet)).any():
            return outcome  # the very same file and sheet is stored already
    if ret.fingerprint == plan.fingerprint:
        return replace(outcome, status=DUPLICATE, version=plan.version)
    return replace(outcome, status=ACCEPTED, version=plan.version + 1)


def check(store: Store, files: Sequence[tuple[str, bytes, ReadResult]]) -> list[Checked]:
    """Dry-run every file against the store, in order, as if the batch were stored one file after the other.

    A return of a unit-year that an earlier return of the batch would already store is re-planned as
    :meth:`Store.record` will then see it (next version, or duplicate). Database errors propagate.
    """
    plans: dict[tuple[str, int], _Plan] = {}
    checked: list[Checked] = []
    for name, data, result in files:
        outcomes: list[Outcome] = []
        for outcome in store.record(result, data, dry_run=True):
            ret = next((r for r in result.returns if r.sheet == outcome.sheet), None)
            if outcome.status != REJECTED and ret is not None and outcome.unit_id and outcome.year:
                key = (outcome.unit_id, outcome.year)
                if key in plans:
                    outcome = _replan(store, outcome, ret, result.sha256, plans[key])
                if outcome.status == ACCEPTED and outcome.version is not None:
                    plan = plans.setdefault(key, _Plan(ret.fingerprint, outcome.version, {}))
                    plan.fingerprint, plan.version = ret.fingerprint, outcome.version
                    plan.files[(result.sha256, ret.sheet)] = outcome.version
            outcomes.append(outcome)
        checked.append(Checked(name, data, result, tuple(outcomes)))
    return checked


def repeated_unit_years(checked: Sequence[Checked]) -> dict[tuple[str, int], list[str]]:
    """Unit-years for which the batch holds more than one storable return, with the files holding them."""
    found: dict[tuple[str, int], list[str]] = {}
    for item in checked:
        for o in item.outcomes:
            if o.status in (ACCEPTED, DUPLICATE) and o.unit_id and o.year:
                found.setdefault((o.unit_id, o.year), []).append(item.name)
    return {k: v for k, v in found.items() if len(v) > 1}


def confirm(store: Store, checked: Sequence[Checked], *, actor: Actor,
            progress: Callable[[int, int, str], None] | None = None) -> list[Saved]:
    """Store every accepted return of the batch as ``actor`` (a staff member: the store checks) and log
    the duplicates and rejections (with their issues and the archived file). A file the store cannot
    record is reported, the others go on. ``progress(done, total, name)`` is called before each file."""
    require(actor, Role.STAFF, "store returns")
    saved: list[Saved] = []
    for n, item in enumerate(checked):
        if progress:
            progress(n, len(checked), item.name)
        try:
            outcomes = store.record(item.result, item.data, actor=actor)
        except Exception as exc:  # one file's database failure must not lose the rest of the batch
            log.exception("storing %s failed", item.name)
            saved.append(Saved(item.name, (), f"{type(exc).__name__}: {exc}"[:300]))
            continue
        saved.append(Saved(item.name, tuple(outcomes)))
    return saved


def _counts(issues: Sequence[Issue]) -> tuple[int, int]:
    errors = sum(i.severity is Severity.ERROR for i in issues)
    return errors, len(issues) - errors


def outcome_rows(items: Sequence[Checked] | Sequence[Saved]) -> list[dict[str, Any]]:
    """One plain record per return (or per file without a return), with :data:`ROW_FIELDS`; kept in
    session state between runs, so only strings and numbers."""
    rows: list[dict[str, Any]] = []
    for item in items:
        file = item.name if isinstance(item, Checked) else item.file
        if isinstance(item, Saved) and item.error:
            rows.append({"file": file, "sheet": "", "unit_id": None, "year": None, "status": FAILED,
                         "version": None, "errors": 0, "warnings": 0, "error": item.error})
            continue
        for o in item.outcomes:
            errors, warnings = _counts(o.issues)
            rows.append({"file": file, "sheet": o.sheet, "unit_id": o.unit_id, "year": o.year, "status": o.status,
                         "version": o.version, "errors": errors, "warnings": warnings, "error": ""})
    return rows


def unit_label(unit_id: str | None, registry: UnitRegistry, lang: str = "vi") -> str:
    """The unit's name in ``lang``, its id when unregistered, or a dash."""
    return registry.name_of(unit_id, lang) if unit_id else "–"


def _number(value: object) -> str:
    """A year or version as text, a dash when unknown (tables show "None" for missing numbers)."""
    return "–" if value is None else str(value)


def outcome_table(rows: Sequence[Mapping[str, Any]], registry: UnitRegistry, lang: str = "vi",
                  *, done: bool = False) -> pd.DataFrame:
    """The records of :func:`outcome_rows` for people: unit names, status words (planned, or ``done``),
    headers in ``lang``."""
    prefix = "batch.done_" if done else "batch.plan_"
    shown = pd.DataFrame({
        "file": [r["file"] for r in rows],
        "sheet": [r["sheet"] or "–" for r in rows],
        "unit": [unit_label(r["unit_id"], registry, lang) for r in rows],
        "year": [_number(r["year"]) for r in rows],
        "status": [t(prefix + str(r["status"]), lang) for r in rows],
        "version": [_number(r["version"]) for r in rows],
        "errors": [int(r["errors"]) for r in rows],
        "warnings": [int(r["warnings"]) for r in rows],
    })
    return shown.rename(columns={c: t(f"batch.col_{c}", lang) for c in shown.columns})


@dataclass(frozen=True)
class SavedSummary:
    """What a confirmation did, for people: ``tone`` (``success`` when returns were stored, ``warning`` when only
    rejected files were recorded, ``info`` when everything was already stored) and its ``sentences`` (message
    keys with their fields), each said only when it applies."""

    tone: str
    sentences: tuple[tuple[str, dict[str, int]], ...]


def saved_summary(counts: Mapping[str, int]) -> SavedSummary:
    """:class:`SavedSummary` of a confirmation's :func:`status_counts`: how many returns were stored, how many
    duplicates skipped, how many rejected returns recorded in quarantine."""
    stored, skipped, recorded = counts.get(ACCEPTED, 0), counts.get(DUPLICATE, 0), counts.get(REJECTED, 0)
    sentences = [("upload.saved_stored", {"n": stored}) if stored else ("upload.saved_none", {})]
    if skipped:
        sentences.append(("upload.saved_skipped", {"n": skipped}))
    if recorded:
        sentences.append(("upload.saved_quarantined", {"n": recorded}))
    return SavedSummary("success" if stored else "warning" if recorded else "info", tuple(sentences))


def status_counts(rows: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """How many records have each status (accepted, duplicate, rejected, failed)."""
    counts = dict.fromkeys((ACCEPTED, DUPLICATE, REJECTED, FAILED), 0)
    for r in rows:
        counts[str(r["status"])] = counts.get(str(r["status"]), 0) + 1
    return counts
