"""``python -m lgqa_metrics report``: the pilot report to the Ministry, as a Word document or a PDF."""

from __future__ import annotations

import argparse

from lgqa_metrics.domain.formatting import number
from lgqa_metrics.domain.i18n import t
from lgqa_metrics.services.report import ReportRequest, default_comparison, make_report
from lgqa_metrics.store.database import Store


def run(args: argparse.Namespace, lang: str) -> int:
    """Write the report; the exit code (a report that cannot be made is a message, exit 1)."""
    store = Store.open(args.db, create=False)
    try:
        compare_to = args.compare_to if args.compare_to is not None else default_comparison(store, args.year)
        made = make_report(store, ReportRequest(args.year, compare_to, tuple(args.units), lang="vi"), args.output)
    finally:
        store.close()
    print(t("report.written", lang, path=made.path, pages=t("report.figures", lang, n=number(made.figures, lang)),
            seconds=number(made.seconds, lang, 1)))
    return 0
