"""The message catalogue: every user-facing string, Vietnamese first, English second.

Messages live as data in ``data/i18n/*.toml`` (one table per key with ``vi`` and ``en``), so the
department can edit wording without touching code. Keys are unique across files.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

from lgqa_metrics.domain.paths import DATA_DIR

LANGS: Final = ("vi", "en")
DEFAULT_LANG: Final = "vi"
#: The languages of the interface, the default first.
LANGUAGES: Final = ("vi", "en")
I18N_DIR: Final = DATA_DIR / "i18n"


class CatalogueKeyError(KeyError):
    """A message key that the catalogue does not hold."""


class MessageError(Exception):
    """An error whose text is a catalogue message: ``key`` names it, ``fields`` fill it in; shown to users
    with :meth:`message` in their language."""

    def __init__(self, key: str, **fields: object) -> None:
        super().__init__(key)
        self.key, self.fields = key, fields

    def message(self, lang: str = DEFAULT_LANG) -> str:
        """The message in ``lang``."""
        return t(self.key, lang, **self.fields)

    def __str__(self) -> str:
        return f"{self.key}: {self.message('en')}"


@dataclass(frozen=True, slots=True)
class Phrase:
    """A message field whose text differs by language (a reason, a size written the local way)."""

    vi: str
    en: str

    def __str__(self) -> str:
        return self.vi

    @classmethod
    def of(cls, key: str, **fields: object) -> Phrase:
        """Message ``key`` in both languages, as one field for another message."""
        return cls(t(key, "vi", **fields), t(key, "en", **fields))


def load_messages(folder: Path = I18N_DIR) -> dict[str, tuple[str, str]]:
    """Load and check every ``*.toml`` in ``folder``: both languages present, no key twice."""
    messages: dict[str, tuple[str, str]] = {}
    for path in sorted(folder.glob("*.toml")):
        with path.open("rb") as fh:
            table = tomllib.load(fh)
        for key, entry in table.items():
            if key in messages:
                raise ValueError(f"{path.name}: message {key!r} is defined twice")
            if not isinstance(entry, dict) or not entry.get("vi") or not entry.get("en"):
                raise ValueError(f"{path.name}: message {key!r} needs non-empty 'vi' and 'en'")
            messages[key] = (str(entry["vi"]), str(entry["en"]))
    return messages


@cache
def messages() -> dict[str, tuple[str, str]]:
    """The catalogue under ``data/i18n`` (loaded once per process)."""
    return load_messages()


def t(key: str, lang: str = DEFAULT_LANG, **fields: object) -> str:
    """Return message ``key`` in ``lang`` (``vi`` or ``en``), formatted with ``fields`` (a :class:`Phrase`
    field gives its text in ``lang``)."""
    try:
        vi, en = messages()[key]
    except KeyError as exc:
        raise CatalogueKeyError(key) from exc
    template = en if lang == "en" else vi
    if not fields:
        return template
    local = {k: (v.en if lang == "en" else v.vi) if isinstance(v, Phrase) else v for k, v in fields.items()}
    return template.format(**local)


def both(key: str, **fields: object) -> tuple[str, str]:
    """Return message ``key`` in Vietnamese and English."""
    return t(key, "vi", **fields), t(key, "en", **fields)


def has(key: str) -> bool:
    """True when the catalogue holds ``key``."""
    return key in messages()
