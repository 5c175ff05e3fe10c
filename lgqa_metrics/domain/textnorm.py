"""Text normalisation shared by every matcher: Unicode form, case, diacritics and spacing."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

_SPACES = re.compile(r"\s+")
#: A run of white space and punctuation (other than ``.``, ``/`` and ``-``): one space in a folded key.
_PUNCT_OR_SPACES = re.compile(r"[^\w./-]+")
#: Combining Diacritical Marks (U+0300–U+036F, all of category Mn): every mark Vietnamese text decomposes to.
_COMBINING = re.compile("[\u0300-\u036f]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _unless_mark(m: re.Match[str]) -> str:
    return "" if unicodedata.category(m.group()) == "Mn" else m.group()


def clean(value: object) -> str:
    """Return ``value`` as NFC text with runs of white space (incl. NBSP) folded and trimmed."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _clean_text(value)
    return clean_once(str(value))


@lru_cache(maxsize=32_768)
def _clean_text(text: str) -> str:
    return clean_once(text)


def clean_once(text: str) -> str:
    """:func:`clean` of a text, not remembered (for texts that seldom recur, such as a return's evidence)."""
    text = unicodedata.normalize("NFC", text)
    if text.isprintable() and "  " not in text:  # no white space but single ASCII spaces (every other is
        return text.strip()                       # a control or separator character, not printable)
    return _SPACES.sub(" ", text.replace("\u00a0", " ")).strip()


def fold(value: object) -> str:
    """Return a matching key: lower case, no diacritics (đ → d), single spaces, no stray punctuation."""
    if value is None or value == "":
        return ""
    return _fold_text(value if isinstance(value, str) else str(value))


@lru_cache(maxsize=65_536)
def _fold_text(value: str) -> str:
    text = clean(value).casefold().replace("đ", "d")
    if not text.isascii():  # drop every combining mark (Mn): Vietnamese ones by range, any other one by one
        text = _COMBINING.sub("", unicodedata.normalize("NFD", text))
        if not text.isascii():
            text = _NON_ASCII.sub(_unless_mark, text)
    return _PUNCT_OR_SPACES.sub(" ", text).strip()


#: Categories of characters that change how a terminal or a page shows what follows: controls (C0, C1, DEL),
#: invisible format characters (right-to-left overrides and marks, zero-width joiners), line and paragraph
#: separators, and lone surrogates (bytes of a file name that were not UTF-8, as ``os.fsdecode`` keeps them).
_UNSHOWABLE: Final = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def shown_name(name: str) -> str:
    """A file name (or any untrusted one-line text) safe to store, print and show: undecodable bytes as
    ``\\xNN``, controls and invisible characters as escapes (``\\n``, ``\\x1b``, ``\\u202e``), everything
    else as it is."""
    if name.isprintable() and not any(unicodedata.category(ch) == "Cf" for ch in name):
        return name
    out: list[str] = []
    for ch in name:
        code = ord(ch)
        if unicodedata.category(ch) not in _UNSHOWABLE:
            out.append(ch)
        elif 0xDC80 <= code <= 0xDCFF:  # an undecodable byte
            out.append(f"\\x{code - 0xDC00:02x}")
        else:
            out.append(repr(ch)[1:-1] if code < 0x100 else f"\\u{code:04x}")
    return "".join(out)
