"""The pilot demo's content: which units report (the first three of each type valid in 2022 and 2023), and what
each return holds, drawn from a fixed seed: ratings that evolve by unit type from one year to the next, evidence,
notes, indicators not applicable or left blank. Everything here is **synthetic**.

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
from lgqa_metrics.domain.ratings import COLOURS, Rating
from lgqa_metrics.domain.units import REPORTING_TYPES, TYPE_LABELS, Unit, UnitRegistry, UnitType, default_registry

SEED: Final = 18091
YEARS: Final = (2022, 2023)
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
#: Returns left partly blank: (unit type, position, year) -> how many indicators are not rated.
#: The largest share of a unit's yellow and green ratings sent without evidence (each unit draws its own share).
_UNEVIDENCED_AT_MOST: Final = 0.2
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


def _evidence(rng: random.Random, year: int, rating: Rating) -> str:
    if rating is Rating.RED and rng.random() < 0.5:
        return ""
    docs = []
    for _ in range(2 if rating is Rating.GREEN and rng.random() < 0.3 else 1):
        form = rng.choice(EVIDENCE_FORMS)
        docs.append(form.format(n=rng.randint(12, 480), d=rng.randint(1, 28), m=rng.randint(1, 12), y=year))
    return "; ".join(docs)


def _note(rng: random.Random, year: int, code: str, rating: Rating, level: str) -> str:
    if rating is Rating.NA:
        return NA_REASONS.get(code, f"Không thuộc thẩm quyền của cấp {level}")
    pool = NOTES.get(rating)
    return rng.choice(pool).format(y=year, next=year + 1) if pool else ""


def _unit_returns(unit: Unit, position: int, catalogue: Catalogue) -> list[DemoReturn]:
    rng = random.Random(f"{SEED}/{unit.id}")
    green, yellow = LEVELS[unit.type]
    green += rng.uniform(-0.07, 0.07)
    always, sometimes = NOT_APPLICABLE[unit.type]
    na = set(always) | {c for c in sometimes if rng.random() < 0.5}
    ratings = {c: Rating.NA if c in na else _draw(rng, green, yellow) for c in catalogue.codes}
    level = TYPE_LABELS[unit.type][0].lower()
    # a separate draw, so that the ratings stay as they were before evidence could be left out
    unevidenced = random.Random(f"{SEED}/{unit.id}/evidence")
    leave_out = unevidenced.uniform(0.0, _UNEVIDENCED_AT_MOST)
    out: list[DemoReturn] = []
    for i, year in enumerate(YEARS):
        if i:
            ratings = _evolve(ratings, _TRENDS[unit.type][position], rng)
        blanks = set(rng.sample([c for c, r in ratings.items() if r is not Rating.NA],
                                _BLANKS.get((unit.type, position, year), 0)))
        entries = []
        for code, rating in ratings.items():
            if code in blanks:
                entries.append(DemoEntry(code, Rating.MISSING, "", MISSING_NOTE if rng.random() < 0.5 else ""))
            else:
                evidence = _evidence(rng, year, rating) if rating in COLOURS else ""
                if rating in (Rating.YELLOW, Rating.GREEN) and unevidenced.random() < leave_out:
                    evidence = ""
                entries.append(DemoEntry(code, rating, evidence, _note(rng, year, code, rating, level)))
        out.append(DemoReturn(unit, year, tuple(entries)))
    return out


@functools.cache
def demo_returns() -> tuple[DemoReturn, ...]:
    """All synthetic returns (pilot units × :data:`YEARS`), from the default registry and catalogue."""
    units = pilot_units()
    catalogue = default_catalogue()
    return tuple(r for u in units for r in _unit_returns(u, position_in_type(u, units), catalogue))


def expected_ratings() -> dict[tuple[str, int], dict[str, str]]:
    """(unit_id, year) -> {code: red/yellow/green/na/missing}: what the generated files hold."""
    return {(r.unit.id, r.year): r.ratings() for r in demo_returns()}


