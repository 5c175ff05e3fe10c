"""The audit trail for people: action labels in both languages, the filter of the Audit page, the
table newest first, and its Excel and CSV exports. No Streamlit here."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import pandas as pd
import sqlalchemy as sa
import xlsxwriter
from sqlalchemy.engine import Engine

from lgqa_metrics.analysis.export import SAFE_XLSX_OPTIONS, inert_frame
from lgqa_metrics.analysis.filters import type_label
from lgqa_metrics.domain.catalogue import default_catalogue
from lgqa_metrics.domain.formatting import LOCAL_TZ, local_today, number, stored_time
from lgqa_metrics.domain.i18n import has, t
from lgqa_metrics.domain.ratings import Rating
from lgqa_metrics.domain.roles import UNKNOWN_ACTOR
from lgqa_metrics.domain.units import UnitType, default_registry
from lgqa_metrics.intake.sheets import column_letters
from lgqa_metrics.store.audit import ACTIONS, audit_count, audit_log
from lgqa_metrics.store.schema import audit_t

#: Most entries read for one view or export.
LIMIT: Final = 5000
#: Entries shown on one page of the Audit trail.
PAGE: Final = 200
#: Columns of the table, in order.
COLUMNS: Final = ("at", "actor", "role", "action", "target", "file", "details")
_WIDTHS: Final = {"at": 19, "actor": 22, "role": 16, "action": 30, "target": 22, "file": 14, "details": 70}
HASH_SHOWN: Final = 12


def action_label(action: str, lang: str = "vi") -> str:
    """"Đăng nhập" / "Sign-in" … for an audit action (the action itself when it has no label)."""
    key = f"audit.{action}"
    return t(key, lang) if has(key) else action


def role_label(role: str, lang: str = "vi") -> str:
    """The role's name in ``lang`` (the stored word when unknown)."""
    key = f"role.{role}"
    return t(key, lang) if has(key) else role


def when(value: object, lang: str = "vi") -> str:
    """A stored UTC time as local time: ``24/11/2026 15:30:05`` (vi) or ``2026-11-24 15:30:05`` (en)."""
    return stored_time(value, lang, seconds=True)


#: Detail fields holding a count (shown in the reader's number format); other numbers are ids or years.
_COUNTS: Final = frozenset({"failures", "rows", "sessions_ended", "units", "registry_units", "returns", "submissions",
                            "ratings", "truncated"})
#: Detail fields holding a file's hash (shortened like the table's file column).
_HASHES: Final = frozenset({"previous_sha256"})
_ISO_DAY: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
_RATINGS: Final = frozenset(r.value for r in Rating)
_UNIT_TYPES: Final = frozenset(u.value for u in UnitType)


def _label(group: str, key: str, lang: str) -> str:
    """The name of a recorded field (``audit.d_…`` or, inside filters, ``audit.f_…``); the key itself when the
    catalogue has no name for it (a field written by a later version)."""
    name = f"audit.{group}_{key}"
    return t(name, lang) if has(name) else key


def _word(prefix: str, code: object, lang: str) -> str:
    """A recorded code in words (``audit.reason_another_connection``…), else the text as recorded (a reason an
    administrator typed)."""
    name = f"audit.{prefix}_{str(code).replace(' ', '_')}"
    return t(name, lang) if has(name) else str(code)


def _plain(value: object, lang: str, *, count: bool = False) -> str:
    """One recorded value: a count in the reader's format, a day in the reader's order, text as it is."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return number(value, lang, 0 if float(value).is_integer() else 1) if count else str(value)
    text = str(value)
    if _ISO_DAY.fullmatch(text):
        return dt.date.fromisoformat(text).strftime("%d/%m/%Y" if lang == "vi" else "%Y-%m-%d")
    return text


def _layout_role(role: str, lang: str) -> str:
    """A column's role in a confirmed mapping ("Mức đánh giá"…), as the mapping form names it."""
    return t(f"layout.role_{role}", lang) if has(f"layout.role_{role}") else role


def _column(index: object) -> str:
    """A 0-based column index as its letters (2 → C)."""
    text = str(index)
    return column_letters(int(text) + 1) if text.isdigit() else text


def _rating(value: object, lang: str) -> str:
    """A rating code in words ("red" → "Đỏ")."""
    return default_catalogue().scale[Rating(str(value))].label(lang) if str(value) in _RATINGS else str(value)


def _filter_values(key: str, values: object, lang: str) -> str:
    """The chosen values of one filter of an export, in words."""
    items = list(values) if isinstance(values, (list, tuple)) else [values]
    if key == "actions":
        shown = [action_label(str(v), lang) for v in items]
    elif key == "unit_types":
        shown = [type_label(str(v), lang) if str(v) in _UNIT_TYPES else str(v) for v in items]
    elif key == "units":
        shown = [default_registry().name_of(str(v), lang) for v in items]
    elif key == "quadrants":
        quadrants = default_catalogue().quadrants
        shown = [quadrants[int(str(v))].roman if str(v).isdigit() and int(str(v)) in quadrants else str(v)
                 for v in items]
    elif key == "ratings":
        shown = [_rating(v, lang) for v in items]
    else:
        shown = [_plain(v, lang) for v in items]
    return ", ".join(shown)


def _filters(filters: object, lang: str) -> str:
    """An export's filters: each one chosen with its values, or that there were none."""
    if not isinstance(filters, Mapping):
        return _plain(filters, lang)
    chosen = [f"{_label('f', str(k), lang)}: {_filter_values(str(k), v, lang)}" for k, v in filters.items()
              if v not in (None, "", [], ())]
    return "; ".join(chosen) or t("audit.f_none", lang)


def _detail(key: str, value: object, lang: str) -> str:
    """One field of an entry's details in words, by what the field holds."""
    if key == "filters":
        return _filters(value, lang)
    if key == "role":
        return role_label(str(value), lang)
    if key == "reason":
        return _word("reason", value, lang)
    if key == "what":
        return _word("what", value, lang)
    if key in _HASHES and isinstance(value, str):
        return value[:HASH_SHOWN]
    if key == "columns" and isinstance(value, Mapping):  # a confirmed mapping: each role's column
        return "; ".join(f"{_layout_role(str(r), lang)}: {_column(c)}" for r, c in value.items())
    if key == "colours" and isinstance(value, Mapping):  # a confirmed mapping: the rating each fill colour means
        return "; ".join(f"{_column(c)}: {_rating(v, lang)}" for c, v in value.items())
    if isinstance(value, Mapping):  # e.g. rows per table of a migrated store
        return "; ".join(f"{k} {_plain(v, lang, count=key in _COUNTS)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(_plain(v, lang, count=key in _COUNTS) for v in value)
    return _plain(value, lang, count=key in _COUNTS)


def details_text(details: object, lang: str = "vi") -> str:
    """The JSON details of an entry as one line in ``lang``: each field by its name and its value in words,
    ``Lý do: tài khoản bị vô hiệu hóa · Địa chỉ máy: 10.0.0.5``. Text that is not JSON is shown as it is."""
    if not isinstance(details, str) or not details.strip():
        return ""
    try:
        parsed = json.loads(details)
    except ValueError:
        return details
    if not isinstance(parsed, dict):
        return _detail("", parsed, lang)
    return " · ".join(f"{_label('d', str(k), lang)}: {_detail(str(k), v, lang)}" for k, v in parsed.items())


def target_text(action: str, target: object, lang: str = "vi") -> str:
    """What an entry was about, in words where the target is a recorded code: the file of a refused download
    (``ratings.xlsx`` → "bảng đánh giá (xlsx)"), a CSV variant, the size of a synthetic dataset. Unit-years,
    names and files are shown as they are."""
    text = "" if target is None or (isinstance(target, float) and pd.isna(target)) else str(target)
    if action == "export" and text == "csv (excel-vn)":
        return t("audit.target_csv_excel_vn", lang)
    if action == "download_refused":
        if found := re.fullmatch(r"(ratings|audit)\.(\w+)", text):
            return f"{t(f'audit.what_{found[1]}', lang)} ({found[2]})"
        if found := re.fullmatch(r"(template|original|marked) (.+)", text):
            return f"{t(f'audit.what_{found[1]}', lang)} {found[2]}"
        if found := re.fullmatch(r"reference (units|catalogue)", text):
            return t(f"audit.what_reference_{found[1]}", lang)
    if action == "synthetic_data" and (found := re.fullmatch(r"(\d+) units, (.+)", text)):
        return t("audit.target_synthetic", lang, units=number(int(found[1]), lang), years=found[2])
    return text


@dataclass(frozen=True)
class AuditFilter:
    """The Audit page's choices: actions, actors and a range of local dates (empty or None: all)."""

    actions: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def bounds(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """The date range as UTC times: from the first day's local midnight to the last day's end."""
        since = until = None
        if self.date_from is not None:
            since = dt.datetime.combine(self.date_from, dt.time(), LOCAL_TZ).astimezone(dt.UTC)
        if self.date_to is not None:
            end = dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time(), LOCAL_TZ)
            until = (end - dt.timedelta(microseconds=1)).astimezone(dt.UTC)
        return since, until

    def read(self, engine: Engine, limit: int = LIMIT, offset: int = 0) -> pd.DataFrame:
        """The matching entries, newest first: at most ``limit`` after the first ``offset``."""
        since, until = self.bounds()
        return audit_log(engine, actions=self.actions, actors=self.actors, since=since, until=until, limit=limit,
                         offset=offset)

    def count(self, engine: Engine) -> int:
        """How many entries match."""
        since, until = self.bounds()
        return audit_count(engine, actions=self.actions, actors=self.actors, since=since, until=until)

    def describe(self, lang: str = "vi") -> dict[str, list[str]]:
        """The choices in words, for the export's filter sheet (an empty list means all)."""
        def day(value: dt.date | None) -> list[str]:
            return [value.strftime("%d/%m/%Y" if lang == "vi" else "%Y-%m-%d")] if value else []

        return {t("audit.f_actions", lang): [action_label(a, lang) for a in self.actions],
                t("audit.f_actors", lang): list(self.actors),
                t("audit.f_from", lang): day(self.date_from),
                t("audit.f_to", lang): day(self.date_to)}

    def to_json(self) -> dict[str, object]:
        """The choices as plain data, for the audit entry of an export."""
        return {"actions": list(self.actions), "actors": list(self.actors),
                "from": self.date_from.isoformat() if self.date_from else None,
                "to": self.date_to.isoformat() if self.date_to else None}


def actors(engine: Engine) -> list[str]:
    """Everyone who appears in the audit trail, sorted."""
    with engine.connect() as conn:
        return sorted(str(a) for a in conn.execute(sa.select(audit_t.c.actor).distinct()).scalars())


def action_options() -> tuple[str, ...]:
    """Every action that can be recorded, in the order of :data:`lgqa_metrics.store.audit.ACTIONS`."""
    return tuple(ACTIONS)


def audit_table(log: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """Entries from :func:`lgqa_metrics.store.audit.audit_log` for people, in the order given (newest first):
    local time, actor, role, action, target, the file's hash shortened, and the details in words."""
    shown = pd.DataFrame({
        "at": [when(v, lang) for v in log["at"]],
        "actor": log["actor"].astype(str),
        "role": [role_label(str(r), lang) if a != UNKNOWN_ACTOR else "—" for a, r in zip(log["actor"], log["role"],
                                                                                        strict=True)],
        "action": [action_label(str(a), lang) for a in log["action"]],
        "target": [target_text(str(a), g, lang) for a, g in zip(log["action"], log["target"], strict=True)],
        "file": [str(h)[:HASH_SHOWN] if isinstance(h, str) else "" for h in log["file_sha256"]],
        "details": [details_text(d, lang) for d in log["details"]],
    }, columns=list(COLUMNS))
    return shown.rename(columns={c: t(f"audit.col_{c}", lang) for c in COLUMNS})


def csv_bytes(table: pd.DataFrame) -> bytes:
    """The table as CSV in UTF-8 with a byte-order mark (Excel then shows Vietnamese correctly)."""
    return inert_frame(table).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def xlsx_bytes(table: pd.DataFrame, filters: Mapping[str, Sequence[object]], lang: str = "vi") -> bytes:
    """The table as a workbook: header row frozen with an autofilter, readable widths, wrapped details,
    and a second sheet listing the filters used."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, SAFE_XLSX_OPTIONS)
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "valign": "top"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    plain = wb.add_format({"valign": "top"})
    ws = wb.add_worksheet(t("audit.sheet", lang))
    for c, (key, title) in enumerate(zip(COLUMNS, table.columns, strict=True)):
        ws.write_string(0, c, str(title), head)
        ws.set_column(c, c, _WIDTHS[key], wrap if key == "details" else plain)
    for r, row in enumerate(table.itertuples(index=False), start=1):
        for c, value in enumerate(row):
            ws.write_string(r, c, "" if value is None else str(value))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(table), 1), len(COLUMNS) - 1)
    info = wb.add_worksheet(t("audit.sheet_filters", lang))
    info.set_column(0, 0, 28)
    info.set_column(1, 1, 80)
    info.write_string(0, 0, t("audit.x_filter", lang), head)
    info.write_string(0, 1, t("audit.x_values", lang), head)
    rows = list(filters.items())
    for i, (name, values) in enumerate(rows, start=1):
        info.write_string(i, 0, str(name))
        info.write_string(i, 1, ", ".join(str(v) for v in values) if values else t("audit.x_all", lang))
    info.write_string(len(rows) + 2, 0, t("audit.x_rows", lang))
    info.write_number(len(rows) + 2, 1, len(table))
    wb.close()
    return buf.getvalue()


def file_name(ext: str, lang: str = "vi", today: dt.date | None = None) -> str:
    """``nhat-ky-he-thong-2026-11-24.xlsx`` (vi) or ``audit-trail-2026-11-24.xlsx`` (en)."""
    return t("audit.file", lang, date=(today or local_today()).isoformat(), ext=ext)
