"""What the reader hands on: each indicator's rating as reported, one return, everything read from a file.

These are the only classes (with :class:`~lgqa_metrics.domain.issues.Issue`) that the reader's worker process may
send back (:mod:`lgqa_metrics.intake.safety`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from lgqa_metrics.domain.issues import Issue, has_errors
from lgqa_metrics.domain.ratings import Rating


class RatingRow(NamedTuple):
    """One indicator's rating as reported, with its evidence and note and the cell it was read from."""

    code: str
    rating: Rating
    raw: str
    evidence: str
    note: str
    cell: str


@dataclass(frozen=True)
class ParsedReturn:
    """One return (one unit, one year) read from one sheet, several sheets (one per quadrant) or one column of
    a consolidation sheet; ``sheet`` says where ("Tổng hợp!D" for a column)."""

    file: str
    sheet: str
    unit_id: str | None
    year: int | None
    ratings: tuple[RatingRow, ...]
    issues: tuple[Issue, ...]

    @property
    def accepted(self) -> bool:
        """True when the return has no error."""
        return not has_errors(self.issues)

    @cached_property
    def fingerprint(self) -> str:
        """A hash of the return's content: unit, year, ratings, evidence and notes."""
        body = [self.unit_id, self.year,
                sorted([(r.code, r.rating.value, r.evidence, r.note) for r in self.ratings])]
        return hashlib.sha256(json.dumps(body, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True)
class ReadResult:
    """Everything read from one file: its returns, or the file-level issues when none was found."""

    file: str
    sha256: str
    kind: str
    returns: tuple[ParsedReturn, ...]
    issues: tuple[Issue, ...] = ()
