"""Column mappings in the store: staff confirm one for a layout the reader could not infer, every later file
of that layout is read with it, admins list and delete them; each step is in the audit trail."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lgqa_metrics.domain.catalogue import default_catalogue
from lgqa_metrics.domain.formatting import stored_time
from lgqa_metrics.domain.i18n import t
from lgqa_metrics.domain.roles import Actor, Role, require
from lgqa_metrics.intake.mapping import MAPPABLE_ROLES, LayoutMapping
from lgqa_metrics.intake.sheets import column_letters
from lgqa_metrics.store import audit
from lgqa_metrics.store.frames import frame_of_records
from lgqa_metrics.store.schema import layout_mappings_t as table

if TYPE_CHECKING:
    import pandas as pd


class MappingError(ValueError):
    """A mapping that cannot be used: ``problems`` are keys of ``mapping.need_*`` messages."""

    def __init__(self, problems: tuple[str, ...]) -> None:
        super().__init__(", ".join(problems))
        self.problems = problems


def stored(engine: Engine) -> dict[str, LayoutMapping]:
    """Every confirmed mapping by fingerprint."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(table)).all()
    return {r.fingerprint: LayoutMapping.from_json(r.fingerprint, r.headers, r.mapping, r.confirmed_by,
                                                   _iso(r.confirmed_at)) for r in rows}


def confirm(engine: Engine, actor: Actor | None, mapping: LayoutMapping, *, file: str = "", sheet: str = "") -> None:
    """Store ``mapping`` as confirmed by ``actor`` (staff), replacing one for the same layout; audited."""
    who = require(actor, Role.STAFF, "confirm a column mapping")
    if mapping.problems():
        raise MappingError(mapping.problems())
    with engine.begin() as conn:
        conn.execute(table.delete().where(table.c.fingerprint == mapping.fingerprint))
        conn.execute(table.insert().values(
            fingerprint=mapping.fingerprint, headers=json.dumps(list(mapping.headers), ensure_ascii=False),
            mapping=mapping.to_json(), confirmed_by=who.username[:200], confirmed_at=dt.datetime.now(dt.UTC)))
        audit.record(conn, who, "layout_mapping_confirmed", target=mapping.fingerprint,
                     details={"file": file, "sheet": sheet, "columns": dict(mapping.columns),
                              "colours": {str(c): r.value for c, r in mapping.colours.items()}})


def delete(engine: Engine, actor: Actor | None, fingerprint: str) -> bool:
    """Delete one mapping (admins); audited. False when there was none."""
    who = require(actor, Role.ADMIN, "delete a column mapping")
    with engine.begin() as conn:
        gone = conn.execute(table.delete().where(table.c.fingerprint == fingerprint)).rowcount
        if gone:
            audit.record(conn, who, "layout_mapping_deleted", target=fingerprint)
    return bool(gone)


def mappings_table(mappings: dict[str, LayoutMapping], lang: str = "vi") -> pd.DataFrame:
    """The mappings for people: the header's titles, each role's column, who confirmed it and when."""
    rows, scale = [], default_catalogue().scale
    for m in mappings.values():
        ordered = sorted(m.columns.items(), key=lambda item: MAPPABLE_ROLES.index(item[0]))
        roles = [f"{t(f'layout.role_{role}', lang)}: {column_letters(col + 1)}" for role, col in ordered]
        roles += [f"{column_letters(col + 1)}: {scale[rating].label(lang)}" for col, rating in m.colours.items()]
        rows.append({"fingerprint": m.fingerprint[:8], "headers": " | ".join(h for h in m.headers if h),
                     "columns": "; ".join(roles), "by": m.confirmed_by, "at": stored_time(m.confirmed_at, lang)})
    frame = frame_of_records(rows, ["fingerprint", "headers", "columns", "by", "at"])
    return frame.rename(columns={c: t(f"mapping.col_{c}", lang) for c in frame.columns})


def _iso(value: object) -> str:
    return value.isoformat() if isinstance(value, dt.datetime) else str(value or "")
