"""The pages, the role each needs, and the navigation a given user sees."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

import streamlit as st

from lgqa_metrics.domain.i18n import t
from lgqa_metrics.domain.roles import Actor, Role
from lgqa_metrics.ui import account

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
    PageSpec("app_pages/appraisal_results.py", "page.appraisal_results", ":material/balance:", Role.VIEWER,
             "nav.analysis"),
    PageSpec("app_pages/report.py", "page.report", ":material/description:", Role.VIEWER, "nav.analysis"),
    PageSpec("app_pages/upload.py", "page.upload", ":material/upload_file:", Role.STAFF, "nav.work"),
    PageSpec("app_pages/data.py", "page.data", ":material/table_view:", Role.STAFF, "nav.work"),
    PageSpec("app_pages/submissions.py", "page.submissions", ":material/fact_check:", Role.STAFF, "nav.work"),
    PageSpec("app_pages/appraisal.py", "page.appraisal", ":material/rule:", Role.APPRAISER, "nav.work"),
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


def asked_for(actor: Actor | None) -> list[PageSpec]:
    """The pages ``actor`` may not open whose address still answers, with the sign-in they need: every such page
    for a signed-in user, and all but the administration pages for a visitor who is not signed in (a stranger is
    never told which administration pages there are)."""
    allowed = visible(actor)
    signed_in = actor is not None and actor.via != "open"  # the open analysis pages' viewer is nobody in particular
    return [p for p in PAGES if p not in allowed and p.role is not None and (ROOT / p.path).exists()
            and (signed_in or p.role is not Role.ADMIN)]


def address(spec: PageSpec) -> str:
    """The page's address under the app (``upload`` for ``app_pages/upload.py``)."""
    return Path(spec.path).stem


def navigation(actor: Actor | None, lang: str) -> dict[str, list[st.Page]]:
    """The sections and pages of ``st.navigation`` for ``actor``; the first page is the default. The address of a
    page ``actor`` may not open (:func:`asked_for`) opens a hidden page that asks for the sign-in it needs: the
    same address, so that once the user is signed in with that role, the next run is the page itself."""
    sections: dict[str, list[st.Page]] = {}
    for i, spec in enumerate(visible(actor)):
        page = st.Page(spec.path, title=t(spec.title, lang), icon=spec.icon, url_path=address(spec), default=i == 0)
        sections.setdefault(t(spec.section, lang), []).append(page)
    last = list(sections.values())[-1]
    for spec in asked_for(actor):
        assert spec.role is not None
        last.append(st.Page(account.needs_role(spec.title, spec.role, lang), title=t(spec.title, lang),
                            icon=spec.icon, url_path=address(spec), visibility="hidden"))
    return sections
