"""Property-based tests: real returns, mutated, always get a clean verdict.

The corpus is every bundled sample (.xlsx, .xls, .ods) plus a template filled in as a unit would. Each
example truncates one at a random offset, flips random bytes, drops a zip part, swaps a part for an
entity bomb, or adds a far cell (a stray cell at up to XFD1048576, huge repeat counts in .ods, a cell
record at the last .xls row). Whatever comes out, reading it must give a ReadResult (never an exception)
whose every issue has a known code and both messages, within bounded time; read in the worker, within
bounded memory too (a worker that crashed would say so with ``read_crashed``).

Hypothesis runs derandomized with no example database, so the suite is the same on every run.
"""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import python_calamine as pc
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import xml as openpyxl_xml

from lgqa_metrics.domain.issues import ISSUE_CODES, Issue
from lgqa_metrics.domain.paths import SAMPLES_DIR
from lgqa_metrics.intake import safety
from lgqa_metrics.intake.fills import _openpyxl_fills
from lgqa_metrics.intake.reader import ReadResult, read_bytes
from lgqa_metrics.intake.sheets import MAX_COLS, MAX_ROWS, column_letters
from lgqa_metrics.services.template import DATA_SHEET
from tests.support import builders, hostile
from tests.support.returns import filled_template, pattern

#: Generous bound on one read (a return reads in milliseconds; a mutation that loops would hit it).
SECONDS_PER_READ = 20.0
#: Address space the worker may add for one hostile read: the guards keep every mutation far below it.
WORKER_MEMORY = 768 * 1024 * 1024
PROPERTY = settings(max_examples=100, deadline=None, derandomize=True, database=None, print_blob=False,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@dataclass(frozen=True)
class Sample:
    """One real return: its name, bytes and format."""

    name: str
    data: bytes

    @property
    def kind(self) -> str:
        return Path(self.name).suffix.lstrip(".")

    @property
    def zipped(self) -> bool:
        return self.kind in {"xlsx", "ods"}


CORPUS: tuple[Sample, ...] = (
    *(Sample(p.name, p.read_bytes()) for p in sorted(SAMPLES_DIR.iterdir()) if p.suffix in {".xlsx", ".xls", ".ods"}),
    Sample("Bieu_mau_MinhKhai_2024.xlsx", filled_template("p-minh-khai", 2024, pattern(2))),
)
ZIPPED = tuple(s for s in CORPUS if s.zipped)
XLSX = tuple(s for s in CORPUS if s.kind == "xlsx")
ODS = tuple(s for s in CORPUS if s.kind == "ods")
XLS = tuple(s for s in CORPUS if s.kind == "xls")


@dataclass(frozen=True)
class Variant:
    """A mutated return and what was done to it."""

    name: str
    data: bytes
    how: str


def check_verdict(result: object) -> ReadResult:
    """``result`` is a clean verdict: a ReadResult whose every issue has a known code and messages."""
    assert isinstance(result, ReadResult)
    issues: list[Issue] = [*result.issues, *(i for r in result.returns for i in r.issues)]
    for issue in issues:
        assert issue.code in ISSUE_CODES, issue.code
        assert issue.severity is ISSUE_CODES[issue.code]
        assert issue.message_vi.strip() and issue.message_en.strip()
        assert "{" not in issue.message_vi + issue.message_en, issue
    assert result.returns or any(i.severity == "error" for i in result.issues), "no return and no reason"
    return result


def timed(read: Callable[[], ReadResult]) -> ReadResult:
    """``read()`` checked to finish within :data:`SECONDS_PER_READ`."""
    start = time.perf_counter()
    result = read()
    elapsed = time.perf_counter() - start
    assert elapsed < SECONDS_PER_READ, f"{elapsed:.1f} s"
    return result


def codes(result: ReadResult) -> set[str]:
    """Every issue code of a result."""
    return {i.code for i in result.issues} | {i.code for r in result.returns for i in r.issues}


def longest_text(result: ReadResult) -> int:
    """Length of the longest text read from any rating row (an expanded entity would be millions)."""
    return max((len(x) for r in result.returns for row in r.ratings for x in (row.raw, row.evidence, row.note)),
               default=0)


# --- mutations --------------------------------------------------------------------------------------


@st.composite
def truncated(draw: st.DrawFn, pool: tuple[Sample, ...] = CORPUS) -> Variant:
    sample = draw(st.sampled_from(pool))
    cut = draw(st.integers(0, len(sample.data) - 1))
    return Variant(sample.name, sample.data[:cut], f"truncated at {cut}")


@st.composite
def flipped(draw: st.DrawFn, pool: tuple[Sample, ...] = CORPUS) -> Variant:
    sample = draw(st.sampled_from(pool))
    data = bytearray(sample.data)
    flips = draw(st.lists(st.tuples(st.integers(0, len(data) - 1), st.integers(1, 255)), min_size=1, max_size=12))
    for offset, mask in flips:
        data[offset] ^= mask
    return Variant(sample.name, bytes(data), f"flipped {flips}")


def _parts(sample: Sample) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(sample.data)) as zf:
        return sorted(zf.namelist())


@st.composite
def dropped_part(draw: st.DrawFn) -> Variant:
    sample = draw(st.sampled_from(ZIPPED))
    part = draw(st.sampled_from(_parts(sample)))
    return Variant(sample.name, hostile.rezip(sample.data, {part: None}), f"without {part}")


@st.composite
def entity_bomb(draw: st.DrawFn) -> Variant:
    sample = draw(st.sampled_from(ZIPPED))
    part = draw(st.sampled_from([p for p in _parts(sample) if p.endswith((".xml", ".rels"))]))
    return Variant(sample.name, hostile.rezip(sample.data, {part: hostile.with_laughs}), f"entity bomb in {part}")


@st.composite
def far_xlsx_cell(draw: st.DrawFn) -> Variant:
    sample = draw(st.sampled_from(XLSX))
    far_col = draw(st.integers(MAX_COLS + 1, 16_384))
    far_row = draw(st.integers(MAX_ROWS + 1, 1_048_576))
    col, row = draw(st.sampled_from([(far_col, 1000), (1, far_row), (far_col, far_row)]))
    ref = f"{column_letters(col)}{row}"
    return Variant(sample.name, hostile.with_far_cell(sample.data, ref), f"far cell {ref}")


@st.composite
def far_ods_cell(draw: st.DrawFn) -> Variant:
    sample = draw(st.sampled_from(ODS))
    rows = draw(st.sampled_from([0, draw(st.integers(MAX_ROWS, 10**9))]))
    cols = draw(st.sampled_from([0, draw(st.integers(MAX_COLS, 10**9))]) if rows else st.integers(MAX_COLS, 10**9))
    value_repeat = draw(st.integers(1, 3))
    tail = ((f'<table:table-row table:number-rows-repeated="{rows}"><table:table-cell/></table:table-row>' if rows
             else "") + f'<table:table-row><table:table-cell table:number-columns-repeated="{cols + 1}"/>'
            f"{hostile.ods_cell('x', value_repeat)}</table:table-row></table:table>")
    data = hostile.rezip(sample.data, {"content.xml": lambda xml: xml.replace(b"</table:table>", tail.encode(), 1)})
    return Variant(sample.name, data, f"ods value after {rows} rows and {cols} columns")


@st.composite
def far_xls_cell(draw: st.DrawFn) -> Variant:
    sample = draw(st.sampled_from(XLS))
    row, col = draw(st.integers(MAX_ROWS, 65_535)), draw(st.integers(0, 255))
    dimensions = draw(st.booleans())
    data = hostile.xls_with_cell_at(sample.data, row, col, dimensions=dimensions)
    return Variant(sample.name, data, f"xls {'DIMENSIONS' if dimensions else 'cell'} at row {row}, column {col}")


GUARDED = st.one_of(dropped_part(), entity_bomb(), far_xlsx_cell(), far_ods_cell(), far_xls_cell(),
                    truncated(ZIPPED))
ANYTHING = st.one_of(truncated(), flipped(), dropped_part(), entity_bomb(), far_xlsx_cell(), far_ods_cell(),
                     far_xls_cell())


# --- properties ---------------------------------------------------------------------------------------


@PROPERTY
@given(ANYTHING)
def test_any_mutation_read_in_the_worker_gets_a_clean_verdict_in_bounded_time(variant: Variant) -> None:
    result = timed(lambda: safety.read_isolated(variant.data, variant.name, timeout_s=SECONDS_PER_READ,
                                                memory_bytes=WORKER_MEMORY))
    check_verdict(result)
    assert "read_timeout" not in codes(result), variant.how
    event(f"{variant.how.split()[0]} → {','.join(sorted(codes(result))) or 'clean'}")


@PROPERTY
@given(st.one_of(flipped(), flipped(XLS), truncated()))
def test_damaged_bytes_in_any_format_read_in_the_worker_get_a_clean_verdict(variant: Variant) -> None:
    """Flipped and cut bytes reach parsers' corners (a native reader may even abort on them: the worker
    then reports ``read_crashed`` and the server carries on)."""
    result = check_verdict(timed(lambda: safety.read_isolated(variant.data, variant.name, timeout_s=SECONDS_PER_READ,
                                                              memory_bytes=WORKER_MEMORY)))
    assert "read_timeout" not in codes(result), variant.how
    event(f"{variant.how.split()[0]} {Path(variant.name).suffix} → {','.join(sorted(codes(result))) or 'clean'}")


@PROPERTY
@given(GUARDED)
def test_guarded_mutations_never_end_as_a_crash_or_expand_anything(variant: Variant) -> None:
    """Far cells, entity bombs, dropped parts and truncated archives are refused (or read harmlessly) by
    the reader's own checks: none ends as ``read_crashed`` (a worker that reads bounded and dies building a
    far cell's grid has the file read again with every check, which names the cell)."""
    result = check_verdict(timed(lambda: safety.read_isolated(variant.data, variant.name, timeout_s=SECONDS_PER_READ,
                                                              memory_bytes=WORKER_MEMORY)))
    assert not codes(result) & {"read_crashed", "read_timeout"}, variant.how
    assert longest_text(result) < 10_000, variant.how
    if variant.how.startswith(("far cell", "ods value", "xls")):
        assert "sheet_too_large" in codes(result), variant.how
    event(f"{variant.how.split()[0]} → {','.join(sorted(codes(result))) or 'clean'}")


@PROPERTY
@given(GUARDED)
def test_guarded_mutations_read_in_process_never_raise(variant: Variant) -> None:
    check_verdict(timed(lambda: read_bytes(variant.data, variant.name)))


@PROPERTY
@given(truncated(ZIPPED))
def test_truncated_archives_read_in_process_are_truncated_or_refused(variant: Variant) -> None:
    result = check_verdict(timed(lambda: read_bytes(variant.data, variant.name)))
    assert result.returns == () and result.issues[0].severity == "error", variant.how


# --- the entity bomb, part by part and reader by reader --------------------------------------------------


def _fill_only_return() -> bytes:
    """A return rated by cell fills only, so that reading it needs the openpyxl fill path."""
    keys = builders.cycle_ratings()
    return builders.fill_return({c: k for c, k in keys.items() if k != "na"})


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/styles.xml",
                                  "xl/workbook.xml", "[Content_Types].xml"])
def test_a_billion_laughs_part_is_refused_before_any_reader(part: str) -> None:
    data = hostile.rezip(_fill_only_return(), {part: hostile.with_laughs})
    result = timed(lambda: read_bytes(data, "bao_cao.xlsx"))
    assert [(i.code, part in i.message_en) for i in result.issues] == [("file_unreadable", True)]


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"])
def test_calamine_itself_refuses_or_ignores_entities(part: str) -> None:
    """Defence in depth, had the DOCTYPE check missed: calamine (quick-xml) does not expand entities."""
    data = hostile.rezip(builders.word_return(builders.as_words(builders.cycle_ratings())), {part: hostile.with_laughs})
    start = time.perf_counter()
    try:
        book = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
        values = [v for row in book.get_sheet_by_index(0).to_python() for v in row]
    except pc.CalamineError:
        values = []
    assert time.perf_counter() - start < 5
    assert max((len(str(v)) for v in values), default=0) < 1000


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/styles.xml"])
def test_the_openpyxl_fill_path_never_expands_entities(part: str) -> None:
    """openpyxl parses each part through defusedxml (which refuses entities), or, where lxml is installed (python-docx
    brings it), through lxml with entity resolution off (which leaves them unexpanded): either way, at once."""
    data = hostile.rezip(_fill_only_return(), {part: hostile.with_laughs})
    start = time.perf_counter()
    try:
        fills = _openpyxl_fills(data, frozenset())
    except Exception as refused:
        chain, exc = [], refused
        while exc is not None:
            chain.append(type(exc).__name__)
            exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
        assert "EntitiesForbidden" in chain
    else:
        assert openpyxl_xml.LXML, "without lxml, openpyxl must refuse through defusedxml"
        assert all(len(str(v)) < 1000 for sheet in fills.values() for v in sheet.values()), "nothing expanded"
    assert time.perf_counter() - start < 5


def test_the_corpus_itself_reads_cleanly() -> None:
    """The mutations start from returns that read without error (else the properties prove little)."""
    for sample in CORPUS:
        result = check_verdict(read_bytes(sample.data, sample.name))
        assert result.returns and all(r.accepted for r in result.returns), sample.name
    assert len(XLSX) > 10 and ODS and XLS and any(s.name.startswith("Bieu_mau") for s in XLSX)
    assert DATA_SHEET in {r.sheet for r in read_bytes(CORPUS[-1].data, CORPUS[-1].name).returns}
