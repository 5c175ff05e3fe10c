"""Text normalisation: Unicode form, case, diacritics and spacing."""

from __future__ import annotations

import os
import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lgqa_metrics.domain.textnorm import clean, clean_once, fold, shown_name


def test_clean_returns_nfc_text_from_nfd_input() -> None:
    nfd = unicodedata.normalize("NFD", "Phường Minh Khai")
    assert nfd != "Phường Minh Khai"
    assert clean(nfd) == "Phường Minh Khai"


def test_clean_folds_runs_of_white_space_including_nbsp_and_trims() -> None:
    assert clean("  Xanh\u00a0 \t lá \n") == "Xanh lá"


@pytest.mark.parametrize("value", [None, "", "   ", "\u00a0"])
def test_clean_of_nothing_is_the_empty_string(value: object) -> None:
    assert clean(value) == ""


def test_clean_turns_numbers_into_text() -> None:
    assert clean(2023) == "2023"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Đỏ", "do"),
        ("ĐỎ", "do"),
        ("Không áp dụng", "khong ap dung"),
        ("  Xanh   lá  ", "xanh la"),
        (unicodedata.normalize("NFD", "Quận Hồng Bàng"), "quan hong bang"),
        ("Quận Hồng Bàng", "quan hong bang"),
        ("Kiến Thụy", "kien thuy"),
    ],
)
def test_fold_drops_case_and_diacritics_and_maps_d_stroke(text: str, key: str) -> None:
    assert fold(text) == key


def test_fold_gives_the_same_key_for_nfc_and_nfd_spellings() -> None:
    word = "Xã Tiên Minh, huyện Tiên Lãng"
    assert fold(word) == fold(unicodedata.normalize("NFD", word))


def test_fold_replaces_stray_punctuation_but_keeps_dots_slashes_and_hyphens() -> None:
    assert fold("«Vàng»!") == "vang"
    assert fold("N/A") == "n/a"
    assert fold("1.10") == "1.10"
    assert fold("p-minh-khai") == "p-minh-khai"


def test_fold_drops_every_combining_mark_not_only_the_vietnamese_ones() -> None:
    assert fold("e\u20d7 a\u0591b \u0e01\u0e31") == "e ab \u0e01"  # U+20D7, U+0591, U+0E31 are all marks (Mn)
    assert fold("Ω – “x”") == "ω x"


WHITE_SPACE = [chr(c) for c in range(0x110000) if chr(c).isspace()]


@pytest.mark.parametrize("space", WHITE_SPACE, ids=lambda c: f"U+{ord(c):04X}")
def test_every_kind_of_white_space_folds_to_one_space_and_is_trimmed(space: str) -> None:
    assert clean(f"{space}Minh{space}{space}chứng{space}") == "Minh chứng"
    assert clean(f"Minh{space}chứng") == "Minh chứng"


@given(st.text(alphabet=st.sampled_from([*"aĐđ ệ.\u0301\u0323", *WHITE_SPACE]), max_size=20))
def test_clean_is_nfc_with_runs_of_white_space_as_one_space(text: str) -> None:
    expected = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()
    assert clean(text) == expected
    assert clean_once(text) == expected  # the same, not remembered (evidence and notes)


@given(st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=40))
def test_a_shown_name_is_one_printable_line_that_encodes_as_utf8(name: str) -> None:
    shown = shown_name(name)
    shown.encode("utf-8")  # no lone surrogate left
    assert len(shown.splitlines()) <= 1
    assert not any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") for ch in shown)
    if name.isprintable() and not any(unicodedata.category(ch) == "Cf" for ch in name):
        assert shown == name  # an ordinary name, Vietnamese included, is shown as it is


def test_undecodable_bytes_and_controls_are_shown_as_escapes() -> None:
    assert shown_name(os.fsdecode(b"Bao cao \xff.xlsx")) == "Bao cao \\xff.xlsx"
    assert shown_name("a\nb\x1b[0m\u202ec") == "a\\nb\\x1b[0m\\u202ec"
    assert shown_name("Báo cáo Phường Minh Khai 2024.xlsx") == "Báo cáo Phường Minh Khai 2024.xlsx"
