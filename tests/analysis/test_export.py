"""Exports: the contract columns, CSV with BOM, a formatted workbook with its filter sheet."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd

from lgqa_metrics.analysis.export import CSV_SEPARATORS, EXPORT_COLUMNS, csv_bytes, export_frame, xlsx_bytes
from lgqa_metrics.domain.catalogue import default_catalogue
from lgqa_metrics.services.ingest import ingest_bytes
from lgqa_metrics.store.database import Store
from tests.support.returns import filled_template, pattern


def _frame(store: Store, lang: str = "vi") -> pd.DataFrame:
    ingest_bytes(store, filled_template("p-minh-khai", 2022, pattern()), "a.xlsx")
    return export_frame(store.ratings(), lang)


def test_export_frame_has_every_column_in_order_with_labels(store: Store) -> None:
    frame = _frame(store)
    assert list(frame.columns) == list(EXPORT_COLUMNS)
    scale = default_catalogue().scale
    for word, label in zip(frame["rating"], frame["rating_label"], strict=True):
        assert label == next(e.label_vi for r, e in scale.items() if r.value == word)


def test_the_export_says_in_words_whether_each_rating_had_the_evidence_it_needed(store: Store) -> None:
    ingest_bytes(store, filled_template("q-le-chan", 2023, pattern(), "Không có"), "b.xlsx")
    frame = _frame(store, "en").set_index(["year", "indicator_code"])
    for code, rating in pattern().items():
        needed = rating in ("green", "yellow")
        assert frame.loc[(2022, code), "evidence_status"] == ("Evidence given" if needed else "Not required")
        assert frame.loc[(2023, code), "evidence_status"] == ("Evidence missing" if needed else "Not required")


def test_english_export_uses_english_indicator_names(store: Store) -> None:
    frame = _frame(store, "en")
    assert frame.loc[frame["indicator_code"] == "1.10", "indicator_name"].item() == "Public security"


def test_csv_with_vietnamese_headers_round_trips_through_pandas(store: Store) -> None:
    frame = _frame(store)
    raw = csv_bytes(frame, headers="vi")
    assert raw[:3] == b"\xef\xbb\xbf"
    back = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", dtype=str)
    assert list(back.columns) == [v[0] for v in EXPORT_COLUMNS.values()]
    assert list(back["Mã chỉ số"]) == list(frame["indicator_code"])


def test_xlsx_colours_rating_cells_freezes_header_and_lists_filters(store: Store) -> None:
    frame = _frame(store)
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(frame, {"Năm": [2022], "Đơn vị": []})))
    data, info = book.worksheets
    assert data.freeze_panes == "A2" and data.auto_filter.ref
    header = [c.value for c in data[1]]
    assert header[0] == "Mã đơn vị"
    col = header.index("Kết quả") + 1
    scale = default_catalogue().scale
    for row in range(2, data.max_row + 1):
        word = data.cell(row, col).value
        expected = next(e.colour for r, e in scale.items() if r.value == word)
        assert data.cell(row, col).fill.fgColor.rgb[-6:] == expected.lstrip("#").upper()
    values = {info.cell(r, 1).value: info.cell(r, 2).value for r in range(2, info.max_row + 1)}
    assert values["Năm"] == "2022" and values["Đơn vị"] == "(tất cả)" and values["Số dòng"] == 39


def test_labelled_exports_name_unit_types_in_words(store: Store) -> None:
    frame = _frame(store)
    back = pd.read_csv(io.BytesIO(csv_bytes(frame, headers="en")), encoding="utf-8-sig")
    assert set(back["Unit type"]) == {"Ward"}
    data = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(frame, headers="vi"))).worksheets[0]
    col = [c.value for c in data[1]].index("Loại đơn vị") + 1
    assert {data.cell(r, col).value for r in range(2, data.max_row + 1)} == {"Phường"}
    assert set(pd.read_csv(io.BytesIO(csv_bytes(frame)), encoding="utf-8-sig")["unit_type"]) == {"phuong"}


def test_xlsx_writes_numbers_as_numbers_and_leaves_missing_scores_blank(store: Store) -> None:
    frame = _frame(store, "en")
    data = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(frame, headers="codes"))).worksheets[0]
    header = [c.value for c in data[1]]
    for key in ("year", "quadrant", "score", "version"):
        col = header.index(key) + 1
        cells = [data.cell(r, col) for r in range(2, data.max_row + 1)]
        expected = [None if pd.isna(v) else int(v) for v in frame[key]]
        assert [c.value for c in cells] == expected, key
        assert {c.data_type for c in cells if c.value is not None} <= {"n"}, key


def test_the_csv_for_vietnamese_excel_separates_fields_with_semicolons_and_holds_the_same_table(store: Store) -> None:
    """Excel with Vietnamese regional settings splits CSV fields on ';' (its list separator): a comma file opens
    in one column there. The variant holds the same rows, and a field holding ';' or ',' stays one field."""
    stored = _frame(store)
    tricky = pd.DataFrame({"unit_name": ["Phường A; khu 1", "Xã B, thôn 2"], "rating": ["Đỏ", "=1+1"]})
    for frame in (stored, tricky):
        vn = csv_bytes(frame, separator=CSV_SEPARATORS["excel-vn"])
        assert vn.startswith(b"\xef\xbb\xbf") and ";" in vn.decode("utf-8-sig").splitlines()[0]
        back = pd.read_csv(io.BytesIO(vn), encoding="utf-8-sig", sep=";", dtype=str)
        standard = pd.read_csv(io.BytesIO(csv_bytes(frame)), encoding="utf-8-sig", dtype=str)
        pd.testing.assert_frame_equal(back, standard)
    assert list(back["unit_name"]) == ["Phường A; khu 1", "Xã B, thôn 2"]
    assert back["rating"][1] == "'=1+1", "formula-like text is neutralised in both variants"
