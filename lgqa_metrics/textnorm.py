"""Text normalisation shared by every matcher: Unicode form, case, diacritics and spacing."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")
_PUNCT = re.compile(r"[^\w\s./-]", re.UNICODE)


def clean(value: object) -> str:
    """Return ``value`` as NFC text with runs of white space (incl. NBSP) folded and trimmed."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value)).replace("\u00a0", " ")
    return _SPACES.sub(" ", text).strip()


def fold(value: object) -> str:
    """Return a matching key: lower case, no diacritics (đ → d), single spaces, no stray punctuation."""
    if value is None or value == "":
        return ""
    return _fold_text(value if isinstance(value, str) else str(value))


@lru_cache(maxsize=65_536)
def _fold_text(value: str) -> str:
    text = clean(value).casefold().replace("đ", "d")
    text = unicodedata.normalize("NFD", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    text = _PUNCT.sub(" ", text)
    return _SPACES.sub(" ", text).strip()
