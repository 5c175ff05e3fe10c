"""Schema migrations (Alembic) for every backend, run from code: no ``alembic.ini`` is needed at run time.

:func:`upgrade` brings the store on a connection to the latest revision inside the caller's write
transaction, so processes opening a new store at once migrate it one after another (SQLite: the writer's
``BEGIN IMMEDIATE``; PostgreSQL: a transaction-scoped advisory lock, :func:`advisory_lock`). A store made
before migrations existed (its tables made by ``create_all``, no ``alembic_version``) is adopted by the
baseline revision, which creates only what is missing (nothing, for a complete store), and then upgraded.

New revisions: ``alembic revision --autogenerate -m "..."`` in the project root (``alembic.ini`` there
points here), then review the file under ``versions/``.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Final

import sqlalchemy as sa
from sqlalchemy.engine import Connection

if TYPE_CHECKING:
    from alembic.config import Config

SCRIPT_LOCATION: Final = "lgqa_metrics.store:migrations"
#: The first revision: exactly the tables, indexes, constraints and audit triggers of ``schema.py``.
BASELINE: Final = "0001"
#: Name of the advisory lock held while the schema is checked and migrated.
SCHEMA_LOCK: Final = "schema"
#: Revision scripts are named by their revision, numbered in order: ``0002_layout_mappings.py`` is "0002".
_SCRIPT_NAME: Final = re.compile(r"^(\d{4})_\w+\.py$")


def config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for the packaged scripts; ``connection`` is the one ``env.py`` migrates."""
    from alembic.config import Config  # Alembic is imported only when a store needs migrating

    cfg = Config()
    cfg.set_main_option("script_location", SCRIPT_LOCATION)
    cfg.set_main_option("path_separator", "os")
    cfg.attributes["connection"] = connection
    return cfg


@cache
def head() -> str:
    """The latest revision of the packaged scripts: the highest number among their names (the tests check that
    Alembic's own chain ends there)."""
    numbers = [m.group(1) for p in (Path(__file__).parent / "versions").iterdir() if (m := _SCRIPT_NAME.match(p.name))]
    if not numbers:
        raise RuntimeError("no migration scripts found")
    return max(numbers)


def current(conn: Connection) -> str | None:
    """The revision the database on ``conn`` is at; ``None`` when it has never been migrated."""
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for ``name`` (PostgreSQL advisory locks are named by numbers)."""
    return int.from_bytes(hashlib.blake2b(f"lgqa-metrics:{name}".encode(), digest_size=8).digest(), "big",
                          signed=True)


def advisory_lock(conn: Connection, name: str) -> None:
    """On PostgreSQL, wait for the transaction-scoped advisory lock ``name`` (released at commit or rollback),
    so that writers holding the same name go one after another. Elsewhere nothing: SQLite's writers already
    hold the database's write lock from their first statement."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key(name)})


def upgrade(conn: Connection) -> str:
    """Bring the database on ``conn`` (in a write transaction) to the latest revision; returns it. Cheap when
    it is already there: one query, no script is loaded."""
    advisory_lock(conn, SCHEMA_LOCK)
    latest = head()
    if current(conn) != latest:
        from alembic import command

        command.upgrade(config(conn), "head")
    return latest
