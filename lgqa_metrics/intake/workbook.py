"""Opening a workbook: its sheets' values through python-calamine, their fills on demand (:mod:`.fills`).

Before calamine sees a file, :func:`load_workbook` refuses a zip archive that declares absurd sizes
(:func:`lgqa_metrics.intake.sniff.zip_hazard`) and measures every sheet's extent from the raw parts
(:mod:`.extents`: xlsx cell and row references, ods repeat counts, xls cell records), so a stray cell at XFD1048576 or a repeated
row a million high is reported as ``sheet_too_large`` instead of being built as a grid. In a process
bounded in memory an .xlsx sheet is measured once calamine has built it instead (see ``bounded``).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, cast

import python_calamine as pc

from lgqa_metrics.domain.formatting import file_size
from lgqa_metrics.domain.i18n import Phrase
from lgqa_metrics.intake.extents import sheet_extents
from lgqa_metrics.intake.fills import load_fills
from lgqa_metrics.intake.parts import kept_for_reading
from lgqa_metrics.intake.sheets import NOT_ERRORS, SheetData, UnreadableWorkbook, is_absurd, reported, short_error
from lgqa_metrics.intake.sniff import ZIP_KINDS, Sniffed, ZipHazard, ZipInspection, inspect_zip

#: Formats whose sheets calamine builds all at once when the workbook is opened: one absurd sheet and the
#: workbook is not opened at all.
EAGER_KINDS: Final = frozenset({"xls", "ods"})


_NO_FILLS: Final[Mapping[tuple[int, int], str]] = MappingProxyType({})


@dataclass
class WorkbookData:
    """A workbook's sheets, with fills loaded only when asked for."""

    data: bytes
    kind: str
    sheets: list[SheetData]
    #: The archive's parts as the zip check unpacked them (zip formats), for the fills.
    archive: ZipInspection | None = field(default=None, repr=False)
    _fills: dict[str, dict[tuple[int, int], str]] | None = field(default=None, repr=False)

    def sheet_fills(self, sheet: str) -> Mapping[tuple[int, int], str]:
        """The solid fill colours (RRGGBB) of a sheet's cells by 0-based (row, column); supported for xlsx,
        xlsm, xls and ods."""
        if self._fills is None:
            skip = frozenset(s.name for s in self.sheets if s.too_large)
            self._fills = load_fills(self.data, self.kind, skip, self.archive)
        return self._fills.get(sheet, _NO_FILLS)


def import_readers() -> None:
    """Import what reading some workbooks needs besides calamine (openpyxl's colour table and reader, xlrd,
    defusedxml), so that a worker process pays for it once when it starts, not on a file that needs it."""
    import defusedxml.ElementTree  # noqa: F401
    import openpyxl.styles.colors  # noqa: F401
    import xlrd  # noqa: F401


def size_phrase(size: int) -> Phrase:
    """A byte count written the Vietnamese and the English way (``25,3 MB`` / ``25.3 MB``)."""
    return Phrase(file_size(size, "vi"), file_size(size, "en"))


def hazard_reason(hazard: ZipHazard) -> Phrase:
    """Why a zip archive is refused, in both languages (the ``reason`` of a ``zip_bomb`` issue)."""
    if hazard.reason in ("member_size", "total_size"):
        return Phrase.of(f"safety.zip_{hazard.reason}", part=hazard.part, size=size_phrase(hazard.amount),
                         limit=size_phrase(hazard.limit))
    if hazard.reason == "ratio":
        return Phrase.of("safety.zip_ratio", part=hazard.part, ratio=hazard.amount, limit=hazard.limit)
    if hazard.reason == "members":
        return Phrase.of("safety.zip_members", count=hazard.amount, limit=hazard.limit)
    return Phrase.of("safety.zip_damaged", part=hazard.part)


def load_workbook(data: bytes, sniffed: Sniffed, *, bounded: bool = False) -> WorkbookData:
    """Open a spreadsheet's sheets with calamine; raise :class:`UnreadableWorkbook` when it fails or when
    its archive must not be unpacked. Sheets whose extent is absurd come back empty with ``too_large``.

    By default every part of a zip archive is unpacked (within its declared size) and checked, and every
    sheet's extent is measured from the raw parts, before calamine builds anything: both guard the memory
    of the process that reads. A process already bounded in memory (the reader's worker) passes
    ``bounded``; then, for an .xlsx/.xlsm, the declared sizes of all parts, the prologs of the XML parts
    (for a document type) and the whole stylesheet are checked first, and a sheet is measured once calamine
    has built it, before any Python value is made. A part or sheet too large then exhausts the bound
    instead, and the file is read again without it (:func:`lgqa_metrics.intake.safety.read_isolated`); a part
    calamine cannot read is checked when it fails. Either way the verdict still names the part, or the
    sheet and cell. A part no reader opens (document properties, media) is judged by its declared size and
    prolog alone when bounded. .xls and .ods are always read with every check, since calamine builds all
    their sheets when it opens the file."""
    archive: ZipInspection | None = None
    checks_on_demand = bounded and sniffed.kind in {"xlsx", "xlsm"}
    if sniffed.kind in ZIP_KINDS:
        archive = inspect_zip(data, keep_bytes_of=kept_for_reading, check_whole_only=_read_first if checks_on_demand else None)
        _refuse(archive.hazard)
    try:
        return _load(data, sniffed, archive, bounded)
    except UnreadableWorkbook:
        if checks_on_demand:  # calamine met a part not checked yet: every part checked now, so the verdict names it
            _refuse(inspect_zip(data).hazard)
        raise


def _read_first(name: str) -> bool:
    """The only part a bounded read of an .xlsx checks before calamine opens it: the styles, which say
    whether any fill could be a rating (the other parts are checked, and read, when they are needed)."""
    return name == "xl/styles.xml"


def _refuse(hazard: ZipHazard | None) -> None:
    """Raise the :class:`UnreadableWorkbook` a zip hazard calls for (nothing for None)."""
    if hazard is None:
        return
    if hazard.reason == "damaged":
        raise UnreadableWorkbook("file_truncated", hazard.part)
    if hazard.reason == "dtd":
        raise UnreadableWorkbook("file_unreadable", hazard.part,
                                 fields={"detail": Phrase.of("safety.xml_dtd", part=hazard.part)})
    raise UnreadableWorkbook("zip_bomb", hazard.reason, fields={"reason": hazard_reason(hazard)})


def _load(data: bytes, sniffed: Sniffed, archive: ZipInspection | None, bounded: bool) -> WorkbookData:
    """:func:`load_workbook` once the archive has passed its check."""
    if not bounded or sniffed.kind in EAGER_KINDS:
        extents, fallback = sheet_extents(data, sniffed.kind, archive)
    else:  # each sheet's extent is checked once calamine has built it (an absurd one fails the worker first)
        extents, fallback = {}, (0, 0)
    absurd = {name: ext for name, ext in extents.items() if is_absurd(ext)}
    if sniffed.kind in EAGER_KINDS and (absurd or is_absurd(fallback)):
        refused = [SheetData(name, [], True, too_large=reported(ext)) for name, ext in absurd.items()]
        return WorkbookData(data, sniffed.kind, refused or [SheetData("", [], True, too_large=reported(fallback))],
                            archive)
    try:
        book = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except pc.PasswordError as exc:
        raise UnreadableWorkbook("file_encrypted") from exc
    except (pc.ZipError, zipfile.BadZipFile) as exc:
        raise UnreadableWorkbook("file_truncated", str(exc)) from exc
    except BaseException as exc:  # calamine raises several types for corrupt input, a Rust panic among them
        if isinstance(exc, NOT_ERRORS):
            raise
        raise UnreadableWorkbook("file_unreadable", short_error(exc)) from exc
    sheets: list[SheetData] = []
    for meta in book.sheets_metadata:
        if meta.typ != pc.SheetTypeEnum.WorkSheet:
            continue
        visible = meta.visible == pc.SheetVisibleEnum.Visible
        declared = extents.get(meta.name, fallback)
        if is_absurd(declared):
            sheets.append(SheetData(meta.name, [], visible, too_large=reported(declared)))
            continue
        try:
            sheet = book.get_sheet_by_name(meta.name)
            end_row, end_col = sheet.end or (0, 0)
            if is_absurd((end_row, end_col)):
                sheets.append(SheetData(meta.name, [], visible, too_large=(end_row, end_col)))
                continue
            rows = cast("list[list[object]]", sheet.to_python(skip_empty_area=False))
        except pc.PasswordError as exc:
            raise UnreadableWorkbook("file_encrypted") from exc
        except BaseException as exc:
            if isinstance(exc, NOT_ERRORS):
                raise
            raise UnreadableWorkbook("file_unreadable", short_error(exc)) from exc
        sheets.append(SheetData(meta.name, rows, visible))
    return WorkbookData(data, sniffed.kind, sheets, archive)
