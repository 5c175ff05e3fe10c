"""Roles, the acting user and the permission check every write path makes."""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class Role(StrEnum):
    """viewer (leaders: analysis pages) < staff (upload, confirm, export, templates) < appraiser (what staff do, and
    appraising returns against their evidence: thẩm định) < admin (accounts, registry, catalogue, withdrawing a
    version, unlocking an appraised return)."""

    VIEWER = "viewer"
    STAFF = "staff"
    APPRAISER = "appraiser"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        """Order of privilege."""
        return {"viewer": 0, "staff": 1, "appraiser": 2, "admin": 3}[self.value]


#: The actor of a failed sign-in with a name no account has: the typed name is never kept.
UNKNOWN_ACTOR: Final = "?"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting: a signed-in account, a single-sign-on identity, or the command line."""

    username: str
    role: Role
    via: str = "password"  # password | sso | cli | open

    def can(self, role: Role) -> bool:
        """True when this actor holds ``role`` or a higher one."""
        return self.role.rank >= role.rank


class PermissionDenied(PermissionError):
    """The actor lacks the role an action needs."""

    def __init__(self, actor: Actor | None, needed: Role, action: str) -> None:
        who = actor.username if actor else "anonymous"
        super().__init__(f"{who} may not {action}: needs role {needed.value}")
        self.actor, self.needed, self.action = actor, needed, action


def require(actor: Actor | None, needed: Role, action: str) -> Actor:
    """Return ``actor`` when it holds ``needed``; raise :class:`PermissionDenied` otherwise."""
    if actor is None or not actor.can(needed):
        raise PermissionDenied(actor, needed, action)
    return actor


def cli_actor() -> Actor:
    """The command line acts with full rights as the operating-system user (it has the database anyway)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return Actor(f"cli:{user}", Role.ADMIN, via="cli")
