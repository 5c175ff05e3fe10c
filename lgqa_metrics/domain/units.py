"""The unit registry: local government units with types, aliases, validity dates and lineage."""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any, Final

from lgqa_metrics.domain.paths import UNITS_FILE
from lgqa_metrics.domain.textnorm import clean, fold


class UnitType(StrEnum):
    """Unit types: the reporting ones of the pilot (district level: quận, huyện; commune level: phường, xã)
    and the province level (tỉnh/thành phố) above them, which does not report."""

    QUAN = "quan"
    HUYEN = "huyen"
    PHUONG = "phuong"
    XA = "xa"
    TINH = "tinh"


#: The unit types that send returns, in display order (the province level does not report).
REPORTING_TYPES: Final = (UnitType.QUAN, UnitType.HUYEN, UnitType.PHUONG, UnitType.XA)
#: The district-level types.
DISTRICT_TYPES: Final = (UnitType.QUAN, UnitType.HUYEN)

#: Display order and labels of the unit types (Vietnamese label words separated by "/" are alternatives).
TYPE_LABELS: Final[dict[UnitType, tuple[str, str]]] = {
    UnitType.QUAN: ("Quận", "Urban district"),
    UnitType.HUYEN: ("Huyện", "Rural district"),
    UnitType.PHUONG: ("Phường", "Ward"),
    UnitType.XA: ("Xã", "Commune"),
    UnitType.TINH: ("Tỉnh/Thành phố", "Province"),
}

# Folded prefixes that name a unit type in Vietnamese forms ("Q." → "q").
_PREFIXES: Final[dict[str, tuple[UnitType, ...]]] = {
    "quan": (UnitType.QUAN,), "q": (UnitType.QUAN,),
    "huyen": (UnitType.HUYEN,), "h": (UnitType.HUYEN,),
    "phuong": (UnitType.PHUONG,), "p": (UnitType.PHUONG,),
    "xa": (UnitType.XA,), "x": (UnitType.XA,),
    "tinh": (UnitType.TINH,),
}
# Folded English suffixes ("Le Chan District").
_SUFFIXES: Final[dict[str, tuple[UnitType, ...]]] = {
    "district": (UnitType.QUAN, UnitType.HUYEN),
    "urban district": (UnitType.QUAN,),
    "rural district": (UnitType.HUYEN,),
    "ward": (UnitType.PHUONG,),
    "commune": (UnitType.XA,),
    "province": (UnitType.TINH,),
}
#: First words of the type words written after a name ("Le Chan district", "… urban district").
_SUFFIX_STARTS: Final = frozenset(suffix.split()[0] for suffix in _SUFFIXES)
# Leading words of an issuing body or a label, dropped before matching.
_LEADERS: Final = (
    "tm uy ban nhan dan", "tm ubnd", "uy ban nhan dan", "ubnd", "ten don vi", "don vi bao cao", "don vi",
    "co quan", "people s committee of", "peoples committee of", "people committee of", "unit",
)
_MAX_NAME_TOKENS: Final = 5
#: A maximal run of the characters unit ids are made of (a unit id named in a file or sheet name is one).
_ID_RUN: Final = re.compile(r"[a-z0-9-]+")


class RegistryError(ValueError):
    """The unit registry file is inconsistent."""


@dataclass(frozen=True, slots=True)
class Unit:
    """One local government unit as registered."""

    id: str
    type: UnitType
    name: str
    name_en: str
    parent_id: str | None
    aliases: tuple[str, ...]
    valid_from: dt.date | None
    valid_to: dt.date | None
    successor_ids: tuple[str, ...]

    @property
    def bare_name(self) -> str:
        """The name without its type word ("Hồng Bàng")."""
        for label in TYPE_LABELS[self.type][0].split("/"):
            if self.name.lower().startswith(label.lower()):
                return self.name[len(label):].strip()
        return self.name

    def display(self, lang: str = "vi") -> str:
        """The name shown to users."""
        return (self.name_en or self.name) if lang == "en" else self.name

    def valid_in(self, year: int) -> bool:
        """True when the unit existed for part of ``year``."""
        start = self.valid_from.year if self.valid_from else -1
        end = self.valid_to.year if self.valid_to else 10_000
        return start <= year <= end

    def exists_on(self, day: dt.date) -> bool:
        """True when the unit existed on ``day``."""
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    def reports_for(self, year: int) -> bool:
        """True when the unit answers for ``year``: it exists on 31 December, when the year's self-assessment is
        made. A unit that ended during the year (the communes merged on 1 July 2025) does not answer for it;
        its successor does."""
        return self.exists_on(dt.date(year, 12, 31))


def _tokens(text: object) -> list[str]:
    return fold(text).replace(".", " ").replace("/", " ").replace("-", " ").split()


def strip_leaders(tokens: list[str]) -> list[str]:
    """Drop leading issuing-body and label words ("ubnd", "uy ban nhan dan", "don vi" …) from folded tokens."""
    changed = True
    while changed and tokens:
        changed = False
        joined = " ".join(tokens)
        for lead in _LEADERS:
            if joined == lead or joined.startswith(lead + " "):
                tokens = tokens[len(lead.split()):]
                changed = True
                break
    return tokens


class UnitRegistry:
    """All registered units, with lenient name matching."""

    def __init__(self, units: list[Unit]) -> None:
        self.units: tuple[Unit, ...] = tuple(units)
        self._by_id = {u.id: u for u in units}
        self._order: dict[str, int] = {}
        for i, u in enumerate(units):
            self._order.setdefault(u.id, i)
        self._odd_ids = tuple(u.id for u in units if not _ID_RUN.fullmatch(u.id))
        self._areas: dict[str, tuple[str | None, str | None]] | None = None
        self._bare: dict[str, list[Unit]] = {}
        self._whole: dict[str, list[Unit]] = {}
        for u in units:
            self._bare.setdefault(" ".join(_tokens(u.bare_name)), []).append(u)
            for text in (u.name, u.name_en, u.id, *u.aliases):
                if text:
                    key = " ".join(strip_leaders(_tokens(text)))
                    bucket = self._whole.setdefault(key, [])
                    if u not in bucket:
                        bucket.append(u)

    def __len__(self) -> int:
        return len(self.units)

    def __contains__(self, unit_id: object) -> bool:
        return unit_id in self._by_id

    def get(self, unit_id: str) -> Unit | None:
        """The unit with ``unit_id``, or None."""
        return self._by_id.get(unit_id)

    def __getitem__(self, unit_id: str) -> Unit:
        return self._by_id[unit_id]

    def position(self, unit_id: str) -> int | None:
        """Where ``unit_id`` first stands in the registry, counting from 0 (None when it is not registered)."""
        return self._order.get(unit_id)

    def first_id_in(self, text: str) -> Unit | None:
        """The first registered unit (in registry order) whose id stands in ``text`` on its own, not inside a
        longer run of letters, digits and hyphens ("q-le-chan_2023.xlsx" names q-le-chan)."""
        lowered = text.lower()
        hits = [run for run in _ID_RUN.findall(lowered) if run in self._order]
        hits += [i for i in self._odd_ids if re.search(rf"(?<![a-z0-9-]){re.escape(i)}(?![a-z0-9-])", lowered)]
        return self.units[min(self._order[h] for h in hits)] if hits else None

    def name_of(self, unit_id: str, lang: str = "vi") -> str:
        """The name shown for ``unit_id`` in ``lang`` (the id itself when it is not registered)."""
        unit = self._by_id.get(unit_id)
        return unit.display(lang) if unit is not None else unit_id

    def existing_on(self, day: dt.date) -> tuple[Unit, ...]:
        """The units that existed on ``day``, in registry order."""
        return tuple(u for u in self.units if u.exists_on(day))

    def province_of(self, unit_id: str) -> str | None:
        """The id of the province ``unit_id`` lies in (its own id for a province), or None."""
        return self.area(unit_id)[0]

    def children(self, unit_id: str) -> tuple[Unit, ...]:
        """Units whose parent is ``unit_id``."""
        return tuple(u for u in self.units if u.parent_id == unit_id)

    def area(self, unit_id: str) -> tuple[str | None, str | None]:
        """(province id, district id) of a unit: its nearest tỉnh ancestor and its nearest quận/huyện
        ancestor (a district's own id; a province gives its own id and None). None where there is none,
        e.g. in a registry without provinces. Computed once for all units, on first use."""
        if self._areas is None:
            self._areas = {u.id: self._find_area(u) for u in self.units}
        return self._areas.get(unit_id, (None, None))

    def _find_area(self, unit: Unit) -> tuple[str | None, str | None]:
        province: str | None = None
        district: str | None = None
        seen: set[str] = set()
        current: Unit | None = unit
        while current is not None and current.id not in seen and province is None:
            seen.add(current.id)
            if current.type is UnitType.TINH:
                province = current.id
            elif current.type in DISTRICT_TYPES and district is None:
                district = current.id
            current = self.get(current.parent_id) if current.parent_id else None
        return province, district

    def is_ancestor(self, maybe_parent: str, unit_id: str) -> bool:
        """True when ``maybe_parent`` is above ``unit_id`` in the hierarchy."""
        seen: set[str] = set()
        current = self.get(unit_id)
        while current and current.parent_id and current.parent_id not in seen:
            if current.parent_id == maybe_parent:
                return True
            seen.add(current.parent_id)
            current = self.get(current.parent_id)
        return False

    def _pick(self, candidates: list[Unit], types: tuple[UnitType, ...] | None,
              parent_hint: list[str], year: int | None) -> Unit | None:
        pool = [u for u in candidates if types is None or u.type in types]
        if len(pool) > 1 and parent_hint:
            hinted = [u for u in pool if u.parent_id and self._parent_matches(u.parent_id, parent_hint)]
            pool = hinted or pool
        if len(pool) > 1 and year is not None:
            pool = [u for u in pool if u.reports_for(year)] or [u for u in pool if u.valid_in(year)] or pool
        return pool[0] if len(pool) == 1 else None

    def _parent_matches(self, parent_id: str, hint: list[str]) -> bool:
        parent = self._by_id.get(parent_id)
        return parent is not None and " ".join(_tokens(parent.bare_name)) in " ".join(hint)

    def match(self, text: object, year: int | None = None) -> Unit | None:
        """Resolve a name as written on a form ("UBND quận Hồng Bàng", "Q.Hồng Bàng", "Le Chan District",
        "Xã Tiên Minh, huyện Tiên Lãng", an id …) to one unit, or None when unknown or ambiguous."""
        raw = clean(text)
        if not raw:
            return None
        if raw in self._by_id:
            return self._by_id[raw]
        first, *rest = [part for part in raw.replace("\n", ",").split(",") if part.strip()] or [raw]
        hint = [t for part in rest for t in _tokens(part)]
        tokens = strip_leaders(_tokens(first))
        if not tokens:
            return None
        whole = self._pick(self._whole.get(" ".join(tokens), []), None, hint, year)
        if whole:
            return whole
        types: tuple[UnitType, ...] | None = None
        if tokens[0] in _PREFIXES and len(tokens) > 1:
            types, tokens = _PREFIXES[tokens[0]], tokens[1:]
        else:
            for suffix, kinds in sorted(_SUFFIXES.items(), key=lambda kv: -len(kv[0])):
                words = suffix.split()
                if len(tokens) > len(words) and tokens[-len(words):] == words:
                    types, tokens = kinds, tokens[: -len(words)]
                    break
        return self._pick(self._bare.get(" ".join(tokens), []), types, hint, year)

    def search(self, text: object, year: int | None = None) -> list[Unit]:
        """Every unit named inside free text with its type word ("… của UBND PHƯỜNG MINH KHAI năm 2023"),
        in order of appearance."""
        tokens = _tokens(text)
        found: list[Unit] = []
        i = 0
        while i < len(tokens):
            hit: tuple[int, Unit] | None = None
            if tokens[i] in _PREFIXES:
                for n in range(min(_MAX_NAME_TOKENS, len(tokens) - i - 1), 0, -1):
                    unit = self._pick(self._bare.get(" ".join(tokens[i + 1 : i + 1 + n]), []),
                                      _PREFIXES[tokens[i]], [], year)
                    if unit:
                        hit = (n + 1, unit)
                        break
            if hit is None:  # a name followed by a type word: only where one of those words follows
                for n in range(min(_MAX_NAME_TOKENS, len(tokens) - i - 1), 0, -1):
                    if tokens[i + n] not in _SUFFIX_STARTS:
                        continue
                    name = " ".join(tokens[i : i + n])
                    after = tokens[i + n : i + n + 2]
                    for suffix, kinds in _SUFFIXES.items():
                        words = suffix.split()
                        if after[: len(words)] == words and (unit := self._pick(self._bare.get(name, []), kinds, [], year)):
                            hit = (n + len(words), unit)
                            break
                    if hit:
                        break
            if hit:
                if hit[1] not in found:
                    found.append(hit[1])
                i += hit[0]
            else:
                i += 1
        return found

    def closest(self, text: object, n: int = 3) -> list[Unit]:
        """The ``n`` registered units whose names look most like ``text``."""
        tokens = strip_leaders(_tokens(text))
        types: tuple[UnitType, ...] = ()
        if tokens and tokens[0] in _PREFIXES and len(tokens) > 1:
            types, tokens = _PREFIXES[tokens[0]], tokens[1:]
        key = " ".join(tokens)
        scored = []
        for u in self.units:
            names = [" ".join(_tokens(u.bare_name)), " ".join(_tokens(u.name)), u.id]
            score = max(difflib.SequenceMatcher(None, key, name).ratio() for name in names)
            scored.append((score + (0.25 if u.type in types else 0.0), u.id, u))
        scored.sort(key=lambda s: (-s[0], s[1]))
        return [u for _, _, u in scored[:n]]


def _date(value: str, where: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise RegistryError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from exc


def _split(value: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in value.replace("|", ";").split(";") if p.strip())


def load_registry(path: Path | None = None) -> UnitRegistry:
    """Load and validate the unit registry CSV: unique ids, known types, dates in order, and
    parents and successors that exist."""
    path = path or UNITS_FILE
    if not path.exists():
        raise RegistryError(f"missing unit registry {path}")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = [{k.strip(): clean(v) for k, v in row.items() if k} for row in csv.DictReader(fh)]
    return _build(rows, path.name, first_row=2)


def registry_from_rows(rows: Iterable[Mapping[Any, Any]], source: str = "units table") -> UnitRegistry:
    """Build and validate a registry from rows shaped like the store's ``units`` table (or ``data/units.csv``):
    id, type, name, name_en, parent_id, aliases and successor_ids (``;``-separated), valid_from and valid_to
    (dates or ISO text). The same checks as :func:`load_registry`."""
    texts = [{str(k).strip(): _cell(v) for k, v in row.items() if k} for row in rows]
    return _build(texts, source, first_row=1)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()[:10]
    return clean(value)


def _build(rows: list[dict[str, str]], source: str, first_row: int) -> UnitRegistry:
    units: list[Unit] = []
    seen: set[str] = set()
    for n, row in enumerate(rows, start=first_row):
        where = f"{source} row {n}"
        uid = row.get("id", "")
        if not uid or uid in seen:
            raise RegistryError(f"{where}: id {uid!r} is empty or repeated")
        seen.add(uid)
        try:
            utype = UnitType(row.get("type", ""))
        except ValueError as exc:
            raise RegistryError(f"{where}: type {row.get('type')!r} is not one of {[t.value for t in UnitType]}") from exc
        if not row.get("name"):
            raise RegistryError(f"{where}: name is empty")
        start, end = _date(row.get("valid_from", ""), where), _date(row.get("valid_to", ""), where)
        if start and end and end < start:
            raise RegistryError(f"{where}: valid_to {end} is before valid_from {start}")
        units.append(Unit(uid, utype, row["name"], row.get("name_en", ""), row.get("parent_id") or None,
                          _split(row.get("aliases", "")), start, end, _split(row.get("successor_ids", ""))))
    for u in units:
        for ref in ([u.parent_id] if u.parent_id else []) + list(u.successor_ids):
            if ref not in seen:
                raise RegistryError(f"{source}: unit {u.id} refers to unknown unit {ref!r}")
    return UnitRegistry(units)


@cache
def default_registry() -> UnitRegistry:
    """The registry in ``data/units.csv`` (loaded once per process)."""
    return load_registry()
