"""Read self-assessment returns from workbooks in whatever layout units send them.

For every visible sheet the layout is inferred from what its columns hold (:mod:`.layout`), then its rows
are read (:mod:`.rows`) and its unit and year found (:mod:`.provenance`). A sheet may hold one return,
a district's consolidation (one return per unit column), or one quadrant of a return spread over several
sheets. Every problem becomes an :class:`~lgqa_metrics.domain.issues.Issue`; nothing is raised for bad content.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

from lgqa_metrics.domain.catalogue import Catalogue, default_catalogue
from lgqa_metrics.domain.formatting import date_time, local_today
from lgqa_metrics.domain.i18n import Phrase, has, t
from lgqa_metrics.domain.issues import Issue, make_issue
from lgqa_metrics.domain.lineage import Lineage, default_lineage
from lgqa_metrics.domain.ratings import Rating
from lgqa_metrics.domain.units import Unit, UnitRegistry, default_registry
from lgqa_metrics.intake.cells import NameIndex, name_index
from lgqa_metrics.intake.layout import (
    LOW_CONFIDENCE,
    ColumnProfile,
    FillReader,
    Layout,
    Unreadable,
    infer_layout,
    with_columns,
)
from lgqa_metrics.intake.mapping import LayoutMapping, find_mapped
from lgqa_metrics.intake.phrases import HeaderPhrases, default_phrases
from lgqa_metrics.intake.provenance import header_facts, unit_from_name, year_from_name
from lgqa_metrics.intake.records import ParsedReturn, RatingRow, ReadResult
from lgqa_metrics.intake.rows import TableRead, TableReader
from lgqa_metrics.intake.sheets import SheetData, UnreadableWorkbook, a1, column_letters
from lgqa_metrics.intake.sniff import sniff
from lgqa_metrics.intake.workbook import WorkbookData, load_workbook

MIN_YEAR: Final = 2019
#: A sheet counts as a return when it resolves at least this many indicator rows (or is the best).
MIN_TABLE_ROWS: Final = 8

__all__ = ["MIN_YEAR", "ParsedReturn", "RatingRow", "ReadResult", "read_bytes", "read_path"]


@dataclass(frozen=True)
class _Table:
    """One table read: the sheet, where in it (a column for a consolidation), its unit when the column says."""

    sheet: SheetData
    layout: Layout
    read: TableRead
    place: str
    unit: Unit | None = None
    #: Each sheet the return was read from with the row its header block ends at (several: one per quadrant).
    parts: tuple[tuple[SheetData, int], ...] = ()

    def header_blocks(self) -> tuple[tuple[SheetData, int], ...]:
        """The sheets whose header block names the return's unit and year, each with its last row."""
        return self.parts or ((self.sheet, self.layout.header_row),)


def read_bytes(
    data: bytes,
    file: str,
    *,
    catalogue: Catalogue | None = None,
    registry: UnitRegistry | None = None,
    lineage: Lineage | None = None,
    phrases: HeaderPhrases | None = None,
    mappings: Mapping[str, LayoutMapping] | None = None,
    today: dt.date | None = None,
    bounded: bool = False,
) -> ReadResult:
    """Read every return in one file's bytes. Never raises for bad content. A sheet whose header has one of
    the staff-confirmed ``mappings`` (by fingerprint) is read as mapped, and says so. ``bounded`` only in a
    process bounded in memory (see :func:`lgqa_metrics.intake.workbook.load_workbook`). ``lineage`` names the
    units that answer for a year in which a return's unit did not exist (default: ``data/lineage.csv`` with the
    default registry, else none)."""
    catalogue = catalogue or default_catalogue()
    registry = registry or default_registry()
    if lineage is None:
        lineage = default_lineage() if registry is default_registry() else Lineage()
    phrases = phrases or default_phrases()
    digest = hashlib.sha256(data).hexdigest()
    sniffed = sniff(data)
    if not sniffed.readable:
        code = {"empty": "file_empty", "truncated": "file_truncated", "encrypted": "file_encrypted"}.get(sniffed.kind)
        issue = make_issue(code, file=file) if code else _not_spreadsheet(sniffed.kind, file)
        return ReadResult(file, digest, sniffed.kind, (), (issue,))
    try:
        book = load_workbook(data, sniffed, bounded=bounded)
    except UnreadableWorkbook as exc:
        return ReadResult(file, digest, sniffed.kind, (), (_file_issue(exc.code, file, exc.fields),))

    names = name_index(catalogue)
    file_issues: list[Issue] = []
    tables: list[_Table] = []
    for sheet in book.sheets:
        if sheet.too_large:
            rows, cols = sheet.too_large
            file_issues.append(make_issue("sheet_too_large", file=file, sheet=sheet.name, cell=a1(rows, cols),
                                          rows=rows + 1, cols=cols + 1))
            continue
        if not sheet.visible:
            continue
        mapped = find_mapped(sheet, mappings or {})
        if mapped is not None:
            header, mapping = mapped
            layout = with_columns(sheet, header.row, mapping.columns, mapping.colours)
            note = make_issue("layout_mapped", file=file, sheet=sheet.name, cell=layout.header_cell(0),
                              value=mapping.confirmed_by, at=mapping.confirmed_at[:16].replace("T", " "))
            tables.extend(replace(tb, read=_with(tb.read, [note]))
                          for tb in _read_tables(book, sheet, layout, file, catalogue, names))
            continue
        found = infer_layout(sheet, catalogue, phrases, names, _fills_of(book, sheet), registry)
        if isinstance(found, Unreadable):
            file_issues.append(_ambiguous(found, file, sheet))
        elif found is not None:
            tables.extend(_read_tables(book, sheet, found, file, catalogue, names))
    tables = _joined_quadrants(tables)
    return_tables = [tb for tb in tables if len(tb.read.rows) >= MIN_TABLE_ROWS or tb.unit is not None]
    if not return_tables and tables:
        best = max(tables, key=lambda tb: len(tb.read.rows))
        return_tables = [best] if best.read.rows or best.read.issues else []
    if not return_tables:
        if not file_issues:
            file_issues.append(make_issue("no_table", file=file))
        return ReadResult(file, digest, sniffed.kind, (), tuple(file_issues))
    stem = Path(file).stem
    year_high = (today or local_today()).year + 1
    file_is_one_return = len({tb.sheet.name for tb in return_tables}) == 1 and all(tb.unit is None for tb in return_tables)
    returns = tuple(_as_return(tb, file, stem, file_is_one_return, catalogue, registry, lineage, year_high)
                    for tb in return_tables)
    return ReadResult(file, digest, sniffed.kind, returns, tuple(file_issues))


def _file_issue(code: str, file: str, fields: Mapping[str, Any]) -> Issue:
    """A file's issue ``code`` with its message ``fields``."""
    return make_issue(code, file=file, **fields)


def read_path(path: Path, **kwargs: object) -> ReadResult:
    """Read a file from disk (see :func:`read_bytes`)."""
    return read_bytes(path.read_bytes(), path.name, **kwargs)  # type: ignore[arg-type]


def _fills_of(book: WorkbookData, sheet: SheetData) -> FillReader:
    """Reads the sheet's fills when layout inference asks for them."""
    return lambda: book.sheet_fills(sheet.name)


def _read_tables(book: WorkbookData, sheet: SheetData, layout: Layout, file: str, catalogue: Catalogue,
                 names: NameIndex) -> list[_Table]:
    """The table (or, on a consolidation sheet, one table per unit column) of ``sheet``, with a warning at
    the header for each column the layout only assumed and each column of text it left unread."""
    reader = TableReader(book, sheet, layout, file, catalogue, names)
    notes = _layout_notes(layout, file, sheet.name)
    if layout.unit_columns:
        return [_Table(sheet, layout, _with(read, notes), f"{sheet.name}!{column_letters(col + 1)}",
                       layout.unit_columns[col])
                for col, read in reader.read_units().items()]
    return [_Table(sheet, layout, _with(reader.read(), notes), sheet.name)]


def _with(read: TableRead, issues: Sequence[Issue]) -> TableRead:
    return TableRead(read.rows, (*issues, *read.issues), read.failed)


def _layout_notes(layout: Layout, file: str, sheet: str) -> list[Issue]:
    """Warnings for what the layout assumed: a role whose column was chosen with low confidence, and a column
    of text that no role took (evidence that could not be placed)."""
    notes: list[Issue] = []
    for choice in layout.choices:
        if choice.confidence < LOW_CONFIDENCE and layout.header_rows and choice.holds != "confirmed":
            notes.append(make_issue("layout_assumed", file=file, sheet=sheet, cell=layout.header_cell(choice.column),
                                    value=choice.header, role=Phrase.of(f"layout.role_{choice.role}"),
                                    column=column_letters(choice.column + 1),
                                    holds=Phrase.of(f"layout.holds_{choice.holds}")))
    for col in layout.unread:
        notes.append(make_issue("column_unread", file=file, sheet=sheet, cell=layout.header_cell(col),
                                value=layout.headers[col], column=column_letters(col + 1)))
    return notes


def _joined_quadrants(tables: list[_Table]) -> list[_Table]:
    """Tables of several sheets that hold different indicators of one return (one sheet per quadrant) as one
    table: when two or more single tables hold no indicator in common."""
    singles = [tb for tb in tables if tb.unit is None]
    if len(singles) < 2:
        return tables
    seen: set[str] = set()
    for tb in singles:
        codes = {r.code for r in tb.read.rows} | set(tb.read.failed)
        if not codes or codes & seen:
            return tables
        seen |= codes
    first = singles[0]
    rows = tuple(r for tb in singles for r in tb.read.rows)
    issues = tuple(i for tb in singles for i in tb.read.issues)
    failed = frozenset().union(*(tb.read.failed for tb in singles))
    place = " + ".join(tb.sheet.name for tb in singles)
    parts = tuple((tb.sheet, tb.layout.header_row) for tb in singles)
    joined = _Table(first.sheet, first.layout, TableRead(rows, issues, failed), place, parts=parts)
    return [joined, *(tb for tb in tables if tb.unit is not None)]


def _ambiguous(found: Unreadable, file: str, sheet: SheetData) -> Issue:
    """The one error of a sheet whose columns could not be told apart: each column and what it seemed to hold."""
    described = [(p, _described(p)) for p in found.profiles if p.cells > 0 or p.header]
    vi = "; ".join(f"{column_letters(p.column + 1)} \"{p.header}\": {text.vi}" for p, text in described)
    en = "; ".join(f"{column_letters(p.column + 1)} \"{p.header}\": {text.en}" for p, text in described)
    row = found.header_row
    last = max((p.column for p in found.profiles), default=0)
    cell = f"A{row + 1}:{column_letters(last + 1)}{row + 1}" if row >= 0 else ""
    return make_issue("layout_ambiguous", file=file, sheet=sheet.name, cell=cell, value="",
                      missing=_missing(found), columns=Phrase(vi, en))


def _missing(found: Unreadable) -> Phrase:
    """What could not be told apart, in both languages."""
    if found.missing[0] == "tie":
        return Phrase.of("layout.missing_tie", role=Phrase.of(f"layout.role_{found.role}"))
    return Phrase.of(f"layout.missing_{found.missing[0]}")


def _described(profile: ColumnProfile) -> Phrase:
    kind = profile.holds()
    samples = ", ".join(f"\"{s}\"" for s in profile.samples[:2])
    return Phrase.of(f"layout.holds_{kind}") if not samples else Phrase(
        f"{t(f'layout.holds_{kind}', 'vi')} ({samples})", f"{t(f'layout.holds_{kind}', 'en')} ({samples})")


def _not_in_year(unit: Unit, year: int, lineage: Lineage, registry: UnitRegistry, file: str, sheet: str,
                 cell: str) -> Issue:
    """The error of a return for a year in which its unit did not answer (it ended before 31 December, or began
    after), naming the units that answered for that year through the lineage."""
    ended = unit.valid_to is not None and unit.valid_to < dt.date(year, 12, 31)
    others = (lineage.successors_on if ended else lineage.predecessors_on)(unit.id, registry, year)
    day = unit.valid_to if ended else unit.valid_from
    key = "issue.unit_ended" if ended else "issue.unit_not_begun"
    state = Phrase(t(key, "vi", day=date_time(day, "vi")), t(key, "en", day=date_time(day, "en")))
    if others:
        instead = Phrase.of("issue.unit_not_in_year_successor" if ended else "issue.unit_not_in_year_predecessor",
                            units=", ".join(u.name for u in others), year=year)
    else:
        instead = Phrase.of("issue.unit_not_in_year_none", year=year)
    return make_issue("unit_not_in_year", file=file, sheet=sheet, cell=cell, value=unit.name, unit=unit.name,
                      year=year, state=state, instead=instead)


def _not_spreadsheet(kind: str, file: str) -> Issue:
    key = f"kind.{kind}" if has(f"kind.{kind}") else "kind.unknown"
    return make_issue("file_not_spreadsheet", file=file, value=kind, kind=Phrase.of(key))


def _as_return(table: _Table, file: str, stem: str, file_is_one_return: bool, catalogue: Catalogue, registry: UnitRegistry,
               lineage: Lineage, year_high: int) -> ParsedReturn:
    """The return of one table: its unit and year found, every indicator present (missing ones as missing). A
    name that old and new units share ("Hồng Bàng": the district until 2025, a ward since) is read as the unit
    answering for the return's year."""
    issues = list(table.read.issues)
    sheet = table.sheet
    named_year = year_from_name(sheet.name) or year_from_name(stem)
    facts = [header_facts(s, end, registry, named_year) for s, end in table.header_blocks()]
    year = next((f.year for f in facts if f.year), None) or named_year
    year_cell = next((f.year_cell for f in facts if f.year), "")
    unit = table.unit or next((f.unit for f in facts if f.unit), None)
    if unit is None:
        unit = unit_from_name(sheet.name, registry, year) or (
            unit_from_name(stem, registry, year) if file_is_one_return else None)
    if unit is None:
        unknown = next((f.unknown for f in facts if f.unknown), None)
        if unknown:
            text, cell = unknown
            closest = ", ".join(u.name for u in registry.closest(text))
            issues.append(make_issue("unit_unknown", file=file, sheet=sheet.name, cell=cell, value=text, closest=closest))
        else:
            issues.append(make_issue("unit_missing", file=file, sheet=sheet.name))
    elif table.unit is None:
        found = next((f for f in facts if f.unit), None)
        other = unit_from_name(stem, registry, year) if file_is_one_return and found else None
        if found and other and other.id != unit.id:
            issues.append(make_issue("unit_conflict", file=file, sheet=sheet.name, cell=found.unit_cell,
                                     value=other.name, found=unit.name, other=other.name))
    if year is None:
        issues.append(make_issue("year_missing", file=file, sheet=sheet.name))
    elif not MIN_YEAR <= year <= year_high:
        issues.append(make_issue("year_implausible", file=file, sheet=sheet.name, cell=year_cell,
                                 value=year, low=MIN_YEAR, high=year_high))
        year = None
    if unit is not None and year is not None and not unit.reports_for(year):
        cell = next((f.unit_cell for f in facts if f.unit), "")
        issues.append(_not_in_year(unit, year, lineage, registry, file, sheet.name, cell))
    found_rows = {r.code: r for r in table.read.rows}
    ratings: list[RatingRow] = []
    for ind in catalogue.indicators:  # in code order
        if ind.code in found_rows:
            ratings.append(found_rows[ind.code])
            continue
        ratings.append(RatingRow(ind.code, Rating.MISSING, "", "", "", ""))
        if ind.code not in table.read.failed:
            issues.append(make_issue("indicator_missing", file=file, sheet=sheet.name, code=ind.code, name=ind.name_vi))
    if table.read.rows and all(r.rating is Rating.MISSING for r in ratings):
        issues.append(make_issue("return_empty", file=file, sheet=sheet.name))
    issues.sort(key=lambda i: i.severity != "error")
    return ParsedReturn(file, table.place, unit.id if unit else None, year, tuple(ratings), tuple(issues))

