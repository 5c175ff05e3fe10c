"""What a file really is, from its bytes: spreadsheet formats, or what else it is instead; and whether
its zip archive is safe to unpack (:func:`zip_hazard`), judged before any reader touches it."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final

import olefile

OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS: Final = (b"PK\x03\x04", b"PK\x05\x06")
SPREADSHEET_KINDS: Final = frozenset({"xlsx", "xlsm", "xls", "ods"})
ZIP_KINDS: Final = frozenset({"xlsx", "xlsm", "ods"})

#: Most parts a workbook archive may hold (a return has 10–30; a workbook with many sheets, a few hundred).
MAX_ZIP_MEMBERS: Final = 1000
#: Largest declared uncompressed size of one part, and of all parts together.
MAX_MEMBER_BYTES: Final = 100 * 1024 * 1024
MAX_TOTAL_BYTES: Final = 200 * 1024 * 1024
#: Highest compression ratio accepted for a part larger than :data:`RATIO_FLOOR_BYTES` (XML packs 5–20:1;
#: a zip bomb packs close to deflate's limit of about 1000:1).
MAX_RATIO: Final = 100
RATIO_FLOOR_BYTES: Final = 1024 * 1024
#: Largest part kept unpacked after its check for the reader to use (see :func:`inspect_zip`), and most kept
#: in all; a larger part is unpacked again when read.
KEEP_PART_BYTES: Final = 8 * 1024 * 1024
KEEP_TOTAL_BYTES: Final = 32 * 1024 * 1024
_CHUNK: Final = 1024 * 1024
#: Bytes of a part looked through for a document type when its prolog does not settle it (see
#: :func:`declares_dtd`); a part not checked whole is unpacked only as far as needed: first
#: :data:`PROLOG_BYTES` (the XML declaration and the root element's start fit in them), up to PEEK_BYTES.
PEEK_BYTES: Final = 4096
PROLOG_BYTES: Final = 128
#: White space between the items of an XML prolog.
_XML_SPACE: Final = re.compile(rb"[ \t\r\n]*")


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
                with zf.open("mimetype") as fh:  # a few bytes at most: never unpack a whole (hostile) part here
                    mime = fh.read(128).decode("ascii", "replace").strip()
                if mime == "application/vnd.oasis.opendocument.spreadsheet":
                    return "ods"
                return "docx" if "text" in mime else "zip"
    except Exception:  # zipfile raises many types for damaged archives (BadZipFile, zlib.error, struct.error…)
        return "truncated"
    return _kind_of_names(names)


def _kind_of_names(names: set[str]) -> str:
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
    except Exception:  # olefile raises OSError, but also IndexError, struct.error… on damaged containers
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


@dataclass(frozen=True, slots=True)
class ZipHazard:
    """Why a workbook's archive is not unpacked: ``reason`` is one of ``member_size``, ``total_size``,
    ``ratio``, ``members``, ``damaged`` or ``dtd`` (an XML part declaring a document type, the vehicle of
    entity-expansion bombs, which no spreadsheet writer emits); ``part`` names the part, ``amount`` and
    ``limit`` are bytes, a ratio or a count, as ``reason`` says."""

    reason: str
    part: str = ""
    amount: int = 0
    limit: int = 0


@dataclass(frozen=True)
class ZipInspection:
    """An archive as :func:`inspect_zip` found it: the ``hazard`` (None when it may be unpacked), its part
    names (None when it could not be listed) and the unpacked bytes of the parts asked to be kept."""

    hazard: ZipHazard | None
    names: tuple[str, ...] | None = None
    parts: Mapping[str, bytes] = field(default_factory=dict)


def zip_hazard(data: bytes, *, verify: bool = True) -> ZipHazard | None:
    """Judge a zip archive from its central directory before any reader unpacks it: too many parts, a part
    or the whole declaring too large an uncompressed size, or a part compressed beyond :data:`MAX_RATIO`.

    With ``verify`` every part is then unpacked (and thrown away) to check that it yields exactly its declared
    size with a matching CRC, so a part that lies about its size is caught too, and that no part declares a
    document type (:func:`declares_dtd`: entity declarations). An archive that cannot be listed at all is no
    hazard here: :func:`sniff` calls it truncated.
    """
    return inspect_zip(data, verify=verify).hazard


def inspect_zip(data: bytes, *, verify: bool = True, keep_bytes_of: Callable[[str], bool] | None = None,
                check_whole_only: Callable[[str], bool] | None = None) -> ZipInspection:
    """:func:`zip_hazard`, with the archive's part names and, when it may be unpacked, the bytes of every part
    whose name ``keep_bytes_of`` accepts (up to :data:`KEEP_PART_BYTES` each, :data:`KEEP_TOTAL_BYTES` in all),
    as the check unpacked them: a reader then need not unpack them again. With ``check_whole_only``, just the
    parts it accepts are unpacked and checked whole; of the others, the declared sizes are checked and each
    part's prolog is unpacked for a document type (:func:`declares_dtd`).

    :mod:`zipfile` lists and unpacks the archive; this module only judges what it declares and yields."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return _inspect(zf, verify, keep_bytes_of, check_whole_only)
    except Exception:  # not listable: sniff() has already called it truncated
        return ZipInspection(None)


def _inspect(zf: zipfile.ZipFile, verify: bool, keep_bytes_of: Callable[[str], bool] | None,
             check_whole_only: Callable[[str], bool] | None) -> ZipInspection:
    infos = zf.infolist()
    names = tuple(info.filename for info in infos)
    if len(infos) > MAX_ZIP_MEMBERS:
        return ZipInspection(ZipHazard("members", amount=len(infos), limit=MAX_ZIP_MEMBERS), names)
    total = 0
    for info in infos:
        if info.file_size > MAX_MEMBER_BYTES:
            return ZipInspection(ZipHazard("member_size", info.filename, info.file_size, MAX_MEMBER_BYTES), names)
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            return ZipInspection(ZipHazard("total_size", info.filename, total, MAX_TOTAL_BYTES), names)
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            return ZipInspection(ZipHazard("ratio", info.filename, ratio, MAX_RATIO), names)
    kept: dict[str, bytes] = {}
    if verify:
        room = KEEP_TOTAL_BYTES
        for info in infos:
            if info.is_dir():
                continue
            if check_whole_only is not None and not check_whole_only(info.filename):
                if _prolog_declares_dtd(zf, info):
                    return ZipInspection(ZipHazard("dtd", info.filename), names)
                continue
            wanted = keep_bytes_of is not None and info.file_size <= min(KEEP_PART_BYTES, room) and keep_bytes_of(info.filename)
            problem, content = _check_part(zf, info, wanted)
            if problem:
                return ZipInspection(ZipHazard(problem, info.filename), names)
            if content is not None:
                room += len(kept.get(info.filename, b"")) - len(content)
                kept[info.filename] = content  # a repeated name: the last one, as zipfile opens it
    return ZipInspection(None, names, kept)


def _check_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, keep: bool) -> tuple[str | None, bytes | None]:
    """``damaged`` unless ``info`` unpacks to its declared size with its CRC (zipfile stops at the declared
    size and checks the CRC of what came out, so a part hiding more data fails); ``dtd`` when the part
    declares a document type (:func:`declares_dtd`); else None. With ``keep``, the part's bytes when it
    passed. Unpacked chunk by chunk, so a part that lies about its size never takes more than a chunk."""
    produced = 0
    chunks: list[bytes] = []
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(_CHUNK):
                if not produced and declares_dtd(chunk):  # the first chunk holds PEEK_BYTES
                    return "dtd", None
                produced += len(chunk)
                if keep:
                    chunks.append(chunk)
    except Exception:  # bad CRC, unsupported method, encrypted part, damaged deflate stream
        return "damaged", None
    if produced != info.file_size:
        return "damaged", None
    return None, b"".join(chunks) if keep else None


def declares_dtd(head: bytes) -> bool:
    """True when a part beginning with ``head`` declares a document type: in its XML prolog, read until the
    root element begins; or, when the part does not begin with a prolog XML's grammar allows, or the prolog
    runs on, anywhere in its first :data:`PEEK_BYTES` (a document type stands nowhere else: after the root
    element has begun, every XML parser refuses one, and none expands its entities)."""
    head = head[:PEEK_BYTES]
    said = prolog_declares_dtd(head)
    return said if said is not None else b"<!DOCTYPE" in head


def _prolog_declares_dtd(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """:func:`declares_dtd` of a part not checked whole (whatever its name: a relationship may point a reader
    at any part), unpacking no more of it than that needs: its first :data:`PROLOG_BYTES` (where the root
    element begins, in every XML part a workbook writer makes), more only when the prolog goes on. (A part
    that cannot be unpacked is not peeked into: whoever reads it finds it bad.)"""
    try:
        with zf.open(info) as fh:
            head = fh.read(PROLOG_BYTES)
            said = prolog_declares_dtd(head)
            if said is not None:
                return said
            if len(head) == PROLOG_BYTES:  # more of the part: up to PEEK_BYTES in all
                head += fh.read(PEEK_BYTES - PROLOG_BYTES)
    except Exception:  # damaged, encrypted or unusually packed
        return False
    return declares_dtd(head)


def prolog_declares_dtd(head: bytes) -> bool | None:
    """Whether the XML prolog at the start of ``head`` (UTF-8, as every workbook writer makes its parts)
    declares a document type: True or False once that is certain (a ``<!DOCTYPE``, or the root element's
    start tag, after nothing but the declaration, processing instructions, comments and white space), None
    when ``head`` ends first or holds anything else."""
    pos = _after_space(head, 3 if head.startswith(b"\xef\xbb\xbf") else 0)
    while head.startswith((b"<?", b"<!--"), pos):  # the declaration, a processing instruction, a comment
        pi = head.startswith(b"<?", pos)
        end = head.find(b"?>" if pi else b"-->", pos + 2)
        if end < 0:
            return None
        pos = _after_space(head, end + (2 if pi else 3))
    if head.startswith(b"<!DOCTYPE", pos):
        return True
    if head[pos:pos + 1] == b"<" and head[pos + 1:pos + 2] not in (b"", b"?", b"!"):
        return False
    return None


def _after_space(head: bytes, pos: int) -> int:
    """Where the XML white space at ``pos`` in ``head`` ends."""
    space = _XML_SPACE.match(head, pos)
    return space.end() if space else pos
