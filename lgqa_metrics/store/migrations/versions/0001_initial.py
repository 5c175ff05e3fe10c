"""Baseline: every table, index and constraint of ``schema.py`` and the append-only audit triggers.

Creates only the tables that are missing (all of them in a new database), so a store made before migrations
existed, by ``metadata.create_all``, is adopted as it is; its triggers are (re)created idempotently.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_APPEND_ONLY = "the audit log is append-only"


def _units() -> None:
    op.create_table(
        "units",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("parent_id", sa.String(80)),
        sa.Column("aliases", sa.Text, nullable=False),
        sa.Column("valid_from", sa.Date),
        sa.Column("valid_to", sa.Date),
        sa.Column("successor_ids", sa.Text, nullable=False),
    )


def _indicators() -> None:
    op.create_table(
        "indicators",
        sa.Column("code", sa.String(8), primary_key=True),
        sa.Column("quadrant", sa.Integer, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("name_vi", sa.String(300), nullable=False),
        sa.Column("name_en", sa.String(300), nullable=False),
    )


def _files() -> None:
    op.create_table(
        "files",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
    )


def _submissions() -> None:
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("unit_id", sa.String(80), sa.ForeignKey("units.id"), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("file_sha256", sa.String(64), sa.ForeignKey("files.sha256"), nullable=False),
        sa.Column("file_name", sa.String(500), nullable=False),
        sa.Column("sheet", sa.String(200), nullable=False),
        sa.Column("uploader", sa.String(200), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.UniqueConstraint("unit_id", "year", "version", name="uq_submission_version"),
    )
    op.create_index("ix_submissions_unit_year", "submissions", ["unit_id", "year", "status"])


def _ratings() -> None:
    op.create_table(
        "ratings",
        sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), primary_key=True),
        sa.Column("indicator_code", sa.String(8), sa.ForeignKey("indicators.code"), primary_key=True),
        sa.Column("rating", sa.String(8), nullable=False),
        sa.Column("raw", sa.Text, nullable=False),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("cell", sa.String(16), nullable=False),
    )


def _intake() -> None:
    op.create_table(
        "intake",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uploader", sa.String(200), nullable=False),
        sa.Column("file_sha256", sa.String(64), sa.ForeignKey("files.sha256"), nullable=False),
        sa.Column("file_name", sa.String(500), nullable=False),
        sa.Column("sheet", sa.String(200), nullable=False),
        sa.Column("unit_id", sa.String(80)),
        sa.Column("year", sa.Integer),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id")),
    )


def _issues() -> None:
    op.create_table(
        "issues",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("intake_id", sa.Integer, sa.ForeignKey("intake.id"), nullable=False),
        sa.Column("severity", sa.String(8), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("sheet", sa.String(200), nullable=False),
        sa.Column("cell", sa.String(16), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("message_vi", sa.Text, nullable=False),
        sa.Column("message_en", sa.Text, nullable=False),
    )
    op.create_index("ix_issues_intake_id", "issues", ["intake_id"])


def _meta() -> None:
    op.create_table(
        "meta",
        sa.Column("key", sa.String(40), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def _users() -> None:
    op.create_table(
        "users",
        sa.Column("username", sa.String(80), primary_key=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("failed_count", sa.Integer, nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True)),
        sa.Column("last_login", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def _audit() -> None:
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("details", sa.Text, nullable=False),
    )
    op.create_index("ix_audit_at", "audit", ["at"])
    op.create_index("ix_audit_actor", "audit", ["actor"])
    op.create_index("ix_audit_action", "audit", ["action"])


#: Parents before children (foreign keys).
TABLES: dict[str, Callable[[], None]] = {
    "units": _units, "indicators": _indicators, "files": _files, "submissions": _submissions,
    "ratings": _ratings, "intake": _intake, "issues": _issues, "meta": _meta, "users": _users, "audit": _audit,
}


def _append_only_audit(dialect: str) -> None:
    """Triggers that make the database itself refuse UPDATE and DELETE on ``audit`` (PostgreSQL: TRUNCATE too)."""
    if dialect == "sqlite":
        for action in ("update", "delete"):
            op.execute(f"CREATE TRIGGER IF NOT EXISTS audit_no_{action} BEFORE {action.upper()} ON audit "
                       f"BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END")
    elif dialect == "postgresql":
        op.execute("CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
                   f"$$ BEGIN RAISE EXCEPTION '{_APPEND_ONLY}'; END $$")
        for name, timing in (("audit_append_only", "BEFORE UPDATE OR DELETE ON audit FOR EACH ROW"),
                             ("audit_no_truncate", "BEFORE TRUNCATE ON audit FOR EACH STATEMENT")):
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON audit")
            op.execute(f"CREATE TRIGGER {name} {timing} EXECUTE FUNCTION audit_append_only()")


def upgrade() -> None:
    """Create the missing tables, then the audit triggers."""
    present = set() if context.is_offline_mode() else set(sa.inspect(op.get_bind()).get_table_names())
    for name, create in TABLES.items():
        if name not in present:
            create()
    _append_only_audit(op.get_context().dialect.name)


def downgrade() -> None:
    """Drop everything, the audit trail and its triggers with it."""
    for name in reversed(TABLES):
        op.drop_table(name)
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_append_only()")
