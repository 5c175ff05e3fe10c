"""The synthetic demo generator: deterministic, ingested exactly, varied, marked synthetic; broken samples
are rejected with a place."""

from __future__ import annotations

import zipfile
from collections import Counter
from pathlib import Path

import olefile
import openpyxl
import pytest
import python_calamine as pc

from lgqa_metrics.cli.main import main as cli_main
from lgqa_metrics.domain.paths import DATA_DIR, SAMPLES_DIR
from lgqa_metrics.domain.textnorm import fold
from lgqa_metrics.domain.units import REPORTING_TYPES, UnitType, default_registry
from lgqa_metrics.intake.sniff import sniff
from lgqa_metrics.services.ingest import ingest_paths
from lgqa_metrics.store.appraisals import Appraisals
from lgqa_metrics.store.database import Store, submissions_t
from lgqa_metrics.synthetic import demo, demo_content

BAD_DIR = DATA_DIR / "samples-bad"
WORKBOOKS = (".xlsx", ".xls", ".ods")


def _stored(store: Store) -> dict[tuple[str, int], dict[str, str]]:
    out: dict[tuple[str, int], dict[str, str]] = {}
    for row in store.ratings().itertuples():
        out.setdefault((row.unit_id, int(row.year)), {})[row.indicator_code] = row.rating
    return out


def _workbooks(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in WORKBOOKS)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The samples generated into a fresh folder (no LibreOffice: every file stays .xlsx)."""
    folder = tmp_path_factory.mktemp("samples")
    demo.generate_samples(folder, convert=False)
    return folder


def test_generating_twice_gives_the_same_bytes_and_the_same_expected_ratings(generated: Path, tmp_path: Path) -> None:
    first = demo_content.expected_ratings()
    demo_content.demo_returns.cache_clear()
    again = demo.generate_samples(tmp_path / "again", convert=False)
    assert demo_content.expected_ratings() == first
    assert len(first) == 24
    assert [p.name for p in again] == [p.name for p in _workbooks(generated)]
    for path in again:
        assert path.read_bytes() == (generated / path.name).read_bytes(), path.name
    bad_a, bad_b = demo.generate_bad_samples(tmp_path / "bad-a"), demo.generate_bad_samples(tmp_path / "bad-b")
    assert [p.read_bytes() for p in bad_a] == [p.read_bytes() for p in bad_b]


def test_expected_ratings_cover_twelve_units_two_years_and_all_39_indicators() -> None:
    expected = demo_content.expected_ratings()
    assert {year for _, year in expected} == {2022, 2023}
    assert len({unit for unit, _ in expected}) == 12
    assert all(len(codes) == 39 for codes in expected.values())
    assert {w for codes in expected.values() for w in codes.values()} == {"red", "yellow", "green", "na", "missing"}


def test_ingesting_the_generated_samples_gives_exactly_the_expected_ratings(generated: Path, store: Store) -> None:
    outcomes = ingest_paths(store, [generated])
    assert [o.status for o in outcomes] == ["accepted"] * 24
    assert not [i for o in outcomes for i in o.issues if i.code not in ("rating_blank", "evidence_missing")]
    unevidenced = [e for r in demo_content.demo_returns() for e in r.entries
                   if e.rating.value in ("yellow", "green") and not e.evidence]
    assert len([i for o in outcomes for i in o.issues if i.code == "evidence_missing"]) == len(unevidenced)
    assert _stored(store) == demo_content.expected_ratings()


def test_ingesting_the_committed_samples_gives_exactly_the_expected_ratings(store: Store) -> None:
    outcomes = ingest_paths(store, [SAMPLES_DIR])
    assert [o.status for o in outcomes] == ["accepted"] * 24
    assert _stored(store) == demo_content.expected_ratings()


def test_committed_samples_are_small_and_use_every_layout() -> None:
    files = _workbooks(SAMPLES_DIR) + _workbooks(BAD_DIR)
    assert sum(p.stat().st_size for p in files) < 1_000_000
    readme = (SAMPLES_DIR / "README.md").read_text(encoding="utf-8")
    for layout in ("| A:", "| A-mac:", "| B:", "| C:", "| D:", "| E:", "LibreOffice"):
        assert layout in readme
    assert {p.suffix for p in _workbooks(SAMPLES_DIR)} == set(WORKBOOKS)


def test_some_units_improve_and_some_decline_in_green_count() -> None:
    greens = {(r.unit.id, r.year): r.greens() for r in demo_content.demo_returns()}
    change = {unit: greens[unit, 2023] - greens[unit, 2022] for unit, _ in greens}
    assert any(d > 0 for d in change.values())
    assert any(d < 0 for d in change.values())
    assert any(d == 0 for d in change.values())


def test_not_applicable_only_where_plausible_and_quan_greener_than_xa() -> None:
    registry = default_registry()
    by_type: dict[UnitType, Counter[str]] = {t: Counter() for t in REPORTING_TYPES}
    for (unit, _), codes in demo_content.expected_ratings().items():
        by_type[registry[unit].type].update(codes.values())
    assert by_type[UnitType.PHUONG]["na"] > 0
    assert by_type[UnitType.XA]["na"] > 0
    assert by_type[UnitType.HUYEN]["na"] == 0
    share = {t: c["green"] / sum(c.values()) for t, c in by_type.items()}
    assert share[UnitType.QUAN] > share[UnitType.XA] + 0.2
    xa_na = {code for (unit, _), codes in demo_content.expected_ratings().items() if registry[unit].type is UnitType.XA
             for code, word in codes.items() if word == "na"}
    assert {"1.4", "2.5", "4.5"} <= xa_na


def test_a_few_indicators_are_left_blank_in_one_or_two_returns() -> None:
    blank = {key: sum(w == "missing" for w in codes.values()) for key, codes in demo_content.expected_ratings().items()}
    partly = {key: n for key, n in blank.items() if n}
    assert 1 <= len(partly) <= 2
    assert all(n <= 3 for n in partly.values())


def test_red_and_yellow_ratings_carry_a_note_and_most_green_ones_evidence() -> None:
    """Most greens cite evidence; a few do not, in most units, so that the dashboard's marks have work to do."""
    entries = [e for r in demo_content.demo_returns() for e in r.entries]
    assert all(e.note for e in entries if e.rating.value in {"red", "yellow", "na"})
    greens = [e for e in entries if e.rating.value == "green"]
    assert 0.8 <= sum(1 for e in greens if e.evidence) / len(greens) < 1
    lacking = {r.unit.id for r in demo_content.demo_returns()
               if any(e.rating.value in ("yellow", "green") and not e.evidence for e in r.entries)}
    assert len(lacking) >= 9
    assert any("/QĐ-UBND ngày" in e.evidence for e in entries)


def _properties_text(path: Path) -> str:
    if path.suffix == ".xlsx":
        props = openpyxl.load_workbook(path, read_only=True).properties
        return f"{props.title} {props.subject} {props.description}"
    if path.suffix == ".ods":
        with zipfile.ZipFile(path) as zf:
            return zf.read("meta.xml").decode("utf-8")
    with olefile.OleFileIO(str(path)) as ole:
        meta = ole.get_metadata()
        return b" ".join(v or b"" for v in (meta.title, meta.subject, meta.comments)).decode("utf-8", "replace")


@pytest.mark.parametrize("path", _workbooks(SAMPLES_DIR) + [p for p in _workbooks(BAD_DIR) if sniff(p.read_bytes()).readable],
                         ids=lambda p: p.name)
def test_every_workbook_says_it_is_synthetic_in_properties_and_in_a_visible_header_cell(path: Path) -> None:
    assert "SYNTHETIC" in _properties_text(path)
    book = pc.CalamineWorkbook.from_path(str(path))
    for meta in book.sheets_metadata:
        if meta.visible != pc.SheetVisibleEnum.Visible:
            continue
        top = book.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)[:8]
        assert any(demo_content.BANNER in str(v) for row in top for v in row), f"{path.name} [{meta.name}]"


def test_every_broken_sample_is_rejected_with_its_error_at_a_sheet_and_cell(store: Store) -> None:
    expected = {name: why.rsplit("→", 1)[1].strip() for name, why, _ in demo.bad_samples()}
    assert sorted(expected) == [p.name for p in _workbooks(BAD_DIR)]
    outcomes = ingest_paths(store, [BAD_DIR])
    assert {o.file for o in outcomes} == set(expected)
    for o in outcomes:
        assert o.status == "rejected", o.file
        errors = [i for i in o.issues if i.severity == "error"]
        assert expected[o.file] in {i.code for i in errors}, o.file
        for issue in errors:
            if issue.code != "file_not_spreadsheet":
                assert issue.sheet and issue.cell, (o.file, issue)
    assert store.count(submissions_t) == 0


def test_an_unknown_unit_is_reported_at_the_cell_holding_its_name(store: Store) -> None:
    path = next(p for p in _workbooks(BAD_DIR) if "don-vi-la" in p.name)
    (outcome,) = ingest_paths(store, [path])
    issue = next(i for i in outcome.issues if i.code == "unit_unknown")
    assert fold(issue.value).endswith("ha ly"), issue
    assert issue.cell == "B7" and issue.sheet == "Tự đánh giá"


def test_demo_command_loads_the_samples_with_their_illustrative_appraisals(db_url: str) -> None:
    assert cli_main(["demo", "--db", db_url, "--create"]) == 0
    store = Store.open(db_url)
    assert len(store.submissions()) == 24
    book = Appraisals(store)
    queue = book.queue()
    assert queue["status"].value_counts().to_dict() == {"accepted": 21, "submitted": 2, "returned": 1}
    assert set(queue.loc[queue["status"] != "accepted", "year"]) == {2023}
    lower = {"green": "yellow", "yellow": "red"}
    for ret in demo_content.demo_returns():  # every yellow or green sent without evidence was lowered one step
        sid = queue.loc[(queue["unit_id"] == ret.unit.id) & (queue["year"] == ret.year)]
        if sid["status"].item() != "accepted":
            continue
        detail = book.detail(int(sid["submission_id"].item())).set_index("indicator_code")
        for e in ret.entries:
            if e.rating.value in lower and not e.evidence:
                assert detail.loc[e.code, "appraised"] == lower[e.rating.value], (ret.unit.id, ret.year, e.code)
    assert cli_main(["demo", "--db", db_url]) == 0  # again: all duplicates, nothing appraised twice
    assert Appraisals(store).queue()["status"].value_counts()["accepted"] == 21
    store.close()


def test_module_entry_point_regenerates_a_folder_and_its_broken_twin(tmp_path: Path) -> None:
    assert demo.main([str(tmp_path / "samples"), "--no-convert"]) == 0
    for stale in (tmp_path / "samples" / "old_2021.xlsx", tmp_path / "samples-bad" / "old.xlsx"):
        stale.write_bytes(b"stale")
    assert demo.main([str(tmp_path / "samples"), "--no-convert"]) == 0
    assert len(_workbooks(tmp_path / "samples")) == 20
    assert len(_workbooks(tmp_path / "samples-bad")) == len(demo.bad_samples())
