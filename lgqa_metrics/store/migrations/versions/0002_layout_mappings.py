"""Column mappings staff confirm for a return layout the reader could not infer (``layout_mappings``).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``layout_mappings`` (unless a store made before migrations, by ``create_all``, has it already)."""
    if not context.is_offline_mode() and "layout_mappings" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "layout_mappings",
        sa.Column("fingerprint", sa.String(64), primary_key=True),
        sa.Column("headers", sa.Text, nullable=False),
        sa.Column("mapping", sa.Text, nullable=False),
        sa.Column("confirmed_by", sa.String(200), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    """Drop ``layout_mappings``."""
    op.drop_table("layout_mappings")
