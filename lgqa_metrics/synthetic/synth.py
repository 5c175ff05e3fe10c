"""Synthetic national data: a deterministic generator of a country's unit hierarchy and of years of returns.

Everything here is **synthetic** (made up from a seed) and says so: the province, district and commune names
are built from syllable lists, the uploader is ``synth``, the store's meta table holds ``synthetic``.

The shape follows the country before the 2025 reform: provinces (about one per 160 reporting units,
``Tỉnh …`` or, for a few, ``Thành phố …``) hold districts (quận in the towns, huyện elsewhere), districts hold
communes (phường under a quận, xã under a huyện). District-level and commune-level units both report, about
7 % of them district-level as in the pilot. In the year after the middle of the range some communes of some
districts merge in pairs or triples into a new unit (lineage: ``valid_to``/``successor_ids`` on the old
units, ``valid_from`` and the old names as aliases on the new one).

Ratings come from an ordinal model on a latent quality: a unit-type level reproducing the pilot demo's
first-year colour shares (:data:`lgqa_metrics.synthetic.demo_content.LEVELS`), province, district and unit effects, an
indicator difficulty, a national improvement plus unit trends, and an autoregressive unit × indicator part
so that most ratings stay what they were the year before. Not-applicable indicators follow the demo's rules
per unit type, a few returns have blanks, about 2 % of unit-years were sent two or three times (the earlier
versions superseded). All arrays are generated with numpy, never one rating at a time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist, fmean
from typing import Final

import numpy as np
import numpy.typing as npt

from lgqa_metrics.domain.catalogue import Catalogue, default_catalogue
from lgqa_metrics.domain.i18n import MessageError
from lgqa_metrics.domain.ratings import Rating
from lgqa_metrics.domain.textnorm import fold
from lgqa_metrics.domain.units import REPORTING_TYPES, Unit, UnitRegistry, UnitType
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
    def merge_year(self) -> int | None:
        """The first year of the merged units (the year after the middle of the range), or None for one year."""
        return self.years[len(self.years) // 2] if len(self.years) > 1 else None


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


@dataclass
class _Hierarchy:
    units: list[Unit]
    reporting: list[Unit]
    rep_type: list[int]  # index into REPORTING_TYPES
    rep_province: list[int]
    rep_district: list[int]
    rep_first: list[int]  # year index of the first and last year reported
    rep_last: list[int]
    groups: list[tuple[int, list[int]]]  # successor -> predecessors (reporting indexes)
    provinces: int
    districts: int
    position: dict[str, int]  # unit id -> index in ``units``

    def add(self, unit: Unit) -> Unit:
        self.position[unit.id] = len(self.units)
        self.units.append(unit)
        return unit


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
    units: list[Unit] = []
    h = _Hierarchy(units, [], [], [], [], [], [], [], provinces, districts, {})
    province_names = _Names(names_rng)
    d_index = 0
    for p, types in enumerate(district_types):
        pname = province_names.take()
        pid = f"t{p + 1:0{width_p}d}"
        word, word_en = ("Thành phố", "City") if is_city[p] else _NAME_WORDS[UnitType.TINH]
        h.add(_unit(pid, UnitType.TINH, f"{word} {pname}", f"{_english(pname)} {word_en}", None))
        district_names = _Names(names_rng)
        for k, dtype in enumerate(types):
            dname = district_names.take()
            did = f"{pid}-{_ID_LETTER[dtype]}{k + 1:0{width_d}d}"
            district = h.add(_unit(did, dtype, f"{_NAME_WORDS[dtype][0]} {dname}", f"{_english(dname)} District", pid))
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
    return h


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
    h.groups.append((len(h.reporting), olds))
    _report(h, new, utype, province, district, index, len(spec.years) - 1)


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
    successors = np.array([s for s, _ in h.groups], dtype=np.int64)
    members = np.array([i for _, olds in h.groups for i in olds], dtype=np.int64)
    group_of = np.repeat(np.arange(len(h.groups)), [len(olds) for _, olds in h.groups])
    sizes = np.bincount(group_of, minlength=len(h.groups)).astype(np.float64)[:, None] if len(h.groups) else None

    def group_mean(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        acc = np.zeros((len(h.groups), *values.shape[1:]))
        np.add.at(acc, group_of, values[members])
        assert sizes is not None
        return acc / (sizes if values.ndim > 1 else sizes[:, 0])

    if len(h.groups):  # merged units start around the mean of their predecessors
        unit_eff[successors] = group_mean(unit_eff)
        unit_trend[successors] = group_mean(unit_trend)
    merge_index = spec.years.index(spec.merge_year) if spec.merge_year is not None else -1
    level = centres[rep_type] + prov_eff[prov] + dist_eff[dist] + unit_eff
    slope = _NATIONAL_TREND + unit_trend + prov_trend[prov]
    out = np.empty((years, units, k), dtype=np.int8)
    part = rng.normal(0, sd, (units, k))
    for y in range(years):
        if y:
            previous = part
            part = _PERSISTENCE * previous + step * rng.normal(0, 1, (units, k))
            if y == merge_index and len(h.groups):
                part[successors] = _PERSISTENCE * group_mean(previous) + step * rng.normal(0, 1, (len(successors), k))
        latent = (level + slope * y)[:, None] - difficulty[None, :] + part
        out[y] = (latent >= -half).astype(np.int8) + (latent >= half).astype(np.int8)
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
                   evidence.astype(np.int32), notes.astype(np.int32), evidence_pool, note_pool)
