"""``python -m lgqa_metrics synth``: a synthetic national dataset, into a store or as return workbooks."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sqlalchemy.engine import make_url

from lgqa_metrics.domain.formatting import file_size, number
from lgqa_metrics.domain.i18n import t
from lgqa_metrics.store.url import redact_url, resolve_url
from lgqa_metrics.synthetic.demo_content import SEED
from lgqa_metrics.synthetic.synth import SynthError, SynthSpec, generate, parse_years
from lgqa_metrics.synthetic.synth_write import Written, register_units, write_files, write_store


class _Progress:
    """Progress lines on stderr: at most one per stage every two seconds, and the last."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.started = time.perf_counter()
        self.shown: dict[str, float] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if done < total and now - self.shown.get(stage, 0.0) < 2.0:
            return
        self.shown[stage] = now
        elapsed = now - self.started
        print(t("synth.progress", self.lang, stage=t(f"synth.stage_{stage}", self.lang), done=number(done, self.lang),
                total=number(total, self.lang), seconds=number(elapsed, self.lang, 1)), file=sys.stderr, flush=True)


def run(args: argparse.Namespace, lang: str) -> int:
    """Generate and write: 0 on success, 1 when the store is refused, 2 on bad arguments."""
    try:
        spec = SynthSpec(args.units, parse_years(args.years), SEED if args.seed is None else args.seed)
    except SynthError as exc:
        print(exc.message(lang), file=sys.stderr)
        return 2
    started = time.perf_counter()
    ds = generate(spec)
    generated = time.perf_counter() - started
    print(t("synth.generated", lang, units=number(ds.first_year_units(), lang), all_units=number(len(ds.registry), lang),
            returns=number(ds.returns, lang), submissions=number(ds.submissions, lang),
            ratings=number(ds.rating_count, lang), seconds=number(generated, lang, 1)), file=sys.stderr)
    progress = _Progress(lang)
    try:
        if args.files is not None:
            if args.db:
                register_units(resolve_url(args.db), ds.registry, links=ds.links)
                print(t("synth.registered", lang, units=number(len(ds.registry), lang), target=redact_url(resolve_url(args.db))),
                      file=sys.stderr)
            written = write_files(ds, args.files, progress=progress)
            print(t("synth.summary_files", lang, path=args.files, files=number(written.files, lang),
                    units=number(written.units, lang), generate=number(generated, lang, 1),
                    write=number(written.seconds, lang, 1),
                    rate=number(written.files / written.seconds if written.seconds else 0.0, lang, 0)))
            return 0
        url = resolve_url(args.db)
        written = write_store(ds, url, progress=progress)
    except SynthError as exc:
        print(exc.message(lang), file=sys.stderr)
        return 1
    size = _sqlite_size(url)
    target = redact_url(resolve_url(args.db)) + (f" ({file_size(size, lang)})" if size is not None else "")
    print(_summary(written, lang, generated, target))
    return 0


def _sqlite_size(url: str) -> int | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    path = Path(parsed.database)
    return sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists())


def _summary(written: Written, lang: str, generated: float, target: str) -> str:
    rate = written.ratings / written.seconds if written.seconds else 0.0
    return t("synth.summary", lang, target=target, units=number(written.units, lang),
             returns=number(written.returns, lang), submissions=number(written.submissions, lang),
             ratings=number(written.ratings, lang),
             generate=number(generated, lang, 1), write=number(written.seconds, lang, 1),
             rate=number(rate, lang, 0))
