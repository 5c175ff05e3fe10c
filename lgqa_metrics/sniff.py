"""What a file really is, from its bytes: spreadsheet formats, or what else it is instead."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Final

import olefile

OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS: Final = (b"PK\x03\x04", b"PK\x05\x06")
SPREADSHEET_KINDS: Final = frozenset({"xlsx", "xlsm", "xls", "ods"})


@dataclass(frozen=True, slots=True)
class Sniffed:
    """The verdict on a file: ``kind`` is a spreadsheet format or the reason it is not one.

    ``kind`` is one of ``xlsx``, ``xlsm``, ``xls``, ``ods`` (readable) or ``empty``, ``truncated``,
    ``encrypted`` and the non-spreadsheet kinds ``csv``, ``text``, ``html``, ``docx``, ``doc``,
    ``pptx``, ``pdf``, ``image``, ``zip``, ``xlsb``, ``unknown``.
    """

    kind: str

    @property
    def readable(self) -> bool:
        """True for the spreadsheet formats the reader takes."""
        return self.kind in SPREADSHEET_KINDS


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            if "mimetype" in names:
                mime = zf.read("mimetype").decode("ascii", "replace").strip()
                if mime == "application/vnd.oasis.opendocument.spreadsheet":
                    return "ods"
                return "docx" if "text" in mime else "zip"
    except (zipfile.BadZipFile, EOFError, OSError, ValueError):
        return "truncated"
    if "xl/workbook.xml" in names:
        return "xlsm" if "xl/vbaProject.bin" in names else "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if any(n.startswith("word/") for n in names):
        return "docx"
    if any(n.startswith("ppt/") for n in names):
        return "pptx"
    return "zip"


def _ole_kind(data: bytes) -> str:
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            streams = {"/".join(s) for s in ole.listdir()}
    except OSError:
        return "truncated"
    if "EncryptionInfo" in streams or "EncryptedPackage" in streams:
        return "encrypted"
    if "Workbook" in streams or "Book" in streams:
        return "xls"
    if "WordDocument" in streams:
        return "doc"
    return "unknown"


def _text_kind(head: bytes) -> str:
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = head.decode("cp1258")
        except UnicodeDecodeError:
            return "unknown"
    if any(ch in text for ch in "\x00\x01\x02\x03\x04\x05\x06\x07\x0e\x0f"):
        return "unknown"
    low = text.lstrip().lower()
    if low.startswith(("<!doctype html", "<html")) or "<html" in low[:2000] or "<table" in low[:2000]:
        return "html"
    lines = [ln for ln in text.splitlines()[:20] if ln.strip()]
    if lines and sum(1 for ln in lines if any(sep in ln for sep in ",;\t")) >= max(1, len(lines) // 2):
        return "csv"
    return "text"


def sniff(data: bytes) -> Sniffed:
    """Classify ``data`` by its magic bytes and structure, never by its file name."""
    if not data:
        return Sniffed("empty")
    if data.startswith(ZIP_MAGICS):
        return Sniffed(_zip_kind(data))
    if data.startswith(OLE_MAGIC):
        return Sniffed(_ole_kind(data))
    if data.startswith(b"%PDF"):
        return Sniffed("pdf")
    if data.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM")):
        return Sniffed("image")
    return Sniffed(_text_kind(data[:8192]))
