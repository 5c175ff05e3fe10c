"""``python -m lgqa_metrics migrate`` (bring a store to the latest schema revision) and ``migrate-store`` (copy
a whole store into another, empty database: SQLite to PostgreSQL when one server becomes several)."""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from lgqa_metrics.domain.formatting import number
from lgqa_metrics.domain.i18n import t
from lgqa_metrics.store import migrations
from lgqa_metrics.store.database import Store, make_engine
from lgqa_metrics.store.transfer import Transfer, TransferError, copy_store, source_url
from lgqa_metrics.store.url import check_target, may_create, redact_url, resolve_url


def run(args: argparse.Namespace, lang: str) -> int:
    """Carry out ``migrate`` or ``migrate-store``: 0 on success, 1 with a message (never a traceback) when
    refused, 2 when the source store does not exist."""
    if args.command == "migrate":
        return _migrate(resolve_url(args.db), lang, create=may_create(args.db, args.create))
    try:
        source = source_url(args.source)
    except TransferError as exc:
        print(exc.message(lang), file=sys.stderr)
        return 2
    try:
        done = copy_store(source, args.target)
    except TransferError as exc:
        print(exc.message(lang), file=sys.stderr)
        return 1
    print(summary(done, lang))
    return 0


def _migrate(url: str, lang: str, *, create: bool) -> int:
    check_target(url, create=create)  # a store made before migrations is adopted; a missing one made only if asked
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            before = migrations.current(conn)
    finally:
        engine.dispose()
    Store.open(url).close()  # migrates to the head (one process at a time) and syncs the reference data
    print(t("migrate.done", lang, target=redact_url(url), revision=migrations.head(), before=before or t("migrate.none", lang)))
    return 0


def summary(done: Transfer, lang: str) -> str:
    """The table of copied tables (rows, largest id, checksum, seconds) and the closing line."""
    frame = pd.DataFrame({
        t("transfer.col_table", lang): [c.name for c in done.tables],
        t("transfer.col_rows", lang): [number(c.rows, lang) for c in done.tables],
        t("transfer.col_max_id", lang): ["" if c.max_id is None else number(c.max_id, lang) for c in done.tables],
        t("transfer.col_checksum", lang): [c.checksum for c in done.tables],
        t("transfer.col_seconds", lang): [number(c.seconds, lang, 2) for c in done.tables],
    })
    closing = t("transfer.done", lang, source=done.source, target=done.target, rows=number(done.rows, lang),
                seconds=number(done.seconds, lang, 1), rate=number(done.rows_per_second(), lang))
    return f"{frame.to_string(index=False)}\n{closing}"
