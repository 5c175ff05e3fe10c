"""Unit lineage: which units became which, when and how (merge, split, rename, boundary change).

The crosswalk is data the department keeps (``data/lineage.csv``, or the store's ``unit_links`` table for a
synthetic national dataset): one row per link ``from_id → to_id`` with its ``effective_date``, ``kind``,
``share`` (the part of the old unit that went to the new one when a unit is split; 1 otherwise) and
``source`` (the resolution or decision that made the change). Links are checked whole against the unit
registry: every problem names its row. Nothing here changes a unit or a return: lineage only says how old
and new units relate, so views can follow a place across a reorganisation.

Links implied by the registry's ``successor_ids`` (an old unit naming its successors) count as merges on
the day after the old unit's ``valid_to``, unless the crosswalk states that link itself.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any, Final

from lgqa_metrics.domain.i18n import MessageError
from lgqa_metrics.domain.paths import LINEAGE_FILE
from lgqa_metrics.domain.textnorm import clean
from lgqa_metrics.domain.units import Unit, UnitRegistry, default_registry

#: The crosswalk's columns, in file order.
COLUMNS: Final = ("from_id", "to_id", "effective_date", "kind", "share", "source")
#: How far two split shares may be from summing to exactly 1.
SHARE_TOLERANCE: Final = 1e-6
#: The source written on links implied by the registry's ``successor_ids``.
REGISTRY_SOURCE: Final = "units.csv successor_ids"


class ChangeKind(StrEnum):
    """How an old unit relates to a new one.

    merge: the old unit joined others in the new one (all of it went there);
    split: part of the old unit (``share``) went to the new one, the rest elsewhere;
    rename: the same place under a new name or id;
    boundary: a boundary moved; both units go on existing."""

    MERGE = "merge"
    SPLIT = "split"
    RENAME = "rename"
    BOUNDARY = "boundary"


#: The kinds after which the old unit no longer exists.
ENDING_KINDS: Final = frozenset({ChangeKind.MERGE, ChangeKind.SPLIT, ChangeKind.RENAME})


class LineageError(MessageError, ValueError):
    """A crosswalk that cannot be used; the message names the row (``lineage.*`` keys)."""


@dataclass(frozen=True, slots=True)
class Link:
    """One crosswalk row: ``from_id`` became (part of) ``to_id`` on ``effective``."""

    from_id: str
    to_id: str
    effective: dt.date
    kind: ChangeKind
    share: float = 1.0
    source: str = ""

    def row(self) -> dict[str, str]:
        """The link as a row of the crosswalk file."""
        share = f"{self.share:.15g}"  # enough digits that thirds written out still sum to 1
        return {"from_id": self.from_id, "to_id": self.to_id, "effective_date": self.effective.isoformat(),
                "kind": self.kind.value, "share": share, "source": self.source}


class Lineage:
    """Every link, with the questions views ask of them."""

    def __init__(self, links: Iterable[Link] = ()) -> None:
        self.links: tuple[Link, ...] = tuple(sorted(links, key=lambda k: (k.effective, k.to_id, k.from_id)))
        self._into: dict[str, list[Link]] = {}
        self._out_of: dict[str, list[Link]] = {}
        for link in self.links:
            self._into.setdefault(link.to_id, []).append(link)
            self._out_of.setdefault(link.from_id, []).append(link)

    def __len__(self) -> int:
        return len(self.links)

    def __bool__(self) -> bool:
        return bool(self.links)

    def predecessors(self, unit_id: str) -> tuple[Link, ...]:
        """The links into ``unit_id`` (its direct predecessors)."""
        return tuple(self._into.get(unit_id, ()))

    def successors(self, unit_id: str) -> tuple[Link, ...]:
        """The links out of ``unit_id`` (its direct successors)."""
        return tuple(self._out_of.get(unit_id, ()))

    def involves(self, unit_id: str) -> bool:
        """True when ``unit_id`` has a predecessor or a successor."""
        return unit_id in self._into or unit_id in self._out_of

    def ancestors(self, unit_id: str) -> tuple[str, ...]:
        """Every unit ``unit_id`` descends from, nearest first."""
        return self._walk(unit_id, self._into, lambda k: k.from_id)

    def descendants(self, unit_id: str) -> tuple[str, ...]:
        """Every unit that descends from ``unit_id``, nearest first."""
        return self._walk(unit_id, self._out_of, lambda k: k.to_id)

    @staticmethod
    def _walk(start: str, edges: Mapping[str, list[Link]], step: Any) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        frontier = [start]
        while frontier:
            nxt = []
            for uid in frontier:
                for link in edges.get(uid, ()):
                    other = step(link)
                    if other != start and other not in seen:
                        seen[other] = None
                        nxt.append(other)
            frontier = nxt
        return tuple(seen)

    def family(self, unit_id: str, limit: int = 40) -> tuple[Link, ...]:
        """The links around ``unit_id`` for drawing: its ancestors' and descendants' links and their
        siblings (the other units merged with it or split from the same unit), at most ``limit`` links."""
        ids = {unit_id, *self.ancestors(unit_id), *self.descendants(unit_id)}
        found = [k for k in self.links if k.from_id in ids or k.to_id in ids]
        return tuple(found[:limit])

    def predecessors_on(self, unit_id: str, registry: UnitRegistry, year: int) -> tuple[Unit, ...]:
        """The ancestors of ``unit_id`` that answered for ``year`` (the units whose earlier returns stand
        for it that year), nearest first."""
        return tuple(registry[a] for a in self.ancestors(unit_id) if a in registry and registry[a].reports_for(year))

    def successors_on(self, unit_id: str, registry: UnitRegistry, year: int) -> tuple[Unit, ...]:
        """The descendants of ``unit_id`` that answer for ``year``, nearest first."""
        return tuple(registry[d] for d in self.descendants(unit_id) if d in registry and registry[d].reports_for(year))


# --- reading and checking ----------------------------------------------------------------------------------


def _fail(key: str, row: int, **fields: object) -> LineageError:
    return LineageError(f"lineage.{key}", row=row, **fields)


def _link(row: Mapping[str, str], n: int, registry: UnitRegistry) -> Link:
    """One row as a link, checked on its own (ids registered, kind, date, share)."""
    start, end = row.get("from_id", ""), row.get("to_id", "")
    for uid in (start, end):
        if uid not in registry:
            raise _fail("unknown_unit", n, unit=uid or "∅")
    if start == end:
        raise _fail("self_link", n, unit=start)
    try:
        kind = ChangeKind(row.get("kind", "").lower())
    except ValueError:
        raise _fail("bad_kind", n, value=row.get("kind", ""), kinds=", ".join(k.value for k in ChangeKind)) from None
    try:
        effective = dt.date.fromisoformat(row.get("effective_date", ""))
    except ValueError:
        raise _fail("bad_date", n, value=row.get("effective_date", "")) from None
    text = row.get("share", "").replace(",", ".") or "1"
    try:
        share = float(text)
    except ValueError:
        raise _fail("bad_share", n, value=row.get("share", "")) from None
    if not (math.isfinite(share) and 0 < share <= 1):
        raise _fail("bad_share", n, value=row.get("share", ""))
    if kind is not ChangeKind.SPLIT and share != 1:
        raise _fail("share_not_split", n, value=row.get("share", ""), kind=kind.value)
    return Link(start, end, effective, kind, share, row.get("source", ""))


def _find_cycle(links: Iterable[Link]) -> list[str] | None:
    """One cycle of the link graph as its ids (first id repeated at the end), or None."""
    edges: dict[str, list[str]] = {}
    for link in links:
        edges.setdefault(link.from_id, []).append(link.to_id)
    state: dict[str, int] = {}  # 1 on the path, 2 done
    for root in sorted(edges):
        if state.get(root):
            continue
        path: list[str] = [root]
        stack = [iter(edges.get(root, ()))]
        state[root] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            elif not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(edges.get(nxt, ())))
    return None


def _check_dates(link: Link, n: int, registry: UnitRegistry) -> None:
    """The new unit exists on the effective date; an old unit that ended (merge, split, rename) ended before it,
    one whose boundary moved still exists on it."""
    old, new = registry[link.from_id], registry[link.to_id]
    day = link.effective.isoformat()
    if not new.exists_on(link.effective):
        raise _fail("new_not_valid", n, unit=new.id, day=day)
    if old.valid_from and old.valid_from >= link.effective:
        raise _fail("old_not_before", n, unit=old.id, day=day)
    if link.kind in ENDING_KINDS and (old.valid_to is None or old.valid_to >= link.effective):
        raise _fail("old_not_ended", n, unit=old.id, day=day, kind=link.kind.value,
                    valid_to=old.valid_to.isoformat() if old.valid_to else "∅")
    if link.kind is ChangeKind.BOUNDARY and not old.exists_on(link.effective):
        raise _fail("boundary_ended", n, unit=old.id, day=day)


def _implied(registry: UnitRegistry, stated: set[tuple[str, str]]) -> list[Link]:
    """Merges implied by ``successor_ids`` that the crosswalk does not state."""
    out = []
    for unit in registry.units:
        for succ in unit.successor_ids:
            if (unit.id, succ) not in stated and unit.valid_to is not None:
                out.append(Link(unit.id, succ, unit.valid_to + dt.timedelta(days=1), ChangeKind.MERGE, 1.0,
                                REGISTRY_SOURCE))
    return out


def lineage_from_rows(rows: Iterable[Mapping[Any, Any]], registry: UnitRegistry, *, first_row: int = 2,
                      implied: bool = True) -> Lineage:
    """Check crosswalk rows (text or typed) against ``registry`` and make the lineage: each row on its own,
    no link given twice, no cycle, a split's shares summing to 1, dates consistent with the units' validity.
    Raises :class:`LineageError` naming the first bad row (rows counted from ``first_row``)."""
    texts = [{str(k).strip(): _text(v) for k, v in row.items() if k} for row in rows]
    links: list[Link] = []
    rows_of: dict[tuple[str, str], int] = {}
    for n, row in enumerate(texts, start=first_row):
        if not any(row.values()):
            continue
        link = _link(row, n, registry)
        pair = (link.from_id, link.to_id)
        if pair in rows_of:
            raise _fail("repeated", n, first=rows_of[pair], old=link.from_id, new=link.to_id)
        rows_of[pair] = n
        links.append(link)
    links += _implied(registry, set(rows_of))
    if cycle := _find_cycle(links):
        raise LineageError("lineage.cycle", path=" → ".join(cycle), row=rows_of.get((cycle[0], cycle[1]), "—"))
    for link in links:
        n = rows_of.get((link.from_id, link.to_id), 0)
        if n:
            _check_dates(link, n, registry)
    _check_splits(links, rows_of)
    return Lineage(links)


def _check_splits(links: list[Link], rows_of: Mapping[tuple[str, str], int]) -> None:
    by_old: dict[str, list[Link]] = {}
    for link in links:
        if link.kind is ChangeKind.SPLIT:
            by_old.setdefault(link.from_id, []).append(link)
    for old, parts in sorted(by_old.items()):
        total = math.fsum(p.share for p in parts)
        if abs(total - 1) > SHARE_TOLERANCE:
            rows = ", ".join(str(rows_of.get((p.from_id, p.to_id), "?")) for p in parts)
            raise LineageError("lineage.split_shares", unit=old, total=f"{total:.7g}", rows=rows)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()[:10]
    if isinstance(value, float):
        return repr(value)  # every digit: a share of 1/3 from a database column stays 1/3
    return clean(value)


def load_lineage(registry: UnitRegistry, path: Path | None = None) -> Lineage:
    """The crosswalk file (default ``data/lineage.csv``) checked against ``registry``; only the links implied by
    the registry when there is no file."""
    target = path or LINEAGE_FILE
    if not target.exists():
        return lineage_from_rows([], registry)
    with target.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS[:4] if c not in (reader.fieldnames or [])]
        if missing:
            raise LineageError("lineage.missing_columns", row=1, columns=", ".join(missing))
        return lineage_from_rows(list(reader), registry)


@cache
def default_lineage() -> Lineage:
    """The crosswalk in ``data/lineage.csv`` against the default registry (loaded once per process)."""
    return load_lineage(default_registry())
