"""The audit trail for people: action labels in both languages, the filter of the Audit page, the
table newest first, and its Excel and CSV exports. No Streamlit here."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import pandas as pd
import sqlalchemy as sa
import xlsxwriter
from sqlalchemy.engine import Engine

from lgqa_metrics.analysis.export import SAFE_XLSX_OPTIONS, inert_frame
from lgqa_metrics.domain.formatting import LOCAL_TZ, local_today, stored_time
from lgqa_metrics.domain.i18n import has, t
from lgqa_metrics.domain.roles import UNKNOWN_ACTOR
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


def _value(value: object) -> str:
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return ", ".join(_value(v) for v in value)
    return "–" if value is None else str(value)


def details_text(details: object) -> str:
    """The JSON details of an entry as one readable line: ``role: staff · reason: sai số liệu``."""
    if not isinstance(details, str) or not details.strip():
        return ""
    try:
        parsed = json.loads(details)
    except ValueError:
        return details
    if not isinstance(parsed, dict):
        return _value(parsed)
    return " · ".join(f"{k}: {_value(v)}" for k, v in parsed.items())


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
        "target": log["target"].fillna("").astype(str),
        "file": [str(h)[:HASH_SHOWN] if isinstance(h, str) else "" for h in log["file_sha256"]],
        "details": [details_text(d) for d in log["details"]],
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
