"""Column mappings staff confirm once for a layout the reader could not infer, applied to every later file
with the same layout.

A layout is known by its fingerprint: the texts of its header row, each with its column (the rows above
it, the unit's name and the year, differ from file to file and do not count). A :class:`LayoutMapping`
says which column holds what under that header; the reader looks for one before inferring a layout and
says so when it used one (``layout_mapped``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from lgqa_metrics.domain.issues import Issue
from lgqa_metrics.domain.ratings import Rating, is_blank
from lgqa_metrics.intake.cells import text_of
from lgqa_metrics.intake.phrases import folded_words
from lgqa_metrics.intake.sheets import SheetData, column_letters

#: The roles staff can give a column (besides the colour columns).
MAPPABLE_ROLES: Final = ("code", "name", "code_name", "rating", "evidence", "note", "stt")
#: Rows searched for a header whose layout has a mapping.
SEARCH_ROWS: Final = 80


@dataclass(frozen=True)
class LayoutMapping:
    """Which column holds what under a header: ``columns`` role → 0-based column; ``colours`` column →
    rating for one column per colour; who confirmed it and when (ISO text)."""

    fingerprint: str
    headers: tuple[str, ...]
    columns: Mapping[str, int]
    colours: Mapping[int, Rating] = field(default_factory=dict)
    confirmed_by: str = ""
    confirmed_at: str = ""

    def problems(self) -> tuple[str, ...]:
        """What makes the mapping unusable (keys of ``mapping.need_*`` messages); empty when it can be used."""
        out: list[str] = []
        if not any(r in self.columns for r in ("code", "name", "code_name")):
            out.append("key")
        if "rating" not in self.columns and len(self.colours) < 2:
            out.append("rating")
        used = [*self.columns.values(), *self.colours]
        if len(used) != len(set(used)):
            out.append("distinct")
        return tuple(out)

    def to_json(self) -> str:
        """The columns and colours as stored."""
        return json.dumps({"columns": dict(self.columns), "colours": {str(c): r.value for c, r in self.colours.items()}},
                          ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, fingerprint: str, headers: str, body: str, by: str = "", at: str = "") -> LayoutMapping:
        """A mapping as stored (:meth:`to_json`; ``headers`` a JSON list)."""
        data = json.loads(body)
        return cls(fingerprint, tuple(json.loads(headers)), {str(k): int(v) for k, v in data["columns"].items()},
                   {int(c): Rating(r) for c, r in data.get("colours", {}).items()}, by, at)


@dataclass(frozen=True)
class HeaderRow:
    """A sheet's header row: its 0-based row, each column's title and the layout's fingerprint."""

    sheet: str
    row: int
    headers: tuple[str, ...]
    fingerprint: str

    def choices(self) -> list[tuple[int, str]]:
        """Each column as staff choose it: (column, "D — Kết quả")."""
        return [(c, f"{column_letters(c + 1)} — {h}" if h else column_letters(c + 1)) for c, h in enumerate(self.headers)]


def fingerprint(headers: Sequence[str]) -> str:
    """The fingerprint of a header row: its titles (without case, diacritics or punctuation) with their columns."""
    body = [[c, folded_words(h)] for c, h in enumerate(headers) if folded_words(h)]
    return hashlib.sha256(json.dumps(body).encode()).hexdigest()[:32]


def header_row(sheet: SheetData, row: int, width: int | None = None) -> HeaderRow:
    """The header row ``row`` of ``sheet`` (a two-row header's first row: its titles over the second's)."""
    values = sheet.rows[row] if 0 <= row < len(sheet.rows) else []
    below = sheet.rows[row + 1] if 0 <= row + 1 < len(sheet.rows) else []
    size = width or max(len(values), len(below))
    headers = []
    for c in range(size):
        top = text_of(values[c]) if c < len(values) else ""
        sub = text_of(below[c]) if c < len(below) and isinstance(below[c], str) else ""
        headers.append(top or sub)
    while headers and not headers[-1]:
        headers.pop()
    return HeaderRow(sheet.name, row, tuple(headers), fingerprint(headers))


def find_mapped(sheet: SheetData, mappings: Mapping[str, LayoutMapping]) -> tuple[HeaderRow, LayoutMapping] | None:
    """The first header row of ``sheet`` whose layout has a mapping, with the mapping."""
    if not mappings:
        return None
    for r in range(min(len(sheet.rows), SEARCH_ROWS)):
        if sum(isinstance(v, str) and not is_blank(v) for v in sheet.rows[r]) < 2:
            continue
        header = header_row(sheet, r)
        if header.fingerprint in mappings:
            return header, mappings[header.fingerprint]
    return None


def layout_choices(data: bytes, sheet: str, row: int) -> tuple[list[str], list[str], str]:
    """What staff choose from in a workbook: its visible sheets' names, the titles of ``row`` (0-based) of
    ``sheet`` (the first visible sheet when it has none of that name) and that header's fingerprint. Plain
    values, so that it can run in the reader's worker (:func:`lgqa_metrics.intake.safety.call_isolated`)."""
    from lgqa_metrics.intake.sniff import sniff
    from lgqa_metrics.intake.workbook import load_workbook

    book = load_workbook(data, sniff(data))
    sheets = [s for s in book.sheets if s.visible and not s.too_large]
    chosen = next((s for s in sheets if s.name == sheet), sheets[0] if sheets else None)
    if chosen is None:
        return [], [], ""
    header = header_row(chosen, row)
    return [s.name for s in sheets], list(header.headers), header.fingerprint


def proposal(headers: Sequence[str], columns: Mapping[str, int | None], colours: Mapping[Rating, int | None]
             ) -> LayoutMapping:
    """The mapping staff propose: each role's column (None: no column), each colour's column."""
    return LayoutMapping(fingerprint(headers), tuple(headers),
                         {role: col for role, col in columns.items() if col is not None},
                         {col: rating for rating, col in colours.items() if col is not None})


def ambiguous_place(issues: Sequence[Issue]) -> tuple[str, int] | None:
    """The sheet and 0-based header row of a file's ``layout_ambiguous`` issue ("A8:F8" → row 7), or ("", 0)
    when no table was found at all; None when the file's layout needs no mapping."""
    for issue in issues:
        if issue.code == "layout_ambiguous":
            digits = "".join(ch for ch in issue.cell.split(":")[0] if ch.isdigit())
            return issue.sheet, int(digits) - 1 if digits else 0
        if issue.code == "no_table":
            return "", 0
    return None
