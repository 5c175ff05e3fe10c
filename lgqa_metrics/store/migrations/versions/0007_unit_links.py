"""Unit lineage: ``unit_links``, the crosswalk of old units to new ones (merge, split, rename, boundary) with the
effective date, the share of a split and the source. Existing units and returns are not touched.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the table (unless a store made by ``create_all`` has it already)."""
    if not context.is_offline_mode() and "unit_links" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "unit_links",
        sa.Column("from_id", sa.String(80), sa.ForeignKey("units.id"), primary_key=True),
        sa.Column("to_id", sa.String(80), sa.ForeignKey("units.id"), primary_key=True),
        sa.Column("effective_date", sa.Date, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("share", sa.Float, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
    )


def downgrade() -> None:
    """Drop the table."""
    op.drop_table("unit_links")
