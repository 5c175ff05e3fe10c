"""Alembic environment: migrates the connection handed over by :func:`lgqa_metrics.store.migrations.upgrade`, or,
when run by the ``alembic`` command, the store at ``sqlalchemy.url`` / ``LGQA_DATABASE_URL`` (default: the
SQLite file under ``data/``). ``alembic upgrade head --sql`` prints the SQL instead (offline mode)."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from lgqa_metrics.store.schema import metadata

config = context.config


def _migrate(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata)
    with context.begin_transaction():  # a no-op inside the caller's transaction
        context.run_migrations()


def _run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    # Run by the alembic command: the store imports this package, so import it only now.
    from lgqa_metrics.store.database import WRITE_OPTION, make_engine
    from lgqa_metrics.store.migrations import SCHEMA_LOCK, advisory_lock
    from lgqa_metrics.store.url import resolve_url

    url = resolve_url(config.get_main_option("sqlalchemy.url"))
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                advisory_lock(conn, SCHEMA_LOCK)
                _migrate(conn)
    finally:
        engine.dispose()


_run()
