"""Workbooks saved by a real office suite: the committed LibreOffice-made .xls/.ods samples, and a fresh
round trip of a filled-in template through LibreOffice headless."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from lgqa_metrics.domain.paths import SAMPLES_DIR
from lgqa_metrics.intake.reader import ReadResult, read_path
from lgqa_metrics.services import office
from lgqa_metrics.synthetic import demo_content, demo_layouts

OFFICE_FILES = sorted(p for p in SAMPLES_DIR.iterdir() if p.suffix in {".xls", ".ods"})


def _ratings(result: ReadResult) -> dict[tuple[str, int], dict[str, str]]:
    out: dict[tuple[str, int], dict[str, str]] = {}
    for ret in result.returns:
        assert ret.accepted, [i.message("en") for i in ret.issues]
        assert ret.unit_id is not None and ret.year is not None
        out[ret.unit_id, ret.year] = {r.code: r.rating.value for r in ret.ratings}
    return out


def test_the_committed_samples_include_libreoffice_xls_and_ods() -> None:
    assert {p.suffix for p in OFFICE_FILES} == {".xls", ".ods"}
    readme = (SAMPLES_DIR / "README.md").read_text(encoding="utf-8")
    for path in OFFICE_FILES:
        assert any(path.name in line and "LibreOffice" in line for line in readme.splitlines()), path.name


@pytest.mark.parametrize("path", OFFICE_FILES, ids=lambda p: p.name)
def test_a_committed_office_sample_reads_back_exactly(path: Path) -> None:
    result = read_path(path)
    assert result.kind == path.suffix.lstrip(".")
    got = _ratings(result)
    expected = demo_content.expected_ratings()
    assert got and all(got[key] == expected[key] for key in got)


def _soffice() -> str:
    """LibreOffice's executable; skip without it, except under CI=true where it must be installed."""
    exe = shutil.which("soffice")
    if exe is None:
        if os.environ.get("CI") == "true":
            pytest.fail("soffice (LibreOffice) is required under CI=true but is not installed")
        pytest.skip("soffice (LibreOffice) is not installed")
    return exe


@pytest.mark.office
@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_a_template_return_converted_by_libreoffice_reads_back_exactly(fmt: str, tmp_path: Path) -> None:
    exe = _soffice()
    ret = next(r for r in demo_content.demo_returns() if any(e.rating.value == "na" for e in r.entries)
               and any(e.rating.value == "missing" for e in r.entries))
    source = tmp_path / f"{ret.unit.id}_{ret.year}.xlsx"
    source.write_bytes(demo_layouts.layout_template(ret))
    # a private -env:UserInstallation profile and a timeout are built into convert_with_soffice
    (converted,) = office.convert_with_soffice([source], fmt, tmp_path / "out", soffice=exe, timeout=180)
    result = read_path(converted)
    assert result.kind == fmt
    assert _ratings(result) == {(ret.unit.id, ret.year): ret.ratings()}
    (parsed,) = result.returns
    by_code = {r.code: r for r in parsed.ratings}
    for entry in ret.entries:
        assert (by_code[entry.code].evidence, by_code[entry.code].note) == (entry.evidence, entry.note)


@pytest.mark.office
@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_a_fill_only_return_converted_by_libreoffice_keeps_its_colours(fmt: str, tmp_path: Path) -> None:
    exe = _soffice()
    ret = demo_content.demo_returns()[0]
    source = tmp_path / f"{ret.unit.id}_{ret.year}.xlsx"
    source.write_bytes(demo_layouts.layout_fill_only(ret))
    (converted,) = office.convert_with_soffice([source], fmt, tmp_path / "out", soffice=exe, timeout=180)
    assert _ratings(read_path(converted)) == {(ret.unit.id, ret.year): ret.ratings()}
