"""Layout inference: which column of a sheet holds what, decided from what the columns hold, with the
header words as a tie-breaker.

For each candidate header row (a row whose cells read as column titles, or the row above the first cell
that holds an indicator code or name) the columns below it are profiled: the share of their cells that
are indicator codes (text or numbers), codes with a name, catalogue names (exact or similar), rating
words, marks, runs of row numbers, free text. Each role gets a score per column — what the column holds,
plus the weight of the header phrase over it (:mod:`lgqa_metrics.intake.phrases`) — and the one-to-one
assignment of roles to columns with the best total is chosen. Columns headed by the scale's colour words
and holding marks are the colour columns; columns headed by unit names make a consolidation sheet.

The result is a :class:`Layout` with a confidence and a reason per role, or an :class:`Unreadable`
saying what each column seemed to hold when no assignment is good enough, or None for a sheet that holds
no indicator table at all.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Final

from lgqa_metrics.domain.catalogue import Catalogue
from lgqa_metrics.domain.ratings import Rating, is_blank, rating_of_fill
from lgqa_metrics.domain.units import Unit, UnitRegistry
from lgqa_metrics.intake.cells import (
    FREE_TEXT_CHARS,
    NAME_SIMILARITY,
    NameIndex,
    code_in_text,
    colour_word,
    group_quadrant,
    is_signature_text,
    is_summary_text,
    kind_of,
    text_of,
)
from lgqa_metrics.intake.phrases import NO_MATCH, HeaderMatch, HeaderPhrases
from lgqa_metrics.intake.sheets import SheetData, column_letters

#: Longest text read as a column title.
MAX_TITLE_CHARS: Final = 80
#: Rows searched for the table's header.
HEADER_SCAN_ROWS: Final = 80
#: Data rows profiled below a header (a return has 39 indicators and a few group rows).
PROFILE_ROWS: Final = 80
#: How much a header phrase adds to what a column holds (0 to 1 each): content decides, headers tip.
HEADER_WEIGHT: Final = 0.6
#: Least score for a role to be given a column at all.
MIN_SCORE: Final = 0.3
#: Least share of a table's rows that must name indicators for the sheet to hold a table.
MIN_KEY_SHARE: Final = 0.4
#: Least share of rating values in the rating column (else the column holds something else).
MIN_RATING_SHARE: Final = 0.3
#: Free text in at least this share of a table's rows makes a column one of evidence or notes, and one given
#: no role a column the reader leaves aside (and says so).
MIN_TEXT_SHARE: Final = 0.05
#: Below this confidence two columns are alike for a role: the key's or the rating's is then not chosen at all.
TIE: Final = 0.05
#: Below this confidence a role's column is reported as assumed.
LOW_CONFIDENCE: Final = 0.3
#: The roles a column can be given, the indicator's key roles first.
ROLES: Final = ("code", "code_name", "name", "stt", "rating", "evidence", "note")
KEY_ROLES: Final = ("code", "code_name", "name")
#: Rows that must name an indicator for a sheet to count as a table of its own.
MIN_INDICATOR_ROWS: Final = 4


@dataclass(frozen=True, slots=True)
class ColumnProfile:
    """What one column holds below the header: shares of the table's rows."""

    column: int
    header: str
    match: HeaderMatch
    colour: Rating | None
    cells: float  # non-blank
    codes: float  # catalogue codes as text
    numbers: float  # numbers that can be codes (1.1, 2.3)
    code_names: float  # a code and a name in one cell
    names: float  # catalogue names written as the catalogue writes them
    similar: float  # names in other words, similar to a catalogue name
    ratings: float  # rating words
    marks: float  # ticks
    run: float  # row numbers in a run
    text: float  # free text
    fills: float = 0.0  # rating fills (only once fills are read)
    samples: tuple[str, ...] = ()  # a few of its values, for messages

    def content(self, role: str) -> float:
        """How well what the column holds fits ``role`` (0 to 1)."""
        if role == "code":
            return max(self.codes, self.numbers)
        if role == "code_name":
            return self.code_names
        if role == "name":
            return max(self.names, 0.9 * self.similar)
        if role == "stt":
            return self.run
        if role == "rating":
            return max(self.ratings, self.fills)
        if role in ("evidence", "note"):  # any free text may be evidence or a note (many rows leave them blank)
            return 0.3 + 0.2 * self.text if self.text >= MIN_TEXT_SHARE else 0.0
        return 0.0

    def score(self, role: str) -> float:
        """What the column holds plus what its header says for ``role`` (less what it says for none)."""
        return self.content(role) + HEADER_WEIGHT * (self.match.weight(role) - self.match.weight("other"))

    def holds(self) -> str:
        """The kind of value the column mostly holds (a key of ``layout.holds_*`` messages)."""
        shares = {"codes": max(self.codes, self.numbers), "code_names": self.code_names,
                  "names": max(self.names, self.similar), "ratings": self.ratings, "marks": self.marks,
                  "numbers": self.run, "text": self.text, "fills": self.fills}
        kind = max(shares, key=shares.__getitem__)
        return kind if shares[kind] >= 0.3 else ("blank" if self.cells < 0.1 else "other")


@dataclass(frozen=True, slots=True)
class RoleChoice:
    """One role's column, how sure the choice is and why (a ``layout.holds_*`` kind and the header phrase)."""

    role: str
    column: int
    score: float
    confidence: float
    holds: str
    header: str
    phrase: str


@dataclass(frozen=True)
class Layout:
    """Where a sheet's indicator table is and which column holds what."""

    header_rows: tuple[int, ...]  # 0-based rows of the header (none for a table without one)
    first_data_row: int
    columns: Mapping[str, int]  # role -> 0-based column
    colour_columns: Mapping[int, Rating] = field(default_factory=dict)
    unit_columns: Mapping[int, Unit] = field(default_factory=dict)  # a consolidation sheet's units
    choices: tuple[RoleChoice, ...] = ()
    width: int = 0
    headers: tuple[str, ...] = ()  # each column's header text as read
    unread: tuple[int, ...] = ()  # columns of free text given no role (content the reader leaves aside)

    @property
    def header_row(self) -> int:
        """The header's last row (the one right above the data), or the row above the data."""
        return self.header_rows[-1] if self.header_rows else self.first_data_row - 1

    @property
    def confidence(self) -> float:
        """The least confidence of the roles that identify an indicator and its rating."""
        needed = [c.confidence for c in self.choices if c.role in (*KEY_ROLES, "rating")]
        return min(needed, default=1.0)

    def column(self, role: str) -> int | None:
        """The column of ``role``, or None."""
        return self.columns.get(role)

    def header_cell(self, column: int) -> str:
        """The A1 reference of a column's header cell."""
        return f"{column_letters(column + 1)}{self.header_row + 1}"


@dataclass(frozen=True)
class Unreadable:
    """A sheet that holds an indicator table whose columns could not be told apart: what each seemed to hold."""

    header_row: int
    profiles: tuple[ColumnProfile, ...]
    missing: tuple[str, ...]  # what is missing: "key", "rating", or "tie" (two columns alike for ``role``)
    role: str = ""


#: Reads a sheet's fills (cell → RRGGBB) when layout inference needs them (ratings shown only as fills).
FillReader = Callable[[], Mapping[tuple[int, int], str]]


@dataclass(frozen=True)
class _Candidate:
    header_rows: tuple[int, ...]
    first_data_row: int


def infer_layout(sheet: SheetData, catalogue: Catalogue, phrases: HeaderPhrases, names: NameIndex,
                 fills: FillReader, registry: UnitRegistry | None = None) -> Layout | Unreadable | None:
    """The layout of ``sheet``'s indicator table (see the module's docstring)."""
    best: tuple[float, Layout] | None = None
    unreadable: Unreadable | None = None
    for candidate in _candidates(sheet, catalogue, phrases):
        rows = _table_rows(sheet, candidate, catalogue)
        if not rows:
            continue
        found = _assign(candidate, rows, _profiles(sheet, rows, candidate, catalogue, phrases, names), fills,
                        registry)
        if isinstance(found, Unreadable):
            unreadable = unreadable or found
            continue
        if found is None:
            continue
        total, layout = found
        if best is None or total > best[0] + 1e-9:
            best = (total, layout)
    if best is not None:
        return best[1]
    return unreadable


def with_columns(sheet: SheetData, header_row: int, columns: Mapping[str, int],
                 colour_columns: Mapping[int, Rating] | None = None) -> Layout:
    """A layout as staff confirmed it: ``columns`` (role → column) under ``header_row``, every choice sure."""
    width = max((len(r) for r in sheet.rows[header_row + 1: header_row + 1 + PROFILE_ROWS]), default=0)
    headers = tuple(text_of(v) for v in (sheet.rows[header_row] if header_row < len(sheet.rows) else []))
    choices = tuple(RoleChoice(role, col, 1.0, 1.0, "confirmed", headers[col] if col < len(headers) else "", "")
                    for role, col in columns.items())
    return Layout((header_row,), header_row + 1, dict(columns), dict(colour_columns or {}), {}, choices, width,
                  headers)


# --- where the header is ------------------------------------------------------------------------------


def _header_like(row: Sequence[object], phrases: HeaderPhrases) -> bool:
    """True when a row's cells read as column titles: two roles named, or one and two colour words."""
    texts = [v for v in row if isinstance(v, str) and v.strip() and len(v) <= MAX_TITLE_CHARS]
    if len(texts) < 2:
        return False
    roles: set[str] = set()
    colours = 0
    for text in texts:
        if colour_word(text) is not None:
            colours += 1
            continue
        match = phrases.match(text)
        roles.update(r for r, w in match.weights.items() if w >= 0.5)
    return len(roles) >= 2 or (len(roles) >= 1 and colours >= 2)


def _sub_header(row: Sequence[object], phrases: HeaderPhrases, catalogue: Catalogue) -> bool:
    """True when a row under a header is its second level: only titles or colour words, no data."""
    texts = [v for v in row if not is_blank(v)]
    if not texts:
        return False
    for value in texts:
        if not isinstance(value, str):
            return False
        if colour_word(value) is None and not phrases.match(value).weights:
            return False
        if code_in_text(text_of(value), catalogue) or catalogue.code_for_name(value, fuzzy=False):
            return False
    return True


def _numbering_row(row: Sequence[object]) -> bool:
    """True for the row of column numbers many forms put under the header: "(1) (2) (3)", "A B 1 2"."""
    values = [text_of(v) for v in row if not is_blank(v)]
    if len(values) < 2:
        return False
    bracketed = all(v.startswith("(") and v.endswith(")") and v[1:-1].isalnum() and len(v) <= 4 for v in values)
    return bracketed or (len(values) >= 3 and all(len(v) <= 2 and v.isalnum() for v in values))


def _indicator_like(row: Sequence[object], catalogue: Catalogue) -> bool:
    """True when a cell of the row is an indicator's code or name."""
    return any(kind_of(v, catalogue) in _INDICATOR_KINDS for v in row)


_INDICATOR_KINDS: Final = frozenset({"code", "number_code", "code_name", "name"})


def _candidates(sheet: SheetData, catalogue: Catalogue, phrases: HeaderPhrases) -> list[_Candidate]:
    """Header rows worth profiling: rows of titles, and the row above the first row naming an indicator."""
    rows = sheet.rows
    first = next((r for r in range(min(len(rows), HEADER_SCAN_ROWS + PROFILE_ROWS))
                  if _indicator_like(rows[r], catalogue)), None)
    last = min(len(rows), HEADER_SCAN_ROWS if first is None else first)  # a header stands above the data
    tops = [r for r in range(last) if _header_like(rows[r], phrases)]
    if first is not None:
        above = first - 1
        while above >= 0 and (not _filled(rows[above]) or _group_row(_filled(rows[above]), catalogue)
                              or _numbering_row(rows[above])):
            above -= 1
        if above >= 0 and above not in tops and not any(t + 1 == above for t in tops):
            tops.append(above)
        if above < 0 or (first - above > 3 and above not in tops):
            tops.append(-1)  # no header: the data start at the first indicator
    out: list[_Candidate] = []
    seconds: set[int] = set()  # the second row of a two-row header is no header of its own
    for top in sorted(set(tops)):
        if top in seconds:
            continue
        if top < 0:
            out.append(_Candidate((), first if first is not None else 0))
            continue
        nxt = top + 1
        header: tuple[int, ...] = (top,)
        if nxt < len(rows) and _sub_header(rows[nxt], phrases, catalogue):
            header = (top, nxt)
            seconds.add(nxt)
            nxt += 1
        while nxt < len(rows) and _numbering_row(rows[nxt]):
            nxt += 1
        out.append(_Candidate(header, nxt))
    return out


def _signature_block(filled: Sequence[object]) -> bool:
    """True for a row (its non-blank cells) of the signature block: at least half its cells are a signature's
    words (a data row whose evidence quotes "Chủ tịch UBND" is not one)."""
    return 2 * sum(is_signature_text(v) for v in filled) >= len(filled)


def _summary_row(filled: Sequence[object]) -> bool:
    """True for a total or count row (its non-blank cells) under the table ("Tổng số chỉ số Xanh lá")."""
    return isinstance(filled[0], str) and is_summary_text(filled[0])


def _group_row(filled: Sequence[object], catalogue: Catalogue) -> bool:
    """True for a quadrant's group row (its non-blank cells): a Roman numeral or a quadrant's name."""
    return len(filled) <= 3 and group_quadrant(tuple(text_of(v) for v in filled), catalogue) is not None


def _filled(row: Sequence[object]) -> list[object]:
    return [v for v in row if not is_blank(v)]


# --- what each column holds ---------------------------------------------------------------------------


def _column_headers(sheet: SheetData, candidate: _Candidate, width: int) -> list[tuple[str, str]]:
    """Each column's own title and the group title spanning it (a two-row header: "Kết quả" over "Đỏ")."""
    if not candidate.header_rows:
        return [("", "")] * width
    top = [text_of(v) for v in sheet.rows[candidate.header_rows[0]]] + [""] * width
    if len(candidate.header_rows) == 1:
        return [(top[c], "") for c in range(width)]
    sub = [text_of(v) for v in sheet.rows[candidate.header_rows[1]]] + [""] * width
    out: list[tuple[str, str]] = []
    group = ""
    for c in range(width):
        if top[c]:
            group = top[c] if sub[c] else ""
            out.append((sub[c], top[c]) if sub[c] else (top[c], ""))
        elif sub[c]:
            out.append((sub[c], group))
        else:
            group = ""
            out.append(("", ""))
    return out


def _table_rows(sheet: SheetData, candidate: _Candidate, catalogue: Catalogue) -> list[int]:
    """The rows profiled: non-blank rows under the header, not group rows, up to a signature block."""
    out: list[int] = []
    for r in range(candidate.first_data_row, min(len(sheet.rows), candidate.first_data_row + PROFILE_ROWS)):
        filled = _filled(sheet.rows[r])
        if not filled:
            continue
        if _signature_block(filled):
            if out:
                break
            continue
        if _group_row(filled, catalogue) or _summary_row(filled):
            continue
        out.append(r)
    return out


def _profiles(sheet: SheetData, rows: Sequence[int], candidate: _Candidate, catalogue: Catalogue,
              phrases: HeaderPhrases, names: NameIndex) -> tuple[ColumnProfile, ...]:
    """Every column's profile over ``rows``."""
    width = max(len(sheet.rows[r]) for r in rows)
    headers = _column_headers(sheet, candidate, width)
    profiles = tuple(_profile(sheet, rows, c, headers[c], catalogue, phrases) for c in range(width))
    return _with_similar_names(profiles, sheet, rows, names)


def _profile(sheet: SheetData, rows: Sequence[int], c: int, header: tuple[str, str], catalogue: Catalogue,
             phrases: HeaderPhrases) -> ColumnProfile:
    """Count what column ``c`` holds in ``rows``."""
    n = len(rows)
    cells = codes = numbers = code_names = exact = ratings = marks = run = 0
    previous: float | None = None
    samples: list[str] = []
    free = 0
    for r in rows:
        value = sheet.value(r, c)
        kind = kind_of(value, catalogue)
        if kind == "blank":
            continue
        cells += 1
        if len(samples) < 3:
            samples.append(text_of(value)[:40])
        if kind == "row_number":
            number = float(text_of(value).rstrip("."))
            run += previous is None or number == previous + 1 or number == 1
            previous = number
            marks += number == 1
        else:
            codes += kind == "code"
            numbers += kind == "number_code"
            code_names += kind == "code_name"
            ratings += kind == "rating"
            marks += kind == "mark"
            exact += kind == "name"
            free += kind == "text"
    own, group = header
    match = phrases.match(own) if own else NO_MATCH
    if not match.weights and group:
        match = phrases.match(group)
    title = " / ".join(x for x in (group, own) if x)
    return ColumnProfile(c, title, match, colour_word(own), cells / n, codes / n, numbers / n, code_names / n,
                         exact / n, exact / n, ratings / n, marks / n, run / n, free / n, samples=tuple(samples))


def _with_similar_names(profiles: tuple[ColumnProfile, ...], sheet: SheetData, rows: Sequence[int],
                        names: NameIndex) -> tuple[ColumnProfile, ...]:
    """When no column names indicators as the catalogue writes them or codes them: the share of each text
    column's longer texts that are similar to a catalogue name (names in other words)."""
    if any(p.content(role) >= MIN_KEY_SHARE for p in profiles for role in KEY_ROLES):
        return profiles
    out = []
    for p in profiles:
        if p.text < MIN_KEY_SHARE:
            out.append(p)
            continue
        texts = [t for r in rows if isinstance(v := sheet.value(r, p.column), str)
                 and len(t := text_of(v)) >= FREE_TEXT_CHARS][:12]
        share = sum(names.closest(t)[1] >= NAME_SIMILARITY for t in texts) / len(texts) if texts else 0.0
        out.append(replace(p, similar=p.names + share * p.text, text=p.text * (1 - share)))
    return tuple(out)


# --- choosing the columns -----------------------------------------------------------------------------


def _colour_columns(profiles: Sequence[ColumnProfile]) -> dict[int, Rating]:
    """Columns headed by a colour word and holding only marks (or nothing): one column per colour."""
    found: dict[int, Rating] = {}
    for p in profiles:
        if p.colour is not None and p.colour not in found.values() and p.cells - p.marks < 0.1:
            found[p.column] = p.colour
    return found if len(found) >= 2 else {}


def _unit_columns(profiles: Sequence[ColumnProfile], registry: UnitRegistry | None) -> dict[int, Unit]:
    """Columns headed by a registered unit's name and holding ratings: a district's consolidation sheet."""
    if registry is None:
        return {}
    found: dict[int, Unit] = {}
    for p in profiles:
        if p.header and p.cells >= 0.3 and not p.match.weights:
            unit = registry.match(p.header.split(" / ")[-1])
            if unit is not None and unit.id not in {u.id for u in found.values()}:
                found[p.column] = unit
    return found if len(found) >= 2 else {}


def _best_assignment(scores: Mapping[str, Sequence[tuple[float, int]]]) -> tuple[float, dict[str, int]]:
    """The one-to-one assignment of roles to columns with the best total score (branch and bound over each
    role's options, best first; a role may stay without a column)."""
    roles = [r for r in ROLES if scores.get(r)]
    ceiling = [sum(scores[r][0][0] for r in roles[i:]) for i in range(len(roles))] + [0.0]
    best: list[tuple[float, dict[str, int]]] = [(0.0, {})]

    def search(i: int, total: float, used: frozenset[int], chosen: dict[str, int]) -> None:
        if total + ceiling[i] <= best[0][0] + 1e-9:
            return
        if i == len(roles):
            best[0] = (total, dict(chosen))
            return
        role = roles[i]
        for score, column in scores[role]:
            if column not in used:
                chosen[role] = column
                search(i + 1, total + score, used | {column}, chosen)
                del chosen[role]
        search(i + 1, total, used, chosen)

    search(0, 0.0, frozenset(), {})
    return best[0]


def _assign(candidate: _Candidate, rows: Sequence[int], profiles: tuple[ColumnProfile, ...], fills: FillReader,
            registry: UnitRegistry | None) -> tuple[float, Layout] | Unreadable | None:
    """The best layout under ``candidate``, an :class:`Unreadable` when its rows name indicators but no
    rating could be placed, or None when they name none."""
    colours = _colour_columns(profiles)
    units = {} if colours else _unit_columns(profiles, registry)
    if not colours and not units and not any(p.ratings >= MIN_RATING_SHARE for p in profiles):
        profiles = _with_fills(profiles, rows, fills)
    taken = set(colours) | set(units)
    scores: dict[str, list[tuple[float, int]]] = {}
    for role in ROLES:
        if role == "rating" and (colours or units):
            continue
        if role in ("evidence", "note") and units:
            continue
        options = sorted(((p.score(role), p.column) for p in profiles if p.column not in taken), reverse=True)
        scores[role] = [(s, c) for s, c in options if s >= MIN_SCORE][:4]
    total, columns = _best_assignment(scores)
    by_column = {p.column: p for p in profiles}
    key = [r for r in KEY_ROLES if r in columns and by_column[columns[r]].content(r) >= MIN_KEY_SHARE]
    if not key:
        indicator_rows = max((p.content(r) for p in profiles for r in KEY_ROLES), default=0.0)
        if indicator_rows >= MIN_KEY_SHARE:
            return Unreadable(candidate.header_rows[-1] if candidate.header_rows else candidate.first_data_row - 1,
                              profiles, ("key",))
        return None
    for role in KEY_ROLES:  # a weaker key column beside a strong one is only a name shown with the code
        if role in columns and role not in key:
            del columns[role]
    rating_col = columns.get("rating")
    if not colours and not units and (rating_col is None or _holds_other_than_ratings(by_column[rating_col])):
        return Unreadable(candidate.header_rows[-1] if candidate.header_rows else candidate.first_data_row - 1,
                          profiles, ("rating",))
    placed = set(columns.values()) | taken
    choices = tuple(_choice(role, col, scores, by_column, placed) for role, col in columns.items())
    for choice in choices:  # two columns alike for a role that decides the ratings: never pick one silently
        if choice.role in (*KEY_ROLES, "rating") and choice.confidence < TIE:
            return Unreadable(candidate.header_rows[-1] if candidate.header_rows else candidate.first_data_row - 1,
                              profiles, ("tie",), choice.role)
    unread = tuple(p.column for p in profiles
                   if p.column not in placed and p.text >= MIN_TEXT_SHARE and not p.match.weight("other"))
    layout = Layout(candidate.header_rows, candidate.first_data_row, columns, colours, units, choices,
                    len(profiles), tuple(p.header for p in profiles), unread)
    return total + len(colours) + len(units), layout  # a colour or unit column counts as one role found


def _holds_other_than_ratings(profile: ColumnProfile) -> bool:
    """True when most of a rating column's values are no rating (a column left blank is a blank return)."""
    return profile.cells >= MIN_RATING_SHARE and profile.content("rating") < profile.cells / 2


def _choice(role: str, column: int, scores: Mapping[str, Sequence[tuple[float, int]]],
            by_column: Mapping[int, ColumnProfile], placed: set[int]) -> RoleChoice:
    """How sure the choice of ``column`` for ``role`` is: its score less the best score of a column left
    without a role, at most 1. Evidence and notes look alike: without a header naming them they are only
    told apart by position, and that is never sure."""
    own = next(s for s, c in scores[role] if c == column)
    rival = max((s for s, c in scores[role] if c != column and c not in placed), default=0.0)
    p = by_column[column]
    confidence = max(0.0, min(1.0, own - rival))
    if role in ("evidence", "note") and p.match.weight(role) == 0:
        confidence = min(confidence, LOW_CONFIDENCE / 2)
    return RoleChoice(role, column, own, confidence, p.holds(), p.header, p.match.phrase)


def _with_fills(profiles: tuple[ColumnProfile, ...], rows: Sequence[int], fills: FillReader
                ) -> tuple[ColumnProfile, ...]:
    """The profiles with each column's share of rating fills (read only when no column holds rating words)."""
    cells = fills()
    if not cells:
        return profiles
    wanted = set(rows)
    counts: dict[int, int] = {}
    for (r, c), colour in cells.items():
        if r in wanted and rating_of_fill(colour) is not None:
            counts[c] = counts.get(c, 0) + 1
    return tuple(replace(p, fills=counts.get(p.column, 0) / len(rows)) for p in profiles)
