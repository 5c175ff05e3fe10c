"""The indicator catalogue: 39 indicators in 4 quadrants (10/8/12/9), validated when loaded."""

from __future__ import annotations

import csv
import io
import shutil
import unicodedata
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from lgqa_metrics.domain.catalogue import CatalogueError, code_key, default_catalogue, load_catalogue
from lgqa_metrics.domain.ratings import Rating
from tests.support.builders import CATALOGUE_DIR, CODES


def test_catalogue_has_39_unique_codes() -> None:
    codes = default_catalogue().codes
    assert len(codes) == 39
    assert len(set(codes)) == 39


def test_quadrant_sizes_are_10_8_12_9() -> None:
    cat = default_catalogue()
    assert {q: len(cat.in_quadrant(q)) for q in (1, 2, 3, 4)} == {1: 10, 2: 8, 3: 12, 4: 9}
    assert Counter(i.quadrant for i in cat.indicators) == Counter({1: 10, 2: 8, 3: 12, 4: 9})


def test_codes_are_in_numeric_order_with_1_10_after_1_9() -> None:
    codes = default_catalogue().codes
    assert codes == CODES
    assert codes.index("1.10") == codes.index("1.9") + 1
    assert codes.index("3.10") == codes.index("3.9") + 1
    assert codes.index("3.12") == codes.index("4.1") - 1


def test_code_key_sorts_numerically_not_as_text() -> None:
    assert sorted(["1.10", "1.2", "1.9", "2.1", "1.1"], key=code_key) == ["1.1", "1.2", "1.9", "1.10", "2.1"]
    assert code_key("3.12") == (3, 12)


@pytest.mark.parametrize("bad", ["1-1", "1.a", "", "0.1", "1.", "10"])
def test_code_key_rejects_malformed_codes(bad: str) -> None:
    with pytest.raises(CatalogueError):
        code_key(bad)


def test_quadrants_carry_roman_numerals_and_names() -> None:
    quadrants = default_catalogue().quadrants
    assert [quadrants[n].roman for n in (1, 2, 3, 4)] == ["I", "II", "III", "IV"]
    assert quadrants[3].name("en") == "Inclusive social development"
    assert quadrants[1].name() == "Phát triển thể chế vì quản trị tốt"


def test_indicator_names_in_three_languages() -> None:
    ind = default_catalogue()["1.10"]
    assert (ind.quadrant, ind.seq) == (1, 10)
    assert ind.name("en") == "Public security"
    assert ind.name("vi") == "An ninh, trật tự công cộng"
    assert ind.name_es == "Seguridad pública"


def test_get_returns_none_for_an_unknown_code() -> None:
    assert default_catalogue().get("1.11") is None
    assert default_catalogue().get("5.1") is None


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Quản lý chất lượng toàn diện", "1.1"),
        ("QUẢN LÝ CHẤT LƯỢNG TOÀN DIỆN", "1.1"),
        ("quan ly chat luong toan dien", "1.1"),
        (unicodedata.normalize("NFD", "Quản lý chất lượng toàn diện"), "1.1"),
        ("  Quản lý   chất lượng toàn diện ", "1.1"),
        ("An ninh, trật tự công cộng", "1.10"),
        ("Public security", "1.10"),
        ("PUBLIC SECURITY", "1.10"),
        ("Seguridad pública", "1.10"),
        ("seguridad publica", "1.10"),
        ("Integral quality management", "1.1"),
        ("Gestión integral de la calidad", "1.1"),
        ("Tourism", "2.5"),
        ("Turismo", "2.5"),
        ("Du lịch", "2.5"),
        ("Di sản văn hóa", "3.10"),
        ("Patrimonio cultural", "3.10"),
        ("Children, youth and older persons", "3.12"),
        ("Ứng phó biến đổi khí hậu và giáo dục môi trường", "4.9"),
        ("Protección del suelo", "4.7"),
    ],
)
def test_name_lookup_in_vi_en_es_ignores_case_and_diacritics(name: str, code: str) -> None:
    assert default_catalogue().code_for_name(name) == code


@pytest.mark.parametrize("name", ["", "Bóng đá", "Chỉ số tự đặt của quận", "Weather"])
def test_unknown_names_resolve_to_none(name: str) -> None:
    assert default_catalogue().code_for_name(name) is None


def test_legend_falls_back_to_the_scale_wording() -> None:
    cat = default_catalogue()
    assert cat.legend("1.1", Rating.RED, "en") == cat.scale[Rating.RED].legend_en
    assert cat.legend(None, Rating.GREEN) == cat.scale[Rating.GREEN].legend_vi


# --- broken copies of the data files --------------------------------------------------------------


def _copy(tmp_path: Path) -> Path:
    """A copy of the real catalogue folder in ``tmp_path``."""
    folder = tmp_path / "catalogue"
    shutil.copytree(CATALOGUE_DIR, folder)
    return folder


def _edit_indicators(folder: Path, edit: Callable[[list[dict[str, str]]], list[dict[str, str]]]) -> None:
    """Rewrite the copy's indicators.csv through ``edit``."""
    path = folder / "indicators.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(edit(rows))
    path.write_text(out.getvalue(), encoding="utf-8")


def _set(rows: list[dict[str, str]], target: str, /, **values: str) -> list[dict[str, str]]:
    """Update the row whose code is ``target`` with ``values``."""
    for row in rows:
        if row["code"] == target:
            row.update(values)
    return rows


def test_an_intact_copy_of_the_catalogue_loads(tmp_path: Path) -> None:
    assert load_catalogue(_copy(tmp_path)).codes == CODES


def test_rows_in_any_order_still_load_in_numeric_order(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit_indicators(folder, lambda rows: list(reversed(rows)))
    assert load_catalogue(folder).codes == CODES


def test_38_rows_are_refused(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit_indicators(folder, lambda rows: [r for r in rows if r["code"] != "2.5"])
    with pytest.raises(CatalogueError, match=r"39|38"):
        load_catalogue(folder)


def test_a_duplicate_code_is_refused(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit_indicators(folder, lambda rows: _set(rows, "1.2", code="1.1"))
    with pytest.raises(CatalogueError, match=r"1\.1"):
        load_catalogue(folder)


def test_a_40th_row_repeating_a_code_is_refused(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit_indicators(folder, lambda rows: [*rows, dict(rows[0])])
    with pytest.raises(CatalogueError):
        load_catalogue(folder)


def test_a_code_in_the_wrong_quadrant_is_refused(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit_indicators(folder, lambda rows: _set(rows, "3.4", quadrant="2"))
    with pytest.raises(CatalogueError, match=r"3\.4"):
        load_catalogue(folder)


@pytest.mark.parametrize("bad", ["1-5", "1.a", "I.5", "1.05.1", ""])
def test_a_malformed_code_is_refused(tmp_path: Path, bad: str) -> None:
    folder = _copy(tmp_path)
    _edit_indicators(folder, lambda rows: _set(rows, "1.5", code=bad))
    with pytest.raises(CatalogueError):
        load_catalogue(folder)


def test_a_gap_in_the_numbering_is_refused(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit_indicators(folder, lambda rows: _set(rows, "1.10", code="1.11"))
    with pytest.raises(CatalogueError):
        load_catalogue(folder)


def test_moving_an_indicator_to_another_quadrant_breaks_the_sizes(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit_indicators(folder, lambda rows: _set(rows, "4.9", code="2.9", quadrant="2"))
    with pytest.raises(CatalogueError):
        load_catalogue(folder)


def test_an_empty_name_is_refused(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit_indicators(folder, lambda rows: _set(rows, "2.2", name_vi=""))
    with pytest.raises(CatalogueError, match=r"2\.2"):
        load_catalogue(folder)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "quadrants.csv").unlink()
    with pytest.raises(CatalogueError):
        load_catalogue(folder)
