"""Returns across the 1 July 2025 reorganisation: the new wards and communes recognised however a clerk writes their
name, a shared name read as the unit answering for the return's year, and a return for a year its unit did not
answer named as an error pointing at the unit that did (or at none, for an abolished district)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lgqa_metrics.domain.issues import Issue, Severity
from lgqa_metrics.domain.textnorm import fold
from lgqa_metrics.intake.reader import ParsedReturn, ReadResult, read_bytes
from tests.support import builders

FILE = "bao_cao.xlsx"  # a file name that names neither a unit nor a year
TODAY = dt.date(2026, 1, 15)  # returns for 2025 are plausible (the year limit is today's year + 1)
WORDS = builders.as_words(builders.cycle_ratings())


@dataclass(frozen=True)
class New:
    """A unit formed on 1 July 2025 as data/units.csv and data/lineage.csv have it, written out by hand."""

    id: str
    name: str
    bare: str
    ascii_bare: str
    ward: bool  # phường, else xã
    predecessor: tuple[str, str]  # (id, name): the ward or commune merged into it
    district: tuple[str, str]  # (id, name): the abolished district whose bare name it shares


NEW = (
    New("p-hong-bang", "Phường Hồng Bàng", "Hồng Bàng", "Hong Bang", True, ("p-minh-khai", "Phường Minh Khai"),
        ("q-hong-bang", "Quận Hồng Bàng")),
    New("p-le-chan", "Phường Lê Chân", "Lê Chân", "Le Chan", True, ("p-cat-dai", "Phường Cát Dài"),
        ("q-le-chan", "Quận Lê Chân")),
    New("p-kien-an", "Phường Kiến An", "Kiến An", "Kien An", True, ("p-bac-son", "Phường Bắc Sơn"),
        ("q-kien-an", "Quận Kiến An")),
    New("x-an-lao", "Xã An Lão", "An Lão", "An Lao", False, ("x-an-thang", "Xã An Thắng"), ("h-an-lao", "Huyện An Lão")),
    New("x-tien-lang", "Xã Tiên Lãng", "Tiên Lãng", "Tien Lang", False, ("x-tien-minh", "Xã Tiên Minh"),
        ("h-tien-lang", "Huyện Tiên Lãng")),
    New("x-vinh-bao", "Xã Vĩnh Bảo", "Vĩnh Bảo", "Vinh Bao", False, ("x-trung-lap", "Xã Trung Lập"),
        ("h-vinh-bao", "Huyện Vĩnh Bảo")),
)
BY_ID = {n.id: n for n in NEW}
HONG_BANG, VINH_BAO = BY_ID["p-hong-bang"], BY_ID["x-vinh-bao"]
NEW_NAMES = tuple(n.name for n in NEW)
#: Ways of casing a name.
CASES: tuple[Callable[[str], str], ...] = (str, str.upper, str.lower)


def read(data: bytes, file: str = FILE) -> ReadResult:
    """Read ``data`` as ``file`` with a fixed 'today' (year limit 2027)."""
    return read_bytes(data, file, today=TODAY)


def only(result: ReadResult) -> ParsedReturn:
    assert result.issues == (), [i.code for i in result.issues]
    assert len(result.returns) == 1, [r.sheet for r in result.returns]
    return result.returns[0]


def unit_issues(ret: ParsedReturn) -> list[Issue]:
    return [i for i in ret.issues if i.code.startswith("unit_")]


def recognised(data: bytes, file: str, unit_id: str, year: int) -> None:
    """The one return is ``unit_id``'s for ``year``, with no issue about its unit or year."""
    ret = only(read(data, file))
    assert (ret.unit_id, ret.year) == (unit_id, year), [(i.code, i.message_en) for i in ret.issues]
    assert not unit_issues(ret) and not [i for i in ret.issues if i.code.startswith("year_")]
    assert not [i for i in ret.issues if i.severity is Severity.ERROR], [i.code for i in ret.issues]


def not_in_year(data: bytes, file: str, unit_id: str, year: int, header: str | None = None) -> Issue:
    """The one return is ``unit_id``'s for ``year`` with one ``unit_not_in_year`` error (at ``header``'s cell when
    the unit is named there)."""
    ret = only(read(data, file))
    assert (ret.unit_id, ret.year) == (unit_id, year)
    [issue] = unit_issues(ret)
    assert issue.code == "unit_not_in_year" and issue.severity is Severity.ERROR
    if header is not None:
        assert issue.cell == builders.cells_of(data, header)[0]
    for message in (issue.message_vi, issue.message_en):
        assert str(year) in message
    assert issue.message_vi != issue.message_en
    return issue


def return_of(unit: str | None, year: int | None) -> bytes:
    return builders.word_return(WORDS, unit=unit, year=f"Năm {year}" if year else None)


# --- the new units, as clerks write them ------------------------------------------------------------------------


AS_WRITTEN = [
    ("UBND PHƯỜNG HỒNG BÀNG", HONG_BANG),
    ("Phường Hồng Bàng", HONG_BANG),
    ("P. Hồng Bàng", HONG_BANG),
    ("P.Hồng Bàng", HONG_BANG),
    ("UBND phuong hong bang", HONG_BANG),
    ("Ủy ban nhân dân xã Vĩnh Bảo", VINH_BAO),
    ("UỶ BAN NHÂN DÂN XÃ VĨNH BẢO", VINH_BAO),
    ("Hong Bang Ward", HONG_BANG),
    ("People's Committee of Hong Bang Ward", HONG_BANG),
    ("Vinh Bao Commune", VINH_BAO),
    ("Đơn vị: Phường Hồng Bàng", HONG_BANG),
]


@pytest.mark.parametrize(("header", "new"), AS_WRITTEN, ids=[h for h, _ in AS_WRITTEN])
def test_a_2025_return_of_a_new_unit_is_recognised_as_it(header: str, new: New) -> None:
    recognised(return_of(header, 2025), FILE, new.id, 2025)


@pytest.mark.parametrize(("header", "new"), AS_WRITTEN, ids=[h for h, _ in AS_WRITTEN])
def test_the_new_unit_named_with_its_type_for_2023_points_at_its_predecessor(header: str, new: New) -> None:
    """A ward named as a ward for a year it did not exist: the ward's error names the unit that answered then."""
    data = return_of(header, 2023)
    issue = not_in_year(data, FILE, new.id, 2023, header)
    for message in (issue.message_vi, issue.message_en):
        assert new.predecessor[1] in message and new.name in message
        assert new.district[1] not in message  # the district is no ancestor of the ward


@pytest.mark.parametrize("new", NEW, ids=[n.id for n in NEW])
@pytest.mark.parametrize("label", ["Đơn vị: {}", "Tên đơn vị: {}", "ĐƠN VỊ: {}", "Unit: {}"])
def test_a_shared_bare_name_is_the_unit_answering_for_the_year(new: New, label: str) -> None:
    """"Hồng Bàng" alone: the district for 2023, the ward for 2025."""
    for bare in (new.bare, new.ascii_bare, new.bare.upper()):
        header = label.format(bare)
        recognised(return_of(header, 2023), FILE, new.district[0], 2023)
        recognised(return_of(header, 2025), FILE, new.id, 2025)


# --- the file-name route ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("file", "unit_id", "year"), [
    ("Phuong Hong Bang 2025.xlsx", "p-hong-bang", 2025),
    ("p-hong-bang_2025.xlsx", "p-hong-bang", 2025),
    ("PhuongHongBang_2025.xlsx", "p-hong-bang", 2025),
    ("UBND phuong Hong Bang 2025.xlsx", "p-hong-bang", 2025),
    ("Hong Bang Ward - 2025.xlsx", "p-hong-bang", 2025),
    ("Xã Vĩnh Bảo năm 2025.xlsx", "x-vinh-bao", 2025),
    ("Hong Bang 2025.xlsx", "p-hong-bang", 2025),  # the shared name, read for its year
    ("Hong Bang 2023.xlsx", "q-hong-bang", 2023),
    ("Vinh Bao 2025.xlsx", "x-vinh-bao", 2025),
    ("Vinh Bao 2024.xlsx", "h-vinh-bao", 2024),
    ("Hồng Bàng_2023.xlsx", "q-hong-bang", 2023),
])
def test_a_file_name_names_the_unit_answering_for_its_year(file: str, unit_id: str, year: int) -> None:
    recognised(return_of(None, None), file, unit_id, year)


@pytest.mark.parametrize(("file", "unit_id", "year", "names"), [
    ("Phuong Hong Bang 2023.xlsx", "p-hong-bang", 2023, "Phường Minh Khai"),
    ("Xa Vinh Bao 2024.xlsx", "x-vinh-bao", 2024, "Xã Trung Lập"),
    ("Phuong Minh Khai 2025.xlsx", "p-minh-khai", 2025, "Phường Hồng Bàng"),
    ("x-trung-lap_2025.xlsx", "x-trung-lap", 2025, "Xã Vĩnh Bảo"),
])
def test_a_file_name_for_a_year_its_unit_did_not_answer_is_an_error_naming_who_did(
        file: str, unit_id: str, year: int, names: str) -> None:
    issue = not_in_year(return_of(None, None), file, unit_id, year)
    assert names in issue.message_vi and names in issue.message_en


# --- old units' returns for 2025 ---------------------------------------------------------------------------


@pytest.mark.parametrize("new", NEW, ids=[n.predecessor[0] for n in NEW])
def test_an_old_ward_s_2025_return_is_an_error_naming_its_successor(new: New) -> None:
    header = f"UBND {new.predecessor[1].upper()}"
    data = return_of(header, 2025)
    issue = not_in_year(data, FILE, new.predecessor[0], 2025, header)
    for message in (issue.message_vi, issue.message_en):
        assert new.predecessor[1] in message and new.name in message
        assert not [n for n in NEW_NAMES if n != new.name and n in message]
    recognised(return_of(header, 2024), FILE, new.predecessor[0], 2024)  # its last year was its own


@pytest.mark.parametrize("new", NEW, ids=[n.district[0] for n in NEW])
def test_an_abolished_district_s_2025_return_names_no_successor(new: New) -> None:
    header = f"UBND {new.district[1].upper()}"
    data = return_of(header, 2025)
    issue = not_in_year(data, FILE, new.district[0], 2025, header)
    for message in (issue.message_vi, issue.message_en):
        assert new.district[1] in message
        assert not [n for n in NEW_NAMES if n in message], message  # not even the ward sharing its name
        assert not [n.predecessor[1] for n in NEW if n.predecessor[1] in message]
    successor = not_in_year(return_of(f"UBND {new.predecessor[1].upper()}", 2025), FILE, new.predecessor[0], 2025)
    assert issue.message_en.split(": ", 1)[1] != successor.message_en.split(": ", 1)[1]
    recognised(return_of(header, 2024), FILE, new.district[0], 2024)


# --- generated wording ---------------------------------------------------------------------------------------


@st.composite
def headers(draw: st.DrawFn, new: New) -> str:
    """The new unit's name as a clerk might head a return: an issuing body or none, the type word in full or
    abbreviated, in any case, with or without diacritics; or in English."""
    if draw(st.integers(0, 4)) == 0:
        english = f"{new.ascii_bare} {'Ward' if new.ward else 'Commune'}"
        body = draw(st.sampled_from(["", "People's Committee of ", "PEOPLE'S COMMITTEE OF "]))
        return draw(st.sampled_from([*CASES, str.title]))(body + english)
    body = draw(st.sampled_from(["", "UBND ", "Ủy ban nhân dân ", "Uỷ ban nhân dân ", "TM. UBND ", "TM UBND "]))
    kind = draw(st.sampled_from(["Phường ", "P. ", "P.", "phường "] if new.ward else ["Xã ", "X. ", "xã "]))
    text = body + kind + new.bare
    text = draw(st.sampled_from(CASES))(text)
    return fold(text) if draw(st.booleans()) else text


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_however_the_new_unit_is_written_its_2025_return_is_its_own(data: st.DataObject) -> None:
    new = data.draw(st.sampled_from(NEW))
    header = data.draw(headers(new))
    recognised(return_of(header, 2025), FILE, new.id, 2025)


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_however_the_new_unit_is_written_a_2024_return_names_its_predecessor(data: st.DataObject) -> None:
    new = data.draw(st.sampled_from(NEW))
    header = data.draw(headers(new))
    issue = not_in_year(return_of(header, 2024), FILE, new.id, 2024, header)
    assert new.predecessor[1] in issue.message_vi and new.predecessor[1] in issue.message_en


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_however_a_shared_bare_name_is_written_it_is_read_for_the_year(data: st.DataObject) -> None:
    new = data.draw(st.sampled_from(NEW))
    bare = data.draw(st.sampled_from([*CASES, fold]))(new.bare)
    label = data.draw(st.sampled_from(["Đơn vị: ", "ĐƠN VỊ:", "Tên đơn vị: ", "Don vi: ", "Unit: "]))
    body = data.draw(st.sampled_from(["", "UBND ", "Ủy ban nhân dân "]))
    header = label + body + bare
    year = data.draw(st.integers(2019, 2026))
    recognised(return_of(header, year), FILE, new.district[0] if year < 2025 else new.id, year)
