"""The command line, run two ways: as the real process a person starts (``python -m lgqa_metrics …``), and through
the same :func:`lgqa_metrics.cli.main.main` inside the test's own process.

In-process runs take a few hundredths of a second instead of a second or two of interpreter start and imports,
and keep the reader workers warm between commands; they go through everything a command does after its process
has started (parsing, the command's module, the store, the workers, the exit code and both output streams). What
only a real process shows (the entry point, its exit status, the modules a command imports, the absence of a
traceback at the very top) is tested with :func:`run_process`. Both give a ``CompletedProcess`` with text output.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from unittest import mock

from lgqa_metrics.cli.main import main
from lgqa_metrics.store.url import ENV_URL

ROOT = Path(__file__).resolve().parents[2]


def _environment(env: Mapping[str, str] | None) -> dict[str, str]:
    """This process's environment without a store URL of its own, plus ``env``."""
    base = {k: v for k, v in os.environ.items() if k != ENV_URL}
    return {**base, "PYTHONPATH": str(ROOT), **(env or {})}


def run_process(*args: str, env: Mapping[str, str] | None = None, input: str | None = None,
                timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``python -m lgqa_metrics ARGS`` as a new process in the project's folder (``input`` on its stdin)."""
    return subprocess.run([sys.executable, "-m", "lgqa_metrics", *args], capture_output=True, text=True, cwd=ROOT,
                          env=_environment(env), input=input, timeout=timeout)


@contextlib.contextmanager
def _as_a_command(env: Mapping[str, str] | None, input: str | None) -> Iterator[tuple[io.StringIO, io.StringIO]]:
    """The environment, standard streams and folder a command started by :func:`run_process` would have."""
    out, err = io.StringIO(), io.StringIO()
    with (mock.patch.dict(os.environ, _environment(env), clear=True), contextlib.redirect_stdout(out),
          contextlib.redirect_stderr(err), mock.patch.object(sys, "stdin", io.StringIO(input or "")),
          contextlib.chdir(ROOT)):
        yield out, err


def run_in_process(*args: str, env: Mapping[str, str] | None = None,
                   input: str | None = None) -> subprocess.CompletedProcess[str]:
    """The same command through :func:`lgqa_metrics.cli.main.main` in this process, with the environment, stdin
    and working folder :func:`run_process` gives it; an exception that escapes ``main`` fails the test."""
    with _as_a_command(env, input) as (out, err):
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse's usage errors and --help end this way, as under ``sys.exit(main())``
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return subprocess.CompletedProcess(["python", "-m", "lgqa_metrics", *args], code, out.getvalue(), err.getvalue())
