"""A sheet as the reader sees it: a 0-based grid of values aligned with A1 (:class:`SheetData`), the limits
beyond which a sheet is refused rather than built (:func:`is_absurd`), A1 references, and the error a workbook
that cannot or must not be opened raises (:class:`UnreadableWorkbook`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

#: Largest sheet extent read; beyond it a sheet is refused rather than loaded.
MAX_ROWS: Final = 20_000


MAX_COLS: Final = 512


#: Largest sheet area (rows × columns) read: a return is about 60 × 10 cells.
MAX_CELLS: Final = 1_000_000


#: Raised through unchanged: an interrupt, or memory running out (a resource limit, not a verdict on the file).
NOT_ERRORS: Final = (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError)


class UnreadableWorkbook(Exception):
    """The bytes claim to be a workbook but cannot (or must not) be opened; ``code`` is an issue code and
    ``fields`` fill its message (``detail`` for ``file_unreadable``)."""

    def __init__(self, code: str, detail: str = "", *, fields: Mapping[str, object] | None = None) -> None:
        super().__init__(detail or code)
        self.code = code
        self.detail = detail
        self.fields: dict[str, object] = dict(fields or ({"detail": detail} if code == "file_unreadable" else {}))


@lru_cache(maxsize=1024)
def column_letters(number: int) -> str:
    """Column letters of a 1-based column number, also beyond Excel's last column XFD (the first columns,
    named in every issue and rating cell: cached)."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters or "A"


def a1(row: int, col: int) -> str:
    """A1 reference of 0-based ``row`` and ``col``."""
    return f"{column_letters(col + 1)}{row + 1}"


def reported(extent: tuple[int, int]) -> tuple[int, int]:
    """An absurd extent as reported: clipped so its A1 reference stays short (at most 14 characters)."""
    return min(extent[0], 999_999_998), min(extent[1], 999_998)


def is_absurd(extent: tuple[int, int]) -> bool:
    """True when a sheet reaching 0-based ``extent`` (last row, last column) is too large to read."""
    rows, cols = extent
    return rows >= MAX_ROWS or cols >= MAX_COLS or (rows + 1) * (cols + 1) > MAX_CELLS


@dataclass
class SheetData:
    """One sheet's values as a 0-based grid aligned with A1."""

    name: str
    rows: list[list[object]]
    visible: bool = True
    too_large: tuple[int, int] | None = None

    def value(self, row: int, col: int) -> object:
        """The value at ``row``, ``col`` ('' when outside the grid)."""
        if 0 <= row < len(self.rows):
            line = self.rows[row]
            if 0 <= col < len(line):
                return line[col]
        return ""


def short_error(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]
