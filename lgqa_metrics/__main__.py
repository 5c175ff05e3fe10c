"""Entry point for ``python -m lgqa_metrics``.

A command that reads returns starts its reader workers first, so that they start while the rest of the command
is imported (pandas, SQLAlchemy) and the store is opened."""

import sys

from lgqa_metrics import safety

_READING: frozenset[str] = frozenset({"ingest", "demo"})


def _command(argv: list[str]) -> str:
    """The command named in ``argv`` (after the global ``--lang X``), or ''."""
    rest = argv[2:] if argv[:1] == ["--lang"] else argv
    return rest[0] if rest else ""


if _command(sys.argv[1:]) in _READING and "--help" not in sys.argv and "-h" not in sys.argv:
    safety.start_workers()

from lgqa_metrics.cli import main  # noqa: E402

sys.exit(main())
