"""The rating scale: five states, read from words, marks and cell fills."""

from __future__ import annotations

import colorsys
import csv
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Final

from lgqa_metrics.domain.paths import CATALOGUE_DIR
from lgqa_metrics.domain.textnorm import fold


class Rating(StrEnum):
    """A reported rating. Only red/yellow/green are ordinal; ``na`` and ``missing`` never score."""

    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"
    NA = "na"
    MISSING = "missing"

    @property
    def score(self) -> int | None:
        """Ordinal score used only inside aggregates: red 0, yellow 1, green 2, else None."""
        return _SCORES.get(self)


_SCORES: Final = {Rating.RED: 0, Rating.YELLOW: 1, Rating.GREEN: 2}
COLOURS: Final = (Rating.RED, Rating.YELLOW, Rating.GREEN)

# Folded (lower case, no diacritics) words accepted for each rating.
_WORDS: Final[dict[str, Rating]] = {}
for _rating, _words in {
    Rating.RED: ("do", "mau do", "red", "r", "bad", "kem"),
    Rating.YELLOW: ("vang", "mau vang", "yellow", "amber", "y", "a", "neutral", "trung binh"),
    Rating.GREEN: ("xanh", "xanh la", "xanh la cay", "mau xanh", "mau xanh la", "green", "g", "good"),
    Rating.NA: (
        "khong ap dung", "kad", "k ad", "n/a", "n a", "na", "not applicable", "khong thuoc tham quyen",
    ),
}.items():
    for _w in _words:
        _WORDS[_w] = _rating

_MARKS: Final = frozenset({"x", "✓", "✔", "v", "☑", "☒", "1", "1.0", "true", "co", "yes", "●", "•", "+"})
_JOINERS = re.compile(r"[\s._\-:]+")


def parse_word(value: object) -> Rating | None:
    """Read a rating word ("Xanh lá", "KAD", "Amber", "R", …); blank is ``MISSING``, unknown is None."""
    key = fold(value)
    if not key:
        return Rating.MISSING
    if key in _WORDS:
        return _WORDS[key]
    squeezed = _JOINERS.sub(" ", key).strip()
    if squeezed in _WORDS:
        return _WORDS[squeezed]
    if squeezed.replace(" ", "") in {"na", "kad"}:
        return Rating.NA
    return None


def is_mark(value: object) -> bool:
    """True when a cell holds a tick mark ("x", "✓", 1, …) rather than being blank."""
    key = fold(value) or str(value or "").strip()
    return key in _MARKS


def is_blank(value: object) -> bool:
    """True for None and white-space-only text."""
    return value is None or (isinstance(value, str) and not value.strip())


@lru_cache(maxsize=1024)
def rating_of_fill(argb: str | None) -> Rating | None:
    """Classify a solid fill colour (``FFC7CE``, ``FFFF0000``…) as red/yellow/green; None otherwise.

    Covers Excel's standard colours and the light Bad/Neutral/Good style fills; white, greys and
    blues are not ratings.
    """
    if not argb:
        return None
    hexpart = argb.strip().lstrip("#")[-6:]
    if len(hexpart) != 6 or not all(c in "0123456789abcdefABCDEF" for c in hexpart):
        return None
    r, g, b = (int(hexpart[i : i + 2], 16) / 255 for i in (0, 2, 4))
    hue, light, sat = colorsys.rgb_to_hls(r, g, b)
    if sat < 0.25 or light > 0.97 or light < 0.08:
        return None
    deg = hue * 360
    if deg < 15 or deg >= 330:
        return Rating.RED
    if 15 <= deg < 70:
        return Rating.YELLOW
    if 70 <= deg < 170:
        return Rating.GREEN
    return None


@dataclass(frozen=True, slots=True)
class ScaleEntry:
    """Display data for one rating, from ``data/catalogue/scale.csv``."""

    rating: Rating
    colour: str
    label_vi: str
    label_en: str
    legend_vi: str
    legend_en: str

    def label(self, lang: str = "vi") -> str:
        """The rating's label in ``lang``."""
        return self.label_en if lang == "en" else self.label_vi


def load_scale(path: Path | None = None) -> dict[Rating, ScaleEntry]:
    """Load and validate the scale file: exactly the five ratings, each with a colour."""
    path = path or CATALOGUE_DIR / "scale.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    scale: dict[Rating, ScaleEntry] = {}
    for row in rows:
        rating = Rating(row["rating"].strip())
        colour = row["colour"].strip()
        if not re.fullmatch(r"#[0-9A-Fa-f]{6}", colour):
            raise ValueError(f"{path.name}: colour {colour!r} of {rating} is not #RRGGBB")
        scale[rating] = ScaleEntry(
            rating, colour, row["label_vi"].strip(), row["label_en"].strip(),
            row["legend_vi"].strip(), row["legend_en"].strip(),
        )
    if set(scale) != set(Rating):
        raise ValueError(f"{path.name}: expected the ratings {sorted(Rating)}, found {sorted(scale)}")
    return scale
