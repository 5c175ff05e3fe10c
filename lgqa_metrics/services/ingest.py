"""Ingest files into the store: find them, read them, record the outcome of every return."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from pathlib import Path
from typing import Final

from lgqa_metrics.domain.roles import Actor, cli_actor
from lgqa_metrics.intake.reader import ReadResult
from lgqa_metrics.intake.safety import MAX_WORKERS, read_many_isolated, read_safely

#: Files skipped when a folder is walked, by why: Office's and LibreOffice's lock files, hidden files (macOS
from lgqa_metrics.store import layout_mappings
from lgqa_metrics.store.database import Outcome, Store

#: "._" shadows among them), the system's litter, and read-me notes.
_SKIP_PREFIXES: Final = (("~$", "lock_file"), (".~lock", "lock_file"), (".", "hidden"))
_SKIP_NAMES: Final = {"Thumbs.db": "system_file", "desktop.ini": "system_file", ".DS_Store": "system_file",
                      "README.md": "readme", "README.txt": "readme"}
#: Batches read at once by :func:`ingest_paths` (each in a worker process, at most ``safety.MAX_WORKERS``).
READ_AHEAD: Final = 2
#: Most files a worker reads in one call during :func:`ingest_paths`, and most bytes (a larger file goes alone):
#: fewer, larger calls leave a worker idle less often between them; a call that fails is read again file by file.
BATCH_FILES: Final = 16
BATCH_BYTES: Final = 4 * 1024 * 1024


def sort_files(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The files to read — named directly, or under named folders (sorted) — and the files skipped under the
    folders, each with why (a ``cli.skipped_*`` reason: lock file, hidden file, system file, read-me)."""
    found: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    for path in paths:
        if not path.is_dir():
            found.append(path)
            continue
        for p in sorted(path.rglob("*")):
            if not p.is_file():
                continue
            reason = skip_reason(p.name)
            if reason:
                skipped.append((p, reason))
            else:
                found.append(p)
    return found, skipped


def collect_files(paths: Iterable[Path]) -> list[Path]:
    """The files :func:`sort_files` reads."""
    return sort_files(paths)[0]


def batched(files: list[Path], most: int, most_bytes: int) -> list[list[Path]]:
    """``files`` in order, in batches of at most ``most`` files and ``most_bytes`` bytes (a file larger than
    that in a batch of its own)."""
    batches: list[list[Path]] = []
    size = 0
    for path in files:
        try:
            length = path.stat().st_size
        except OSError:  # gone or unreadable: reading it will say so
            length = 0
        if not batches or len(batches[-1]) >= most or size + length > most_bytes:
            batches.append([])
            size = 0
        batches[-1].append(path)
        size += length
    return batches


def skip_reason(name: str) -> str:
    """Why a file found in a folder is not read ("" when it is)."""
    if name in _SKIP_NAMES:
        return _SKIP_NAMES[name]
    return next((reason for prefix, reason in _SKIP_PREFIXES if name.startswith(prefix)), "")


def ingest_bytes(store: Store, data: bytes, name: str, *, actor: Actor | None = None, uploader: str | None = None,
                 dry_run: bool = False, isolated: bool = True) -> list[Outcome]:
    """Read one file's bytes and record its returns, as ``actor`` (default: the command line's user).

    The file is read as untrusted (:func:`lgqa_metrics.intake.safety.read_safely`): over ``MAX_FILE_BYTES`` it is
    rejected unread, otherwise read in a worker process bounded in memory and time (``isolated=False``
    reads in this process, for tests and trusted files)."""
    result = read_safely(data, name, isolated=isolated, catalogue=store.catalogue, registry=store.registry,
                         lineage=store.lineage, mappings=layout_mappings.stored(store.engine))
    return store.record(result, data, actor=actor or cli_actor(), uploader=uploader, dry_run=dry_run)


def ingest_paths(store: Store, paths: Iterable[Path], *, actor: Actor | None = None, uploader: str | None = None,
                 dry_run: bool = False, isolated: bool = True,
                 progress: Callable[[int, int, Path], None] | None = None) -> list[Outcome]:
    """Ingest every file under ``paths``, in order; ``progress(i, n, path)`` is called before each file is
    recorded.

    Read in worker processes (``isolated``), the files go in batches (:func:`batched`: at most
    :data:`BATCH_FILES` and :data:`BATCH_BYTES`, and no more than an equal share per worker, so that a few
    files still keep every worker busy), each read in one call to a worker
    (:func:`lgqa_metrics.intake.safety.read_many_isolated`); up to :data:`READ_AHEAD` batches are read at once, each
    in a worker of its own, while the returns of the batch before are recorded: reading and the store's work
    overlap on several cores. The returns are recorded in file order all the same; a dry run judges them all
    on one read connection."""
    files = collect_files(paths)
    who = actor or cli_actor()
    mappings = layout_mappings.stored(store.engine)  # staff-confirmed column mappings, applied by the reader

    def read(batch: list[Path]) -> list[tuple[bytes, ReadResult]]:
        datas = [path.read_bytes() for path in batch]
        if isolated:
            results = read_many_isolated([(data, path.name) for data, path in zip(datas, batch, strict=True)],
                                         catalogue=store.catalogue, registry=store.registry, lineage=store.lineage,
                                         mappings=mappings)
        else:
            results = [read_safely(data, path.name, isolated=False, catalogue=store.catalogue,
                                   registry=store.registry, lineage=store.lineage, mappings=mappings)
                       for data, path in zip(datas, batch, strict=True)]
        return list(zip(datas, results, strict=True))

    ahead = READ_AHEAD if isolated else 0
    at_once = min(READ_AHEAD, MAX_WORKERS)  # batches read at the same time
    batches = batched(files, min(BATCH_FILES, -(-len(files) // at_once)), BATCH_BYTES) if isolated \
        else [[path] for path in files]  # every worker busy, however few the files
    outcomes: list[Outcome] = []
    done = 0
    with ThreadPoolExecutor(max_workers=max(ahead, 1), thread_name_prefix="lgqa-read-ahead") as pool, \
            (store.dry_run_connection() if dry_run else nullcontext()) as reading:
        pending: deque[Future[list[tuple[bytes, ReadResult]]]] = deque()
        submitted = 0
        for b, batch in enumerate(batches):
            # this batch and the next READ_AHEAD: while this one is recorded, READ_AHEAD are read
            while ahead and submitted < min(b + 1 + ahead, len(batches)):
                pending.append(pool.submit(read, batches[submitted]))
                submitted += 1
            for path, (data, result) in zip(batch, pending.popleft().result() if pending else read(batch), strict=True):
                if progress:
                    progress(done, len(files), path)
                outcomes.extend(store.record(result, data, actor=who, uploader=uploader, dry_run=dry_run,
                                             reading=reading))
                done += 1
    return outcomes
