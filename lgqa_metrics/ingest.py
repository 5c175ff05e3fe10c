"""Ingest files into the store: find them, read them, record the outcome of every return."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Final

from lgqa_metrics.accounts_base import Actor, cli_actor
from lgqa_metrics.safety import read_safely
from lgqa_metrics.store import Outcome, Store

#: File names skipped when a folder is walked (lock files, hidden files, OS litter).
_SKIP_PREFIXES: Final = ("~$", ".~lock", ".")
_SKIP_NAMES: Final = frozenset({"Thumbs.db", "desktop.ini", "README.md", "README.txt"})


def collect_files(paths: Iterable[Path]) -> list[Path]:
    """Files named directly, plus every file under named folders (sorted, litter skipped)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(p for p in sorted(path.rglob("*")) if p.is_file() and not _skip(p))
        else:
            found.append(path)
    return found


def _skip(path: Path) -> bool:
    return path.name.startswith(_SKIP_PREFIXES) or path.name in _SKIP_NAMES


def ingest_bytes(store: Store, data: bytes, name: str, *, actor: Actor | None = None, uploader: str | None = None,
                 dry_run: bool = False, isolated: bool = True) -> list[Outcome]:
    """Read one file's bytes and record its returns, as ``actor`` (default: the command line's user).

    The file is read as untrusted (:func:`lgqa_metrics.safety.read_safely`): over ``MAX_FILE_BYTES`` it is
    rejected unread, otherwise read in a worker process bounded in memory and time (``isolated=False``
    reads in this process, for tests and trusted files)."""
    result = read_safely(data, name, isolated=isolated, catalogue=store.catalogue, registry=store.registry)
    return store.record(result, data, actor=actor or cli_actor(), uploader=uploader, dry_run=dry_run)


def ingest_paths(store: Store, paths: Iterable[Path], *, actor: Actor | None = None, uploader: str | None = None,
                 dry_run: bool = False, isolated: bool = True,
                 progress: Callable[[int, int, Path], None] | None = None) -> list[Outcome]:
    """Ingest every file under ``paths``; ``progress(i, n, path)`` is called before each file."""
    files = collect_files(paths)
    outcomes: list[Outcome] = []
    for i, path in enumerate(files):
        if progress:
            progress(i, len(files), path)
        outcomes.extend(ingest_bytes(store, path.read_bytes(), path.name, actor=actor, uploader=uploader,
                                     dry_run=dry_run, isolated=isolated))
    return outcomes
