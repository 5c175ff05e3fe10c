"""Appraisal (thẩm định) of returns against their evidence, as the PAR Index appraises self-scores before anything
is published.

A current return is **submitted** (nộp) until an appraiser takes it up: **in review** (đang thẩm định), indicator by
indicator beside its evidence, agreeing with the unit's rating or setting an appraised rating with a reason. It ends
**accepted** (đã thẩm định: its figures count as appraised, and it is locked: no new version until an admin unlocks
it, with a reason) or **returned** (trả lại) to the unit with comments; the unit's next version starts over. Both
ratings are kept: the unit's in ``ratings``, the appraiser's where it differs in ``appraised_ratings``. An appraiser
never appraises a return they uploaded themselves. Every step is one transaction with its audit entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lgqa_metrics.domain.i18n import MessageError
from lgqa_metrics.domain.ratings import Rating
from lgqa_metrics.domain.roles import Actor, Role, require
from lgqa_metrics.store import audit
from lgqa_metrics.store.database import Store
from lgqa_metrics.store.frames import read_frame
from lgqa_metrics.store.schema import (
    STATUS_CURRENT,
    appraisals_t,
    appraised_ratings_t,
    ratings_t,
    submissions_t,
)

#: Longest reason or comment kept.
MAX_TEXT: Final = 2000
#: The ratings an appraiser may set.
APPRAISABLE: Final = (Rating.GREEN, Rating.YELLOW, Rating.RED, Rating.NA)


class AppraisalStatus(StrEnum):
    """Where a return stands: nộp, đang thẩm định, đã thẩm định, trả lại."""

    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    ACCEPTED = "accepted"
    RETURNED = "returned"


class AppraisalError(MessageError, ValueError):
    """A step of an appraisal that cannot be taken; ``key`` is a message-catalogue key."""


@dataclass(frozen=True, slots=True)
class Overlay:
    """What the figures need of the appraisals: the current submissions accepted, and the appraised rating of each
    indicator of theirs where it differs from the unit's (``submission_id``, ``indicator_code``, ``appraised``); and
    how many current returns there are (for "12 of 24 appraised")."""

    accepted: frozenset[int]
    overrides: pd.DataFrame
    returns: int


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _text(value: str) -> str:
    return " ".join(str(value or "").split())[:MAX_TEXT]


class Appraisals:
    """The appraisal lifecycle on one store. Appraising needs the appraiser role; unlocking, an admin."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # --- reading ---------------------------------------------------------------------------------

    def queue(self, statuses: Iterable[AppraisalStatus] = (), limit: int | None = None) -> pd.DataFrame:
        """The current returns (those in ``statuses``, default all) with where they stand: unit, year, version,
        uploader and upload time, status, appraiser, since when it has stood there (``since``) and the decision's
        comment; oldest waiting first, the first ``limit`` of them (the database picks them: a national year holds
        a hundred thousand)."""
        s, a = submissions_t, appraisals_t
        status = sa.func.coalesce(a.c.status, AppraisalStatus.SUBMITTED.value)
        since = sa.func.coalesce(a.c.decided_at, a.c.started_at, s.c.uploaded_at)
        query = (sa.select(s.c.id.label("submission_id"), s.c.unit_id, s.c.year, s.c.version, s.c.uploader,
                           s.c.uploaded_at, status.label("status"), a.c.appraiser, a.c.started_at, a.c.decided_at,
                           a.c.comment, a.c.locked, since.label("since"))
                 .select_from(s.outerjoin(a, a.c.submission_id == s.c.id)).where(s.c.status == STATUS_CURRENT)
                 .order_by(since, s.c.unit_id).limit(limit))
        wanted = [AppraisalStatus(v).value for v in statuses]
        if wanted:
            query = query.where(status.in_(wanted))
        with self.store.engine.connect() as conn:
            frame = read_frame(query, conn)
        frame["status"] = frame["status"].astype(str)
        frame["unit_name"] = [self.store.registry.name_of(u) if u in self.store.registry else u
                              for u in frame["unit_id"]]
        frame["appraiser"] = frame["appraiser"].fillna("").astype(str)
        frame["comment"] = frame["comment"].fillna("").astype(str)
        frame["locked"] = frame["locked"].fillna(False).astype(bool)
        return frame

    def counts(self) -> dict[AppraisalStatus, int]:
        """How many current returns stand at each step."""
        s, a = submissions_t, appraisals_t
        status = sa.func.coalesce(a.c.status, AppraisalStatus.SUBMITTED.value)
        query = (sa.select(status, sa.func.count()).select_from(s.outerjoin(a, a.c.submission_id == s.c.id))
                 .where(s.c.status == STATUS_CURRENT).group_by(status))
        with self.store.engine.connect() as conn:
            found: dict[str, int] = {str(k): int(v) for k, v in conn.execute(query).all()}
        return {step: int(found.get(step.value, 0)) for step in AppraisalStatus}

    def status_of(self, submission_id: int) -> AppraisalStatus:
        """Where one submission stands."""
        with self.store.engine.connect() as conn:
            row = self._appraisal(conn, submission_id)
        return AppraisalStatus(row.status) if row is not None else AppraisalStatus.SUBMITTED

    def detail(self, submission_id: int) -> pd.DataFrame:
        """One return indicator by indicator: the unit's rating, evidence, note and evidence status beside the
        appraised rating (the unit's where the appraiser set none) and its reason."""
        frame = self.store.ratings(submission_id=submission_id)
        r = appraised_ratings_t
        with self.store.engine.connect() as conn:
            set_ = read_frame(sa.select(r.c.indicator_code, r.c.rating.label("appraised"), r.c.reason)
                              .where(r.c.submission_id == submission_id), conn)
        out = frame.merge(set_, on="indicator_code", how="left")
        out["changed"] = out["appraised"].notna()
        out["appraised"] = out["appraised"].fillna(out["rating"]).astype(str)
        out["reason"] = out["reason"].fillna("").astype(str)
        return out

    def overlay(self) -> Overlay:
        """The accepted current returns and their appraised ratings that differ from the unit's (for the figures)."""
        s, a, r = submissions_t, appraisals_t, appraised_ratings_t
        accepted = (sa.select(s.c.id).select_from(s.join(a, a.c.submission_id == s.c.id))
                    .where(s.c.status == STATUS_CURRENT, a.c.status == AppraisalStatus.ACCEPTED.value))
        with self.store.engine.connect() as conn:
            ids = frozenset(int(i) for i in conn.execute(accepted).scalars())
            overrides = read_frame(sa.select(r.c.submission_id, r.c.indicator_code, r.c.rating.label("appraised"))
                                   .where(r.c.submission_id.in_(accepted)), conn)
            returns = conn.execute(sa.select(sa.func.count()).where(s.c.status == STATUS_CURRENT)).scalar_one()
        return Overlay(ids, overrides, int(returns))

    # --- the lifecycle ---------------------------------------------------------------------------

    def _appraisal(self, conn: Connection, submission_id: int) -> Any:
        return conn.execute(sa.select(appraisals_t).where(appraisals_t.c.submission_id == submission_id)).first()

    def _current(self, conn: Connection, submission_id: int) -> Any:
        s = submissions_t
        row = conn.execute(sa.select(s.c.id, s.c.unit_id, s.c.year, s.c.version, s.c.status, s.c.uploader)
                           .where(s.c.id == submission_id)).first()
        if row is None or row.status != STATUS_CURRENT:
            raise AppraisalError("appraisal.not_current", id=submission_id)
        return row

    def _in_review_by(self, conn: Connection, actor: Actor, submission_id: int) -> Any:
        """The submission, when it is in review by ``actor`` (or ``actor`` is an admin)."""
        sub = self._current(conn, submission_id)
        row = self._appraisal(conn, submission_id)
        if row is None or row.status != AppraisalStatus.IN_REVIEW.value:
            raise AppraisalError("appraisal.not_in_review", unit=sub.unit_id, year=sub.year)
        if row.appraiser != actor.username and not actor.can(Role.ADMIN):
            raise AppraisalError("appraisal.someone_else", unit=sub.unit_id, year=sub.year, who=row.appraiser)
        return sub

    @staticmethod
    def _target(sub: Any) -> str:
        return f"{sub.unit_id}/{sub.year} v{sub.version}"

    def start(self, actor: Actor, submission_id: int) -> None:
        """Take up a submitted return (or one returned whose unit sent nothing newer) for appraisal."""
        who = require(actor, Role.APPRAISER, "appraise returns")
        with self.store.writing() as conn:
            sub = self._current(conn, submission_id)
            if sub.uploader == who.username:
                raise AppraisalError("appraisal.own_upload", unit=sub.unit_id, year=sub.year)
            row = self._appraisal(conn, submission_id)
            if row is not None and row.status == AppraisalStatus.ACCEPTED.value:
                raise AppraisalError("appraisal.already_accepted", unit=sub.unit_id, year=sub.year)
            if row is not None and row.status == AppraisalStatus.IN_REVIEW.value:
                if row.appraiser == who.username:
                    return
                raise AppraisalError("appraisal.someone_else", unit=sub.unit_id, year=sub.year, who=row.appraiser)
            values = {"status": AppraisalStatus.IN_REVIEW.value, "appraiser": who.username, "started_at": _now(),
                      "decided_at": None, "comment": "", "locked": False}
            if row is None:
                conn.execute(appraisals_t.insert().values(submission_id=submission_id, **values))
            else:
                conn.execute(appraisals_t.update().where(appraisals_t.c.submission_id == submission_id).values(**values))
            audit.record(conn, who, "appraisal_started", target=self._target(sub))

    def save(self, actor: Actor, submission_id: int, decisions: Mapping[str, tuple[str, str]]) -> int:
        """Record the appraiser's rating and reason for the indicators in ``decisions`` (code → (rating, reason));
        a rating equal to the unit's agrees with it (any earlier appraised rating is dropped). A changed rating needs
        a reason. Returns how many indicators now carry an appraised rating of their own."""
        who = require(actor, Role.APPRAISER, "appraise returns")
        with self.store.writing() as conn:
            sub = self._in_review_by(conn, who, submission_id)
            own = dict(conn.execute(sa.select(ratings_t.c.indicator_code, ratings_t.c.rating)
                                    .where(ratings_t.c.submission_id == submission_id)).all())
            allowed = {r.value for r in APPRAISABLE}
            r = appraised_ratings_t
            changes: dict[str, str] = {}
            for code, (rating, reason) in decisions.items():
                if code not in own:
                    raise AppraisalError("appraisal.unknown_indicator", code=code)
                rating = str(rating)
                conn.execute(r.delete().where(r.c.submission_id == submission_id, r.c.indicator_code == code))
                if rating == own[code]:
                    continue
                if rating not in allowed:
                    raise AppraisalError("appraisal.bad_rating", code=code, value=rating)
                if not _text(reason):
                    raise AppraisalError("appraisal.reason_needed", code=code)
                conn.execute(r.insert().values(submission_id=submission_id, indicator_code=code, rating=rating,
                                               reason=_text(reason), appraiser=who.username, at=_now()))
                changes[code] = f"{own[code]}→{rating}"
            count = conn.execute(sa.select(sa.func.count()).select_from(r)
                                 .where(r.c.submission_id == submission_id)).scalar_one()
            audit.record(conn, who, "appraisal_saved", target=self._target(sub), details={"changed": changes})
        return int(count)

    def _decide(self, actor: Actor, submission_id: int, status: AppraisalStatus, comment: str) -> None:
        who = require(actor, Role.APPRAISER, "appraise returns")
        with self.store.writing() as conn:
            sub = self._in_review_by(conn, who, submission_id)
            conn.execute(appraisals_t.update().where(appraisals_t.c.submission_id == submission_id).values(
                status=status.value, decided_at=_now(), comment=_text(comment),
                locked=status is AppraisalStatus.ACCEPTED))
            changed = conn.execute(sa.select(sa.func.count()).select_from(appraised_ratings_t)
                                   .where(appraised_ratings_t.c.submission_id == submission_id)).scalar_one()
            action = "appraisal_accepted" if status is AppraisalStatus.ACCEPTED else "appraisal_returned"
            audit.record(conn, who, action, target=self._target(sub),
                         details={"changed": int(changed), "comment": _text(comment)})

    def accept(self, actor: Actor, submission_id: int, comment: str = "") -> None:
        """End the appraisal: the return is appraised (its appraised ratings count) and locked."""
        self._decide(actor, submission_id, AppraisalStatus.ACCEPTED, comment)

    def send_back(self, actor: Actor, submission_id: int, comment: str) -> None:
        """Return the return to its unit with comments (required): what to correct before its next version."""
        if not _text(comment):
            raise AppraisalError("appraisal.comment_needed")
        self._decide(actor, submission_id, AppraisalStatus.RETURNED, comment)

    def unlock(self, actor: Actor, unit_id: str, year: int, reason: str) -> None:
        """Let a unit-year whose current return is appraised and locked take a new version (admin, with a reason).
        The appraisal stays as it was for that version."""
        who = require(actor, Role.ADMIN, "unlock an appraised return")
        if not _text(reason):
            raise AppraisalError("appraisal.unlock_reason_needed")
        s, a = submissions_t, appraisals_t
        with self.store.writing() as conn:
            sub = conn.execute(sa.select(s.c.id, s.c.unit_id, s.c.year, s.c.version)
                               .select_from(s.join(a, a.c.submission_id == s.c.id))
                               .where(s.c.unit_id == unit_id, s.c.year == int(year), s.c.status == STATUS_CURRENT,
                                      a.c.locked.is_(True))).first()
            if sub is None:
                raise AppraisalError("appraisal.not_locked", unit=unit_id, year=year)
            conn.execute(a.update().where(a.c.submission_id == sub.id).values(locked=False))
            audit.record(conn, who, "appraisal_unlocked", target=self._target(sub), details={"reason": _text(reason)})
