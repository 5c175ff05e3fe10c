"""``python -m lgqa_metrics backup|restore``: a consistent snapshot of the store in one .zip, and back."""

from __future__ import annotations

import argparse
import sys
import time

from lgqa_metrics.domain.formatting import file_size, number, stored_time
from lgqa_metrics.domain.i18n import t
from lgqa_metrics.store.backup import BackupError, backup, restore
from lgqa_metrics.store.url import redact_url, resolve_url


def run(args: argparse.Namespace, lang: str) -> int:
    """Carry out ``backup`` or ``restore``: 0 on success, 1 with a message (never a traceback) when refused,
    2 when the backup file to restore does not exist."""
    try:
        if args.command == "backup":
            started = time.perf_counter()
            manifest = backup(args.db, args.output, logical=args.logical)
            print(t("backup.written", lang, path=args.output, size=file_size(args.output.stat().st_size, lang),
                    seconds=number(time.perf_counter() - started, lang, 2),
                    submissions=number(manifest.counts.get("submissions", 0), lang), files=number(manifest.counts.get("files", 0), lang),
                    intake=number(manifest.counts.get("intake", 0), lang)))
            return 0
        if not args.file.is_file():  # a usage error, like a missing path for ingest
            print(t("backup.file_missing", lang, path=args.file), file=sys.stderr)
            return 2
        manifest = restore(args.file, args.db, force=args.force)
    except BackupError as exc:
        print(exc.message(lang), file=sys.stderr)
        return 1
    print(t("backup.restored", lang, path=args.file, created=stored_time(manifest.created_at, lang), target=redact_url(resolve_url(args.db)),
            submissions=number(manifest.counts.get("submissions", 0), lang), files=number(manifest.counts.get("files", 0), lang)))
    return 0
