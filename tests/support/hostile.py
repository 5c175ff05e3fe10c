"""Hostile and damaged variants of real returns, for the hardening tests (no binary fixtures: every
file is built from a bundled sample or a generated return)."""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable, Mapping

import olefile

ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"
_ODS_HEAD = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
             'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
             'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
             'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
             "<office:body><office:spreadsheet>")
_ODS_TAIL = "</office:spreadsheet></office:body></office:document-content>"
_MANIFEST = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
             'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
             '<manifest:file-entry manifest:full-path="/" manifest:media-type="' + ODS_MIME + '"/>'
             '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
             "</manifest:manifest>")
#: The classic "billion laughs": ten levels of ten references, about 3 GB once expanded.
LAUGHS_DTD = ('<!DOCTYPE lolz [<!ENTITY lol0 "lollollollollollollollollollol">'
              + "".join(f'<!ENTITY lol{i + 1} "{f"&lol{i};" * 10}">' for i in range(9)) + "]>")


def ods(tables_xml: str) -> bytes:
    """A minimal .ods whose spreadsheet body is ``tables_xml`` (``<table:table>`` elements)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), ODS_MIME.encode(), compress_type=zipfile.ZIP_STORED)
        zf.writestr("content.xml", _ODS_HEAD + tables_xml + _ODS_TAIL)
        zf.writestr("META-INF/manifest.xml", _MANIFEST)
    return out.getvalue()


def ods_cell(text: str = "x", repeat: int = 1) -> str:
    """One string cell, repeated ``repeat`` times across."""
    rep = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return f'<table:table-cell office:value-type="string"{rep}><text:p>{text}</text:p></table:table-cell>'


def ods_repeated(rows: int, cols: int, name: str = "Biểu 01") -> bytes:
    """An .ods of a few hundred bytes holding one value repeated over ``rows`` × ``cols`` cells."""
    return ods(f'<table:table table:name="{name}"><table:table-row table:number-rows-repeated="{rows}">'
               f"{ods_cell('x', cols)}</table:table-row></table:table>")


def ods_far_cell(rows_between: int, cols_between: int, name: str = "Biểu 01") -> bytes:
    """An .ods with a value in A1 and another after ``rows_between`` empty rows and ``cols_between``
    empty columns, written with LibreOffice's repeat counts (a few hundred bytes)."""
    empty_rows = (f'<table:table-row table:number-rows-repeated="{rows_between}"><table:table-cell/>'
                  "</table:table-row>") if rows_between else ""
    empty_cols = f'<table:table-cell table:number-columns-repeated="{cols_between}"/>' if cols_between else ""
    return ods(f'<table:table table:name="{name}"><table:table-row>{ods_cell()}</table:table-row>{empty_rows}'
               f"<table:table-row>{empty_cols}{ods_cell()}</table:table-row></table:table>")


def rezip(data: bytes, replace: Mapping[str, bytes | Callable[[bytes], bytes] | None] | None = None,
          add: Mapping[str, bytes] | None = None) -> bytes:
    """``data`` (a zip) re-zipped with members replaced (bytes, or a function of the old bytes), dropped
    (``None``) or added."""
    replace, add = replace or {}, add or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename in replace:
                new = replace[info.filename]
                if new is None:
                    continue
                body = new(body) if callable(new) else new
                dst.writestr(info, body, compress_type=zipfile.ZIP_DEFLATED)
                continue
            dst.writestr(info, body)
        for name, body in add.items():
            dst.writestr(name, body)
    return out.getvalue()


def sheet_part(data: bytes) -> str:
    """The zip member of an .xlsx's first worksheet."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return sorted(n for n in zf.namelist() if n.startswith("xl/worksheets/sheet") and n.endswith(".xml"))[0]


def with_far_cell(data: bytes, ref: str = "XFD1048576") -> bytes:
    """An .xlsx with one more inline-string cell at ``ref`` appended to its first worksheet's XML."""
    row = int("".join(ch for ch in ref if ch.isdigit()))
    cell = f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>.</t></is></c></row>'
    return rezip(data, {sheet_part(data): lambda xml: xml.replace(b"</sheetData>", cell.encode() + b"</sheetData>", 1)})


def with_laughs(xml: bytes, reference: bytes = b"&lol9;") -> bytes:
    """``xml`` with the billion-laughs DTD after its declaration and ``reference`` in its first text."""
    head, sep, rest = xml.partition(b"?>")
    if not sep:
        head, rest = b"", xml
    body = rest.replace(b"<t>", b"<t>" + reference, 1) if b"<t>" in rest else rest.replace(b"<v>", b"<v>" + reference, 1)
    return (head + sep if sep else b"") + LAUGHS_DTD.encode() + body


def with_padding(data: bytes, size: int, name: str = "xl/media/padding.bin") -> bytes:
    """``data`` (a zip) with one more member of ``size`` zero bytes (it packs about 1000:1)."""
    return rezip(data, add={name: bytes(size)})


_CELL_RECORDS = (0x0203, 0x00FD, 0x027E, 0x0204)


def xls_with_cell_at(data: bytes, row: int, col: int, *, dimensions: bool = False) -> bytes:
    """``data`` (an .xls) with the first value cell of each worksheet moved to ``row``, ``col`` (0-based);
    with ``dimensions`` the sheets' DIMENSIONS records claim that extent instead, and no cell moves."""
    buf = io.BytesIO(data)
    with olefile.OleFileIO(buf, write_mode=True) as ole:
        stream = bytearray(ole.openstream("Workbook").read())
        pos, bofs, moved = 0, 0, False
        while pos + 4 <= len(stream):
            typ, length = struct.unpack_from("<HH", stream, pos)
            body = pos + 4
            if typ == 0x0809:
                bofs, moved = bofs + 1, False
            if bofs >= 2 and dimensions and typ == 0x0200 and length >= 14:
                struct.pack_into("<IIHH", stream, body, 0, row + 1, 0, col + 1)
            if bofs >= 2 and not dimensions and typ in _CELL_RECORDS and not moved:
                struct.pack_into("<HH", stream, body, row, col)
                moved = True
            pos = body + length
        ole.write_stream("Workbook", bytes(stream))
    return buf.getvalue()
