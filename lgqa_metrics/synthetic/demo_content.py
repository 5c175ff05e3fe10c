"""The pilot demo's content: which units report (the first three of each type valid in 2022 and 2023, and for 2025
the illustrative successors the lineage gives them after the reorganisation of 1 July 2025), and what each return
holds, drawn from a fixed seed: ratings that evolve by unit type from one year to the next (a successor's from its
predecessor's last pilot return), evidence, notes, indicators not applicable or left blank. Everything here is
**synthetic**.

:func:`demo_returns` gives the returns, :func:`expected_ratings` what the files written from them hold (tests
compare what was ingested with it); :mod:`.demo_layouts` writes them as workbooks, :mod:`.demo` as folders.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from lgqa_metrics.domain.catalogue import Catalogue, default_catalogue
from lgqa_metrics.domain.lineage import Lineage, default_lineage
from lgqa_metrics.domain.ratings import COLOURS, Rating
from lgqa_metrics.domain.units import REPORTING_TYPES, TYPE_LABELS, Unit, UnitRegistry, UnitType, default_registry

SEED: Final = 18091
#: The pilot's years: the pilot units answer for each.
YEARS: Final = (2022, 2023)
#: The year the pilot units' illustrative successors (the units of 1 July 2025) answer for.
SUCCESSOR_YEAR: Final = 2025
UNITS_PER_TYPE: Final = 3
BANNER: Final = "DỮ LIỆU MINH HỌA / SYNTHETIC DEMO DATA"


# --- the synthetic content ------------------------------------------------------------------------

#: Chance of green and of yellow in a 2022 return, by unit type (the rest is red).
LEVELS: Final[dict[UnitType, tuple[float, float]]] = {
    UnitType.QUAN: (0.62, 0.30),
    UnitType.HUYEN: (0.47, 0.38),
    UnitType.PHUONG: (0.45, 0.40),
    UnitType.XA: (0.27, 0.45),
}
#: Indicators a unit type marks not applicable: always, and sometimes (a coin toss per unit).
NOT_APPLICABLE: Final[dict[UnitType, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    UnitType.QUAN: ((), ("2.7",)),
    UnitType.HUYEN: ((), ()),
    UnitType.PHUONG: (("1.4", "2.7"), ("2.5",)),
    UnitType.XA: (("1.4", "2.5", "4.5"), ("3.3",)),
}
NA_REASONS: Final = {
    "1.4": "Ngân sách do cấp trên phân bổ, đơn vị không tự chủ tài khóa",
    "2.5": "Địa bàn không có điểm du lịch, không phát sinh hoạt động du lịch",
    "2.7": "Địa bàn không còn đất sản xuất nông nghiệp",
    "3.3": "Địa bàn không có người di cư, đồng bào dân tộc thiểu số",
    "4.5": "Quy hoạch đô thị do cấp huyện thực hiện",
}
EVIDENCE_FORMS: Final = (
    "QĐ số {n}/QĐ-UBND ngày {d}/{m}/{y}",
    "Kế hoạch số {n}/KH-UBND ngày {d}/{m}/{y}",
    "Báo cáo số {n}/BC-UBND ngày {d}/{m}/{y}",
    "Nghị quyết số {n}/NQ-HĐND ngày {d}/{m}/{y}",
    "Thông báo số {n}/TB-UBND ngày {d}/{m}/{y}",
    "Biên bản kiểm tra ngày {d}/{m}/{y}",
)
NOTES: Final[dict[Rating, tuple[str, ...]]] = {
    Rating.RED: (
        "Chưa ban hành kế hoạch triển khai; dự kiến hoàn thành trong quý II/{next}",
        "Chưa có cơ sở dữ liệu theo dõi, chưa đánh giá được kết quả",
        "Kinh phí chưa được bố trí trong dự toán năm {y}",
        "Chưa tổ chức khảo sát sự hài lòng của người dân",
    ),
    Rating.YELLOW: (
        "Một số tiêu chí thành phần chưa đạt",
        "Nguồn lực, kinh phí còn hạn chế",
        "Đang hoàn thiện hồ sơ, số liệu chưa đầy đủ",
        "Tỷ lệ hồ sơ trực tuyến toàn trình còn thấp",
        "Đã triển khai nhưng chưa kiểm tra, đánh giá định kỳ",
    ),
}
MISSING_NOTE: Final = "Chưa tổng hợp được số liệu"
#: How each unit's ratings move from 2022 to 2023, by its position within its type.
_TRENDS: Final[dict[UnitType, tuple[str, str, str]]] = {
    UnitType.QUAN: ("improve", "same", "decline"),
    UnitType.HUYEN: ("improve", "decline", "improve"),
    UnitType.PHUONG: ("same", "improve", "decline"),
    UnitType.XA: ("improve", "improve", "decline"),
}
#: How each successor's ratings move from its predecessor's last pilot return, by the successor's type and position
#: within it (successors in registry order; a type not listed improves).
_SUCCESSOR_TRENDS: Final[dict[UnitType, tuple[str, ...]]] = {
    UnitType.PHUONG: ("improve", "improve", "same"),
    UnitType.XA: ("improve", "decline", "improve"),
}
#: Reasons for not applicable worded for two-tier local government (no district level), in successors' returns.
_NA_REASONS_TWO_TIER: Final = {
    "4.5": "Quy hoạch đô thị do cấp thành phố thực hiện",
}
#: The largest share of a unit's yellow and green ratings sent without evidence (each unit draws its own share).
_UNEVIDENCED_AT_MOST: Final = 0.2
#: Returns left partly blank: (unit type, position, year) -> how many indicators are not rated.
_BLANKS: Final[dict[tuple[UnitType, int, int], int]] = {
    (UnitType.XA, 2, 2022): 2,
    (UnitType.PHUONG, 2, 2023): 1,
}


@dataclass(frozen=True, slots=True)
class DemoEntry:
    """One indicator of a synthetic return as generated."""

    code: str
    rating: Rating
    evidence: str = ""
    note: str = ""


@dataclass(frozen=True)
class DemoReturn:
    """One synthetic return (one unit, one year), its entries in catalogue order."""

    unit: Unit
    year: int
    entries: tuple[DemoEntry, ...]

    def ratings(self) -> dict[str, str]:
        """Code -> rating word (red/yellow/green/na/missing)."""
        return {e.code: e.rating.value for e in self.entries}

    def greens(self) -> int:
        """How many indicators are green."""
        return sum(1 for e in self.entries if e.rating is Rating.GREEN)


def pilot_units(registry: UnitRegistry | None = None) -> list[Unit]:
    """The first :data:`UNITS_PER_TYPE` registered units of each type valid in every demo year."""
    registry = registry or default_registry()
    chosen: list[Unit] = []
    for utype in REPORTING_TYPES:
        pool = [u for u in registry.units if u.type is utype and all(u.valid_in(y) for y in YEARS)]
        if len(pool) < UNITS_PER_TYPE:
            raise ValueError(f"the registry holds {len(pool)} units of type {utype} valid in {YEARS}, "
                             f"the demo needs {UNITS_PER_TYPE}")
        chosen.extend(pool[:UNITS_PER_TYPE])
    return chosen


def successor_units(registry: UnitRegistry | None = None, lineage: Lineage | None = None) -> list[tuple[Unit, Unit]]:
    """The pilot units' illustrative successors that answer for :data:`SUCCESSOR_YEAR`, each with the pilot unit its
    return evolves from, in registry order: the registered units of a reporting type that answer for that year and
    descend from a pilot unit in the lineage (from the nearest such ancestor, the first in pilot order when several
    merged into it)."""
    registry = registry or default_registry()
    lineage = default_lineage() if lineage is None else lineage
    pilots = {u.id: u for u in pilot_units(registry)}
    out: list[tuple[Unit, Unit]] = []
    for unit in registry.units:
        if unit.type not in REPORTING_TYPES or unit.id in pilots or not unit.reports_for(SUCCESSOR_YEAR):
            continue
        ancestor = next((pilots[a] for a in lineage.ancestors(unit.id) if a in pilots), None)
        if ancestor is not None:
            out.append((unit, ancestor))
    return out


def position_in_type(unit: Unit, units: Sequence[Unit]) -> int:
    return [u.id for u in units if u.type is unit.type].index(unit.id)


def _step(rating: Rating, delta: int) -> Rating:
    return COLOURS[max(0, min(2, COLOURS.index(rating) + delta))]


def _draw(rng: random.Random, green: float, yellow: float) -> Rating:
    x = rng.random()
    return Rating.GREEN if x < green else Rating.YELLOW if x < green + yellow else Rating.RED


def _evolve(before: Mapping[str, Rating], trend: str, rng: random.Random) -> dict[str, Rating]:
    """Next year's ratings: ``improve`` lifts a few (at least two yellows to green) and lets one slip,
    ``decline`` the reverse, ``same`` keeps every rating."""
    after = dict(before)
    if trend == "same":
        return after
    up = 1 if trend == "improve" else -1
    edge = Rating.YELLOW if up > 0 else Rating.GREEN
    limit = Rating.GREEN if up > 0 else Rating.RED
    movable = [c for c, r in before.items() if r in COLOURS and r is not limit]
    crossing = [c for c in movable if before[c] is edge]
    chosen = rng.sample(crossing, min(2, len(crossing)))
    rest = [c for c in movable if c not in chosen]
    chosen += rng.sample(rest, min(len(rest), rng.randint(2, 4)))
    for code in chosen:
        after[code] = _step(before[code], up)
    floor = Rating.RED if up > 0 else Rating.GREEN  # the counter-move goes the other way
    against = [c for c, r in before.items() if r in COLOURS and c not in chosen and r is not floor]
    if against:
        code = rng.choice(against)
        after[code] = _step(before[code], -up)
    return after


def _evidence(rng: random.Random, year: int, rating: Rating, first_month: int = 1) -> str:
    """The documents cited for ``rating`` (none for some reds), dated in ``year`` from ``first_month`` on."""
    if rating is Rating.RED and rng.random() < 0.5:
        return ""
    docs = []
    for _ in range(2 if rating is Rating.GREEN and rng.random() < 0.3 else 1):
        form = rng.choice(EVIDENCE_FORMS)
        docs.append(form.format(n=rng.randint(12, 480), d=rng.randint(1, 28), m=rng.randint(first_month, 12), y=year))
    return "; ".join(docs)


def _note(rng: random.Random, year: int, code: str, rating: Rating, level: str) -> str:
    if rating is Rating.NA:
        reasons = {**NA_REASONS, **_NA_REASONS_TWO_TIER} if year >= SUCCESSOR_YEAR else NA_REASONS
        return reasons.get(code, f"Không thuộc thẩm quyền của cấp {level}")
    pool = NOTES.get(rating)
    return rng.choice(pool).format(y=year, next=year + 1) if pool else ""


def _return(unit: Unit, year: int, ratings: Mapping[str, Rating], blanks: set[str], rng: random.Random,
            unevidenced: random.Random, leave_out: float) -> DemoReturn:
    """One return of ``ratings``, with ``blanks`` left unrated, evidence and notes drawn from ``rng`` (the chance of
    leaving a yellow or green unevidenced from ``unevidenced``)."""
    level = TYPE_LABELS[unit.type][0].lower()
    # a unit set up during the year cites only documents of its own, from the month it was set up
    first_month = unit.valid_from.month if unit.valid_from and unit.valid_from.year == year else 1
    entries = []
    for code, rating in ratings.items():
        if code in blanks:
            entries.append(DemoEntry(code, Rating.MISSING, "", MISSING_NOTE if rng.random() < 0.5 else ""))
        else:
            evidence = _evidence(rng, year, rating, first_month) if rating in COLOURS else ""
            if rating in (Rating.YELLOW, Rating.GREEN) and unevidenced.random() < leave_out:
                evidence = ""
            entries.append(DemoEntry(code, rating, evidence, _note(rng, year, code, rating, level)))
    return DemoReturn(unit, year, tuple(entries))


def _first_ratings(unit: Unit, rng: random.Random, catalogue: Catalogue,
                   before: Mapping[str, Rating] | None = None) -> dict[str, Rating]:
    """A unit's first ratings: not applicable as its type has it, the rest ``before``'s colour where it has one,
    otherwise drawn at the type's levels (green shifted a little per unit)."""
    green, yellow = LEVELS[unit.type]
    green += rng.uniform(-0.07, 0.07)
    always, sometimes = NOT_APPLICABLE[unit.type]
    na = set(always) | {c for c in sometimes if rng.random() < 0.5}
    before = before or {}
    return {c: Rating.NA if c in na else before[c] if before.get(c) in COLOURS else _draw(rng, green, yellow)
            for c in catalogue.codes}


def _blanks(ratings: Mapping[str, Rating], count: int, rng: random.Random) -> set[str]:
    return set(rng.sample([c for c, r in ratings.items() if r is not Rating.NA], count))


def _unevidenced(unit: Unit) -> tuple[random.Random, float]:
    """The unit's own draw of which yellows and greens go without evidence, and the share it leaves out: a separate
    stream, so that the ratings stay as they were before evidence could be left out."""
    rng = random.Random(f"{SEED}/{unit.id}/evidence")
    return rng, rng.uniform(0.0, _UNEVIDENCED_AT_MOST)


def _pilot_returns(unit: Unit, position: int, catalogue: Catalogue) -> tuple[list[DemoReturn], dict[str, Rating]]:
    """A pilot unit's returns for :data:`YEARS`, and its ratings in the last of them before any was left blank."""
    rng = random.Random(f"{SEED}/{unit.id}")
    ratings = _first_ratings(unit, rng, catalogue)
    unevidenced, leave_out = _unevidenced(unit)
    out: list[DemoReturn] = []
    for i, year in enumerate(YEARS):
        if i:
            ratings = _evolve(ratings, _TRENDS[unit.type][position], rng)
        blanks = _blanks(ratings, _BLANKS.get((unit.type, position, year), 0), rng)
        out.append(_return(unit, year, ratings, blanks, rng, unevidenced, leave_out))
    return out, ratings


def _successor_return(unit: Unit, position: int, before: Mapping[str, Rating], catalogue: Catalogue) -> DemoReturn:
    """A successor's return for :data:`SUCCESSOR_YEAR`: its predecessor's last ratings (``before``), not applicable
    as the successor's type has it, moved by the successor's trend; evidence and notes of that year."""
    rng = random.Random(f"{SEED}/{unit.id}")
    trends = _SUCCESSOR_TRENDS.get(unit.type, ("improve",))
    ratings = _evolve(_first_ratings(unit, rng, catalogue, before), trends[position % len(trends)], rng)
    unevidenced, leave_out = _unevidenced(unit)
    blanks = _blanks(ratings, _BLANKS.get((unit.type, position, SUCCESSOR_YEAR), 0), rng)
    return _return(unit, SUCCESSOR_YEAR, ratings, blanks, rng, unevidenced, leave_out)


@functools.cache
def demo_returns() -> tuple[DemoReturn, ...]:
    """All synthetic returns, from the default registry, lineage and catalogue: the pilot units × :data:`YEARS`,
    then the successors' for :data:`SUCCESSOR_YEAR`."""
    units = pilot_units()
    catalogue = default_catalogue()
    out: list[DemoReturn] = []
    last: dict[str, dict[str, Rating]] = {}
    for unit in units:
        returns, last[unit.id] = _pilot_returns(unit, position_in_type(unit, units), catalogue)
        out.extend(returns)
    successors = successor_units()
    heirs = [unit for unit, _ in successors]
    out.extend(_successor_return(unit, position_in_type(unit, heirs), last[before.id], catalogue)
               for unit, before in successors)
    return tuple(out)


def expected_ratings() -> dict[tuple[str, int], dict[str, str]]:
    """(unit_id, year) -> {code: red/yellow/green/na/missing}: what the generated files hold."""
    return {(r.unit.id, r.year): r.ratings() for r in demo_returns()}


