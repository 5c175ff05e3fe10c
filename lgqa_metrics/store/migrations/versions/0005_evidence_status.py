"""Each rating's evidence status (``ratings.evidence_status``: evidenced, missing, not_required), derived by the
evidence rule; :meth:`Store.open` fills it for the ratings stored before, as it does whenever the rule changes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``ratings.evidence_status`` (unless a store made by ``create_all`` has it already)."""
    if not context.is_offline_mode():
        columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("ratings")}
        if "evidence_status" in columns:
            return
    with op.batch_alter_table("ratings") as batch:
        batch.add_column(sa.Column("evidence_status", sa.String(16), nullable=False, server_default=""))


def downgrade() -> None:
    """Drop ``ratings.evidence_status``."""
    with op.batch_alter_table("ratings") as batch:
        batch.drop_column("evidence_status")
