"""Where the store is: its URL (the argument, else ``LGQA_DATABASE_URL``, else the SQLite file under ``data/``),
how it is printed, and whether a command may open or make a store there. Nothing here connects anywhere."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

from sqlalchemy.engine import make_url

from lgqa_metrics.domain.i18n import MessageError
from lgqa_metrics.domain.paths import DEFAULT_DB_FILE

#: The environment variable naming the store.
ENV_URL: Final = "LGQA_DATABASE_URL"
#: The store used when no URL is given.
DEFAULT_URL: Final = f"sqlite:///{DEFAULT_DB_FILE}"


def resolve_url(url: str | None = None) -> str:
    """The database URL: the argument, else ``LGQA_DATABASE_URL``, else the SQLite file under ``data/``."""
    return url or os.environ.get(ENV_URL) or DEFAULT_URL


class StoreMissing(MessageError):
    """A store that is not there where a command was pointed (and may not be made there): a usage error."""

    exit_code: Final = 2


def is_default(url: str) -> bool:
    """True for the store used when no URL is given (the SQLite file under ``data/``)."""
    return url == DEFAULT_URL


def check_target(url: str, *, create: bool) -> None:
    """Refuse a store that would silently lose or scatter data: an in-memory SQLite database (gone at exit), a
    SQLite file in a folder that does not exist (no folder tree is ever made), and a missing file unless
    ``create``. A server database must exist already (the server refuses otherwise); with ``create`` False it
    must hold a store (migrated tables), checked by :meth:`Store.open`."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return
    path = parsed.database or ""
    if not path or path == ":memory:" or path.startswith("file:") or parsed.query.get("mode") == "memory":
        raise StoreMissing("store.memory", url=redact_url(url))
    if not Path(path).parent.is_dir():
        raise StoreMissing("store.no_folder", path=str(Path(path).parent))
    if not create and not Path(path).is_file():
        raise StoreMissing("store.missing", path=path)


def may_create(url: str | None, asked: bool) -> bool:
    """Whether a command that writes may make a new store at ``url``: when asked to (``--create``), or at the
    default path."""
    return asked or is_default(resolve_url(url))


def redact_url(url: str) -> str:
    """A URL fit to print: the password hidden."""
    return make_url(url).render_as_string(hide_password=True)
