"""A private, throwaway PostgreSQL cluster for the tests: Debian's server binaries, a data folder in /tmp, a free
port on 127.0.0.1 only (no other address, its Unix socket in its own folder), password authentication, a role
``lgqa`` that may create databases, and a fresh database per test copied from an empty template. Stopped and
removed at the end. Run as root, the server runs as the ``postgres`` user (initdb and postgres refuse root).

``LGQA_TEST_PG_URL`` set beforehand points the tests at an existing server instead (its role needs CREATEDB);
otherwise the cluster's URL is put there for the session, so subprocesses see it too."""

from __future__ import annotations

import contextlib
import ctypes
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa

ENV_URL = "LGQA_TEST_PG_URL"
#: Where Debian installs the server (one folder per major version); ``LGQA_PG_BINDIR`` overrides.
DEBIAN_ROOT = Path("/usr/lib/postgresql")
ROLE = "lgqa"
TEMPLATE = "lgqa_template"
#: A throwaway cluster: durability off (nothing here must survive a crash), quick to start and stop.
#: Autovacuum off: its workers (of no role) connect to the test databases, and a non-superuser's
#: ``DROP DATABASE … WITH (FORCE)`` may not end them.
SETTINGS = {"autovacuum": "off", "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off",
            "max_connections": "200",
            "shared_buffers": "128MB", "timezone": "UTC", "log_min_messages": "warning"}
_names = count()


def server_bindir() -> Path | None:
    """The folder holding ``initdb`` and ``postgres`` (the newest Debian version), or ``None``."""
    explicit = os.environ.get("LGQA_PG_BINDIR")
    candidates = [Path(explicit)] if explicit else sorted(
        DEBIAN_ROOT.glob("*/bin"), key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0, reverse=True)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "postgres").is_file():
            return folder
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class PgServer:
    """A server the tests may create databases on: ``url`` is its SQLAlchemy URL for the ``lgqa`` role."""

    url: str

    def _admin(self) -> psycopg.Connection[Any]:
        u = sa.engine.make_url(self.url)
        return psycopg.connect(host=u.host, port=u.port, user=u.username, password=u.password,
                               dbname=u.database, autocommit=True)

    def create_database(self, template: str | None = TEMPLATE) -> str:
        """A new empty database (copied from ``template``); returns its URL."""
        name = f"t_{os.getpid()}_{next(_names)}"
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return sa.engine.make_url(self.url).set(database=name).render_as_string(hide_password=False)

    def drop_database(self, url: str) -> None:
        """Drop a database made by :meth:`create_database`, closing whatever is still connected to it."""
        name = sa.engine.make_url(url).database
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def prepare(self) -> None:
        """Create the empty template (UTF-8, from template0) when it is not there yet."""
        with self._admin() as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (TEMPLATE,)).fetchone() is None:
                conn.execute(f'CREATE DATABASE "{TEMPLATE}" TEMPLATE template0 ENCODING \'UTF8\'')


def _die_with_us() -> None:
    """In the server's process before it starts (Linux): a fast shutdown when the test process dies, even killed."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGINT)  # PR_SET_PDEATHSIG


def _as_postgres() -> dict[str, Any]:
    """``subprocess`` arguments that run a program as the ``postgres`` user when we are root."""
    if os.geteuid() != 0:
        return {}
    user = pwd.getpwnam("postgres")
    return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": [], "env": {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(user.pw_dir), "LC_ALL": "C.UTF-8"}}


@contextlib.contextmanager
def cluster(bindir: Path) -> Iterator[PgServer]:
    """Start a new cluster with the binaries in ``bindir``; stop and remove it when the block ends."""
    base = Path(tempfile.mkdtemp(prefix="lgqa-pg-"))
    run_as = _as_postgres()
    if run_as:
        os.chown(base, run_as["user"], run_as["group"])
    data, log = base / "data", base / "server.log"
    superuser_password, password = secrets.token_hex(16), secrets.token_hex(16)
    pwfile = base / "pw"
    pwfile.write_text(superuser_password + "\n", encoding="utf-8")
    if run_as:
        os.chown(pwfile, run_as["user"], run_as["group"])
    proc: subprocess.Popen[bytes] | None = None
    try:
        made = subprocess.run([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", f"--pwfile={pwfile}",
                               "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"],
                              capture_output=True, text=True, timeout=120, **run_as)
        if made.returncode:
            raise RuntimeError(f"initdb failed:\n{made.stdout[-2000:]}{made.stderr[-2000:]}")
        pwfile.unlink()
        for attempt in range(3):  # another program may take the free port before the server binds it
            port = _free_port()
            options = {**SETTINGS, "listen_addresses": "127.0.0.1", "port": str(port),
                       "unix_socket_directories": str(base)}
            with log.open("wb") as out:
                proc = subprocess.Popen([str(bindir / "postgres"), "-D", str(data),
                                         *[f"-c{k}={v}" for k, v in options.items()]],
                                        stdout=out, stderr=subprocess.STDOUT, preexec_fn=_die_with_us, **run_as)
            try:
                superuser = _wait_until_ready(proc, port, superuser_password, log)
                break
            except RuntimeError:
                if proc.poll() is None or attempt == 2:
                    raise
        with superuser:
            superuser.execute(f"CREATE ROLE {ROLE} LOGIN CREATEDB PASSWORD '{password}'")
            superuser.execute(f"GRANT pg_signal_backend TO {ROLE}")  # may end any session left on its databases
            superuser.execute(f"CREATE DATABASE {ROLE} OWNER {ROLE} TEMPLATE template0 ENCODING 'UTF8'")
        server = PgServer(f"postgresql+psycopg://{ROLE}:{password}@127.0.0.1:{port}/{ROLE}")
        server.prepare()
        yield server
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGINT)  # fast shutdown: clients disconnected, no waiting for them
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(base, ignore_errors=True)


def _wait_until_ready(proc: subprocess.Popen[bytes], port: int, password: str, log: Path) -> psycopg.Connection[Any]:
    """A superuser connection once the server accepts one (it is starting up meanwhile)."""
    deadline = time.monotonic() + 60
    while True:
        try:
            return psycopg.connect(host="127.0.0.1", port=port, user="postgres", password=password,
                                   dbname="postgres", autocommit=True, connect_timeout=5)
        except psycopg.OperationalError as exc:
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
                raise RuntimeError(f"PostgreSQL did not start ({exc}):\n{tail}") from exc
            time.sleep(0.1)
