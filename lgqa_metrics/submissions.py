"""Who has sent what: the completeness grid of units × years, the version history of one unit-year and
the log of rejected files, as tables for people (no Streamlit here)."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import pandas as pd

from lgqa_metrics.analytics import TYPE_ORDER, completeness
from lgqa_metrics.formatting import stored_time
from lgqa_metrics.i18n import t
from lgqa_metrics.units import TYPE_LABELS, UnitRegistry

RECEIVED: Final = "received"
MISSING: Final = "missing"
NOT_EXPECTED: Final = "not_expected"


@dataclass(frozen=True)
class Grid:
    """Units × years: ``labels`` to show (version received, missing, or not expected) and ``status``
    (:data:`RECEIVED`, :data:`MISSING`, :data:`NOT_EXPECTED`) of each cell, same shape and index."""

    labels: pd.DataFrame
    status: pd.DataFrame
    received: dict[int, int]
    expected: dict[int, int]


def submission_years(submissions: pd.DataFrame) -> list[int]:
    """The years that hold any submission, ascending."""
    return sorted(int(y) for y in submissions["year"].unique()) if not submissions.empty else []


def _unit_rows(ids: Sequence[str], registry: UnitRegistry) -> list[str]:
    order = {ty: i for i, ty in enumerate(TYPE_ORDER)}

    def key(uid: str) -> tuple[int, str]:
        unit = registry.get(uid)
        return (order[unit.type.value], unit.name) if unit else (len(order), uid)

    return sorted(ids, key=key)


def _version(value: object) -> int | None:
    """A version number from a nullable grid cell (None for NA)."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    return None


def completeness_grid(submissions: pd.DataFrame, registry: UnitRegistry, years: Sequence[int],
                      lang: str = "vi") -> Grid:
    """The completeness grid: one row per registered unit (type, then name; unregistered ids last), one
    column per year; a cell reads "v2" for the current version received, "Thiếu"/"Missing" when a unit
    valid that year has sent nothing, and a dash when the unit did not exist that year."""
    versions = completeness(submissions, registry, years)
    ids = _unit_rows([str(i) for i in versions.index], registry)
    versions = versions.reindex(ids)
    labels: dict[str, list[str]] = {}
    status: dict[str, list[str]] = {}
    received: dict[int, int] = {}
    expected: dict[int, int] = {}
    for year in years:
        col_labels, col_status = [], []
        for uid in ids:
            version = _version(versions.at[uid, year])
            unit = registry.get(uid)
            if version is not None:
                col_labels.append(t("submissions.cell_version", lang, version=version))
                col_status.append(RECEIVED)
            elif unit is None or unit.valid_in(year):
                col_labels.append(t("submissions.cell_missing", lang))
                col_status.append(MISSING)
            else:
                col_labels.append("–")
                col_status.append(NOT_EXPECTED)
        labels[str(year)] = col_labels
        status[str(year)] = col_status
        received[year] = col_status.count(RECEIVED)
        expected[year] = col_status.count(RECEIVED) + col_status.count(MISSING)
    names = [registry[u].display(lang) if u in registry else u for u in ids]
    types = [TYPE_LABELS[registry[u].type][0 if lang == "vi" else 1] if u in registry else "–" for u in ids]
    head = {t("submissions.col_unit", lang): names, t("submissions.col_type", lang): types}
    label_frame = pd.DataFrame({**head, **labels}, index=ids)
    status_frame = pd.DataFrame({**{k: [""] * len(ids) for k in head}, **status}, index=ids)
    return Grid(label_frame, status_frame, received, expected)


def history_choices(submissions: pd.DataFrame, registry: UnitRegistry) -> dict[str, list[int]]:
    """Unit id → the years it has submissions for (newest first), units in display order."""
    if submissions.empty:
        return {}
    years = submissions.groupby("unit_id")["year"].unique()
    return {uid: sorted((int(y) for y in years[uid]), reverse=True)
            for uid in _unit_rows([str(i) for i in years.index], registry)}


def status_label(status: str, lang: str = "vi") -> str:
    """"Hiện hành" / "Đã thay thế" / "Bị từ chối" … for a submission or intake status."""
    return t(f"submissions.status_{status}", lang)


def history_table(history: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """The versions of one unit-year (from :meth:`Store.history`), newest first, for people."""
    shown = pd.DataFrame({
        "version": history["version"].astype("Int64"),
        "status": [status_label(str(s), lang) for s in history["status"]],
        "uploaded_at": [stored_time(v, lang) for v in history["uploaded_at"]],
        "uploader": history["uploader"].astype(str),
        "file_name": history["file_name"].astype(str),
        "sheet": history["sheet"].astype(str),
    })
    return shown.rename(columns={c: t(f"submissions.col_{c}", lang) for c in shown.columns})


def rejected(intake: pd.DataFrame) -> pd.DataFrame:
    """The rejected entries of the intake log, newest first."""
    part = intake[intake["status"] == "rejected"]
    return part.sort_values("id", ascending=False).reset_index(drop=True)


def intake_table(intake: pd.DataFrame, registry: UnitRegistry, lang: str = "vi") -> pd.DataFrame:
    """Intake log entries (from :meth:`Store.intake_log`) for people: when, who, file, sheet, unit, year."""
    shown = pd.DataFrame({
        "at": [stored_time(v, lang) for v in intake["at"]],
        "uploader": intake["uploader"].astype(str),
        "file_name": intake["file_name"].astype(str),
        "sheet": intake["sheet"].astype(str),
        "unit": [registry[u].display(lang) if isinstance(u, str) and u in registry else "–" for u in intake["unit_id"]],
        "year": ["–" if pd.isna(y) else str(int(y)) for y in intake["year"]],
        "status": [status_label(str(s), lang) for s in intake["status"]],
    })
    return shown.rename(columns={c: t(f"submissions.col_{c}", lang) for c in shown.columns})


def intake_label(row: pd.Series, lang: str = "vi") -> str:
    """One line naming an intake entry: "24/11/2026 15:30 · BaoCao.xlsx · Tự đánh giá"."""
    parts = [stored_time(row["at"], lang), str(row["file_name"])]
    if row["sheet"]:
        parts.append(str(row["sheet"]))
    return " · ".join(parts)

