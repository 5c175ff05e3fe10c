"""The quarantine: files that were rejected, kept with their report so staff can see what was sent.

Every rejected return is in the intake log with its issues, and the file's bytes are archived by hash
(:meth:`Store.archived`); this module lists them, newest first, with the first error of each, for
``python -m lgqa_metrics quarantine`` (:mod:`lgqa_metrics.cli.quarantine`) and the pages.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from lgqa_metrics.store.database import Store
from lgqa_metrics.store.schema import intake_t, issues_t

#: Columns of :func:`quarantine_frame`, in order.
QUARANTINE_COLUMNS = ("intake_id", "at", "file_name", "file_sha256", "uploader", "sheet", "code", "message_vi",
                      "message_en")


def quarantine_frame(store: Store) -> pd.DataFrame:
    """One row per rejected return, newest first: when, file, SHA-256, uploader, sheet and the first error
    (its code and message in both languages; empty when none was logged)."""
    first = (sa.select(issues_t.c.intake_id, sa.func.min(issues_t.c.id).label("issue_id"))
             .where(issues_t.c.severity == "error").group_by(issues_t.c.intake_id).subquery())
    query = (
        sa.select(intake_t.c.id.label("intake_id"), intake_t.c.at, intake_t.c.file_name, intake_t.c.file_sha256,
                  intake_t.c.uploader, intake_t.c.sheet, issues_t.c.code, issues_t.c.message_vi,
                  issues_t.c.message_en)
        .select_from(intake_t.outerjoin(first, first.c.intake_id == intake_t.c.id)
                     .outerjoin(issues_t, issues_t.c.id == first.c.issue_id))
        .where(intake_t.c.status == "rejected")
        .order_by(intake_t.c.id.desc())
    )
    with store.engine.connect() as conn:
        frame = pd.read_sql(query, conn)
    return frame.reindex(columns=list(QUARANTINE_COLUMNS))
