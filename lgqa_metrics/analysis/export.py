"""Exports of the long ratings table: CSV (UTF-8 with BOM) and formatted Excel workbooks.

No exported cell is ever a live formula. Evidence and notes are typed by units and may begin with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return (by accident, or as a planted ``=HYPERLINK(…)``): Excel
writes every text as a string cell (``write_string``, and the workbook does not turn strings into
formulas, numbers or links); CSV, which Excel re-interprets when opened, gets such text prefixed with
``'`` (:func:`inert`)."""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Final, Literal

import pandas as pd
import xlsxwriter

from lgqa_metrics.domain.catalogue import Catalogue, default_catalogue
from lgqa_metrics.domain.evidence import status_labels
from lgqa_metrics.domain.i18n import t
from lgqa_metrics.domain.lineage import Lineage
from lgqa_metrics.domain.ratings import Rating
from lgqa_metrics.domain.units import TYPE_LABELS, UnitRegistry, UnitType

#: The export's columns, in order, with their Vietnamese and English headers.
EXPORT_COLUMNS: Final[dict[str, tuple[str, str]]] = {
    "unit_id": ("Mã đơn vị", "Unit id"),
    "unit_name": ("Tên đơn vị", "Unit"),
    "unit_type": ("Loại đơn vị", "Unit type"),
    "unit_valid_from": ("Đơn vị hiệu lực từ", "Unit valid from"),
    "unit_valid_to": ("Đơn vị hiệu lực đến", "Unit valid to"),
    "predecessor_ids": ("Đơn vị tiền thân", "Predecessors"),
    "successor_ids": ("Đơn vị kế thừa", "Successors"),
    "year": ("Năm", "Year"),
    "quadrant": ("Góc phần tư", "Quadrant"),
    "indicator_code": ("Mã chỉ số", "Indicator code"),
    "indicator_name": ("Tên chỉ số", "Indicator"),
    "rating": ("Kết quả", "Rating"),
    "rating_label": ("Kết quả (chữ)", "Rating (label)"),
    "self_rating": ("Kết quả tự đánh giá", "Self-assessed rating"),
    "appraised": ("Đã thẩm định", "Appraised"),
    "score": ("Điểm (Đỏ 0, Vàng 1, Xanh 2)", "Score (red 0, yellow 1, green 2)"),
    "evidence": ("Minh chứng", "Evidence"),
    "evidence_status": ("Tình trạng minh chứng", "Evidence status"),
    "note": ("Ghi chú", "Note"),
    "version": ("Phiên bản", "Version"),
    "file_name": ("Tệp gốc", "Original file"),
}
Headers = Literal["codes", "vi", "en"]
#: First characters that make a spreadsheet read a CSV field as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS: Final = ("=", "+", "-", "@", "\t", "\r")
#: xlsxwriter options for every workbook we write: text stays text, whatever it looks like.
SAFE_XLSX_OPTIONS: Final = {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                            "strings_to_urls": False}
#: The same for the ratings export, which can be hundreds of thousands of rows: written row by row
#: (``constant_memory``: each row goes to a temporary file once the next begins, strings inline), so memory stays
#: flat however many rows there are; NaN and infinity become error cells.
EXPORT_XLSX_OPTIONS: Final = {**{k: v for k, v in SAFE_XLSX_OPTIONS.items() if k != "in_memory"},
                              "constant_memory": True, "nan_inf_to_errors": True}
#: Rows of an Excel export turned into Python values at a time.
_ROWS_AT_ONCE: Final = 4096
_WIDTHS: Final = {"unit_id": 14, "unit_name": 22, "unit_type": 10, "unit_valid_from": 11, "unit_valid_to": 11,
                  "predecessor_ids": 18, "successor_ids": 18, "year": 7, "quadrant": 8, "indicator_code": 9,
                  "indicator_name": 44, "rating": 10, "rating_label": 14, "self_rating": 12, "appraised": 10, "score": 9, "evidence": 40, "evidence_status": 16,
                  "note": 32,
                  "version": 9, "file_name": 30}


def unit_lineage(unit_ids: Sequence[str], registry: UnitRegistry, lineage: Lineage) -> pd.DataFrame:
    """Per unit id: its validity dates (ISO, empty when open) and its direct predecessors' and successors' ids
    (``;``-separated), the lineage columns of an export."""
    rows = []
    for uid in unit_ids:
        unit = registry.get(uid)
        rows.append({"unit_id": uid,
                     "unit_valid_from": unit.valid_from.isoformat() if unit and unit.valid_from else "",
                     "unit_valid_to": unit.valid_to.isoformat() if unit and unit.valid_to else "",
                     "predecessor_ids": ";".join(k.from_id for k in lineage.predecessors(uid)),
                     "successor_ids": ";".join(k.to_id for k in lineage.successors(uid))})
    return pd.DataFrame(rows, columns=["unit_id", "unit_valid_from", "unit_valid_to", "predecessor_ids",
                                       "successor_ids"])


def export_frame(ratings: pd.DataFrame, lang: str = "vi", catalogue: Catalogue | None = None, *,
                 registry: UnitRegistry | None = None, lineage: Lineage | None = None) -> pd.DataFrame:
    """The export table from :meth:`Store.ratings` output, in :data:`EXPORT_COLUMNS` order: ``rating`` is the rating
    counted (on the basis ``ratings`` was given, see :mod:`lgqa_metrics.analysis.basis`), beside the unit's own and
    whether the return has been appraised; with a ``registry`` and ``lineage``, each unit's validity and its
    predecessors and successors (:func:`unit_lineage`)."""
    cat = catalogue or default_catalogue()
    out = ratings.copy()
    if registry is not None and lineage is not None and not out.empty:
        ids = out["unit_id"].astype(str)
        per_unit = unit_lineage(sorted(ids.unique()), registry, lineage).set_index("unit_id")
        out = out.assign(**{c: ids.map(per_unit[c]).to_numpy() for c in per_unit.columns})
    if lang == "en" and "indicator_name_en" in out:
        out["indicator_name"] = out["indicator_name_en"]
    out["rating_label"] = out["rating"].map({r.value: cat.scale[r].label(lang) for r in Rating})
    if "self_rating" not in out:  # ratings as stored: the self-assessment, none appraised
        out["self_rating"], out["appraised"] = out["rating"], False
    out["appraised"] = [t("appraisal.yes" if bool(v) else "appraisal.no", lang) for v in out["appraised"]]
    if "evidence_status" in out:
        out["evidence_status"] = out["evidence_status"].astype(str).map(
            status_labels(lang))
    return out.reindex(columns=list(EXPORT_COLUMNS)).reset_index(drop=True)


def _headers(frame: pd.DataFrame, headers: Headers) -> pd.DataFrame:
    """Machine column names and codes, or headers and unit types in Vietnamese or English."""
    if headers == "codes":
        return frame
    idx = 0 if headers == "vi" else 1
    labels = {t.value: TYPE_LABELS[t][idx] for t in UnitType}
    shown = frame.assign(unit_type=frame["unit_type"].map(labels).fillna(frame["unit_type"])) \
        if "unit_type" in frame else frame
    return shown.rename(columns={k: v[idx] for k, v in EXPORT_COLUMNS.items()})


def inert(value: object) -> object:
    """``value`` made safe for a CSV field: text a spreadsheet would run as a formula gets a leading ``'``
    (which Excel shows as a text marker); anything else is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def inert_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with :func:`inert` applied to every text cell and header (numbers stay numbers)."""
    shown = frame.rename(columns={c: inert(c) for c in frame.columns if isinstance(c, str)})
    text = [c for c in shown.columns if not pd.api.types.is_numeric_dtype(shown[c])]
    return shown.assign(**{str(c): _inert_column(shown[c]) for c in text}) if text else shown


def _inert_column(column: pd.Series) -> pd.Series:
    """:func:`inert` over one column, vectorised: only its text values that would start a formula change."""
    try:
        risky = column.str.startswith(FORMULA_TRIGGERS, na=False)
    except AttributeError:  # no text in the column at all
        return column
    if not risky.any():
        return column
    return column.mask(risky, "'" + column[risky].astype(str))


def _cell_values(column: pd.Series) -> list[object]:
    """A column's values as Python objects, every missing one (None, NaN, NA, NaT) as None."""
    plain = column.astype(object)
    return plain.where(plain.notna(), None).tolist()


def _rows(frame: pd.DataFrame, chunk: int = _ROWS_AT_ONCE) -> Iterator[tuple[object, ...]]:
    """The rows of ``frame`` as tuples of Python values (missing ones None), converted column by column a
    block of rows at a time (so that a large export never holds all its cells as Python objects at once)."""
    if not len(frame.columns):
        yield from [()] * len(frame)
        return
    for start in range(0, len(frame), chunk):
        block = frame.iloc[start:start + chunk]
        yield from zip(*(_cell_values(block.iloc[:, c]) for c in range(len(block.columns))), strict=True)


#: The CSV variants offered: the standard one (comma), and the one Excel opens in columns on a computer with
#: Vietnamese regional settings, whose list separator is the semicolon (a comma file opens there in one column).
CSV_SEPARATORS: Final = {"standard": ",", "excel-vn": ";"}


def csv_bytes(frame: pd.DataFrame, headers: Headers = "codes", *, separator: str = ",") -> bytes:
    """CSV in UTF-8 with a byte-order mark, so Excel shows Vietnamese correctly; text that would start a
    formula is neutralised (:func:`inert`). Lines end in CRLF (RFC 4180), so a field holding a carriage
    return or a line break is quoted and stays one field; so is a field holding the ``separator`` (``;`` for
    Excel with Vietnamese regional settings, see :data:`CSV_SEPARATORS`)."""
    return inert_frame(_headers(frame, headers)).to_csv(index=False, sep=separator,
                                                        lineterminator="\r\n").encode("utf-8-sig")


def xlsx_bytes(frame: pd.DataFrame, filters: Mapping[str, Sequence[object]] | None = None,
               headers: Headers = "vi", catalogue: Catalogue | None = None) -> bytes:
    """A formatted workbook: header row frozen with an autofilter, rating cells filled with their colour,
    sensible widths, and a second sheet listing the filters used."""
    cat = catalogue or default_catalogue()
    lang = "en" if headers == "en" else "vi"
    shown = _headers(frame, headers)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, EXPORT_XLSX_OPTIONS)
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    plain = wb.add_format({"valign": "top"})
    rating_fmt = {
        r.value: wb.add_format({"bg_color": cat.scale[r].colour, "valign": "top", "bold": True,
                                "font_color": "#FFFFFF" if r in (Rating.RED, Rating.GREEN) else "#000000"})
        for r in Rating
    }
    sheet_name = "Dữ liệu" if lang == "vi" else "Data"
    ws = wb.add_worksheet(sheet_name)
    columns = list(frame.columns)
    for c, title in enumerate(shown.columns):
        ws.write_string(0, c, str(title), head)
        key = columns[c]
        ws.set_column(c, c, _WIDTHS.get(key, 14), wrap if key in {"indicator_name", "evidence", "note"} else plain)
    ratings = frame["rating"].tolist() if "rating" in frame else [None] * len(frame)
    coloured = {c for c, key in enumerate(columns) if key in ("rating", "rating_label")}
    write_string, write_number = ws.write_string, ws.write_number
    for r, row in enumerate(_rows(shown), start=1):
        fill = rating_fmt.get(str(ratings[r - 1]))
        for c, value in enumerate(row):
            if value is None:  # a blank without a format: nothing to write
                continue
            fmt = fill if c in coloured else None
            kind = value.__class__
            if kind is str:
                write_string(r, c, value, fmt)
            elif kind is int or kind is float:
                write_number(r, c, value, fmt)
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                write_number(r, c, float(value) if isinstance(value, float) else int(value), fmt)
            else:
                write_string(r, c, str(value), fmt)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(frame), 1), max(len(columns) - 1, 0))
    info = wb.add_worksheet("Bộ lọc" if lang == "vi" else "Filters")
    info.set_column(0, 0, 28)
    info.set_column(1, 1, 80)
    info.write_string(0, 0, "Bộ lọc đã dùng" if lang == "vi" else "Filters used", head)
    info.write_string(0, 1, "Giá trị" if lang == "vi" else "Values", head)
    rows = list((filters or {}).items())
    for i, (name, values) in enumerate(rows, start=1):
        info.write_string(i, 0, str(name))
        info.write_string(i, 1, ", ".join(str(v) for v in values) if values else ("(tất cả)" if lang == "vi" else "(all)"))
    info.write_string(len(rows) + 2, 0, "Số dòng" if lang == "vi" else "Rows")
    info.write_number(len(rows) + 2, 1, len(frame))
    wb.close()
    return buf.getvalue()


def write_export(frame: pd.DataFrame, path: Path, fmt: str, filters: Mapping[str, Sequence[object]] | None = None,
                 headers: Headers = "codes", separator: str = ",") -> None:
    """Write ``frame`` to ``path`` as ``csv`` (fields separated by ``separator``) or ``xlsx``."""
    data = csv_bytes(frame, headers, separator=separator) if fmt == "csv" else xlsx_bytes(frame, filters, headers)
    path.write_bytes(data)
