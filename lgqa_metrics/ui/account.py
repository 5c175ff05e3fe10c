"""The user's own account: the page that asks a visitor to sign in for the page they came to, and the form in which
a signed-in user changes their own password."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from lgqa_metrics.domain.i18n import t
from lgqa_metrics.domain.roles import Actor, Role
from lgqa_metrics.store.accounts import MAX_PASSWORD, AccountError, Accounts
from lgqa_metrics.ui import auth, state
from lgqa_metrics.ui.admin import act, notice
from lgqa_metrics.ui.data import get_store


def needs_role(title_key: str, role: Role, lang: str) -> Callable[[], None]:
    """The page shown at the address of a page the visitor may not open (yet): its title, what it needs, and the
    sign-in form. The page is registered under the same address as the page asked for, so once the visitor signs
    in with a role that may open it, the next run is that page itself."""
    def page() -> None:
        st.title(t(title_key, lang))
        refuse(role, lang)
    return page


def refuse(role: Role, lang: str) -> None:
    """Say that this page needs ``role``: with the sign-in form to a visitor who is not signed in, and to a signed-in
    user whose role is too low, who may grant it."""
    actor = auth.current_actor()
    needed = t(f"role.{role.value}", lang)
    if actor is None:
        st.info(t("auth.sign_in_to_see", lang, role=needed), icon=":material/lock:")
        auth.sign_in_form(lang)
    else:
        st.warning(t("auth.role_too_low", lang, role=needed, user=actor.username,
                     own=t(f"role.{actor.role.value}", lang)), icon=":material/lock:")


def _text(key: str) -> str:
    return str(st.session_state.get(key) or "")


def _change_password() -> None:
    """Form callback: the signed-in user's new password, given the current one."""
    current, new, again = _text(state.OWN_PASSWORD), _text(state.OWN_PASSWORD_NEW), _text(state.OWN_PASSWORD_NEW2)
    for key in (state.OWN_PASSWORD, state.OWN_PASSWORD_NEW, state.OWN_PASSWORD_NEW2):
        st.session_state[key] = ""

    def run(actor: Actor) -> None:
        if new != again:
            raise AccountError("users.password_mismatch")
        Accounts(get_store()).change_own_password(actor, current, new,
                                                  keep_session=str(st.session_state.get(state.AUTH_SESSION, "")))

    act(run, lambda _: ("auth.password_changed", {}))


def password_form(actor: Actor, lang: str) -> None:
    """Change one's own password (built-in accounts; a single-sign-on password is changed where it is kept)."""
    if actor.via != "password":
        return
    st.subheader(t("auth.change_password", lang))
    notice(lang)
    with st.form("own_password_form", clear_on_submit=False):
        st.text_input(t("auth.current_password", lang), type="password", key=state.OWN_PASSWORD,
                      autocomplete="current-password", max_chars=MAX_PASSWORD)
        left, right = st.columns(2)
        left.text_input(t("auth.new_password", lang), type="password", key=state.OWN_PASSWORD_NEW,
                        autocomplete="new-password", max_chars=MAX_PASSWORD)
        right.text_input(t("admin.password_again", lang), type="password", key=state.OWN_PASSWORD_NEW2,
                         autocomplete="new-password", max_chars=MAX_PASSWORD)
        st.form_submit_button(t("auth.change_password", lang), on_click=_change_password)
