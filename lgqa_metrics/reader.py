"""Read self-assessment returns from workbooks in whatever layout units send them.

The reader finds the indicator table anywhere in a sheet (title rows, motto block, merged two-row
headers, quadrant group rows, signature blocks and summary rows around it), reads one rating per
indicator from a word, a mark in one of several colour columns or the cell's fill, and identifies
the unit and year from the header block, the sheet name or the file name. Every problem becomes an
:class:`~lgqa_metrics.report.Issue`; nothing is raised for bad content.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Final, NamedTuple

from lgqa_metrics import textnorm, workbook
from lgqa_metrics.catalogue import Catalogue, code_key, default_catalogue
from lgqa_metrics.i18n import has, t
from lgqa_metrics.ratings import COLOURS, Rating, is_blank, is_mark, parse_word, rating_of_fill
from lgqa_metrics.report import Issue, has_errors, make_issue
from lgqa_metrics.sniff import sniff
from lgqa_metrics.textnorm import clean, clean_once, fold
from lgqa_metrics.units import Unit, UnitRegistry, default_registry, strip_leaders
from lgqa_metrics.workbook import SheetData, UnreadableWorkbook, WorkbookData, a1, load_workbook

MIN_YEAR: Final = 2019
HEADER_SCAN_ROWS: Final = 80
#: A sheet counts as a return when it resolves at least this many indicator rows (or is the best).
MIN_TABLE_ROWS: Final = 8

_ROLE_WORDS: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("stt", ("stt", "tt", "so tt", "so thu tu", "no", "no.")),
    ("code", ("ma chi so", "ma so", "ma", "code", "indicator code", "ky hieu", "so hieu chi so")),
    ("rating", ("ket qua tu danh gia", "ket qua danh gia", "ket qua", "tu danh gia", "danh gia", "muc danh gia",
                "xep loai", "muc do", "muc xep loai", "rating", "result", "self assessment", "assessment",
                "mau", "muc")),
    ("evidence", ("minh chung", "tai lieu kiem chung", "tai lieu minh chung", "evidence", "can cu")),
    ("note", ("ghi chu", "giai trinh", "note", "notes", "remarks", "comment", "y kien")),
    ("name", ("ten chi so", "chi so", "noi dung chi so", "noi dung", "ten", "tieu chi", "indicator",
              "indicator name", "name")),
)
_SIGNATURE: Final = ("nguoi lap bieu", "nguoi lap", "thu truong", "chu tich", "tm uy ban", "tm ubnd",
                     "xac nhan", "ky ten", "prepared by", "ky, ghi ro", "ky ghi ro ho ten")
_SIGNATURE_IN: Final = re.compile("|".join(map(re.escape, _SIGNATURE)))
_SUMMARY: Final = ("tong", "cong", "so chi so", "ty le", "total", "count", "so luong")
_ROMAN: Final = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_CODE_TEXT: Final = re.compile(r"^(?:[a-z ]{0,12}?)?([1-9])\s*[.,]\s*([0-9]{1,2})\.?$")
_CODE_LIKE: Final = re.compile(r"^(?:cs|chi so|ma)?\s*\d{1,2}\s*[.,]\s*\d{1,3}\.?$")
_YEAR_LABEL: Final = re.compile(r"(?<!thang )(?<!thang \d )(?<!thang \d\d )\b(?:nam|year|ky danh gia|ky bao cao)\s*:?\s*((?:19|20|21|22|23)\d\d|\d{3,5})\b")
#: "ngày 15 tháng 01 năm 2024", "ngày ... tháng ... năm 2024" (folded): a signing date, never the period.
_DATE_LINE: Final = re.compile(r"\bngay\b[^a-z]{0,12}\bthang\b[^a-z]{0,12}\bnam\s*\d{4}")
_YEAR_ANY: Final = re.compile(r"(?<![\d:])(20\d\d)(?!\d)")
_YEAR_IN_NAME: Final = re.compile(r"(?<!\d)(19|20)\d\d(?!\d)")
_YEAR_VALUE: Final = re.compile(r"\d{3,5}")
_NAME_SEPARATORS: Final = re.compile(r"[_\-.]+")
_GROUP_LABEL: Final = re.compile(r"^(?:goc phan tu|quadrant|nhom|linh vuc)\s*([1-4ivx]+)\b")
#: A maximal run of the characters unit ids are made of (a unit id named in a file or sheet name is one).
_ID_RUN: Final = re.compile(r"[a-z0-9-]+")
_UNIT_LIKE: Final = re.compile(r"^(?:tm )?(?:ubnd|uy ban nhan dan|quan|huyen|phuong|xa|q|h|p|x|don vi|ten don vi)\b")


class RatingRow(NamedTuple):
    """One indicator's rating as reported, with its evidence and where it was read (a named tuple: 39 are
    made for every return, and sent back from the reader's worker, several times quicker than a frozen
    dataclass)."""

    code: str
    rating: Rating
    raw: str
    evidence: str
    note: str
    cell: str


@dataclass(frozen=True)
class ParsedReturn:
    """One return (one unit, one year) read from one sheet."""

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
        """A hash of the return's content: unit, year, ratings, evidence and notes (worked out once, and by the
        reader's worker when it sends the return: see :func:`lgqa_metrics.safety.read_many`)."""
        # a rating is a str enum: it is written as its value (as .value would be, without the enum look-up)
        body = [self.unit_id, self.year,
                sorted([(code, rating, evidence, note) for code, rating, _, evidence, note, _ in self.ratings])]
        return hashlib.sha256(json.dumps(body, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True)
class ReadResult:
    """Everything read from one file: its returns, or the file-level issues when none was found."""

    file: str
    sha256: str
    kind: str
    returns: tuple[ParsedReturn, ...]
    issues: tuple[Issue, ...] = ()


@dataclass
class _Layout:
    header_row: int
    first_data_row: int
    roles: dict[str, int]
    colour_cols: dict[int, Rating] = field(default_factory=dict)


@dataclass
class _Table:
    sheet: SheetData
    layout: _Layout
    rows: list[RatingRow]
    issues: list[Issue]
    failed: set[str] = field(default_factory=set)


def _text(value: object) -> str:
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return clean(value)


def _free_text(value: object) -> str:
    """:func:`_text` of a cell whose text seldom recurs (evidence, notes): a text is cleaned without the
    cache, which would only hold it."""
    if value == "" or value is None:
        return ""
    return clean_once(value) if isinstance(value, str) else _text(value)


def _role(text: str) -> str | None:
    return _role_of(fold(text).rstrip(":").strip())


@lru_cache(maxsize=4096)
def _role_of(key: str) -> str | None:
    """The column role a folded header names (header texts recur in every return: cached)."""
    if not key or len(key) > 60:
        return None
    for role, words in _ROLE_WORDS:
        for word in words:
            if key == word or (len(word) > 3 and key.startswith(word + " ")) or (len(word) > 6 and word in key):
                return role
    return None


def _colour_word(value: object) -> Rating | None:
    key = fold(value)
    if len(key) < 2:
        return None
    rating = parse_word(value)
    return rating if rating in (*COLOURS, Rating.NA) else None


def _find_layout(sheet: SheetData) -> _Layout | None:
    for r in range(min(len(sheet.rows), HEADER_SCAN_ROWS)):
        found_roles, found_colours = _header_cells(tuple(sheet.rows[r]))
        roles = dict(found_roles)
        if not ("code" in roles or "name" in roles):
            continue
        colours = dict(found_colours)
        below: dict[int, Rating] = {}
        if r + 1 < len(sheet.rows):
            for c, value in enumerate(sheet.rows[r + 1]):
                if (word := _colour_word(value)) is not None:
                    below[c] = word
                elif (role := _role(_text(value))) and role not in roles and role != "rating":
                    roles[role] = c
        if len(below) >= 2:
            return _Layout(r, r + 2, roles, below)
        if len(colours) >= 2:
            return _Layout(r, r + 1, roles, colours)
        if "rating" in roles:
            return _Layout(r, r + 1, roles)
    return None


@lru_cache(maxsize=8192)
def _header_cells(values: tuple[object, ...]) -> tuple[tuple[tuple[str, int], ...], tuple[tuple[int, Rating], ...]]:
    """The column roles a row's texts name (the first column of each) and its colour-word columns (title
    and header rows recur in every return of a layout: cached)."""
    roles: dict[str, int] = {}
    colours: dict[int, Rating] = {}
    for c, value in enumerate(values):
        if not isinstance(value, str) or not value.strip():
            continue
        if (word := _colour_word(value)) is not None:
            colours.setdefault(c, word)
            continue
        role = _role(value)
        if role and role not in roles:
            roles[role] = c
    return tuple(roles.items()), tuple(colours.items())


def _is_summary(text: str) -> bool:
    key = fold(text)
    return any(key == w or key.startswith(w + " ") for w in _SUMMARY)


def _is_signature(values: Iterable[object]) -> bool:
    return any(_signature_text(v) for v in values if isinstance(v, str))


@lru_cache(maxsize=16_384)
def _signature_text(text: str) -> bool:
    return _SIGNATURE_IN.search(fold(text)) is not None


def _quadrant_keys(catalogue: Catalogue) -> tuple[tuple[int, str, str], ...]:
    """Each quadrant's number and folded Vietnamese and English names (what group rows are matched by)."""
    return tuple((q.number, fold(q.name_vi), fold(q.name_en)) for q in catalogue.quadrants.values())


@lru_cache(maxsize=8192)
def _group_quadrant(stt: str, code: str, name: str, quadrants: tuple[tuple[int, str, str], ...]) -> int | None:
    """The quadrant a group row names (by a Roman numeral, the quadrant's name or "Góc phần tư 2"), else None
    (rows recur from return to return: cached)."""
    for text in (stt, code):
        key = fold(text).rstrip(".")
        if key in _ROMAN:
            return _ROMAN[key]
    key = fold(name)
    for number, name_vi, name_en in quadrants:
        if key and (name_vi in key or name_en in key):
            return number
    m = _GROUP_LABEL.match(key)
    if m:
        token = m.group(1)
        return _ROMAN.get(token) or (int(token) if token.isdigit() else None)
    return None


@dataclass(frozen=True, slots=True)
class _Head:
    """What a data row's number, code and name cells say on their own, whatever the rows around them."""

    name: str
    by_name: str | None  # the indicator its name resolves to
    group: int | None  # the quadrant it heads, when it is a group row and no indicator
    summary: bool  # a total or count row: skipped
    text_unknown: bool  # a textual code that looks like one but names no indicator
    numeric: bool  # a number for a code: which indicator it is depends on the rows around it
    code: str | None  # otherwise the indicator it is (by its textual code, else by its name)
    looks: bool  # and whether it looks like an indicator's row at all
    mismatch: bool  # its textual code and its name name different indicators
    blank: bool  # its number, code and name cells are all blank (the row may be blank: its other cells tell)
    settled: bool  # not numeric, text_unknown nor mismatch: code and looks are the row's, with nothing to report


#: Row heads already worked out, per catalogue (rows recur from return to return of a layout; bounded).
_HEADS: Final[dict[int, tuple[Catalogue, dict[tuple[object, ...], _Head]]]] = {}
_HEAD_CACHE_SIZE: Final = 16_384


def _head_cache(cat: Catalogue) -> dict[tuple[object, ...], _Head]:
    """The row heads remembered for ``cat``."""
    held = _HEADS.get(id(cat))
    if held is None or held[0] is not cat:
        if len(_HEADS) >= 8:
            _HEADS.clear()
        held = _HEADS[id(cat)] = (cat, {})
    return held[1]


def _row_head(cache: dict[tuple[object, ...], _Head], cat: Catalogue, stt_value: object, code_value: object,
              name_value: object) -> _Head:
    """:func:`_make_head`, remembered in ``cache`` (keyed by value and type: ``True`` is not ``1.0``)."""
    key = (stt_value, code_value, name_value, type(stt_value), type(code_value), type(name_value))
    head = cache.get(key)
    if head is None:
        if len(cache) >= _HEAD_CACHE_SIZE:
            cache.clear()
        head = cache[key] = _make_head(cat, stt_value, code_value, name_value)
    return head


def _make_head(cat: Catalogue, stt_value: object, code_value: object, name_value: object) -> _Head:
    stt, raw_code, name = _text(stt_value), _text(code_value), _text(name_value)
    by_name = cat.code_for_name(name) if name else None
    group = _group_quadrant(stt, raw_code, name, _quadrant_keys(cat))
    if group is not None and (_CODE_TEXT.match(fold(raw_code)) or by_name is not None):
        group = None
    code: str | None = None
    text_unknown = False
    if isinstance(code_value, str) and code_value.strip():
        key = fold(code_value)
        m = _CODE_TEXT.match(key)
        if m:
            code = f"{int(m.group(1))}.{int(m.group(2))}"
            if not cat.get(code):
                code, text_unknown = None, True
        elif _CODE_LIKE.match(key):
            text_unknown = True
    mismatch = bool(code and by_name and by_name != code and name)
    looks = text_unknown or code is not None
    if code is None and by_name and not text_unknown:
        code, looks = by_name, True
    numeric = isinstance(code_value, (int, float)) and not isinstance(code_value, bool)
    return _Head(name, by_name, group, not raw_code and _is_summary(name or stt), text_unknown, numeric, code, looks,
                 mismatch, not (stt or raw_code or name), not (numeric or text_unknown or mismatch))


def _row_blank(values: list[object]) -> bool:
    """True when every cell of a row is blank (None or white space)."""
    return all(v is None or v == "" or (isinstance(v, str) and v.isspace()) for v in values)


@lru_cache(maxsize=4096)
def _rating_text(value: object, kind: str) -> tuple[Rating | None, str]:
    """The rating a rating cell's non-blank value reads as (None: not a rating word) and its text (``kind``,
    the value's type name, keeps ``True`` and ``1.0`` apart in the cache)."""
    text = _text(value)
    rating: Rating | None = parse_word(text)
    if rating is None:
        head = re.split(r"[(\[–:;]| - ", text)[0]
        rating = parse_word(head) if head.strip() else None
    return rating, text



class _SheetReader:
    """Reads one sheet's table into rating rows and issues."""

    def __init__(self, book: WorkbookData, sheet: SheetData, layout: _Layout, file: str, catalogue: Catalogue) -> None:
        self.book, self.sheet, self.layout, self.file, self.cat = book, sheet, layout, file, catalogue
        self.issues: list[Issue] = []
        self.rows: dict[str, RatingRow] = {}
        self.last_code: str | None = None
        self.failed: set[str] = set()  # codes whose row has an error (not also reported missing)
        self.cols = tuple(layout.roles.get(role) for role in ("stt", "code", "name", "evidence", "note"))
        self.fills: Mapping[tuple[int, int], str] | None = None  # the sheet's fills, loaded when first needed
        self.rating_col = layout.roles.get("rating", -1)
        self.heads = _head_cache(catalogue)

    def issue(self, issue_code: str, row: int, col: int | None, value: object = "", /, **fields: object) -> None:
        cell = a1(row, col) if col is not None else ""
        self.issues.append(make_issue(issue_code, file=self.file, sheet=self.sheet.name, cell=cell, value=value, **fields))

    def resolve_code(self, row: int, quadrant: int | None, head: _Head, raw_code: object) -> tuple[str | None, bool]:
        """The indicator code of a data row and whether the row looks like an indicator at all, from what its
        cells say on their own (``head``) and, for a number in the code column (``raw_code``), the rows before."""
        if not head.numeric:
            if head.text_unknown:
                self.issue("indicator_unknown", row, self.layout.roles.get("code"), clean(raw_code))
            elif head.mismatch:
                self.issue("name_mismatch", row, self.layout.roles.get("name"), head.name, code=head.code,
                           other=head.by_name)
            return head.code, head.looks
        assert isinstance(raw_code, (int, float))
        by_name, name = head.by_name, head.name
        code: str | None = None
        looks = False
        if not float(raw_code).is_integer():
            looks = True
            text = f"{raw_code:.2f}".rstrip("0")
            q, _, n = text.partition(".")
            candidates = {f"{q}.{n}"} | ({f"{q}.{n}0"} if len(n) == 1 else set())
            valid = [c for c in candidates if self.cat.get(c)]
            if by_name in valid:
                code = by_name
            elif len(valid) == 1:
                code = valid[0]
            elif valid:  # 1.1 or 1.10: the second time, or after a later row of the quadrant, it is 1.10
                short = f"{q}.{n}"
                after_later = self.last_code is not None and code_key(self.last_code) > code_key(short)
                code = f"{q}.{n}0" if short in self.rows or after_later else short
            else:
                self.issue("indicator_unknown", row, self.layout.roles.get("code"), _text(raw_code))
                return None, True
        elif quadrant:
            candidate = f"{quadrant}.{int(raw_code)}"
            code = candidate if self.cat.get(candidate) else by_name
            looks = code is not None
        if code and by_name and by_name != code and name:
            self.issue("name_mismatch", row, self.layout.roles.get("name"), name, code=code, other=by_name)
        if code is None and by_name:
            code, looks = by_name, True
        return code, looks

    def read_rating(self, row: int, values: list[object], code: str) -> tuple[Rating | None, str, int | None]:
        """The rating of a row (its ``values``), its raw text and the column it was read from."""
        if self.layout.colour_cols:
            marked = [(c, r) for c, r in self.layout.colour_cols.items() if is_mark(self.sheet.value(row, c))]
            stray = [(c, self.sheet.value(row, c)) for c in self.layout.colour_cols
                     if not is_blank(self.sheet.value(row, c)) and not is_mark(self.sheet.value(row, c))]
            first_col = min(self.layout.colour_cols)
            if stray:
                col, value = stray[0]
                self.issue("rating_unknown", row, col, _text(value), code=code)
                return None, _text(value), col
            if len(marked) > 1:
                labels = " + ".join(self.cat.scale[r].label_vi for _, r in marked)
                self.issue("rating_multiple", row, marked[0][0], labels, code=code)
                return None, labels, marked[0][0]
            if marked:
                col, marked_rating = marked[0]
                return marked_rating, self.cat.scale[marked_rating].label_vi, col
            self.issue("rating_blank", row, first_col, "", code=code)
            return Rating.MISSING, "", first_col
        col = self.rating_col
        value = values[col] if col < len(values) else ""
        fills = self.fills
        if fills is None:
            fills = self.fills = self.book.sheet_fills(self.sheet.name)
        fill = fills.get((row, col)) if fills else None
        fill_rating = rating_of_fill(fill) if fill else None
        if value is None or (isinstance(value, str) and not value.strip()):
            if fill_rating is not None:
                return fill_rating, f"#{fill}", col
            if fill and fill.upper() not in {"FFFFFF", "000000"}:
                self.issue("fill_unrecognised", row, col, f"#{fill}", code=code)
            else:
                self.issue("rating_blank", row, col, "", code=code)
            return Rating.MISSING, "", col
        rating, text = _rating_text(value, type(value).__name__)
        if rating is None or rating is Rating.MISSING:
            self.issue("rating_unknown", row, col, text, code=code)
            return None, text, col
        if fill_rating is not None and rating in COLOURS and fill_rating != rating:
            self.issue("fill_conflict", row, col, text, code=code, fill=f"#{fill}")
        return rating, text, col

    def read(self) -> list[RatingRow]:
        quadrant: int | None = None
        seen_any = False
        c_stt, c_code, c_name, c_evidence, c_note = self.cols
        heads, cat, rows = self.heads, self.cat, self.sheet.rows
        free = {c_evidence, c_note}  # free text, which may quote a signature block's words
        for row in range(self.layout.first_data_row, len(rows)):
            values = rows[row]
            width = len(values)
            stt_value = values[c_stt] if c_stt is not None and c_stt < width else ""
            code_value = values[c_code] if c_code is not None and c_code < width else ""
            name_value = values[c_name] if c_name is not None and c_name < width else ""
            head = _row_head(heads, cat, stt_value, code_value, name_value)
            if head.blank and _row_blank(values):  # a row with a number, code or name is never blank
                continue
            code, looks = None, False
            if head.group is None and not head.summary:
                if head.settled:
                    code, looks = head.code, head.looks
                elif _is_signature(v for c, v in enumerate(values) if c not in free):
                    code = None  # a signature block's row, whatever number or code it holds: not an indicator
                else:
                    code, looks = self.resolve_code(row, quadrant, head, code_value)
            # an indicator's row never ends the table, whatever its evidence or note says ("Biên bản xác nhận…")
            if code is None and _is_signature(values):
                if seen_any:
                    break
                continue
            if head.group is not None:
                quadrant = head.group
                continue
            if head.summary:
                continue
            if code is None:
                name = head.name
                if not looks and self._has_rating_value(row) and name and not _is_summary(name):
                    self.issue("indicator_unknown", row, self.layout.roles.get("name"), name)
                continue
            seen_any = True
            self.last_code = code
            quadrant = cat[code].quadrant
            rating, raw, col = self.read_rating(row, values, code)
            if rating is None:
                self.failed.add(code)
                continue
            evidence = values[c_evidence] if c_evidence is not None and c_evidence < width else ""
            note = values[c_note] if c_note is not None and c_note < width else ""
            record = RatingRow(code, rating, raw, _free_text(evidence), _free_text(note), a1(row, col or 0))
            if code in self.rows:
                first = self.rows[code]
                if first.rating == rating:
                    self.issue("indicator_repeated", row, col, raw, code=code, first=first.cell)
                else:
                    label = f"{self.cat.scale[first.rating].label_vi} / {self.cat.scale[rating].label_vi}"
                    self.issue("indicator_conflict", row, col, label, code=code, first=first.cell)
                continue
            self.rows[code] = record
        return list(self.rows.values())

    def _has_rating_value(self, row: int) -> bool:
        cols = list(self.layout.colour_cols) or [self.layout.roles.get("rating", -1)]
        return any(not is_blank(self.sheet.value(row, c)) for c in cols)


# --- unit and year -----------------------------------------------------------------------------------


@dataclass
class _Found:
    unit: Unit | None = None
    unit_cell: str = ""
    unknown: tuple[str, str] | None = None  # (text, cell)
    year: int | None = None
    year_cell: str = ""
    year_raw: str = ""


def _label_value(sheet: SheetData, r: int, c: int, text: str) -> tuple[str, str]:
    """The value after a label and its cell: in the same cell after ':' or in the next non-empty cell."""
    if ":" in text:
        after = text.split(":", 1)[1].strip()
        if after:
            return after, a1(r, c)
    for cc in range(c + 1, min(c + 6, len(sheet.rows[r]))):
        if not is_blank(sheet.rows[r][cc]):
            return _text(sheet.rows[r][cc]), a1(r, cc)
    return "", a1(r, c)


def _header_facts(sheet: SheetData, last_row: int, registry: UnitRegistry) -> _Found:
    found = _Found()
    labelled: list[tuple[Unit, str]] = []
    searched: list[tuple[Unit, str]] = []
    unknown_from_label = False
    searches = _search_cache(registry)
    for r in range(min(last_row, len(sheet.rows))):
        for c, value in enumerate(sheet.rows[r]):
            if value == "" or is_blank(value):
                continue
            text = _text(value)
            label, lines, year = _header_text(text)
            if label in {"ma don vi", "unit id", "unit code"}:
                unit = registry.get(_label_value(sheet, r, c, text)[0])
                if unit:
                    labelled.insert(0, (unit, a1(r, c)))
                continue
            if label in {"don vi", "ten don vi", "don vi bao cao", "unit", "co quan"}:
                target, where = _label_value(sheet, r, c, text)
                if target:
                    unit = registry.match(target)
                    if unit:
                        labelled.append((unit, where))
                    else:
                        found.unknown = (target, where)
                        unknown_from_label = True
                continue
            if label in {"nam", "year", "nam danh gia", "ky danh gia", "nam bao cao"} and found.year is None:
                target, where = _label_value(sheet, r, c, text)
                if _YEAR_VALUE.fullmatch(target):
                    found.year, found.year_cell, found.year_raw = int(target), where, target
                continue
            for line, unit_like, cleaned in lines:
                hits = _search(registry, line, searches)
                searched.extend((u, a1(r, c)) for u in hits)
                if not hits and not unknown_from_label and unit_like:
                    found.unknown = (cleaned, a1(r, c))
            if found.year is None and isinstance(value, str) and year is not None:
                found.year, found.year_cell, found.year_raw = year[0], a1(r, c), year[1]
    pool = labelled or searched
    if pool:
        ids = {u.id for u, _ in pool}
        specific = [(u, cell) for u, cell in pool if not any(registry.is_ancestor(u.id, other) for other in ids)]
        found.unit, found.unit_cell = (specific or pool)[0]
    return found


@lru_cache(maxsize=8192)
def _header_text(text: str) -> tuple[str, tuple[tuple[str, bool, str], ...], tuple[int, str] | None]:
    """What a header cell's text says on its own: its label (folded, before any ':'), each line with whether
    it reads like a unit's name and its cleaned form, and the year it names after a year label (header
    texts recur from return to return: cached)."""
    key = fold(text)
    label = fold(text.split(":")[0]) if ":" in text else key
    lines = tuple((line, bool(_UNIT_LIKE.match(fold(line)) and len(line) < 80 and _names_something(line)), clean(line))
                  for line in text.split("\n"))
    m = _YEAR_LABEL.search(_DATE_LINE.sub(" ", key))
    return label, lines, (int(m.group(1)), m.group(1)) if m else None


def _names_something(line: str) -> bool:
    """True when a unit-like line names more than an issuing body ("ỦY BAN NHÂN DÂN" alone names nothing)."""
    words = strip_leaders(fold(line).split())
    return bool(words) and not (len(words) == 1 and words[0] in {"quan", "huyen", "phuong", "xa"})


def _name_words(text: str) -> str:
    """File and sheet names as words: NFC, CamelCase split ("PhuongMinhKhai" → "Phuong Minh Khai"),
    separators as spaces."""
    text = clean(text)
    out: list[str] = []
    for i, ch in enumerate(text):
        if i and ch.isupper() and text[i - 1].islower():
            out.append(" ")
        out.append(ch)
    return _NAME_SEPARATORS.sub(" ", "".join(out))


#: Unit names already searched for in texts, per registry (header lines and file names recur; bounded).
_SEARCHED: Final[weakref.WeakKeyDictionary[UnitRegistry, dict[str, tuple[Unit, ...]]]] = weakref.WeakKeyDictionary()
_SEARCH_CACHE_SIZE: Final = 8192


def _search_cache(registry: UnitRegistry) -> dict[str, tuple[Unit, ...]]:
    """The texts already searched for in ``registry``, with what was found."""
    cache = _SEARCHED.get(registry)
    if cache is None:
        cache = _SEARCHED.setdefault(registry, {})
    return cache


def _search(registry: UnitRegistry, text: str, cache: dict[str, tuple[Unit, ...]] | None = None) -> tuple[Unit, ...]:
    """``registry.search(text)``, remembered (in ``cache``, the registry's, when the caller holds it)."""
    if cache is None:
        cache = _search_cache(registry)
    found = cache.get(text)
    if found is None:
        if len(cache) >= _SEARCH_CACHE_SIZE:
            cache.clear()
        found = cache[text] = tuple(registry.search(text))
    return found


_ID_ORDER: Final[weakref.WeakKeyDictionary[UnitRegistry, tuple[dict[str, int], tuple[Unit, ...]]]] = \
    weakref.WeakKeyDictionary()


def _unit_by_id(text: str, registry: UnitRegistry) -> Unit | None:
    """The first registered unit (in registry order) whose id stands in ``text`` on its own: not inside a
    longer run of letters, digits and hyphens. Looked up run by run, however many units there are."""
    indexed = _ID_ORDER.get(registry)
    if indexed is None:
        first: dict[str, int] = {}
        for i, u in enumerate(registry.units):
            first.setdefault(u.id, i)
        indexed = _ID_ORDER.setdefault(registry, (first, tuple(u for u in registry.units if not _ID_RUN.fullmatch(u.id))))
    order, others = indexed
    lowered = text.lower()
    hits = [run for run in _ID_RUN.findall(lowered) if run in order]
    for unit in others:  # ids of other characters are never a run: matched one by one
        if re.search(rf"(?<![a-z0-9-]){re.escape(unit.id)}(?![a-z0-9-])", lowered):
            hits.append(unit.id)
    return registry.units[min(order[h] for h in hits)] if hits else None


def _unit_from_name(text: str, registry: UnitRegistry) -> Unit | None:
    known = _unit_by_id(text, registry)
    if known is not None:
        return known
    words = _name_words(text)
    without_year = _YEAR_IN_NAME.sub(" ", words)
    unit: Unit | None = registry.match(without_year)
    if unit:
        return unit
    hits = _search(registry, without_year)
    return hits[0] if len(hits) == 1 else None


def _year_from_name(text: str) -> int | None:
    m = _YEAR_ANY.search(text)
    return int(m.group(1)) if m else None


# --- entry points ------------------------------------------------------------------------------------


def _file_issue(code: str, file: str, **fields: Any) -> Issue:
    return make_issue(code, file=file, **fields)


def _kind_label(kind: str) -> tuple[str, str]:
    key = f"kind.{kind}" if has(f"kind.{kind}") else "kind.unknown"
    return t(key, "vi"), t(key, "en")


def _not_spreadsheet(kind: str, file: str) -> Issue:
    vi_kind, en_kind = _kind_label(kind)
    issue = make_issue("file_not_spreadsheet", file=file, value=kind, kind=vi_kind)
    en = t("issue.file_not_spreadsheet", "en", kind=en_kind)
    return Issue(issue.severity, issue.code, issue.file, issue.sheet, issue.cell, issue.value, issue.message_vi, en)


def read_bytes(
    data: bytes,
    file: str,
    *,
    catalogue: Catalogue | None = None,
    registry: UnitRegistry | None = None,
    today: dt.date | None = None,
    bounded: bool = False,
) -> ReadResult:
    """Read every return in one file's bytes. Never raises for bad content. ``bounded`` only in a process
    bounded in memory (see :func:`lgqa_metrics.workbook.load_workbook`)."""
    catalogue = catalogue or default_catalogue()
    registry = registry or default_registry()
    digest = hashlib.sha256(data).hexdigest()
    sniffed = sniff(data)
    if not sniffed.readable:
        code = {"empty": "file_empty", "truncated": "file_truncated", "encrypted": "file_encrypted"}.get(sniffed.kind)
        issue = _file_issue(code, file) if code else _not_spreadsheet(sniffed.kind, file)
        return ReadResult(file, digest, sniffed.kind, (), (issue,))
    try:
        book = load_workbook(data, sniffed, bounded=bounded)
    except UnreadableWorkbook as exc:
        return ReadResult(file, digest, sniffed.kind, (), (_file_issue(exc.code, file, **exc.fields),))

    file_issues: list[Issue] = []
    tables: list[_Table] = []
    for sheet in book.sheets:
        if sheet.too_large:
            rows, cols = sheet.too_large
            file_issues.append(make_issue("sheet_too_large", file=file, sheet=sheet.name, cell=a1(rows, cols),
                                          rows=rows + 1, cols=cols + 1))
            continue
        if not sheet.visible:
            continue
        layout = _find_layout(sheet)
        if layout is None:
            continue
        reader = _SheetReader(book, sheet, layout, file, catalogue)
        tables.append(_Table(sheet, layout, reader.read(), reader.issues, reader.failed))
    real = [tb for tb in tables if len(tb.rows) >= MIN_TABLE_ROWS]
    if not real and tables:
        best = max(tables, key=lambda tb: len(tb.rows))
        real = [best] if best.rows or best.issues else []
    if not real:
        if not file_issues:
            file_issues.append(_file_issue("no_table", file))
        return ReadResult(file, digest, sniffed.kind, (), tuple(file_issues))
    stem = Path(file).stem
    year_high = (today or dt.date.today()).year + 1
    returns = [_finish(tb, file, stem, len(real) == 1, catalogue, registry, year_high) for tb in real]
    return ReadResult(file, digest, sniffed.kind, tuple(returns), tuple(file_issues))


def _finish(table: _Table, file: str, stem: str, only: bool, catalogue: Catalogue, registry: UnitRegistry,
            year_high: int) -> ParsedReturn:
    sheet = table.sheet
    issues = list(table.issues)
    facts = _header_facts(sheet, table.layout.header_row, registry)
    unit, year = facts.unit, facts.year
    if unit is None:
        unit = _unit_from_name(sheet.name, registry) or (_unit_from_name(stem, registry) if only else None)
    if year is None:
        year = _year_from_name(sheet.name) or _year_from_name(stem)
    if unit is None:
        if facts.unknown:
            text, cell = facts.unknown
            closest = ", ".join(u.name for u in registry.closest(text))
            issues.append(make_issue("unit_unknown", file=file, sheet=sheet.name, cell=cell, value=text, closest=closest))
        else:
            issues.append(make_issue("unit_missing", file=file, sheet=sheet.name))
    else:
        other = _unit_from_name(stem, registry) if only and facts.unit else None
        if other and other.id != unit.id:
            issues.append(make_issue("unit_conflict", file=file, sheet=sheet.name, cell=facts.unit_cell,
                                     value=other.name, found=unit.name, other=other.name))
    if year is None:
        issues.append(make_issue("year_missing", file=file, sheet=sheet.name))
    elif not MIN_YEAR <= year <= year_high:
        issues.append(make_issue("year_implausible", file=file, sheet=sheet.name, cell=facts.year_cell,
                                 value=year, low=MIN_YEAR, high=year_high))
        year = None
    found = {r.code: r for r in table.rows}
    ratings: list[RatingRow] = []
    for ind in catalogue.indicators:  # in code order
        if ind.code in found:
            ratings.append(found[ind.code])
        else:
            ratings.append(RatingRow(ind.code, Rating.MISSING, "", "", "", ""))
            if ind.code in table.failed:
                continue
            issues.append(make_issue("indicator_missing", file=file, sheet=sheet.name, code=ind.code, name=ind.name_vi))
    if table.rows and all(r.rating is Rating.MISSING for r in ratings):
        issues.append(make_issue("return_empty", file=file, sheet=sheet.name))
    issues.sort(key=lambda i: (i.severity != "error",))
    return ParsedReturn(file, sheet.name, unit.id if unit else None, year, tuple(ratings), tuple(issues))


def clear_caches() -> None:
    """Forget every text key and name lookup remembered from earlier files (they make the next return of
    the same layout cheaper to read); for cold-start measurements."""
    textnorm.clear_caches()
    for cached in (_role_of, _signature_text, _group_quadrant, _header_cells, _rating_text, _header_text,
                   rating_of_fill):
        cached.cache_clear()
    _HEADS.clear()
    workbook.clear_caches()
    _SEARCHED.clear()
    _ID_ORDER.clear()
    default_catalogue().clear_cache()


def read_path(path: Path, **kwargs: object) -> ReadResult:
    """Read a file from disk (see :func:`read_bytes`)."""
    return read_bytes(path.read_bytes(), path.name, **kwargs)  # type: ignore[arg-type]
