"""Schema migrations on SQLite and PostgreSQL: a new store is made by them and matches ``schema.py`` exactly, a
store made before them (by ``create_all``) is adopted and upgraded with its data, downgrade and upgrade round-trip,
and the ``migrate`` command."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from lgqa_metrics.cli.main import main
from lgqa_metrics.domain.roles import cli_actor
from lgqa_metrics.services.ingest import ingest_bytes
from lgqa_metrics.store import audit, migrations
from lgqa_metrics.store.database import Store, make_engine
from lgqa_metrics.store.schema import audit_t, metadata, users_t
from tests.support.returns import filled_template, pattern

TRIGGERS = {"sqlite": {"audit_no_update", "audit_no_delete"},
            "postgresql": {"audit_append_only", "audit_no_truncate"}}


@contextmanager
def connected(url: str) -> Iterator[Connection]:
    """A connection in a transaction (committed at the end) to the database at ``url``, not through the store."""
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        engine.dispose()


def differences(conn: Connection) -> list[object]:
    """What Alembic's autogenerate finds between the database and ``schema.metadata`` (types compared too)."""
    return list(compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata))


def triggers(conn: Connection) -> set[str]:
    """Names of the user-defined triggers in the database."""
    if conn.dialect.name == "sqlite":
        return set(conn.execute(sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
    return set(conn.execute(sa.text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")).scalars())


def assert_append_only(conn: Connection) -> None:
    """UPDATE and DELETE on the audit trail are refused by the database (each in a savepoint)."""
    for statement in (audit_t.update().values(actor="someone else"), audit_t.delete()):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), conn.begin_nested():
            conn.execute(statement)


@pytest.fixture
def db_url(store_url: str) -> str:
    """Every test here runs on SQLite and on PostgreSQL."""
    return store_url


def test_the_head_read_from_the_script_names_is_where_alembics_chain_of_revisions_ends() -> None:
    assert migrations.head() == ScriptDirectory.from_config(migrations.config()).get_current_head()


def test_a_new_store_is_created_by_the_migrations_exactly_as_the_schema_declares(db_url: str) -> None:
    Store.open(db_url).close()
    with connected(db_url) as conn:
        assert migrations.current(conn) == migrations.head() == MigrationContext.configure(conn).get_current_revision()
        assert set(sa.inspect(conn).get_table_names()) == {*metadata.tables, "alembic_version"}
        assert differences(conn) == []
        assert triggers(conn) == TRIGGERS[conn.dialect.name]
        audit.record(conn, cli_actor(), "template")
        assert_append_only(conn)


def test_a_store_made_before_migrations_is_adopted_and_upgraded_with_its_data(db_url: str) -> None:
    with connected(db_url) as conn:  # the old way: create_all (and schema.py's trigger DDL)
        metadata.create_all(conn)
        audit.record(conn, cli_actor(), "template", target="q-le-chan/2024")
        legacy = {"audit_no_update", "audit_no_delete"} if conn.dialect.name == "sqlite" else {"audit_append_only"}
        assert triggers(conn) == legacy
        assert_append_only(conn)
        assert migrations.current(conn) is None
    store = Store.open(db_url)
    ingest_bytes(store, filled_template("q-le-chan", 2023, pattern()), "a.xlsx")
    store.close()
    with connected(db_url) as conn:
        assert migrations.current(conn) == migrations.head()
        assert differences(conn) == []
        assert triggers(conn) == TRIGGERS[conn.dialect.name]
        assert list(conn.execute(sa.select(audit_t.c.action).order_by(audit_t.c.id)).scalars()) == [
            "template", "version_created"]
        assert_append_only(conn)


def test_a_store_of_the_baseline_revision_is_upgraded_with_its_data(db_url: str) -> None:
    """A store of the first release (revision 0001, before column mappings) gains ``layout_mappings``."""
    with connected(db_url) as conn:
        command.upgrade(migrations.config(conn), migrations.BASELINE)
        assert "layout_mappings" not in sa.inspect(conn).get_table_names()
        audit.record(conn, cli_actor(), "template", target="q-le-chan/2024")
    Store.open(db_url).close()
    with connected(db_url) as conn:
        assert migrations.current(conn) == migrations.head() != migrations.BASELINE
        assert differences(conn) == [] and triggers(conn) == TRIGGERS[conn.dialect.name]
        assert list(conn.execute(sa.select(audit_t.c.target)).scalars()) == ["q-le-chan/2024"]


def test_a_store_missing_later_tables_gets_them_when_adopted(db_url: str) -> None:
    with connected(db_url) as conn:  # a store from before accounts and the audit trail existed
        metadata.create_all(conn, tables=[t for t in metadata.sorted_tables if t not in (users_t, audit_t)])
    store = Store.open(db_url)
    assert store.count(users_t) == 0 and store.count(audit_t) == 0
    store.close()
    with connected(db_url) as conn:
        assert differences(conn) == [] and triggers(conn) == TRIGGERS[conn.dialect.name]


def test_downgrading_to_nothing_and_upgrading_again_gives_the_same_schema(db_url: str) -> None:
    Store.open(db_url).close()
    with connected(db_url) as conn:
        command.downgrade(migrations.config(conn), "base")
        assert set(sa.inspect(conn).get_table_names()) <= {"alembic_version"}
        assert migrations.current(conn) is None
    with connected(db_url) as conn:
        assert migrations.upgrade(conn) == migrations.head()
        assert differences(conn) == [] and triggers(conn) == TRIGGERS[conn.dialect.name]


def test_migrate_command_brings_a_store_to_the_latest_revision_and_says_so(
        db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--lang", "en", "migrate", "--db", db_url, "--create"]) == 0
    first = capsys.readouterr().out
    assert f"revision {migrations.head()}" in first and "before: none" in first
    assert "***" in first or db_url.startswith("sqlite"), "the password is not printed"
    assert main(["migrate", "--db", db_url]) == 0
    again = capsys.readouterr().out
    assert f"phiên bản {migrations.head()}" in again and f"trước đó: {migrations.head()}" in again
