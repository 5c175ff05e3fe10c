"""The CLI contract: exit codes, JSON shape, export, template, history; ingest and history on SQLite and on
PostgreSQL. Most commands run through ``main`` in this process; what only a real process shows (the entry point,
its exit status, no traceback at the top, the modules a command imports) runs ``python -m lgqa_metrics``."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from lgqa_metrics.analysis.export import CSV_SEPARATORS
from lgqa_metrics.cli.main import CSV_VARIANTS
from lgqa_metrics.domain.catalogue import default_catalogue
from lgqa_metrics.domain.roles import Actor, Role
from lgqa_metrics.store.appraisals import Appraisals
from lgqa_metrics.store.database import Store
from tests.support.cli import ROOT, run_in_process, run_process
from tests.support.returns import filled_template, pattern

#: Commands run in this process (quick); the tests of the entry point itself start the real one (run_process).
cli = run_in_process


@pytest.fixture
def returns_dir(tmp_path: Path) -> Path:
    """A folder with two good returns and one CSV pretending to be a workbook."""
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "hong-bang.xlsx").write_bytes(filled_template("q-hong-bang", 2023, pattern(0)))
    (folder / "sub" / "cat-dai.xlsx").write_bytes(filled_template("p-cat-dai", 2023, pattern(2)))
    (folder / "broken.xlsx").write_text("STT,Mã chỉ số,Kết quả\n1,1.1,Đỏ\n", encoding="utf-8")
    return folder


def test_ingest_json_reports_every_return_and_exits_1_when_one_is_rejected(returns_dir: Path, store_url: str) -> None:
    run = cli("ingest", "--db", store_url, "--create", "--json", str(returns_dir))
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    items = json.loads(run.stdout)
    by_file = {i["file"]: i for i in items}
    assert set(by_file) == {"hong-bang.xlsx", "cat-dai.xlsx", "broken.xlsx"}
    good = by_file["hong-bang.xlsx"]
    assert {k: good[k] for k in ("status", "unit_id", "year", "version", "ratings")} == {
        "status": "accepted", "unit_id": "q-hong-bang", "year": 2023, "version": 1, "ratings": 39}
    assert good["sheet"] == "Tự đánh giá" and good["issues"] == []
    bad = by_file["broken.xlsx"]
    assert bad["status"] == "rejected" and bad["version"] is None and bad["ratings"] == 0
    [issue] = bad["issues"]
    assert issue["severity"] == "error" and issue["code"] == "file_not_spreadsheet"
    assert "CSV" in issue["message"] and set(issue) >= {"severity", "code", "sheet", "cell", "message"}


def test_ingest_exits_0_for_accepted_and_duplicate_returns(tmp_path: Path, store_url: str) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(filled_template("x-trung-lap", 2022, pattern()))
    assert cli("ingest", "--db", store_url, "--create", str(path)).returncode == 0
    again = cli("ingest", "--db", store_url, "--json", str(path))
    assert again.returncode == 0
    assert json.loads(again.stdout)[0]["status"] == "duplicate"


def test_dry_run_stores_nothing(tmp_path: Path, store_url: str) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(filled_template("x-trung-lap", 2022, pattern()))
    run = cli("ingest", "--db", store_url, "--create", "--dry-run", "--json", str(path))
    assert run.returncode == 0 and json.loads(run.stdout)[0]["status"] == "accepted"
    assert json.loads(cli("ingest", "--db", store_url, "--dry-run", "--json", str(path)).stdout)[0]["status"] == "accepted"


@pytest.mark.parametrize("args", [["ingest"], ["ingest", "/no/such/file.xlsx"], ["export"], ["frobnicate"],
                                  ["template", "--unit", "q-nowhere", "--year", "2023", "-o", "x.xlsx"]])
def test_usage_errors_exit_2_without_traceback(args: list[str]) -> None:
    run = run_process(*args)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr + run.stdout


def test_unreachable_database_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(filled_template("x-trung-lap", 2022, pattern()))
    run = run_process("ingest", "--db", "postgresql+psycopg://nobody@127.0.0.1:1/none", str(path))
    assert run.returncode == 1
    assert "Traceback" not in run.stderr and run.stderr.strip()


def test_export_csv_has_bom_contract_columns_and_filters(returns_dir: Path, db_url: str, tmp_path: Path) -> None:
    cli("ingest", "--db", db_url, "--create", str(returns_dir))
    out = tmp_path / "out.csv"
    run = cli("export", "--db", db_url, "--unit", "p-cat-dai", "--quadrant", "1", "-o", str(out))
    assert run.returncode == 0, run.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 10
    assert {"unit_id", "unit_name", "unit_type", "year", "quadrant", "indicator_code", "indicator_name", "rating",
            "score", "evidence", "note", "version"} <= set(rows[0])
    expected = pattern(2)
    assert {r["indicator_code"]: r["rating"] for r in rows} == {c: expected[c] for c in default_catalogue().codes[:10]}
    assert rows[0]["unit_name"] == "Phường Cát Dài" and rows[0]["unit_type"] == "phuong"
    assert [r["indicator_code"] for r in rows][-2:] == ["1.9", "1.10"]
    lineage = {(r["unit_valid_to"], r["predecessor_ids"], r["successor_ids"]) for r in rows}
    assert lineage == {("2025-06-30", "", "p-le-chan")}, "the lineage columns: valid until the reform, then Lê Chân"


def test_export_csv_for_vietnamese_excel_uses_semicolons(returns_dir: Path, db_url: str, tmp_path: Path) -> None:
    cli("ingest", "--db", db_url, "--create", str(returns_dir))
    out = tmp_path / "out.csv"
    run = cli("export", "--db", db_url, "--unit", "p-cat-dai", "--csv-for", "excel-vn", "-o", str(out))
    assert run.returncode == 0, run.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 39 and rows[0]["unit_name"] == "Phường Cát Dài"
    assert tuple(CSV_SEPARATORS) == CSV_VARIANTS, "the command offers every variant the export knows"


def test_export_xlsx_reads_back_with_the_same_rows(returns_dir: Path, db_url: str, tmp_path: Path) -> None:
    cli("ingest", "--db", db_url, "--create", str(returns_dir))
    out = tmp_path / "out.xlsx"
    assert cli("export", "--db", db_url, "--year", "2023", "--format", "xlsx", "-o", str(out)).returncode == 0
    ws = openpyxl.load_workbook(out).worksheets[0]
    header = [c.value for c in ws[1]]
    assert header[:8] == ["unit_id", "unit_name", "unit_type", "unit_valid_from", "unit_valid_to", "predecessor_ids",
                          "successor_ids", "year"]
    assert ws.max_row == 1 + 2 * 39
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref


def test_template_command_writes_a_workbook_that_ingests_cleanly(tmp_path: Path, db_url: str) -> None:
    out = tmp_path / "t.xlsx"
    assert cli("template", "--unit", "x-tien-minh", "--year", "2024", "-o", str(out)).returncode == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[0] == "Tự đánh giá" and "Hướng dẫn" in book.sheetnames


def test_history_lists_versions_newest_first(tmp_path: Path, store_url: str) -> None:
    for shift in (0, 1):
        path = tmp_path / f"v{shift}.xlsx"
        path.write_bytes(filled_template("q-kien-an", 2023, pattern(shift)))
        cli("ingest", "--db", store_url, "--create", "--uploader", f"staff{shift}", str(path))
    run = cli("history", "--db", store_url, "--unit", "q-kien-an", "--year", "2023")
    assert run.returncode == 0
    lines = run.stdout.strip().splitlines()
    assert "Phiên bản" in lines[0] and "Người nộp" in lines[0] and "uploader" not in lines[0]
    assert "v1.xlsx" in lines[1] and "Hiện hành" in lines[1] and "staff1" in lines[1]
    assert "v0.xlsx" in lines[2] and "Đã thay thế" in lines[2]
    english = cli("--lang", "en", "history", "--db", store_url, "--unit", "q-kien-an", "--year", "2023").stdout
    assert "Version" in english and "Superseded" in english and "Hiện hành" not in english


def test_database_url_comes_from_the_environment(tmp_path: Path, store_url: str) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(filled_template("q-le-chan", 2022, pattern()))
    assert cli("ingest", "--create", str(path), env={"LGQA_DATABASE_URL": store_url}).returncode == 0
    run = cli("history", "--db", store_url, "--unit", "q-le-chan", "--year", "2022")
    assert "x.xlsx" in run.stdout


def test_an_ingest_imports_only_what_reading_and_storing_returns_need(tmp_path: Path) -> None:
    """What a one-file ``ingest`` waits for: no other command's modules, no Alembic for a store already migrated,
    no workbook writers, no pandas (only tables for people need it)."""
    path = tmp_path / "one.xlsx"
    path.write_bytes(filled_template("q-hong-bang", 2023, pattern(0)))
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    assert cli("ingest", "--db", url, "--create", "--dry-run", str(path)).returncode == 0  # makes the store
    probe = ("import sys; from lgqa_metrics.cli.main import main; code = main(sys.argv[1:]); "
             "print(sorted(m for m in sys.modules if m.split('.')[0] in {'alembic', 'openpyxl', 'xlsxwriter', 'pandas', 'numpy'} "
             "or m in {'lgqa_metrics.store.backup', 'lgqa_metrics.synthetic.synth', 'lgqa_metrics.synthetic.demo', 'lgqa_metrics.synthetic.demo_content', 'lgqa_metrics.store.accounts'}))")
    run = subprocess.run([sys.executable, "-c", probe, "ingest", "--db", url, "--dry-run", str(path)],
                         capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().splitlines()[-1] == "[]"


def test_a_mistyped_store_path_is_refused_and_nothing_is_made(tmp_path: Path) -> None:
    """A command pointed at a store that is not there says so (exit 2) and makes nothing: no file, no folder."""
    path = tmp_path / "x.xlsx"
    path.write_bytes(filled_template("x-trung-lap", 2022, pattern()))
    missing = tmp_path / "lgqa-typo.sqlite"
    for args in (["ingest", "--db", f"sqlite:///{missing}", str(path)],
                 ["ingest", "--dry-run", "--db", f"sqlite:///{missing}", str(path)],
                 ["demo", "--db", f"sqlite:///{missing}"],
                 ["export", "--db", f"sqlite:///{missing}", "-o", str(tmp_path / "out.csv")],
                 ["history", "--db", f"sqlite:///{missing}", "--unit", "q-hong-bang", "--year", "2023"],
                 ["quarantine", "--db", f"sqlite:///{missing}"],
                 ["mappings", "list", "--db", f"sqlite:///{missing}"],
                 ["migrate", "--db", f"sqlite:///{missing}"],
                 ["users", "list", "--db", f"sqlite:///{missing}"]):
        run = cli("--lang", "en", *args)
        assert run.returncode == 2, (args, run.stdout, run.stderr)
        assert f"There is no store at {missing}" in run.stderr and "Traceback" not in run.stderr, args
        assert not missing.exists(), args
    deep = tmp_path / "no" / "such" / "folders" / "s.sqlite"
    run = cli("--lang", "en", "ingest", "--create", "--db", f"sqlite:///{deep}", str(path))
    assert run.returncode == 2 and "folders are never created" in run.stderr
    assert not (tmp_path / "no").exists()


@pytest.mark.parametrize("url", ["sqlite:///:memory:", "sqlite://", "sqlite:///file:x?mode=memory&uri=true"])
def test_an_in_memory_store_is_refused_even_when_asked_to_create_one(tmp_path: Path, url: str) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(filled_template("x-trung-lap", 2022, pattern()))
    run = cli("--lang", "en", "ingest", "--create", "--db", url, str(path))
    assert run.returncode == 2 and "in-memory store" in run.stderr and "Traceback" not in run.stderr


def test_create_makes_a_new_store_where_asked_and_reading_commands_then_open_it(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(filled_template("x-trung-lap", 2022, pattern()))
    url = f"sqlite:///{tmp_path / 'new.sqlite'}"
    assert cli("ingest", "--create", "--db", url, str(path)).returncode == 0
    assert cli("quarantine", "--db", url).returncode == 0
    assert cli("history", "--db", url, "--unit", "x-trung-lap", "--year", "2022").returncode == 0


def test_reading_commands_refuse_a_server_database_that_holds_no_store(pg_url: str, tmp_path: Path) -> None:
    run = cli("--lang", "en", "export", "--db", pg_url, "-o", str(tmp_path / "out.csv"))
    assert run.returncode == 2 and "holds no store yet" in run.stderr
    assert cli("quarantine", "--db", pg_url).returncode == 2
    assert cli("ingest", "--create", "--db", pg_url, str(tmp_path)).returncode == 2  # no files: nothing made either
    path = tmp_path / "x.xlsx"
    path.write_bytes(filled_template("x-trung-lap", 2022, pattern()))
    assert cli("ingest", "--create", "--db", pg_url, str(path)).returncode == 0
    assert cli("quarantine", "--db", pg_url).returncode == 0


@pytest.mark.parametrize("year", ["99999", "1990", "0"])
def test_template_refuses_a_year_no_return_can_be_for(tmp_path: Path, year: str) -> None:
    run = cli("--lang", "en", "template", "--unit", "q-hong-bang", "--year", year, "-o", str(tmp_path / "t.xlsx"))
    assert run.returncode == 2 and f"The year {year} is not plausible" in run.stderr
    assert not (tmp_path / "t.xlsx").exists()


def test_every_file_gets_its_own_outcome_whatever_its_name_and_names_are_shown_escaped(tmp_path: Path) -> None:
    """Names with bytes that are not UTF-8, terminal escapes, a line break that would forge an "accepted" line,
    a right-to-left override: each file is read and stored under an escaped name; hidden and lock files in a
    folder are listed as skipped, with why."""
    folder = tmp_path / "in"
    folder.mkdir()
    good = filled_template("q-hong-bang", 2023, pattern(0))
    names = {b"a-bad\xff\xfe.xlsx": "a-bad\\xff\\xfe.xlsx",
             b"b-esc\x1b[31mred.xlsx": "b-esc\\x1b[31mred.xlsx",
             "c-line\n✓ forged.xlsx: accepted.xlsx".encode(): "c-line\\n✓ forged.xlsx: accepted.xlsx",
             "d-rlo\u202exslx.exe.xlsx".encode(): "d-rlo\\u202exslx.exe.xlsx"}
    for i, raw in enumerate(names):
        (folder / os.fsdecode(raw)).write_bytes(filled_template("q-hong-bang", 2023 - i, pattern(i)))
    (folder / ".hidden.xlsx").write_bytes(good)
    (folder / "~$open.xlsx").write_bytes(good)
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    run = cli("--lang", "en", "ingest", "--create", "--db", url, str(folder))
    assert run.returncode == 0, run.stderr
    assert "\x1b" not in run.stdout and "\u202e" not in run.stdout and "Traceback" not in run.stderr
    lines = run.stdout.splitlines()
    assert not any(line.startswith("✓ forged") for line in lines)
    for shown in names.values():
        assert sum(line.startswith(f"✓ {shown} [") for line in lines) == 1, (shown, run.stdout)
    assert f"– {folder / '.hidden.xlsx'}: skipped, not read (a hidden file" in run.stdout
    assert f"– {folder / '~$open.xlsx'}: skipped, not read (a lock file" in run.stdout
    assert "4 accepted, 0 duplicate, 0 rejected, 2 files skipped" in run.stdout
    history = cli("history", "--db", url, "--unit", "q-hong-bang", "--year", "2023")
    assert "a-bad\\xff\\xfe.xlsx" in history.stdout
    listed = json.loads(cli("ingest", "--json", "--dry-run", "--db", url, str(folder)).stdout)
    assert sorted(o["status"] for o in listed) == ["duplicate"] * 4 + ["skipped"] * 2
    assert {o["reason"] for o in listed if o["status"] == "skipped"} == {"hidden", "lock_file"}


def test_export_counts_the_appraised_rating_by_default_and_keeps_the_units_own(returns_dir: Path, db_url: str,
                                                                               tmp_path: Path) -> None:
    cli("ingest", "--db", db_url, "--create", str(returns_dir))
    store = Store.open(db_url)
    [sid] = store.submissions().query("unit_id == 'p-cat-dai'")["id"].tolist()
    green = next(c for c, r in pattern(2).items() if r == "green")
    appraiser = Actor("tham-dinh", Role.APPRAISER)
    Appraisals(store).start(appraiser, sid)
    Appraisals(store).save(appraiser, sid, {green: ("red", "Không có minh chứng")})
    Appraisals(store).accept(appraiser, sid)
    store.close()

    def rows(*basis: str) -> dict[str, dict[str, str]]:
        out = tmp_path / f"out-{'-'.join(basis) or 'default'}.csv"
        assert cli("export", "--db", db_url, "--unit", "p-cat-dai", *basis, "-o", str(out)).returncode == 0
        return {r["indicator_code"]: r for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig")))}

    counted, own = rows(), rows("--basis", "self")
    assert (counted[green]["rating"], counted[green]["self_rating"], counted[green]["appraised"]) == (
        "red", "green", "Đã thẩm định")
    assert (own[green]["rating"], own[green]["self_rating"]) == ("green", "green")
    assert rows("--basis", "appraised").keys() == counted.keys()
    out = tmp_path / "hong-bang.csv"
    assert cli("export", "--db", db_url, "--unit", "q-hong-bang", "--basis", "appraised", "-o", str(out)).returncode == 0
    assert list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig")))) == []  # not appraised
