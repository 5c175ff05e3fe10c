"""Signed-in browser sessions (``web_sessions``): the ``lgqa_session`` cookie's token and its one-time grant, as
digests only.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``web_sessions`` (unless a store made by ``create_all`` has it already)."""
    if not context.is_offline_mode() and "web_sessions" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "web_sessions",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("username", sa.String(80), nullable=False),
        sa.Column("grant_digest", sa.String(64), nullable=False),
        sa.Column("grant_expires", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cookie_set", sa.DateTime(timezone=True)),
        sa.Column("browser", sa.String(64), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_why", sa.String(20), nullable=False),
    )
    op.create_index("ix_web_sessions_username", "web_sessions", ["username"])
    op.create_index("ix_web_sessions_grant_digest", "web_sessions", ["grant_digest"], unique=True)


def downgrade() -> None:
    """Drop ``web_sessions``."""
    op.drop_index("ix_web_sessions_grant_digest", table_name="web_sessions")
    op.drop_index("ix_web_sessions_username", table_name="web_sessions")
    op.drop_table("web_sessions")
