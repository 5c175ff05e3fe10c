"""Reading returns through ``read_bytes``: every layout, unit and year detection, every issue code."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
import subprocess
import sys
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Final

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from lgqa_metrics.domain.issues import ISSUE_CODES, STORE_ISSUE_CODES, Issue, Severity
from lgqa_metrics.domain.ratings import Rating
from lgqa_metrics.domain.units import UnitRegistry, default_registry
from lgqa_metrics.intake import safety
from lgqa_metrics.intake.reader import ParsedReturn, ReadResult, read_bytes
from lgqa_metrics.intake.sheets import MAX_COLS, MAX_ROWS
from lgqa_metrics.services.template import build_template
from lgqa_metrics.synthetic import forms
from tests.support import builders, hostile
from tests.support.builders import CODES, NAMES_VI, ROOT, Group, Row

FILE = "bao_cao.xlsx"  # a file name that names neither a unit nor a year
SHEET = "Biểu 01"
TODAY = dt.date(2024, 6, 1)


def read(data: bytes, file: str = FILE) -> ReadResult:
    """Read ``data`` as ``file`` with a fixed 'today' (year limit 2025)."""
    return read_bytes(data, file, today=TODAY)


def single(result: ReadResult) -> ParsedReturn:
    """The one return a file holds."""
    assert result.issues == (), [i.code for i in result.issues]
    assert len(result.returns) == 1, [r.sheet for r in result.returns]
    return result.returns[0]


def ratings_of(ret: ParsedReturn) -> dict[str, str]:
    """Code → rating value as read."""
    return {r.code: r.rating.value for r in ret.ratings}


def expected(keys: Mapping[str, str | None]) -> dict[str, str]:
    """What a return holding ``keys`` (code → rating key, None blank, absent = no row) must read as."""
    return {code: (keys.get(code) or "missing") for code in CODES}


def issues_of(result: ReadResult, code: str) -> list[Issue]:
    """Every issue with ``code``, file-level and in each return."""
    found = [i for i in result.issues if i.code == code]
    for ret in result.returns:
        found.extend(i for i in ret.issues if i.code == code)
    return found


def all_codes(result: ReadResult) -> set[str]:
    """The set of issue codes in a result."""
    return {i.code for i in result.issues} | {i.code for r in result.returns for i in r.issues}


KEYS = builders.cycle_ratings()
WORDS = builders.as_words(KEYS)


# --- layouts ---------------------------------------------------------------------------------------


def test_word_layout_reads_every_rating_exactly_with_no_issue() -> None:
    ret = single(read(builders.word_return(WORDS)))
    assert ratings_of(ret) == expected(KEYS)
    assert ret.issues == ()
    assert ret.accepted


def test_word_layout_reports_the_cell_each_rating_was_read_from() -> None:
    data = builders.word_return(WORDS)
    ret = single(read(data))
    assert {r.code: r.cell for r in ret.ratings} == {c: f"D{builders.row_of(data, c)}" for c in CODES}


def test_word_layout_keeps_the_word_as_reported_and_the_evidence() -> None:
    evidence = {c: f"Quyết định số {i + 1}/QĐ-UBND" for i, c in enumerate(CODES)}
    ret = single(read(builders.word_return(WORDS, evidence=evidence)))
    assert {r.code: r.raw for r in ret.ratings} == WORDS
    assert {r.code: r.evidence for r in ret.ratings} == evidence


def test_summary_rows_and_signature_block_are_not_read_as_indicators() -> None:
    with_extras = single(read(builders.word_return(WORDS, summary=True, signature=True)))
    without = single(read(builders.word_return(WORDS, summary=False, signature=False)))
    assert ratings_of(with_extras) == ratings_of(without) == expected(KEYS)
    assert with_extras.issues == ()


@pytest.mark.parametrize("code", [3, 7.77, "CS 9.9"])
def test_a_signature_row_with_a_number_or_code_in_the_code_column_still_ends_the_table(code: object) -> None:
    book = openpyxl.load_workbook(io.BytesIO(builders.word_return(WORDS)))
    ws = book.worksheets[0]
    row = next(cell.row for cell in ws["A"] if cell.value == "NGƯỜI LẬP BIỂU")
    ws.cell(row, 2, code)
    out = io.BytesIO()
    book.save(out)
    ret = single(read(out.getvalue()))
    assert ratings_of(ret) == expected(KEYS)
    assert ret.issues == ()


@pytest.mark.parametrize("text", ["Biên bản xác nhận của UBND xã", "Chủ tịch UBND ký ngày 20/9", "Người lập biểu: cán bộ VP"])
def test_signature_words_in_an_indicators_evidence_do_not_end_the_table(text: str) -> None:
    """A signature block ends the table; an indicator's row whose evidence quotes one of its words does not."""
    evidence = {c: text if c in CODES[3:6] else f"Quyết định số {i + 1}/QĐ-UBND" for i, c in enumerate(CODES)}
    ret = single(read(builders.word_return(WORDS, evidence=evidence)))
    assert ratings_of(ret) == expected(KEYS)
    assert {r.code: r.evidence for r in ret.ratings if r.evidence} == evidence
    assert ret.issues == ()


def test_the_fingerprint_is_the_stored_formula() -> None:
    """Stored submissions are matched by fingerprint: its formula must not drift."""
    ret = single(read(builders.word_return(WORDS)))
    body = [ret.unit_id, ret.year, sorted((r.code, r.rating.value, r.evidence, r.note) for r in ret.ratings)]
    assert ret.fingerprint == hashlib.sha256(json.dumps(body, ensure_ascii=False).encode()).hexdigest()


def test_macos_nfd_text_with_trailing_spaces_reads_like_nfc() -> None:
    padded = {c: f"{w}  " for c, w in WORDS.items()}
    data = builders.word_return(padded, nfd=True)
    raw = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]["A1"].value
    assert raw == unicodedata.normalize("NFD", builders.UNIT_LINE)  # the file really is NFD
    ret = single(read(data))
    assert ratings_of(ret) == expected(KEYS)
    assert (ret.unit_id, ret.year) == ("q-hong-bang", 2023)
    assert ret.issues == ()


@pytest.mark.parametrize("mark", ["x", "X", "✓"])
def test_one_column_per_colour_reads_the_marked_colour(mark: str) -> None:
    ret = single(read(builders.mark_return(KEYS, mark=mark)))
    assert ratings_of(ret) == expected(KEYS)
    assert ret.issues == ()


def test_one_column_per_colour_reports_the_marked_cell() -> None:
    data = builders.mark_return(KEYS)
    ret = single(read(data))
    column = {key: get_column_letter(4 + i) for i, key in enumerate(builders.MARK_COLOURS)}
    assert {r.code: r.cell for r in ret.ratings} == {c: f"{column[KEYS[c]]}{builders.row_of(data, c)}" for c in CODES}


@pytest.mark.parametrize("fills", [builders.LIGHT_FILLS, builders.STANDARD_FILLS], ids=["light", "standard"])
def test_ratings_shown_only_by_fill_are_read_from_the_fill(fills: dict[str, str]) -> None:
    colours = {c: k for c, k in KEYS.items() if k != "na"}  # a fill cannot say "not applicable"
    ret = single(read(builders.fill_return(colours, fills=fills)))
    assert ratings_of(ret) == expected(colours)
    assert {i.code for i in ret.issues} == {"indicator_missing"}
    assert len(ret.issues) == 39 - len(colours)


def test_a_word_agreeing_with_its_fill_raises_no_issue() -> None:
    fills = {c: builders.LIGHT_FILLS[k] for c, k in KEYS.items() if k in builders.LIGHT_FILLS}
    ret = single(read(builders.word_return(WORDS, fills=fills)))
    assert ratings_of(ret) == expected(KEYS)
    assert ret.issues == ()


@pytest.mark.parametrize("with_names", [True, False], ids=["with-names", "codes-only"])
def test_numeric_codes_read_every_rating_exactly(with_names: bool) -> None:
    data = builders.numeric_code_return(WORDS, with_names=with_names)
    cells = builders.cells_of(data, 1.1)
    assert len([c for c in cells if c.startswith("B")]) == 2  # 1.1 and 1.10 are both stored as 1.1
    ret = single(read(data))
    assert ratings_of(ret) == expected(KEYS)
    assert ret.issues == ()


@pytest.mark.parametrize("with_names", [True, False], ids=["with-names", "codes-only"])
def test_numeric_code_1_1_after_1_9_resolves_to_1_10(with_names: bool) -> None:
    keys = {**KEYS, "1.1": "green", "1.10": "red", "3.1": "yellow", "3.10": "na"}
    data = builders.numeric_code_return(builders.as_words(keys), with_names=with_names)
    ret = single(read(data))
    got = {r.code: r for r in ret.ratings}
    column = "D" if with_names else "C"
    assert (got["1.10"].rating.value, got["1.10"].cell) == ("red", f"{column}{builders.row_of(data, 1.1, nth=1)}")
    assert (got["1.1"].rating.value, got["1.1"].cell) == ("green", f"{column}{builders.row_of(data, 1.1, nth=0)}")
    assert (got["3.10"].rating.value, got["3.1"].rating.value) == ("na", "yellow")


def test_numeric_1_1_after_1_9_is_1_10_even_when_the_row_for_1_1_is_left_out() -> None:
    keys = {c: k for c, k in {**KEYS, "1.10": "red", "1.9": "green"}.items() if c != "1.1"}
    ret = single(read(builders.numeric_code_return(builders.as_words(keys), with_names=False)))
    assert ratings_of(ret)["1.10"] == "red"
    assert ratings_of(ret)["1.1"] == "missing"
    missing = [i for i in ret.issues if i.code == "indicator_missing"]
    assert len(missing) == 1
    assert "1.1 " in missing[0].message_en


def test_numeric_codes_out_of_order_are_resolved_by_their_names() -> None:
    order = ["1.10", *[c for c in CODES if c != "1.10"]]
    keys = {**KEYS, "1.1": "green", "1.10": "red"}
    ret = single(read(builders.numeric_code_return(builders.as_words(keys), order=order, groups=False)))
    assert ratings_of(ret) == expected(keys)


def test_integer_codes_under_roman_group_rows_take_the_groups_quadrant() -> None:
    codes = {c: int(c.split(".")[1]) for c in CODES}
    ret = single(read(builders.word_return(WORDS, codes=codes)))
    assert ratings_of(ret) == expected(KEYS)


def test_instructions_sheet_blank_and_hidden_rows_and_hidden_column_are_skipped() -> None:
    data = builders.messy_return(WORDS)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames[0] == "Hướng dẫn"
    assert book["Tự đánh giá"].column_dimensions["D"].hidden
    ret = single(read(data))
    assert ret.sheet == "Tự đánh giá"
    assert ratings_of(ret) == expected(KEYS)
    assert ret.issues == ()


def test_a_hidden_sheet_with_a_stale_copy_is_not_read() -> None:
    stale = builders.as_words(builders.cycle_ratings(shift=3))
    result = read(builders.messy_return(WORDS, hidden_copy=stale))
    ret = single(result)
    assert ratings_of(ret) == expected(KEYS)


def test_several_returns_in_one_workbook_one_per_sheet() -> None:
    keys = [builders.cycle_ratings(shift=s) for s in (0, 1, 2)]
    data = builders.multi_return([
        ("Hồng Bàng", "UBND QUẬN HỒNG BÀNG", "Năm 2023", builders.as_words(keys[0])),
        ("Minh Khai", None, "Năm 2023", builders.as_words(keys[1])),
        ("X. Trung Lập 2022", None, None, builders.as_words(keys[2])),
    ])
    result = read(data, "tong_hop.xlsx")
    assert result.issues == ()
    got = {r.sheet: (r.unit_id, r.year, ratings_of(r)) for r in result.returns}
    assert got == {
        "Hồng Bàng": ("q-hong-bang", 2023, expected(keys[0])),
        "Minh Khai": ("p-minh-khai", 2023, expected(keys[1])),
        "X. Trung Lập 2022": ("x-trung-lap", 2022, expected(keys[2])),
    }
    assert all(r.accepted for r in result.returns)


def test_english_headers_and_words_are_read() -> None:
    words = builders.as_words(KEYS, builders.WORDS_EN)
    ret = single(read(builders.english_return(words, unit="Le Chan District", year="2023")))
    assert ratings_of(ret) == expected(KEYS)
    assert (ret.unit_id, ret.year) == ("q-le-chan", 2023)
    assert ret.issues == ()


def test_an_ods_return_is_read_like_an_xlsx() -> None:
    result = read(builders.word_return_ods(WORDS), "bao_cao.ods")
    assert result.kind == "ods"
    ret = single(result)
    assert ratings_of(ret) == expected(KEYS)
    assert (ret.unit_id, ret.year) == ("q-hong-bang", 2023)


def test_an_xlsm_return_is_read_like_an_xlsx() -> None:
    result = read(builders.as_xlsm(builders.word_return(WORDS)), "bao_cao.xlsm")
    assert result.kind == "xlsm"
    assert ratings_of(single(result)) == expected(KEYS)


def test_read_result_records_the_file_hash_and_kind() -> None:
    data = builders.word_return(WORDS)
    result = read(data, "Hong Bang 2023.xlsx")
    assert (result.file, result.kind, result.sha256) == ("Hong Bang 2023.xlsx", "xlsx", hashlib.sha256(data).hexdigest())
    assert result.returns[0].file == "Hong Bang 2023.xlsx"


def test_fingerprint_follows_the_content_not_the_file_name() -> None:
    a = single(read(builders.word_return(WORDS), "a.xlsx"))
    b = single(read(builders.word_return(WORDS), "b.xlsx"))
    changed = single(read(builders.word_return({**WORDS, "2.2": "Đỏ"}), "a.xlsx"))
    assert a.fingerprint == b.fingerprint
    assert a.fingerprint != changed.fingerprint


# --- unit and year ---------------------------------------------------------------------------------


def test_unit_and_year_come_from_the_header_block() -> None:
    ret = single(read(builders.word_return(WORDS, unit="UBND HUYỆN AN LÃO", year="Năm 2022")))
    assert (ret.unit_id, ret.year) == ("h-an-lao", 2022)


@pytest.mark.parametrize(
    ("unit_line", "unit_id"),
    [("UBND QUẬN HỒNG BÀNG\nUBND PHƯỜNG MINH KHAI", "p-minh-khai"),
     ("UBND HUYỆN TIÊN LÃNG\nUBND XÃ TIÊN MINH", "x-tien-minh"),
     ("Q.Hồng Bàng", "q-hong-bang"),
     ("ỦY BAN NHÂN DÂN PHƯỜNG CÁT DÀI", "p-cat-dai")],
)
def test_the_most_specific_unit_of_the_issuing_body_is_taken(unit_line: str, unit_id: str) -> None:
    assert single(read(builders.word_return(WORDS, unit=unit_line))).unit_id == unit_id


def test_a_labelled_unit_line_is_taken() -> None:
    data = builders.word_return(WORDS, unit=None, header_lines=(("A7", "Đơn vị: Phường Bắc Sơn"),))
    assert single(read(data)).unit_id == "p-bac-son"


def test_year_from_a_label_and_a_number_cell() -> None:
    data = builders.word_return(WORDS, year=None, header_lines=(("A7", "Năm đánh giá:"), ("B7", 2022)))
    assert single(read(data)).year == 2022


@pytest.mark.parametrize(
    "date_line",
    [
        "Hải Phòng, ngày 15 tháng 01 năm 2024",
        "Hải Phòng, ngày 5 tháng 1 năm 2024",
        "Hải Phòng, ngày 31 tháng 12 năm 2024",
        "HẢI PHÒNG, NGÀY 15 THÁNG 01 NĂM 2024",
        unicodedata.normalize("NFD", "Hải Phòng, ngày 15 tháng 01 năm 2024"),
        "Hải Phòng, ngày      tháng      năm 2024",
        "Hải Phòng, ngày ... tháng ... năm 2024",
    ],
)
def test_date_line_is_not_taken_as_the_year_when_nam_2023_is_present(date_line: str) -> None:
    ret = single(read(builders.word_return(WORDS, year="Năm 2023", date_line=date_line)))
    assert ret.year == 2023


@pytest.mark.parametrize(
    ("sheet", "unit_id", "year"),
    [("Minh Khai 2023", "p-minh-khai", 2023), ("Xã Trung Lập 2022", "x-trung-lap", 2022),
     ("Q.Lê Chân_2023", "q-le-chan", 2023)],
)
def test_unit_and_year_from_the_sheet_name(sheet: str, unit_id: str, year: int) -> None:
    data = builders.word_return(WORDS, unit=None, year=None, date_line=None, sheet=sheet)
    ret = single(read(data))
    assert (ret.unit_id, ret.year) == (unit_id, year)
    assert ret.accepted


@pytest.mark.parametrize(
    ("file", "unit_id", "year"),
    [
        ("BaoCao_PhuongCatDai_2023.xlsx", "p-cat-dai", 2023),
        ("Báo cáo tự đánh giá - Xã Tiên Minh - 2022.xlsx", "x-tien-minh", 2022),
        (unicodedata.normalize("NFD", "Huyện Vĩnh Bảo 2023.xlsx"), "h-vinh-bao", 2023),
        ("bao-cao-x-an-thang-2023.xlsx", "x-an-thang", 2023),
        ("q-kien-an_2023.xlsx", "q-kien-an", 2023),
    ],
)
def test_unit_and_year_from_the_file_name(file: str, unit_id: str, year: int) -> None:
    data = builders.word_return(WORDS, unit=None, year=None, date_line=None)
    ret = single(read(data, file))
    assert (ret.unit_id, ret.year) == (unit_id, year)
    assert ret.accepted


def test_a_unit_id_made_of_other_characters_is_found_whole_in_the_file_name() -> None:
    base = default_registry()
    odd = dataclasses.replace(base["p-minh-khai"], id="hp_minh_khai")
    registry = UnitRegistry([odd, *(u for u in base.units if u.id != "p-minh-khai")])
    data = builders.word_return(WORDS, unit=None, year=None, date_line=None)
    ret = single(read_bytes(data, "tdg_hp_minh_khai_2023.xlsx", registry=registry, today=TODAY))
    assert (ret.unit_id, ret.year) == ("hp_minh_khai", 2023)


def test_of_two_unit_ids_in_the_file_name_the_first_registered_is_taken() -> None:
    ids = ("q-le-chan", "p-minh-khai")
    first = next(u.id for u in default_registry().units if u.id in ids)
    data = builders.word_return(WORDS, unit=None, year=None, date_line=None)
    for file in ("p-minh-khai q-le-chan 2023.xlsx", "q-le-chan p-minh-khai 2023.xlsx"):
        assert single(read(data, file)).unit_id == first


def test_header_block_wins_over_the_file_name_for_year() -> None:
    ret = single(read(builders.word_return(WORDS, year="Năm 2022"), "Hong Bang 2023.xlsx"))
    assert ret.year == 2022


# --- the template round trip -----------------------------------------------------------------------


def fill_template(data: bytes, words: Mapping[str, str | None], evidence: Mapping[str, str],
                  notes: Mapping[str, str]) -> bytes:
    """Fill the template as a unit would: only the unlocked cells, left to right rating, evidence, note."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book.worksheets[0]
    seen = 0
    for row in ws.iter_rows():
        code = next((c.value for c in row if isinstance(c.value, str) and c.value in CODES), None)
        unlocked = [c for c in row if c.protection.locked is False]
        if code is None:
            assert unlocked == [], f"unlocked cells outside indicator rows: {[c.coordinate for c in unlocked]}"
            continue
        assert len(unlocked) == 3, f"{code}: {[c.coordinate for c in unlocked]}"
        unlocked[0].value, unlocked[1].value, unlocked[2].value = words.get(code), evidence.get(code), notes.get(code)
        seen += 1
    assert seen == 39
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(("unit_id", "year"), [("p-minh-khai", 2023), ("x-tien-minh", 2022), ("q-le-chan", 2024)])
def test_template_filled_in_its_unlocked_cells_reads_back_exactly(unit_id: str, year: int) -> None:
    keys = builders.cycle_ratings(shift=year)
    evidence = {c: f"Báo cáo số {i}/BC-UBND ngày 01/12/{year}" for i, c in enumerate(CODES)}
    notes = {c: "Chưa đạt do thiếu kinh phí" for c, k in keys.items() if k in ("red", "yellow")}
    template = build_template(default_registry()[unit_id], year)
    data = fill_template(template, builders.as_words(keys), evidence, notes)
    ret = single(read(data, "bieu_mau.xlsx"))
    assert ret.issues == ()
    assert (ret.unit_id, ret.year) == (unit_id, year)
    assert ratings_of(ret) == expected(keys)
    assert {r.code: r.evidence for r in ret.ratings} == evidence
    assert {r.code: r.note for r in ret.ratings if r.note} == notes


def test_a_partly_filled_template_is_accepted_with_blank_warnings() -> None:
    keys: dict[str, str | None] = dict(builders.cycle_ratings())
    keys.update({"2.3": None, "4.4": None})
    evidence = {c: f"Kế hoạch số {i + 3}/KH-UBND" for i, c in enumerate(CODES)}
    data = fill_template(build_template(default_registry()["p-cat-dai"], 2023), builders.as_words(keys), evidence, {})
    ret = single(read(data))
    assert ratings_of(ret) == expected(keys)
    assert sorted(i.code for i in ret.issues) == ["rating_blank", "rating_blank"]
    assert ret.accepted


# --- every issue code ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A result expected to carry an issue at ``sheet`` in one of ``cells`` ("" = no cell)."""

    result: ReadResult
    sheet: str
    cells: frozenset[str]


def _cells(*refs: str) -> frozenset[str]:
    return frozenset(refs)


def _file_level(data: bytes, file: str = FILE) -> Case:
    return Case(read(data, file), "", _cells(""))


def _garbage_workbook() -> bytes:
    """A zip that has the parts of an xlsx but a workbook part that is not XML."""
    return builders.minimal_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"\x00\x01 not xml <<",
                                 "xl/_rels/workbook.xml.rels": b"garbage"})


def _truncated() -> bytes:
    data = builders.word_return(WORDS)
    return data[: len(data) // 2]


def _encrypted() -> Case:
    pytest.importorskip("msoffcrypto")
    return _file_level(builders.encrypted(builders.word_return(WORDS)))


def _too_large() -> Case:
    """A stray value below MAX_ROWS: the issue points at it or at the corner of the extent it creates."""
    ref = f"A{MAX_ROWS + 1}"
    data = builders.far_cell(ref)
    return Case(read(data), SHEET, _cells(ref, builders.extent_corner(data)))


def _unit_unknown() -> Case:
    data = builders.word_return(WORDS, unit="UBND PHƯỜNG MINH KHAY")
    return Case(read(data), SHEET, _cells(*builders.cells_of(data, "UBND PHƯỜNG MINH KHAY")))


def _unit_conflict() -> Case:
    data = builders.word_return(WORDS)
    return Case(read(data, "Le Chan 2023.xlsx"), SHEET, _cells(*builders.cells_of(data, builders.UNIT_LINE)))


def _unit_not_in_year() -> Case:
    """A 2025 return from a ward merged on 1 July 2025: the error is at the unit's line."""
    data = builders.word_return(WORDS, unit="UBND PHƯỜNG MINH KHAI", year="Năm 2025")
    return Case(read(data), SHEET, _cells(*builders.cells_of(data, "UBND PHƯỜNG MINH KHAI")))


def _year_implausible() -> Case:
    data = builders.word_return(WORDS, year="Năm 2015")
    return Case(read(data), SHEET, _cells(*builders.cells_of(data, "Năm 2015")))


def _rating_cell(words: Mapping[str, object], code: str, fills: Mapping[str, str] | None = None) -> Case:
    """A one-word return whose issue is expected in the rating cell of ``code``."""
    data = builders.word_return(words, fills=fills)
    return Case(read(data), SHEET, _cells(f"D{builders.row_of(data, code)}"))


def _evidence_missing() -> Case:
    """A green rating whose evidence cell says only "Không có": the issue is at that evidence cell (column E)."""
    evidence = {c: "Không có" if c == "1.1" else f"Văn bản số {i + 1}/UBND" for i, c in enumerate(CODES)}
    data = builders.word_return({**WORDS, "1.1": "Xanh lá"}, evidence=evidence)
    return Case(read(data), SHEET, _cells(f"E{builders.row_of(data, '1.1')}"))


def _rating_multiple() -> Case:
    data = builders.mark_return({**KEYS, "2.6": ("yellow", "green")})
    row = builders.row_of(data, "2.6")
    return Case(read(data), SHEET, _cells(f"E{row}", f"F{row}"))


def _fill_unrecognised() -> Case:
    colours = {**{c: k for c, k in KEYS.items() if k != "na"}, "3.3": "0070C0"}
    data = builders.fill_return(colours)
    return Case(read(data), SHEET, _cells(f"D{builders.row_of(data, '3.3')}"))


def _indicator_unknown() -> Case:
    data = builders.word_return(WORDS, codes={"1.2": "1.11"})
    return Case(read(data), SHEET, _cells(f"B{builders.row_of(data, '1.11')}"))


def _repeat(word: str) -> Case:
    items = builders.table_items(WORDS)
    items.insert(len(items) - 3, Row("2.4", NAMES_VI["2.4"], word))
    data = builders.word_return(items)
    return Case(read(data), SHEET, _cells(f"D{builders.row_of(data, '2.4', nth=1)}"))


def _name_mismatch() -> Case:
    data = builders.word_return(WORDS, names={"1.2": NAMES_VI["1.3"]})
    return Case(read(data), SHEET, _cells(f"C{builders.row_of(data, '1.2')}"))


def _zip_bomb() -> Case:
    """A return carrying one more part of 2 MB of zeros, packed about 1000:1."""
    return _file_level(hostile.with_padding(builders.word_return(WORDS), 2 * 1024 * 1024))


def _file_too_large() -> Case:
    """A return padded past the cap, read as uploads are (refused before any reader or worker)."""
    data = builders.word_return(WORDS)
    return Case(safety.read_isolated(data + bytes(safety.MAX_FILE_BYTES + 1 - len(data)), FILE), "", _cells(""))


def _isolated(**limits: float) -> Case:
    """A legitimate but heavy .ods (900,000 cells from one repeated value) read in the worker with
    ``limits`` it cannot meet (it needs about 0.3 s and 100 MB)."""
    result = safety.read_isolated(hostile.ods_repeated(15_000, 60), FILE, today=TODAY, **limits)
    return Case(result, "", _cells(""))


def _form(layout: forms.FormLayout, entries: Mapping[str, forms.Entry] | None = None) -> bytes:
    """A return written by the layout generator, with the cycle's ratings and an evidence text each."""
    return forms.write_return(layout, forms.FormContent(entries if entries is not None else FORM_ENTRIES))


FORM_ENTRIES: Final = {c: forms.Entry(Rating(k), f"Văn bản số {i}/UBND") for i, (c, k) in enumerate(KEYS.items())}
#: The header row of the generator's forms (1-based).
FORM_HEADER: Final = forms.HEADER_ROW + 1


def _layout_ambiguous() -> Case:
    """Every rating typed as a word of another scale ("Tốt", "Khá"): one error at the header row."""
    entries = {c: forms.Entry(Rating.GREEN if i % 2 else Rating.RED) for i, c in enumerate(CODES)}
    layout = forms.word_layout(words={Rating.GREEN: "Tốt", Rating.RED: "Khá"})
    return Case(read(_form(layout, entries)), SHEET, _cells(f"A{FORM_HEADER}:F{FORM_HEADER}"))


def _layout_assumed() -> Case:
    """Evidence and notes under titles that name neither: told apart by position only."""
    layout = forms.word_layout({"evidence": "Cột 5", "note": "Cột 6"})
    return Case(read(_form(layout)), SHEET, _cells(f"E{FORM_HEADER}", f"F{FORM_HEADER}"))


def _column_unread() -> Case:
    """A third column of free text beside evidence and notes, under a title naming no role."""
    layout = forms.FormLayout((*forms.word_layout().columns, forms.Column("evidence", "Cột phụ")))
    entries = {c: forms.Entry(e.rating, e.evidence, "Phòng Nội vụ phối hợp") for c, e in FORM_ENTRIES.items()}
    columns = tuple(replace(col, role="note") if i == 6 else replace(col, role="extra") if col.role == "note" else col
                    for i, col in enumerate(layout.columns))
    return Case(read(_form(replace(layout, columns=columns), entries)), SHEET, _cells(f"F{FORM_HEADER}",
                                                                                       f"G{FORM_HEADER}"))


def _indicator_by_position() -> Case:
    """Names only, and the row of 2.3 named in words like no indicator's: taken by its place between 2.2 and 2.4."""
    entries = {**FORM_ENTRIES, "2.3": replace(FORM_ENTRIES["2.3"], name="Nội dung khác theo hướng dẫn của tỉnh")}
    data = _form(forms.word_layout(roles=("stt", "name", "rating", "evidence", "note")), entries)
    return Case(read(data), SHEET, _cells(*builders.cells_of(data, "Nội dung khác theo hướng dẫn của tỉnh")))


def _legend_assumed() -> Case:
    """A district's consolidation sheet with letters and no legend line."""
    units = {"Xã An Thắng": {c: Rating(k) for c, k in KEYS.items()},
             "Xã Tiên Minh": {c: Rating(k) for c, k in builders.cycle_ratings(2).items()}}
    data = forms.write_consolidation(units, legend=False, sheet=SHEET)
    return Case(read(data), SHEET, _cells("D6", "E6"))


def _layout_mapped() -> Case:
    """A layout staff mapped (two alike rating columns): read with the mapping, said at the header row."""
    from lgqa_metrics.intake.mapping import layout_choices, proposal
    from tests.intake.test_mappings import DATA

    _, headers, _ = layout_choices(DATA, SHEET, forms.HEADER_ROW)
    chosen = proposal(headers, {"code": 1, "name": 2, "rating": 4, "evidence": 5}, {})
    result = read_bytes(DATA, FILE, today=TODAY, mappings={chosen.fingerprint: chosen})
    return Case(result, SHEET, _cells(f"A{FORM_HEADER}"))


PRODUCERS: dict[str, Callable[[], Case]] = {
    "layout_mapped": _layout_mapped,
    "layout_ambiguous": _layout_ambiguous,
    "layout_assumed": _layout_assumed,
    "column_unread": _column_unread,
    "indicator_by_position": _indicator_by_position,
    "legend_assumed": _legend_assumed,
    "file_empty": lambda: _file_level(b""),
    "file_not_spreadsheet": lambda: _file_level("Mã chỉ số,Kết quả\n1.1,Đỏ\n".encode()),
    "file_truncated": lambda: _file_level(_truncated()),
    "file_encrypted": _encrypted,
    "file_unreadable": lambda: _file_level(_garbage_workbook()),
    "file_too_large": _file_too_large,
    "zip_bomb": _zip_bomb,
    "read_timeout": lambda: _isolated(timeout_s=0.05),
    "read_crashed": lambda: _isolated(memory_bytes=32 * 1024 * 1024),
    "sheet_too_large": _too_large,
    "no_table": lambda: _file_level(builders.workbook([], instructions=True)),
    "unit_missing": lambda: Case(read(builders.word_return(WORDS, unit=None)), SHEET, _cells("")),
    "unit_unknown": _unit_unknown,
    "unit_conflict": _unit_conflict,
    "year_missing": lambda: Case(read(builders.word_return(WORDS, year=None, date_line=None)), SHEET, _cells("")),
    "year_implausible": _year_implausible,
    "unit_not_in_year": _unit_not_in_year,
    "rating_unknown": lambda: _rating_cell({**WORDS, "1.3": "Tím"}, "1.3"),
    "rating_multiple": _rating_multiple,
    "rating_blank": lambda: _rating_cell({**WORDS, "3.7": None}, "3.7"),
    "evidence_missing": _evidence_missing,
    "fill_unrecognised": _fill_unrecognised,
    "fill_conflict": lambda: _rating_cell({**WORDS, "1.1": "Xanh lá"}, "1.1", fills={"1.1": "FF0000"}),
    "indicator_unknown": _indicator_unknown,
    "indicator_conflict": lambda: _repeat("Đỏ" if WORDS["2.4"] != "Đỏ" else "Vàng"),
    "indicator_repeated": lambda: _repeat(str(WORDS["2.4"])),
    "indicator_missing": lambda: Case(read(builders.word_return({c: w for c, w in WORDS.items() if c != "4.9"})),
                                      SHEET, _cells("")),
    "name_mismatch": _name_mismatch,
    "return_empty": lambda: Case(read(builders.word_return(dict.fromkeys(CODES))), SHEET, _cells("")),
}


READER_CODES = sorted(set(ISSUE_CODES) - STORE_ISSUE_CODES)  # the store's own are tested with the store


def test_every_issue_code_has_a_producer() -> None:
    assert set(PRODUCERS) == set(READER_CODES)


@pytest.mark.parametrize("code", READER_CODES)
def test_issue_is_reported_at_its_sheet_and_cell_with_both_messages(code: str) -> None:
    case = PRODUCERS[code]()
    found = issues_of(case.result, code)
    assert found, f"{code} not produced; got {sorted(all_codes(case.result))}"
    issue = found[0]
    assert issue.severity is ISSUE_CODES[code]
    assert issue.file == case.result.file
    assert issue.sheet == case.sheet
    assert issue.cell in case.cells, (issue.cell, sorted(case.cells))
    assert issue.message_vi.strip() and issue.message_en.strip()
    assert issue.message_vi != issue.message_en
    assert "{" not in issue.message_vi + issue.message_en


@pytest.mark.parametrize("code", sorted(c for c in READER_CODES if ISSUE_CODES[c] is Severity.ERROR))
def test_an_error_rejects_its_return(code: str) -> None:
    case = PRODUCERS[code]()
    holders = [r for r in case.result.returns if any(i.code == code for i in r.issues)]
    if holders:
        assert not any(r.accepted for r in holders)
    else:  # a file-level error: the file yields no return at all
        assert case.result.returns == ()
        assert any(i.code == code for i in case.result.issues)


@pytest.mark.parametrize("code", sorted(c for c in READER_CODES if ISSUE_CODES[c] is Severity.WARNING))
def test_a_warning_alone_does_not_reject_the_return(code: str) -> None:
    result = PRODUCERS[code]().result
    assert result.issues == () and result.returns
    for ret in result.returns:  # a consolidation sheet holds several
        assert {i.severity for i in ret.issues} == {Severity.WARNING}
        assert ret.accepted


# --- what each issue says --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "file", "kind"),
    [
        ("Mã chỉ số,Kết quả\n1.1,Đỏ\n1.2,Vàng\n".encode(), "bao_cao.xlsx", "CSV"),
        (b"<html><body><table><tr><td>1.1</td><td>Do</td></tr></table></body></html>", "bao_cao.xls", "HTML"),
        (builders.docx_bytes(), "bao_cao.xlsx", "Word"),
    ],
    ids=["csv", "html", "word"],
)
def test_not_a_spreadsheet_names_what_the_file_is(data: bytes, file: str, kind: str) -> None:
    result = read(data, file)
    (issue,) = result.issues
    assert issue.code == "file_not_spreadsheet"
    assert kind in issue.message_vi
    assert kind in issue.message_en
    assert result.returns == ()


@pytest.mark.parametrize("data", [b"%PDF-1.4\n", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32], ids=["pdf", "png"])
def test_pdf_and_photo_are_not_spreadsheets(data: bytes) -> None:
    assert [i.code for i in read(data).issues] == ["file_not_spreadsheet"]


def test_unit_unknown_names_the_closest_registered_units() -> None:
    ret = single(read(builders.word_return(WORDS, unit="UBND PHƯỜNG MINH KHAY")))
    (issue,) = [i for i in ret.issues if i.code == "unit_unknown"]
    assert issue.value == "UBND PHƯỜNG MINH KHAY"
    assert "Phường Minh Khai" in issue.message_vi
    assert "Phường Minh Khai" in issue.message_en
    assert ret.unit_id is None


def test_unit_conflict_keeps_the_header_unit_and_speaks_one_language_per_message() -> None:
    ret = single(read(builders.word_return(WORDS), "Le Chan 2023.xlsx"))
    (issue,) = [i for i in ret.issues if i.code == "unit_conflict"]
    assert ret.unit_id == "q-hong-bang"
    assert "Lê Chân" in issue.message_vi and "Lê Chân" in issue.message_en
    assert "file name" in issue.message_en and "tên tệp" in issue.message_vi
    assert "tên tệp" not in issue.message_en
    assert "file name" not in issue.message_vi


@pytest.mark.parametrize("year_line", ["Năm 2015", "Năm 2030", "Năm 20233"])
def test_implausible_years_are_refused_and_named(year_line: str) -> None:
    ret = single(read(builders.word_return(WORDS, year=year_line)))
    (issue,) = [i for i in ret.issues if i.code == "year_implausible"]
    typed = year_line.split()[1]
    assert issue.value == typed
    assert typed in issue.message_vi and typed in issue.message_en
    assert ret.year is None
    assert not ret.accepted


def test_a_date_line_alone_is_not_an_assessment_year() -> None:
    ret = single(read(builders.word_return(WORDS, year=None)))
    assert "year_missing" in {i.code for i in ret.issues}


@pytest.mark.parametrize("word", ["Tím", "Xanh dương", "Tốt", "Đạt"])
def test_an_unknown_word_is_refused_with_its_value_and_code(word: str) -> None:
    data = builders.word_return({**WORDS, "2.2": word})
    ret = single(read(data))
    (issue,) = [i for i in ret.issues if i.code == "rating_unknown"]
    assert (issue.value, issue.cell) == (word, f"D{builders.row_of(data, '2.2')}")
    assert "2.2" in issue.message_en and word in issue.message_vi
    assert not ret.accepted


def test_stray_text_in_a_colour_column_is_an_unknown_rating() -> None:
    data = builders.mark_return({**KEYS, "1.4": {"yellow": "?"}})
    ret = single(read(data))
    (issue,) = [i for i in ret.issues if i.code == "rating_unknown"]
    assert issue.cell == f"E{builders.row_of(data, '1.4')}"


def test_two_colours_marked_name_both_and_store_no_rating() -> None:
    data = builders.mark_return({**KEYS, "1.2": ("red", "green")})
    ret = single(read(data))
    (issue,) = [i for i in ret.issues if i.code == "rating_multiple"]
    assert "Đỏ" in issue.value and "Xanh lá" in issue.value
    assert "1.2" in issue.message_en
    assert ratings_of(ret)["1.2"] == "missing"


def test_no_colour_marked_is_a_blank_rating() -> None:
    data = builders.mark_return({**KEYS, "4.2": None})
    ret = single(read(data))
    (issue,) = [i for i in ret.issues if i.code == "rating_blank"]
    row = builders.row_of(data, "4.2")
    assert issue.cell in {f"{col}{row}" for col in "DEFG"}
    assert ratings_of(ret)["4.2"] == "missing"
    assert ret.accepted


def test_blank_ratings_are_missing_never_red() -> None:
    ret = single(read(builders.word_return({**WORDS, "1.3": None, "2.1": "  "})))
    assert (ratings_of(ret)["1.3"], ratings_of(ret)["2.1"]) == ("missing", "missing")
    assert sorted(i.code for i in ret.issues) == ["rating_blank", "rating_blank"]


def test_fill_conflict_keeps_the_word() -> None:
    ret = single(read(builders.word_return({**WORDS, "1.1": "Xanh lá"}, fills={"1.1": "FF0000"})))
    assert ratings_of(ret)["1.1"] == "green"
    (issue,) = ret.issues
    assert issue.code == "fill_conflict"
    assert "FF0000" in issue.message_en.upper()


@pytest.mark.parametrize("fill", ["0070C0", "D9D9D9"], ids=["blue", "grey"])
def test_an_unrecognised_fill_is_stored_as_missing(fill: str) -> None:
    colours = {**{c: k for c, k in KEYS.items() if k != "na"}, "3.3": fill}
    ret = single(read(builders.fill_return(colours)))
    assert ratings_of(ret)["3.3"] == "missing"
    (issue,) = [i for i in ret.issues if i.code == "fill_unrecognised"]
    assert fill in issue.value.upper()


def test_conflicting_repeat_keeps_the_first_rating_and_names_its_cell() -> None:
    case = PRODUCERS["indicator_conflict"]()
    ret = single(case.result)
    first = next(r for r in ret.ratings if r.code == "2.4")
    assert first.rating.value == KEYS["2.4"]
    (issue,) = [i for i in ret.issues if i.code == "indicator_conflict"]
    assert first.cell in issue.message_en and first.cell in issue.message_vi


@pytest.mark.parametrize("code_text", ["1.11", "5.1", "2.9", "0.3"])
def test_a_code_outside_the_39_is_an_unknown_indicator(code_text: str) -> None:
    data = builders.word_return(WORDS, codes={"1.2": code_text})
    ret = single(read(data))
    unknown = [i for i in ret.issues if i.code == "indicator_unknown"]
    assert [(i.value, i.cell) for i in unknown] == [(code_text, f"B{builders.row_of(data, code_text)}")]
    assert ratings_of(ret)["1.2"] == "missing"


def test_a_rated_row_with_an_unknown_name_and_no_code_is_an_unknown_indicator() -> None:
    items = [*builders.table_items(WORDS), Row("", "Chỉ số tự đặt của quận", "Đỏ")]
    data = builders.word_return(items)
    ret = single(read(data))
    (issue,) = [i for i in ret.issues if i.code == "indicator_unknown"]
    assert issue.cell == builders.cells_of(data, "Chỉ số tự đặt của quận")[0]


def test_missing_indicators_are_listed_one_by_one_and_stored_as_missing() -> None:
    left_out = {"1.10", "3.12", "4.9"}
    ret = single(read(builders.word_return({c: w for c, w in WORDS.items() if c not in left_out})))
    missing = [i for i in ret.issues if i.code == "indicator_missing"]
    assert len(missing) == 3
    assert all(any(code in i.message_en for i in missing) for code in left_out)
    assert {c for c, v in ratings_of(ret).items() if v == "missing"} >= left_out
    assert ret.accepted


def test_name_mismatch_keeps_the_code() -> None:
    ret = single(read(builders.word_return(WORDS, names={"1.2": NAMES_VI["1.3"]})))
    assert ratings_of(ret) == expected(KEYS)
    (issue,) = ret.issues
    assert issue.code == "name_mismatch"
    assert "1.3" in issue.message_en


def test_an_all_blank_return_is_empty_and_rejected() -> None:
    ret = single(read(builders.word_return(dict.fromkeys(CODES))))
    assert "return_empty" in {i.code for i in ret.issues}
    assert set(ratings_of(ret).values()) == {"missing"}
    assert not ret.accepted


def test_group_rows_alone_without_ratings_is_not_a_return() -> None:
    data = builders.word_return([Group(q) for q in (1, 2, 3, 4)])
    result = read(data)
    assert result.returns == ()
    assert [i.code for i in result.issues] == ["no_table"]


def test_errors_come_before_warnings() -> None:
    ret = single(read(builders.word_return({**WORDS, "1.1": None, "4.4": "Tím"}, year="Năm 2015")))
    severities = [i.severity for i in ret.issues]
    assert severities == sorted(severities, key=lambda s: s is not Severity.ERROR)


# --- extents that must not bring the reader down ----------------------------------------------------


def test_a_stray_value_beyond_max_cols_is_a_too_large_sheet() -> None:
    ref = f"{get_column_letter(MAX_COLS + 1)}1"
    data = builders.far_cell(ref)
    result = read(data)
    (issue,) = issues_of(result, "sheet_too_large")
    assert issue.sheet == SHEET
    assert issue.cell in {ref, builders.extent_corner(data)}
    assert issue.cell in issue.message_vi and issue.cell in issue.message_en
    assert result.returns == ()


_FAR_CELL_SCRIPT = """
import json, sys
from tests.support import builders
from lgqa_metrics.intake.reader import read_bytes
result = read_bytes(builders.far_cell("XFD1048576"), "bao_cao.xlsx")
print(json.dumps([[i.code, i.sheet, i.cell] for i in result.issues]))
"""


def test_a_stray_value_in_the_last_cell_xfd1048576_is_reported_not_fatal() -> None:
    """Run in a child process: a reader that materialises the whole sheet would abort the interpreter."""
    proc = subprocess.run([sys.executable, "-c", _FAR_CELL_SCRIPT], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-600:]
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == [["sheet_too_large", SHEET, "XFD1048576"]]
