"""Access settings from ``data/settings.toml``, overridable by environment variables."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from lgqa_metrics.domain.paths import DATA_DIR


@dataclass(frozen=True)
class Settings:
    """Who may see what without signing in, how long sessions last, and single-sign-on roles."""

    open_analysis: bool = True
    session_minutes: int = 60
    sso_roles: dict[str, str] = field(default_factory=dict)
    sso_default_role: str = ""
    #: The request header a trusted reverse proxy sets to the browser's address ("" = the connection's own).
    client_header: str = ""
    #: Mark the session cookie Secure even when the request does not say it came over https.
    secure_cookie: bool = False
    #: The cost of the argon2 password hashes: "standard" or "light" (:data:`PASSWORD_HASHING`).
    password_hashing: str = "standard"


#: The argon2id costs a password hash may be made with: ``standard`` is RFC 9106's second recommendation (the
#: "low memory" one: 3 passes over 64 MiB, 4 lanes; about 0.2 s on one core of the test machine); ``light`` is
#: OWASP's minimum for argon2id (2 passes over 19 MiB, 1 lane; about a quarter of that), for a small server where
#: many sign-ins at once would otherwise exhaust its memory. A hash keeps its costs, so a hash made under one setting
#: still verifies under the other, and is remade under the current one at the next sign-in.
PASSWORD_HASHING: dict[str, dict[str, int]] = {
    "standard": {"time_cost": 3, "memory_cost": 65536, "parallelism": 4},
    "light": {"time_cost": 2, "memory_cost": 19456, "parallelism": 1},
}


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_settings(path: Path | None = None) -> Settings:
    """Read the settings file (missing: defaults), then apply ``LGQA_OPEN_ANALYSIS``, ``LGQA_SESSION_MINUTES``,
    ``LGQA_CLIENT_HEADER``, ``LGQA_SECURE_COOKIE`` and ``LGQA_PASSWORD_HASHING``. A password-hashing cost not in
    :data:`PASSWORD_HASHING` is refused (ValueError), never guessed."""
    path = path or DATA_DIR / "settings.toml"
    raw: dict[str, object] = {}
    if path.exists():
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    access = raw.get("access", {}) if isinstance(raw.get("access"), dict) else {}
    sso = raw.get("sso", {}) if isinstance(raw.get("sso"), dict) else {}
    assert isinstance(access, dict) and isinstance(sso, dict)
    open_analysis = bool(access.get("open_analysis", True))
    minutes = int(access.get("session_minutes", 60))
    if "LGQA_OPEN_ANALYSIS" in os.environ:
        open_analysis = _flag(os.environ["LGQA_OPEN_ANALYSIS"])
    if os.environ.get("LGQA_SESSION_MINUTES", "").strip().isdigit():
        minutes = int(os.environ["LGQA_SESSION_MINUTES"])
    roles = sso.get("roles", {})
    header = str(os.environ.get("LGQA_CLIENT_HEADER", access.get("client_header", ""))).strip()
    secure = bool(access.get("secure_cookie", False))
    if "LGQA_SECURE_COOKIE" in os.environ:
        secure = _flag(os.environ["LGQA_SECURE_COOKIE"])
    hashing = str(os.environ.get("LGQA_PASSWORD_HASHING", access.get("password_hashing", "standard"))).strip()
    if hashing not in PASSWORD_HASHING:
        raise ValueError(f"password_hashing = {hashing!r}: use one of {', '.join(PASSWORD_HASHING)}")
    return Settings(open_analysis, max(1, minutes), {str(k): str(v) for k, v in (roles or {}).items()},
                    str(sso.get("default_role", "")), header, secure, hashing)


@cache
def settings() -> Settings:
    """The settings of this process."""
    return load_settings()
