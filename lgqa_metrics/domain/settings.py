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


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_settings(path: Path | None = None) -> Settings:
    """Read the settings file (missing: defaults), then apply ``LGQA_OPEN_ANALYSIS``, ``LGQA_SESSION_MINUTES``,
    ``LGQA_CLIENT_HEADER`` and ``LGQA_SECURE_COOKIE``."""
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
    return Settings(open_analysis, max(1, minutes), {str(k): str(v) for k, v in (roles or {}).items()},
                    str(sso.get("default_role", "")), header, secure)


@cache
def settings() -> Settings:
    """The settings of this process."""
    return load_settings()
