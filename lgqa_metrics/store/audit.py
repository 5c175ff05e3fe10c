"""The audit trail: who did what, when, to which unit-year or file. Append-only (database triggers)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from lgqa_metrics.domain.roles import Actor
from lgqa_metrics.store.frames import read_frame
from lgqa_metrics.store.schema import audit_t

if TYPE_CHECKING:
    import pandas as pd

#: Most characters kept of an entry's actor, target and details (JSON): every entry stays small whatever was
#: typed or uploaded.
MAX_NAME: Final = 80
MAX_TARGET: Final = 300
MAX_DETAILS: Final = 2000
#: Every action recorded, with its Vietnamese and English label keys in data/i18n.
ACTIONS: Final = (
    "sign_in", "sign_in_failed", "sign_in_locked", "sign_out",
    "upload_checked", "upload_confirmed", "return_rejected", "version_created", "duplicate",
    "version_withdrawn", "export", "template",
    "account_added", "account_disabled", "account_enabled", "password_set", "password_changed",
    "password_change_refused", "role_set",
    "registry_replaced", "catalogue_replaced", "lineage_replaced", "synthetic_data", "store_migrated",
    "layout_mapping_confirmed", "layout_mapping_deleted", "download_refused", "session_refused",
    "session_started", "session_resumed",
    "appraisal_started", "appraisal_saved", "appraisal_accepted", "appraisal_returned", "appraisal_unlocked",
    "report_made",
)


def record(conn: Connection, actor: Actor, action: str, *, target: str = "", file_sha256: str = "",
           details: Mapping[str, object] | None = None) -> None:
    """Append one entry inside the caller's transaction (so it commits or rolls back with the change)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    text = json.dumps(dict(details or {}), ensure_ascii=False, default=str)
    if len(text) > MAX_DETAILS:  # an append-only table is never cleaned: what a visitor typed stays bounded
        text = json.dumps({"truncated": len(text), "start": text[: MAX_DETAILS // 2]}, ensure_ascii=False)
    conn.execute(audit_t.insert().values(
        at=dt.datetime.now(dt.UTC), actor=actor.username[:MAX_NAME], role=actor.role.value, action=action,
        target=target[:MAX_TARGET], file_sha256=file_sha256[:64], details=text))


def record_now(engine: Engine, actor: Actor, action: str, **kwargs: object) -> None:
    """Append one entry in its own transaction (sign-ins, exports: nothing else is written)."""
    with engine.begin() as conn:
        record(conn, actor, action, **kwargs)  # type: ignore[arg-type]


def _matching(query: sa.Select[Any], actions: Sequence[str], actors: Sequence[str], since: dt.datetime | None,
              until: dt.datetime | None) -> sa.Select[Any]:
    if actions:
        query = query.where(audit_t.c.action.in_(list(actions)))
    if actors:
        query = query.where(audit_t.c.actor.in_(list(actors)))
    if since is not None:
        query = query.where(audit_t.c.at >= since)
    if until is not None:
        query = query.where(audit_t.c.at <= until)
    return query


def audit_log(engine: Engine, *, actions: Sequence[str] = (), actors: Sequence[str] = (),
              since: dt.datetime | None = None, until: dt.datetime | None = None, limit: int = 5000,
              offset: int = 0) -> pd.DataFrame:
    """Audit entries, newest first, filtered by action, actor and time: ``limit`` of them after the first
    ``offset``."""
    query = _matching(sa.select(audit_t), actions, actors, since, until)
    query = query.order_by(audit_t.c.id.desc()).limit(limit).offset(offset)
    with engine.connect() as conn:
        return read_frame(query, conn)


def audit_count(engine: Engine, *, actions: Sequence[str] = (), actors: Sequence[str] = (),
                since: dt.datetime | None = None, until: dt.datetime | None = None) -> int:
    """How many entries match the same filters as :func:`audit_log`."""
    query = _matching(sa.select(sa.func.count()).select_from(audit_t), actions, actors, since, until)
    with engine.connect() as conn:
        return int(conn.execute(query).scalar() or 0)
