"""Tài khoản / Account: sign in (built-in account or single sign-on), who is signed in, one's own password, sign
out."""

from __future__ import annotations

import streamlit as st

from lgqa_metrics.domain.i18n import t
from lgqa_metrics.ui import account, auth, components, state, web

lang, actor = components.page("page.account")
if st.session_state.pop(state.AUTH_EXPIRED, False):
    st.info(t("auth.expired", lang), icon=":material/timer_off:")
if actor is not None:
    st.success(t("auth.signed_in_as", lang, user=actor.username, role=t(f"role.{actor.role.value}", lang)))
    if actor.via == "sso":
        st.button(t("auth.sign_out", lang), on_click=st.logout, key="sso_logout")
    else:
        st.button(t("auth.sign_out", lang), on_click=auth.sign_out, key="sign_out")
    account.password_form(actor, lang)
    st.stop()
auth.sign_in_form(lang)
if web.sso_configured():
    st.divider()
    st.button(t("auth.sso", lang), on_click=st.login, key="sso_login")
