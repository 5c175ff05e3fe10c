"""Web sessions (the ``lgqa_session`` cookie's rows) on SQLite and on PostgreSQL: only digests kept, a grant exchanged
once by the signing-in browser, expiry after idle minutes and after twelve hours, revocation by sign-out, by
disabling the account and by a new password."""

from __future__ import annotations

import datetime as dt
import hashlib
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from lgqa_metrics.domain.roles import Actor, Role, cli_actor
from lgqa_metrics.store import audit, web_sessions
from lgqa_metrics.store.accounts import Accounts
from lgqa_metrics.store.database import Store
from lgqa_metrics.store.schema import web_sessions_t

ADMIN = cli_actor()
T0 = dt.datetime(2026, 12, 5, 8, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
IDLE = dt.timedelta(minutes=60)
BROWSER = hashlib.sha256(b"a browser").hexdigest()


@pytest.fixture
def db_url(store_url: str) -> str:
    """Every test here runs on SQLite and on PostgreSQL."""
    return store_url


@pytest.fixture
def accounts(store: Store) -> Accounts:
    acc = Accounts(store)
    acc.add(ADMIN, "lan", "a-long-password-1", Role.STAFF)
    acc.add(ADMIN, "minh", "a-long-password-2", Role.VIEWER)
    return acc


def _row(store: Store, key: str) -> sa.Row[tuple[object, ...]]:
    with store.engine.connect() as conn:
        return conn.execute(sa.select(web_sessions_t).where(web_sessions_t.c.key == key)).one()


def _signed_in(store: Store, name: str = "lan", at: dt.datetime = T0) -> tuple[str, str]:
    """A session of ``name`` whose browser took its cookie: its key and the cookie's token."""
    started = web_sessions.start(store, name, browser=BROWSER, now=at)
    given = web_sessions.exchange(store, started.grant, browser=BROWSER, now=at + dt.timedelta(seconds=1))
    assert given.why == "" and web_sessions.digest(given.token) == started.key
    return started.key, given.token


def test_a_session_keeps_only_digests_of_its_grant_and_token(accounts: Accounts, store: Store) -> None:
    started = web_sessions.start(store, "lan", browser=BROWSER, now=T0)
    given = web_sessions.exchange(store, started.grant, browser=BROWSER, client="10.0.0.7", now=T0)
    assert given.username == "lan" and len(given.token) == 64 and given.token != started.grant
    row = _row(store, started.key)
    kept = " ".join(str(v) for v in row)
    assert started.grant not in kept and given.token not in kept, "neither the grant nor the token is stored"
    assert row.key == hashlib.sha256(given.token.encode()).hexdigest()
    assert row.grant_digest == hashlib.sha256(started.grant.encode()).hexdigest()
    status = web_sessions.check(store, started.key, idle=IDLE, now=T0 + dt.timedelta(minutes=5))
    assert status.actor == Actor("lan", Role.STAFF) and status.why == "" and not status.lapsed
    assert web_sessions.holder(store, given.token, idle=IDLE, now=T0) == Actor("lan", Role.STAFF)
    started_log = audit.audit_log(store.engine, actions=["session_started"])
    assert list(started_log["actor"]) == ["lan"] and "10.0.0.7" in started_log["details"].iloc[0]


def test_a_grant_is_exchanged_once_only_by_its_browser_and_a_second_use_ends_the_session(
        accounts: Accounts, store: Store) -> None:
    started = web_sessions.start(store, "lan", browser=BROWSER, now=T0)
    for other in ("", hashlib.sha256(b"another browser").hexdigest()):
        assert web_sessions.exchange(store, started.grant, browser=other, now=T0).why == "browser"
    assert web_sessions.exchange(store, "not-a-grant", browser=BROWSER, now=T0).why == "unknown"
    assert web_sessions.exchange(store, "x" * 10_000, browser=BROWSER, now=T0).why == "unknown"
    first = web_sessions.exchange(store, started.grant, browser=BROWSER, now=T0)
    assert first.why == "" and web_sessions.check(store, started.key, idle=IDLE, now=T0).actor is not None
    again = web_sessions.exchange(store, started.grant, browser=BROWSER, now=T0)
    assert again.why == "used" and again.token == ""
    assert web_sessions.check(store, started.key, idle=IDLE, now=T0).why == "ended", "someone else had the grant"
    assert web_sessions.holder(store, first.token, idle=IDLE, now=T0) is None
    refused = audit.audit_log(store.engine, actions=["session_refused"])
    assert len(refused) == 1 and "grant reused" in refused["details"].iloc[0]
    assert web_sessions.exchange(store, started.grant, browser=BROWSER, now=T0).why == "ended"
    assert len(audit.audit_log(store.engine, actions=["session_refused"])) == 1, "a dead grant fills nothing"


def test_a_grant_not_taken_within_a_minute_lapses(accounts: Accounts, store: Store) -> None:
    started = web_sessions.start(store, "lan", browser=BROWSER, now=T0)
    later = T0 + web_sessions.GRANT_LIFE + dt.timedelta(seconds=1)
    assert web_sessions.exchange(store, started.grant, browser=BROWSER, now=later).why == "lapsed"
    status = web_sessions.check(store, started.key, idle=IDLE, now=later)
    assert status.lapsed and status.actor is not None, "the tab that signed in still works, and can say why a reload would not"
    browserless = web_sessions.start(store, "lan", browser="", now=T0)
    assert not web_sessions.check(store, browserless.key, idle=IDLE, now=later).lapsed, "no browser to take it"


def test_parallel_exchanges_of_one_grant_give_one_cookie(accounts: Accounts, store: Store) -> None:
    started = web_sessions.start(store, "lan", browser=BROWSER, now=T0)
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: web_sessions.exchange(store, started.grant, browser=BROWSER, now=T0),
                                range(8)))
    assert sum(1 for a in answers if a.token) == 1
    assert {a.why for a in answers if not a.token} <= {"used", "ended"}
    assert web_sessions.check(store, started.key, idle=IDLE, now=T0).why == "ended", "the second exchange ended it"


def test_a_session_ends_after_the_idle_minutes_and_twelve_hours_after_sign_in(accounts: Accounts,
                                                                               store: Store) -> None:
    key, _ = _signed_in(store)
    assert web_sessions.check(store, key, idle=IDLE, now=T0 + dt.timedelta(seconds=30)).why == ""
    assert _row(store, key).last_seen.replace(tzinfo=dt.UTC) == T0, "last_seen is written at most once a minute"
    at = T0
    while at + 50 * dt.timedelta(minutes=1) < T0 + web_sessions.LONGEST:  # active every 50 minutes
        at += dt.timedelta(minutes=50)
        assert web_sessions.check(store, key, idle=IDLE, now=at).why == "", at
    assert _row(store, key).last_seen.replace(tzinfo=dt.UTC) == at
    assert web_sessions.check(store, key, idle=IDLE, now=T0 + 12 * HOUR).why == "expired", "12 h at the most"

    idle_key, idle_token = _signed_in(store, at=T0)
    assert web_sessions.check(store, idle_key, idle=IDLE, now=T0 + IDLE, touch=False).why == ""
    after = T0 + IDLE + dt.timedelta(minutes=1)
    assert web_sessions.check(store, idle_key, idle=IDLE, now=after).why == "expired"
    assert web_sessions.check(store, idle_key, idle=IDLE, now=after).why == "expired", "an expired session stays so"
    assert web_sessions.holder(store, idle_token, idle=IDLE, now=after) is None


def test_signing_out_ends_the_session_and_is_audited_once(accounts: Accounts, store: Store) -> None:
    key, token = _signed_in(store)
    other, _ = _signed_in(store)
    assert web_sessions.sign_out(store, key, now=T0 + HOUR / 2) == "lan"
    assert web_sessions.check(store, key, idle=IDLE, now=T0 + HOUR / 2).why == "ended"
    assert web_sessions.holder(store, token, idle=IDLE, now=T0 + HOUR / 2) is None
    assert web_sessions.sign_out(store, key, now=T0 + HOUR / 2) == "", "nothing left to end"
    assert list(audit.audit_log(store.engine, actions=["sign_out"])["actor"]) == ["lan"]
    assert web_sessions.check(store, other, idle=IDLE, now=T0 + HOUR / 2).why == "", "the other browser stays signed in"
    assert _row(store, key).revoked_why == "sign_out"


@pytest.mark.parametrize("change", ["disable", "set_password"])
def test_disabling_an_account_or_a_new_password_ends_every_session_of_it(accounts: Accounts, store: Store,
                                                                         change: str) -> None:
    sessions = [_signed_in(store, "lan", at=T0), _signed_in(store, "lan", at=T0)]
    others, _ = _signed_in(store, "minh", at=T0)
    if change == "disable":
        accounts.disable(ADMIN, "lan")
        accounts.enable(ADMIN, "lan")  # enabled again: the old sessions do not come back
    else:
        accounts.set_password(ADMIN, "lan", "a-brand-new-password")
    now = T0 + dt.timedelta(minutes=5)
    for key, token in sessions:
        assert web_sessions.check(store, key, idle=IDLE, now=now).why == "ended"
        assert web_sessions.holder(store, token, idle=IDLE, now=now) is None
    assert web_sessions.check(store, others, idle=IDLE, now=now).why == "", "other accounts keep theirs"
    action = "account_disabled" if change == "disable" else "password_set"
    assert '"sessions_ended": 2' in audit.audit_log(store.engine, actions=[action])["details"].iloc[0]


def test_a_disabled_account_is_refused_even_if_its_session_was_not_ended(accounts: Accounts, store: Store) -> None:
    key, token = _signed_in(store)
    with store.engine.begin() as conn:  # as a store written before sessions were ended with their account
        conn.execute(sa.text("UPDATE users SET active = :no WHERE username = 'lan'"), {"no": False})
    assert web_sessions.check(store, key, idle=IDLE, now=T0).why == "disabled"
    assert web_sessions.holder(store, token, idle=IDLE, now=T0) is None


def test_rows_of_sessions_that_ended_long_ago_are_deleted(accounts: Accounts, store: Store) -> None:
    old, _ = _signed_in(store, at=T0)
    web_sessions.sign_out(store, old, now=T0 + HOUR)
    recent, _ = _signed_in(store, at=T0 + dt.timedelta(days=20))
    _signed_in(store, at=T0 + web_sessions.KEEP_ENDED + dt.timedelta(days=1))
    with store.engine.connect() as conn:
        keys = set(conn.execute(sa.select(web_sessions_t.c.key)).scalars())
    assert old not in keys and recent in keys
