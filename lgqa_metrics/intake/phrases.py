"""Header phrases: the words clerks write over each column of a return, as data the department edits.

``data/intake/header_phrases.csv`` lists ``role, phrase, language, weight``. A header text is matched
against the phrases with its diacritics kept first ("Mục" is not "Mức"); only when no phrase matches so
does the text without diacritics, and then only phrases whose unaccented form belongs to one written form
(``muc`` could be "Mục" or "Mức": it says nothing). The longest matching phrase wins: "Nội dung đánh giá"
is a name column, although "đánh giá" alone would be a rating.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

from lgqa_metrics.domain.paths import DATA_DIR
from lgqa_metrics.domain.textnorm import fold

PHRASES_FILE: Final = DATA_DIR / "intake" / "header_phrases.csv"
#: The column roles a header phrase can name; ``other`` names a column that is none of them ("Phòng chủ trì").
ROLES: Final = ("stt", "code", "code_name", "name", "rating", "evidence", "note", "other")
_NOT_WORD: Final = re.compile(r"[^\w#]+")
#: Most words in a phrase (longer ones are never looked for).
_LONGEST_PHRASE: Final = 6


class PhrasesError(ValueError):
    """The header phrases file is inconsistent (names the row)."""


def words(text: object) -> str:
    """``text`` as lower-case words with its diacritics kept: punctuation and runs of spaces become one space."""
    if not isinstance(text, str):
        return ""
    return _NOT_WORD.sub(" ", unicodedata.normalize("NFC", text).casefold()).strip()


def folded_words(text: object) -> str:
    """:func:`words` without diacritics (đ → d)."""
    return _NOT_WORD.sub(" ", fold(text)).strip()


@dataclass(frozen=True, slots=True)
class HeaderMatch:
    """What a header text names: each role with its weight, the phrase that matched, and whether the match
    needed the diacritics stripped."""

    weights: dict[str, float]
    phrase: str = ""
    unaccented: bool = False

    def weight(self, role: str) -> float:
        """The weight of ``role`` (0 when the header does not name it)."""
        return self.weights.get(role, 0.0)


NO_MATCH: Final = HeaderMatch({})


class HeaderPhrases:
    """The validated phrase table, indexed by written form and by unaccented form."""

    def __init__(self, rows: list[tuple[str, str, str, float]]) -> None:
        self.rows = tuple(rows)
        kept: dict[str, dict[str, float]] = defaultdict(dict)
        forms_of: dict[str, set[str]] = defaultdict(set)
        for role, phrase, _, weight in rows:
            key = words(phrase)
            kept[key][role] = max(weight, kept[key].get(role, 0.0))
            forms_of[folded_words(phrase)].add(key)
        self._kept = dict(kept)
        # an unaccented phrase is evidence only when every phrase that folds to it is written the same way
        self._unaccented = {plain: self._kept[next(iter(forms))] for plain, forms in forms_of.items()
                            if len(forms) == 1}

    def match(self, text: object) -> HeaderMatch:
        """The roles ``text`` names by its longest matching phrase (diacritics kept, then stripped)."""
        found = _longest(words(text), self._kept)
        if found is not None:
            return HeaderMatch(dict(found[1]), found[0])
        found = _longest(folded_words(text), self._unaccented)
        if found is not None:
            return HeaderMatch(dict(found[1]), found[0], unaccented=True)
        return NO_MATCH


def _longest(text: str, table: dict[str, dict[str, float]]) -> tuple[str, dict[str, float]] | None:
    """The longest phrase of ``table`` standing in ``text`` as whole words, with its roles (each run of the
    text's words looked up, longest first)."""
    if not text or len(text) > 120:
        return None
    tokens = text.split()
    for size in range(min(len(tokens), _LONGEST_PHRASE), 0, -1):
        found = [(len(key), key) for start in range(len(tokens) - size + 1)
                 if (key := " ".join(tokens[start:start + size])) in table]
        if found:
            key = max(found)[1]
            return key, table[key]
    return None


def load_phrases(path: Path | None = None) -> HeaderPhrases:
    """Load and validate the phrase table: known roles, a phrase, a language, a weight in (0, 1]."""
    path = path or PHRASES_FILE
    if not path.exists():
        raise PhrasesError(f"missing header phrases file {path}")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {"role", "phrase", "language", "weight"} - set(reader.fieldnames or ())
        if missing:
            raise PhrasesError(f"{path.name}: missing columns {sorted(missing)}")
        rows: list[tuple[str, str, str, float]] = []
        for n, row in enumerate(reader, start=2):
            role, phrase = (row["role"] or "").strip(), (row["phrase"] or "").strip()
            if role not in ROLES:
                raise PhrasesError(f"{path.name} row {n}: unknown role {role!r} (one of {', '.join(ROLES)})")
            if not words(phrase):
                raise PhrasesError(f"{path.name} row {n}: empty phrase")
            if len(words(phrase).split()) > _LONGEST_PHRASE:
                raise PhrasesError(f"{path.name} row {n}: a phrase of more than {_LONGEST_PHRASE} words")
            try:
                weight = float(row["weight"])
            except (TypeError, ValueError) as exc:
                raise PhrasesError(f"{path.name} row {n}: weight {row['weight']!r} is not a number") from exc
            if not 0 < weight <= 1:
                raise PhrasesError(f"{path.name} row {n}: weight {weight} is not in (0, 1]")
            rows.append((role, phrase, (row["language"] or "").strip(), weight))
    return HeaderPhrases(rows)


@cache
def default_phrases() -> HeaderPhrases:
    """The phrase table under ``data/intake`` (loaded once per process)."""
    return load_phrases()
