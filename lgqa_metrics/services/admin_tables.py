"""Tables and choices of the administration pages, for people: the accounts, and the stored versions of
a unit-year that an administrator may withdraw. No Streamlit here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import pandas as pd

from lgqa_metrics.domain.i18n import t
from lgqa_metrics.domain.units import UnitRegistry
from lgqa_metrics.services.audit_report import role_label, when
from lgqa_metrics.store.schema import STATUS_CURRENT, STATUS_SUPERSEDED, STATUS_WITHDRAWN

ACCOUNT_COLUMNS: Final = ("username", "display_name", "email", "role", "status", "last_login", "created_at")


def _day_time(value: object, lang: str) -> str:
    """A stored time as local ``dd/mm/yyyy HH:MM`` (vi) or ``yyyy-mm-dd HH:MM`` (en); '' when none."""
    text = when(value, lang)
    return text[:-3] if text else ""


def _locked(value: object, now: dt.datetime) -> bool:
    if not isinstance(value, (dt.datetime, str, pd.Timestamp)) or pd.isna(pd.Timestamp(value)):
        return False
    stamp = pd.Timestamp(value)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp
    return bool(stamp.to_pydatetime() > now)


def account_status(active: object, locked_until: object, lang: str = "vi", now: dt.datetime | None = None) -> str:
    """"Đang hoạt động", "Đã vô hiệu hóa" or "Tạm khóa đến …" for one account."""
    if not bool(active):
        return t("admin.status_disabled", lang)
    if _locked(locked_until, now or dt.datetime.now(dt.UTC)):
        return t("admin.status_locked", lang, until=_day_time(locked_until, lang))
    return t("admin.status_active", lang)


def accounts_table(accounts: pd.DataFrame, lang: str = "vi", now: dt.datetime | None = None) -> pd.DataFrame:
    """Accounts from :meth:`lgqa_metrics.store.accounts.Accounts.list` (never a hash) with localised headers,
    role names, status and times."""
    shown = pd.DataFrame({
        "username": accounts["username"].astype(str),
        "display_name": accounts["display_name"].fillna("").astype(str),
        "email": accounts["email"].fillna("").astype(str),
        "role": [role_label(str(r), lang) for r in accounts["role"]],
        "status": [account_status(a, lk, lang, now) for a, lk in zip(accounts["active"], accounts["locked_until"],
                                                                       strict=True)],
        "last_login": [_day_time(v, lang) or "–" for v in accounts["last_login"]],
        "created_at": [_day_time(v, lang) for v in accounts["created_at"]],
    }, columns=list(ACCOUNT_COLUMNS))
    return shown.rename(columns={c: t(f"admin.col_{c}", lang) for c in ACCOUNT_COLUMNS})


def account_label(row: pd.Series, lang: str = "vi") -> str:
    """One line naming an account in a choice: "lan · Nguyễn Thị Lan · Cán bộ (đã vô hiệu hóa)"."""
    parts = [str(row["username"])]
    if row.get("display_name"):
        parts.append(str(row["display_name"]))
    label = " · ".join(parts) + f" · {role_label(str(row['role']), lang)}"
    return label if bool(row["active"]) else f"{label} ({t('admin.status_disabled', lang).lower()})"


def withdraw_choices(submissions: pd.DataFrame, registry: UnitRegistry) -> dict[str, list[int]]:
    """Unit id → the years (newest first) that hold a version not yet withdrawn; units in registry order
    (unregistered ids last)."""
    if submissions.empty:
        return {}
    open_ = submissions[submissions["status"] != STATUS_WITHDRAWN]
    years = open_.groupby("unit_id")["year"].unique()
    order = {u.id: i for i, u in enumerate(registry.units)}
    ids = sorted((str(u) for u in years.index), key=lambda u: (order.get(u, len(order)), u))
    return {uid: sorted((int(y) for y in years[uid]), reverse=True) for uid in ids}


@dataclass(frozen=True, slots=True)
class VersionChoice:
    """One version that can be withdrawn: its submission id, number, status and a label."""

    submission_id: int
    version: int
    status: str
    label: str


def withdrawable(history: pd.DataFrame, lang: str = "vi") -> list[VersionChoice]:
    """The versions of one unit-year (from :meth:`Store.history`, newest first) not yet withdrawn."""
    choices = []
    for row in history.to_dict("records"):
        if row["status"] == STATUS_WITHDRAWN:
            continue
        label = " · ".join([t("admin.version", lang, version=int(row["version"])),
                            t(f"submissions.status_{row['status']}", lang), _day_time(row["uploaded_at"], lang),
                            str(row["file_name"])])
        choices.append(VersionChoice(int(row["id"]), int(row["version"]), str(row["status"]), label))
    return choices


def current_version(history: pd.DataFrame) -> int | None:
    """The number of the current version of a unit-year, or None when no version is current."""
    current = history[history["status"] == STATUS_CURRENT]
    return int(current["version"].iloc[0]) if not current.empty else None


def current_after_withdrawal(history: pd.DataFrame, submission_id: int) -> int | None:
    """The version that is current once ``submission_id`` is withdrawn: the latest superseded version when
    it is the current one, else the current version unchanged (None: no version left current)."""
    row = history[history["id"] == submission_id]
    if row.empty or row["status"].iloc[0] != STATUS_CURRENT:
        return current_version(history)
    superseded = history[history["status"] == STATUS_SUPERSEDED]
    return int(superseded["version"].max()) if not superseded.empty else None


def usernames(accounts: pd.DataFrame) -> Sequence[str]:
    """The user names, in the order listed."""
    return [str(u) for u in accounts["username"]]
