"""The rating scale: words, tick marks and cell fills."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from lgqa_metrics.domain.ratings import Rating, is_blank, is_mark, load_scale, parse_word, rating_of_fill

ACCEPTED_WORDS: list[tuple[str, Rating]] = [
    ("Xanh", Rating.GREEN),
    ("Xanh lá", Rating.GREEN),
    ("Xanh lá cây", Rating.GREEN),
    ("Đỏ", Rating.RED),
    ("Vàng", Rating.YELLOW),
    ("Không áp dụng", Rating.NA),
    ("KAD", Rating.NA),
    ("N/A", Rating.NA),
    ("Red", Rating.RED),
    ("Amber", Rating.YELLOW),
    ("Yellow", Rating.YELLOW),
    ("Green", Rating.GREEN),
    ("R", Rating.RED),
    ("Y", Rating.YELLOW),
    ("G", Rating.GREEN),
]


@pytest.mark.parametrize(("word", "rating"), ACCEPTED_WORDS)
def test_every_accepted_word_reads_as_its_rating(word: str, rating: Rating) -> None:
    assert parse_word(word) is rating


@pytest.mark.parametrize(("word", "rating"), ACCEPTED_WORDS)
def test_accepted_words_survive_stray_spaces(word: str, rating: Rating) -> None:
    assert parse_word(f"  {word.replace(' ', '   ')} \u00a0") is rating


@pytest.mark.parametrize(("word", "rating"), ACCEPTED_WORDS)
def test_accepted_words_survive_macos_nfd(word: str, rating: Rating) -> None:
    assert parse_word(unicodedata.normalize("NFD", word)) is rating


@pytest.mark.parametrize(("word", "rating"), ACCEPTED_WORDS)
def test_accepted_words_survive_upper_and_lower_case(word: str, rating: Rating) -> None:
    assert parse_word(word.upper()) is rating
    assert parse_word(word.lower()) is rating


@pytest.mark.parametrize("word", ["XANH LÁ CÂY", "xanh la", "khong ap dung", "ĐỎ", "vang"])
def test_vietnamese_words_without_diacritics_or_in_capitals_are_accepted(word: str) -> None:
    assert parse_word(word) is not None


@pytest.mark.parametrize("value", [None, "", "   ", "\u00a0"])
def test_blank_is_missing_not_red(value: object) -> None:
    assert parse_word(value) is Rating.MISSING


@pytest.mark.parametrize("word", ["Tím", "Xanh dương", "Tốt", "Đạt", "Không", "abc", "Chưa rõ"])
def test_unknown_words_give_none(word: str) -> None:
    assert parse_word(word) is None


@pytest.mark.parametrize("mark", ["x", "X", "✓", " x ", "✔"])
def test_tick_marks_count_as_marks(mark: str) -> None:
    assert is_mark(mark)


@pytest.mark.parametrize("value", [None, "", "  ", "Đỏ", "0", "không"])
def test_blank_and_words_are_not_marks(value: object) -> None:
    assert not is_mark(value)


@pytest.mark.parametrize(("value", "blank"), [(None, True), ("", True), ("  \t", True), ("x", False), (0, False)])
def test_is_blank_only_for_none_and_white_space(value: object, blank: bool) -> None:
    assert is_blank(value) is blank


@pytest.mark.parametrize(
    ("argb", "rating"),
    [
        ("FFC7CE", Rating.RED),  # Excel "Bad"
        ("FFEB9C", Rating.YELLOW),  # Excel "Neutral"
        ("C6EFCE", Rating.GREEN),  # Excel "Good"
        ("FF0000", Rating.RED),  # standard red
        ("FFFF00", Rating.YELLOW),  # standard yellow
        ("00B050", Rating.GREEN),  # standard green
        ("FFFF0000", Rating.RED),  # ARGB form
        ("#E00613", Rating.RED),  # the scale's own colours
        ("#FCEA00", Rating.YELLOW),
        ("#009640", Rating.GREEN),
        ("c6efce", Rating.GREEN),
    ],
)
def test_rating_fills_are_classified(argb: str, rating: Rating) -> None:
    assert rating_of_fill(argb) is rating


@pytest.mark.parametrize("argb", [None, "", "FFFFFF", "000000", "D9D9D9", "BFBFBF", "0070C0", "DDEBF7", "zzzzzz"])
def test_white_black_grey_blue_and_junk_fills_are_not_ratings(argb: str | None) -> None:
    assert rating_of_fill(argb) is None


def test_only_colours_have_an_ordinal_score() -> None:
    assert [r.score for r in (Rating.RED, Rating.YELLOW, Rating.GREEN)] == [0, 1, 2]
    assert Rating.NA.score is None
    assert Rating.MISSING.score is None


def test_scale_file_holds_all_five_states_with_labels() -> None:
    scale = load_scale()
    assert set(scale) == set(Rating)
    assert scale[Rating.GREEN].label_vi == "Xanh lá"
    assert scale[Rating.NA].label("en") == "Not applicable"


def test_scale_file_with_a_bad_colour_is_refused(tmp_path: Path) -> None:
    src = Path(__file__).resolve().parents[2] / "data" / "catalogue" / "scale.csv"
    text = src.read_text(encoding="utf-8").replace("#E00613", "red")
    (tmp_path / "scale.csv").write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="red"):
        load_scale(tmp_path / "scale.csv")


def test_scale_file_missing_a_state_is_refused(tmp_path: Path) -> None:
    src = Path(__file__).resolve().parents[2] / "data" / "catalogue" / "scale.csv"
    lines = [ln for ln in src.read_text(encoding="utf-8").splitlines() if not ln.startswith("missing,")]
    (tmp_path / "scale.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ValueError):
        load_scale(tmp_path / "scale.csv")
