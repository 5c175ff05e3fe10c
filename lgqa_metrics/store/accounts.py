"""Built-in accounts: argon2 password hashes in the database, roles, throttled sign-in, audited changes."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Final

import pandas as pd
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from lgqa_metrics.domain.i18n import MessageError
from lgqa_metrics.domain.roles import UNKNOWN_ACTOR, Actor, PermissionDenied, Role, require
from lgqa_metrics.domain.settings import PASSWORD_HASHING, Settings
from lgqa_metrics.domain.settings import settings as process_settings
from lgqa_metrics.store import audit, throttle, web_sessions
from lgqa_metrics.store.database import Store
from lgqa_metrics.store.schema import users_t

MIN_PASSWORD: Final = 10
#: Longest account name (and the most of a typed name ever looked at).
MAX_USERNAME: Final = 80
#: Longest password taken (argon2 hashes any length; a bound keeps a request small).
MAX_PASSWORD: Final = 256
#: Longest client address kept for throttling.
MAX_CLIENT: Final = 100
_USERNAME: Final = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,79}$")


@cache
def hasher() -> PasswordHasher:
    """The argon2id hasher of new password hashes, at the cost the settings name (``password_hashing``)."""
    cost = PASSWORD_HASHING[process_settings().password_hashing]
    return PasswordHasher(time_cost=cost["time_cost"], memory_cost=cost["memory_cost"], parallelism=cost["parallelism"])


@cache
def _dummy_hash() -> str:
    """Verified against when the user does not exist, so an unknown name costs as long as a wrong password.
    Made on first use, not on import (argon2 is slow on purpose, and every command imports this module)."""
    return hasher().hash("not a password of anyone")


class AccountError(MessageError, ValueError):
    """A request about accounts that cannot be done; ``key`` is a message-catalogue key."""


@dataclass(frozen=True, slots=True)
class SignIn:
    """The outcome of a sign-in attempt. ``reason``: ok | bad | locked | disabled."""

    actor: Actor | None
    reason: str
    wait_seconds: int = 0


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def check_password(password: str) -> None:
    """Refuse passwords shorter than :data:`MIN_PASSWORD` or made of one repeated character."""
    if len(password) > MAX_PASSWORD:
        raise AccountError("account.long_password", max=MAX_PASSWORD)
    if len(password) < MIN_PASSWORD or len(set(password)) < 4:
        raise AccountError("account.weak_password", min=MIN_PASSWORD)


class Accounts:
    """Account management and sign-in on one store. Changes need an admin actor and are audited."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def count(self) -> int:
        """Number of accounts."""
        return self.store.count(users_t)

    def add(self, actor: Actor, username: str, password: str, role: Role, *, display_name: str = "",
            email: str = "") -> None:
        """Create an account."""
        require(actor, Role.ADMIN, "add accounts")
        name = username.strip().lower()
        if not _USERNAME.match(name):
            raise AccountError("account.bad_username", value=username)
        check_password(password)
        with self.store.writing() as conn:
            if conn.execute(sa.select(users_t.c.username).where(users_t.c.username == name)).first():
                raise AccountError("account.exists", value=name)
            conn.execute(users_t.insert().values(
                username=name, display_name=display_name, email=email.strip().lower(), role=Role(role).value,
                active=True, password_hash=hasher().hash(password), failed_count=0, created_at=_now()))
            audit.record(conn, actor, "account_added", target=name, details={"role": Role(role).value})

    def list(self) -> pd.DataFrame:
        """Every account without its password hash."""
        cols = [c for c in users_t.c if c.name != "password_hash"]
        with self.store.engine.connect() as conn:
            return pd.read_sql(sa.select(*cols).order_by(users_t.c.username), conn)

    def _update(self, actor: Actor, username: str, action: str, details: Mapping[str, object], *,
                end_sessions: str = "", **values: object) -> None:
        require(actor, Role.ADMIN, "change accounts")
        name = username.strip().lower()
        with self.store.writing() as conn:
            done = conn.execute(users_t.update().where(users_t.c.username == name).values(**values))
            if done.rowcount == 0:
                raise AccountError("account.unknown", value=name)
            if values.get("locked_until", 0) is None:  # the lock lifted: from every client
                throttle.clear_account(conn, name)
            if end_sessions:  # every browser signed in to the account is signed out, at its next click
                ended = web_sessions.end_all(conn, name, why=end_sessions)
                details = {**details, "sessions_ended": ended} if ended else details
            audit.record(conn, actor, action, target=name, details=details)

    def disable(self, actor: Actor, username: str) -> None:
        """Disable an account (it can no longer sign in, and its sessions end; its history stays)."""
        if username.strip().lower() == actor.username:
            raise AccountError("account.not_self")
        self._update(actor, username, "account_disabled", {}, end_sessions="account disabled", active=False)

    def enable(self, actor: Actor, username: str) -> None:
        """Enable a disabled account and clear its lock."""
        self._update(actor, username, "account_enabled", {}, active=True, failed_count=0, locked_until=None)

    def set_password(self, actor: Actor, username: str, password: str) -> None:
        """Set a new password (clearing any lock); every session signed in with the old one ends."""
        check_password(password)
        self._update(actor, username, "password_set", {}, end_sessions="password set",
                     password_hash=hasher().hash(password), failed_count=0, locked_until=None)

    def change_own_password(self, actor: Actor, current: str, new: str, *, keep_session: str = "") -> None:
        """A signed-in user's new password, given the current one: every other session of the account ends (a
        browser signed in elsewhere with the old password is signed out at its next click), the session
        ``keep_session`` (the one the change was made in) stays. A wrong current password changes nothing; both
        outcomes are audited."""
        if actor.via != "password":
            raise AccountError("account.not_builtin")
        name = actor.username
        with self.store.writing() as conn:
            row = conn.execute(sa.select(users_t.c.password_hash, users_t.c.active)
                               .where(users_t.c.username == name)).first()
            if row is None or not row.active:
                raise AccountError("account.unknown", value=name)
            right = _verify(row.password_hash, current[:MAX_PASSWORD])
            if not right:  # kept in the audit trail: the refusal is raised once this is committed
                audit.record(conn, actor, "password_change_refused", target=name, details={"reason": "wrong password"})
            else:
                check_password(new)
                conn.execute(users_t.update().where(users_t.c.username == name)
                             .values(password_hash=hasher().hash(new), failed_count=0, locked_until=None))
                ended = web_sessions.end_others(conn, name, keep=keep_session, why="password changed")
                audit.record(conn, actor, "password_changed", target=name,
                             details={"sessions_ended": ended} if ended else {})
        if not right:
            raise AccountError("account.wrong_current_password")

    def set_role(self, actor: Actor, username: str, role: Role) -> None:
        """Change an account's role."""
        if username.strip().lower() == actor.username and Role(role) is not Role.ADMIN:
            raise AccountError("account.not_self")
        self._update(actor, username, "role_set", {"role": Role(role).value}, role=Role(role).value)

    def sign_in(self, username: str, password: str, *, client: str = "", now: dt.datetime | None = None) -> SignIn:
        """Check a password typed on ``client`` (its address; "" when unknown). Failures are counted per account
        and client and per client (:mod:`lgqa_metrics.store.throttle`): the 3rd wrong password in a row locks that
        client out of the account for 30 s, doubling up to 15 min. An unknown name is answered and counted
        exactly like a known one, and kept in the audit trail only as a short keyed hash. Every attempt is
        audited."""
        now = now or _now()
        name = username.strip().lower()[: MAX_USERNAME + 1]  # bounded: a longer name is no account's anyway
        with self.store.writing() as conn:
            keys = throttle.keys_for(conn, name, client[:MAX_CLIENT])
            held = throttle.hold(conn, keys, now)
            row = (conn.execute(sa.select(users_t).where(users_t.c.username == name)).first()
                   if _USERNAME.match(name) else None)
            who = Actor(row.username, Role(row.role)) if row is not None else Actor(UNKNOWN_ACTOR, Role.VIEWER)
            target = name if row is not None else throttle.short_label(keys)
            if held.locked_until is not None:
                audit.record(conn, who, "sign_in_locked", target=target)
                return SignIn(None, "locked", int((held.locked_until - now).total_seconds()) + 1)
            if not _verify(row.password_hash if row is not None else _dummy_hash(), password) or row is None:
                failures, lock = throttle.failed(conn, held, now)
                if row is not None:
                    conn.execute(users_t.update().where(users_t.c.username == name)
                                 .values(failed_count=users_t.c.failed_count + 1,
                                         locked_until=lock if lock is not None else row.locked_until))
                audit.record(conn, who, "sign_in_failed", target=target,
                             details={"failures": failures} if row is not None else {"reason": "unknown"})
                return SignIn(None, "bad", int((lock - now).total_seconds()) if lock else 0)
            if not row.active:
                audit.record(conn, who, "sign_in_failed", target=name, details={"reason": "disabled"})
                return SignIn(None, "disabled")
            throttle.succeeded(conn, held)
            remade = {"password_hash": hasher().hash(password)} if hasher().check_needs_rehash(row.password_hash) else {}
            conn.execute(users_t.update().where(users_t.c.username == name)
                         .values(failed_count=0, locked_until=None, last_login=now, **remade))
            audit.record(conn, who, "sign_in", target=name)
            return SignIn(who, "ok")

    def actor(self, username: str) -> Actor | None:
        """The current role of an active account (re-read on every page so a changed role applies)."""
        with self.store.engine.connect() as conn:
            row = conn.execute(sa.select(users_t.c.username, users_t.c.role, users_t.c.active)
                               .where(users_t.c.username == username)).first()
        return Actor(row.username, Role(row.role)) if row is not None and row.active else None


def still_allowed(store: Store, actor: Actor, needed: Role, *, session: str, settings: Settings,
                  now: dt.datetime | None = None) -> str:
    """Why ``actor`` may no longer do what needs ``needed`` at this moment ("" when it still may). A built-in
    account: its web session ``session`` (a key, :mod:`lgqa_metrics.store.web_sessions`) has ended, expired or lost its
    account, or the account's role was lowered. A single-sign-on identity: the role mapping in the settings no
    longer gives it the role. For the work done after a page was shown (a download built when its button is
    clicked)."""
    if actor.via == "sso":
        role = role_for_email(actor.username, settings.sso_roles, settings.sso_default_role or None)
        if role is None:
            return "disabled"
    else:
        status = web_sessions.check(store, session, idle=dt.timedelta(minutes=settings.session_minutes), now=now,
                                    touch=False)
        if status.username and status.role is None:  # the account disabled (which also ended the session)
            return "disabled"
        if status.why or status.role is None:
            return status.why or "disabled"
        role = status.role
    return "" if Actor(actor.username, role).can(needed) else "role"


def _verify(stored: str, password: str) -> bool:
    try:
        return bool(hasher().verify(stored, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def role_for_email(email: str, mapping: Mapping[str, str], default: str | None = None) -> Role | None:
    """The role of a single-sign-on identity: ``mapping`` maps e-mail addresses or ``@domain`` to a
    role; unknown addresses get ``default`` (None: no access beyond the open pages)."""
    address = email.strip().lower()
    domain = "@" + address.rsplit("@", 1)[-1] if "@" in address else ""
    lowered = {k.strip().lower(): v for k, v in mapping.items()}
    chosen = lowered.get(address) or lowered.get(domain) or default
    try:
        return Role(chosen) if chosen else None
    except ValueError:
        return None


__all__ = ["AccountError", "Accounts", "PermissionDenied", "SignIn", "check_password", "role_for_email", "still_allowed"]
