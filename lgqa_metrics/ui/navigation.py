"""The pages, the role each needs, and the navigation a given user sees."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

import streamlit as st

from lgqa_metrics.domain.i18n import t
from lgqa_metrics.domain.roles import Actor, Role

ROOT: Final = Path(__file__).resolve().parents[2]


@dataclass(frozen=True, slots=True)
class PageSpec:
    """One page: its file, title key, icon, the role it needs and its navigation section."""

    path: str
    title: str
    icon: str
    role: Role | None  # None: everyone, signed in or not
    section: str


PAGES: Final = (
    PageSpec("app_pages/overview.py", "page.overview", ":material/traffic:", Role.VIEWER, "nav.analysis"),
    PageSpec("app_pages/compare.py", "page.compare", ":material/compare_arrows:", Role.VIEWER, "nav.analysis"),
    PageSpec("app_pages/trends.py", "page.trends", ":material/trending_up:", Role.VIEWER, "nav.analysis"),
    PageSpec("app_pages/indicator.py", "page.indicator", ":material/flag:", Role.VIEWER, "nav.analysis"),
    PageSpec("app_pages/upload.py", "page.upload", ":material/upload_file:", Role.STAFF, "nav.work"),
    PageSpec("app_pages/data.py", "page.data", ":material/table_view:", Role.STAFF, "nav.work"),
    PageSpec("app_pages/submissions.py", "page.submissions", ":material/fact_check:", Role.STAFF, "nav.work"),
    PageSpec("app_pages/admin_accounts.py", "page.admin_accounts", ":material/manage_accounts:", Role.ADMIN, "nav.admin"),
    PageSpec("app_pages/audit.py", "page.audit", ":material/history:", Role.ADMIN, "nav.admin"),
    PageSpec("app_pages/admin_data.py", "page.admin_data", ":material/database:", Role.ADMIN, "nav.admin"),
    PageSpec("app_pages/account.py", "page.account", ":material/account_circle:", None, "nav.account"),
)


def role_of(title_key: str) -> Role | None:
    """The role the page titled ``title_key`` needs (None: open to everyone)."""
    return next(p.role for p in PAGES if p.title == title_key)


def visible(actor: Actor | None) -> list[PageSpec]:
    """The pages ``actor`` may open (None: not signed in and the analysis pages are closed)."""
    return [p for p in PAGES if (ROOT / p.path).exists()
            and (p.role is None or (actor is not None and actor.can(p.role)))]


def navigation(actor: Actor | None, lang: str) -> dict[str, list[st.Page]]:
    """The sections and pages of ``st.navigation`` for ``actor``; the first page is the default."""
    sections: dict[str, list[st.Page]] = {}
    for i, spec in enumerate(visible(actor)):
        page = st.Page(spec.path, title=t(spec.title, lang), icon=spec.icon, default=i == 0)
        sections.setdefault(t(spec.section, lang), []).append(page)
    return sections
