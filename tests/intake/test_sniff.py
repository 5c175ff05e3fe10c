"""File sniffing: what a file is from its bytes, never from its name."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pytest

from lgqa_metrics.domain.units import default_registry
from lgqa_metrics.intake import sniff as sniff_module
from lgqa_metrics.intake.sniff import inspect_zip, sniff
from lgqa_metrics.services.template import build_template
from tests.support import builders, hostile

RATINGS = builders.as_words(builders.cycle_ratings())


def test_empty_bytes_are_empty() -> None:
    assert sniff(b"").kind == "empty"
    assert not sniff(b"").readable


@pytest.mark.parametrize(
    "text",
    ["Mã chỉ số,Kết quả\n1.1,Đỏ\n1.2,Vàng\n", "STT;Mã chỉ số;Kết quả\n1;1.1;Xanh lá\n", "code\trating\n1.1\tRed\n"],
)
def test_csv_text_is_csv(text: str) -> None:
    sniffed = sniff(text.encode("utf-8"))
    assert sniffed.kind == "csv"
    assert not sniffed.readable


def test_csv_with_a_bom_is_csv() -> None:
    assert sniff("\ufeffMã chỉ số,Kết quả\n1.1,Đỏ\n".encode()).kind == "csv"


@pytest.mark.parametrize(
    "page",
    [
        b"<!DOCTYPE html><html><head><title>Dang nhap</title></head><body>Phien het han</body></html>",
        b"  \r\n<html><body><table><tr><td>1.1</td><td>Do</td></tr></table></body></html>",
        b'<table border="1"><tr><td>1.1</td></tr></table>',
    ],
)
def test_an_html_page_is_html(page: bytes) -> None:
    assert sniff(page).kind == "html"


def test_a_word_docx_is_docx() -> None:
    assert sniff(builders.docx_bytes()).kind == "docx"


def test_a_pdf_is_pdf() -> None:
    assert sniff(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n").kind == "pdf"


@pytest.mark.parametrize(
    "head",
    [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"],
)
def test_photos_of_the_form_are_images(head: bytes) -> None:
    assert sniff(head + b"\x00" * 64).kind == "image"


def test_an_xlsx_cut_in_half_is_truncated() -> None:
    data = builders.word_return(RATINGS)
    assert sniff(data[: len(data) // 2]).kind == "truncated"


def test_an_xlsx_missing_its_last_bytes_is_truncated() -> None:
    data = builders.word_return(RATINGS)
    assert sniff(data[:-30]).kind == "truncated"


def test_a_password_protected_workbook_is_encrypted() -> None:
    pytest.importorskip("msoffcrypto")
    data = builders.encrypted(builders.word_return(RATINGS))
    assert data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    assert sniff(data).kind == "encrypted"
    assert not sniff(data).readable


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(builders.word_return(RATINGS), id="xlsxwriter"),
        pytest.param(builders.far_cell("H60"), id="openpyxl"),
        pytest.param(build_template(default_registry()["p-minh-khai"], 2023), id="template"),
    ],
)
def test_xlsx_from_any_writer_is_xlsx(data: bytes) -> None:
    sniffed = sniff(data)
    assert sniffed.kind == "xlsx"
    assert sniffed.readable


def test_a_workbook_with_a_vba_project_is_xlsm() -> None:
    sniffed = sniff(builders.as_xlsm(builders.word_return(RATINGS)))
    assert sniffed.kind == "xlsm"
    assert sniffed.readable


def test_an_opendocument_spreadsheet_is_ods() -> None:
    assert sniff(builders.ods_minimal()).kind == "ods"
    assert sniff(builders.word_return_ods(RATINGS)).kind == "ods"
    assert sniff(builders.ods_minimal()).readable


def test_an_opendocument_text_is_not_a_spreadsheet() -> None:
    odt = builders.minimal_zip({"content.xml": b"<x/>"}, mimetype="application/vnd.oasis.opendocument.text")
    assert not sniff(odt).readable


def test_a_plain_zip_archive_is_zip() -> None:
    data = builders.minimal_zip({"bao_cao/Hong Bang.xlsx": builders.word_return(RATINGS)})
    assert sniff(data).kind == "zip"
    assert not sniff(data).readable


def test_plain_text_is_not_a_spreadsheet() -> None:
    assert not sniff("Kính gửi Sở Khoa học và Công nghệ".encode()).readable


# --- document types: read from the prolog ------------------------------------------------------------

DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'


@pytest.mark.parametrize(("head", "said"), [
    (DECLARATION + b'<worksheet xmlns="x">', False),
    (b"<worksheet/>", False),
    (DECLARATION + b"<!DOCTYPE lolz [<!ENTITY lol 'lol'>]><worksheet/>", True),
    (b"\xef\xbb\xbf" + DECLARATION + b"<!-- a <comment> --> <?pi x?>\n<!DOCTYPE x><x/>", True),
    (b"<!---->\n<a/>", False),
    (DECLARATION + b"<!-- a comment cut short", None),
    (DECLARATION[:20], None),
    (DECLARATION + b"text before the root <a/>", None),
    (b"", None),
    (DECLARATION + b"<", None),
])
def test_the_prolog_settles_whether_a_part_declares_a_document_type(head: bytes, said: bool | None) -> None:
    assert sniff_module.prolog_declares_dtd(head) is said


def test_a_document_type_after_a_long_prolog_is_still_found_and_one_after_the_root_is_none() -> None:
    comment = b"<!-- " + b"x" * 1500 + b" -->\n"
    assert sniff_module.declares_dtd(DECLARATION + comment + b"<!DOCTYPE x []><x/>")
    assert not sniff_module.declares_dtd(DECLARATION + b"<x><![CDATA[<!DOCTYPE x []>]]></x>")
    # a prolog that is no prolog: anywhere in the first PEEK_BYTES, as before
    assert sniff_module.declares_dtd(b"junk <!DOCTYPE x []><x/>")
    assert not sniff_module.declares_dtd(b"junk " + b" " * sniff_module.PEEK_BYTES + b"<!DOCTYPE x []><x/>")


@pytest.mark.parametrize("stored", [False, True], ids=["deflated", "stored"])
@pytest.mark.parametrize("prolog", [b"", b"<!-- " + b"x" * 1500 + b" -->\n"], ids=["short prolog", "long prolog"])
def test_an_unchecked_part_is_unpacked_only_as_far_as_its_prolog_and_its_document_type_refused(
        stored: bool, prolog: bytes) -> None:
    """The bounded check peeks into the parts it does not unpack whole: the first PROLOG_BYTES settle an
    ordinary part, more are unpacked when the prolog goes on; stored or deflated, a document type is refused."""
    data = builders.word_return(RATINGS)
    part = hostile.sheet_part(data)
    with_dtd = _rezipped(data, part, lambda xml: xml.replace(b"?>", b"?>" + prolog + b"<!DOCTYPE x [<!ENTITY e 'e'>]>", 1),
                         stored)
    plain = _rezipped(data, part, lambda xml: xml.replace(b"?>", b"?>" + prolog, 1), stored)
    only_styles = lambda name: name == "xl/styles.xml"  # noqa: E731  (as a bounded read of an .xlsx checks)
    refused = inspect_zip(with_dtd, check_whole_only=only_styles).hazard
    assert refused is not None and (refused.reason, refused.part) == ("dtd", part)
    assert inspect_zip(plain, check_whole_only=only_styles).hazard is None
    assert inspect_zip(with_dtd).hazard == refused  # the whole check agrees


def _rezipped(data: bytes, part: str, change: Callable[[bytes], bytes], stored: bool) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            method = zipfile.ZIP_STORED if stored and info.filename == part else zipfile.ZIP_DEFLATED
            dst.writestr(info.filename, change(body) if info.filename == part else body, compress_type=method)
    return out.getvalue()


def test_a_document_type_in_a_part_of_any_name_is_refused_by_the_peek_as_by_the_whole_check() -> None:
    """A relationship may point a reader at a part of any name: the peek does not go by the name."""
    data = hostile.rezip(builders.word_return(RATINGS),
                         add={"xl/worksheets/data.bin": DECLARATION + b"<!DOCTYPE x [<!ENTITY e 'e'>]><x/>"})
    peeked = inspect_zip(data, check_whole_only=lambda name: name == "xl/styles.xml").hazard
    assert peeked is not None and (peeked.reason, peeked.part) == ("dtd", "xl/worksheets/data.bin")
    assert inspect_zip(data).hazard == peeked
