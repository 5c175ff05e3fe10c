"""The layouts real returns come in, each read exactly; the cases a header-only reader got wrong; what is
reported when the columns cannot be told apart."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path
from typing import Final

import openpyxl
import pytest

from lgqa_metrics.domain.ratings import Rating
from lgqa_metrics.intake.reader import ParsedReturn, ReadResult, read_bytes
from lgqa_metrics.store.database import Store
from lgqa_metrics.synthetic import forms
from lgqa_metrics.synthetic.forms import Column, Entry, FormContent, FormLayout
from tests.support.builders import CODES, NAMES_VI

CYCLE: Final = (Rating.GREEN, Rating.YELLOW, Rating.RED, Rating.GREEN, Rating.NA, Rating.GREEN, Rating.YELLOW)
#: Every indicator rated, with its own evidence and, for some, a note.
ENTRIES: Final = {c: Entry(CYCLE[i % len(CYCLE)], f"QĐ số {i + 1}/QĐ-UBND", "Giải trình" if i % 4 == 0 else "")
                  for i, c in enumerate(CODES)}


def read(data: bytes) -> ReadResult:
    return read_bytes(data, "bao_cao.xlsx")


def the_return(data: bytes) -> ParsedReturn:
    result = read(data)
    assert result.issues == (), [(i.code, i.message_en) for i in result.issues]
    (ret,) = result.returns
    return ret


def exact(ret: ParsedReturn, entries: dict[str, Entry] = ENTRIES, *, evidence: bool = True, notes: bool = True
          ) -> None:
    """Every rating, evidence text and note read as written; nothing but warnings reported."""
    got = {r.code: (r.rating, r.evidence, r.note) for r in ret.ratings}
    want = {c: (e.rating, e.evidence if evidence else "", e.note if notes else "") for c, e in entries.items()}
    assert {c: got[c] for c in want} == want
    assert ret.accepted, [(i.code, i.cell) for i in ret.issues if i.severity == "error"]
    assert (ret.unit_id, ret.year) == ("q-hong-bang", 2023)


def codes_of(ret: ParsedReturn, severity: str | None = None) -> set[str]:
    return {i.code for i in ret.issues if severity is None or i.severity == severity}


# --- the cases of the review -----------------------------------------------------------------------------


def test_chi_so_over_text_codes_and_noi_dung_chi_so_over_names_is_read_exactly() -> None:
    layout = forms.word_layout({"stt": "TT", "code": "Chỉ số", "name": "Nội dung chỉ số", "rating": "Mức đánh giá",
                                "evidence": "Minh chứng kèm theo", "note": "Ghi chú"})
    ret = the_return(forms.write_return(layout, FormContent(ENTRIES)))
    exact(ret)
    assert ret.issues == ()


def test_muc_over_the_row_numbers_is_not_a_rating_column() -> None:
    ret = the_return(forms.write_return(forms.word_layout({"stt": "Mục"}), FormContent(ENTRIES)))
    exact(ret)
    assert ret.issues == ()


def test_noi_dung_danh_gia_over_the_names_is_the_name_column() -> None:
    ret = the_return(forms.write_return(forms.word_layout({"name": "Nội dung đánh giá"}), FormContent(ENTRIES)))
    exact(ret)


def test_can_cu_danh_gia_over_the_evidence_keeps_every_evidence_text() -> None:
    ret = the_return(forms.write_return(forms.word_layout({"evidence": "Căn cứ đánh giá"}), FormContent(ENTRIES)))
    exact(ret)
    assert ret.issues == ()


def test_names_only_keeps_cong_nghe_and_cong_nghiep_which_begin_like_a_summary_word() -> None:
    layout = forms.word_layout(roles=("stt", "name", "rating", "evidence", "note"))
    ret = the_return(forms.write_return(layout, FormContent(ENTRIES)))
    exact(ret)
    assert NAMES_VI["1.5"].startswith("Công nghệ") and NAMES_VI["2.8"].startswith("Công nghiệp")
    assert {r.code: r.rating for r in ret.ratings}["1.5"] is ENTRIES["1.5"].rating


# --- layout families ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", forms.CODE_NAME_FORMS)
def test_code_and_name_in_one_cell(form: str) -> None:
    layout = forms.word_layout(roles=("stt", "code_name", "rating", "evidence", "note"), code_name_form=form)
    data = forms.write_return(layout, FormContent(ENTRIES))
    ret = the_return(data)
    exact(ret)
    assert ret.issues == ()


def test_a_code_in_the_name_cell_that_disagrees_with_its_name_is_a_warning_and_the_code_is_used() -> None:
    layout = forms.word_layout(roles=("stt", "code_name", "rating", "evidence", "note"))
    entries = {**ENTRIES, "1.2": replace(ENTRIES["1.2"], name=NAMES_VI["1.3"])}
    ret = the_return(forms.write_return(layout, FormContent(entries)))
    exact(ret, entries)
    (issue,) = [i for i in ret.issues if i.code == "name_mismatch"]
    assert issue.cell.startswith("B") and issue.value == NAMES_VI["1.3"]


@pytest.mark.parametrize(("group", "sub"), [("Chỉ số", ("Mã", "Tên")), ("Chỉ số", ("Mã số", "Nội dung"))])
def test_a_two_level_header_over_code_and_name(group: str, sub: tuple[str, str]) -> None:
    layout = FormLayout((Column("stt", "STT"), Column("code", sub[0], group), Column("name", sub[1], group),
                         Column("rating", "Kết quả"), Column("evidence", "Tài liệu kiểm chứng"),
                         Column("note", "Giải trình")))
    exact(the_return(forms.write_return(layout, FormContent(ENTRIES))))


def test_colour_columns_under_a_merged_ket_qua_header() -> None:
    exact(the_return(forms.write_return(forms.mark_layout(), FormContent(ENTRIES))))


def test_names_in_other_words_matched_by_similarity_and_order() -> None:
    entries = {c: replace(e, name=f"Công tác {NAMES_VI[c].lower()}") for c, e in ENTRIES.items()}
    layout = forms.word_layout(roles=("stt", "name", "rating", "evidence", "note"))
    ret = the_return(forms.write_return(layout, FormContent(entries)))
    exact(ret, entries)


def test_a_name_like_no_other_between_two_known_rows_is_taken_by_its_place_and_said_so() -> None:
    entries = {**ENTRIES, "3.4": replace(ENTRIES["3.4"], name="Nội dung theo hướng dẫn riêng của thành phố")}
    layout = forms.word_layout(roles=("stt", "name", "rating", "evidence", "note"))
    ret = the_return(forms.write_return(layout, FormContent(entries)))
    exact(ret, entries)
    (issue,) = [i for i in ret.issues if i.code == "indicator_by_position"]
    assert "3.4" in issue.message_vi and "3.4" in issue.message_en


@pytest.mark.parametrize("block", [0, 1, 2, 3])
def test_one_return_spread_over_one_sheet_per_quadrant_with_unit_and_year_on_any(block: int) -> None:
    layout = forms.word_layout(per_quadrant=True, block_sheet=block)
    ret = the_return(forms.write_return(layout, FormContent(ENTRIES)))
    exact(ret)
    assert ret.sheet == " + ".join(f"Biểu 01 - {r}" for r in ("I", "II", "III", "IV"))


def test_several_complete_returns_in_one_workbook_stay_apart() -> None:
    other = FormContent(ENTRIES, unit_line="UBND QUẬN LÊ CHÂN")
    data = forms.write_returns([(forms.word_layout(sheet_name="Hồng Bàng"), FormContent(ENTRIES)),
                                (forms.word_layout(sheet_name="Lê Chân"), other)])
    result = read(data)
    assert [(r.sheet, r.unit_id) for r in result.returns] == [("Hồng Bàng", "q-hong-bang"), ("Lê Chân", "q-le-chan")]


def test_par_index_headers() -> None:
    layout = forms.word_layout({"stt": "TT", "name": "Tiêu chí", "rating": "Tự chấm",
                                "evidence": "Tài liệu kiểm chứng", "note": "Giải trình"})
    exact(the_return(forms.write_return(layout, FormContent(ENTRIES))))


def test_english_headers_and_words() -> None:
    layout = forms.word_layout(forms.ENGLISH_HEADERS, words=forms.WORDS_EN, english_groups=True)
    exact(the_return(forms.write_return(layout, FormContent(ENTRIES))))


def test_a_consolidation_sheet_gives_one_return_per_unit_column_with_its_legend() -> None:
    first = {c: CYCLE[i % len(CYCLE)] for i, c in enumerate(CODES)}
    second = {c: CYCLE[(i + 3) % len(CYCLE)] for i, c in enumerate(CODES)}
    data = forms.write_consolidation({"Xã An Thắng": first, "Xã Tiên Minh": second})
    result = read(data)
    assert result.issues == ()
    by_unit = {r.unit_id: r for r in result.returns}
    assert set(by_unit) == {"x-an-thang", "x-tien-minh"}
    for unit, want in (("x-an-thang", first), ("x-tien-minh", second)):
        ret = by_unit[unit]
        assert {r.code: r.rating for r in ret.ratings} == want
        assert ret.year == 2023 and ret.accepted
        assert "legend_assumed" not in codes_of(ret)
    assert {r.sheet for r in result.returns} == {"Tổng hợp!D", "Tổng hợp!E"}


def test_a_consolidation_sheet_of_words_needs_no_legend() -> None:
    ratings = {c: CYCLE[i % len(CYCLE)] for i, c in enumerate(CODES)}
    data = forms.write_consolidation({"Xã An Thắng": ratings, "Xã Tiên Minh": ratings}, legend=False, letters=False)
    for ret in read(data).returns:
        assert {r.code: r.rating for r in ret.ratings} == ratings
        assert codes_of(ret) == set()


# --- no silent misreads --------------------------------------------------------------------------------------


def test_a_deleted_row_leaves_its_indicator_missing_and_every_other_rating_exact() -> None:
    for roles in (("stt", "code", "name", "rating", "evidence", "note"), ("stt", "name", "rating", "evidence", "note")):
        entries = {c: e for c, e in ENTRIES.items() if c != "2.3"}
        ret = the_return(forms.write_return(forms.word_layout(roles=roles), FormContent(entries)))
        exact(ret, entries)
        assert {r.code: r.rating for r in ret.ratings}["2.3"] is Rating.MISSING
        assert [i.code for i in ret.issues] == ["indicator_missing"]


def test_ratings_in_words_of_another_scale_are_one_layout_error_not_a_row_error_each() -> None:
    entries = {c: Entry(Rating.GREEN if i % 2 else Rating.RED) for i, c in enumerate(CODES)}
    layout = forms.word_layout(words={Rating.GREEN: "Tốt", Rating.RED: "Khá"})
    result = read(forms.write_return(layout, FormContent(entries)))
    assert result.returns == ()
    (issue,) = result.issues
    assert issue.code == "layout_ambiguous" and issue.sheet == "Biểu 01"
    assert issue.cell == f"A{forms.HEADER_ROW + 1}:F{forms.HEADER_ROW + 1}"
    assert '"Tốt"' in issue.message_vi and "Kết quả tự đánh giá" in issue.message_en


def test_evidence_and_notes_without_a_title_naming_them_are_read_by_position_and_said_so() -> None:
    layout = forms.word_layout({"evidence": "Cột 5", "note": "Cột 6"})
    ret = the_return(forms.write_return(layout, FormContent(ENTRIES)))
    exact(ret)
    assumed = [i for i in ret.issues if i.code == "layout_assumed"]
    assert {i.cell for i in assumed} <= {f"E{forms.HEADER_ROW + 1}", f"F{forms.HEADER_ROW + 1}"} and assumed


def test_a_column_of_text_left_without_a_role_is_reported_at_its_header() -> None:
    layout = FormLayout((*forms.word_layout().columns, Column("extra", "Cột phụ", value="Văn bản kèm theo số 5")))
    ret = the_return(forms.write_return(layout, FormContent(ENTRIES)))
    exact(ret)
    (issue,) = [i for i in ret.issues if i.code == "column_unread"]
    assert issue.cell == f"G{forms.HEADER_ROW + 1}"


def test_a_column_titled_as_no_role_is_left_aside_silently() -> None:
    layout = FormLayout((*forms.word_layout().columns, Column("extra", "Phòng chủ trì", value="Văn phòng UBND")))
    ret = the_return(forms.write_return(layout, FormContent(ENTRIES)))
    exact(ret)
    assert ret.issues == ()


def test_a_signature_or_summary_word_never_swallows_an_indicator() -> None:
    entries = {c: replace(e, evidence="Biên bản xác nhận của Chủ tịch UBND") for c, e in ENTRIES.items()}
    layout = forms.word_layout(summary=True, signature=True)
    exact(the_return(forms.write_return(layout, FormContent(entries))), entries)


def test_the_marked_up_workbook_marks_the_whole_header_row_of_an_ambiguous_layout() -> None:
    from lgqa_metrics.services.annotate import annotate_workbook

    entries = {c: Entry(Rating.GREEN) for c in CODES}
    data = forms.write_return(forms.word_layout(words={Rating.GREEN: "Tốt"}), FormContent(entries))
    result = read(data)
    marked = openpyxl.load_workbook(io.BytesIO(annotate_workbook(data, result.issues, "bao_cao.xlsx")))
    ws = marked["Biểu 01"]
    row = forms.HEADER_ROW + 1
    assert all(ws.cell(row, c).comment is not None for c in range(1, 7))


def test_every_layout_family_ingests_exactly_through_the_command_line(tmp_path: Path, db_url: str) -> None:
    """One file per preset layout, one spread over four sheets, one consolidation: `ingest --json`, stored
    exactly as written."""
    from tests.support.cli import run_in_process as cli

    folder = tmp_path / "in"
    folder.mkdir()
    units = {"template": "QUẬN HỒNG BÀNG", "chi_so": "QUẬN LÊ CHÂN", "code_name": "QUẬN KIẾN AN",
             "two_level": "HUYỆN AN LÃO", "marks": "HUYỆN TIÊN LÃNG", "names": "HUYỆN VĨNH BẢO",
             "par": "PHƯỜNG MINH KHAI", "numbers": "PHƯỜNG CÁT DÀI"}
    assert set(units) == set(forms.PRESETS)
    for name, unit in units.items():
        content = FormContent(ENTRIES, unit_line=f"UBND {unit}")
        (folder / f"{name}.xlsx").write_bytes(forms.write_return(forms.PRESETS[name], content))
    quarters = forms.word_layout(per_quadrant=True, block_sheet=3)
    (folder / "quadrants.xlsx").write_bytes(forms.write_return(quarters, FormContent(ENTRIES,
                                                                                     unit_line="UBND PHƯỜNG BẮC SƠN")))
    ratings = {c: e.rating for c, e in ENTRIES.items()}
    (folder / "tong_hop.xlsx").write_bytes(forms.write_consolidation({"Xã An Thắng": ratings, "Xã Tiên Minh": ratings}))
    done = cli("ingest", "--json", "--create", "--db", db_url, str(folder))
    assert done.returncode == 0, done.stderr
    outcomes = json.loads(done.stdout)
    assert [o["status"] for o in outcomes] == ["accepted"] * 11
    assert all(i["severity"] == "warning" for o in outcomes for i in o["issues"])
    store = Store.open(db_url)
    stored = store.ratings()
    store.close()
    assert stored["unit_id"].nunique() == 11
    for unit, one in stored.groupby("unit_id"):
        assert dict(zip(one["indicator_code"], one["rating"], strict=True)) == {c: r.value for c, r in ratings.items()}
        if unit not in ("x-an-thang", "x-tien-minh"):
            assert dict(zip(one["indicator_code"], one["evidence"], strict=True)) == {
                c: e.evidence for c, e in ENTRIES.items()}
