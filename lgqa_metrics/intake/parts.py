"""The parts of a workbook's zip archive as the reader reads them: those the zip check already unpacked, any other
through :mod:`zipfile` (:class:`ArchiveParts`), and which part holds which sheet (:func:`sheet_parts`)."""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from functools import lru_cache
from typing import IO, Final

from lgqa_metrics.intake.sniff import ZipInspection


def kept_for_reading(name: str) -> bool:
    """The parts the zip check keeps unpacked: the XML the extent scan and the fills read (in a bounded read
    only the stylesheet is unpacked first, see :func:`lgqa_metrics.intake.workbook.load_workbook`)."""
    return name.lower().endswith((".xml", ".rels"))


class ArchiveParts:
    """An archive's parts: those the zip check kept, as it unpacked them; any other read through
    :mod:`zipfile` (the archive opened only then), which raises :class:`zipfile.BadZipFile` for a part that
    is not its declared size with its CRC."""

    def __init__(self, data: bytes, archive: ZipInspection | None) -> None:
        self.data = data
        self.kept = archive.parts if archive is not None else {}
        self._zf: zipfile.ZipFile | None = None
        self.names = list(archive.names) if archive is not None and archive.names is not None else self._zip().namelist()

    def _zip(self) -> zipfile.ZipFile:
        if self._zf is None:
            self._zf = zipfile.ZipFile(io.BytesIO(self.data))
        return self._zf

    def open(self, name: str) -> IO[bytes]:
        """The part ``name`` to read from."""
        if name in self.kept:
            return io.BytesIO(self.kept[name])
        return self._zip().open(name)

    def read(self, name: str, limit: int | None = 16 * 1024 * 1024) -> bytes:
        """The first ``limit`` bytes of the part ``name`` (all of it with None)."""
        with self.open(name) as fh:
            return fh.read(limit) if limit is not None else fh.read()

    def __enter__(self) -> ArchiveParts:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._zf is not None:
            self._zf.close()


def sheet_parts(zf: ArchiveParts) -> list[tuple[str, str]]:
    """(sheet name, part path) of every sheet listed in xl/workbook.xml whose part the archive holds."""
    names = zf.names
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return []
    folded = {n.lower(): n for n in names}
    parts: list[tuple[str, str]] = []
    for name, target in _listed_sheets(zf.read("xl/workbook.xml"), zf.read("xl/_rels/workbook.xml.rels")):
        path = folded.get(target.lower(), target)
        if path in names:
            parts.append((name, path))
    return parts


@lru_cache(maxsize=256)
def _listed_sheets(book_xml: bytes, rels_xml: bytes) -> tuple[tuple[str, str], ...]:
    """(sheet name, part path) of every sheet xl/workbook.xml lists, its path as the relationships give it
    (the same two parts in every return made from one template: cached)."""
    book = book_xml.decode("utf-8", "replace")
    rels = rels_xml.decode("utf-8", "replace")
    targets = dict(_REL_ID_TARGET.findall(rels))
    targets |= {rid: tgt for tgt, rid in _REL_TARGET_ID.findall(rels)}
    parts: list[tuple[str, str]] = []
    for tag in _SHEET_TAG.findall(book):
        name = _NAME_ATTR.search(tag)
        rid = _ID_ATTR.search(tag)
        if not name or not rid:
            continue
        target = targets.get(rid.group(1) or rid.group(2) or "", "")
        parts.append((_unescape(name.group(1)),
                      posixpath.normpath(target.lstrip("/") if target.startswith("/") else f"xl/{target}")))
    return tuple(parts)


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'").replace("&amp;", "&")


#: Sheet entries of xl/workbook.xml and their relationships (either attribute order), theme colours, fills.
_REL_ID_TARGET: Final = re.compile(r'<Relationship\b[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"')


_REL_TARGET_ID: Final = re.compile(r'<Relationship\b[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"')


_SHEET_TAG: Final = re.compile(r"<(?:\w+:)?sheet\b[^>]*>")


_NAME_ATTR: Final = re.compile(r'\bname="([^"]*)"')


_ID_ATTR: Final = re.compile(r'\br:id="([^"]*)"|\bid="([^"]*)"')


# The fast path, for parts as every writer makes them: each cell and row tag unprefixed, its ``r`` first.
CELL_TAG: Final = re.compile(rb"<(?:[\w.-]+:)?c(?=[\s/>])")


UNPREFIXED_CELL_TAG: Final = re.compile(rb"<c[\s/>]")


#: Bytes of a worksheet part read at a time while measuring it.
_SCAN_CHUNK: Final = 1024 * 1024


def column_number(letters: bytes) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + (ch - 64)
    return number


def tag_bounded_chunks(fh: IO[bytes]) -> Iterator[bytes]:
    """A worksheet part in chunks that each end before a tag (tags hold no '<'); UTF-16 re-encoded."""
    head = fh.read(_SCAN_CHUNK)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:200]:
        head = (head + fh.read()).decode("utf-16").encode("utf-8")
    carry = b""
    chunk = head
    while chunk:
        text = carry + chunk
        cut = text.rfind(b"<")
        body, carry = (text[:cut], text[cut:]) if cut > 0 else (text, b"")
        yield body
        chunk = fh.read(_SCAN_CHUNK)
    if carry:
        yield carry
