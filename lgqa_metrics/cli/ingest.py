"""``python -m lgqa_metrics ingest|demo``: read, validate and store returns."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from lgqa_metrics.domain.formatting import number
from lgqa_metrics.domain.i18n import t
from lgqa_metrics.domain.paths import SAMPLES_DIR
from lgqa_metrics.domain.textnorm import shown_name
from lgqa_metrics.services.ingest import ingest_paths, sort_files
from lgqa_metrics.store.database import Outcome, Store
from lgqa_metrics.store.schema import submissions_t
from lgqa_metrics.store.url import may_create


def _say(line: str) -> None:
    """Print one line of output, with whatever came from a file (its name, its sheet's, a cell's text) unable to
    break the line or steer the terminal (:func:`~lgqa_metrics.domain.textnorm.shown_name`)."""
    print(shown_name(line))


def _print_outcomes(outcomes: list[Outcome], skipped: list[tuple[Path, str]], lang: str, dry_run: bool) -> None:
    for o in outcomes:
        where = f"{o.file}" + (f" [{o.sheet}]" if o.sheet else "")
        head = f"{o.unit_id or '?'} {o.year or '?'}" + (f" v{o.version}" if o.version else "")
        mark = {"accepted": "✓", "duplicate": "=", "rejected": "✗"}[o.status]
        suffix = f" {t('cli.dry_run', lang)}" if dry_run else ""
        _say(f"{mark} {where}: {head} — {t('cli.' + o.status, lang)}{suffix}")
        for issue in o.issues:
            place = "!".join(x for x in (issue.sheet, issue.cell) if x)
            sev = ("LỖI" if lang == "vi" else "ERROR") if issue.severity == "error" else ("CẢNH BÁO" if lang == "vi" else "WARNING")
            _say(f"    {sev} {issue.code}{' @ ' + place if place else ''}: {issue.message(lang)}")
    for path, reason in skipped:
        _say(f"– {path}: {t('cli.skipped', lang)} ({t(f'cli.skipped_{reason}', lang)})")
    counts = {k: number(sum(1 for o in outcomes if o.status == k), lang) for k in ("accepted", "duplicate", "rejected")}
    print(t("cli.summary", lang, **counts, skipped=number(len(skipped), lang)))


def _skipped_json(skipped: list[tuple[Path, str]], lang: str) -> list[dict[str, object]]:
    """The JSON objects of the files skipped: the shape of an outcome's, with status "skipped" and the reason."""
    return [{"file": shown_name(str(path)), "sheet": "", "status": "skipped", "unit_id": None, "year": None,
             "version": None, "ratings": 0, "issues": [], "reason": reason,
             "message": t(f"cli.skipped_{reason}", lang)} for path, reason in skipped]


def run(args: argparse.Namespace, lang: str) -> int:
    """Carry out ``ingest`` or ``demo``: 0 when every return is accepted or a duplicate, 1 when one is rejected,
    2 when a path names no file."""
    if args.command == "ingest":
        missing = [p for p in args.paths if not p.exists()]
        if missing:
            print(t("cli.no_files", lang, path=", ".join(map(str, missing))), file=sys.stderr)
            return 2
        files, skipped = sort_files(args.paths)
        if not files:
            print(t("cli.no_files", lang, path=", ".join(map(str, args.paths))), file=sys.stderr)
            return 2
        store = Store.open(args.db, create=may_create(args.db, args.create))
        outcomes = ingest_paths(store, files, uploader=args.uploader, dry_run=args.dry_run)
        if args.json:
            print(json.dumps([o.to_json(lang) for o in outcomes] + _skipped_json(skipped, lang), ensure_ascii=False,
                             indent=1))
        else:
            _print_outcomes(outcomes, skipped, lang, args.dry_run)
        return 1 if any(o.status == "rejected" for o in outcomes) else 0
    if args.command == "demo":
        store = Store.open(args.db, create=may_create(args.db, args.create))
        if args.if_empty and store.count(submissions_t):
            return 0
        files, skipped = sort_files([SAMPLES_DIR])
        outcomes = ingest_paths(store, files, uploader="demo")
        _print_outcomes(outcomes, skipped, lang, False)
        if any(o.status == "rejected" for o in outcomes):
            return 1
        if all(o.status == "accepted" for o in outcomes):  # a fresh load: the illustrative appraisals go with it
            from lgqa_metrics.synthetic.demo_appraisals import apply_demo_appraisals  # not for a plain ingest

            print(t("cli.demo_appraised", lang, returns=apply_demo_appraisals(store)))
        return 0
    return 2
