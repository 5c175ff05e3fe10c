"""Shared fixtures: a fresh SQLite store per test, and the same on PostgreSQL for the tests that run on both
backends (``store_url``; a private throwaway PostgreSQL cluster, see ``tests/support/postgres.py``)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings

from lgqa_metrics.store.database import Store
from tests.support.postgres import ENV_URL, PgServer, cluster, server_bindir

# Hypothesis: bounded and derandomized by default (the same examples on every run, CI included);
# ``pytest --hypothesis-profile=thorough`` draws ten times as many, fresh each run.
settings.register_profile("ci", max_examples=100, deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow], print_blob=True)
settings.register_profile("thorough", max_examples=1000, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow], print_blob=True)
settings.load_profile("ci")

# Passwords are hashed at the "light" argon2 cost (OWASP's minimum, a setting a small server may choose) in every
# test and every server or command a test starts: the suite makes and checks hundreds of hashes. The "standard"
# cost, the default, is checked in tests/store/test_accounts.py.
os.environ.setdefault("LGQA_PASSWORD_HASHING", "light")

#: The backends a ``store_url`` test runs on; ``-m "not postgres"`` leaves PostgreSQL out.
BACKENDS = [pytest.param("sqlite", id="sqlite"), pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres)]
#: Markers of tests that need an outside program (an office suite, a browser, a database server): slow as well.
SLOW_KINDS = ("office", "browser", "postgres")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that starts LibreOffice, Chromium or PostgreSQL ``slow`` (``scripts/test.sh --fast`` leaves
    them out), beside the long property runs marked so in their modules. Then put the files that take longest
    first (the browser tests, then the long property runs), so that on parallel workers (which take a file at a
    time, in this order) no long file starts last while the other workers have nothing left to do."""
    for item in items:
        on_postgres = "pg_server" in getattr(item, "fixturenames", ())  # pg_url and every PostgreSQL fixture use it
        if on_postgres or any(item.get_closest_marker(kind) for kind in SLOW_KINDS):
            item.add_marker(pytest.mark.slow)

    items.sort(key=_long_first)  # stable: within each group, the files and tests keep their order


def _long_first(item: pytest.Item) -> int:
    """0 for a browser test, 1 for a test of a module marked ``slow`` as a whole (the long property runs), else 2."""
    if item.get_closest_marker("browser"):
        return 0
    marks = getattr(getattr(item, "module", None), "pytestmark", [])
    return 1 if any(mark.name == "slow" for mark in (marks if isinstance(marks, list) else [marks])) else 2


@pytest.fixture(autouse=True, scope="session")
def _streamlit_components_scanned_once() -> Iterator[None]:
    """Each new ``AppTest`` has Streamlit scan the metadata of every installed package for custom components
    (about half a second here, on each of hundreds of AppTests; the real server scans once, at its start). The
    installed packages do not change during a test session, so the scan is made once and its answer reused."""
    from streamlit.components.v2 import manifest_scanner

    found = manifest_scanner.scan_component_manifests()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(manifest_scanner, "scan_component_manifests", lambda max_workers=None: found)
        yield


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """URL of a new SQLite file in the test's temporary folder. A module whose tests run on both backends
    overrides it with ``store_url``."""
    return f"sqlite:///{tmp_path / 'lgqa.sqlite'}"


@pytest.fixture(scope="session")
def _new_sqlite_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new SQLite store, made once per test process by :meth:`Store.open` (every migration run, the reference
    data written): each test's fresh SQLite store is a copy of this file, which takes a millisecond where the
    migrations take a tenth of a second. Making a store itself is tested where it is the subject
    (tests/store/test_migrations.py, tests/store/test_durability.py, the command line's ``--create``)."""
    path = tmp_path_factory.mktemp("new-store") / "lgqa.sqlite"
    Store.open(f"sqlite:///{path}").close()
    return path


@pytest.fixture
def store(db_url: str, _new_sqlite_store: Path) -> Iterator[Store]:
    """A fresh store at ``db_url``: a real SQLite file (a copy of a new store) unless the module says otherwise,
    when it is made at that URL now."""
    target = sa.engine.make_url(db_url)
    if target.get_backend_name() == "sqlite" and target.database and not Path(target.database).exists():
        shutil.copyfile(_new_sqlite_store, target.database)
    s = Store.open(db_url)
    yield s
    s.close()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """The PostgreSQL server of the session: ``LGQA_TEST_PG_URL`` when set, else a private cluster started now
    (and its URL put into ``LGQA_TEST_PG_URL``). Without server binaries the PostgreSQL tests fail under
    ``CI=true`` and are skipped elsewhere."""
    given = os.environ.get(ENV_URL)
    if given:
        server = PgServer(given)
        server.prepare()
        yield server
        return
    bindir = server_bindir()
    if bindir is None:
        reason = "PostgreSQL server binaries (initdb, postgres) not found under /usr/lib/postgresql/*/bin or LGQA_PG_BINDIR"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}: .ci/run must install Debian's postgresql")
        pytest.skip(f"{reason}: apt-get install postgresql, or set {ENV_URL} to a server whose role may create "
                    "databases")
    with cluster(bindir) as server:
        os.environ[ENV_URL] = server.url
        try:
            yield server
        finally:
            os.environ.pop(ENV_URL, None)


@pytest.fixture
def pg_url(pg_server: PgServer) -> Iterator[str]:
    """URL of a new, empty PostgreSQL database (dropped after the test)."""
    url = pg_server.create_database()
    yield url
    pg_server.drop_database(url)


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of a new, empty store on each backend in turn: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'lgqa.sqlite'}"
    return str(request.getfixturevalue("pg_url"))
