"""Low-level workbook access: cell fills read straight from the styles (as openpyxl resolves them), and the
zip check's unpacked parts reused by the extent scan and the fills."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Color, PatternFill

from lgqa_metrics.domain.paths import SAMPLES_DIR
from lgqa_metrics.intake import extents, fills, parts
from lgqa_metrics.intake import sniff as sniff_module
from lgqa_metrics.intake.sniff import inspect_zip, sniff
from tests.support import builders, hostile

KEYS = builders.cycle_ratings()
Fills = dict[str, dict[tuple[int, int], str]]


def _colour_kinds() -> bytes:
    """A workbook (written by openpyxl) whose solid fills use a theme, an indexed and an rgb colour, and one
    patterned (not solid) fill."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Tự đánh giá"
    ws["A1"].fill = PatternFill("solid", fgColor=Color(theme=9))  # accent 6 of the theme openpyxl writes
    ws["A2"].fill = PatternFill("solid", fgColor=Color(indexed=10))
    ws["A3"].fill = PatternFill("solid", fgColor="FFC7CE")
    ws["A4"].fill = PatternFill("lightGray", fgColor="FF0000")
    ws["C7"] = "Xanh lá"
    ws["C7"].fill = PatternFill("solid", fgColor="00B050")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


CASES: dict[str, Callable[[], bytes]] = {
    "light fills": lambda: builders.fill_return({c: k for c, k in KEYS.items() if k != "na"}),
    "standard fills": lambda: builders.fill_return({c: k for c, k in KEYS.items() if k != "na"},
                                                   fills=builders.STANDARD_FILLS),
    "words and fills": lambda: builders.word_return(builders.as_words(KEYS), fills={"1.1": "FF0000", "2.3": "00B050"}),
    "theme and indexed colours": _colour_kinds,
    "sample with fills": lambda: (SAMPLES_DIR / "Bieu01_TuDanhGia_PhuongBacSon_2023.xlsx").read_bytes(),
}


@pytest.mark.parametrize("make", CASES.values(), ids=CASES.keys())
def test_fills_read_from_the_styles_are_the_ones_openpyxl_reads(make: Callable[[], bytes],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    data = make()
    expected = fills._openpyxl_fills(data, frozenset())
    monkeypatch.setattr(fills, "_openpyxl_fills", _not_called)
    assert fills._xlsx_fills(data, frozenset()) == expected
    assert any(expected.values())


def _not_called(data: bytes, skip: frozenset[str]) -> Fills:
    raise AssertionError("the styles should have been read directly")


def test_theme_and_indexed_colours_resolve_like_openpyxl_and_patterns_are_no_fill() -> None:
    (cells,) = fills._xlsx_fills(_colour_kinds(), frozenset()).values()
    assert cells == {(0, 0): "F79646", (1, 0): "FF0000", (2, 0): "FFC7CE", (6, 2): "00B050"}


def test_cell_tags_in_another_form_are_read_through_openpyxl(monkeypatch: pytest.MonkeyPatch) -> None:
    data = builders.fill_return({c: k for c, k in KEYS.items() if k != "na"})
    odd = hostile.rezip(data, {"xl/worksheets/sheet1.xml": lambda xml: xml.replace(b'<c r="', b'<c  r="')})
    calls: list[bytes] = []
    through_openpyxl = fills._openpyxl_fills

    def counted(data: bytes, skip: frozenset[str]) -> Fills:
        calls.append(data)
        return through_openpyxl(data, skip)

    monkeypatch.setattr(fills, "_openpyxl_fills", counted)
    assert fills._xlsx_fills(odd, frozenset()) == through_openpyxl(data, frozenset())
    assert calls == [odd]


def test_a_cell_whose_style_does_not_exist_gets_no_fills_as_with_openpyxl() -> None:
    data = builders.fill_return({c: k for c, k in KEYS.items() if k != "na"})
    bad = hostile.rezip(data, {"xl/worksheets/sheet1.xml": lambda xml: xml.replace(b' s="', b' s="9', 1)})
    assert fills.load_fills(bad, "xlsx") == {}


def test_the_zip_check_keeps_the_parts_it_unpacked_and_lists_the_archive() -> None:
    data = builders.word_return(builders.as_words(KEYS))
    found = inspect_zip(data, keep_bytes_of=lambda name: name.endswith(".xml"))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert found.hazard is None and found.names == tuple(zf.namelist())
        assert found.parts == {n: zf.read(n) for n in zf.namelist() if n.endswith(".xml")}
    assert inspect_zip(data).parts == {}


def test_a_refused_archive_keeps_nothing() -> None:
    data = hostile.rezip(builders.word_return(builders.as_words(KEYS)),
                         {"xl/worksheets/sheet1.xml": hostile.with_laughs})
    found = inspect_zip(data, keep_bytes_of=lambda name: True)
    assert found.hazard is not None and found.hazard.reason == "dtd" and found.parts == {}


@pytest.mark.parametrize("path", sorted(p for p in SAMPLES_DIR.iterdir() if p.suffix in {".xlsx", ".ods"}),
                         ids=lambda p: p.name[:30])
def test_extents_and_fills_from_the_kept_parts_equal_those_read_from_the_archive(path: Path) -> None:
    data = path.read_bytes()
    kind = sniff(data).kind
    archive = inspect_zip(data, keep_bytes_of=parts.kept_for_reading)
    assert archive.parts
    assert extents.sheet_extents(data, kind, archive) == extents.sheet_extents(data, kind)
    assert fills.load_fills(data, kind, frozenset(), archive) == fills.load_fills(data, kind)


def _commented(data: bytes) -> bytes:
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a") as zf:
        zf.comment = b"written by a mail gateway"
    return out.getvalue()


@pytest.mark.parametrize(("how", "change"), [
    ("an archive comment", _commented),
    ("bytes before the archive", lambda data: b"MZ" + bytes(100) + data),
    ("bytes after the archive", lambda data: data + b"\n"),
    ("a cut end record", lambda data: data[:-5]),
])
def test_an_archive_in_an_unusual_form_gets_the_verdict_of_zipfile(how: str, change: Callable[[bytes], bytes]) -> None:
    data = change(builders.word_return(builders.as_words(KEYS)))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            expected = {n: zf.read(n) for n in zf.namelist() if n.endswith(".xml")}
    except zipfile.BadZipFile:
        expected = None
    found = inspect_zip(data, keep_bytes_of=lambda name: name.endswith(".xml"))
    if expected is None:
        assert found.names is None, how
    else:
        assert found.hazard is None and found.parts == expected, how


def _flip_in_part(data: bytes, member: str) -> bytes:
    """``data`` with one byte in the middle of ``member``'s compressed bytes changed."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(member)
    name_len, extra_len = int.from_bytes(data[info.header_offset + 26:info.header_offset + 28], "little"), \
        int.from_bytes(data[info.header_offset + 28:info.header_offset + 30], "little")
    at = info.header_offset + 30 + name_len + extra_len + info.compress_size // 2
    return data[:at] + bytes([data[at] ^ 0x55]) + data[at + 1:]


@pytest.mark.parametrize("kept", [True, False], ids=["kept", "too-large-to-keep"])
def test_a_damaged_part_is_caught_and_named_whether_or_not_it_is_kept(kept: bool, monkeypatch: pytest.MonkeyPatch
                                                                       ) -> None:
    if not kept:  # every part then is checked and thrown away
        monkeypatch.setattr(sniff_module, "KEEP_PART_BYTES", 0)
    data = builders.word_return(builders.as_words(KEYS))
    part = hostile.sheet_part(data)
    found = inspect_zip(_flip_in_part(data, part), keep_bytes_of=parts.kept_for_reading)
    assert found.hazard is not None and (found.hazard.reason, found.hazard.part) == ("damaged", part)
    clean = inspect_zip(data, keep_bytes_of=parts.kept_for_reading)
    assert clean.hazard is None and (clean.parts != {}) is kept
