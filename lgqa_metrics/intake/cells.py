"""What one cell of a return holds, judged on its own: an indicator code, a code with a name, a catalogue
name (exactly or by similarity), a rating word, a mark, a row number, free text.

These judgements are shared by layout inference (which counts them down a column) and row reading (which
uses them cell by cell); neither decides anything from one cell alone.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from lgqa_metrics.domain.catalogue import Catalogue
from lgqa_metrics.domain.ratings import COLOURS, Rating, is_mark, parse_word
from lgqa_metrics.domain.textnorm import clean, fold
from lgqa_metrics.intake.phrases import folded_words, words

#: A code written as text: "1.1", "1.10", "1,10", "1.1.", "CS 1.1", "Chỉ số 1.1", "Chỉ tiêu 4.9" (a short word first).
_CODE_TEXT: Final = re.compile(r"^(?:[^\W\d_]{1,8}(?: [^\W\d_]{1,8})?)?\s*([1-9])\s*[.,]\s*(\d{1,2})\s*\.?$")
#: A code followed by a name in one cell: "1.1. Quản lý …", "1.1 - …", "CS 1.1: …", "1.10 Quản lý …".
_CODE_THEN_NAME: Final = re.compile(
    r"^(?:cs|chỉ số|chi so|mã|ma|ct)?\s*([1-9])\s*[.,]\s*(\d{1,2})\s*\.?\s*(?:[-–—:)]\s*)?([^\W\d_].*)$")
#: A code-like text that is no catalogue code ("5.1", "1.11"): named as unknown, not taken for a name.
_CODE_LIKE: Final = re.compile(r"^(?:cs|chỉ số|chi so|mã|ma|ct)?\s*\d{1,2}\s*[.,]\s*\d{1,3}\s*\.?$")
_DIGIT: Final = re.compile(r"\d")
#: Roman numerals of the quadrant group rows.
ROMAN: Final = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_GROUP_LABEL: Final = re.compile(r"^(?:goc phan tu|quadrant|nhom|linh vuc|phan)\s*([1-4]|iv|iii|ii|i)\b")
#: Least similarity of a text to a catalogue name for it to count as that name.
NAME_SIMILARITY: Final = 0.55
#: Texts at least this long that are no name, code or rating: free text (evidence, notes).
FREE_TEXT_CHARS: Final = 6


def text_of(value: object) -> str:
    """A cell's value as cleaned text (whole numbers without ".0", dates in ISO form)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return clean(value)


def code_in_text(text: str, catalogue: Catalogue) -> str | None:
    """The catalogue code a text cell names on its own ("1.10", "CS 4.9"), else None."""
    m = _CODE_TEXT.match(text.casefold())
    if not m:
        return None
    code = f"{int(m.group(1))}.{int(m.group(2))}"
    return code if catalogue.get(code) else None


def looks_like_code(text: str) -> bool:
    """True for a text that reads as a code ("5.1", "CS 1.11") whether or not the catalogue has it."""
    return _CODE_LIKE.match(text.casefold()) is not None


def code_and_name(text: str, catalogue: Catalogue) -> tuple[str, str] | None:
    """A code and the name after it in one cell ("1.1. Quản lý chất lượng toàn diện" → ("1.1", "Quản lý …")),
    when the code is the catalogue's; else None."""
    m = _CODE_THEN_NAME.match(text.strip().casefold())
    if not m:
        return None
    code = f"{int(m.group(1))}.{int(m.group(2))}"
    if not catalogue.get(code):
        return None
    start = m.start(3)
    return code, text.strip()[start:].strip()


def numeric_codes(value: object, catalogue: Catalogue) -> tuple[str, ...]:
    """The codes a number in a code cell can stand for: 1.1 is "1.1" or "1.10" (Excel drops the 0), 2.3 is
    "2.3"; a whole number or a bool stands for none on its own."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or float(value).is_integer():
        return ()
    text = f"{value:.2f}".rstrip("0")
    q, _, n = text.partition(".")
    options = [f"{q}.{n}"] + ([f"{q}.{n}0"] if len(n) == 1 else [])
    return tuple(code for code in options if catalogue.get(code))


def group_quadrant(texts: tuple[str, ...], catalogue: Catalogue) -> int | None:
    """The quadrant a group row names: a Roman numeral in its first cells, the quadrant's name, or "Góc phần
    tư 2"; else None."""
    for text in texts[:2]:
        key = fold(text).rstrip(".")
        if key in ROMAN:
            return ROMAN[key]
    for text in texts:
        key = fold(text)
        if not key:
            continue
        for quadrant in catalogue.quadrants.values():
            if fold(quadrant.name_vi) in key or fold(quadrant.name_en) in key:
                return quadrant.number
        m = _GROUP_LABEL.match(key)
        if m:
            token = m.group(1)
            return ROMAN.get(token) or int(token)
    return None


def rating_word(value: object) -> Rating | None:
    """The rating a rating cell's text reads as ("Xanh lá", "KAD", "Vàng (một phần)"); None for a text that
    is none, MISSING for a blank."""
    text = text_of(value)
    rating = parse_word(text)
    if rating is None:
        head = re.split(r"[(\[–:;]| - ", text)[0]
        rating = parse_word(head) if head.strip() else None
    return rating


def colour_word(value: object) -> Rating | None:
    """The rating a header cell names as a word of the scale (for one column per colour), else None."""
    if not isinstance(value, str) or len(folded_words(value)) < 2:
        return None
    rating = parse_word(value)
    return rating if rating in (*COLOURS, Rating.NA) else None


@dataclass(frozen=True, slots=True)
class NameIndex:
    """The catalogue's names as word sets, for matching names written in other words."""

    catalogue: Catalogue
    kept: tuple[tuple[str, frozenset[str]], ...]
    plain: tuple[tuple[str, frozenset[str]], ...]

    @classmethod
    def of(cls, catalogue: Catalogue) -> NameIndex:
        """The index of ``catalogue``'s Vietnamese, English and Spanish names."""
        kept, plain = [], []
        for ind in catalogue.indicators:
            for name in (ind.name_vi, ind.name_en, ind.name_es):
                if name:
                    kept.append((ind.code, frozenset(words(name).split())))
                    plain.append((ind.code, frozenset(folded_words(name).split())))
        return cls(catalogue, tuple(kept), tuple(plain))

    def exact(self, text: str) -> str | None:
        """The code of a name written as the catalogue writes it (any case, diacritics or spacing)."""
        return self.catalogue.code_for_name(text) if text else None

    def similarities(self, text: str) -> dict[str, float]:
        """How alike ``text`` is to each indicator's names (0 to 1): shared words, diacritics kept; without
        them only as a fallback, and then a little less."""
        own, plain = frozenset(words(text).split()), frozenset(folded_words(text).split())
        scores: dict[str, float] = {}
        if own:
            for (code, names), (_, plain_names) in zip(self.kept, self.plain, strict=True):
                scores[code] = max(scores.get(code, 0.0), _dice(own, names), 0.9 * _dice(plain, plain_names))
        return scores

    def closest(self, text: str) -> tuple[str | None, float]:
        """The most similar indicator and its similarity."""
        scores = self.similarities(text)
        code = max(scores, key=scores.__getitem__, default=None)
        return code, scores[code] if code is not None else 0.0


def name_index(catalogue: Catalogue) -> NameIndex:
    """The name index of ``catalogue``, built once."""
    return catalogue.derived("intake.names", lambda: NameIndex.of(catalogue))


def _dice(a: frozenset[str], b: frozenset[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def kind_of(value: object, catalogue: Catalogue) -> str:
    """What one cell holds on its own: ``blank``, ``code`` (a catalogue code as text), ``number_code`` (a number
    that can be a code: 1.1, 2.3), ``code_name`` (a code and a name), ``rating`` (a word of the scale), ``mark``,
    ``row_number``, ``name`` (a catalogue name as the catalogue writes it), ``text`` (free text) or ``other``.
    The cheap tests come first: a text with no digit near its start is no code."""
    if value is None or value == "":
        return "blank"
    if isinstance(value, bool):
        return "mark" if value else "other"
    if isinstance(value, (int, float)):
        if numeric_codes(value, catalogue):
            return "number_code"
        return "row_number" if float(value).is_integer() else "other"
    string = text_of(value)
    if not string:
        return "blank"
    if _DIGIT.search(string, 0, 14):
        if len(string) <= 14 and code_in_text(string, catalogue):
            return "code"
        if code_and_name(string, catalogue):
            return "code_name"
        if is_row_number(string):
            return "row_number"
        return "text" if len(string) >= FREE_TEXT_CHARS and not looks_like_code(string) else "other"
    if len(string) <= 40:
        if rating_word(string) in (*COLOURS, Rating.NA):
            return "rating"
        if is_mark(string):
            return "mark"
    if catalogue.code_for_name(string, fuzzy=False):
        return "name"
    return "text" if len(string) >= FREE_TEXT_CHARS else "other"


def is_row_number(value: object) -> bool:
    """True for a whole number as row numbers are typed (1, 2.0, "3", "3.")."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return float(value).is_integer() and 0 < value < 10_000
    return isinstance(value, str) and value.strip().rstrip(".").isdigit() and len(value.strip()) <= 5


#: Words of a signature block under the table (without diacritics: none of them is an indicator's word).
_SIGNATURE: Final = re.compile(r"nguoi lap|thu truong|chu tich|tm\.? (?:uy ban|ubnd)|xac nhan|ky ten|ky ghi ro|"
                               r"prepared by|approved by")
#: First words of a summary row ("Tổng số chỉ số Xanh lá", "Cộng"), diacritics kept: "Cộng" is not "Công".
_SUMMARY: Final = ("tổng", "cộng", "số chỉ số", "tỷ lệ", "tỉ lệ", "total", "count", "số lượng", "sum")


def is_signature_text(value: object) -> bool:
    """True for a text of a signature block ("NGƯỜI LẬP BIỂU", "TM. ỦY BAN NHÂN DÂN")."""
    return isinstance(value, str) and _SIGNATURE.search(fold(value)) is not None


def is_signature_row(values: Iterable[object]) -> bool:
    """True when any cell of a row is a signature block's text."""
    return any(is_signature_text(v) for v in values)


def is_summary_text(text: str) -> bool:
    """True for a summary row's label ("Tổng số chỉ số Đỏ", "Tổng cộng", "Tỷ lệ %")."""
    key = words(text)
    return any(key == w or key.startswith(w + " ") for w in _SUMMARY)
