"""The evidence rule (``data/catalogue/evidence.toml``): which ratings count as evidenced, missing evidence or not
asked for any, over texts as units write them; and a rule file the department got wrong is refused by name."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lgqa_metrics.domain.evidence import EvidenceRuleError, EvidenceStatus, default_rule, load_rule

EVIDENCED, MISSING, NOT_REQUIRED = EvidenceStatus.EVIDENCED, EvidenceStatus.MISSING, EvidenceStatus.NOT_REQUIRED


@pytest.mark.parametrize(("rating", "evidence", "note", "expected"), [
    ("green", "Quyết định số 12/QĐ-UBND ngày 3/4/2023", "", EVIDENCED),
    ("yellow", "Biên bản kiểm tra ngày 20/9", "", EVIDENCED),
    ("green", "", "", MISSING),
    ("green", "   ", "", MISSING),
    ("green", "Không có", "", MISSING),
    ("yellow", "KHÔNG CÓ", "", MISSING),
    ("green", "chưa có", "", MISSING),
    ("green", "-", "", MISSING),
    ("green", "Đang cập nhật", "", MISSING),
    ("green", "", "Theo Nghị quyết 45/2023/NQ-HĐND của HĐND quận", EVIDENCED),
    ("green", "", "Đã ban hành kế hoạch số 7", EVIDENCED),
    ("yellow", "", "Văn bản 112/UBND-VP", EVIDENCED),
    ("yellow", "", "Chưa ban hành kế hoạch triển khai", MISSING),
    ("yellow", "", "Số liệu chưa đầy đủ", MISSING),
    ("green", "Không có", "ngày 20/9/2023", MISSING),
    ("red", "", "", NOT_REQUIRED),
    ("na", "", "", NOT_REQUIRED),
    ("missing", "", "", NOT_REQUIRED),
])
def test_the_departments_rule_reads_evidence_as_units_write_it(rating: str, evidence: str, note: str,
                                                                expected: EvidenceStatus) -> None:
    assert default_rule().status(rating, evidence, note) is expected


def _variants(text: str) -> st.SearchStrategy[str]:
    """``text`` as a clerk might type it: any case, spaces around, accents composed or decomposed (macOS)."""
    return st.tuples(st.sampled_from([text, text.upper(), text.lower(), text.title()]),
                     st.sampled_from(["NFC", "NFD"]), st.sampled_from(["", " ", "  ", "\t"]),
                     st.sampled_from(["", " ", "\n"])).map(
        lambda v: v[2] + unicodedata.normalize(v[1], v[0]) + v[3])  # type: ignore[arg-type]


PLACEHOLDERS = ["Không có", "không", "Chưa có", "chưa", "Đang cập nhật", "Chưa cập nhật", "Sẽ bổ sung", "x", "-", "0",
                "N/A", "..."]


@given(st.sampled_from(PLACEHOLDERS).flatmap(_variants), st.sampled_from(["green", "yellow"]))
def test_a_placeholder_in_any_case_spacing_or_accent_form_is_no_evidence(evidence: str, rating: str) -> None:
    assert default_rule().status(rating, evidence, "") is MISSING


WORDS = st.sampled_from(["Theo", "đã ban hành", "kèm", "của UBND phường", "năm 2023", "ngày 12/5", "bản sao", ""])
KINDS = st.sampled_from(["QĐ", "KH", "BC", "TB", "NQ", "CV", "UBND", "TTr"])


@given(WORDS, st.integers(1, 9999), st.one_of(st.none(), st.integers(2015, 2026)), KINDS,
       st.sampled_from(["UBND", "HĐND", "VP", "SKHCN"]), WORDS, st.sampled_from(["green", "yellow"]))
def test_a_note_citing_a_document_number_is_evidence(before: str, number: int, year: int | None, kind: str,
                                                      issuer: str, after: str, rating: str) -> None:
    """"12/QĐ-UBND" or "45/2023/NQ-HĐND" anywhere in the note, between any words."""
    cited = f"{number}/{year}/{kind}-{issuer}" if year else f"{number}/{kind}-{issuer}"
    assert default_rule().status(rating, "", f"{before} {cited} {after}".strip()) is EVIDENCED


@given(st.text(max_size=40), st.text(max_size=40), st.sampled_from(["red", "na", "missing"]))
def test_red_not_applicable_and_blank_ratings_never_need_evidence(evidence: str, note: str, rating: str) -> None:
    assert default_rule().status(rating, evidence, note) is NOT_REQUIRED


def _rule_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "evidence.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_edited_rule_is_followed(tmp_path: Path) -> None:
    rule = load_rule(_rule_file(tmp_path, 'required = ["green"]\nplaceholders = ["xem ho so"]\n'
                                          'document_references = ["\\\\bvb\\\\d+"]\n'))
    assert rule.status("yellow", "", "") is NOT_REQUIRED
    assert rule.status("green", "Xem hồ sơ", "") is MISSING
    assert rule.status("green", "", "theo VB12") is EVIDENCED
    assert rule.status("green", "", "Quyết định số 12/QĐ-UBND") is MISSING
    assert rule.fingerprint != default_rule().fingerprint


@pytest.mark.parametrize(("text", "names"), [
    ('placeholders = []\ndocument_references = []\n', "'required'"),
    ('required = ["green", "blue"]\nplaceholders = []\ndocument_references = []\n', "'blue'"),
    ('required = ["green"]\nplaceholders = [1]\ndocument_references = []\n', "'placeholders'"),
    ('required = ["green"]\nplaceholders = []\ndocument_references = ["so (\\\\d+"]\n', "'document_references'"),
    ('required = ["green"\n', "evidence.toml"),
])
def test_a_rule_file_that_cannot_be_used_is_refused_naming_the_key(tmp_path: Path, text: str, names: str) -> None:
    with pytest.raises(EvidenceRuleError, match=r"evidence\.toml") as caught:
        load_rule(_rule_file(tmp_path, text))
    assert names in str(caught.value)
