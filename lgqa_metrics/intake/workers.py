"""Worker processes that run one call at a time under limits on memory, CPU and wall-clock time, reused
call after call: the mechanism :mod:`lgqa_metrics.intake.safety` reads untrusted files with.

A :class:`WorkerKind` names the module whose ``__main__`` serves calls (:func:`serve_worker`), the classes its
answers may hold, and how many of its workers may run at once. A worker is started once (``python -m`` that
module) and reused; one that crashed or timed out is replaced on the next call. Large arguments used call
after call (a store's own unit registry) are sent to a worker once and kept there. Answers come back through
a restricted unpickler that accepts only the kind's own classes, so even a worker subverted by what it read
could not make the caller run code. Address space and CPU time are capped with ``setrlimit``; a worker that
overruns its time is killed.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import logging
import math
import os
import pickle
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Final, TypeVar

log = logging.getLogger(__name__)

#: Time a new worker may take to import what it needs and report ready.
START_TIMEOUT_S: Final = 120.0
#: Large arguments (a store's catalogue and unit registry) a worker keeps between calls: sent once to each
#: worker, then named by a key (a national registry is megabytes to pickle with every call).
KEPT_PER_WORKER: Final = 4

_ROOT: Final = Path(__file__).resolve().parents[2]
#: Largest answer accepted from a worker (a read result is kilobytes; a marked-up workbook, megabytes).
_MAX_ANSWER_BYTES: Final = 256 * 1024 * 1024
_THREAD_VARS: Final = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")

T = TypeVar("T")


@dataclass(frozen=True)
class WorkerKind:
    """What a pool's workers are: ``module`` is run with ``python -m`` (its ``__main__`` calls
    :func:`serve_worker`), ``answers`` are the only ``(module, class)`` pairs an answer may hold besides plain
    values, ``most`` is how many run at once."""

    module: str
    answers: frozenset[tuple[str, str]]
    most: int


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


class _AnswerUnpickler(pickle.Unpickler):
    """Unpickles a worker's answer, refusing every global but the ``allowed`` ``(module, name)`` pairs."""

    def __init__(self, data: bytes, allowed: frozenset[tuple[str, str]]) -> None:
        super().__init__(io.BytesIO(data))
        self.allowed = allowed

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self.allowed:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"a worker answered with {module}.{name}")


class _Worker:
    """One worker process, reused call after call until it fails or overruns."""

    def __init__(self, kind: WorkerKind, memory_bytes: int) -> None:
        self.kind = kind
        self.memory_bytes = memory_bytes
        #: What this worker keeps, by key (held here too, so that no other object can take its id).
        self.kept: dict[str, Any] = {}
        req_r, req_w = os.pipe()
        resp_r, resp_w = os.pipe()
        path = os.pathsep.join(p for p in (str(_ROOT), os.environ.get("PYTHONPATH", "")) if p)
        env = {**os.environ, **dict.fromkeys(_THREAD_VARS, "1"), "PYTHONPATH": path, "RUST_BACKTRACE": "0"}
        args = [sys.executable, "-m", kind.module, str(req_r), str(resp_w), str(memory_bytes)]
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
        return _AnswerUnpickler(self.inbox.recv_bytes(_MAX_ANSWER_BYTES), self.kind.answers).load()

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


class Pool:
    """Idle workers of one kind kept for reuse, at most ``kind.most`` running at once."""

    def __init__(self, kind: WorkerKind) -> None:
        self.kind = kind
        atexit.register(self.shutdown)
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
        """An idle worker with ``memory_bytes``, or a new one once fewer than ``kind.most`` run (an idle worker
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
                if self._busy + len(self._idle) >= self.kind.most and self._idle:
                    self._idle.pop(0).stop()
                if self._busy + len(self._idle) < self.kind.most:
                    self._busy += 1
                    break
                self._lock.wait()
        try:
            return _Worker(self.kind, memory_bytes)
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
        """Start a worker and leave it idle for the next call (nothing when ``kind.most`` run or it fails to start:
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


    def start_in_background(self, count: int, memory_bytes: int) -> None:
        """Start ``count`` workers (at most ``kind.most``) on background threads, so that their start overlaps
        what the caller does meanwhile."""
        for _ in range(min(count, self.kind.most)):
            threading.Thread(target=self.start_one, args=(memory_bytes,), name="lgqa-start-worker",
                             daemon=True).start()


def _key(obj: object) -> str:
    """The key a kept argument goes by: its type and identity (the server holds it while a worker keeps it)."""
    return f"{type(obj).__name__}:{id(obj)}"


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


def _serve(inbox: Connection, outbox: Connection, memory_bytes: int, warm_up: Callable[[], None]) -> None:
    """The worker's loop: ``warm_up``, then answer ``(fn, args, kwargs, cpu_s, kept)`` requests until told to
    stop or orphaned."""
    warm_up()
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


def serve_worker(argv: list[str], warm_up: Callable[[], None]) -> None:
    """A worker's entry (the ``__main__`` of its kind's module), given the request and answer pipes'
    descriptors and the memory budget: ``warm_up`` (import and load what every call needs, before the memory
    is capped), then serve calls. A worker ends when
    its server does (its request pipe closes); no kernel parent-death signal, since that follows the
    thread that started the worker, and Streamlit ends its script threads after every run."""
    inbox = Connection(int(argv[0]), writable=False)
    outbox = Connection(int(argv[1]), readable=False)
    _serve(inbox, outbox, int(argv[2]), warm_up)
    os._exit(0)  # as multiprocessing's children do: nothing to flush, no interpreter teardown to wait for
