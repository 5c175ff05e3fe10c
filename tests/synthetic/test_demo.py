"""The synthetic demo generator: deterministic, ingested exactly, varied, marked synthetic, the pilot units'
successors reporting for 2025 from their predecessors' returns; broken samples are rejected with a place."""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from pathlib import Path

import olefile
import openpyxl
import pytest
import python_calamine as pc

from lgqa_metrics.cli.main import main as cli_main
from lgqa_metrics.domain.lineage import default_lineage
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
PILOT_YEARS = {2022, 2023}
#: 12 pilot units × 2022, 2023, and their 6 successors × 2025.
RETURNS = 30


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
    assert len(first) == RETURNS
    assert [p.name for p in again] == [p.name for p in _workbooks(generated)]
    for path in again:
        assert path.read_bytes() == (generated / path.name).read_bytes(), path.name
    bad_a, bad_b = demo.generate_bad_samples(tmp_path / "bad-a"), demo.generate_bad_samples(tmp_path / "bad-b")
    assert [p.read_bytes() for p in bad_a] == [p.read_bytes() for p in bad_b]


def _pilot_units() -> set[str]:
    return {unit for unit, year in demo_content.expected_ratings() if year in PILOT_YEARS}


def test_expected_ratings_cover_twelve_pilot_units_two_years_their_successors_2025_and_all_39_indicators() -> None:
    expected = demo_content.expected_ratings()
    assert {year for _, year in expected} == PILOT_YEARS | {2025}
    pilots = _pilot_units()
    assert len(pilots) == 12
    assert all((unit, year) in expected for unit in pilots for year in PILOT_YEARS)
    lineage, registry = default_lineage(), default_registry()
    successors = {link.to_id for unit in pilots for link in lineage.successors(unit)}
    assert len(successors) == 6  # the six pilot districts were dissolved without successor
    assert {unit for unit, year in expected if year == 2025} == successors
    assert all(registry[unit].reports_for(2025) and not registry[unit].valid_in(2023) for unit in successors)
    assert all(len(codes) == 39 for codes in expected.values())
    assert {w for codes in expected.values() for w in codes.values()} == {"red", "yellow", "green", "na", "missing"}


def test_ingesting_the_generated_samples_gives_exactly_the_expected_ratings(generated: Path, store: Store) -> None:
    outcomes = ingest_paths(store, [generated])
    assert [o.status for o in outcomes] == ["accepted"] * RETURNS
    assert not [i for o in outcomes for i in o.issues if i.code not in ("rating_blank", "evidence_missing")]
    unevidenced = [e for r in demo_content.demo_returns() for e in r.entries
                   if e.rating.value in ("yellow", "green") and not e.evidence]
    assert len([i for o in outcomes for i in o.issues if i.code == "evidence_missing"]) == len(unevidenced)
    assert _stored(store) == demo_content.expected_ratings()


def test_ingesting_the_committed_samples_gives_exactly_the_expected_ratings(store: Store) -> None:
    outcomes = ingest_paths(store, [SAMPLES_DIR])
    assert [o.status for o in outcomes] == ["accepted"] * RETURNS
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
    change = {unit: greens[unit, 2023] - greens[unit, 2022] for unit in _pilot_units()}
    assert any(d > 0 for d in change.values())
    assert any(d < 0 for d in change.values())
    assert any(d == 0 for d in change.values())


def _successions() -> list[tuple[dict[str, str], dict[str, str]]]:
    """(predecessor's 2023 ratings, successor's 2025 ratings) for each successor, by the lineage."""
    expected, lineage = demo_content.expected_ratings(), default_lineage()
    out = []
    for unit in sorted(u for u, year in expected if year == 2025):
        (before,) = [link.from_id for link in lineage.predecessors(unit) if (link.from_id, 2023) in expected]
        out.append((expected[before, 2023], expected[unit, 2025]))
    return out


def test_each_successor_evolves_from_its_predecessors_2023_return_most_improving_one_slipping() -> None:
    greens = []
    for before, after in _successions():
        rated = [c for c in before if before[c] in ("red", "yellow", "green") and after[c] in ("red", "yellow", "green")]
        assert sum(before[c] == after[c] for c in rated) >= 0.75 * len(rated)  # evolved, not drawn afresh
        assert sum(before[c] != after[c] for c in rated) <= 10
        greens.append(list(after.values()).count("green") - list(before.values()).count("green"))
    assert sum(d > 0 for d in greens) >= 3
    assert sum(d < 0 for d in greens) == 1


def test_successors_returns_are_dated_2025_from_their_creation_and_na_as_their_type_has_it() -> None:
    registry = default_registry()
    late = [r for r in demo_content.demo_returns() if r.year == 2025]
    assert len(late) == 6
    for ret in late:
        assert ret.unit.valid_from is not None and ret.unit.valid_from.year == 2025
        for e in ret.entries:
            for _, month, year in re.findall(r"ngày (\d+)/(\d+)/(\d{4})", e.evidence):
                assert int(year) == 2025 and int(month) >= ret.unit.valid_from.month, (ret.unit.id, e.evidence)
            assert not re.search(r"\b202[0-4]\b", e.evidence + e.note), (ret.unit.id, e)
            assert "cấp huyện" not in e.note  # no district level any more
        na = {e.code for e in ret.entries if e.rating.value == "na"}
        always = {UnitType.PHUONG: {"1.4", "2.7"}, UnitType.XA: {"1.4", "2.5", "4.5"}}[registry[ret.unit.id].type]
        assert always <= na


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
    assert len(store.submissions()) == RETURNS
    book = Appraisals(store)
    queue = book.queue()
    assert queue["status"].value_counts().to_dict() == {"accepted": 21, "submitted": 8, "returned": 1}
    assert set(queue.loc[queue["status"] != "accepted", "year"]) == {2023, 2025}
    assert set(queue.loc[queue["year"] == 2025, "status"]) == {"submitted"}  # the successors' returns wait
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
    assert len(_workbooks(tmp_path / "samples")) == 26
    assert len(_workbooks(tmp_path / "samples-bad")) == len(demo.bad_samples())
