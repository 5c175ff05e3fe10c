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

The worker is started once (``python -m lgqa_metrics.intake.safety``, a few tenths of a second: it imports the
reader, not pandas) and reused for file after file; a worker that crashed or timed out is replaced on the next
call. Large arguments used call after call (a store's own unit registry) are sent to a worker once and kept
there. Results come back through a restricted unpickler that accepts only the reader's own record types, so
even a worker subverted by a file could not make the server run code. At most :data:`MAX_WORKERS` workers
run at once.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import io
import logging
import math
import os
import pickle
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Final, TypeVar

from lgqa_metrics.domain.catalogue import Catalogue, default_catalogue
from lgqa_metrics.domain.i18n import Phrase, messages
from lgqa_metrics.domain.issues import Issue, make_issue
from lgqa_metrics.domain.textnorm import shown_name
from lgqa_metrics.domain.units import UnitRegistry, default_registry
from lgqa_metrics.intake.reader import ReadResult, read_bytes
from lgqa_metrics.intake.workbook import import_readers, size_phrase

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
#: Time a new worker may take to import the reader and report ready.
START_TIMEOUT_S: Final = 120.0
#: Large arguments (a store's catalogue and unit registry) a worker keeps between calls: sent once to each
#: worker, then named by a key (a national registry is megabytes to pickle with every file).
KEPT_PER_WORKER: Final = 4

_ROOT: Final = Path(__file__).resolve().parents[2]
#: Largest answer accepted from a worker (a read result is kilobytes; a marked-up workbook, megabytes).
_MAX_ANSWER_BYTES: Final = 256 * 1024 * 1024
_THREAD_VARS: Final = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")
#: The only classes a worker's answer may hold (besides plain values): the reader's records and a download.
_RESULT_CLASSES: Final = frozenset({
    ("lgqa_metrics.intake.records", "ReadResult"), ("lgqa_metrics.intake.records", "ParsedReturn"),
    ("lgqa_metrics.intake.records", "RatingRow"), ("lgqa_metrics.domain.issues", "Issue"), ("lgqa_metrics.domain.issues", "Severity"),
    ("lgqa_metrics.domain.ratings", "Rating"), ("lgqa_metrics.services.annotate", "Download"),
})

T = TypeVar("T")


class IsolationError(Exception):
    """A call in a worker did not return a value.

    ``reason`` is ``timeout`` (killed after ``timeout_s``), ``memory`` (the worker ran out of its memory
    limit), ``signal`` (killed by ``signal``, e.g. SIGABRT when a native reader fails to allocate), ``exit``
    (ended with ``exit_code``), ``error`` (the call raised; ``detail`` says what) or ``start`` (no worker
    could be started).
    """

    def __init__(self, reason: str, detail: str = "", *, timeout_s: float = 0.0, memory_bytes: int = 0,
                 signal_number: int | None = None, exit_code: int | None = None) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
        self.timeout_s = timeout_s
        self.memory_bytes = memory_bytes
        self.signal_number = signal_number
        self.exit_code = exit_code


class _ResultUnpickler(pickle.Unpickler):
    """Unpickles a worker's answer, refusing every global but :data:`_RESULT_CLASSES`."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _RESULT_CLASSES:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"a worker answered with {module}.{name}")


class _Worker:
    """One reader process, reused call after call until it fails or overruns."""

    def __init__(self, memory_bytes: int) -> None:
        self.memory_bytes = memory_bytes
        #: What this worker keeps, by key (held here too, so that no other object can take its id).
        self.kept: dict[str, Any] = {}
        req_r, req_w = os.pipe()
        resp_r, resp_w = os.pipe()
        path = os.pathsep.join(p for p in (str(_ROOT), os.environ.get("PYTHONPATH", "")) if p)
        env = {**os.environ, **dict.fromkeys(_THREAD_VARS, "1"), "PYTHONPATH": path, "RUST_BACKTRACE": "0"}
        args = [sys.executable, "-m", "lgqa_metrics.intake.safety", str(req_r), str(resp_w), str(memory_bytes)]
        try:
            self.proc = subprocess.Popen(args, pass_fds=(req_r, resp_w), env=env, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL)
        except OSError as exc:
            for fd in (req_r, req_w, resp_r, resp_w):
                os.close(fd)
            raise IsolationError("start", str(exc)) from exc
        os.close(req_r)  # the child's ends
        os.close(resp_w)
        self.outbox = Connection(req_w, readable=False)
        self.inbox = Connection(resp_r, writable=False)
        if not self.inbox.poll(START_TIMEOUT_S):
            self.kill()
            raise IsolationError("start", "the worker did not report ready")
        try:
            ready = self._answer()
        except (EOFError, OSError, pickle.UnpicklingError) as exc:
            self.kill()
            raise IsolationError("start", f"the worker ended while starting ({self.proc.poll()})") from exc
        if ready != ("ready", self.proc.pid):
            self.kill()
            raise IsolationError("start", "the worker answered wrongly")

    @property
    def alive(self) -> bool:
        """True while the process runs."""
        return self.proc.poll() is None

    def _answer(self) -> Any:
        """The worker's next answer, at most :data:`_MAX_ANSWER_BYTES`, through the restricted unpickler."""
        return _ResultUnpickler(io.BytesIO(self.inbox.recv_bytes(_MAX_ANSWER_BYTES))).load()

    def call(self, fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any], timeout_s: float,
             keep: Mapping[str, Any] | None = None) -> T:
        """Run ``fn(*args, **kwargs, **keep)`` in the worker; raise :class:`IsolationError` when it does not
        return. The ``keep`` arguments are sent only when the worker does not hold them yet, and kept there."""
        keep = keep or {}
        for attempt in range(2):
            refs = {name: (_key(obj), None if self.kept.get(_key(obj)) is obj else obj) for name, obj in keep.items()}
            status, payload = self._round_trip((fn, args, kwargs, math.ceil(timeout_s) + 5, refs), timeout_s)
            if status == "missing" and attempt == 0:  # the worker no longer holds it: send it along
                self.kept.pop(str(payload), None)
                continue
            if status == "ok":
                for obj in keep.values():
                    self.kept.pop(_key(obj), None)
                    self.kept[_key(obj)] = obj
                while len(self.kept) > KEPT_PER_WORKER:
                    del self.kept[next(iter(self.kept))]
                return payload  # type: ignore[no-any-return]
            if status == "memory":
                self.kill()
                raise IsolationError("memory", memory_bytes=self.memory_bytes)
            raise IsolationError("error", str(payload)[:200])
        raise IsolationError("error", "the worker lost an argument it was sent")

    def _round_trip(self, message: tuple[Any, ...], timeout_s: float) -> tuple[str, Any]:
        """Send one request and return the worker's ``(status, payload)``."""
        request = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self.outbox.send_bytes(request)
        except OSError as exc:  # the worker went away while idle: not the file's doing
            self.kill()
            raise _Gone from exc
        if not self.inbox.poll(timeout_s):
            self.kill()
            raise IsolationError("timeout", timeout_s=timeout_s)
        try:
            status, payload = self._answer()
        except (EOFError, OSError) as exc:
            raise self._death(timeout_s) from exc
        except (pickle.UnpicklingError, ValueError, TypeError, AttributeError) as exc:
            self.kill()
            raise IsolationError("error", f"{type(exc).__name__}: {exc}"[:200]) from exc
        return str(status), payload

    def _death(self, timeout_s: float) -> IsolationError:
        """What ended a worker that closed its pipe mid-call (SIGXCPU: it used up its CPU time)."""
        try:
            code = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()
            code = self.proc.returncode
        self.close_pipes()
        if code is not None and code < 0:
            number = -code
            if number == signal.SIGXCPU:
                return IsolationError("timeout", "CPU time limit", timeout_s=timeout_s)
            return IsolationError("signal", signal.Signals(number).name if number in signal.valid_signals() else "",
                                  signal_number=number, memory_bytes=self.memory_bytes)
        return IsolationError("exit", exit_code=code)

    def kill(self) -> None:
        """End the worker (our own child, by its handle) and close the pipes."""
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            log.warning("reader worker %s did not end after SIGKILL", self.proc.pid)
        self.close_pipes()

    def close_pipes(self) -> None:
        """Close both ends we hold."""
        for conn in (self.outbox, self.inbox):
            with contextlib.suppress(OSError):
                conn.close()

    def stop(self) -> None:
        """Ask the worker to end, then make sure it has."""
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            self.outbox.send_bytes(pickle.dumps(None))
            self.proc.wait(timeout=2)
        self.kill()


class _Gone(Exception):
    """An idle worker had ended before it was given a call."""


class _Pool:
    """Idle workers kept for reuse, with at most :data:`MAX_WORKERS` running at once."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._idle: list[_Worker] = []
        self._busy = 0
        self._pid = os.getpid()

    def _reset_after_fork(self) -> None:
        if self._pid != os.getpid():  # a forked copy of this process must not share our workers' pipes
            self._idle, self._busy, self._pid = [], 0, os.getpid()

    def call(self, fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any], *, timeout_s: float,
             memory_bytes: int, keep: Mapping[str, Any] | None = None) -> T:
        """Run ``fn`` in a free worker with ``memory_bytes`` (starting one when none is idle)."""
        for attempt in range(2):
            worker = self._acquire(memory_bytes)
            healthy = False
            try:
                result = worker.call(fn, args, kwargs, timeout_s, keep)
                healthy = True
                return result
            except _Gone:
                if attempt:
                    raise IsolationError("start", "workers keep ending before use") from None
            except IsolationError as exc:
                healthy = exc.reason == "error" and worker.alive
                raise
            finally:
                self._release(worker, healthy)
        raise AssertionError("unreachable")

    def _acquire(self, memory_bytes: int) -> _Worker:
        """An idle worker with ``memory_bytes``, or a new one once fewer than MAX_WORKERS run (an idle worker
        with other limits is stopped to make room); waits while all are busy."""
        with self._lock:
            self._reset_after_fork()
            while True:
                for worker in [w for w in self._idle if not w.alive]:
                    self._idle.remove(worker)
                    worker.kill()
                # the worker used last: calls one after another go to the same (warm) worker
                match = next((w for w in reversed(self._idle) if w.memory_bytes == memory_bytes), None)
                if match is not None:
                    self._idle.remove(match)
                    self._busy += 1
                    return match
                if self._busy + len(self._idle) >= MAX_WORKERS and self._idle:
                    self._idle.pop(0).stop()
                if self._busy + len(self._idle) < MAX_WORKERS:
                    self._busy += 1
                    break
                self._lock.wait()
        try:
            return _Worker(memory_bytes)
        except BaseException:
            with self._lock:
                self._busy -= 1
                self._lock.notify()
            raise

    def _release(self, worker: _Worker, healthy: bool) -> None:
        with self._lock:
            self._busy -= 1
            if healthy and worker.alive:
                self._idle.append(worker)
            else:
                worker.kill()
            self._lock.notify()

    def start_one(self, memory_bytes: int) -> None:
        """Start a worker and leave it idle for the next call (nothing when MAX_WORKERS run or it fails to start:
        the next call starts one itself, and says why when it cannot)."""
        try:
            worker = self._acquire(memory_bytes)
        except IsolationError:
            return
        self._release(worker, True)

    def shutdown(self) -> None:
        """Stop every idle worker."""
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.stop()


_POOL: Final = _Pool()
atexit.register(_POOL.shutdown)


def start_workers(count: int = MAX_WORKERS, memory_bytes: int = READ_MEMORY_BYTES) -> None:
    """Start ``count`` reader workers in the background for a command about to read files: their start (a few
    tenths of a second each) overlaps the command's own imports and the opening of the store."""
    for _ in range(min(count, MAX_WORKERS)):
        threading.Thread(target=_POOL.start_one, args=(memory_bytes,), name="lgqa-start-worker", daemon=True).start()


def shutdown() -> None:
    """Stop the idle worker processes (they are started again when needed)."""
    _POOL.shutdown()


def call_isolated(fn: Callable[..., T], *args: Any, timeout_s: float = READ_TIMEOUT_S,
                  memory_bytes: int = READ_MEMORY_BYTES, keep: Mapping[str, Any] | None = None, **kwargs: Any) -> T:
    """``fn(*args, **kwargs, **keep)`` run in a worker process with at most ``memory_bytes`` more address space
    and ``timeout_s`` seconds. ``fn`` must be importable by name and return plain values or the reader's
    records. The ``keep`` arguments (large ones used call after call, such as a unit registry) are sent to a
    worker once and kept there, at most :data:`KEPT_PER_WORKER` of them. Raises :class:`IsolationError`
    when the call does not return a value."""
    return _POOL.call(fn, args, kwargs, timeout_s=timeout_s, memory_bytes=memory_bytes, keep=keep)


def _key(obj: object) -> str:
    """The key a kept argument goes by: its type and identity (the server holds it while a worker keeps it)."""
    return f"{type(obj).__name__}:{id(obj)}"


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


def _vm_bytes() -> int | None:
    """This process's current address-space size (Linux), or None."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _limit(what: int, soft: int) -> None:
    import resource

    _, hard = resource.getrlimit(what)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(what, (soft, hard))


def _limit_memory(memory_bytes: int) -> None:
    """Cap the address space at what the worker holds now plus ``memory_bytes``; no core files."""
    import resource

    _limit(resource.RLIMIT_CORE, 0)
    now = _vm_bytes()
    if now is not None:
        _limit(resource.RLIMIT_AS, now + memory_bytes)


def _limit_cpu(seconds: int) -> None:
    """Allow ``seconds`` more CPU time from now (SIGXCPU beyond); the hard limit is left as it is."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    _limit(resource.RLIMIT_CPU, math.ceil(usage.ru_utime + usage.ru_stime) + seconds)


#: The arguments this worker keeps (see :data:`KEPT_PER_WORKER`), oldest first.
_KEPT: dict[str, Any] = {}


def _take_kept(refs: Mapping[str, tuple[str, Any]], kwargs: dict[str, Any]) -> str | None:
    """Add the kept arguments named in ``refs`` (``name: (key, object or None when kept already)``) to
    ``kwargs``, keeping the ones sent; the key of one no longer kept, or None."""
    for name, (key, obj) in refs.items():
        if obj is None:
            if key not in _KEPT:
                return key
            obj = _KEPT[key]
        else:
            _KEPT.pop(key, None)
            _KEPT[key] = obj
            while len(_KEPT) > KEPT_PER_WORKER:
                del _KEPT[next(iter(_KEPT))]
        kwargs[name] = obj
    return None


def _serve(inbox: Connection, outbox: Connection, memory_bytes: int) -> None:
    """The worker's loop: answer ``(fn, args, kwargs, cpu_s, kept)`` requests until told to stop or orphaned."""
    default_catalogue()
    default_registry()
    import_readers()
    messages()  # the issues' wording, needed by the first file with an issue
    _limit_memory(memory_bytes)
    try:
        outbox.send(("ready", os.getpid()))
    except OSError:
        return  # the command ended before it needed us (a usage error, a store that is not there)
    while True:
        try:
            request = inbox.recv()
        except (EOFError, OSError):
            return  # the server has gone
        if request is None:
            return
        fn, args, kwargs, cpu_s, refs = request
        missing = _take_kept(refs, kwargs)
        if missing is not None:
            with contextlib.suppress(OSError):
                outbox.send(("missing", missing))
            continue
        _limit_cpu(cpu_s)
        try:
            answer: tuple[str, Any] = ("ok", fn(*args, **kwargs))
        except MemoryError:
            del request, args, kwargs
            answer = ("memory", "")
        except Exception as exc:
            answer = ("error", f"{type(exc).__name__}: {exc}"[:200])
        try:
            outbox.send(answer)
        except MemoryError:
            answer = ("memory", "")
            with contextlib.suppress(OSError, MemoryError):
                outbox.send(answer)
        except OSError:
            return  # the server has gone while we read
        except Exception as exc:  # an answer that cannot be pickled
            with contextlib.suppress(OSError):
                outbox.send(("error", f"{type(exc).__name__}: {exc}"[:200]))
        if answer[0] == "memory":
            return  # a heap that ran out is not trusted for the next file


def _main(argv: list[str]) -> None:
    """Worker entry: the request and answer pipes' descriptors and the memory budget. A worker ends when
    its server does (its request pipe closes); no kernel parent-death signal, since that follows the
    thread that started the worker, and Streamlit ends its script threads after every run."""
    inbox = Connection(int(argv[0]), writable=False)
    outbox = Connection(int(argv[1]), readable=False)
    _serve(inbox, outbox, int(argv[2]))
    os._exit(0)  # as multiprocessing's children do: nothing to flush, no interpreter teardown to wait for


if __name__ == "__main__":
    _main(sys.argv[1:])
