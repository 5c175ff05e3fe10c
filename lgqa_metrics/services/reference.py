"""The department's reference files: the unit registry (``data/units.csv``), its lineage crosswalk
(``data/lineage.csv``) and the indicator catalogue (``data/catalogue/indicators.csv``). Read them as tables, check a replacement on a temporary copy with the
loaders that the app itself uses, list what it would change, and replace the file (administrators only,
atomically, audited). No Streamlit here."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import os
import re
import shutil
import stat
import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal

import pandas as pd
import sqlalchemy as sa

from lgqa_metrics.domain import paths
from lgqa_metrics.domain.catalogue import Catalogue, CatalogueError, default_catalogue, load_catalogue
from lgqa_metrics.domain.formatting import local_today
from lgqa_metrics.domain.i18n import MessageError, has, t
from lgqa_metrics.domain.lineage import REGISTRY_SOURCE, Lineage, LineageError, default_lineage, load_lineage
from lgqa_metrics.domain.ratings import Rating
from lgqa_metrics.domain.roles import Actor, Role, require
from lgqa_metrics.domain.units import RegistryError, UnitRegistry, default_registry, load_registry
from lgqa_metrics.store import audit
from lgqa_metrics.store.database import Store
from lgqa_metrics.store.schema import submissions_t

Kind = Literal["units", "lineage", "catalogue"]
KINDS: Final[tuple[Kind, ...]] = ("units", "lineage", "catalogue")
#: Largest file accepted (the real files are a few kilobytes).
MAX_BYTES: Final = 1_000_000
#: Columns a replacement must have.
REQUIRED_COLUMNS: Final[dict[Kind, tuple[str, ...]]] = {
    "units": ("id", "type", "name"),
    "lineage": ("from_id", "to_id", "effective_date", "kind"),
    "catalogue": ("code", "name_vi", "name_en"),
}
#: The audit action of each replacement.
AUDIT_ACTION: Final[dict[Kind, str]] = {"units": "registry_replaced", "lineage": "lineage_replaced",
                                        "catalogue": "catalogue_replaced"}
#: Change kinds, in the order they are listed.
ADDED: Final = "added"
REMOVED: Final = "removed"
RENAMED: Final = "renamed"
CHANGED: Final = "changed"
_ORDER: Final = {ADDED: 0, REMOVED: 1, RENAMED: 2, CHANGED: 3}
_UNIT_NAMES: Final = ("name", "name_en")
_UNIT_OTHER: Final = ("type", "parent_id", "aliases", "valid_from", "valid_to", "successor_ids")
_INDICATOR_NAMES: Final = ("name_vi", "name_en", "name_es")
_FILES: Final[dict[Kind, tuple[str, ...]]] = {"units": ("units.csv",), "lineage": ("lineage.csv",),
                                              "catalogue": ("catalogue", "indicators.csv")}
_FOREIGN_MAGIC: Final = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF")  # xlsx/docx, xls/doc, pdf


class ReferenceError(MessageError, ValueError):
    """A replacement that cannot be made; ``key`` is a message-catalogue key, ``fields`` fill it in."""


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between the current file and a replacement, by unit id or indicator code.

    ``kind``: added | removed | renamed (a name differs) | changed (another column differs);
    ``before``/``after``: the Vietnamese name on each side; ``fields``: the columns that differ."""

    kind: str
    key: str
    before: str = ""
    after: str = ""
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class Proposal:
    """A checked replacement: its bytes and hash, the hash of the file it would replace, what it changes,
    and (for the registry) the removed units that still have stored returns."""

    kind: Kind
    data: bytes
    sha256: str
    current_sha256: str
    changes: tuple[Change, ...] = ()
    removed_with_data: tuple[str, ...] = field(default=())

    @property
    def identical(self) -> bool:
        """True when the replacement is byte for byte the current file."""
        return self.sha256 == self.current_sha256

    def count(self, kind: str) -> int:
        """How many changes of one kind."""
        return sum(c.kind == kind for c in self.changes)


def data_dir() -> Path:
    """The data folder, read from ``LGQA_DATA_DIR`` when asked (so tests can point at a copy)."""
    return Path(os.environ.get("LGQA_DATA_DIR") or paths.DATA_DIR)


def file_path(kind: Kind) -> Path:
    """The file a kind of reference data lives in."""
    return data_dir().joinpath(*_FILES[kind])


def sha256(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def current_bytes(kind: Kind, path: Path | None = None) -> bytes:
    """The current file's bytes (empty when it is missing)."""
    target = path or file_path(kind)
    return target.read_bytes() if target.exists() else b""


def current_table(kind: Kind, path: Path | None = None) -> pd.DataFrame:
    """The current file as a table of text, exactly as written (columns as in the file)."""
    data = current_bytes(kind, path)
    if not data:
        raise ReferenceError("reference.missing_file", file=(path or file_path(kind)).name)
    try:
        return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (ValueError, UnicodeDecodeError, csv.Error) as exc:
        raise ReferenceError("reference.unreadable", file=(path or file_path(kind)).name, detail=str(exc)) from exc


_LEGEND_COLUMN: Final = re.compile(r"legend_(red|yellow|green)_(vi|en)")


def field_label(column: str, lang: str = "vi") -> str:
    """The heading of a reference file's column for people ("valid_from" → "Hiệu lực từ"); a column the
    catalogue does not name keeps its name."""
    if found := _LEGEND_COLUMN.fullmatch(column):
        return t("reference.field_legend", lang, rating=default_catalogue().scale[Rating(found[1])].label(lang),
                 language=t(f"reference.language_{found[2]}", lang))
    key = f"reference.field_{column}"
    return t(key, lang) if has(key) else column


def headings(table: pd.DataFrame, lang: str = "vi") -> dict[str, str]:
    """Each column of a reference file read by :func:`current_table` → its heading for people in ``lang``
    (the file itself and its download keep the file's own column names)."""
    return {str(c): field_label(str(c), lang) for c in table.columns}


def _decode(data: bytes) -> str:
    if not data.strip():
        raise ReferenceError("reference.empty")
    if len(data) > MAX_BYTES:
        raise ReferenceError("reference.too_big", limit=MAX_BYTES // 1000)
    if data.startswith(_FOREIGN_MAGIC):
        raise ReferenceError("reference.not_csv")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReferenceError("reference.not_utf8") from exc


def _check_shape(kind: Kind, text: str) -> None:
    """Required columns present and at least one data row (the loaders would accept an empty file)."""
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ReferenceError("reference.invalid", detail=str(exc)) from exc
    header = [h.strip() for h in rows[0]] if rows else []
    missing = [c for c in REQUIRED_COLUMNS[kind] if c not in header]
    if missing:
        raise ReferenceError("reference.missing_columns", columns=", ".join(missing))
    if not any(any(cell.strip() for cell in row) for row in rows[1:]):
        raise ReferenceError("reference.no_rows")


def _load(kind: Kind, data: bytes, current: Path) -> UnitRegistry | Catalogue | Lineage:
    """Load ``data`` with the app's own loader from a temporary copy named like the real file (the
    catalogue's other files are copied beside it); a crosswalk is checked against the current registry, a
    registry against the current crosswalk."""
    with tempfile.TemporaryDirectory(prefix="lgqa-reference-") as tmp:
        folder = Path(tmp)
        if kind == "catalogue" and current.parent.is_dir():
            for other in current.parent.glob("*.csv"):
                if other.name != current.name:
                    shutil.copyfile(other, folder / other.name)
        (folder / current.name).write_bytes(data)
        try:
            if kind == "units":
                registry = load_registry(folder / current.name)
                load_lineage(registry, file_path("lineage"))
                return registry
            if kind == "lineage":
                return load_lineage(load_registry(file_path("units")), folder / current.name)
            return load_catalogue(folder)
        except LineageError as exc:
            raise ReferenceError(exc.key, **exc.fields) from exc
        except (RegistryError, CatalogueError, csv.Error, KeyError, ValueError) as exc:
            detail = str(exc).replace(str(folder) + os.sep, "")
            raise ReferenceError("reference.invalid", detail=detail) from exc


def _load_current(kind: Kind, current: Path) -> UnitRegistry | Catalogue | Lineage | None:
    """The file as it is now, or None when it is missing or broken (everything then counts as added)."""
    try:
        if kind == "units":
            return load_registry(current)
        if kind == "lineage":
            return load_lineage(load_registry(file_path("units")), current)
        return load_catalogue(current.parent)
    except (RegistryError, CatalogueError, LineageError, csv.Error, KeyError, ValueError, OSError):
        return None


def _link_fields(lineage: Lineage) -> dict[str, dict[str, str]]:
    return {f"{k.from_id} → {k.to_id}": {c: v for c, v in k.row().items() if c not in ("from_id", "to_id")}
            for k in lineage.links if k.source != REGISTRY_SOURCE}


def _unit_fields(registry: UnitRegistry) -> dict[str, dict[str, str]]:
    return {u.id: {"name": u.name, "name_en": u.name_en, "type": u.type.value, "parent_id": u.parent_id or "",
                   "aliases": ";".join(u.aliases), "valid_from": str(u.valid_from or ""),
                   "valid_to": str(u.valid_to or ""), "successor_ids": ";".join(u.successor_ids)}
            for u in registry.units}


def _indicator_fields(catalogue: Catalogue) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for ind in catalogue.indicators:
        row = {"name_vi": ind.name_vi, "name_en": ind.name_en, "name_es": ind.name_es}
        row.update({f"legend_{rating.value}_{lang}": text for (rating, lang), text in ind.legend.items()})
        out[ind.code] = row
    return out


def diff(before: dict[str, dict[str, str]], after: dict[str, dict[str, str]], names: Sequence[str],
         name_key: str) -> tuple[Change, ...]:
    """Differences between two keyed tables of text fields: added and removed keys, renamed keys (one of
    ``names`` differs) and otherwise changed keys; ``name_key`` is the field shown as before/after."""
    changes: list[Change] = []
    for key in after.keys() - before.keys():
        changes.append(Change(ADDED, key, "", after[key].get(name_key, "")))
    for key in before.keys() - after.keys():
        changes.append(Change(REMOVED, key, before[key].get(name_key, ""), ""))
    for key in before.keys() & after.keys():
        old, new = before[key], after[key]
        fields = tuple(sorted(f for f in old.keys() | new.keys() if old.get(f, "") != new.get(f, "")))
        if fields:
            kind = RENAMED if any(f in names for f in fields) else CHANGED
            changes.append(Change(kind, key, old.get(name_key, ""), new.get(name_key, ""), fields))
    return tuple(sorted(changes, key=lambda c: (_ORDER[c.kind], c.key)))


def _with_data(store: Store | None, unit_ids: Sequence[str]) -> tuple[str, ...]:
    """Which of ``unit_ids`` have stored returns."""
    if store is None or not unit_ids:
        return ()
    query = sa.select(submissions_t.c.unit_id).where(submissions_t.c.unit_id.in_(list(unit_ids))).distinct()
    with store.engine.connect() as conn:
        return tuple(sorted(str(u) for u in conn.execute(query).scalars()))


def check(kind: Kind, data: bytes, *, store: Store | None = None, path: Path | None = None) -> Proposal:
    """Check a replacement for the ``kind`` file (at ``path``, default under the data folder) and list what
    it changes; raise :class:`ReferenceError` (message key and fields) when it is not usable."""
    current = path or file_path(kind)
    _check_shape(kind, _decode(data))
    new = _load(kind, data, current)
    old = _load_current(kind, current)
    if isinstance(new, UnitRegistry):
        before = _unit_fields(old) if isinstance(old, UnitRegistry) else {}
        changes = diff(before, _unit_fields(new), _UNIT_NAMES, "name")
    elif isinstance(new, Lineage):
        before = _link_fields(old) if isinstance(old, Lineage) else {}
        changes = diff(before, _link_fields(new), (), "kind")
    else:
        before = _indicator_fields(old) if isinstance(old, Catalogue) else {}
        changes = diff(before, _indicator_fields(new), _INDICATOR_NAMES, "name_vi")
    removed = [c.key for c in changes if c.kind == REMOVED]
    with_data = _with_data(store, removed) if kind == "units" else ()
    return Proposal(kind, data, sha256(data), sha256(current_bytes(kind, current)), changes, with_data)


def _write_atomically(target: Path, data: bytes) -> Path:
    """Write ``data`` to a temporary file beside ``target`` (same mode), flushed to disk; returns its path."""
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    if target.exists():
        os.chmod(tmp, stat.S_IMODE(target.stat().st_mode))
    return tmp


def replace(actor: Actor | None, store: Store, proposal: Proposal, *, path: Path | None = None) -> None:
    """Replace the reference file with ``proposal`` (administrators only): checked again, refused when the
    file changed since the proposal was made, written atomically (temporary file, then ``os.replace``) in
    the same transaction as its audit entry, and the cached registry or catalogue dropped."""
    who = require(actor, Role.ADMIN, f"replace the {proposal.kind} file")
    target = path or file_path(proposal.kind)
    fresh = check(proposal.kind, proposal.data, store=store, path=target)
    if fresh.current_sha256 != proposal.current_sha256:
        raise ReferenceError("reference.stale", file=target.name)
    if fresh.identical:
        raise ReferenceError("reference.same")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _write_atomically(target, fresh.data)
    try:
        with store.writing() as conn:
            audit.record(conn, who, AUDIT_ACTION[fresh.kind], target=target.name, file_sha256=fresh.sha256,
                         details=audit_details(fresh))
            os.replace(tmp, target)  # last: an error before it rolls the audit entry back
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    if fresh.kind == "catalogue":
        default_catalogue.cache_clear()
    else:  # the crosswalk is read against the registry: either change makes both anew
        default_registry.cache_clear()
        default_lineage.cache_clear()


def audit_details(proposal: Proposal) -> dict[str, object]:
    """The audit entry's details: the replaced file's hash and the keys of each kind of change."""
    details: dict[str, object] = {"previous_sha256": proposal.current_sha256}
    for kind in (ADDED, REMOVED, RENAMED, CHANGED):
        keys = [c.key for c in proposal.changes if c.kind == kind]
        if keys:
            details[kind] = keys
    if proposal.removed_with_data:
        details["removed_with_data"] = list(proposal.removed_with_data)
    return details


def changes_table(changes: Sequence[Change], lang: str = "vi") -> pd.DataFrame:
    """What a replacement changes, for people: kind, id or code, name before and after, columns changed."""
    shown = pd.DataFrame({
        "change": [t(f"reference.change_{c.kind}", lang) for c in changes],
        "key": [c.key for c in changes],
        "before": [c.before for c in changes],
        "after": [c.after for c in changes],
        "fields": [", ".join(field_label(f, lang) for f in c.fields) for c in changes],
    })
    return shown.rename(columns={c: t(f"reference.col_{c}", lang) for c in shown.columns})


def download_name(kind: Kind, today: dt.date | None = None) -> str:
    """File name of the current file's download: ``units-2026-11-24.csv``."""
    stem = file_path(kind).stem
    return f"{stem}-{(today or local_today()).isoformat()}.csv"
