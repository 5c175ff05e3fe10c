"""Header phrases: the data file is validated on load; diacritics are kept first; the longest phrase wins."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from lgqa_metrics.intake.phrases import PhrasesError, default_phrases, load_phrases


@pytest.mark.parametrize(("header", "role"), [
    ("Mục", "stt"), ("Mức", "rating"), ("Mức đánh giá", "rating"), ("Nội dung đánh giá", "name"),
    ("Đánh giá", "rating"), ("Căn cứ đánh giá", "evidence"), ("Kết quả tự đánh giá (ghi Đỏ/Vàng/Xanh lá)", "rating"),
    ("Tên chỉ số", "name"), ("Mã chỉ số", "code"), ("TÀI LIỆU KIỂM CHỨNG", "evidence"), ("Giải trình:", "note"),
    ("Phòng chủ trì", "other"),
])
def test_a_header_names_the_role_of_its_longest_phrase(header: str, role: str) -> None:
    match = default_phrases().match(header)
    assert max(match.weights, key=match.weights.__getitem__) == role
    assert not match.unaccented
    nfd = default_phrases().match(unicodedata.normalize("NFD", header) + "  ")
    assert nfd.weights == match.weights


def test_without_diacritics_a_phrase_counts_only_when_it_is_written_one_way() -> None:
    phrases = default_phrases()
    assert phrases.match("Ma chi so").weights == phrases.match("Mã chỉ số").weights
    assert phrases.match("Ma chi so").unaccented
    assert phrases.match("Muc").weights == {}  # "Mục" (row number) or "Mức" (rating): says nothing


def test_chi_so_alone_may_be_codes_or_names() -> None:
    assert set(default_phrases().match("Chỉ số").weights) == {"code", "name"}


@pytest.mark.parametrize(("row", "message"), [
    ("rating,Kết quả,vi,1.5", "not in (0, 1]"),
    ("colour,Màu,vi,1.0", "unknown role"),
    ("rating,,vi,1.0", "empty phrase"),
    ("rating,Kết quả,vi,nhiều", "not a number"),
])
def test_a_bad_row_of_the_data_file_is_refused_naming_its_row(tmp_path: Path, row: str, message: str) -> None:
    path = tmp_path / "header_phrases.csv"
    path.write_text("role,phrase,language,weight\nstt,STT,vi,1.0\n" + row + "\n", encoding="utf-8")
    with pytest.raises(PhrasesError, match=f"row 3.*{re.escape(message)}"):
        load_phrases(path)


def test_a_synonym_added_to_the_data_file_is_recognised(tmp_path: Path) -> None:
    path = tmp_path / "header_phrases.csv"
    path.write_text("role,phrase,language,weight\nrating,Đèn giao thông,vi,1.0\n", encoding="utf-8")
    assert load_phrases(path).match("ĐÈN GIAO THÔNG").weights == {"rating": 1.0}
