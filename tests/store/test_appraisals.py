"""Appraisal of returns (thẩm định), on SQLite and PostgreSQL: the lifecycle submitted → in review → accepted
(locked) or returned, both ratings kept, the four-eyes rule, the lock on new versions and the admin's unlock, and an
audit entry for every step."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lgqa_metrics.domain.roles import Actor, PermissionDenied, Role
from lgqa_metrics.services.ingest import ingest_bytes
from lgqa_metrics.store.appraisals import AppraisalError, Appraisals, AppraisalStatus
from lgqa_metrics.store.audit import audit_log
from lgqa_metrics.store.database import Store
from lgqa_metrics.store.schema import ratings_t
from tests.support.returns import filled_template, pattern

STAFF = Actor("lan", Role.STAFF)
APPRAISER = Actor("minh", Role.APPRAISER)
OTHER = Actor("hoa", Role.APPRAISER)
ADMIN = Actor("quan-tri", Role.ADMIN)


@pytest.fixture
def db_url(store_url: str) -> str:
    """Every test here runs on SQLite and on PostgreSQL."""
    return store_url


def _upload(store: Store, unit: str = "q-le-chan", year: int = 2023, shift: int = 0) -> int:
    [out] = ingest_bytes(store, filled_template(unit, year, pattern(shift)), f"{unit}-{year}-{shift}.xlsx",
                         uploader=STAFF.username)
    assert out.status == "accepted", out.issues
    return int(store.submissions().query("unit_id == @unit and year == @year and status == 'current'")["id"].item())


def _actions(store: Store) -> list[str]:
    return list(audit_log(store.engine, actions=[a for a in _ACTIONS])["action"])[::-1]


_ACTIONS = ("appraisal_started", "appraisal_saved", "appraisal_accepted", "appraisal_returned", "appraisal_unlocked")


def test_an_appraiser_takes_up_a_return_sets_ratings_with_reasons_and_accepts_it(store: Store) -> None:
    sid = _upload(store)
    book = Appraisals(store)
    assert book.status_of(sid) is AppraisalStatus.SUBMITTED
    book.start(APPRAISER, sid)
    own = pattern()
    green = next(c for c, r in own.items() if r == "green")
    yellow = next(c for c, r in own.items() if r == "yellow")
    changed = book.save(APPRAISER, sid, {green: ("yellow", "Biên bản kiểm tra không đủ"), yellow: ("yellow", "")})
    assert changed == 1
    detail = book.detail(sid).set_index("indicator_code")
    assert (detail.loc[green, "rating"], detail.loc[green, "appraised"]) == ("green", "yellow")
    assert detail.loc[green, "reason"] == "Biên bản kiểm tra không đủ" and bool(detail.loc[green, "changed"])
    assert detail.loc[yellow, "appraised"] == "yellow" and not bool(detail.loc[yellow, "changed"])
    assert Appraisals(store).overlay().accepted == frozenset()  # in review: not counted yet
    book.accept(APPRAISER, sid, "Đạt")
    overlay = book.overlay()
    assert overlay.accepted == {sid}
    assert list(zip(overlay.overrides["indicator_code"], overlay.overrides["appraised"], strict=True)) == [
        (green, "yellow")]
    with store.engine.connect() as conn:  # the unit's own rating is never rewritten
        assert conn.execute(sa.select(ratings_t.c.rating).where(ratings_t.c.submission_id == sid,
                                                                ratings_t.c.indicator_code == green)).scalar() == "green"
    queue = book.queue().set_index("submission_id")
    assert (queue.loc[sid, "status"], queue.loc[sid, "appraiser"], bool(queue.loc[sid, "locked"])) == (
        "accepted", "minh", True)
    assert _actions(store) == ["appraisal_started", "appraisal_saved", "appraisal_accepted"]


def test_a_changed_rating_needs_a_reason_and_a_rating_of_the_scale(store: Store) -> None:
    sid = _upload(store)
    book = Appraisals(store)
    book.start(APPRAISER, sid)
    green = next(c for c, r in pattern().items() if r == "green")
    with pytest.raises(AppraisalError) as caught:
        book.save(APPRAISER, sid, {green: ("red", "  ")})
    assert caught.value.key == "appraisal.reason_needed" and green in caught.value.message("vi")
    with pytest.raises(AppraisalError, match="bad_rating"):
        book.save(APPRAISER, sid, {green: ("purple", "vì sao")})
    with pytest.raises(AppraisalError, match="unknown_indicator"):
        book.save(APPRAISER, sid, {"9.9": ("red", "vì sao")})
    assert book.detail(sid)["changed"].sum() == 0  # nothing half-saved


def test_nobody_appraises_their_own_upload_and_staff_cannot_appraise(store: Store) -> None:
    sid = _upload(store)
    book = Appraisals(store)
    with pytest.raises(PermissionDenied):
        book.start(STAFF, sid)
    with pytest.raises(AppraisalError, match="own_upload"):
        book.start(Actor(STAFF.username, Role.APPRAISER), sid)
    book.start(APPRAISER, sid)
    with pytest.raises(AppraisalError, match="someone_else"):
        book.start(OTHER, sid)
    with pytest.raises(AppraisalError, match="someone_else"):
        book.accept(OTHER, sid)


def test_a_returned_return_starts_over_with_the_units_next_version(store: Store) -> None:
    sid = _upload(store)
    book = Appraisals(store)
    book.start(APPRAISER, sid)
    with pytest.raises(AppraisalError, match="comment_needed"):
        book.send_back(APPRAISER, sid, " ")
    book.send_back(APPRAISER, sid, "Bổ sung minh chứng chỉ số 2.3")
    assert book.status_of(sid) is AppraisalStatus.RETURNED
    newer = _upload(store, shift=1)  # not locked: the unit sends its corrected version
    assert newer != sid and book.status_of(newer) is AppraisalStatus.SUBMITTED
    queue = book.queue()
    assert list(queue["submission_id"]) == [newer]
    with pytest.raises(AppraisalError, match="not_current"):
        book.start(APPRAISER, sid)


def test_an_appraised_return_takes_no_new_version_until_an_admin_unlocks_it_with_a_reason(store: Store) -> None:
    sid = _upload(store)
    book = Appraisals(store)
    book.start(APPRAISER, sid)
    book.accept(APPRAISER, sid)
    [refused] = ingest_bytes(store, filled_template("q-le-chan", 2023, pattern(2)), "v2.xlsx", uploader=STAFF.username)
    assert refused.status == "rejected"
    [issue] = [i for i in refused.issues if i.code == "return_locked"]
    assert "Quận Lê Chân" in issue.message_vi and "minh" in issue.message_vi and "2023" in issue.message_en
    assert len(store.submissions()) == 1  # nothing stored
    with pytest.raises(PermissionDenied):
        book.unlock(APPRAISER, "q-le-chan", 2023, "Đơn vị sửa số liệu")
    with pytest.raises(AppraisalError, match="unlock_reason_needed"):
        book.unlock(ADMIN, "q-le-chan", 2023, "")
    book.unlock(ADMIN, "q-le-chan", 2023, "Đơn vị phát hiện sai sót ở chỉ số 3.2")
    newer = _upload(store, shift=2)
    assert book.status_of(newer) is AppraisalStatus.SUBMITTED and book.status_of(sid) is AppraisalStatus.ACCEPTED
    assert book.overlay().accepted == frozenset()  # the appraised version is no longer current
    with pytest.raises(AppraisalError, match="not_locked"):
        book.unlock(ADMIN, "q-le-chan", 2023, "lần nữa")
    log = audit_log(store.engine, actions=["appraisal_unlocked"])
    assert "sai sót" in log["details"].item() and log["actor"].item() == "quan-tri"


def test_the_queue_lists_the_steps_asked_for_oldest_first_and_counts_every_step(store: Store) -> None:
    first, second, third = _upload(store, "q-le-chan"), _upload(store, "x-an-thang"), _upload(store, "h-vinh-bao")
    book = Appraisals(store)
    book.start(APPRAISER, second)
    book.accept(APPRAISER, second)
    assert list(book.queue()["submission_id"]) == [first, third, second]  # the decision is the newest event
    assert list(book.queue([AppraisalStatus.SUBMITTED], limit=1)["submission_id"]) == [first]
    assert list(book.queue([AppraisalStatus.ACCEPTED])["submission_id"]) == [second]
    assert book.counts() == {AppraisalStatus.SUBMITTED: 2, AppraisalStatus.IN_REVIEW: 0,
                             AppraisalStatus.ACCEPTED: 1, AppraisalStatus.RETURNED: 0}
