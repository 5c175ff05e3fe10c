"""Command line: ``python -m lgqa_metrics ingest|export|template|demo|history|…``.

This module holds only the grammar of every command and sends each to the module that carries it out, imported
when that command runs: a one-file ``ingest`` does not wait for what ``backup``, ``synth`` or ``users`` import.
Each such module has ``run(args, lang) -> int``.

Exit codes: 0 success, 1 when a return is rejected or the command fails, 2 on a usage error. No
traceback ever reaches the user.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from lgqa_metrics.domain.basis import Basis
from lgqa_metrics.domain.i18n import MessageError, t
from lgqa_metrics.domain.roles import Role

DB_HELP: Final = "database URL (default: LGQA_DATABASE_URL or data/lgqa.sqlite)"
CREATE_HELP: Final = "make a new store at --db when there is none (only ever made unasked at the default path)"
ROLES: Final = [r.value for r in Role]
#: The CSV variants of ``export`` (the keys of :data:`lgqa_metrics.analysis.export.CSV_SEPARATORS`, named here
#: without importing it: it needs pandas, which most commands never load).
CSV_VARIANTS: Final = ("standard", "excel-vn")

#: The module that carries out each command.
HANDLERS: Final = {
    **dict.fromkeys(("ingest", "demo"), "lgqa_metrics.cli.ingest"),
    **dict.fromkeys(("export", "template", "history", "mappings"), "lgqa_metrics.cli.returns"),
    "users": "lgqa_metrics.cli.users",
    **dict.fromkeys(("backup", "restore"), "lgqa_metrics.cli.backup"),
    **dict.fromkeys(("migrate", "migrate-store"), "lgqa_metrics.cli.migrate"),
    "quarantine": "lgqa_metrics.cli.quarantine",
    "synth": "lgqa_metrics.cli.synth",
    "report": "lgqa_metrics.cli.report",
}
#: Commands that read returns: their reader workers start first, while the command's module is imported (pandas,
#: SQLAlchemy) and the store opened.
READING: Final = ("ingest", "demo")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"{self.prog}: lỗi / error: {message}", file=sys.stderr)
        raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m lgqa_metrics", description="ISO 18091 self-assessment returns: ingest, export, templates.")
    p.add_argument("--lang", choices=("vi", "en"), default="vi", help="message language (default vi)")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    _returns(sub)
    _users(sub)
    _store(sub)
    syn = sub.add_parser("synth", help="generate a synthetic national dataset (SYNTHETIC: made-up units and returns)")
    syn.add_argument("--units", type=int, required=True, metavar="N", help="units reporting in the first year")
    syn.add_argument("--years", required=True, metavar="A-B", help="years, e.g. 2016-2025 (or one year)")
    syn.add_argument("--db", help=f"{DB_HELP}; must hold no returns")
    syn.add_argument("--seed", type=int, default=None, help="random seed (default: the demo's); same seed, same data")
    syn.add_argument("--files", type=Path, metavar="DIR",
                     help="write one return workbook per unit-year and units.csv into DIR instead of the store "
                          "(with --db, the units are registered in that store too)")
    return p


def _returns(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The commands about returns: ingest, export, template, demo, history, mappings, quarantine."""
    ing = sub.add_parser("ingest", help="read, validate and store returns")
    ing.add_argument("--db", help=DB_HELP)
    ing.add_argument("--dry-run", action="store_true", help="validate and report without storing")
    ing.add_argument("--json", action="store_true", help="print one JSON array of outcomes")
    ing.add_argument("--uploader", default="cli", help="name recorded with each submission")
    ing.add_argument("--create", action="store_true", help=CREATE_HELP)
    ing.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")

    exp = sub.add_parser("export", help="export current ratings (one row per unit × year × indicator)")
    exp.add_argument("--db")
    exp.add_argument("--year", type=int, action="append", default=[])
    exp.add_argument("--unit", action="append", default=[])
    exp.add_argument("--quadrant", type=int, action="append", default=[], choices=(1, 2, 3, 4))
    exp.add_argument("--format", choices=("csv", "xlsx"), default=None, help="default: from the file name")
    exp.add_argument("--csv-for", choices=CSV_VARIANTS, default="standard",
                     help="csv only: 'standard' separates fields with commas; 'excel-vn' with semicolons, which Excel "
                          "with Vietnamese regional settings opens in columns")
    exp.add_argument("--headers", choices=("codes", "vi", "en"), default="codes",
                     help="column headers: machine names (default), Vietnamese or English")
    exp.add_argument("--basis", choices=[b.value for b in Basis], default=Basis.COMBINED.value,
                     help="the rating in the 'rating' column: the appraised one where the return has been appraised "
                          "(combined, default), the unit's own (self), or appraised returns only (appraised); the "
                          "unit's own is always in 'self_rating'")
    exp.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")

    tpl = sub.add_parser("template", help="write a blank return workbook for a unit and year")
    tpl.add_argument("--unit", required=True)
    tpl.add_argument("--year", type=int, required=True)
    tpl.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")

    rep = sub.add_parser("report", help="write the pilot report to the Ministry (.docx, or .pdf made from it)")
    rep.add_argument("--db")
    rep.add_argument("--year", type=int, required=True)
    rep.add_argument("--compare-to", type=int, default=None, metavar="YEAR",
                     help="the year the changes are counted from (default: the latest earlier year with returns)")
    rep.add_argument("--units", nargs="+", default=[], metavar="ID", help="only these units (default: all)")
    rep.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.docx|FILE.pdf")

    demo = sub.add_parser("demo", help="load the bundled synthetic demo returns")
    demo.add_argument("--db")
    demo.add_argument("--if-empty", action="store_true", help="only when the store holds no submission yet")
    demo.add_argument("--create", action="store_true", help=CREATE_HELP)

    hist = sub.add_parser("history", help="list the stored versions of one unit-year")
    hist.add_argument("--db")
    hist.add_argument("--unit", required=True)
    hist.add_argument("--year", type=int, required=True)

    maps = sub.add_parser("mappings", help="list or delete the column mappings staff confirmed")
    maps.add_argument("--db")
    maps.add_argument("action", choices=("list", "delete"))
    maps.add_argument("fingerprint", nargs="?", help="with delete: the mapping's fingerprint (or its start)")

    quar = sub.add_parser("quarantine", help="list rejected files: file, hash, time, uploader, first error")
    quar.add_argument("--db", help=DB_HELP)
    quar.add_argument("--json", action="store_true", help="print one JSON array with the full hash")


def _users(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The ``users`` command and its actions."""
    users = sub.add_parser("users", help="manage dashboard accounts (argon2 password hashes in the database)")
    actions = users.add_subparsers(dest="users_command", required=True)
    add = actions.add_parser("add", help="create an account (password asked for, or --password-stdin)")
    add.add_argument("username")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--name", default="", help="display name")
    add.add_argument("--email", default="")
    actions.add_parser("list", help="list the accounts")
    for name, help_text in (("disable", "disable an account"), ("enable", "enable an account, clear its lock"),
                            ("set-password", "set a new password"), ("set-role", "change the role")):
        action = actions.add_parser(name, help=help_text)
        action.add_argument("username")
        if name == "set-role":
            action.add_argument("role", choices=ROLES)
    for action in actions.choices.values():
        action.add_argument("--db", help=DB_HELP)
        action.add_argument("--create", action="store_true", help=CREATE_HELP)
        if action.prog.endswith(("add", "set-password")):
            action.add_argument("--password-stdin", action="store_true", help="read the password from stdin")


def _store(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The commands about the store as a whole: backup, restore, migrate, migrate-store."""
    bk = sub.add_parser("backup", help="write a consistent snapshot of the store (database and archived originals)")
    bk.add_argument("--db", help=DB_HELP)
    bk.add_argument("-o", "--output", type=Path, required=True, metavar="FILE", help="the .zip to write")
    bk.add_argument("--logical", action="store_true",
                    help="dump tables as JSON lines even from SQLite (to move the store to another backend)")
    rs = sub.add_parser("restore", help="restore a backup .zip (verified first) into a store")
    rs.add_argument("--db", help=DB_HELP)
    rs.add_argument("--force", action="store_true", help="replace a SQLite store that already holds data")
    rs.add_argument("file", type=Path, metavar="FILE", help="the backup .zip")
    mg = sub.add_parser("migrate", help="bring the store to the latest schema revision and print it")
    mg.add_argument("--db", help=DB_HELP)
    mg.add_argument("--create", action="store_true", help=CREATE_HELP)
    ms = sub.add_parser("migrate-store", help="copy a whole store into another, empty database (e.g. SQLite to "
                                              "PostgreSQL), verified, in one transaction")
    ms.add_argument("--from", dest="source", required=True, metavar="URL_OR_PATH",
                    help="the store to copy: a database URL or the path of a SQLite file")
    ms.add_argument("--to", dest="target", required=True, metavar="URL", help="the empty target database's URL")


def _start_workers(args: argparse.Namespace) -> None:
    """Start the reader workers of a command that reads returns: one for one file (a second would only take a
    core from the command's own start), else as many as may run."""
    from lgqa_metrics.intake import safety

    paths: list[Path] = getattr(args, "paths", [])
    if all(p.exists() for p in paths):  # else the command ends at once with a usage error
        safety.start_workers(1 if len(paths) == 1 and paths[0].is_file() else safety.MAX_WORKERS)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    args = _parser().parse_args(argv)
    if args.command in READING:
        _start_workers(args)
    try:
        handler = importlib.import_module(HANDLERS[args.command])
        return int(handler.run(args, args.lang))
    except MessageError as exc:  # refused with a message of the catalogue (a store that is not there: 2, usage)
        print(exc.message(args.lang), file=sys.stderr)
        return int(getattr(exc, "exit_code", 1))
    except SystemExit as exc:
        return int(exc.code or 0)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the last line of defence: a message, never a traceback
        detail = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        print(t("cli.error", args.lang, detail=detail[:300]), file=sys.stderr)
        return 1
