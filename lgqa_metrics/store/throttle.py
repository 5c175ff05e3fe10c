"""Sign-in throttling: failed attempts counted per account-and-client and per client, on every backend.

- **Account and client** (``p:`` rows): the :data:`ACCOUNT_FAILURES`-th failure in a row locks that client out of
  that account for 30 s, doubling with each further failure up to 15 min. A stranger's failures lock only the
  stranger: the account's owner still signs in from their own client.
- **Client** (``c:`` rows): the :data:`CLIENT_FAILURES`-th failure from one client, whatever the names, locks the
  client out of every account the same way (password spraying).

A count starts again once its last failure is older than :data:`LOCK_MAX`. Names and clients are kept only as
keyed hashes (HMAC-SHA256 under a secret kept in the store and shared by every instance), so a name typed is
never stored, and known and unknown names are counted alike: the answers and their timing tell nothing about
which accounts exist.

Atomic on both backends: the caller's write transaction first makes sure both rows exist, then holds them
(SQLite: its write lock from the first statement; PostgreSQL: ``SELECT … FOR UPDATE``) while the password is
checked and the count written, so parallel attempts are counted one after another.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Final

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from lgqa_metrics.store.schema import server_secrets_t, sign_in_throttle_t

#: Failures in a row that lock one client out of one account (the 3rd wrong password locks).
ACCOUNT_FAILURES: Final = 3
#: Failures from one client, whatever the account names, that lock the client out of every account.
CLIENT_FAILURES: Final = 10
LOCK_BASE: Final = dt.timedelta(seconds=30)
LOCK_MAX: Final = dt.timedelta(minutes=15)
#: The name of the secret the keyed hashes use.
SECRET_NAME: Final = "sign_in_throttle"


@dataclass(frozen=True, slots=True)
class Keys:
    """The throttle rows of one attempt: its account-and-client row, its client row ("" when the client's address
    is unknown: attempts without one are not all counted as one client's), the account's hash."""

    pair: str
    client: str
    account: str

    def rows(self) -> list[tuple[str, int]]:
        """Each row's key with the failures that lock it."""
        return [(self.pair, ACCOUNT_FAILURES)] + ([(self.client, CLIENT_FAILURES)] if self.client else [])


@dataclass(frozen=True, slots=True)
class Held:
    """The state of an attempt's rows, held for the rest of the transaction."""

    keys: Keys
    locked_until: dt.datetime | None  # the later lock of the two, when it is still in force


def server_secret(conn: Connection, name: str) -> bytes:
    """The server secret ``name``, made on first use (every instance on the store reads the same one)."""
    insert = (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(server_secrets_t)
    conn.execute(insert.values(name=name, value=secrets.token_hex(32)).on_conflict_do_nothing(index_elements=["name"]))
    return bytes.fromhex(conn.execute(sa.select(server_secrets_t.c.value).where(server_secrets_t.c.name == name)).scalar_one())


def keys_for(conn: Connection, name: str, client: str) -> Keys:
    """The rows of an attempt on account ``name`` (as typed, normalised) from ``client`` (an address; "" when
    unknown)."""
    secret = server_secret(conn, SECRET_NAME)

    def digest(text: str) -> str:
        return hmac.new(secret, text.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:60]

    pair = digest(name + "\x00" + client)
    return Keys(f"p:{pair}", f"c:{digest(client)}" if client else "", digest(name))


def short_label(keys: Keys) -> str:
    """How the audit trail names an account that does not exist: a short keyed hash, never the typed text."""
    return f"? {keys.account[:10]}"


def hold(conn: Connection, keys: Keys, now: dt.datetime) -> Held:
    """Make sure the attempt's rows exist and hold them until the transaction ends; their lock, if in force."""
    insert = (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(sign_in_throttle_t)
    rows = [{"key": key, "account": keys.account if key == keys.pair else "", "failures": 0, "last_failure": now}
            for key, _ in keys.rows()]
    conn.execute(insert.values(rows).on_conflict_do_nothing(index_elements=["key"]))
    query = sa.select(sign_in_throttle_t.c.locked_until).where(
        sign_in_throttle_t.c.key.in_([key for key, _ in keys.rows()]))
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    locks = [_aware(v) for v in conn.execute(query).scalars()]
    live = [v for v in locks if v is not None and v > now]
    return Held(keys, max(live, default=None))


def failed(conn: Connection, held: Held, now: dt.datetime) -> tuple[int, dt.datetime | None]:
    """Count a failure on both rows; the account-and-client row's count in a row and the lock now in force."""
    t = sign_in_throttle_t
    counts: dict[str, int] = {}
    lock: dt.datetime | None = None
    for key, limit in held.keys.rows():
        row = conn.execute(sa.select(t.c.failures, t.c.last_failure).where(t.c.key == key)).one()
        last = _aware(row.last_failure)
        failures = 1 if last is not None and now - last > LOCK_MAX else row.failures + 1
        until = now + min(LOCK_BASE * 2 ** (failures - limit), LOCK_MAX) if failures >= limit else None
        conn.execute(t.update().where(t.c.key == key).values(failures=failures, last_failure=now, locked_until=until))
        counts[key] = failures
        if until is not None and (lock is None or until > lock):
            lock = until
    return counts[held.keys.pair], lock


def succeeded(conn: Connection, held: Held) -> None:
    """A right password: the account-and-client count starts again (the client's count does not)."""
    conn.execute(sign_in_throttle_t.delete().where(sign_in_throttle_t.c.key == held.keys.pair))


def clear_account(conn: Connection, name: str) -> None:
    """Lift every client's lock on account ``name`` (an admin enabled it or set its password)."""
    account = keys_for(conn, name, "").account
    conn.execute(sign_in_throttle_t.delete().where(sign_in_throttle_t.c.account == account))


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    return value.replace(tzinfo=dt.UTC) if value is not None and value.tzinfo is None else value
