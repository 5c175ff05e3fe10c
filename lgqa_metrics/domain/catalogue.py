"""The indicator catalogue (ISO 18091 Annex A): 39 indicators in 4 quadrants, loaded from data files."""

from __future__ import annotations

import csv
import difflib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Final, TypeVar

from lgqa_metrics.domain.paths import CATALOGUE_DIR
from lgqa_metrics.domain.ratings import Rating, ScaleEntry, load_scale
from lgqa_metrics.domain.textnorm import clean, fold

T = TypeVar("T")
EXPECTED_QUADRANT_SIZES: Final = {1: 10, 2: 8, 3: 12, 4: 9}
_CODE = re.compile(r"^([1-9])\.([1-9][0-9]?)$")
#: Names resolved by :meth:`Catalogue.code_for_name` kept per catalogue (the fuzzy match is the slow part;
#: the same names recur in every return). Cleared when full, so it stays bounded.
_NAME_CACHE_SIZE: Final = 8192


class CatalogueError(ValueError):
    """The catalogue data files are inconsistent."""


def code_key(code: str) -> tuple[int, int]:
    """Numeric sort key of an indicator code: ``"1.10"`` sorts after ``"1.9"``."""
    m = _CODE.match(code)
    if not m:
        raise CatalogueError(f"invalid indicator code {code!r}")
    return int(m.group(1)), int(m.group(2))


@dataclass(frozen=True, slots=True)
class Quadrant:
    """One of the four quadrants."""

    number: int
    roman: str
    name_vi: str
    name_en: str
    name_es: str

    def name(self, lang: str = "vi") -> str:
        """The quadrant's name in ``lang``."""
        return self.name_en if lang == "en" else self.name_vi


@dataclass(frozen=True, slots=True)
class Indicator:
    """One indicator; ``legend`` holds its own wording per colour where the department set one."""

    code: str
    quadrant: int
    seq: int
    name_vi: str
    name_en: str
    name_es: str
    legend: dict[tuple[Rating, str], str] = field(default_factory=dict, hash=False, compare=False)

    def name(self, lang: str = "vi") -> str:
        """The indicator's name in ``lang``."""
        return self.name_en if lang == "en" else self.name_vi


@dataclass(frozen=True)
class Catalogue:
    """The validated catalogue, in numeric code order."""

    indicators: tuple[Indicator, ...]
    quadrants: dict[int, Quadrant]
    scale: dict[Rating, ScaleEntry]

    def __post_init__(self) -> None:
        by_code = {i.code: i for i in self.indicators}
        names: dict[str, str] = {}
        for ind in self.indicators:
            for name in (ind.name_vi, ind.name_en, ind.name_es):
                names[fold(name)] = ind.code
        object.__setattr__(self, "_by_code", by_code)
        object.__setattr__(self, "_names", names)
        object.__setattr__(self, "_resolved", {})
        object.__setattr__(self, "_derived", {})

    @property
    def codes(self) -> tuple[str, ...]:
        """All codes in numeric order."""
        return tuple(i.code for i in self.indicators)

    def get(self, code: str) -> Indicator | None:
        """The indicator with ``code``, or None."""
        return self._by_code.get(code)  # type: ignore[attr-defined,no-any-return]

    def __getitem__(self, code: str) -> Indicator:
        return self._by_code[code]  # type: ignore[attr-defined,no-any-return]

    def in_quadrant(self, quadrant: int) -> tuple[Indicator, ...]:
        """The indicators of one quadrant, in order."""
        return tuple(i for i in self.indicators if i.quadrant == quadrant)

    def code_for_name(self, text: object, *, fuzzy: bool = True) -> str | None:
        """Resolve an indicator name (Vietnamese, English or Spanish, any case or diacritics); ``fuzzy`` also
        a name with a typo or two (a close match), else only one written as the catalogue writes it."""
        key = fold(text)
        if not key:
            return None
        names: dict[str, str] = self._names  # type: ignore[attr-defined]
        if key in names:
            return names[key]
        if not fuzzy:
            return None
        resolved: dict[str, str | None] = self._resolved  # type: ignore[attr-defined]
        if key in resolved:
            return resolved[key]
        close = difflib.get_close_matches(key, list(names), n=1, cutoff=0.86)
        if len(resolved) >= _NAME_CACHE_SIZE:
            resolved.clear()
        resolved[key] = found = names[close[0]] if close else None
        return found

    def derived(self, key: str, build: Callable[[], T]) -> T:
        """Data other modules derive from the catalogue (an index of its names …), built once by ``build``."""
        held: dict[str, Any] = self._derived  # type: ignore[attr-defined]
        if key not in held:
            held[key] = build()
        return held[key]  # type: ignore[no-any-return]

    def legend(self, code: str | None, rating: Rating, lang: str = "vi") -> str:
        """Legend wording for ``rating``: the indicator's own if set, else the scale's."""
        if code is not None:
            own = self[code].legend.get((rating, lang), "")
            if own:
                return own
        entry = self.scale[rating]
        return entry.legend_en if lang == "en" else entry.legend_vi


def _read_csv(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        raise CatalogueError(f"missing catalogue file {path}")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [{k.strip(): clean(v) for k, v in row.items() if k} for row in csv.DictReader(fh)]


def load_catalogue(folder: Path | None = None) -> Catalogue:
    """Load ``indicators.csv``, ``quadrants.csv`` and ``scale.csv`` from ``folder`` and validate them.

    Checks: 39 unique well-formed codes, quadrant sizes 10/8/12/9, codes numbered 1..n within each
    quadrant, every name present. Raises :class:`CatalogueError` naming the file and row.
    """
    folder = folder or CATALOGUE_DIR
    quadrants: dict[int, Quadrant] = {}
    for n, row in enumerate(_read_csv(folder / "quadrants.csv"), start=2):
        try:
            num = int(row["quadrant"])
        except (KeyError, ValueError) as exc:
            raise CatalogueError(f"quadrants.csv row {n}: bad quadrant number") from exc
        quadrants[num] = Quadrant(num, row["roman"], row["name_vi"], row["name_en"], row.get("name_es", ""))
    if sorted(quadrants) != [1, 2, 3, 4]:
        raise CatalogueError(f"quadrants.csv: expected quadrants 1-4, found {sorted(quadrants)}")
    try:
        scale = load_scale(folder / "scale.csv")
    except (KeyError, ValueError) as exc:
        raise CatalogueError(f"scale.csv: {exc}") from exc

    indicators: list[Indicator] = []
    for n, row in enumerate(_read_csv(folder / "indicators.csv"), start=2):
        code = row.get("code", "")
        if not _CODE.match(code):
            raise CatalogueError(f"indicators.csv row {n}: invalid code {code!r} (expected like 1.10)")
        quadrant, seq = code_key(code)
        if row.get("quadrant") and row["quadrant"] != str(quadrant):
            raise CatalogueError(f"indicators.csv row {n}: code {code} is not in quadrant {row['quadrant']}")
        for col in ("name_vi", "name_en"):
            if not row.get(col):
                raise CatalogueError(f"indicators.csv row {n}: {col} is empty for {code}")
        legend = {
            (rating, lang): row.get(f"legend_{rating.value}_{lang}", "")
            for rating in (Rating.RED, Rating.YELLOW, Rating.GREEN)
            for lang in ("vi", "en")
        }
        indicators.append(
            Indicator(code, quadrant, seq, row["name_vi"], row["name_en"], row.get("name_es", ""),
                      {k: v for k, v in legend.items() if v})
        )
    dupes = [c for c, k in Counter(i.code for i in indicators).items() if k > 1]
    if dupes:
        raise CatalogueError(f"indicators.csv: duplicate codes {dupes}")
    if len(indicators) != 39:
        raise CatalogueError(f"indicators.csv: expected 39 indicators, found {len(indicators)}")
    sizes = Counter(i.quadrant for i in indicators)
    if dict(sorted(sizes.items())) != EXPECTED_QUADRANT_SIZES:
        raise CatalogueError(f"indicators.csv: quadrant sizes {dict(sorted(sizes.items()))}, expected 10/8/12/9")
    for q, size in EXPECTED_QUADRANT_SIZES.items():
        seqs = sorted(i.seq for i in indicators if i.quadrant == q)
        if seqs != list(range(1, size + 1)):
            raise CatalogueError(f"indicators.csv: quadrant {q} is not numbered 1..{size}")
    indicators.sort(key=lambda i: (i.quadrant, i.seq))
    return Catalogue(tuple(indicators), quadrants, scale)


@cache
def default_catalogue() -> Catalogue:
    """The catalogue under ``data/catalogue`` (loaded once per process)."""
    return load_catalogue()
