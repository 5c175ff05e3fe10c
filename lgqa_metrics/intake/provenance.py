"""Which unit and year a return is for: from the header block above its table (a "Đơn vị:" / "Mã đơn vị:" /
"Năm:" label, the issuing body, the title), else the sheet's name, else the file's name. A signing date
("Hải Phòng, ngày 15 tháng 01 năm 2024") is never taken for the assessment year."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from lgqa_metrics.domain.ratings import is_blank
from lgqa_metrics.domain.textnorm import clean, fold
from lgqa_metrics.domain.units import Unit, UnitRegistry, strip_leaders
from lgqa_metrics.intake.cells import text_of
from lgqa_metrics.intake.sheets import SheetData, a1

MIN_YEAR: Final = 2019
_YEAR_LABEL: Final = re.compile(r"(?<!thang )(?<!thang \d )(?<!thang \d\d )\b(?:nam|year|ky danh gia|ky bao cao)\s*:?\s*((?:19|20|21|22|23)\d\d|\d{3,5})\b")
#: "ngày 15 tháng 01 năm 2024", "ngày ... tháng ... năm 2024" (folded): a signing date, never the period.
_DATE_LINE: Final = re.compile(r"\bngay\b[^a-z]{0,12}\bthang\b[^a-z]{0,12}\bnam\s*\d{4}")
_YEAR_ANY: Final = re.compile(r"(?<![\d:])(20\d\d)(?!\d)")
_YEAR_IN_NAME: Final = re.compile(r"(?<!\d)(19|20)\d\d(?!\d)")
_YEAR_VALUE: Final = re.compile(r"\d{3,5}")
_NAME_SEPARATORS: Final = re.compile(r"[_\-.]+")
_UNIT_LIKE: Final = re.compile(r"^(?:tm )?(?:ubnd|uy ban nhan dan|quan|huyen|phuong|xa|q|h|p|x|don vi|ten don vi)\b")


@dataclass
class HeaderFacts:
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
            return text_of(sheet.rows[r][cc]), a1(r, cc)
    return "", a1(r, c)


def header_facts(sheet: SheetData, last_row: int, registry: UnitRegistry, year_hint: int | None = None) -> HeaderFacts:
    """The unit and year the header block above a table names. Names are matched once the block has been read, for
    the year it names (else ``year_hint``, the year in the sheet's or file's name): a name shared by several units
    ("Hồng Bàng": the quận until 2025, a phường since) is read as the unit answering for that year."""
    found = HeaderFacts()
    by_id: list[tuple[Unit, str]] = []
    # (text, cell, after a unit label, the text an unknown name is reported as: empty when it names no unit), in order
    names: list[tuple[str, str, bool, str]] = []
    for r in range(min(last_row, len(sheet.rows))):
        for c, value in enumerate(sheet.rows[r]):
            if value == "" or is_blank(value):
                continue
            text = text_of(value)
            label, lines, year = _header_text(text)
            if label in {"ma don vi", "unit id", "unit code"}:
                unit = registry.get(_label_value(sheet, r, c, text)[0])
                if unit:
                    by_id.insert(0, (unit, a1(r, c)))
                continue
            if label in {"don vi", "ten don vi", "don vi bao cao", "unit", "co quan"}:
                target, where = _label_value(sheet, r, c, text)
                if target:
                    names.append((target, where, True, target))
                continue
            if label in {"nam", "year", "nam danh gia", "ky danh gia", "nam bao cao"} and found.year is None:
                target, where = _label_value(sheet, r, c, text)
                if _YEAR_VALUE.fullmatch(target):
                    found.year, found.year_cell, found.year_raw = int(target), where, target
                continue
            names.extend((line, a1(r, c), False, cleaned if unit_like else "") for line, unit_like, cleaned in lines)
            if found.year is None and isinstance(value, str) and year is not None:
                found.year, found.year_cell, found.year_raw = year[0], a1(r, c), year[1]
    labelled, searched = _matched(names, registry, found, found.year or year_hint)
    pool = by_id + labelled or searched
    if pool:
        ids = {u.id for u, _ in pool}
        specific = [(u, cell) for u, cell in pool if not any(registry.is_ancestor(u.id, other) for other in ids)]
        found.unit, found.unit_cell = (specific or pool)[0]
    return found


def _matched(names: list[tuple[str, str, bool, str]], registry: UnitRegistry, found: HeaderFacts,
             year: int | None) -> tuple[list[tuple[Unit, str]], list[tuple[Unit, str]]]:
    """The units the header's names resolve to for ``year``: those after a unit label, and those found in other
    lines; the last name that resolves to nothing becomes ``found.unknown`` (a label's before any other line's)."""
    labelled: list[tuple[Unit, str]] = []
    searched: list[tuple[Unit, str]] = []
    unknown_from_label = False
    for text, cell, from_label, shown in names:
        if from_label:
            unit = registry.match(text, year)
            if unit:
                labelled.append((unit, cell))
            else:
                found.unknown, unknown_from_label = (text, cell), True
            continue
        hits = registry.search(text, year)
        searched.extend((u, cell) for u in hits)
        if not hits and not unknown_from_label and shown:
            found.unknown = (shown, cell)
    return labelled, searched


def _header_text(text: str) -> tuple[str, tuple[tuple[str, bool, str], ...], tuple[int, str] | None]:
    """What a header cell's text says on its own: its label (folded, before any ':'), each line with whether
    it reads like a unit's name and its cleaned form, and the year it names after a year label."""
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


def unit_from_name(text: str, registry: UnitRegistry, year: int | None = None) -> Unit | None:
    """The unit a file or sheet name names (its id, or its name in words), read for ``year`` when known."""
    known = registry.first_id_in(text)
    if known is not None:
        return known
    words = _name_words(text)
    without_year = _YEAR_IN_NAME.sub(" ", words)
    unit: Unit | None = registry.match(without_year, year)
    if unit:
        return unit
    hits = registry.search(without_year, year)
    return hits[0] if len(hits) == 1 else None


def year_from_name(text: str) -> int | None:
    m = _YEAR_ANY.search(text)
    return int(m.group(1)) if m else None


