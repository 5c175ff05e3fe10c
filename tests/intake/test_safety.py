"""Reading untrusted files safely: the size cap, the zip checks, absurd .ods/.xls extents, and the reader
run in a worker process bounded in memory and time (lgqa_metrics.intake.safety)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import os
import pickle
import threading
import time
import tomllib
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from lgqa_metrics.cli import main as cli
from lgqa_metrics.domain.i18n import Phrase, t
from lgqa_metrics.domain.issues import ISSUE_CODES
from lgqa_metrics.domain.paths import SAMPLES_DIR
from lgqa_metrics.domain.roles import Actor, Role
from lgqa_metrics.domain.units import load_registry
from lgqa_metrics.intake import safety, sniff, workers
from lgqa_metrics.intake.reader import read_bytes
from lgqa_metrics.intake.sheets import MAX_COLS, MAX_ROWS, a1
from lgqa_metrics.intake.workbook import load_workbook
from lgqa_metrics.services import batch
from lgqa_metrics.services.annotate import ISSUES_SHEET, annotated_download
from lgqa_metrics.services.ingest import ingest_bytes
from lgqa_metrics.store.database import Store
from lgqa_metrics.store.quarantine import quarantine_frame
from tests.support import builders, hostile
from tests.support.returns import filled_template, pattern

ROOT = Path(__file__).resolve().parents[2]
WORDS = builders.as_words(builders.cycle_ratings())
STAFF = Actor("staff-a", Role.STAFF)
SAMPLES = sorted(p for p in SAMPLES_DIR.iterdir() if p.suffix in {".xlsx", ".xls", ".ods"})


def codes(result: object) -> list[str]:
    """Issue codes of a ReadResult, file-level and of each return."""
    found = [i.code for i in result.issues]  # type: ignore[attr-defined]
    for ret in result.returns:  # type: ignore[attr-defined]
        found.extend(i.code for i in ret.issues)
    return found


# --- the size cap -------------------------------------------------------------------------------------


def test_the_code_cap_is_the_upload_cap_of_the_server_config() -> None:
    with (ROOT / ".streamlit" / "config.toml").open("rb") as fh:
        megabytes = tomllib.load(fh)["server"]["maxUploadSize"]
    assert megabytes * 1024 * 1024 == safety.MAX_FILE_BYTES  # Streamlit counts 1 MB as 1024 × 1024 bytes


def test_a_file_over_the_cap_is_refused_unread_naming_its_size_and_the_limit() -> None:
    data = b"PK\x03\x04" + bytes(safety.MAX_FILE_BYTES)
    for result in (safety.read_isolated(data, "to.xlsx"), safety.read_safely(data, "to.xlsx", isolated=False),
                   batch.read_upload(data, "to.xlsx")):
        assert result.returns == ()
        (issue,) = result.issues
        assert issue.code == "file_too_large" and issue.value == str(len(data))
        assert "20 MB" in issue.message_vi and "20 MB" in issue.message_en
        assert "20,0 MB" in issue.message_vi and "20.0 MB" in issue.message_en  # the size, the local way


def test_a_file_at_the_cap_is_read() -> None:
    data = builders.word_return(WORDS)
    assert safety.too_large(data + bytes(safety.MAX_FILE_BYTES - len(data)), "a.xlsx") is None
    assert safety.too_large(data + bytes(safety.MAX_FILE_BYTES - len(data) + 1), "a.xlsx") is not None


def test_ingest_refuses_an_oversized_file_and_keeps_it_in_quarantine(store: Store) -> None:
    data = builders.word_return(WORDS)
    big = data + bytes(safety.MAX_FILE_BYTES + 1 - len(data))
    (outcome,) = ingest_bytes(store, big, "rat-lon.xlsx", actor=STAFF)
    assert outcome.status == "rejected" and [i.code for i in outcome.issues] == ["file_too_large"]
    frame = quarantine_frame(store)
    assert list(frame["file_name"]) == ["rat-lon.xlsx"] and list(frame["code"]) == ["file_too_large"]
    assert store.archived(str(frame["file_sha256"][0])) == big


# --- zip archives ---------------------------------------------------------------------------------------


def test_a_part_packed_a_thousand_to_one_is_a_zip_bomb_and_never_reaches_a_reader() -> None:
    data = hostile.with_padding(builders.word_return(WORDS), 2 * 1024 * 1024)
    hazard = sniff.zip_hazard(data)
    assert hazard is not None and (hazard.reason, hazard.part) == ("ratio", "xl/media/padding.bin")
    assert hazard.amount > sniff.MAX_RATIO
    result = read_bytes(data, "bom.xlsx")
    (issue,) = result.issues
    assert issue.code == "zip_bomb" and result.returns == ()
    assert "xl/media/padding.bin" in issue.message_vi and "xl/media/padding.bin" in issue.message_en
    assert "100:1" in issue.message_vi and "100:1" in issue.message_en


def test_a_small_part_packed_well_is_no_hazard() -> None:
    data = hostile.with_padding(builders.word_return(WORDS), sniff.RATIO_FLOOR_BYTES)
    assert sniff.zip_hazard(data) is None
    assert codes(read_bytes(data, "bao_cao.xlsx")) != ["zip_bomb"]


def test_a_part_declaring_more_than_the_member_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sniff, "MAX_MEMBER_BYTES", 64 * 1024)
    data = hostile.rezip(builders.word_return(WORDS), add={"xl/media/image1.png": os.urandom(70 * 1024)})
    hazard = sniff.zip_hazard(data)
    assert hazard is not None and (hazard.reason, hazard.part, hazard.limit) == ("member_size", "xl/media/image1.png",
                                                                              64 * 1024)
    (issue,) = read_bytes(data, "a.xlsx").issues
    assert issue.code == "zip_bomb" and "64 kB" in issue.message_en


def test_parts_declaring_more_than_the_total_limit_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sniff, "MAX_TOTAL_BYTES", 20 * 1024)
    hazard = sniff.zip_hazard(builders.word_return(WORDS))
    assert hazard is not None and hazard.reason == "total_size"


def test_an_archive_of_too_many_parts_is_refused() -> None:
    parts = {f"xl/media/p{i}.bin": b"x" for i in range(sniff.MAX_ZIP_MEMBERS)}
    data = hostile.rezip(builders.word_return(WORDS), add=parts)
    hazard = sniff.zip_hazard(data)
    assert hazard is not None and hazard.reason == "members" and hazard.amount > sniff.MAX_ZIP_MEMBERS
    assert codes(read_bytes(data, "a.xlsx")) == ["zip_bomb"]


def _lie_about_size(data: bytes, member: str, size: int) -> bytes:
    """``data`` with the central directory declaring ``size`` uncompressed bytes for ``member``."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(member)
    entry = data.index(b"PK\x01\x02")
    while data[entry + 46:entry + 46 + len(member)] != member.encode():
        entry = data.index(b"PK\x01\x02", entry + 4)
    out = bytearray(data)
    out[entry + 24:entry + 28] = size.to_bytes(4, "little")
    assert info.file_size != size
    return bytes(out)


def test_a_part_that_unpacks_to_more_than_it_declares_is_caught_as_damaged() -> None:
    data = builders.word_return(WORDS)
    part = hostile.sheet_part(data)
    lying = _lie_about_size(data, part, 100)
    hazard = sniff.zip_hazard(lying)
    assert hazard is not None and (hazard.reason, hazard.part) == ("damaged", part)
    assert codes(read_bytes(lying, "a.xlsx")) == ["file_truncated"]


@pytest.mark.parametrize(("how", "change", "code", "part"), [
    ("shared strings lying about their size", lambda data: _lie_about_size(data, "xl/sharedStrings.xml", 100),
     "file_truncated", None),
    ("shared strings declaring entities", lambda data: hostile.rezip(data, {"xl/sharedStrings.xml": hostile.with_laughs}),
     "file_unreadable", "xl/sharedStrings.xml"),
    ("a sheet declaring entities", lambda data: hostile.rezip(data, {hostile.sheet_part(data): hostile.with_laughs}),
     "file_unreadable", "xl/worksheets/sheet1.xml"),
    ("a part packed a thousand to one", lambda data: hostile.with_padding(data, 2 * 1024 * 1024),
     "zip_bomb", "xl/media/padding.bin"),
])
def test_the_worker_checks_a_part_when_calamine_needs_it_and_names_it_as_in_process(
        how: str, change: Callable[[bytes], bytes], code: str, part: str | None) -> None:
    """Bounded, the worker checks only the declared sizes and the stylesheet before calamine opens an .xlsx;
    a part calamine then cannot read is checked, so the verdict is the one an in-process read gives."""
    data = change(builders.word_return(WORDS))
    isolated = safety.read_isolated(data, "a.xlsx", timeout_s=20)
    assert isolated == read_bytes(data, "a.xlsx"), how
    assert [i.code for i in isolated.issues] == [code], how
    assert part is None or (part in isolated.issues[0].message_vi and part in isolated.issues[0].message_en), how


def test_a_part_no_reader_opens_is_judged_by_its_declared_size_alone_in_the_worker() -> None:
    """Document properties are read by nobody: bounded, the worker does not unpack them whole (it does peek
    at their prolog), so one that lies about its size goes unseen there, harming nothing; a read in
    process, unbounded, unpacks every part and refuses the file."""
    data = builders.word_return(WORDS)
    lying = _lie_about_size(data, "docProps/core.xml", 100)
    assert [i.code for i in read_bytes(lying, "a.xlsx").issues] == ["file_truncated"]
    assert safety.read_isolated(lying, "a.xlsx").returns == read_bytes(data, "a.xlsx").returns
    laughing = hostile.rezip(data, {"docProps/core.xml": hostile.with_laughs})
    assert [i.code for i in safety.read_isolated(laughing, "a.xlsx").issues] == ["file_unreadable"]


def test_sniffing_unpacks_only_the_first_bytes_of_an_ods_mimetype() -> None:
    data = hostile.rezip(hostile.ods_repeated(2, 2), {"mimetype": hostile.ODS_MIME.encode() + bytes(50 * 1024 * 1024)})
    tracemalloc.start()
    try:
        kind = sniff.sniff(data).kind
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * 1024 * 1024, "the 50 MB mimetype part was unpacked"
    assert kind == "zip"  # not the OpenDocument mimetype: not a spreadsheet


def test_a_bomb_in_any_part_of_an_ods_is_refused_before_any_reader() -> None:
    data = hostile.rezip(hostile.ods_repeated(2, 2), add={"Thumbnails/thumbnail.png": bytes(50 * 1024 * 1024)})
    assert codes(read_bytes(data, "a.ods")) == ["zip_bomb"]


# --- absurd extents in .ods and .xls ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "cell"),
    [
        pytest.param(hostile.ods_far_cell(0, 16_383), "XFD2", id="far-column"),
        pytest.param(hostile.ods_far_cell(1_048_574, 0), "A1048576", id="far-row"),
        pytest.param(hostile.ods_far_cell(1_048_574, 16_383), "XFD1048576", id="far-corner"),
        pytest.param(hostile.ods_repeated(1_048_576, 16_384), "XFD1048576", id="repeated-value"),
        pytest.param(hostile.ods_repeated(5_000, 300), "KN5000", id="area"),  # under MAX_ROWS and MAX_COLS
    ],
)
def test_an_ods_sheet_of_absurd_extent_is_refused_without_building_it(data: bytes, cell: str) -> None:
    assert len(data) < 2000
    start = time.perf_counter()
    result = safety.read_isolated(data, "a.ods", timeout_s=20)  # a regression would crash the worker, not pytest
    assert time.perf_counter() - start < 20
    assert [(i.code, i.sheet, i.cell) for i in result.issues] == [("sheet_too_large", "Biểu 01", cell)]


def test_empty_repeated_cells_to_the_sheet_end_do_not_count() -> None:
    """LibreOffice writes styled empty cells and rows repeated to the last row and column."""
    tail = ('<table:table-row table:number-rows-repeated="1048500"><table:table-cell '
            'table:number-columns-repeated="16384"/></table:table-row>')
    data = hostile.ods(f'<table:table table:name="S"><table:table-row>{hostile.ods_cell()}</table:table-row>{tail}'
                       "</table:table>")
    assert codes(read_bytes(data, "a.ods")) == ["no_table"]


def test_an_ods_with_an_entity_declaration_is_refused_not_expanded() -> None:
    data = hostile.rezip(hostile.ods_repeated(2, 2), {"content.xml": lambda xml: hostile.with_laughs(xml)})
    result = read_bytes(data, "a.ods")
    assert [i.code for i in result.issues] == ["file_unreadable"]
    assert "content.xml" in result.issues[0].message_en and "DOCTYPE" in result.issues[0].message_vi


def _xls() -> bytes:
    return (SAMPLES_DIR / "q-le-chan_2022.xls").read_bytes()


def test_an_xls_cell_at_the_last_row_and_column_is_refused_without_building_the_grid() -> None:
    data = hostile.xls_with_cell_at(_xls(), 65_535, 255)
    result = safety.read_isolated(data, "a.xls", timeout_s=20)
    assert ("sheet_too_large", "IV65536") in [(i.code, i.cell) for i in result.issues]
    assert result.returns == ()


def test_an_xls_declaring_absurd_dimensions_is_refused() -> None:
    result = read_bytes(hostile.xls_with_cell_at(_xls(), MAX_ROWS + 5, 3, dimensions=True), "a.xls")
    assert {(i.code, i.cell) for i in result.issues} == {("sheet_too_large", f"D{MAX_ROWS + 6}")}


def test_an_xls_cell_moved_within_bounds_still_reads() -> None:
    result = read_bytes(hostile.xls_with_cell_at(_xls(), 200, 5), "q-le-chan_2022.xls")
    assert "sheet_too_large" not in codes(result) and len(result.returns) == 1


def test_an_xlsx_row_far_away_whose_cells_have_no_reference_is_measured_by_its_row() -> None:
    far_row = b'<row r="1048576"><c t="inlineStr"><is><t>.</t></is></c></row></sheetData>'
    data = builders.word_return(WORDS)
    data = hostile.rezip(data, {hostile.sheet_part(data): lambda xml: xml.replace(b"</sheetData>", far_row, 1)})
    assert [(i.code, i.cell) for i in read_bytes(data, "a.xlsx").issues] == [("sheet_too_large", "F1048576")]


@pytest.mark.parametrize("cell", ["<c r='XFD70'>", '<c r="&#88;FD70">', '<c r = "XFD70">', """<c s=' r="A70"' r="XFD70">""",
                                  '<x:c r="XFD70">', '<c x:r="XFD70">'])
def test_an_xlsx_cell_reference_is_read_in_any_xml_spelling(cell: str) -> None:
    far = f'<row r="70">{cell[:-1]} t="inlineStr"><is><t>.</t></is></c></row></sheetData>'.encode()
    data = builders.word_return(WORDS)
    data = hostile.rezip(data, {hostile.sheet_part(data): lambda xml: xml.replace(b"</sheetData>", far, 1)})
    assert [(i.code, i.cell) for i in read_bytes(data, "a.xlsx").issues] == [("sheet_too_large", "XFD70")]


def test_cells_without_references_count_across_the_row() -> None:
    cells = b"<c/>" * (MAX_COLS + 10)
    data = builders.word_return(WORDS)
    data = hostile.rezip(data, {hostile.sheet_part(data): lambda xml: xml.replace(
        b"</sheetData>", b'<row r="70">' + cells + b"</row></sheetData>", 1)})
    (issue,) = read_bytes(data, "a.xlsx").issues
    assert issue.code == "sheet_too_large"


def test_references_beyond_excel_columns_have_a_short_a1_name() -> None:
    assert a1(0, 16_383) == "XFD1" and a1(0, 18_278) == "AAAA1"
    book = load_workbook(hostile.ods_far_cell(0, 10**12), sniff.sniff(hostile.ods_far_cell(0, 10**12)))
    (sheet,) = book.sheets
    assert sheet.too_large is not None and len(a1(*sheet.too_large)) <= 16  # fits the issues.cell column


# --- the worker process -------------------------------------------------------------------------------


def test_an_xlsx_sheet_too_large_to_build_kills_the_bounded_worker_and_the_second_read_names_it(
        caplog: pytest.LogCaptureFixture) -> None:
    """The worker builds .xlsx sheets without measuring them first; a stray cell at XFD1048576 then asks
    calamine for ~500 GiB, the worker dies, and the file is read again with the sheets measured first."""
    data = hostile.with_far_cell(builders.word_return(WORDS))
    with caplog.at_level("INFO", logger="lgqa_metrics.intake.safety"):
        result = safety.read_isolated(data, "a.xlsx", timeout_s=20)
    assert [(i.code, i.sheet, i.cell) for i in result.issues] == [("sheet_too_large", "Biểu 01", "XFD1048576")]
    assert "reading it again with every check" in caplog.text
    with pytest.raises(workers.IsolationError):  # what the first read meets (the worker dies)
        safety.call_isolated(read_bytes, data, "a.xlsx", bounded=True, timeout_s=20)


@pytest.mark.parametrize("ref", ["XFD70", "F1048576", "KN5000"])
def test_a_bounded_read_names_a_sheet_too_large_from_what_calamine_built(ref: str) -> None:
    """Sheets calamine can build within the bound are measured once built, before any Python value."""
    data = hostile.with_far_cell(builders.word_return(WORDS), ref)
    careful = read_bytes(data, "a.xlsx")
    bounded = safety.call_isolated(read_bytes, data, "a.xlsx", bounded=True, timeout_s=20)
    assert [(i.code, i.cell) for i in bounded.issues] == [(i.code, i.cell) for i in careful.issues] \
        == [("sheet_too_large", ref)]


def test_several_files_read_in_one_worker_call_get_the_results_of_one_call_each() -> None:
    files = [(p.read_bytes(), p.name) for p in SAMPLES[:5]]
    assert safety.read_many_isolated(files) == [safety.read_isolated(data, name) for data, name in files]


def test_the_worker_sends_each_accepted_returns_fingerprint_along() -> None:
    """The server matches returns by fingerprint: the worker works it out and it comes back with the return."""
    results = safety.read_many_isolated([(p.read_bytes(), p.name) for p in SAMPLES[:5]])
    accepted = [ret for result in results for ret in result.returns if ret.accepted]
    assert accepted
    for ret in accepted:
        assert "fingerprint" in vars(ret)
        fresh = dataclasses.replace(ret)  # the same return, its fingerprint not worked out yet
        assert "fingerprint" not in vars(fresh) and fresh.fingerprint == ret.fingerprint


def test_a_file_that_kills_the_worker_in_a_batch_is_named_and_the_others_still_read(
        caplog: pytest.LogCaptureFixture) -> None:
    good = [(p.read_bytes(), p.name) for p in SAMPLES[:2]]
    far = (hostile.with_far_cell(builders.word_return(WORDS)), "xa.xlsx")
    big = (b"PK" + bytes(safety.MAX_FILE_BYTES), "lon.xlsx")
    with caplog.at_level("INFO", logger="lgqa_metrics.intake.safety"):
        results = safety.read_many_isolated([good[0], far, big, good[1]], timeout_s=20)
    assert [r.file for r in results] == [good[0][1], "xa.xlsx", "lon.xlsx", good[1][1]]
    assert results[0] == read_bytes(*good[0]) and results[3] == read_bytes(*good[1])
    assert [(i.code, i.cell) for i in results[1].issues] == [("sheet_too_large", "XFD1048576")]
    assert [i.code for i in results[2].issues] == ["file_too_large"]
    assert "reading them one by one" in caplog.text


def test_a_read_result_survives_pickling_unchanged() -> None:
    result = read_bytes((SAMPLES_DIR / "MinhKhai_TDG_2023.xlsx").read_bytes(), "MinhKhai_TDG_2023.xlsx")
    assert result.returns and pickle.loads(pickle.dumps(result)) == result


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.suffix + ":" + p.stem[:24])
def test_the_worker_reads_every_sample_exactly_as_in_process(path: Path) -> None:
    data = path.read_bytes()
    assert safety.read_isolated(data, path.name) == read_bytes(data, path.name)


def test_the_worker_is_reused_and_is_another_process() -> None:
    first = safety.call_isolated(os.getpid)
    assert first != os.getpid()
    assert safety.call_isolated(os.getpid) == first


def test_a_call_over_its_time_is_killed_and_the_next_call_gets_a_new_worker() -> None:
    before = safety.call_isolated(os.getpid)
    start = time.perf_counter()
    with pytest.raises(workers.IsolationError) as caught:
        safety.call_isolated(time.sleep, 30, timeout_s=0.5)
    assert caught.value.reason == "timeout" and time.perf_counter() - start < 10
    after = safety.call_isolated(os.getpid)
    assert after != before


def test_a_worker_that_aborts_is_reported_by_its_signal() -> None:
    with pytest.raises(workers.IsolationError) as caught:
        safety.call_isolated(os.abort)
    assert (caught.value.reason, caught.value.detail) == ("signal", "SIGABRT")


def test_a_worker_that_runs_out_of_its_memory_limit_is_reported_and_replaced() -> None:
    with pytest.raises(workers.IsolationError) as caught:
        safety.call_isolated(bytearray, 3 * 1024**3, memory_bytes=256 * 1024**2)
    assert caught.value.reason == "memory"
    assert safety.call_isolated(len, b"abc", memory_bytes=256 * 1024**2) == 3


def test_a_worker_that_exits_is_reported_with_its_code() -> None:
    with pytest.raises(workers.IsolationError) as caught:
        safety.call_isolated(os._exit, 3)
    assert (caught.value.reason, caught.value.exit_code) == ("exit", 3)


def test_an_exception_in_the_worker_is_reported_and_the_worker_kept() -> None:
    pid = safety.call_isolated(os.getpid)
    with pytest.raises(workers.IsolationError) as caught:
        safety.call_isolated(int, "mười")
    assert caught.value.reason == "error" and caught.value.detail.startswith("ValueError")
    assert safety.call_isolated(os.getpid) == pid


def test_the_server_unpickles_only_the_readers_own_records_from_a_worker() -> None:
    with pytest.raises(workers.IsolationError) as caught:
        safety.call_isolated(dt.date.today)  # a datetime.date: harmless, but not on the list
    assert caught.value.reason == "error" and "datetime" in caught.value.detail


@pytest.mark.parametrize(
    ("error", "code", "words"),
    [
        (workers.IsolationError("timeout", timeout_s=30), "read_timeout", ("30",)),
        (workers.IsolationError("signal", "SIGKILL", signal_number=9), "read_crashed", ("SIGKILL",)),
        (workers.IsolationError("memory", memory_bytes=1024**3), "read_crashed", ("1 GB",)),
        (workers.IsolationError("exit", exit_code=3), "read_crashed", ("3",)),
        (workers.IsolationError("error", "KeyError: 'x'"), "file_unreadable", ("KeyError",)),
    ],
)
def test_a_failed_read_becomes_one_bilingual_error(error: workers.IsolationError, code: str,
                                                   words: tuple[str, ...]) -> None:
    result = safety.failed_read(b"PK\x03\x04", "a.xlsx", error)
    (issue,) = result.issues
    assert issue.code == code and ISSUE_CODES[code] == "error" and result.returns == ()
    assert issue.message_vi != issue.message_en and "{" not in issue.message_vi + issue.message_en
    for word in words:
        assert word in issue.message_vi and word in issue.message_en


def test_a_phrase_field_takes_the_text_of_the_message_language() -> None:
    size = Phrase("1,5 MB", "1.5 MB")
    assert "1,5 MB" in t("issue.file_too_large", "vi", size=size, limit="20 MB")
    assert "1.5 MB" in t("issue.file_too_large", "en", size=size, limit="20 MB")


# --- batch, ingest, annotation and the quarantine ------------------------------------------------------


def test_a_rejected_file_confirmed_from_the_upload_batch_is_kept_in_quarantine(store: Store) -> None:
    bomb = hostile.with_padding(builders.word_return(WORDS), 2 * 1024 * 1024)
    good = filled_template("q-le-chan", 2023, pattern(0))
    files = [(name, data, batch.read_upload(data, name)) for name, data in (("bom.xlsx", bomb), ("lc.xlsx", good))]
    saved = batch.confirm(store, batch.check(store, files), actor=STAFF)
    assert [s.outcomes[0].status for s in saved] == ["rejected", "accepted"]
    frame = quarantine_frame(store)
    assert list(frame["file_name"]) == ["bom.xlsx"] and list(frame["code"]) == ["zip_bomb"]
    assert list(frame["uploader"]) == ["staff-a"]
    assert store.archived(str(frame["file_sha256"][0])) == bomb  # the bytes as sent, kept for staff


def test_the_quarantine_command_lists_file_hash_time_uploader_and_first_error(
        db_url: str, store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--lang", "en", "quarantine", "--db", db_url]) == 0
    assert "No rejected files." in capsys.readouterr().out
    ingest_bytes(store, b"Ma chi so,Ket qua\n1.1,Do\n", "bao_cao.xlsx", actor=STAFF)
    assert cli.main(["--lang", "en", "quarantine", "--db", db_url]) == 0
    out = capsys.readouterr().out
    sha = quarantine_frame(store)["file_sha256"][0]
    assert "bao_cao.xlsx" in out and sha[:12] in out and "file_not_spreadsheet" in out and "staff-a" in out
    assert cli.main(["quarantine", "--db", db_url, "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["file"], row["sha256"], row["uploader"], row["code"]) == ("bao_cao.xlsx", sha, "staff-a",
                                                                          "file_not_spreadsheet")
    assert row["at"] and "CSV" in row["message_en"]


def test_a_refused_file_is_never_reopened_for_marking_up() -> None:
    bomb = hostile.with_padding(builders.word_return(WORDS), 2 * 1024 * 1024)
    result = read_bytes(bomb, "bom.xlsx")
    download = annotated_download(bomb, "bom.xlsx", result.kind, result.issues, isolated=False)
    assert not download.annotated


def test_a_rejected_workbook_is_marked_up_in_the_worker() -> None:
    data = builders.word_return({**WORDS, "1.3": "Tím"})
    result = read_bytes(data, "bao_cao.xlsx")
    issues = [i for r in result.returns for i in r.issues]
    download = annotated_download(data, "bao_cao.xlsx", result.kind, issues)
    assert download.annotated
    book = openpyxl.load_workbook(io.BytesIO(download.data))
    assert book.sheetnames[0] == ISSUES_SHEET
    comment = book["Biểu 01"][f"D{builders.row_of(data, '1.3')}"].comment
    assert comment is not None and "rating_unknown" in comment.text


def test_a_worker_started_from_a_thread_that_ends_is_kept() -> None:
    """Streamlit runs each page in a thread that ends after the run: the worker must outlive it."""
    safety.shutdown()
    started: list[int] = []
    thread = threading.Thread(target=lambda: started.append(safety.call_isolated(os.getpid)))
    thread.start()
    thread.join()
    assert started and safety.call_isolated(os.getpid) == started[0]


# --- large arguments kept in the worker -------------------------------------------------------------------


def _forget_kept() -> None:
    """Run in a worker: drop every argument it keeps (as a worker that had to make room would)."""
    workers._KEPT.clear()


def test_a_registry_other_than_the_default_is_sent_to_a_worker_once_then_named_by_its_key(
        monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[tuple[str, object]] = []
    round_trip = workers._Worker._round_trip

    def spy(worker: workers._Worker, message: tuple[object, ...], timeout_s: float) -> tuple[str, object]:
        sent.append(message[4]["registry"])  # type: ignore[index]
        return round_trip(worker, message, timeout_s)

    monkeypatch.setattr(workers._Worker, "_round_trip", spy)
    safety.shutdown()  # one worker, so that every call goes to it
    registry = load_registry()  # the same units as the default, in another object: not the worker's own
    data = builders.word_return(WORDS)
    results = [safety.read_isolated(data, "a.xlsx", registry=registry) for _ in range(3)]
    assert results == [read_bytes(data, "a.xlsx", registry=registry)] * 3
    assert [obj is registry for _, obj in sent] == [True, False, False]
    assert len({key for key, _ in sent}) == 1


def test_a_worker_that_no_longer_holds_a_kept_argument_is_sent_it_again() -> None:
    safety.shutdown()
    registry = load_registry()
    data = builders.word_return(WORDS)
    expected = read_bytes(data, "a.xlsx", registry=registry)
    assert safety.read_isolated(data, "a.xlsx", registry=registry) == expected
    safety.call_isolated(_forget_kept)
    assert safety.read_isolated(data, "a.xlsx", registry=registry) == expected


def test_with_more_registries_than_a_worker_keeps_every_read_is_still_right() -> None:
    registries = [load_registry() for _ in range(workers.KEPT_PER_WORKER + 2)]
    data = builders.word_return(WORDS)
    expected = read_bytes(data, "a.xlsx")
    for registry in [*registries, *reversed(registries)]:
        assert safety.read_isolated(data, "a.xlsx", registry=registry) == expected
