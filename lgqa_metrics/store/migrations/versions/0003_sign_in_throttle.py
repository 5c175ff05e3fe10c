"""Sign-in throttling per account-and-client and per client (``sign_in_throttle``), and the server secrets its
keyed hashes use (``server_secrets``).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create both tables (unless a store made by ``create_all`` has them already)."""
    existing = set() if context.is_offline_mode() else set(sa.inspect(op.get_bind()).get_table_names())
    if "sign_in_throttle" not in existing:
        op.create_table(
            "sign_in_throttle",
            sa.Column("key", sa.String(64), primary_key=True),
            sa.Column("account", sa.String(64), nullable=False),
            sa.Column("failures", sa.Integer, nullable=False),
            sa.Column("last_failure", sa.DateTime(timezone=True), nullable=False),
            sa.Column("locked_until", sa.DateTime(timezone=True)),
        )
        op.create_index("ix_sign_in_throttle_account", "sign_in_throttle", ["account"])
    if "server_secrets" not in existing:
        op.create_table(
            "server_secrets",
            sa.Column("name", sa.String(40), primary_key=True),
            sa.Column("value", sa.String(128), nullable=False),
        )


def downgrade() -> None:
    """Drop both tables."""
    op.drop_index("ix_sign_in_throttle_account", table_name="sign_in_throttle")
    op.drop_table("sign_in_throttle")
    op.drop_table("server_secrets")
