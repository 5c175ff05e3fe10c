"""``python -m lgqa_metrics ingest|demo``: read, validate and store returns."""

from __future__ import annotations

import argparse
import json
import sys

from lgqa_metrics.i18n import t
from lgqa_metrics.ingest import collect_files, ingest_paths
from lgqa_metrics.paths import SAMPLES_DIR
from lgqa_metrics.schema import submissions_t
from lgqa_metrics.store import Outcome, Store


def _print_outcomes(outcomes: list[Outcome], lang: str, dry_run: bool) -> None:
    for o in outcomes:
        where = f"{o.file}" + (f" [{o.sheet}]" if o.sheet else "")
        head = f"{o.unit_id or '?'} {o.year or '?'}" + (f" v{o.version}" if o.version else "")
        mark = {"accepted": "✓", "duplicate": "=", "rejected": "✗"}[o.status]
        suffix = f" {t('cli.dry_run', lang)}" if dry_run else ""
        print(f"{mark} {where}: {head} — {t('cli.' + o.status, lang)}{suffix}")
        for issue in o.issues:
            place = "!".join(x for x in (issue.sheet, issue.cell) if x)
            sev = ("LỖI" if lang == "vi" else "ERROR") if issue.severity == "error" else ("CẢNH BÁO" if lang == "vi" else "WARNING")
            print(f"    {sev} {issue.code}{' @ ' + place if place else ''}: {issue.message(lang)}")
    counts = {k: sum(1 for o in outcomes if o.status == k) for k in ("accepted", "duplicate", "rejected")}
    print(t("cli.summary", lang, **counts))


def run(args: argparse.Namespace, lang: str) -> int:
    """Carry out ``ingest`` or ``demo``: 0 when every return is accepted or a duplicate, 1 when one is rejected,
    2 when a path names no file."""
    if args.command == "ingest":
        missing = [p for p in args.paths if not p.exists()]
        if missing:
            print(t("cli.no_files", lang, path=", ".join(map(str, missing))), file=sys.stderr)
            return 2
        if not collect_files(args.paths):
            print(t("cli.no_files", lang, path=", ".join(map(str, args.paths))), file=sys.stderr)
            return 2
        store = Store.open(args.db)
        outcomes = ingest_paths(store, args.paths, uploader=args.uploader, dry_run=args.dry_run)
        if args.json:
            print(json.dumps([o.to_json(lang) for o in outcomes], ensure_ascii=False, indent=1))
        else:
            _print_outcomes(outcomes, lang, args.dry_run)
        return 1 if any(o.status == "rejected" for o in outcomes) else 0
    if args.command == "demo":
        store = Store.open(args.db)
        if args.if_empty and store.count(submissions_t):
            return 0
        outcomes = ingest_paths(store, [SAMPLES_DIR], uploader="demo")
        _print_outcomes(outcomes, lang, False)
        return 1 if any(o.status == "rejected" for o in outcomes) else 0
    return 2
