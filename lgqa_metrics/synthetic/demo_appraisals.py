"""Illustrative appraisals (thẩm định) of the synthetic demo returns, so that the demo shows appraised figures, the gap
between self-assessment and appraisal, and the queue, out of the box. Made up like the returns, from a fixed seed:
every 2022 return and most 2023 ones appraised; a rating that needed evidence and had none lowered one step; a few
evidenced greens found to be yellow, fewer in 2023 than in 2022, and a few
yellows found to be green (self-assessment comes closer to appraisal as the
pilot goes on); one 2023 return sent back to its unit, two left in the queue, and the illustrative successors'
2025 returns (six) all left in the queue, waiting for the appraiser."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Final

from lgqa_metrics.domain.evidence import EvidenceStatus, default_rule
from lgqa_metrics.domain.ratings import Rating
from lgqa_metrics.domain.roles import Actor, Role
from lgqa_metrics.store.appraisals import Appraisals
from lgqa_metrics.store.database import Store
from lgqa_metrics.synthetic.demo_content import SEED, YEARS, DemoReturn, demo_returns

#: The illustrative appraiser the demo's appraisals are recorded under.
APPRAISER: Final = Actor("tham-dinh-minh-hoa", Role.APPRAISER)
#: Share of a year's evidenced greens the appraiser finds to be yellow.
_GREEN_FOUND_YELLOW: Final = {2022: 0.12, 2023: 0.05}
#: 2023 returns not decided: (pilot unit position in id order) left in the queue, and the one sent back.
_WAITING: Final = (4, 10)
_SENT_BACK: Final = 7
#: Share of evidenced yellows the appraiser finds to be green (a unit too modest).
_YELLOW_FOUND_GREEN: Final = 0.05
_NO_EVIDENCE: Final = "Không có minh chứng kèm theo"
_UNDERSTATED: Final = "Minh chứng cho thấy đã đạt mức Xanh lá"
_NOT_SHOWN: Final = "Minh chứng chỉ nêu kế hoạch, chưa chứng minh được kết quả đạt mức Xanh lá"
_LOWER: Final = {Rating.GREEN: Rating.YELLOW, Rating.YELLOW: Rating.RED}


@dataclass(frozen=True)
class DemoAppraisal:
    """The appraiser's decision on one demo return: its changed ratings with reasons, and accepted or sent back."""

    unit_id: str
    year: int
    accepted: bool
    comment: str
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)


def _changes(ret: DemoReturn, rng: random.Random) -> dict[str, tuple[str, str]]:
    rule, out = default_rule(), {}
    for e in ret.entries:
        status = rule.status(e.rating, e.evidence, e.note)
        if status is EvidenceStatus.MISSING:
            out[e.code] = (_LOWER[e.rating].value, _NO_EVIDENCE)
        elif e.rating is Rating.GREEN and rng.random() < _GREEN_FOUND_YELLOW.get(ret.year, 0.0):
            out[e.code] = (Rating.YELLOW.value, _NOT_SHOWN)
        elif e.rating is Rating.YELLOW and rng.random() < _YELLOW_FOUND_GREEN:
            out[e.code] = (Rating.GREEN.value, _UNDERSTATED)
    return out


def demo_appraisals() -> tuple[DemoAppraisal, ...]:
    """The appraisals of the demo returns, in the order they are made; the returns left waiting (among them every
    return for a year after the pilot's :data:`YEARS`) have none."""
    rng = random.Random(f"{SEED}/appraisals")
    pilot = [r for r in demo_returns() if r.year in YEARS]
    units = sorted({r.unit.id for r in pilot})
    out = []
    for ret in sorted(pilot, key=lambda r: (r.year, r.unit.id)):
        position = units.index(ret.unit.id)
        changes = _changes(ret, rng)
        if ret.year == YEARS[-1] and position in _WAITING:
            continue
        if ret.year == YEARS[-1] and position == _SENT_BACK:
            out.append(DemoAppraisal(ret.unit.id, ret.year, False,
                                     f"Đề nghị bổ sung minh chứng cho {len(changes)} chỉ số tự đánh giá Xanh lá, Vàng"))
            continue
        out.append(DemoAppraisal(ret.unit.id, ret.year, True, f"Điều chỉnh {len(changes)} chỉ số", changes))
    return tuple(out)


def apply_demo_appraisals(store: Store) -> int:
    """Record :func:`demo_appraisals` in ``store`` (holding the demo returns, none appraised yet) as the illustrative
    appraiser; returns how many were decided."""
    book = Appraisals(store)
    queue = book.queue()
    ids = {(u, int(y)): int(s) for u, y, s in zip(queue["unit_id"], queue["year"], queue["submission_id"], strict=True)}
    decided = 0
    for appraisal in demo_appraisals():
        sid = ids.get((appraisal.unit_id, appraisal.year))
        if sid is None:
            continue
        book.start(APPRAISER, sid)
        if appraisal.changes:
            book.save(APPRAISER, sid, appraisal.changes)
        if appraisal.accepted:
            book.accept(APPRAISER, sid, appraisal.comment)
        else:
            book.send_back(APPRAISER, sid, appraisal.comment)
        decided += 1
    return decided
