"""Reading untrusted files without risking the server: a size cap, and the reader run in a worker process
with limits on memory, CPU and wall-clock time.

Returns arrive by e-mail and get forwarded; one malformed or hostile file (a zip bomb, a stray cell at
XFD1048576, a part that sends a parser into a loop) must never take the dashboard down. The reader itself
refuses what it can recognise before building anything (:mod:`lgqa_metrics.intake.sniff`,
:mod:`lgqa_metrics.intake.workbook`); :func:`read_isolated` adds the last line: ``read_bytes`` runs in a separate
Python process whose address space and CPU time are capped with ``setrlimit``, and which is killed when it
overruns its time. When the worker dies (a signal, memory running out, the time limit) the caller still
gets a :class:`~lgqa_metrics.intake.reader.ReadResult`, holding a bilingual ``read_crashed`` or ``read_timeout``
issue; nothing is raised.

The workers (:mod:`lgqa_metrics.intake.workers`: the process pool, limits and the restricted unpickler) are
this module run as ``python -m lgqa_metrics.intake.safety``, which imports the reader, not pandas (a few tenths
of a second), and are reused file after file; their answers may hold only the reader's own records. At most
:data:`MAX_WORKERS` run at once.
"""

from __future__ import annotations

import hashlib
import logging
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, TypeVar

from lgqa_metrics.domain.catalogue import Catalogue, default_catalogue
from lgqa_metrics.domain.i18n import Phrase, messages
from lgqa_metrics.domain.issues import Issue, make_issue
from lgqa_metrics.domain.textnorm import shown_name
from lgqa_metrics.domain.units import UnitRegistry, default_registry
from lgqa_metrics.intake.reader import ReadResult, read_bytes
from lgqa_metrics.intake.workbook import import_readers, size_phrase
from lgqa_metrics.intake.workers import IsolationError, Pool, WorkerKind, serve_worker

log = logging.getLogger(__name__)

#: Largest file read, in bytes: the same 20 MB as ``server.maxUploadSize`` in ``.streamlit/config.toml``
#: (a return is a few hundred kB).
MAX_FILE_BYTES: Final = 20 * 1024 * 1024
#: Wall-clock time one file may take in the worker (a return reads in well under a second).
READ_TIMEOUT_S: Final = 30.0
#: Address space a worker may take for reading, on top of what it holds once the reader is imported.
READ_MEMORY_BYTES: Final = 1024 * 1024 * 1024
#: Workers running at once (further callers wait for one to be free).
MAX_WORKERS: Final = 2
#: The reader's workers: this module, answering with the reader's records and a marked-up download only.
READER: Final = WorkerKind("lgqa_metrics.intake.safety", frozenset({
    ("lgqa_metrics.intake.records", "ReadResult"), ("lgqa_metrics.intake.records", "ParsedReturn"),
    ("lgqa_metrics.intake.records", "RatingRow"), ("lgqa_metrics.domain.issues", "Issue"),
    ("lgqa_metrics.domain.issues", "Severity"), ("lgqa_metrics.domain.ratings", "Rating"),
    ("lgqa_metrics.services.annotate", "Download"),
}), MAX_WORKERS)

T = TypeVar("T")

_POOL: Final = Pool(READER)


def start_workers(count: int = MAX_WORKERS, memory_bytes: int = READ_MEMORY_BYTES) -> None:
    """Start ``count`` reader workers in the background for a command about to read files: their start (a few
    tenths of a second each) overlaps the command's own imports and the opening of the store."""
    _POOL.start_in_background(count, memory_bytes)


def shutdown() -> None:
    """Stop the idle worker processes (they are started again when needed)."""
    _POOL.shutdown()


def call_isolated(fn: Callable[..., T], *args: Any, timeout_s: float = READ_TIMEOUT_S,
                  memory_bytes: int = READ_MEMORY_BYTES, keep: Mapping[str, Any] | None = None, **kwargs: Any) -> T:
    """``fn(*args, **kwargs, **keep)`` run in a reader worker with at most ``memory_bytes`` more address space
    and ``timeout_s`` seconds. ``fn`` must be importable by name and return plain values or the reader's
    records. The ``keep`` arguments (large ones used call after call, such as a unit registry) are sent to a
    worker once and kept there. Raises :class:`IsolationError` when the call does not return a value."""
    return _POOL.call(fn, args, kwargs, timeout_s=timeout_s, memory_bytes=memory_bytes, keep=keep)


# --- reading -------------------------------------------------------------------------------------------


def _magic_kind(data: bytes) -> str:
    """What a file is from its first bytes alone (for files not opened at all)."""
    if data.startswith(b"PK"):
        return "zip"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    return "unknown" if data else "empty"


def too_large(data: bytes, name: str) -> ReadResult | None:
    """A rejection naming the size and the limit when ``data`` is over :data:`MAX_FILE_BYTES`, else None."""
    if len(data) <= MAX_FILE_BYTES:
        return None
    issue = make_issue("file_too_large", file=name, value=len(data), size=size_phrase(len(data)),
                       limit=size_phrase(MAX_FILE_BYTES))
    return ReadResult(name, hashlib.sha256(data).hexdigest(), _magic_kind(data), (), (issue,))


def failed_read(data: bytes, name: str, error: IsolationError) -> ReadResult:
    """The result of a read that did not finish: ``read_timeout``, ``read_crashed`` (the worker died: a
    signal, its memory limit, an exit), or ``file_unreadable`` when the reader raised an exception."""
    issue: Issue
    if error.reason == "timeout":
        seconds = Phrase(f"{error.timeout_s:g}".replace(".", ","), f"{error.timeout_s:g}")
        issue = make_issue("read_timeout", file=name, seconds=seconds)
    elif error.reason == "error":
        issue = make_issue("file_unreadable", file=name, detail=error.detail or error.reason)
    else:
        if error.reason == "memory":
            reason = Phrase.of("safety.crash_memory", limit=size_phrase(error.memory_bytes))
        elif error.reason == "signal":
            reason = Phrase.of("safety.crash_signal", signal=error.detail or error.signal_number)
        else:
            reason = Phrase.of("safety.crash_exit", code=error.exit_code)
        issue = make_issue("read_crashed", file=name, value=error.reason, reason=reason)
    return ReadResult(name, hashlib.sha256(data).hexdigest(), _magic_kind(data), (), (issue,))


def read_in_process(data: bytes, name: str, *, catalogue: Catalogue | None = None,
                    registry: UnitRegistry | None = None, **kwargs: Any) -> ReadResult:
    """``read_bytes`` in this process, any exception turned into a ``file_unreadable`` issue (no time or
    memory bound: for tests and trusted files)."""
    try:
        return read_bytes(data, name, catalogue=catalogue, registry=registry, **kwargs)
    except Exception as exc:  # the reader must never take the caller down
        log.exception("reading %s failed", name)
        issue = make_issue("file_unreadable", file=name, detail=f"{type(exc).__name__}: {exc}"[:200])
        return ReadResult(name, hashlib.sha256(data).hexdigest(), _magic_kind(data), (), (issue,))


#: How a worker ends when a part or sheet too large exhausts its memory (the read is then tried again with
#: every check made first).
_DIED: Final = frozenset({"memory", "signal", "exit"})


def read_isolated(data: bytes, name: str, *, catalogue: Catalogue | None = None,
                  registry: UnitRegistry | None = None, timeout_s: float = READ_TIMEOUT_S,
                  memory_bytes: int = READ_MEMORY_BYTES, **kwargs: Any) -> ReadResult:
    """Read one file in a worker process with ``memory_bytes`` of address space and ``timeout_s`` seconds.

    The worker reads ``bounded`` (:func:`lgqa_metrics.intake.workbook.load_workbook`): for an .xlsx it leaves the
    checks whose only purpose is to guard memory (unpacking every part whole, measuring every sheet from its
    XML before building it; the slowest of the reader's own) to its memory bound. Should the worker die (a
    part or sheet too large exhausts its memory), the file is read once more with every check, so the
    verdict still names the part, or the sheet and cell (``zip_bomb``, ``sheet_too_large``).

    Never raises: a file over :data:`MAX_FILE_BYTES` is ``file_too_large`` without being read, a worker
    that dies or overruns gives ``read_crashed`` / ``read_timeout``. Only when no worker can be started at
    all (no fault of the file) is the file read in this process instead, and that is logged.
    """
    oversized = too_large(data, name)
    if oversized is not None:
        return oversized
    keep = _kept_arguments(catalogue, registry)
    try:
        try:  # bounded in memory, the worker leaves the checks that only guard memory to its bound
            result = call_isolated(read_bytes, data, name, timeout_s=timeout_s, memory_bytes=memory_bytes,
                                   keep=keep, bounded=True, **kwargs)
        except IsolationError as exc:
            if exc.reason not in _DIED:
                raise
            log.info("reading %s in the worker failed (%s); reading it again with every check", name, exc)
            result = call_isolated(read_bytes, data, name, timeout_s=timeout_s, memory_bytes=memory_bytes,
                                   keep=keep, bounded=False, **kwargs)
    except IsolationError as exc:
        if exc.reason == "start":
            log.error("no reader worker could be started (%s); reading %s in process", exc.detail, name)
            return read_in_process(data, name, catalogue=catalogue, registry=registry, **kwargs)
        log.warning("reading %s in the worker failed: %s", name, exc)
        return failed_read(data, name, exc)
    if not isinstance(result, ReadResult):
        return failed_read(data, name, IsolationError("error", f"unexpected answer {type(result).__name__}"))
    return result


def _kept_arguments(catalogue: Catalogue | None, registry: UnitRegistry | None) -> dict[str, Any]:
    """The catalogue and registry a worker is to keep: the default ones are its own; others are sent to each
    worker once and kept there."""
    return {k: v for k, v in (("catalogue", catalogue), ("registry", registry))
            if v is not None and v is not (default_catalogue() if k == "catalogue" else default_registry())}


def read_many(items: Sequence[tuple[bytes, str]], **kwargs: Any) -> list[ReadResult]:
    """``read_bytes`` of each ``(data, name)`` in turn (what a worker runs for :func:`read_many_isolated`),
    with the fingerprint of every accepted return worked out: it goes back with the return, so the server,
    which matches returns by it, need not hash them itself."""
    results = [read_bytes(data, name, **kwargs) for data, name in items]
    for result in results:
        for ret in result.returns:
            if ret.accepted:
                _ = ret.fingerprint
    return results


def read_many_isolated(items: Sequence[tuple[bytes, str]], *, catalogue: Catalogue | None = None,
                       registry: UnitRegistry | None = None, timeout_s: float = READ_TIMEOUT_S,
                       memory_bytes: int = READ_MEMORY_BYTES, **kwargs: Any) -> list[ReadResult]:
    """:func:`read_isolated` of each ``(data, name)``, with the same results, read one after another in a
    single call to a worker (a round trip for several files rather than one each, within ``timeout_s`` and
    ``memory_bytes`` for them all). Should that call not return (a file kills the worker or overruns), each
    of its files is read on its own with :func:`read_isolated`, so the verdict falls on the file at fault.
    Each name is taken as :func:`~lgqa_metrics.domain.textnorm.shown_name` gives it. Never raises."""
    items = [(data, shown_name(name)) for data, name in items]
    out: list[ReadResult | None] = [too_large(data, name) for data, name in items]
    to_read = [item for item, done in zip(items, out, strict=True) if done is None]
    if not to_read:
        return [r for r in out if r is not None]
    try:
        results = call_isolated(read_many, to_read, timeout_s=timeout_s, memory_bytes=memory_bytes,
                                keep=_kept_arguments(catalogue, registry), bounded=True, **kwargs)
        if not (isinstance(results, list) and len(results) == len(to_read)
                and all(isinstance(r, ReadResult) for r in results)):
            raise IsolationError("error", f"unexpected answer {type(results).__name__}")
    except IsolationError as exc:
        log.info("reading %d files in one worker call failed (%s); reading them one by one", len(to_read), exc)
        results = [read_isolated(data, name, catalogue=catalogue, registry=registry, timeout_s=timeout_s,
                                 memory_bytes=memory_bytes, **kwargs) for data, name in to_read]
    answers = iter(results)
    return [done if done is not None else next(answers) for done in out]


def read_safely(data: bytes, name: str, *, isolated: bool = True, catalogue: Catalogue | None = None,
                registry: UnitRegistry | None = None, **kwargs: Any) -> ReadResult:
    """Read one untrusted file: the size cap first, then :func:`read_isolated` (or, with ``isolated=False``,
    :func:`read_in_process`). The name is taken as :func:`~lgqa_metrics.domain.textnorm.shown_name` gives it (a file
    name is untrusted too: undecodable bytes, controls, right-to-left marks). Never raises."""
    name = shown_name(name)
    if isolated:
        return read_isolated(data, name, catalogue=catalogue, registry=registry, **kwargs)
    return too_large(data, name) or read_in_process(data, name, catalogue=catalogue, registry=registry, **kwargs)


# --- the worker side -----------------------------------------------------------------------------------


def _warm_up() -> None:
    """What every read needs, loaded once when a worker starts (before its memory is capped)."""
    default_catalogue()
    default_registry()
    import_readers()
    messages()  # the issues' wording, needed by the first file with an issue


if __name__ == "__main__":
    serve_worker(sys.argv[1:], _warm_up)
