"""Shared pieces of the administration pages: run an administrator's action from a button callback,
turning every failure into a message (never a traceback), and show its outcome once on the next run."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Final

import streamlit as st

from lgqa_metrics.domain.i18n import t
from lgqa_metrics.domain.roles import Actor, PermissionDenied, Role
from lgqa_metrics.services.reference import ReferenceError
from lgqa_metrics.store.accounts import AccountError
from lgqa_metrics.store.appraisals import AppraisalError
from lgqa_metrics.ui import auth, state

log = logging.getLogger(__name__)

_SHOW: Final = {"success": (st.success, ":material/task_alt:"), "info": (st.info, ":material/info:"),
                "warning": (st.warning, ":material/warning:"), "error": (st.error, ":material/error:")}


def post(level: str, key: str, **fields: object) -> None:
    """Leave a message (``level``: success | info | warning | error) for the next run of the page."""
    st.session_state[state.ADMIN_NOTICE] = {"level": level, "key": key, "fields": fields}


def notice(lang: str) -> None:
    """The outcome of the last action, shown once."""
    posted = st.session_state.pop(state.ADMIN_NOTICE, None)
    if not isinstance(posted, dict):
        return
    show, icon = _SHOW.get(str(posted.get("level")), _SHOW["info"])
    show(t(str(posted["key"]), lang, **posted.get("fields", {})), icon=icon)


def act(action: Callable[[Actor], Any], done: Callable[[Any], tuple[str, dict[str, object]]]) -> bool:
    """Run ``action`` as the signed-in actor (the package checks the role again) and post ``done(result)``
    (a message key and its fields) as a success; post the reason as an error on failure. True on success."""
    try:
        actor = auth.current_actor()
        if actor is None:
            raise PermissionDenied(None, Role.ADMIN, "administer")
        result = action(actor)
    except (AccountError, ReferenceError, AppraisalError) as exc:
        post("error", exc.key, **exc.fields)
        return False
    except PermissionDenied:
        post("error", "admin.denied")
        return False
    except LookupError as exc:
        if isinstance(exc, (KeyError, IndexError)):  # a fault, not a vanished record
            return _failed(exc)
        post("error", "admin.gone")
        return False
    except Exception as exc:  # the database is unreachable or a file cannot be written: say so, no traceback
        return _failed(exc)
    key, fields = done(result)
    post("success", key, **fields)
    return True


def _failed(exc: Exception) -> bool:
    log.error("administration action failed", exc_info=exc)
    post("error", "admin.failed", detail=type(exc).__name__)
    return False
