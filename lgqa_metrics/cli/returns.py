"""``python -m lgqa_metrics export|template|history|mappings``: stored returns as tables and files."""

from __future__ import annotations

import argparse
import sys

from lgqa_metrics.analysis import basis
from lgqa_metrics.analysis.export import CSV_SEPARATORS, export_frame, write_export
from lgqa_metrics.domain.basis import Basis
from lgqa_metrics.domain.formatting import local_today, number
from lgqa_metrics.domain.i18n import t
from lgqa_metrics.domain.roles import cli_actor
from lgqa_metrics.domain.units import Unit, default_registry
from lgqa_metrics.intake.reader import MIN_YEAR
from lgqa_metrics.services.submissions import history_table
from lgqa_metrics.services.template import build_template
from lgqa_metrics.store import layout_mappings
from lgqa_metrics.store.appraisals import Appraisals
from lgqa_metrics.store.database import Store


def _require_unit(unit_id: str, lang: str) -> Unit:
    registry = default_registry()
    unit = registry.get(unit_id)
    if unit is None:
        closest = ", ".join(f"{u.id} ({u.name})" for u in registry.closest(unit_id))
        print(t("cli.unknown_unit_id", lang, value=unit_id, closest=closest), file=sys.stderr)
        raise SystemExit(2)
    return unit


def _require_plausible(year: int, lang: str) -> None:
    """Refuse a year no return can be for (as the reader does: from :data:`MIN_YEAR` to next year)."""
    high = local_today().year + 1
    if not MIN_YEAR <= year <= high:
        print(t("cli.year_implausible", lang, year=year, low=MIN_YEAR, high=high), file=sys.stderr)
        raise SystemExit(2)


def _mappings(args: argparse.Namespace, lang: str) -> int:
    """``mappings list`` prints every confirmed mapping; ``mappings delete FP`` deletes one (audited)."""
    store = Store.open(args.db, create=False)
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


def run(args: argparse.Namespace, lang: str) -> int:
    """Carry out ``export``, ``template``, ``history`` or ``mappings``; the exit code."""
    if args.command == "template":
        _require_plausible(args.year, lang)
        args.output.write_bytes(build_template(_require_unit(args.unit, lang), args.year))
        print(t("cli.template_written", lang, path=args.output))
        return 0
    if args.command == "mappings":
        return _mappings(args, lang)
    if args.command == "history":
        _require_unit(args.unit, lang)
        frame = Store.open(args.db, create=False).history(args.unit, args.year)
        if frame.empty:
            print(t("cli.no_history", lang, unit=args.unit, year=args.year))
            return 0
        print(history_table(frame, lang).to_string(index=False))
        return 0
    if args.command == "export":
        for unit in args.unit:
            _require_unit(unit, lang)
        fmt = args.format or ("xlsx" if args.output.suffix.lower() == ".xlsx" else "csv")
        store = Store.open(args.db, create=False)
        held = Appraisals(store).overlay()
        counted = basis.apply(store.ratings(years=args.year, units=args.unit, quadrants=args.quadrant),
                              held.accepted, held.overrides, Basis(args.basis))
        frame = export_frame(counted, lang, store.catalogue, registry=store.registry, lineage=store.lineage)
        filters = {"year": args.year, "unit": args.unit, "quadrant": args.quadrant,
                   "basis": [Basis(args.basis).label(lang)]}
        write_export(frame, args.output, fmt, filters, headers=args.headers, separator=CSV_SEPARATORS[args.csv_for])
        print(t("cli.exported", lang, rows=number(len(frame), lang), path=args.output))
        return 0
    return 2
