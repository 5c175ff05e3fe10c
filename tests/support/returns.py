"""Filled-in template returns for store, CLI and export tests."""

from __future__ import annotations

import io
from collections.abc import Mapping
from functools import cache

import openpyxl

from lgqa_metrics.domain.catalogue import default_catalogue
from lgqa_metrics.domain.units import default_registry
from lgqa_metrics.services.template import DATA_SHEET, HEADER_ROW, build_template

WORDS = {"red": "Đỏ", "yellow": "Vàng", "green": "Xanh lá", "na": "Không áp dụng", "missing": None}
CYCLE = ("green", "yellow", "red", "green", "na")


def pattern(shift: int = 0) -> dict[str, str]:
    """A rating per indicator: a fixed cycle of words shifted by ``shift``."""
    return {code: CYCLE[(i + shift) % len(CYCLE)] for i, code in enumerate(default_catalogue().codes)}


def filled_template(unit_id: str, year: int, ratings: Mapping[str, str], evidence: str = "QĐ số {code}/QĐ-UBND") -> bytes:
    """The project's template for ``unit_id`` and ``year`` filled in with openpyxl, as a unit would. The same
    arguments give the same bytes, made once per test process (hundreds of tests fill the same few returns)."""
    return _filled(unit_id, year, tuple(sorted(ratings.items())), evidence)


@cache
def _filled(unit_id: str, year: int, ratings: tuple[tuple[str, str], ...], evidence: str) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(build_template(default_registry()[unit_id], year)))
    ws = book[DATA_SHEET]
    given = dict(ratings)
    for row in ws.iter_rows(min_row=HEADER_ROW + 2):
        code = row[1].value
        if isinstance(code, str) and code in given:
            row[3].value = WORDS[given[code]]
            row[4].value = evidence.format(code=code)
            row[5].value = "giải trình" if given[code] in ("red", "yellow") else None
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
