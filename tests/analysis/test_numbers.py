"""Numbers in tables written the reader's way (one rule per language), their values kept for sorting."""

from __future__ import annotations

import pandas as pd

from lgqa_metrics.analysis.numbers import percent_ticks, separators, styled


def _shown(frame: pd.DataFrame, lang: str, **kwargs: object) -> list[list[str]]:
    """The text each cell is drawn with, row by row (without the index)."""
    text = styled(frame, lang, **kwargs).to_string(delimiter="\t")  # type: ignore[arg-type]
    return [line.split("\t")[1:] for line in text.splitlines()[1:]]


FRAME = pd.DataFrame({"Đơn vị": ["Quận Lê Chân", "Xã An Thắng"], "Năm": [2023, 2024], "Chỉ số": [84.16, float("nan")],
                      "Số dòng": [12345, 7], "Tỷ lệ": [0.482, 0.41032],
                      "Phiên bản": pd.array([2, None], dtype="Int64"), "Đỏ": [3.0, 4.0]})


def test_vietnamese_tables_write_a_decimal_comma_a_thousands_dot_and_a_spaced_percent() -> None:
    assert _shown(FRAME, "vi", percents=["Tỷ lệ"], plain=["Năm", "Phiên bản"]) == [
        ["Quận Lê Chân", "2023", "84,2", "12.345", "48,2 %", "2", "3"],
        ["Xã An Thắng", "2024", "–", "7", "41,0 %", "–", "4"]]


def test_english_tables_write_a_decimal_point_a_thousands_comma_and_a_close_percent() -> None:
    assert _shown(FRAME, "en", percents=["Tỷ lệ"], plain=["Năm", "Phiên bản"]) == [
        ["Quận Lê Chân", "2023", "84.2", "12,345", "48.2%", "2", "3"],
        ["Xã An Thắng", "2024", "–", "7", "41.0%", "–", "4"]]


def test_the_values_stay_numbers_so_a_table_still_sorts_by_value() -> None:
    shown = styled(FRAME, "vi", percents=["Tỷ lệ"])
    assert shown.data is FRAME and shown.data["Số dòng"].dtype.kind == "i"


def test_a_year_not_named_plain_would_get_a_thousands_separator() -> None:
    """Why the tables name their year and version columns: a year is a whole number like any count."""
    assert _shown(FRAME[["Năm"]], "vi")[0] == ["2.023"]


def test_figures_get_plotly_separators_and_percent_ticks_in_the_language() -> None:
    assert separators("vi") == ",." and separators("en") == ".,"
    assert percent_ticks("vi", 0.5) == {"tickvals": [0.0, 0.5, 1.0], "ticktext": ["0 %", "50 %", "100 %"]}
    assert percent_ticks("en")["ticktext"] == ["0%", "20%", "40%", "60%", "80%", "100%"]
