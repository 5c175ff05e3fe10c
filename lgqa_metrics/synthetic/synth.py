"""Synthetic national data: a deterministic generator of a country's unit hierarchy and of years of returns.

Everything here is **synthetic** (made up from a seed) and says so: the province, district and commune names
are built from syllable lists, the uploader is ``synth``, the store's meta table holds ``synthetic``, every
crosswalk row's source is :data:`REFORM_SOURCE`.

The shape follows the country before the 2025 reform: provinces (about one per 160 reporting units,
``Tỉnh …`` or, for a few, ``Thành phố …``) hold districts (quận in the towns, huyện elsewhere), districts hold
communes (phường under a quận, xã under a huyện). District-level and commune-level units both report, about
7 % of them district-level as in the pilot. In the year after the middle of the range some communes of some
districts merge in pairs or triples into a new unit (lineage: ``valid_to``/``successor_ids`` on the old
units, ``valid_from`` and the old names as aliases on the new one). When the range holds the 2025 reform
(below), this merge happens only if its year is before 2025; then it is a first step of the units' lineage.

**The 2025 reform** (on :data:`REFORM_DAY`, 1 July 2025), applied when the range holds a year up to 2024 and
a year from 2025: every district and commune then existing ends on 30 June 2025 (``valid_to``) and so
reports up to 2024 (:meth:`Unit.reports_for`: a unit answers for a year when it exists on 31 December).

- Districts are dissolved: no crosswalk link leaves a district (their communes carry the lineage).
- Provinces go about 63 → 34 as in 2025: about one in six continues unchanged (same id, no ``valid_to``),
  the others merge in neighbouring (consecutive) pairs and a few triples into a new province valid from
  1 July 2025 (merge links; the name of a predecessor, a city's if there is one, or for a quarter of them a
  new name; "Thành phố" when a predecessor was a city; the predecessors' names as aliases).
- Communes merge about three into one (groups of 1 to 5, mostly 3, of consecutive communes of one old
  province, so within a district or across two neighbouring ones) into new commune-level units under the
  (new or continuing) province: a phường where most predecessors were phường, else a xã, named after a
  predecessor, the old district or anew, the predecessors' names as aliases. A group of one is a
  ``rename`` (new id, new parent), the others ``merge`` links with share 1. About 2 % of the old communes
  are split between two neighbouring new units (two ``split`` links with shares such as 0.6/0.4 that sum to
  1). The reform's links are stated in :attr:`Dataset.links` (the crosswalk: the store's ``unit_links``, or
  ``lineage.csv``), not in ``successor_ids``.

Ratings come from an ordinal model on a latent quality: a unit-type level reproducing the pilot demo's
first-year colour shares (:data:`lgqa_metrics.synthetic.demo_content.LEVELS`), province, district and unit effects, an
indicator difficulty, a national improvement plus unit trends, and an autoregressive unit × indicator part
so that most ratings stay what they were the year before. A unit formed by a merge, a split or the reform
continues its predecessors: its level (in its first year), trend and autoregressive part start from their
share-weighted mean, plus a deviation of its own just large enough that units spread as much as before, so
national colour shares and trends carry on across the break. Not-applicable indicators follow the demo's
rules per unit type, a few returns have blanks, about 2 % of unit-years were sent two or three times (the
earlier versions superseded). All arrays are generated with numpy, never one rating at a time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import NormalDist, fmean
from typing import Final

import numpy as np
import numpy.typing as npt

from lgqa_metrics.domain.catalogue import Catalogue, default_catalogue
from lgqa_metrics.domain.i18n import MessageError
from lgqa_metrics.domain.lineage import ChangeKind, Lineage, Link, lineage_from_rows
from lgqa_metrics.domain.ratings import Rating
from lgqa_metrics.domain.textnorm import fold
from lgqa_metrics.domain.units import DISTRICT_TYPES, REPORTING_TYPES, Unit, UnitRegistry, UnitType
from lgqa_metrics.services.template import HEADER_ROW
from lgqa_metrics.synthetic.demo_content import (
    EVIDENCE_FORMS,
    LEVELS,
    MISSING_NOTE,
    NA_REASONS,
    NOT_APPLICABLE,
    NOTES,
    SEED,
)

#: Reporting units per province (the country had ~63 provinces and ~10,000 reporting units).
UNITS_PER_PROVINCE: Final = 160
#: Share of the reporting units that are district-level.
DISTRICT_SHARE: Final = 0.07
MAX_UNITS: Final = 1_000_000
MAX_YEARS: Final = 50
#: Rating states by code in the generated arrays.
RATINGS: Final = (Rating.RED, Rating.YELLOW, Rating.GREEN, Rating.NA, Rating.MISSING)
RED, YELLOW, GREEN, NA, MISSING = range(5)
NOTE_SYNTHETIC: Final = "Dữ liệu tổng hợp (synthetic), không phải đơn vị thật"
BANNER: Final = "DỮ LIỆU TỔNG HỢP / SYNTHETIC DATA"
#: The day the 2025 reform took effect: district level abolished, provinces and communes merged.
REFORM_DAY: Final = dt.date(2025, 7, 1)
#: The source written on every crosswalk row of the reform.
REFORM_SOURCE: Final = "Dữ liệu tổng hợp (synthetic): sắp xếp đơn vị hành chính từ 1/7/2025"

# --- the model's parameters (latent scale: one standard deviation of a first-year rating) ----------------
_PROVINCE_SD, _DISTRICT_SD, _UNIT_SD = 0.25, 0.20, 0.35
_NATIONAL_TREND: Final = 0.05  # per year: about +1.7 index points a year
_UNIT_TREND_SD, _PROVINCE_TREND_SD = 0.04, 0.02
_PERSISTENCE: Final = 0.9  # year-on-year correlation of the unit × indicator part
#: Indicators most units find harder / easier (the rest get a small random difficulty).
_HARDER: Final = {"1.5": 0.35, "2.1": 0.35, "4.1": 0.3, "4.8": 0.35, "4.9": 0.3, "2.4": 0.2}
_EASIER: Final = {"1.6": -0.3, "1.10": -0.35, "3.7": -0.3, "3.9": -0.25, "3.1": -0.2}
_QUADRANT_DIFFICULTY: Final = {1: 0.0, 2: 0.1, 3: -0.1, 4: 0.2}
_BLANK_SHARE: Final = 0.03  # returns with one to three indicators left blank
_REVISED_SHARE: Final = 0.02  # unit-years sent more than once
_MERGING_DISTRICTS: Final = 0.3
_CITY_SHARE: Final = 0.06
_EVIDENCE_CHANCE: Final = (0.3, 0.85, 0.9)  # red, yellow, green: a document cited
_NOTE_CHANCE: Final = (0.6, 0.3, 0.0)  # red, yellow, green: an explanation (giải trình)
_DOCS_PER_YEAR: Final = 60
# the 2025 reform's
_PROVINCES_BEFORE, _PROVINCES_AFTER, _PROVINCES_KEPT = 63, 34, 11  # as in 2025: 63 → 34, 11 unchanged
_NEW_PROVINCE_NAME: Final = 0.25  # merged provinces given a new name (the others keep a predecessor's)
#: Old communes per new commune-level unit and their chances (mean about 3.1).
_GROUP_SIZES: Final = (1, 2, 3, 4, 5)
_GROUP_CHANCES: Final = (0.04, 0.22, 0.44, 0.2, 0.1)
#: Chance that the last commune of a group of two or more is split with the next group (about 2 % of communes).
_SPLIT_CHANCE: Final = 0.07
_SPLIT_SHARES: Final = (0.3, 0.4, 0.5, 0.6, 0.7)  # the part going to the first new unit; 1 − it to the second
#: How a new commune is named: after a predecessor, after the old district, or anew (the rest).
_NAME_PREDECESSOR, _NAME_DISTRICT = 0.45, 0.2

_FIRST: Final = (
    "An", "Bình", "Tân", "Phú", "Hòa", "Long", "Thạnh", "Đông", "Tây", "Nam", "Bắc", "Hưng", "Phước", "Thuận",
    "Vĩnh", "Quang", "Minh", "Trung", "Hải", "Sơn", "Thái", "Thanh", "Hồng", "Kim", "Ngọc", "Mỹ", "Lạc", "Hiệp",
    "Cẩm", "Gia", "Yên", "Đức", "Lộc", "Phong", "Xuân", "Hợp", "Định", "Tiên", "Quảng", "Bảo", "Đại", "Thượng",
    "Hạ", "Cao", "Văn", "Nghĩa", "Thiện", "Hoàng",
)
_SECOND: Final = (
    "An", "Bình", "Hòa", "Phú", "Lộc", "Thành", "Hưng", "Thịnh", "Lợi", "Hải", "Sơn", "Lâm", "Điền", "Thủy",
    "Phong", "Khánh", "Tiến", "Mỹ", "Long", "Đạt", "Xuân", "Trung", "Tân", "Hiệp", "Thuận", "Phước", "Quý", "Vinh",
    "Đông", "Nghĩa", "Tường", "Linh", "Định", "Hà", "Giang", "Yên", "Lạc", "Cường", "Phát", "Hợp",
)
_NAME_WORDS: Final = {
    UnitType.TINH: ("Tỉnh", "Province"), UnitType.QUAN: ("Quận", "District"), UnitType.HUYEN: ("Huyện", "District"),
    UnitType.PHUONG: ("Phường", "Ward"), UnitType.XA: ("Xã", "Commune"),
}
_ID_LETTER: Final = {UnitType.QUAN: "q", UnitType.HUYEN: "h", UnitType.PHUONG: "p", UnitType.XA: "x"}


class SynthError(MessageError, ValueError):
    """Arguments the generator cannot honour; ``key`` is a message-catalogue key, ``fields`` fill it in."""


@dataclass(frozen=True, slots=True)
class SynthSpec:
    """What to generate: ``units`` reporting in the first year, consecutive ``years``, from ``seed``."""

    units: int
    years: tuple[int, ...]
    seed: int = SEED

    def __post_init__(self) -> None:
        if not 1 <= self.units <= MAX_UNITS:
            raise SynthError("synth.bad_units", value=self.units, limit=MAX_UNITS)
        if not self.years or len(self.years) > MAX_YEARS or list(self.years) != list(
                range(self.years[0], self.years[0] + len(self.years))):
            raise SynthError("synth.bad_years", value=f"{self.years[0] if self.years else ''}", limit=MAX_YEARS)

    @property
    def reform(self) -> bool:
        """True when the range holds a year before the 2025 reform and one after it (the reform is applied)."""
        return self.years[0] < REFORM_DAY.year <= self.years[-1]

    @property
    def merge_year(self) -> int | None:
        """The first year of the units merged mid-range (the year after the middle of the range); None for one
        year, or when the range holds the reform and that year is not before it."""
        if len(self.years) < 2:
            return None
        year = self.years[len(self.years) // 2]
        return None if self.reform and year >= REFORM_DAY.year else year


def parse_years(text: str) -> tuple[int, ...]:
    """``"2016-2025"`` → (2016, …, 2025); ``"2024"`` → (2024,). Raises :class:`SynthError`."""
    first, sep, last = text.strip().partition("-")
    try:
        start, end = int(first), int(last) if sep else int(first)
    except ValueError as exc:
        raise SynthError("synth.bad_years", value=text, limit=MAX_YEARS) from exc
    if not 1900 <= start <= end <= 2200 or end - start >= MAX_YEARS:
        raise SynthError("synth.bad_years", value=text, limit=MAX_YEARS)
    return tuple(range(start, end + 1))


@dataclass(frozen=True)
class Dataset:
    """A generated dataset: the registry and every submission (all versions) with its 39 ratings.

    Submissions are ordered by year, unit and version; row ``i`` of ``ratings``/``evidence``/``notes`` holds
    the codes of :data:`RATINGS` (0 red … 4 missing) and indexes into ``evidence_pool``/``note_pool``."""

    spec: SynthSpec
    registry: UnitRegistry
    reporting: tuple[Unit, ...]
    codes: tuple[str, ...]
    sub_unit: npt.NDArray[np.int32]
    sub_year: npt.NDArray[np.int32]
    sub_version: npt.NDArray[np.int32]
    sub_current: npt.NDArray[np.bool_]
    sub_seconds: npt.NDArray[np.int64]  # upload time: seconds after 1 January of the following year, UTC
    ratings: npt.NDArray[np.int8]
    evidence: npt.NDArray[np.int32]
    notes: npt.NDArray[np.int32]
    evidence_pool: tuple[str, ...]
    note_pool: tuple[str, ...]
    #: The crosswalk rows (the reform's links; the mid-range merges are in the units' ``successor_ids``).
    links: tuple[Link, ...] = ()

    def lineage(self) -> Lineage:
        """The crosswalk and the links the registry's ``successor_ids`` imply, checked against the registry."""
        return lineage_from_rows([link.row() for link in self.links], self.registry)

    @property
    def submissions(self) -> int:
        """Submissions, every version counted."""
        return len(self.sub_unit)

    @property
    def returns(self) -> int:
        """Unit-years (current submissions)."""
        return int(self.sub_current.sum())

    @property
    def rating_count(self) -> int:
        """Rating rows: 39 per submission."""
        return self.ratings.size

    def first_year_units(self) -> int:
        """Units reporting in the first year."""
        return int((self.sub_current & (self.sub_year == self.spec.years[0])).sum())

    def fingerprint(self, i: int) -> str:
        """A content hash of submission ``i`` (unit, year and its ratings, evidence and notes)."""
        head = f"synth/{self.reporting[self.sub_unit[i]].id}/{self.sub_year[i]}/".encode()
        body = self.ratings[i].tobytes() + self.evidence[i].tobytes() + self.notes[i].tobytes()
        return hashlib.sha256(head + body).hexdigest()

    def file_name(self, i: int) -> str:
        """The workbook name of submission ``i`` (as ``--files`` writes the current versions)."""
        version = int(self.sub_version[i])
        suffix = "" if self.sub_current[i] else f"_v{version}"
        return f"{self.reporting[self.sub_unit[i]].id}_{self.sub_year[i]}{suffix}.xlsx"

    def entries(self, i: int, catalogue: Catalogue) -> dict[str, tuple[str, str, str]]:
        """Submission ``i`` as code → (rating word as the template writes it, evidence, note)."""
        words = rating_words(catalogue)
        return {code: (words[int(r)], self.evidence_pool[int(e)], self.note_pool[int(n)])
                for code, r, e, n in zip(self.codes, self.ratings[i], self.evidence[i], self.notes[i], strict=True)}

    def expected(self) -> dict[tuple[str, int], dict[str, str]]:
        """(unit id, year) → {code: red/yellow/green/na/missing} of the current versions."""
        out: dict[tuple[str, int], dict[str, str]] = {}
        for i in np.flatnonzero(self.sub_current):
            key = (self.reporting[self.sub_unit[i]].id, int(self.sub_year[i]))
            out[key] = {c: RATINGS[int(r)].value for c, r in zip(self.codes, self.ratings[i], strict=True)}
        return out


def rating_words(catalogue: Catalogue) -> tuple[str, ...]:
    """The word written for each rating code (the scale's Vietnamese label; nothing for missing)."""
    return tuple("" if r is Rating.MISSING else catalogue.scale[r].label_vi for r in RATINGS)


def rating_cells(catalogue: Catalogue) -> tuple[str, ...]:
    """The template's rating cell (A1) of each indicator, in catalogue order."""
    cells: list[str] = []
    row = HEADER_ROW + 1
    for number in catalogue.quadrants:
        row += 1  # the quadrant's group row
        for _ in catalogue.in_quadrant(number):
            cells.append(f"D{row + 1}")
            row += 1
    return tuple(cells)


# --- the hierarchy --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Group:
    """A reporting unit formed from others in year index ``start``: predecessors (reporting indexes) with the
    share of each that went into it."""

    new: int
    olds: tuple[int, ...]
    shares: tuple[float, ...]
    start: int


@dataclass
class _Hierarchy:
    provinces: int
    districts: int
    units: list[Unit] = field(default_factory=list)
    reporting: list[Unit] = field(default_factory=list)
    rep_type: list[int] = field(default_factory=list)  # index into REPORTING_TYPES
    rep_province: list[int] = field(default_factory=list)
    rep_district: list[int] = field(default_factory=list)
    rep_first: list[int] = field(default_factory=list)  # year index of the first and last year reported
    rep_last: list[int] = field(default_factory=list)
    groups: list[_Group] = field(default_factory=list)  # in order of their start
    links: list[Link] = field(default_factory=list)  # the crosswalk (the reform's links)
    position: dict[str, int] = field(default_factory=dict)  # unit id -> index in ``units``
    province_index: dict[str, int] = field(default_factory=dict)  # province id -> its index (effects)
    city: dict[str, bool] = field(default_factory=dict)  # province id -> "Thành phố"
    district_units: list[Unit] = field(default_factory=list)  # by district index

    def add(self, unit: Unit) -> Unit:
        self.position[unit.id] = len(self.units)
        self.units.append(unit)
        return unit

    def end(self, unit_id: str, day: dt.date) -> Unit:
        """Make the registered unit ``unit_id`` end on ``day`` (its ``valid_to``); returns it ended."""
        ended = dataclasses.replace(self.units[self.position[unit_id]], valid_to=day)
        self.units[self.position[unit_id]] = ended
        return ended


class _Names:
    """Unique two-syllable names within one scope (a province's districts, a district's communes)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def take(self) -> str:
        for _ in range(200):
            name = f"{self.rng.choice(_FIRST)} {self.rng.choice(_SECOND)}"
            first, second = name.split(" ")
            if first != second and name not in self.used:
                self.used.add(name)
                return name
        n = len(self.used) + 1  # a crowded scope: numbered names
        while f"{_FIRST[n % len(_FIRST)]} {n}" in self.used:
            n += 1
        name = f"{_FIRST[n % len(_FIRST)]} {n}"
        self.used.add(name)
        return name


def _english(words: str) -> str:
    return " ".join(w.capitalize() for w in fold(words).split())


def _split_sizes(rng: np.random.Generator, total: int, weights: npt.NDArray[np.float64]) -> list[int]:
    """``total`` items over ``len(weights)`` bins, each at least one when there are enough."""
    bins = len(weights)
    if total < bins:
        sizes = np.zeros(bins, dtype=np.int64)
        sizes[rng.choice(bins, size=total, replace=False)] = 1
        return [int(s) for s in sizes]
    extra = rng.multinomial(total - bins, weights / weights.sum())
    return [int(s) + 1 for s in extra]


def _hierarchy(spec: SynthSpec) -> _Hierarchy:
    rng = np.random.default_rng([spec.seed, 1])
    names_rng = random.Random(f"{spec.seed}/names")
    n = spec.units
    provinces = max(1, round(n / UNITS_PER_PROVINCE))
    districts = min(n, max(provinces, 2 if n >= 4 else 1, round(DISTRICT_SHARE * n)))
    communes = n - districts
    per_province = _split_sizes(rng, districts, rng.dirichlet(np.full(provinces, 4.0)))
    is_city = [p == 0 or bool(rng.random() < _CITY_SHARE) for p in range(provinces)]
    # district types: quận in the towns, huyện elsewhere (a province of two or more districts has both)
    district_types: list[list[UnitType]] = []
    for p, count in enumerate(per_province):
        urban = rng.uniform(0.45, 0.7) if is_city[p] else rng.uniform(0.1, 0.3)
        quan = int(is_city[p]) if count == 1 else int(np.clip(round(urban * count), 1, count - 1))
        district_types.append([UnitType.QUAN] * quan + [UnitType.HUYEN] * (count - quan))
    flat_types = [t for types in district_types for t in types]
    weights = np.array([1.0 if t is UnitType.QUAN else 1.3 for t in flat_types]) * rng.gamma(6.0, 1 / 6.0, districts)
    per_district = _split_sizes(rng, communes, weights)
    merge_year = spec.merge_year
    merge_index = spec.years.index(merge_year) if merge_year is not None else None
    merging = _merge_plan(rng, per_district, merge_index is not None)

    last_year = len(spec.years) - 1
    width_p = max(2, len(str(provinces)))
    width_d = max(2, len(str(max(per_province))))
    width_c = max(3, len(str(max((c + len(m) for c, m in zip(per_district, merging, strict=True)), default=1))))
    h = _Hierarchy(provinces, districts)
    province_names = _Names(names_rng)
    d_index = 0
    for p, types in enumerate(district_types):
        pname = province_names.take()
        pid = f"t{p + 1:0{width_p}d}"
        h.add(_province(pid, pname, is_city[p]))
        h.province_index[pid], h.city[pid] = p, is_city[p]
        district_names = _Names(names_rng)
        for k, dtype in enumerate(types):
            dname = district_names.take()
            did = f"{pid}-{_ID_LETTER[dtype]}{k + 1:0{width_d}d}"
            district = h.add(_unit(did, dtype, f"{_NAME_WORDS[dtype][0]} {dname}", f"{_english(dname)} District", pid))
            h.district_units.append(district)
            _report(h, district, dtype, p, d_index, 0, last_year)
            ctype = UnitType.PHUONG if dtype is UnitType.QUAN else UnitType.XA
            numbered = ctype is UnitType.PHUONG and is_city[p] and names_rng.random() < 0.4
            commune_names = _Names(names_rng)
            first_commune = len(h.reporting)
            for c in range(per_district[d_index]):
                cname = str(c + 1) if numbered else commune_names.take()
                cid = f"{did}-{_ID_LETTER[ctype]}{c + 1:0{width_c}d}"
                name_en = f"Ward {cname}" if numbered else f"{_english(cname)} {_NAME_WORDS[ctype][1]}"
                commune = h.add(_unit(cid, ctype, f"{_NAME_WORDS[ctype][0]} {cname}", name_en, did))
                _report(h, commune, ctype, p, d_index, 0, last_year)
            for g, group in enumerate(merging[d_index]):
                _merge(h, spec, [first_commune + i for i in group], commune_names, ctype, did,
                       f"{did}-{_ID_LETTER[ctype]}{per_district[d_index] + g + 1:0{width_c}d}", p, d_index)
            d_index += 1
    if spec.reform:
        _reform(h, spec, np.random.default_rng([spec.seed, 4]), random.Random(f"{spec.seed}/reform"), province_names)
    return h


def _province(pid: str, bare: str, city: bool) -> Unit:
    word, word_en = ("Thành phố", "City") if city else _NAME_WORDS[UnitType.TINH]
    return _unit(pid, UnitType.TINH, f"{word} {bare}", f"{_english(bare)} {word_en}", None)


def _merge_plan(rng: np.random.Generator, per_district: Sequence[int], possible: bool) -> list[list[list[int]]]:
    """Per district, groups of its communes (positions) that merge: pairs and triples in some districts."""
    plan: list[list[list[int]]] = [[] for _ in per_district]
    if not possible:
        return plan
    eligible = [d for d, count in enumerate(per_district) if count >= 3]
    chosen = [d for d in eligible if rng.random() < _MERGING_DISTRICTS]
    if not chosen and eligible:
        chosen = [max(eligible, key=lambda d: per_district[d])]
    for d in chosen:
        count = per_district[d]
        take = int(np.clip(round(count * rng.uniform(0.15, 0.35)), 2, count))
        members = [int(i) for i in rng.choice(count, size=take, replace=False)]
        while len(members) >= 2:
            size = 3 if len(members) >= 3 and rng.random() < 0.35 else 2
            plan[d].append(sorted(members[:size]))
            members = members[size:]
    return plan


def _unit(uid: str, utype: UnitType, name: str, name_en: str, parent: str | None) -> Unit:
    return Unit(uid, utype, name, name_en, parent, (), None, None, ())


def _report(h: _Hierarchy, unit: Unit, utype: UnitType, province: int, district: int, first: int, last: int) -> None:
    h.reporting.append(unit)
    h.rep_type.append(REPORTING_TYPES.index(utype))
    h.rep_province.append(province)
    h.rep_district.append(district)
    h.rep_first.append(first)
    h.rep_last.append(last)


def _merge(h: _Hierarchy, spec: SynthSpec, olds: list[int], names: _Names, utype: UnitType, parent: str,
           new_id: str, province: int, district: int) -> None:
    """Merge the reporting units ``olds`` into a new one valid from the merge year."""
    year = spec.merge_year
    assert year is not None
    index = spec.years.index(year)
    new_name = f"{_NAME_WORDS[utype][0]} {names.take()}"
    aliases = tuple(h.reporting[i].name for i in olds)
    new = Unit(new_id, utype, new_name, f"{_english(new_name.split(' ', 1)[1])} {_NAME_WORDS[utype][1]}", parent,
               aliases, dt.date(year, 1, 1), None, ())
    for i in olds:
        old = h.reporting[i]
        closed = Unit(old.id, old.type, old.name, old.name_en, old.parent_id, old.aliases, old.valid_from,
                      dt.date(year - 1, 12, 31), (new_id,))
        h.reporting[i] = closed
        h.units[h.position[old.id]] = closed
        h.rep_last[i] = index - 1
    h.add(new)
    h.groups.append(_Group(len(h.reporting), tuple(olds), (1.0,) * len(olds), index))
    _report(h, new, utype, province, district, index, len(spec.years) - 1)


# --- the 2025 reform -------------------------------------------------------------------------------------


def _province_blocks(rng: np.random.Generator, count: int) -> list[list[int]]:
    """The old provinces (indexes) in consecutive blocks, one block per province after the reform: about
    ``count`` × 34/63 blocks, about ``count`` × 11/63 of them single (continuing), the others pairs and triples."""
    target = max(1, round(count * _PROVINCES_AFTER / _PROVINCES_BEFORE))
    kept = min(target, round(count * _PROVINCES_KEPT / _PROVINCES_BEFORE))
    while target - kept > 0 and count - kept < 2 * (target - kept):
        kept += 1
    merged = target - kept
    sizes = [1] * kept + [2] * merged  # from two provinces on, at least one block merges (merged > 0)
    for extra in range(count - kept - 2 * merged):  # triples (and, were there more left, larger blocks)
        sizes[kept + extra % merged] += 1
    order = rng.permutation(len(sizes))
    blocks, first = [], 0
    for b in order.tolist():
        blocks.append(list(range(first, first + sizes[b])))
        first += sizes[b]
    return blocks


def _commune_groups(rng: np.random.Generator, communes: list[int]) -> list[list[tuple[int, float]]]:
    """Consecutive communes (reporting indexes, in district order) in groups that each make one new unit, with
    the share of each commune that goes there: mostly three, from one to five; the last commune of a group of
    two or more is now and then split with the next group."""
    if not communes:
        return []
    sizes = rng.choice(_GROUP_SIZES, size=len(communes), p=_GROUP_CHANCES)
    ends = np.cumsum(sizes)
    cut = int(np.searchsorted(ends, len(communes)))
    bounds = [0, *ends[:cut].tolist(), len(communes)]
    groups: list[list[tuple[int, float]]] = [[(c, 1.0) for c in communes[a:b]] for a, b in itertools.pairwise(bounds)]
    split = rng.random(len(groups)) < _SPLIT_CHANCE
    parts = rng.choice(_SPLIT_SHARES, size=len(groups))
    for g in range(len(groups) - 1):
        if split[g] and len(groups[g]) >= 2 and groups[g][-1][1] == 1.0:
            commune = groups[g][-1][0]
            share = float(parts[g])
            groups[g][-1] = (commune, share)
            groups[g + 1].insert(0, (commune, round(1.0 - share, 6)))
    return groups


def _reform(h: _Hierarchy, spec: SynthSpec, rng: np.random.Generator, names: random.Random,
            province_names: _Names) -> None:
    """Apply the 2025 reform to ``h`` (see the module docstring): end the old districts, communes and merged
    provinces on 30 June 2025, add the new provinces and commune-level units and the crosswalk."""
    day_before = REFORM_DAY - dt.timedelta(days=1)
    start = spec.years.index(REFORM_DAY.year)
    last = len(spec.years) - 1
    communes: dict[int, list[int]] = {}  # old province index -> its communes at the reform, in district order
    for i, unit in enumerate(list(h.reporting)):
        if unit.valid_to is None:
            h.reporting[i] = h.end(unit.id, day_before)
            h.rep_last[i] = min(h.rep_last[i], start - 1)
            if unit.type not in DISTRICT_TYPES:
                communes.setdefault(h.rep_province[i], []).append(i)
    old_provinces = [u for u in h.units if u.type is UnitType.TINH]
    width_p = len(old_provinces[0].id) - 1  # the digits of the old ids ("t07")
    for block in _province_blocks(rng, len(old_provinces)):
        if len(block) == 1:
            province = old_provinces[block[0]]
        else:
            province = _merged_province(h, [old_provinces[b] for b in block], communes, names, province_names,
                                        f"t{h.provinces + 1:0{width_p}d}")
            h.province_index[province.id] = h.provinces
            h.provinces += 1
        groups = [g for b in block for g in _commune_groups(rng, communes.get(b, []))]
        _new_communes(h, groups, province, start, last, names)


def _commune_name(h: _Hierarchy, group: list[tuple[int, float]], ctype: UnitType, taken: set[str], fresh: _Names,
                  names: random.Random) -> str:
    """A new commune-level unit's name (without its type word), not yet ``taken`` in its province: a
    predecessor's of its type (always for a renamed unit), the old district's, or a new one."""
    olds = [h.reporting[i] for i, _ in group]
    own = [u.bare_name for u in olds if u.type is ctype and (ctype is UnitType.PHUONG or not u.bare_name.isdigit())]
    draw = names.random()
    if len(group) == 1 or draw < _NAME_PREDECESSOR:
        candidates = own
    elif draw < _NAME_PREDECESSOR + _NAME_DISTRICT:
        candidates = [h.district_units[h.rep_district[group[0][0]]].bare_name]
    else:
        candidates = []
    for bare in candidates:
        if bare not in taken:
            return bare
    return fresh.take()


def _merged_province(h: _Hierarchy, olds: list[Unit], communes: dict[int, list[int]], names: random.Random,
                     province_names: _Names, pid: str) -> Unit:
    """The province that ``olds`` merge into (registered; the old ones ended, the merge links stated)."""
    sizes = [len(communes.get(h.province_index[u.id], ())) for u in olds]
    cities = [u for u in olds if h.city[u.id]]
    source = cities[0] if cities else olds[int(np.argmax(sizes))]
    bare = province_names.take() if names.random() < _NEW_PROVINCE_NAME else source.bare_name
    city = bool(cities)
    new = _province(pid, bare, city)
    new = h.add(dataclasses.replace(new, valid_from=REFORM_DAY, aliases=tuple(u.name for u in olds if u.name != new.name)))
    h.city[pid] = city
    for old in olds:
        h.end(old.id, REFORM_DAY - dt.timedelta(days=1))
        h.links.append(Link(old.id, pid, REFORM_DAY, ChangeKind.MERGE, 1.0, REFORM_SOURCE))
    return new


def _new_communes(h: _Hierarchy, groups: list[list[tuple[int, float]]], province: Unit, start: int, last: int,
                  names: random.Random) -> None:
    """One new commune-level unit under ``province`` per group of old communes, with its links."""
    width = max(3, len(str(len(groups))))
    counters = {UnitType.PHUONG: 0, UnitType.XA: 0}
    taken: set[str] = set()
    fresh = _Names(names)
    p = h.province_index[province.id]
    for group in groups:
        olds = [h.reporting[i] for i, _ in group]
        wards = sum(u.type is UnitType.PHUONG for u in olds)
        ctype = UnitType.PHUONG if 2 * wards > len(olds) else UnitType.XA
        word, word_en = _NAME_WORDS[ctype]
        bare = _commune_name(h, group, ctype, taken, fresh, names)
        taken.add(bare)
        fresh.used.add(bare)
        counters[ctype] += 1
        uid = f"{province.id}-{_ID_LETTER[ctype]}{counters[ctype]:0{width}d}"
        name = f"{word} {bare}"
        aliases = tuple(dict.fromkeys(u.name for u in olds if u.name != name))
        name_en = f"{word_en} {bare}" if bare.isdigit() else f"{_english(bare)} {word_en}"
        new = h.add(Unit(uid, ctype, name, name_en, province.id, aliases, REFORM_DAY, None, ()))
        h.groups.append(_Group(len(h.reporting), tuple(i for i, _ in group), tuple(s for _, s in group), start))
        _report(h, new, ctype, p, h.rep_district[group[0][0]], start, last)
        for old, share in zip(olds, (s for _, s in group), strict=True):
            kind = ChangeKind.SPLIT if share < 1 else ChangeKind.RENAME if len(group) == 1 else ChangeKind.MERGE
            h.links.append(Link(old.id, uid, REFORM_DAY, kind, share, REFORM_SOURCE))


# --- the ratings ----------------------------------------------------------------------------------------


def _type_levels() -> tuple[npt.NDArray[np.float64], float]:
    """Per reporting type, the latent mean that gives the demo's first-year colour shares under a standard
    normal latent with thresholds at ±h (h: the mean half gap between the types' thresholds)."""
    normal = NormalDist()
    centres, halves = [], []
    for utype in REPORTING_TYPES:
        green, yellow = LEVELS[utype]
        low, high = normal.inv_cdf(1 - green - yellow), normal.inv_cdf(1 - green)
        centres.append(-(low + high) / 2)
        halves.append((high - low) / 2)
    return np.array(centres), fmean(halves)


def _difficulty(rng: np.random.Generator, catalogue: Catalogue) -> npt.NDArray[np.float64]:
    base = np.array([_QUADRANT_DIFFICULTY.get(i.quadrant, 0.0) + _HARDER.get(i.code, 0.0) + _EASIER.get(i.code, 0.0)
                     for i in catalogue.indicators])
    return base + rng.normal(0.0, 0.15, len(base))


def _latent_ratings(spec: SynthSpec, h: _Hierarchy, catalogue: Catalogue) -> npt.NDArray[np.int8]:
    """Ratings (year × reporting unit × indicator, red/yellow/green) before N/A, blanks and versions."""
    rng = np.random.default_rng([spec.seed, 2])
    years, units, k = len(spec.years), len(h.reporting), len(catalogue.codes)
    centres, half = _type_levels()
    rep_type, prov, dist = (np.array(a, dtype=np.int64) for a in (h.rep_type, h.rep_province, h.rep_district))
    prov_eff, prov_trend = rng.normal(0, _PROVINCE_SD, h.provinces), rng.normal(0, _PROVINCE_TREND_SD, h.provinces)
    dist_eff = rng.normal(0, _DISTRICT_SD, h.districts)
    unit_eff, unit_trend = rng.normal(0, _UNIT_SD, units), rng.normal(0, _UNIT_TREND_SD, units)
    difficulty = _difficulty(rng, catalogue)
    sd = float(np.sqrt(max(0.3, 1 - _PROVINCE_SD**2 - _DISTRICT_SD**2 - _UNIT_SD**2 - difficulty.var())))
    step = np.sqrt(1 - _PERSISTENCE**2) * sd
    level = centres[rep_type] + prov_eff[prov] + dist_eff[dist] + unit_eff
    slope = _NATIONAL_TREND + unit_trend + prov_trend[prov]
    inherited = [_Inheritance.of([g for g in h.groups if g.start == start]) for start in sorted({g.start for g in h.groups})]
    for inh in inherited:  # in order of their start, so a unit formed earlier hands on what it inherited
        spread = np.sqrt(1 - inh.concentration)
        at_start = inh.mean(level + slope * inh.start)
        slope[inh.new] = inh.mean(slope) + _UNIT_TREND_SD * spread * rng.normal(0, 1, len(inh.new))
        level[inh.new] = at_start + _UNIT_SD * spread * rng.normal(0, 1, len(inh.new)) - slope[inh.new] * inh.start
    starting = {inh.start: inh for inh in inherited}
    out = np.empty((years, units, k), dtype=np.int8)
    part = rng.normal(0, sd, (units, k))
    for y in range(years):
        if y:
            previous = part
            part = _PERSISTENCE * previous + step * rng.normal(0, 1, (units, k))
            if (joining := starting.get(y)) is not None:  # new units continue their predecessors, as spread as before
                noise = sd * np.sqrt(1 - _PERSISTENCE**2 * joining.concentration)[:, None]
                part[joining.new] = (_PERSISTENCE * joining.mean(previous)
                                     + noise * rng.normal(0, 1, (len(joining.new), k)))
        latent = (level + slope * y)[:, None] - difficulty[None, :] + part
        out[y] = (latent >= -half).astype(np.int8) + (latent >= half).astype(np.int8)
    return out


@dataclass(frozen=True)
class _Inheritance:
    """The units formed in one year (``new``, reporting indexes) and what each takes from its predecessors:
    flat arrays of (group, predecessor, weight), the weights of a group its predecessors' shares scaled to sum
    to 1; ``concentration`` per group, the sum of its squared weights (1 for one predecessor, 1/n for n equal)."""

    start: int
    new: npt.NDArray[np.int64]
    group: npt.NDArray[np.int64]
    old: npt.NDArray[np.int64]
    weight: npt.NDArray[np.float64]
    concentration: npt.NDArray[np.float64]

    @classmethod
    def of(cls, groups: Sequence[_Group]) -> _Inheritance:
        group = np.repeat(np.arange(len(groups)), [len(g.olds) for g in groups])
        old = np.array([i for g in groups for i in g.olds], dtype=np.int64)
        share = np.array([s for g in groups for s in g.shares], dtype=np.float64)
        weight = share / np.bincount(group, share, len(groups)).astype(np.float64)[group]
        return cls(groups[0].start, np.array([g.new for g in groups], dtype=np.int64), group, old, weight,
                   np.bincount(group, weight**2, len(groups)).astype(np.float64))

    def mean(self, values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Per new unit, the weighted mean of its predecessors' ``values`` (rows: reporting units)."""
        picked = values[self.old] * (self.weight if values.ndim == 1 else self.weight[:, None])
        out = np.zeros((len(self.new), *values.shape[1:]))
        np.add.at(out, self.group, picked)
        return out


def _not_applicable(rng: np.random.Generator, h: _Hierarchy, codes: Sequence[str]) -> npt.NDArray[np.bool_]:
    """Per reporting unit × indicator: not applicable (the demo's rules per unit type; "sometimes" is a coin
    toss per unit, kept every year)."""
    position = {c: i for i, c in enumerate(codes)}
    out = np.zeros((len(h.reporting), len(codes)), dtype=bool)
    rep_type = np.array(h.rep_type)
    for t, utype in enumerate(REPORTING_TYPES):
        rows = np.flatnonzero(rep_type == t)
        always, sometimes = NOT_APPLICABLE[utype]
        for code in always:
            if code in position:
                out[rows, position[code]] = True
        for code in sometimes:
            if code in position:
                out[rows, position[code]] = rng.random(len(rows)) < 0.5
    return out


def _pools(spec: SynthSpec, codes: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...], dict[str, int]]:
    """The evidence texts (index 0 empty; :data:`_DOCS_PER_YEAR` document citations per year) and the notes
    (0 empty; per year the red then the yellow explanations; the N/A reasons; the missing note)."""
    rng = random.Random(f"{spec.seed}/texts")
    evidence = [""]
    for year in spec.years:
        for _ in range(_DOCS_PER_YEAR):
            form = rng.choice(EVIDENCE_FORMS)
            evidence.append(form.format(n=rng.randint(12, 480), d=rng.randint(1, 28), m=rng.randint(1, 12), y=year))
    notes = [""]
    for year in spec.years:
        for rating in (Rating.RED, Rating.YELLOW):
            notes.extend(text.format(y=year, next=year + 1) for text in NOTES[rating])
    na_index = {}
    for code in codes:
        na_index[code] = len(notes)
        notes.append(NA_REASONS.get(code, "Không thuộc thẩm quyền của đơn vị"))
    na_index[""] = len(notes)
    notes.append(MISSING_NOTE)
    return tuple(evidence), tuple(notes), na_index


def generate(spec: SynthSpec, catalogue: Catalogue | None = None) -> Dataset:
    """Generate the dataset of ``spec`` (deterministic for its seed)."""
    catalogue = catalogue or default_catalogue()
    codes = catalogue.codes
    k = len(codes)
    h = _hierarchy(spec)
    grid = _latent_ratings(spec, h, catalogue)
    rng = np.random.default_rng([spec.seed, 3])
    na = _not_applicable(rng, h, codes)
    first, last = np.array(h.rep_first), np.array(h.rep_last)
    valid = (np.arange(len(spec.years))[:, None] >= first[None, :]) & (np.arange(len(spec.years))[:, None] <= last[None, :])
    cur_year, cur_unit = np.nonzero(valid)  # ordered by year, then unit
    final = grid[cur_year, cur_unit]
    final[na[cur_unit]] = NA
    n_cur = len(cur_unit)

    # blanks in a few returns
    blank_rows = np.flatnonzero(rng.random(n_cur) < _BLANK_SHARE)
    if len(blank_rows):
        score = rng.random((len(blank_rows), k))
        score[final[blank_rows] == NA] = 2.0  # never blank an N/A indicator
        how_many = rng.integers(1, 4, len(blank_rows))
        ranks = score.argsort(axis=1).argsort(axis=1)
        blank = (ranks < how_many[:, None]) & (score < 2.0)
        part = final[blank_rows]
        part[blank] = MISSING
        final[blank_rows] = part

    # versions: a few unit-years sent two or three times; the last is current
    versions = np.ones(n_cur, dtype=np.int32)
    revised = rng.random(n_cur) < _REVISED_SHARE
    versions[revised] = np.where(rng.random(int(revised.sum())) < 0.7, 2, 3)
    owner = np.repeat(np.arange(n_cur), versions)
    starts = np.cumsum(versions) - versions
    version = (np.arange(len(owner)) - starts[owner] + 1).astype(np.int32)
    current = version == versions[owner]
    ratings = final[owner].copy()
    earlier = np.flatnonzero(~current)
    if len(earlier):  # an earlier version differs in one to four indicators: blanks filled in, ratings revised
        score = rng.random((len(earlier), k))
        score[ratings[earlier] == NA] = 2.0
        ranks = score.argsort(axis=1).argsort(axis=1)
        changed = (ranks < rng.integers(1, 5, len(earlier))[:, None]) & (score < 2.0)
        before = ratings[earlier]
        shifted = np.clip(before + np.where(rng.random(before.shape) < 0.5, -1, 1), RED, GREEN).astype(np.int8)
        shifted[before == MISSING] = rng.integers(RED, GREEN + 1, int((before == MISSING).sum()), dtype=np.int8)
        replacement = np.where(rng.random(before.shape) < 0.4, np.int8(MISSING), shifted)
        ratings[earlier] = np.where(changed, replacement, before)

    # evidence and notes: the same draws for every version of a unit-year, so unchanged ratings keep their texts
    evidence_pool, note_pool, na_index = _pools(spec, codes)
    draws = rng.random((n_cur, k, 4), dtype=np.float32)[owner]
    year_index = cur_year[owner][:, None]
    coloured = ratings <= GREEN
    safe = np.where(coloured, ratings, 0)
    cite = coloured & (draws[..., 0] < np.array(_EVIDENCE_CHANCE)[safe])
    evidence = np.where(cite, 1 + year_index * _DOCS_PER_YEAR + (draws[..., 1] * _DOCS_PER_YEAR).astype(np.int32), 0)
    per_year = len(NOTES[Rating.RED]) + len(NOTES[Rating.YELLOW])
    red_note = 1 + year_index * per_year + (draws[..., 2] * len(NOTES[Rating.RED])).astype(np.int32)
    yellow_note = (1 + year_index * per_year + len(NOTES[Rating.RED])
                   + (draws[..., 2] * len(NOTES[Rating.YELLOW])).astype(np.int32))
    explain = coloured & (draws[..., 3] < np.array(_NOTE_CHANCE)[safe])
    notes = np.zeros(ratings.shape, dtype=np.int32)
    notes = np.where(explain & (ratings == RED), red_note, notes)
    notes = np.where(explain & (ratings == YELLOW), yellow_note, notes)
    notes = np.where(ratings == NA, np.array([na_index[c] for c in codes])[None, :], notes)
    notes = np.where((ratings == MISSING) & (draws[..., 3] < 0.5), na_index[""], notes)

    # upload times: January to March of the following year, a week or more between versions
    day = rng.integers(5, 80, n_cur)[owner]
    seconds = (day + (version - 1) * 9) * 86_400 + rng.integers(7 * 3600, 17 * 3600, len(owner))
    years = np.array(spec.years, dtype=np.int32)
    registry = UnitRegistry(h.units)
    return Dataset(spec, registry, tuple(h.reporting), codes, cur_unit[owner].astype(np.int32),
                   years[cur_year[owner]], version, current, seconds.astype(np.int64), ratings,
                   evidence.astype(np.int32), notes.astype(np.int32), evidence_pool, note_pool, tuple(h.links))
