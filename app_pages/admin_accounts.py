"""Tài khoản người dùng / Accounts: every account, and adding one, changing a role, setting a password,
disabling or enabling an account (administrators only; each change is audited)."""

from __future__ import annotations

import streamlit as st

from lgqa_metrics.domain.i18n import t
from lgqa_metrics.ui import admin, admin_accounts, components

lang, _ = components.page("page.admin_accounts")
st.caption(t("admin.accounts_caption", lang))
admin.notice(lang)
accounts = admin_accounts.accounts_list(lang)
admin_accounts.forms(accounts, lang)
