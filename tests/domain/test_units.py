"""The unit registry: the 12 pilot units, lenient name matching, validation of the CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest

from lgqa_metrics.domain.units import (
    REPORTING_TYPES,
    RegistryError,
    UnitType,
    default_registry,
    load_registry,
    registry_from_rows,
)
from tests.support.builders import ROOT

UNITS_CSV = ROOT / "data" / "units.csv"

#: The pilot units as written in data/units.csv: id → (type, parent id).
EXPECTED = {
    "q-hong-bang": (UnitType.QUAN, "tp-hai-phong"),
    "q-le-chan": (UnitType.QUAN, "tp-hai-phong"),
    "q-kien-an": (UnitType.QUAN, "tp-hai-phong"),
    "h-an-lao": (UnitType.HUYEN, "tp-hai-phong"),
    "h-tien-lang": (UnitType.HUYEN, "tp-hai-phong"),
    "h-vinh-bao": (UnitType.HUYEN, "tp-hai-phong"),
    "p-minh-khai": (UnitType.PHUONG, "q-hong-bang"),
    "p-cat-dai": (UnitType.PHUONG, "q-le-chan"),
    "p-bac-son": (UnitType.PHUONG, "q-kien-an"),
    "x-an-thang": (UnitType.XA, "h-an-lao"),
    "x-tien-minh": (UnitType.XA, "h-tien-lang"),
    "x-trung-lap": (UnitType.XA, "h-vinh-bao"),
}
#: Their illustrative successors from 1 July 2025 (communes directly under the city) and the city itself.
SUCCESSORS = {
    "p-hong-bang": (UnitType.PHUONG, "tp-hai-phong"),
    "p-le-chan": (UnitType.PHUONG, "tp-hai-phong"),
    "p-kien-an": (UnitType.PHUONG, "tp-hai-phong"),
    "x-an-lao": (UnitType.XA, "tp-hai-phong"),
    "x-tien-lang": (UnitType.XA, "tp-hai-phong"),
    "x-vinh-bao": (UnitType.XA, "tp-hai-phong"),
}
CITY = "tp-hai-phong"


def test_registry_holds_the_12_pilot_units_their_successors_and_the_city() -> None:
    reg = default_registry()
    assert len(reg) == 12 + 6 + 1
    assert {u.id for u in reg.units} == {*EXPECTED, *SUCCESSORS, CITY}
    assert reg[CITY].type is UnitType.TINH and reg[CITY].parent_id is None


@pytest.mark.parametrize(("unit_id", "expected"), sorted({**EXPECTED, **SUCCESSORS}.items()))
def test_each_unit_has_its_type_and_parent(unit_id: str, expected: tuple[UnitType, str | None]) -> None:
    unit = default_registry()[unit_id]
    assert (unit.type, unit.parent_id) == expected


def test_three_pilot_units_of_each_type() -> None:
    types = [u.type for u in default_registry().units if u.id in EXPECTED]
    assert {t: types.count(t) for t in UnitType} == {**dict.fromkeys(REPORTING_TYPES, 3), UnitType.TINH: 0}


def test_the_hierarchy_changes_on_1_july_2025() -> None:
    """Before: city → district → commune; after: city → commune (the district level is gone)."""
    reg = default_registry()
    before = {u.id for u in reg.existing_on(dt.date(2025, 6, 30))}
    after = {u.id for u in reg.existing_on(dt.date(2025, 7, 1))}
    assert before == {*EXPECTED, CITY} and after == {*SUCCESSORS, CITY}
    assert {reg.area(u) for u in SUCCESSORS} == {(CITY, None)}
    assert reg.area("p-minh-khai") == (CITY, "q-hong-bang") and reg.province_of("x-tien-minh") == CITY


def test_children_and_ancestors_follow_the_parent_links() -> None:
    reg = default_registry()
    assert [u.id for u in reg.children("q-hong-bang")] == ["p-minh-khai"]
    assert reg.is_ancestor("h-tien-lang", "x-tien-minh")
    assert not reg.is_ancestor("x-tien-minh", "h-tien-lang")
    assert not reg.is_ancestor("q-le-chan", "p-minh-khai")


def test_units_were_valid_during_the_pilot_and_closed_with_the_district_level() -> None:
    for unit_id in EXPECTED:
        unit = default_registry()[unit_id]
        assert unit.reports_for(2022) and unit.reports_for(2024)
        assert unit.valid_in(2025) and not unit.reports_for(2025) and not unit.valid_in(2026)
    for unit_id in SUCCESSORS:
        unit = default_registry()[unit_id]
        assert not unit.reports_for(2024) and unit.reports_for(2025)


def test_bare_name_drops_the_type_word() -> None:
    assert default_registry()["q-hong-bang"].bare_name == "Hồng Bàng"
    assert default_registry()["x-trung-lap"].display("en") == "Trung Lap Commune"


@pytest.mark.parametrize(
    ("text", "unit_id"),
    [
        ("UBND quận Hồng Bàng", "q-hong-bang"),
        ("UBND QUẬN HỒNG BÀNG", "q-hong-bang"),
        ("Ủy ban nhân dân phường Minh Khai", "p-minh-khai"),
        ("Uỷ ban nhân dân phường Minh Khai", "p-minh-khai"),
        ("Q. Hồng Bàng", "q-hong-bang"),
        ("Q.Hồng Bàng", "q-hong-bang"),
        ("H. An Lão", "h-an-lao"),
        ("P. Cát Dài", "p-cat-dai"),
        ("X. Trung Lập", "x-trung-lap"),
        ("PHƯỜNG BẮC SƠN", "p-bac-son"),
        ("xa an thang", "x-an-thang"),
        ("huyen vinh bao", "h-vinh-bao"),
        (unicodedata.normalize("NFD", "Xã Tiên Minh"), "x-tien-minh"),
        (unicodedata.normalize("NFD", "UBND quận Lê Chân"), "q-le-chan"),
        ("Xã Tiên Minh, huyện Tiên Lãng", "x-tien-minh"),
        ("Le Chan District", "q-le-chan"),
        ("le chan district", "q-le-chan"),
        ("Minh Khai Ward", "p-minh-khai"),
        ("Trung Lap Commune", "x-trung-lap"),
        ("  Quận   Kiến An  ", "q-kien-an"),
        ("p-minh-khai", "p-minh-khai"),
    ],
)
def test_names_as_written_on_forms_match_their_unit(text: str, unit_id: str) -> None:
    unit = default_registry().match(text)
    assert unit is not None, text
    assert unit.id == unit_id


@pytest.mark.parametrize(
    "text",
    ["", "Phường Hạ Lý", "Quận Ngô Quyền", "UBND huyện Kiến Thụy", "Xã Minh Khai", "Huyện Hồng Bàng", "Hà Nội"],
)
def test_unknown_or_wrongly_typed_names_return_none(text: str) -> None:
    assert default_registry().match(text) is None


def test_search_finds_the_unit_named_inside_free_text() -> None:
    found = default_registry().search("Báo cáo của UBND PHƯỜNG MINH KHAI năm 2023")
    assert [u.id for u in found] == ["p-minh-khai"]


@pytest.mark.parametrize(
    ("text", "unit_id"),
    [("Phường Minh Khay", "p-minh-khai"), ("UBND xã Tiên Mink", "x-tien-minh"), ("Huyện Tiên Lang", "h-tien-lang"),
     ("Quận Hồng Bang", "q-hong-bang"), ("Quan Kien An", "q-kien-an")],
)
def test_closest_names_the_plausible_unit_first(text: str, unit_id: str) -> None:
    closest = default_registry().closest(text)
    assert closest[0].id == unit_id


def test_closest_returns_n_distinct_units() -> None:
    closest = default_registry().closest("Phường Hạ Lý", n=4)
    assert len(closest) == 4
    assert len({u.id for u in closest}) == 4


# --- broken copies of the registry ----------------------------------------------------------------


def _broken(tmp_path: Path, edit: Callable[[list[dict[str, str]]], list[dict[str, str]]]) -> Path:
    """A copy of units.csv in ``tmp_path`` with its rows passed through ``edit``."""
    with UNITS_CSV.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(edit(rows))
    path = tmp_path / "units.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _set(rows: list[dict[str, str]], unit_id: str, /, **values: str) -> list[dict[str, str]]:
    """Update the row with ``unit_id``."""
    for row in rows:
        if row["id"] == unit_id:
            row.update(values)
    return rows


def test_an_intact_copy_of_the_registry_loads(tmp_path: Path) -> None:
    assert len(load_registry(_broken(tmp_path, lambda rows: rows))) == len(default_registry())


def test_a_bad_type_is_refused(tmp_path: Path) -> None:
    path = _broken(tmp_path, lambda rows: _set(rows, "p-cat-dai", type="thanh pho"))
    with pytest.raises(RegistryError, match="thanh pho"):
        load_registry(path)


def test_an_unknown_parent_is_refused(tmp_path: Path) -> None:
    path = _broken(tmp_path, lambda rows: _set(rows, "p-minh-khai", parent_id="q-ngo-quyen"))
    with pytest.raises(RegistryError, match="q-ngo-quyen"):
        load_registry(path)


def test_an_unknown_successor_is_refused(tmp_path: Path) -> None:
    path = _broken(tmp_path, lambda rows: _set(rows, "x-trung-lap", successor_ids="x-vinh-hai"))
    with pytest.raises(RegistryError, match="x-vinh-hai"):
        load_registry(path)


def test_a_known_successor_is_accepted(tmp_path: Path) -> None:
    path = _broken(tmp_path, lambda rows: _set(rows, "x-an-thang", successor_ids="x-trung-lap"))
    assert load_registry(path)["x-an-thang"].successor_ids == ("x-trung-lap",)


def test_valid_to_before_valid_from_is_refused(tmp_path: Path) -> None:
    path = _broken(tmp_path, lambda rows: _set(rows, "h-an-lao", valid_from="2020-01-01", valid_to="2019-12-31"))
    with pytest.raises(RegistryError, match="2019-12-31"):
        load_registry(path)


def test_a_malformed_date_is_refused(tmp_path: Path) -> None:
    path = _broken(tmp_path, lambda rows: _set(rows, "h-an-lao", valid_to="30/06/2025"))
    with pytest.raises(RegistryError):
        load_registry(path)


def test_a_repeated_id_is_refused(tmp_path: Path) -> None:
    path = _broken(tmp_path, lambda rows: [*rows, {**rows[1], "name": "Quận Hồng Bàng (bản sao)"}])
    with pytest.raises(RegistryError, match="q-hong-bang"):
        load_registry(path)


def test_a_missing_registry_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RegistryError):
        load_registry(tmp_path / "nothing.csv")


def test_area_of_a_pilot_unit_is_its_district_and_the_city() -> None:
    reg = default_registry()
    assert reg.area("p-minh-khai") == (CITY, "q-hong-bang")
    assert reg.area("h-an-lao") == (CITY, "h-an-lao")
    assert reg.area("no-such-unit") == (None, None)


def _row(uid: str, utype: str, name: str, parent: str | None = None, **extra: object) -> dict[str, object]:
    return {"id": uid, "type": utype, "name": name, "name_en": "", "parent_id": parent, "aliases": "",
            "valid_from": None, "valid_to": None, "successor_ids": "", **extra}


def test_a_registry_from_table_rows_has_provinces_districts_and_lineage() -> None:
    reg = registry_from_rows([
        _row("t01", "tinh", "Tỉnh Bình An"),
        _row("t01-h01", "huyen", "Huyện Phú Lộc", "t01"),
        _row("t01-h01-x001", "xa", "Xã Tân Hòa", "t01-h01", valid_to=dt.date(2020, 12, 31),
             successor_ids="t01-h01-x002"),
        _row("t01-h01-x002", "xa", "Xã Tân Phú", "t01-h01", valid_from=dt.date(2021, 1, 1), aliases="Xã Tân Hòa"),
    ])
    assert reg.area("t01-h01-x001") == ("t01", "t01-h01")
    assert reg.area("t01-h01") == ("t01", "t01-h01")
    assert reg.area("t01") == ("t01", None)
    assert reg["t01"].bare_name == "Bình An"
    assert reg.match("Xã Tân Hòa", year=2019) is reg["t01-h01-x001"]
    assert reg.match("Xã Tân Hòa", year=2022) is reg["t01-h01-x002"]
    assert reg.match("Tỉnh Bình An") is reg["t01"]
    assert reg["t01-h01-x002"].valid_from == dt.date(2021, 1, 1)


def test_table_rows_are_validated_like_the_csv() -> None:
    with pytest.raises(RegistryError, match="t99"):
        registry_from_rows([_row("t01-h01", "huyen", "Huyện Phú Lộc", "t99")])
    with pytest.raises(RegistryError, match="type"):
        registry_from_rows([_row("t01", "vung", "Vùng Một")])


def test_name_of_gives_the_name_in_the_language_or_the_id_itself() -> None:
    reg = default_registry()
    assert reg.name_of("q-le-chan") == "Quận Lê Chân" and reg.name_of("q-le-chan", "en") == "Le Chan District"
    assert reg.name_of("no-such-unit", "en") == "no-such-unit"


def test_a_unit_s_position_is_its_place_in_the_registry() -> None:
    reg = default_registry()
    assert [reg.position(uid) for uid in (CITY, "q-hong-bang", "q-kien-an", "x-trung-lap")] == [0, 1, 3, 12]
    assert reg.position("x-nowhere") is None
