"""Reading an indicator table's rows once its layout is known.

Three steps: each row is sorted out on its own (a group row, a summary or signature row, or an indicator's
line with whatever its code and name cells say); the lines' indicators are then settled together (a
number 1.1 that is 1.10 by its place, names in other words matched by similarity and confirmed by their
order within the quadrant, so that a deleted row leaves its indicator missing and shifts nothing); last,
each line's rating is read from its word, its mark or its cell's fill. Every assumption is a warning at
its cell.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from lgqa_metrics.domain.catalogue import Catalogue, code_key
from lgqa_metrics.domain.evidence import EvidenceRule, EvidenceStatus, default_rule
from lgqa_metrics.domain.i18n import Phrase
from lgqa_metrics.domain.issues import Issue, make_issue
from lgqa_metrics.domain.ratings import COLOURS, Rating, is_blank, is_mark, rating_of_fill
from lgqa_metrics.domain.textnorm import clean_once
from lgqa_metrics.intake.cells import (
    FREE_TEXT_CHARS,
    NAME_SIMILARITY,
    NameIndex,
    code_and_name,
    code_in_text,
    group_quadrant,
    is_signature_row,
    is_summary_text,
    looks_like_code,
    numeric_codes,
    rating_word,
    text_of,
)
from lgqa_metrics.intake.layout import Layout
from lgqa_metrics.intake.records import RatingRow
from lgqa_metrics.intake.sheets import SheetData, a1

#: Least similarity for a name to be matched against its order alone (a row of other wording between two
from lgqa_metrics.intake.workbook import WorkbookData

#: Least similarity for a name to be matched against its order alone (a row of other wording between two
#: known rows); below :data:`NAME_SIMILARITY` such a match is reported as read by position.
_ORDER_FLOOR: Final = 0.15
#: What a match adds in the order alignment, so that equal rows and indicators pair up rather than skip.
_MATCH_BONUS: Final = 0.2
#: Letters of a consolidation sheet's legend when it has none ("Đ / V / X / -").
DEFAULT_LEGEND: Final = {"đ": Rating.RED, "d": Rating.RED, "v": Rating.YELLOW, "x": Rating.GREEN,
                         "-": Rating.NA, "kad": Rating.NA}
_LEGEND_PAIR: Final = re.compile(
    r"(?<![\w])([^\s:=;,()]{1,3})\s*[:=–-]\s*(đỏ|vàng|xanh lá cây|xanh lá|xanh|không áp dụng|kad|n/a)(?![\w])",
    re.IGNORECASE)


@dataclass(frozen=True)
class TableRead:
    """The rows read from one table (or one unit's column of a consolidation sheet)."""

    rows: tuple[RatingRow, ...]
    issues: tuple[Issue, ...]
    failed: frozenset[str]  # codes whose row has an error (so not also reported missing)


@dataclass
class _Line:
    """One row that may be an indicator's, with what its cells say."""

    row: int
    code: str | None = None  # settled by a code cell, a code in the name cell or the exact name
    options: tuple[str, ...] = ()  # a number in the code cell: the codes it can stand for (1.1 or 1.10)
    number: int | None = None  # a whole number in the code cell: the indicator's number within its quadrant
    name: str = ""
    by_name: str | None = None  # the indicator its name is, written as the catalogue writes it
    quadrant: int | None = None  # the quadrant of the group row above
    cited_code: str | None = None  # the code the code or name cell gives, before the name is compared
    by_position: bool = False


@dataclass
class TableReader:
    """Reads the table of ``sheet`` laid out as ``layout``."""

    book: WorkbookData
    sheet: SheetData
    layout: Layout
    file: str
    catalogue: Catalogue
    names: NameIndex
    evidence_rule: EvidenceRule = field(default_factory=default_rule)
    issues: list[Issue] = field(default_factory=list)
    failed: set[str] = field(default_factory=set)
    _fills: Mapping[tuple[int, int], str] | None = None

    def issue(self, code: str, row: int, col: int | None, value: object = "", /, **fields: object) -> None:
        """Report ``code`` at ``row``, ``col``."""
        cell = a1(row, col) if col is not None else ""
        self.issues.append(make_issue(code, file=self.file, sheet=self.sheet.name, cell=cell, value=value, **fields))

    # --- step 1: each row on its own ------------------------------------------------------------------

    def lines(self) -> list[_Line]:
        """Every row that may be an indicator's, in sheet order, up to the signature block."""
        layout, cat = self.layout, self.catalogue
        c_code, c_both, c_name = layout.column("code"), layout.column("code_name"), layout.column("name")
        c_stt = layout.column("stt")
        free_text_columns = {layout.column("evidence"), layout.column("note")}
        lines: list[_Line] = []
        quadrant: int | None = None
        for r in range(layout.first_data_row, len(self.sheet.rows)):
            values = self.sheet.rows[r]
            if all(is_blank(v) for v in values):
                continue
            if is_signature_row(v for c, v in enumerate(values) if c not in free_text_columns):
                if lines:
                    break
                continue
            line = _Line(r, quadrant=quadrant)
            code_value = self.sheet.value(r, c_code) if c_code is not None else ""
            if isinstance(code_value, str) and not is_blank(code_value):
                text = text_of(code_value)
                line.code = line.cited_code = code_in_text(text, cat)
                if line.code is None and looks_like_code(text):
                    self.issue("indicator_unknown", r, c_code, text)
                    continue
            elif isinstance(code_value, (int, float)) and not isinstance(code_value, bool):
                line.options = numeric_codes(code_value, cat)
                if float(code_value).is_integer():
                    line.number = int(code_value)
                elif not line.options:
                    self.issue("indicator_unknown", r, c_code, text_of(code_value))
                    continue
            if c_both is not None:
                text = text_of(self.sheet.value(r, c_both))
                pair = code_and_name(text, cat)
                if pair is not None:
                    line.cited_code, line.name = pair
                    line.code = line.code or pair[0]
                else:
                    line.name = text
                    line.code = line.code or code_in_text(text, cat)
            if c_name is not None:
                line.name = text_of(self.sheet.value(r, c_name))
            line.by_name = self.names.exact(line.name)
            stt = text_of(self.sheet.value(r, c_stt)) if c_stt is not None else ""
            if line.code is None and not line.options and line.by_name is None:
                texts = tuple(text_of(v) for v in values if not is_blank(v))
                found = group_quadrant(texts, cat)
                if found is not None and len(texts) <= 3:
                    quadrant = found
                    continue
                if is_summary_text(line.name or stt or (texts[0] if texts else "")):
                    continue
            if line.code is None and not line.options and line.number is None and line.by_name is None \
                    and len(line.name) < FREE_TEXT_CHARS:
                if line.name and self._has_rating_value(r):
                    self.issue("indicator_unknown", r, c_name if c_name is not None else c_both, line.name)
                continue
            lines.append(line)
        return lines

    # --- step 2: which indicator each line is ---------------------------------------------------------

    def settle(self, lines: list[_Line]) -> None:
        """Give each line its indicator: numbers by the rows around them, names by similarity and order."""
        cat = self.catalogue
        seen: set[str] = set()
        last: str | None = None
        for line in lines:
            if line.code is None and line.options:
                line.code = self._numeric(line, seen, last)
            elif line.code is None and line.number is not None and line.quadrant is not None:
                candidate = f"{line.quadrant}.{line.number}"
                line.code = candidate if cat.get(candidate) else None
            if line.code is None and line.by_name is not None:
                line.code = line.by_name
            if line.code is not None:
                seen.add(line.code)
                last = line.code
        self._align(lines)
        col = self.layout.column("name")
        if col is None:
            col = self.layout.column("code_name")
        for line in lines:
            if line.code and line.by_name and line.by_name != line.code and line.name:
                self.issue("name_mismatch", line.row, col, line.name, code=line.code, other=line.by_name)

    def _numeric(self, line: _Line, seen: set[str], last: str | None) -> str:
        """1.1 typed as a number is 1.1 or 1.10: by its name, else the second time or after a later row of
        the quadrant it is 1.10."""
        if line.by_name in line.options:
            return line.by_name
        if len(line.options) == 1:
            return line.options[0]
        short = line.options[0]
        after_later = last is not None and code_key(last) > code_key(short)
        return line.options[1] if short in seen or after_later else short

    def _align(self, lines: list[_Line]) -> None:
        """Lines still without an indicator, between two that have one, are matched in order to the
        indicators between those two by how alike their names are (never across a quadrant's edge)."""
        codes = self.catalogue.codes
        position = {c: i for i, c in enumerate(codes)}
        used = {line.code for line in lines if line.code}
        start = 0
        while start < len(lines):
            if lines[start].code is not None:
                start += 1
                continue
            end = start
            while end < len(lines) and lines[end].code is None:
                end += 1
            low = position[lines[start - 1].code] + 1 if start > 0 and lines[start - 1].code else 0  # type: ignore[index]
            high = position[lines[end].code] if end < len(lines) and lines[end].code else len(codes)  # type: ignore[index]
            gap = [c for c in codes[low:high] if c not in used]
            quadrant = next((ln.quadrant for ln in lines[start:end] if ln.quadrant), None)
            if quadrant is not None:
                gap = [c for c in gap if self.catalogue[c].quadrant == quadrant]
            for line, code, similarity in _order_match(lines[start:end], gap, self.names):
                line.code = code
                line.by_position = similarity < NAME_SIMILARITY
                used.add(code)
            start = end

    # --- step 3: the ratings ----------------------------------------------------------------------------

    def read(self) -> TableRead:
        """The table's rating rows and issues (one return)."""
        lines = self.lines()
        self.settle(lines)
        rows: dict[str, RatingRow] = {}
        c_evidence, c_note = self.layout.column("evidence"), self.layout.column("note")
        name_col = self.layout.column("name")
        if name_col is None:
            name_col = self.layout.column("code_name")
        for line in lines:
            if line.code is None:
                if self._has_rating_value(line.row) and line.name:
                    self.issue("indicator_unknown", line.row, name_col, line.name)
                continue
            if line.by_position:
                ind = self.catalogue[line.code]
                self.issue("indicator_by_position", line.row, name_col, line.name, code=line.code, name=ind.name_vi)
            rating, raw, col = self.rating(line.row, line.code)
            if rating is None:
                self.failed.add(line.code)
                continue
            evidence = _free_text(self.sheet.value(line.row, c_evidence)) if c_evidence is not None else ""
            note = _free_text(self.sheet.value(line.row, c_note)) if c_note is not None else ""
            if self.evidence_rule.status(rating, evidence, note) is EvidenceStatus.MISSING:  # at the cell to fill
                self.issue("evidence_missing", line.row, col if c_evidence is None else c_evidence, evidence,
                           code=line.code, rating=Phrase(self.catalogue.scale[rating].label("vi"),
                                                         self.catalogue.scale[rating].label("en")))
            self._keep(rows, RatingRow(line.code, rating, raw, evidence, note, a1(line.row, col)), line.row, col)
        return TableRead(tuple(rows.values()), tuple(self.issues), frozenset(self.failed))

    def read_units(self) -> dict[int, TableRead]:
        """A consolidation sheet: one table per unit column, ratings as words or legend letters."""
        lines = self.lines()
        self.settle(lines)
        shared = list(self.issues)
        legend, assumed = self._legend()
        out: dict[int, TableRead] = {}
        for col in self.layout.unit_columns:
            self.issues, self.failed = list(shared), set()
            by_letter = False
            rows: dict[str, RatingRow] = {}
            for line in lines:
                if line.code is None:
                    continue
                value = self.sheet.value(line.row, col)
                text = text_of(value)
                rating = Rating.MISSING if is_blank(value) else _word(value)
                if rating is None and text.casefold() in legend:
                    rating, by_letter = legend[text.casefold()], True
                if rating is None:
                    self.issue("rating_unknown", line.row, col, text, code=line.code)
                    self.failed.add(line.code)
                    continue
                if rating is Rating.MISSING:
                    self.issue("rating_blank", line.row, col, "", code=line.code)
                self._keep(rows, RatingRow(line.code, rating, text, "", "", a1(line.row, col)), line.row, col)
            if by_letter and assumed:
                self.issue("legend_assumed", self.layout.header_row, col, "Đ / V / X / -")
            out[col] = TableRead(tuple(rows.values()), tuple(self.issues), frozenset(self.failed))
        return out

    def _legend(self) -> tuple[dict[str, Rating], bool]:
        """The letters of the sheet's legend line ("Đ: Đỏ; V: Vàng; X: Xanh lá; -: Không áp dụng"), or the
        default letters and True when the sheet has none."""
        found: dict[str, Rating] = {}
        for row in self.sheet.rows:
            for value in row:
                if isinstance(value, str) and len(value) < 300:
                    for letter, word in _LEGEND_PAIR.findall(value):
                        rating = _word(word)
                        if rating is not None:
                            found[letter.casefold()] = rating
        return (found, False) if len(found) >= 2 else (dict(DEFAULT_LEGEND), True)

    def _keep(self, rows: dict[str, RatingRow], record: RatingRow, row: int, col: int) -> None:
        """Keep ``record`` unless its indicator came already (a repeat, or a conflict when rated otherwise)."""
        first = rows.get(record.code)
        if first is None:
            rows[record.code] = record
        elif first.rating == record.rating:
            self.issue("indicator_repeated", row, col, record.raw, code=record.code, first=first.cell)
        else:
            scale = self.catalogue.scale
            label = f"{scale[first.rating].label_vi} / {scale[record.rating].label_vi}"
            self.issue("indicator_conflict", row, col, label, code=record.code, first=first.cell)

    def _has_rating_value(self, row: int) -> bool:
        rating = self.layout.column("rating")
        cols = list(self.layout.colour_columns) or ([rating] if rating is not None else [])
        return any(not is_blank(self.sheet.value(row, c)) for c in cols)

    def rating(self, row: int, code: str) -> tuple[Rating | None, str, int]:
        """The rating of a row, its text as reported and the column it was read from (None: an error)."""
        if self.layout.colour_columns:
            return self._marked(row, code)
        col = self.layout.column("rating")
        assert col is not None
        value = self.sheet.value(row, col)
        if self._fills is None:
            self._fills = self.book.sheet_fills(self.sheet.name)
        fill = self._fills.get((row, col))
        fill_rating = rating_of_fill(fill) if fill else None
        if is_blank(value):
            if fill_rating is not None:
                return fill_rating, f"#{fill}", col
            if fill and fill.upper() not in {"FFFFFF", "000000"}:
                self.issue("fill_unrecognised", row, col, f"#{fill}", code=code)
            else:
                self.issue("rating_blank", row, col, "", code=code)
            return Rating.MISSING, "", col
        text = text_of(value)
        rating = rating_word(value)
        if rating is None or rating is Rating.MISSING:
            self.issue("rating_unknown", row, col, text, code=code)
            return None, text, col
        if fill_rating is not None and rating in COLOURS and fill_rating != rating:
            self.issue("fill_conflict", row, col, text, code=code, fill=f"#{fill}")
        return rating, text, col

    def _marked(self, row: int, code: str) -> tuple[Rating | None, str, int]:
        colours = self.layout.colour_columns
        scale = self.catalogue.scale
        marked = [(c, r) for c, r in colours.items() if is_mark(self.sheet.value(row, c))]
        stray = [(c, self.sheet.value(row, c)) for c in colours
                 if not is_blank(self.sheet.value(row, c)) and not is_mark(self.sheet.value(row, c))]
        if stray:
            col, value = stray[0]
            self.issue("rating_unknown", row, col, text_of(value), code=code)
            return None, text_of(value), col
        if len(marked) > 1:
            labels = " + ".join(scale[r].label_vi for _, r in marked)
            self.issue("rating_multiple", row, marked[0][0], labels, code=code)
            return None, labels, marked[0][0]
        if marked:
            col, rating = marked[0]
            return rating, scale[rating].label_vi, col
        first = min(colours)
        self.issue("rating_blank", row, first, "", code=code)
        return Rating.MISSING, "", first


def _word(value: object) -> Rating | None:
    rating = rating_word(value)
    return rating if rating in (*COLOURS, Rating.NA) else None


def _free_text(value: object) -> str:
    """Evidence or a note as text (cleaned, not remembered: such texts seldom recur)."""
    if is_blank(value):
        return ""
    return clean_once(value) if isinstance(value, str) else text_of(value)


def _order_match(lines: Sequence[_Line], codes: Sequence[str], names: NameIndex
                 ) -> list[tuple[_Line, str, float]]:
    """The best matching of ``lines`` to ``codes`` that keeps both in order (a row may match nothing, an
    indicator may have no row), by the lines' names' similarity to each indicator's."""
    if not lines or not codes:
        return []
    scores = [names.similarities(line.name) for line in lines]  # each line's name compared once
    sims = [[found.get(code, 0.0) for code in codes] for found in scores]
    n, m = len(lines), len(codes)
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            s = sims[i - 1][j - 1]
            pair = best[i - 1][j - 1] + s + _MATCH_BONUS if s >= _ORDER_FLOOR or n == m else float("-inf")
            best[i][j] = max(best[i - 1][j], best[i][j - 1], pair)
    out: list[tuple[_Line, str, float]] = []
    i, j = n, m
    while i and j:
        s = sims[i - 1][j - 1]
        if (s >= _ORDER_FLOOR or n == m) and abs(best[i][j] - (best[i - 1][j - 1] + s + _MATCH_BONUS)) < 1e-9:
            out.append((lines[i - 1], codes[j - 1], s))
            i, j = i - 1, j - 1
        elif abs(best[i][j] - best[i - 1][j]) < 1e-9:
            i -= 1
        else:
            j -= 1
    return out[::-1]
