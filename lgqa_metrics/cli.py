"""Command line: ``python -m lgqa_metrics ingest|export|template|demo|history``.

Exit codes: 0 success, 1 when a return is rejected or the command fails, 2 on a usage error. No
traceback ever reaches the user.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from lgqa_metrics import cli_backup, cli_migrate, cli_synth, cli_users, layout_mappings, quarantine
from lgqa_metrics.accounts_base import cli_actor
from lgqa_metrics.export import export_frame, write_export
from lgqa_metrics.i18n import t
from lgqa_metrics.ingest import collect_files, ingest_paths
from lgqa_metrics.paths import SAMPLES_DIR
from lgqa_metrics.schema import submissions_t
from lgqa_metrics.store import Outcome, Store
from lgqa_metrics.template import build_template
from lgqa_metrics.units import Unit, default_registry


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"{self.prog}: lỗi / error: {message}", file=sys.stderr)
        raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m lgqa_metrics", description="ISO 18091 self-assessment returns: ingest, export, templates.")
    p.add_argument("--lang", choices=("vi", "en"), default="vi", help="message language (default vi)")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    ing = sub.add_parser("ingest", help="read, validate and store returns")
    ing.add_argument("--db", help="database URL (default: LGQA_DATABASE_URL or data/lgqa.sqlite)")
    ing.add_argument("--dry-run", action="store_true", help="validate and report without storing")
    ing.add_argument("--json", action="store_true", help="print one JSON array of outcomes")
    ing.add_argument("--uploader", default="cli", help="name recorded with each submission")
    ing.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")

    exp = sub.add_parser("export", help="export current ratings (one row per unit × year × indicator)")
    exp.add_argument("--db")
    exp.add_argument("--year", type=int, action="append", default=[])
    exp.add_argument("--unit", action="append", default=[])
    exp.add_argument("--quadrant", type=int, action="append", default=[], choices=(1, 2, 3, 4))
    exp.add_argument("--format", choices=("csv", "xlsx"), default=None, help="default: from the file name")
    exp.add_argument("--headers", choices=("codes", "vi", "en"), default="codes",
                     help="column headers: machine names (default), Vietnamese or English")
    exp.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")

    tpl = sub.add_parser("template", help="write a blank return workbook for a unit and year")
    tpl.add_argument("--unit", required=True)
    tpl.add_argument("--year", type=int, required=True)
    tpl.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")

    demo = sub.add_parser("demo", help="load the bundled synthetic demo returns")
    demo.add_argument("--db")
    demo.add_argument("--if-empty", action="store_true", help="only when the store holds no submission yet")

    hist = sub.add_parser("history", help="list the stored versions of one unit-year")
    hist.add_argument("--db")
    hist.add_argument("--unit", required=True)
    hist.add_argument("--year", type=int, required=True)
    maps = sub.add_parser("mappings", help="list or delete the column mappings staff confirmed")
    maps.add_argument("--db")
    maps.add_argument("action", choices=("list", "delete"))
    maps.add_argument("fingerprint", nargs="?", help="with delete: the mapping's fingerprint (or its start)")
    cli_users.add_parser(sub)
    cli_backup.add_parsers(sub)
    cli_migrate.add_parsers(sub)
    quarantine.add_parser(sub)
    cli_synth.add_parser(sub)
    return p


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


def _require_unit(unit_id: str, lang: str) -> Unit:
    registry = default_registry()
    unit = registry.get(unit_id)
    if unit is None:
        closest = ", ".join(f"{u.id} ({u.name})" for u in registry.closest(unit_id))
        print(t("cli.unknown_unit_id", lang, value=unit_id, closest=closest), file=sys.stderr)
        raise SystemExit(2)
    return unit


def _mappings(args: argparse.Namespace, lang: str) -> int:
    """``mappings list`` prints every confirmed mapping; ``mappings delete FP`` deletes one (audited)."""
    store = Store.open(args.db)
    found = layout_mappings.stored(store.engine)
    if args.action == "list":
        if not found:
            print(t("cli.mappings_none", lang))
            return 0
        print(layout_mappings.mappings_table(found, lang).to_string(index=False))
        return 0
    wanted = [fp for fp in found if args.fingerprint and fp.startswith(args.fingerprint)]
    if len(wanted) != 1:
        print(t("cli.mapping_unknown", lang, fingerprint=args.fingerprint or ""), file=sys.stderr)
        return 2
    layout_mappings.delete(store.engine, cli_actor(), wanted[0])
    print(t("cli.mapping_deleted", lang, fingerprint=wanted[0]))
    return 0


def _run(args: argparse.Namespace) -> int:
    lang: str = args.lang
    if args.command == "users":
        return cli_users.run(args, lang)
    if args.command in cli_backup.COMMANDS:
        return cli_backup.run(args, lang)
    if args.command in cli_migrate.COMMANDS:
        return cli_migrate.run(args, lang)
    if args.command == "quarantine":
        return quarantine.run(args, lang)
    if args.command == cli_synth.COMMAND:
        return cli_synth.run(args, lang)
    if args.command == "template":
        args.output.write_bytes(build_template(_require_unit(args.unit, lang), args.year))
        print(t("cli.template_written", lang, path=args.output))
        return 0
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
    if args.command == "mappings":
        return _mappings(args, lang)
    if args.command == "history":
        _require_unit(args.unit, lang)
        frame = Store.open(args.db).history(args.unit, args.year)
        if frame.empty:
            print(t("cli.no_history", lang, unit=args.unit, year=args.year))
            return 0
        print(frame.drop(columns=["file_sha256"]).to_string(index=False))
        return 0
    if args.command == "export":
        for unit in args.unit:
            _require_unit(unit, lang)
        fmt = args.format or ("xlsx" if args.output.suffix.lower() == ".xlsx" else "csv")
        store = Store.open(args.db)
        frame = export_frame(store.ratings(years=args.year, units=args.unit, quadrants=args.quadrant), lang)
        filters = {"year": args.year, "unit": args.unit, "quadrant": args.quadrant}
        write_export(frame, args.output, fmt, filters, headers=args.headers)
        print(t("cli.exported", lang, rows=len(frame), path=args.output))
        return 0
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the last line of defence: a message, never a traceback
        detail = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        print(t("cli.error", args.lang, detail=detail[:300]), file=sys.stderr)
        return 1
