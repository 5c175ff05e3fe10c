"""Blocks of the Accounts page: the table of accounts and the forms to add one, change a role, set a
password, and disable or enable an account. Every change goes through :class:`Accounts`, which checks
the administrator role again and audits it; buttons act in ``on_click`` callbacks."""

from __future__ import annotations

from typing import Final

import pandas as pd
import streamlit as st

from lgqa_metrics.domain.i18n import Phrase, t
from lgqa_metrics.domain.roles import Actor, Role
from lgqa_metrics.services.admin_tables import account_label, accounts_table, usernames
from lgqa_metrics.store.accounts import MAX_PASSWORD, MAX_USERNAME, AccountError, Accounts
from lgqa_metrics.ui import state
from lgqa_metrics.ui.admin import act
from lgqa_metrics.ui.data import get_store

ROLES: Final = [r.value for r in Role]


def _accounts() -> Accounts:
    return Accounts(get_store())


def _text(key: str) -> str:
    return str(st.session_state.get(key) or "")


def _role_phrase(role: str) -> Phrase:
    return Phrase.of(f"role.{role}")


def _check_twice(first: str, second: str) -> None:
    if first != second:
        raise AccountError("users.password_mismatch")


def _add() -> None:
    """Form callback: create the account; on success empty the form."""
    name, role = _text(state.ACCOUNT_NAME).strip().lower(), _text(state.ACCOUNT_ROLE) or Role.VIEWER.value

    def run(actor: Actor) -> None:
        _check_twice(_text(state.ACCOUNT_PASSWORD), _text(state.ACCOUNT_PASSWORD2))
        _accounts().add(actor, name, _text(state.ACCOUNT_PASSWORD), Role(role),
                        display_name=_text(state.ACCOUNT_DISPLAY).strip(), email=_text(state.ACCOUNT_EMAIL))

    done = act(run, lambda _: ("admin.done_added", {"user": name, "role": _role_phrase(role)}))
    st.session_state[state.ACCOUNT_PASSWORD] = st.session_state[state.ACCOUNT_PASSWORD2] = ""
    if done:
        for key in (state.ACCOUNT_NAME, state.ACCOUNT_DISPLAY, state.ACCOUNT_EMAIL):
            st.session_state[key] = ""


def _set_role() -> None:
    """Form callback: change the chosen account's role."""
    name, role = _text(state.ROLE_USER), _text(state.ROLE_NEW)
    act(lambda actor: _accounts().set_role(actor, name, Role(role)),
        lambda _: ("admin.done_role", {"user": name, "role": _role_phrase(role)}))


def _set_password() -> None:
    """Form callback: set a new password for the chosen account (clears any lock)."""
    name = _text(state.PASSWORD_USER)

    def run(actor: Actor) -> None:
        _check_twice(_text(state.PASSWORD_NEW), _text(state.PASSWORD_NEW2))
        _accounts().set_password(actor, name, _text(state.PASSWORD_NEW))

    act(run, lambda _: ("admin.done_password", {"user": name}))
    st.session_state[state.PASSWORD_NEW] = st.session_state[state.PASSWORD_NEW2] = ""


def _disable() -> None:
    """Button callback: disable the chosen account."""
    name = _text(state.STATUS_USER)
    act(lambda actor: _accounts().disable(actor, name), lambda _: ("admin.done_disabled", {"user": name}))


def _enable() -> None:
    """Button callback: enable the chosen account (and clear its lock)."""
    name = _text(state.STATUS_USER)
    act(lambda actor: _accounts().enable(actor, name), lambda _: ("admin.done_enabled", {"user": name}))


def accounts_list(lang: str) -> pd.DataFrame:
    """The table of accounts (no password hashes); returns the accounts as listed by the store."""
    accounts = _accounts().list()
    st.subheader(t("admin.accounts_title", lang, n=len(accounts)))
    if accounts.empty:
        st.info(t("admin.no_accounts", lang), icon=":material/info:")
    else:
        st.dataframe(accounts_table(accounts, lang), hide_index=True, key="admin_accounts_table")
    return accounts


def _user_choice(where: object, key: str, accounts: pd.DataFrame, lang: str) -> None:
    names = usernames(accounts)
    if st.session_state.get(key) not in names:
        st.session_state[key] = names[0]
    rows = {str(r["username"]): r for _, r in accounts.iterrows()}
    where.selectbox(t("admin.pick_user", lang), names, key=key,  # type: ignore[attr-defined]
                    format_func=lambda u: account_label(rows[u], lang))


def _role_choice(where: object, key: str, lang: str) -> None:
    if st.session_state.get(key) not in ROLES:
        st.session_state[key] = Role.STAFF.value
    where.selectbox(t("admin.role", lang), ROLES, key=key,  # type: ignore[attr-defined]
                    format_func=lambda r: t(f"role.{r}", lang))


def add_form(lang: str) -> None:
    """User name, display name, e-mail, role and the password twice."""
    with st.form("admin_add_account"):
        left, right = st.columns(2)
        left.text_input(t("auth.username", lang), key=state.ACCOUNT_NAME, help=t("admin.username_help", lang),
                        max_chars=MAX_USERNAME)
        right.text_input(t("admin.display_name", lang), key=state.ACCOUNT_DISPLAY, max_chars=120)
        left.text_input(t("admin.email", lang), key=state.ACCOUNT_EMAIL, max_chars=254)
        _role_choice(right, state.ACCOUNT_ROLE, lang)
        left.text_input(t("auth.password", lang), type="password", key=state.ACCOUNT_PASSWORD, max_chars=MAX_PASSWORD,
                        autocomplete="new-password", help=t("admin.password_help", lang))
        right.text_input(t("admin.password_again", lang), type="password", key=state.ACCOUNT_PASSWORD2, max_chars=MAX_PASSWORD,
                         autocomplete="new-password")
        st.form_submit_button(t("admin.add", lang), on_click=_add, type="primary", icon=":material/person_add:",
                              key="admin_add_submit")


def role_form(accounts: pd.DataFrame, lang: str) -> None:
    """Choose an account and its new role."""
    with st.form("admin_set_role"):
        left, right = st.columns(2)
        _user_choice(left, state.ROLE_USER, accounts, lang)
        _role_choice(right, state.ROLE_NEW, lang)
        st.form_submit_button(t("admin.set_role", lang), on_click=_set_role, icon=":material/badge:",
                              key="admin_role_submit")


def password_form(accounts: pd.DataFrame, lang: str) -> None:
    """Choose an account and type its new password twice."""
    with st.form("admin_set_password"):
        _user_choice(st, state.PASSWORD_USER, accounts, lang)
        left, right = st.columns(2)
        left.text_input(t("auth.password", lang), type="password", key=state.PASSWORD_NEW, max_chars=MAX_PASSWORD,
                        autocomplete="new-password", help=t("admin.password_help", lang))
        right.text_input(t("admin.password_again", lang), type="password", key=state.PASSWORD_NEW2, max_chars=MAX_PASSWORD,
                         autocomplete="new-password")
        st.form_submit_button(t("admin.set_password", lang), on_click=_set_password, icon=":material/key:",
                              key="admin_password_submit")


def status_block(accounts: pd.DataFrame, lang: str) -> None:
    """Choose an account; disable it (it can no longer sign in, its history stays) or enable it."""
    _user_choice(st, state.STATUS_USER, accounts, lang)
    st.caption(t("admin.status_note", lang))
    row = st.container(horizontal=True)
    row.button(t("admin.disable", lang), on_click=_disable, icon=":material/block:", key="admin_disable")
    row.button(t("admin.enable", lang), on_click=_enable, icon=":material/check_circle:", key="admin_enable")


def forms(accounts: pd.DataFrame, lang: str) -> None:
    """The four actions, one tab each (the role, password and status tabs need an account to act on)."""
    tabs = st.tabs([t("admin.tab_add", lang), t("admin.tab_role", lang), t("admin.tab_password", lang),
                    t("admin.tab_status", lang)])
    with tabs[0]:
        add_form(lang)
    if accounts.empty:
        for tab in tabs[1:]:
            tab.info(t("admin.no_accounts", lang), icon=":material/info:")
        return
    with tabs[1]:
        role_form(accounts, lang)
    with tabs[2]:
        password_form(accounts, lang)
    with tabs[3]:
        status_block(accounts, lang)
