"""Appraisal (thẩm định) of returns: ``appraisals`` (each taken-up submission's status, appraiser, decision and
lock) and ``appraised_ratings`` (the appraiser's rating where it differs from the unit's, with the reason).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create both tables (unless a store made by ``create_all`` has them already)."""
    if not context.is_offline_mode() and "appraisals" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "appraisals",
        sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("appraiser", sa.String(200), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("locked", sa.Boolean, nullable=False),
    )
    op.create_index("ix_appraisals_status", "appraisals", ["status"])
    op.create_table(
        "appraised_ratings",
        sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), primary_key=True),
        sa.Column("indicator_code", sa.String(8), sa.ForeignKey("indicators.code"), primary_key=True),
        sa.Column("rating", sa.String(8), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("appraiser", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    """Drop both tables."""
    op.drop_table("appraised_ratings")
    op.drop_index("ix_appraisals_status", table_name="appraisals")
    op.drop_table("appraisals")
