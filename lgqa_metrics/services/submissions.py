"""Who has sent what: the completeness grid of units × years, the version history of one unit-year and
the log of rejected files, as tables for people (no Streamlit here)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from lgqa_metrics.analysis.analytics import TYPE_ORDER, completeness
from lgqa_metrics.domain.formatting import number, stored_time
from lgqa_metrics.domain.i18n import t
from lgqa_metrics.domain.units import TYPE_LABELS, UnitRegistry

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

    def within(self, ids: Sequence[str]) -> Grid:
        """The rows of units ``ids`` only (in grid order), with the counts recomputed."""
        wanted = set(ids)
        keep = [i for i in self.labels.index if i in wanted]
        status = self.status.loc[keep]
        years = list(self.received)
        return Grid(self.labels.loc[keep], status, {y: int((status[str(y)] == RECEIVED).sum()) for y in years},
                    {y: int(status[str(y)].isin([RECEIVED, MISSING]).sum()) for y in years})


def area_completeness(grid: Grid, area_of: dict[str, str], names: dict[str, str], lang: str = "vi") -> pd.DataFrame:
    """Areas × years for a grid too large to show unit by unit: "received / expected" per area and
    year, areas with the most missing returns in the latest year first. ``area_of`` maps unit ids to
    area ids, ``names`` area ids to the names shown."""
    years = [str(y) for y in grid.received]
    areas = pd.Series([area_of.get(str(u), "") for u in grid.status.index], index=grid.status.index)
    got = (grid.status[years] == RECEIVED).groupby(areas).sum()
    due = grid.status[years].isin([RECEIVED, MISSING]).groupby(areas).sum()
    got, due = got[got.index != ""], due[due.index != ""]
    missing = dict(zip(got.index, (due - got)[years[-1]].to_numpy(dtype=int), strict=True)) if years else {}
    order = sorted(got.index, key=lambda a: (-missing.get(a, 0), names.get(a, a)))
    got_n, due_n = got.loc[order, years].to_numpy(dtype=int), due.loc[order, years].to_numpy(dtype=int)
    table: dict[str, list[object]] = {t("col.area", lang): [names.get(a, a) for a in order]}
    for j, y in enumerate(years):
        table[y] = [f"{number(int(g), lang)} / {number(int(d), lang)}" for g, d in zip(got_n[:, j], due_n[:, j],
                                                                                      strict=True)]
    table[t("submissions.col_missing_latest", lang, year=years[-1] if years else "")] = [missing.get(a, 0)
                                                                                          for a in order]
    return pd.DataFrame(table)


def submission_years(submissions: pd.DataFrame) -> list[int]:
    """The years that hold any submission, ascending."""
    return sorted(int(y) for y in submissions["year"].unique()) if not submissions.empty else []


def _unit_rows(ids: Sequence[str], registry: UnitRegistry) -> list[str]:
    order = {ty: i for i, ty in enumerate(TYPE_ORDER)}

    def key(uid: str) -> tuple[int, str]:
        unit = registry.get(uid)
        return (order.get(unit.type.value, len(order)), unit.name) if unit else (len(order) + 1, uid)

    return sorted(ids, key=key)


def completeness_grid(submissions: pd.DataFrame, registry: UnitRegistry, years: Sequence[int],
                      lang: str = "vi") -> Grid:
    """The completeness grid: one row per registered unit (type, then name; unregistered ids last), one
    column per year; a cell reads "v2" for the current version received, "Thiếu"/"Missing" when a unit
    answering for that year (see :meth:`~lgqa_metrics.domain.units.Unit.reports_for`) has sent nothing, and a dash
    when the unit did not answer for that year (it did not exist, or ended during it)."""
    versions = completeness(submissions, registry, years)
    ids = _unit_rows([str(i) for i in versions.index], registry)
    versions = versions.reindex(ids)
    units = [registry.get(uid) for uid in ids]
    due = np.array([[unit is None or unit.reports_for(year) for year in years] for unit in units], dtype=bool)
    due = due.reshape(len(ids), len(years))
    got = versions.notna().to_numpy()
    state = np.where(got, RECEIVED, np.where(due, MISSING, NOT_EXPECTED))
    words = {RECEIVED: "", MISSING: t("submissions.cell_missing", lang), NOT_EXPECTED: "–"}
    version_words = {v: t("submissions.cell_version", lang, version=int(v))
                     for v in {int(x) for x in versions.to_numpy().ravel() if not pd.isna(x)}}
    labels: dict[str, list[str]] = {}
    status: dict[str, list[str]] = {}
    received: dict[int, int] = {}
    expected: dict[int, int] = {}
    for j, year in enumerate(years):
        column = versions[year].tolist()
        status[str(year)] = state[:, j].tolist()
        labels[str(year)] = [version_words[v] if s == RECEIVED else words[s] for v, s in zip(column, status[str(year)],
                                                                                          strict=True)]
        received[year] = int((state[:, j] == RECEIVED).sum())
        expected[year] = received[year] + int((state[:, j] == MISSING).sum())
    names = [registry.name_of(u, lang) for u in ids]
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

