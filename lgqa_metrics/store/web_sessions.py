"""Signed-in browser sessions of the dashboard: what the ``lgqa_session`` cookie stands for, kept on the server as
digests only (table ``web_sessions``).

How a sign-in is bound to its browser — the one design; its Streamlit part is :mod:`lgqa_metrics.ui.auth`, its
HTTP part :mod:`lgqa_metrics.ui.web`, served beside the dashboard by ``serve.py``:

1. A password accepted on the Account page starts a session (:func:`start`): a row keyed by the SHA-256 digest of
   the session's token, and a one-time *grant* (random, good for :data:`GRANT_LIFE`, kept as a digest) that the
   page hands to its own browser in a script.
2. The browser posts the grant to the app's own route (``/lgqa/session``, same origin only), which exchanges it
   (:func:`exchange`) for the token and sets it as the ``lgqa_session`` cookie: HttpOnly (no script reads it),
   SameSite=Strict, Path the app's base path, Secure over https, no Max-Age (it ends with the browser). The token
   is HMAC-SHA256(server secret, grant): only the server makes it, only from the grant, and neither it nor
   anything it could be made from is stored. A grant is exchanged once, only by the browser that signed in (the
   digest of its XSRF token, :func:`lgqa_metrics.services.binding.browser_key`); a grant shown a second time ends the
   session (someone else had it).
3. A run of the dashboard is signed in when its connection shows the session: it carries the cookie (every
   connection opened after the sign-in: a reload, another tab, a reconnect), or it is the very connection the
   password was typed on, which opened before the cookie existed (recognised by its websocket handshake key and
   XSRF token, :func:`lgqa_metrics.services.binding.connection_key`). A client that reconnects giving a stolen Streamlit
   session id opens a new connection without the cookie: it is shown signed out, and audited (``session_refused``).
4. Every run checks the row (:func:`check`): a session ends after ``session_minutes`` without activity
   (``last_seen``, written at most every :data:`TOUCH_EVERY`), at the latest :data:`LONGEST` after the sign-in
   (``expires``), and at once when revoked (``revoked_at``): signed out, the account disabled or given a new
   password. An ended session never comes back; its row is deleted :data:`KEEP_ENDED` after it ended.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Final

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lgqa_metrics.domain.roles import Actor, Role
from lgqa_metrics.store import audit
from lgqa_metrics.store.database import Store
from lgqa_metrics.store.schema import users_t, web_sessions_t
from lgqa_metrics.store.throttle import server_secret

#: The cookie that carries a session's token.
COOKIE: Final = "lgqa_session"
#: How long a grant waits for its browser to exchange it.
GRANT_LIFE: Final = dt.timedelta(seconds=60)
#: The longest a session lasts after its sign-in, however active.
LONGEST: Final = dt.timedelta(hours=12)
#: ``last_seen`` is written at most this often (one write a minute per session, not one per click).
TOUCH_EVERY: Final = dt.timedelta(minutes=1)
#: How long the row of an ended session is kept (to see who was signed in when), then deleted.
KEEP_ENDED: Final = dt.timedelta(days=30)
#: The name of the server secret the tokens are made with (table ``server_secrets``).
SECRET_NAME: Final = "web_sessions"
#: Longest grant or token looked at (both are 64 characters).
MAX_TOKEN: Final = 100


def digest(token: str) -> str:
    """The SHA-256 digest (hex) under which a token or a grant is kept."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def token_key(token: str | None) -> str:
    """The key of the session a cookie's token names ("" for no token, or for text no token can be)."""
    return digest(token) if token and len(token) <= MAX_TOKEN else ""


@dataclass(frozen=True, slots=True)
class Started:
    """A session just started: its row's key (kept by the Streamlit session that signed in) and the grant to hand
    to the browser."""

    key: str
    grant: str


@dataclass(frozen=True, slots=True)
class Exchanged:
    """A grant presented for the cookie: the token to set, or why not (``why``: unknown | ended | used | lapsed |
    browser)."""

    token: str
    username: str
    why: str = ""


@dataclass(frozen=True, slots=True)
class Status:
    """A session as a run finds it. ``why`` it cannot be used ("" when it can): unknown | ended (revoked) | expired
    | disabled (no active account). ``lapsed``: its browser never took the cookie (the grant's time ran out)."""

    username: str
    role: Role | None
    why: str = ""
    lapsed: bool = False

    @property
    def actor(self) -> Actor | None:
        """The signed-in actor, when the session can be used."""
        return Actor(self.username, self.role) if not self.why and self.role is not None else None


def start(store: Store, username: str, *, browser: str, now: dt.datetime | None = None) -> Started:
    """Start a session for ``username`` (whose password was just accepted) in the browser whose XSRF token has the
    digest ``browser`` ("" when the sign-in came without one: no browser can then take the cookie). Rows of
    sessions that ended long ago are deleted on the way."""
    now = now or _now()
    grant = secrets.token_hex(32)
    t = web_sessions_t
    with store.writing() as conn:
        key = digest(_token(conn, grant))
        cutoff = now - KEEP_ENDED
        conn.execute(t.delete().where(sa.or_(t.c.expires < cutoff, t.c.revoked_at < cutoff)))
        conn.execute(t.insert().values(
            key=key, username=username, grant_digest=digest(grant), grant_expires=now + GRANT_LIFE, cookie_set=None,
            browser=browser, created=now, last_seen=now, expires=now + LONGEST, revoked_at=None, revoked_why=""))
    return Started(key, grant)


def exchange(store: Store, grant: str, *, browser: str, client: str = "", now: dt.datetime | None = None) -> Exchanged:
    """Exchange a grant for its session's token, once, for the browser that signed in (XSRF digest ``browser``),
    while the grant is good. A grant shown after it was exchanged ends its session. The exchange and a reuse are
    audited (``session_started``, ``session_refused``); other refusals are not (an unknown grant is anyone's
    guess, and an append-only trail is not for strangers to fill)."""
    now = now or _now()
    if not grant or len(grant) > MAX_TOKEN:
        return Exchanged("", "", "unknown")
    t = web_sessions_t
    with store.writing() as conn:
        row = conn.execute(sa.select(t.c.key, t.c.username, t.c.cookie_set, t.c.grant_expires, t.c.browser,
                                     t.c.revoked_at, users_t.c.role)
                           .join(users_t, users_t.c.username == t.c.username, isouter=True)
                           .where(t.c.grant_digest == digest(grant))).first()
        if row is None:
            return Exchanged("", "", "unknown")
        who = Actor(row.username, Role(row.role) if row.role else Role.VIEWER)
        why = ("ended" if row.revoked_at is not None else "used" if row.cookie_set is not None
               else "lapsed" if now > _aware(row.grant_expires) else "browser" if not browser or browser != row.browser
               else "")
        if not why:  # the row is held from here (SQLite's write lock, PostgreSQL's row lock): one exchange wins
            done = conn.execute(t.update().where(t.c.key == row.key, t.c.cookie_set.is_(None)).values(cookie_set=now))
            why = "" if done.rowcount == 1 else "used"
        if why == "used":
            _revoke(conn, t.c.key == row.key, "grant reused", now)
            audit.record(conn, who, "session_refused", target=row.username,
                         details={"reason": "grant reused", "client": client})
        if why:
            return Exchanged("", row.username, why)
        audit.record(conn, who, "session_started", target=row.username, details={"client": client})
        return Exchanged(_token(conn, grant), row.username)


def check(store: Store, key: str, *, idle: dt.timedelta, now: dt.datetime | None = None, touch: bool = True) -> Status:
    """The session ``key`` at ``now``: live, or why not. A live session's ``last_seen`` moves to ``now`` when
    ``touch`` (at most every :data:`TOUCH_EVERY`); it ends after ``idle`` without activity."""
    now = now or _now()
    t = web_sessions_t
    row = None
    if key:
        with store.engine.connect() as conn:
            row = conn.execute(sa.select(t.c.username, t.c.cookie_set, t.c.grant_expires, t.c.browser, t.c.last_seen,
                                         t.c.expires, t.c.revoked_at, users_t.c.role, users_t.c.active)
                               .join(users_t, users_t.c.username == t.c.username, isouter=True)
                               .where(t.c.key == key)).first()
    if row is None:
        return Status("", None, "unknown")
    role = Role(row.role) if row.role and row.active else None
    last_seen = _aware(row.last_seen)
    why = ("ended" if row.revoked_at is not None
           else "expired" if now >= _aware(row.expires) or now - last_seen > idle
           else "disabled" if role is None else "")
    lapsed = row.cookie_set is None and bool(row.browser) and now > _aware(row.grant_expires)
    if not why and touch and now - last_seen >= TOUCH_EVERY:
        with store.writing() as conn:
            conn.execute(t.update().where(t.c.key == key, t.c.revoked_at.is_(None)).values(last_seen=now))
    return Status(row.username, role, why, lapsed)


def holder(store: Store, token: str | None, *, idle: dt.timedelta, now: dt.datetime | None = None) -> Actor | None:
    """Who holds the live session a cookie's ``token`` names (None for none): for a request that is not a run of
    the dashboard (an upload), so nothing is written."""
    key = token_key(token)
    return check(store, key, idle=idle, now=now, touch=False).actor if key else None


def sign_out(store: Store, key: str, *, now: dt.datetime | None = None) -> str:
    """End the session ``key`` because its user signed out (audited); the user's name ("" when it had ended)."""
    now = now or _now()
    t = web_sessions_t
    with store.writing() as conn:
        row = conn.execute(sa.select(t.c.username, users_t.c.role)
                           .join(users_t, users_t.c.username == t.c.username, isouter=True)
                           .where(t.c.key == key, t.c.revoked_at.is_(None))).first()
        if row is None or not _revoke(conn, t.c.key == key, "sign_out", now):
            return ""
        audit.record(conn, Actor(row.username, Role(row.role) if row.role else Role.VIEWER), "sign_out",
                     target=row.username)
        return str(row.username)


def revoke(store: Store, key: str, *, why: str, now: dt.datetime | None = None) -> bool:
    """End the session ``key`` (True when it was live)."""
    with store.writing() as conn:
        return _revoke(conn, web_sessions_t.c.key == key, why, now or _now()) > 0


def end_all(conn: Connection, username: str, *, why: str, now: dt.datetime | None = None) -> int:
    """End every live session of ``username`` in the caller's transaction (its account was disabled or given a new
    password); how many there were."""
    return _revoke(conn, web_sessions_t.c.username == username, why, now or _now())


def end_others(conn: Connection, username: str, *, keep: str, why: str, now: dt.datetime | None = None) -> int:
    """End every live session of ``username`` but ``keep`` in the caller's transaction (the user changed their own
    password in that one); how many ended."""
    t = web_sessions_t
    return _revoke(conn, sa.and_(t.c.username == username, t.c.key != keep), why, now or _now())


def _revoke(conn: Connection, where: sa.ColumnElement[bool], why: str, now: dt.datetime) -> int:
    t = web_sessions_t
    done = conn.execute(t.update().where(where, t.c.revoked_at.is_(None)).values(revoked_at=now, revoked_why=why[:20]))
    return int(done.rowcount)


def _token(conn: Connection, grant: str) -> str:
    """The session token a grant stands for: HMAC-SHA256 under the server secret (only the server can make it)."""
    return hmac.new(server_secret(conn, SECRET_NAME), grant.encode("ascii", "replace"), hashlib.sha256).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value
