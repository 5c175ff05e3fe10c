"""The pilot report, made from a store holding the demo returns and their illustrative appraisals: the Word document
opened with python-docx and the PDF with pypdf, their figures checked against the store (computed here from its rows,
not by the report's code), the cover's administrative form, and the refusals."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from docx.shared import Mm
from pypdf import PdfReader

from lgqa_metrics.domain.paths import SAMPLES_DIR
from lgqa_metrics.services.ingest import ingest_paths
from lgqa_metrics.services.report import ReportError, ReportRequest, gather, load_letterhead, make_report
from lgqa_metrics.store.appraisals import Appraisals
from lgqa_metrics.store.database import Store
from lgqa_metrics.synthetic.demo_appraisals import apply_demo_appraisals

pytestmark = pytest.mark.slow  # Chromium draws the charts, LibreOffice makes the PDF
SCORE = {"red": 0, "yellow": 1, "green": 2}


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, Path, Path]]:
    """The demo store with its appraisals, and the 2023 report against 2022 as .docx and as .pdf."""
    folder = tmp_path_factory.mktemp("report")
    store = Store.open(f"sqlite:///{folder / 'store.sqlite'}")
    ingest_paths(store, [SAMPLES_DIR], uploader="demo")
    apply_demo_appraisals(store)
    request = ReportRequest(2023, 2022)
    word, pdf = make_report(store, request, folder / "bao-cao.docx"), make_report(store, request, folder / "bao-cao.pdf")
    yield store, word.path, pdf.path
    store.close()


def _counted(store: Store, year: int) -> dict[str, dict[str, str]]:
    """Each unit's ratings of ``year`` as the report must count them: the appraised rating where the return was
    accepted in appraisal, the unit's own otherwise (read from the store's tables, not through the report)."""
    book = Appraisals(store)
    queue = book.queue()
    out: dict[str, dict[str, str]] = {}
    for row in queue[queue["year"] == year].itertuples():
        detail = book.detail(int(row.submission_id))
        column = "appraised" if row.status == "accepted" else "rating"
        out[str(row.unit_id)] = dict(zip(detail["indicator_code"].astype(str), detail[column].astype(str), strict=True))
    return out


def _index(ratings: dict[str, str]) -> float:
    scores = [SCORE[r] for r in ratings.values() if r in SCORE]
    return sum(scores) / len(scores) * 50


def test_the_word_report_has_every_section_as_a_real_heading_and_a_chart_for_each(made: tuple[Store, Path, Path]) -> None:
    _, path, _ = made
    document = docx.Document(str(path))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert [h.split(".")[0] for h in headings[:7]] == ["I", "II", "III", "IV", "V", "VI", "VII"]
    assert headings[-1].startswith("PHỤ LỤC")
    units = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert len(units) == 12
    assert len(document.inline_shapes) == 1 + 1 + 12  # the matrix, the appraisal gap, a wheel per unit
    assert all(shape.width > Mm(70) for shape in document.inline_shapes)
    captions = [p for p in document.paragraphs if p.style.name == "Caption"]
    assert len(captions) == len(document.inline_shapes) + 4  # figures, and tables: ranking, changes, evidence, annex
    assert all("SEQ" in p._p.xml for p in captions), "numbered by Word fields, which Word renumbers"


def test_the_cover_follows_the_administrative_form(made: tuple[Store, Path, Path]) -> None:
    _, path, _ = made
    document = docx.Document(str(path))
    section = document.sections[0]
    sizes = (section.page_width, section.page_height, section.top_margin, section.bottom_margin,
             section.left_margin, section.right_margin)
    for size, mm in zip(sizes, (210, 297, 20, 20, 30, 15), strict=True):  # Word keeps twentieths of a point
        assert abs(int(size or 0) - Mm(mm)) < Mm(0.1)
    assert document.styles["Normal"].font.name == "Times New Roman"
    cover = document.tables[0]
    left, right = (cell.text for cell in cover.rows[0].cells)
    head = load_letterhead()
    assert head.issuing_body in left and head.number in left
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in right and "Độc lập - Tự do - Hạnh phúc" in right
    body = "\n".join(p.text for p in document.paragraphs[:8])
    assert "BÁO CÁO" in body and "năm 2023" in body and f"Kính gửi: {head.recipient}." in body
    assert any(s.orientation == 1 for s in document.sections), "the matrix and the annex on landscape pages"


def test_the_ranking_and_the_summary_hold_the_stores_figures(made: tuple[Store, Path, Path]) -> None:
    store, path, _ = made
    document = docx.Document(str(path))
    counted = _counted(store, 2023)
    names = {u.id: u.name for u in store.registry.units}
    expected = sorted(((round(_index(r), 1), names[u]) for u, r in counted.items()), reverse=True)
    ranking = next(t for t in document.tables if t.rows[0].cells[0].text == "Hạng")
    rows = [[c.text for c in row.cells] for row in ranking.rows[1:]]
    assert [(float(r[3].replace(",", ".")), r[1]) for r in rows] == [(i, n) for i, n in expected]
    greens = sum(1 for r in counted.values() for v in r.values() if v == "green")
    scored = sum(1 for r in counted.values() for v in r.values() if v in SCORE)
    summary = "\n".join(p.text for p in document.paragraphs)
    assert "Số báo cáo đã nhận: 12/12" in summary
    assert f"Xanh lá {greens / scored * 100:.1f} %".replace(".", ",") in summary
    accepted = int((Appraisals(store).queue().query("year == 2023")["status"] == "accepted").sum())
    assert f"kết quả thẩm định đối với {accepted}/12 báo cáo" in summary


def test_each_unit_page_lists_its_red_indicators_with_their_evidence(made: tuple[Store, Path, Path]) -> None:
    store, path, _ = made
    document = docx.Document(str(path))
    counted = _counted(store, 2023)
    reds = {u: sorted(c for c, r in ratings.items() if r == "red") for u, ratings in counted.items()}
    tables = [t for t in document.tables if [c.text for c in t.rows[0].cells][2:] == ["Minh chứng", "Ghi chú"]]
    listed = sorted(sorted(row.cells[0].text for row in table.rows[1:]) for table in tables)
    assert listed == sorted(codes for codes in reds.values() if codes)


def test_the_pdf_holds_the_same_report(made: tuple[Store, Path, Path]) -> None:
    store, _, path = made
    reader = PdfReader(str(path))
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = re.sub(r"\s+", " ", text)
    assert len(reader.pages) >= 12 + 4
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in flat and "Số báo cáo đã nhận: 12/12" in flat
    for unit in (u for u in store.registry.units if u.id in _counted(store, 2023)):
        assert unit.name in flat
    assert "PHỤ LỤC" in flat


def test_a_report_that_cannot_be_made_says_why(made: tuple[Store, Path, Path], tmp_path: Path) -> None:
    store, _, _ = made
    for request, out, key in ((ReportRequest(2019), tmp_path / "a.docx", "report.no_data"),
                              (ReportRequest(2023, units=("q-nowhere",)), tmp_path / "b.docx", "report.unknown_unit"),
                              (ReportRequest(2023), tmp_path / "c.odt", "report.bad_format")):
        with pytest.raises(ReportError) as caught:
            make_report(store, request, out)
        assert caught.value.key == key and caught.value.message("vi") and not out.exists()
    bad = tmp_path / "report.toml"
    bad.write_text("parent_body = \"UBND\"\nissuing_body = \"\"\n", encoding="utf-8")
    with pytest.raises(ReportError, match="issuing_body"):
        load_letterhead(bad)


def test_the_2025_report_counts_the_changes_of_the_new_units_through_their_predecessors(
        made: tuple[Store, Path, Path]) -> None:
    """Against 2023, each 2025 successor is compared with its predecessor's 2023 return (one predecessor each: its
    ratings as they were, whatever the rule), and the report says so under the table."""
    store = made[0]
    data = gather(store, ReportRequest(2025, 2023))
    assert {c.unit_id for c in data.carried} == {"p-hong-bang", "p-le-chan", "p-kien-an", "x-an-lao", "x-tien-lang",
                                                "x-vinh-bao"}
    assert data.changes is not None
    before, after = _counted(store, 2023), _counted(store, 2025)
    for successor in data.carried:
        [predecessor] = successor.sources[2023]
        pairs = [(SCORE.get(before[predecessor][c]), SCORE.get(after[successor.unit_id][c])) for c in after[successor.unit_id]]
        row = data.changes.set_index("unit_id").loc[successor.unit_id]
        assert int(row["improved"]) == sum(a is not None and b is not None and b > a for a, b in pairs)
        assert int(row["declined"]) == sum(a is not None and b is not None and b < a for a, b in pairs)
