"""Checking a batch of uploads without storing it, then storing it on confirmation."""

from __future__ import annotations

import io

import openpyxl
import pytest

from lgqa_metrics.domain.i18n import has, t
from lgqa_metrics.domain.roles import Actor, PermissionDenied, Role
from lgqa_metrics.domain.units import default_registry
from lgqa_metrics.intake import safety
from lgqa_metrics.intake.reader import ReadResult
from lgqa_metrics.services import batch
from lgqa_metrics.store.database import Store, intake_t, submissions_t
from tests.support.builders import docx_bytes
from tests.support.returns import filled_template, pattern


@pytest.fixture
def db_url(store_url: str) -> str:
    """Every store test here runs on SQLite and on PostgreSQL."""
    return store_url

STAFF = Actor("staff-a", Role.STAFF)


def _files(*items: tuple[str, bytes]) -> list[tuple[str, bytes, ReadResult]]:
    return [(name, data, batch.read_upload(data, name)) for name, data in items]


def test_a_dry_run_stores_nothing_and_says_which_version_each_return_would_get(store: Store) -> None:
    files = _files(("lc.xlsx", filled_template("q-le-chan", 2023, pattern(0))),
                   ("at.xlsx", filled_template("x-an-thang", 2023, pattern(1))))
    checked = batch.check(store, files)
    assert [(c.outcomes[0].status, c.outcomes[0].unit_id, c.outcomes[0].version) for c in checked] == \
        [("accepted", "q-le-chan", 1), ("accepted", "x-an-thang", 1)]
    assert store.count(submissions_t) == 0 and store.count(intake_t) == 0
    assert checked[0].parsed(checked[0].outcomes[0].sheet) is not None


def test_a_second_return_of_the_same_unit_year_in_one_batch_gets_the_next_version(store: Store) -> None:
    first, second = filled_template("q-le-chan", 2023, pattern(0)), filled_template("q-le-chan", 2023, pattern(1))
    checked = batch.check(store, _files(("a.xlsx", first), ("b.xlsx", second), ("c.xlsx", first)))
    planned = [(c.outcomes[0].status, c.outcomes[0].version) for c in checked]
    assert planned == [("accepted", 1), ("accepted", 2), ("duplicate", 1)], "the same file is stored once"
    assert batch.repeated_unit_years(checked) == {("q-le-chan", 2023): ["a.xlsx", "b.xlsx", "c.xlsx"]}
    saved = batch.confirm(store, checked, actor=STAFF)
    assert [(s.outcomes[0].status, s.outcomes[0].version) for s in saved] == planned


def _resaved(data: bytes) -> bytes:
    """The same return in other bytes (another author in the document properties)."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    book.properties.creator = "Văn thư"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_returns_sent_again_behind_a_newer_one_are_planned_as_the_store_will_see_them(store: Store) -> None:
    old, new = filled_template("q-le-chan", 2023, pattern(0)), filled_template("q-le-chan", 2023, pattern(1))
    batch.confirm(store, batch.check(store, _files(("old.xlsx", old))), actor=STAFF)
    files = _files(("new.xlsx", new), ("old-again.xlsx", old), ("old-resaved.xlsx", _resaved(old)))
    checked = batch.check(store, files)
    planned = [(c.outcomes[0].status, c.outcomes[0].version) for c in checked]
    assert planned == [("accepted", 2), ("duplicate", 1), ("accepted", 3)], \
        "the stored file is a duplicate; the old content in new bytes supersedes the newer version"
    saved = batch.confirm(store, checked, actor=STAFF)
    assert [(s.outcomes[0].status, s.outcomes[0].version) for s in saved] == planned


def test_the_same_content_twice_in_one_batch_is_planned_as_a_duplicate(store: Store) -> None:
    data = filled_template("q-le-chan", 2023, pattern(0))
    checked = batch.check(store, _files(("a.xlsx", data), ("copy.xlsx", data)))
    assert [(c.outcomes[0].status, c.outcomes[0].version) for c in checked] == [("accepted", 1), ("duplicate", 1)]
    saved = batch.confirm(store, checked, actor=STAFF)
    assert [(s.outcomes[0].status, s.outcomes[0].version) for s in saved] == [("accepted", 1), ("duplicate", 1)]


def test_confirm_stores_accepted_returns_and_logs_the_rejected_file(store: Store) -> None:
    checked = batch.check(store, _files(("lc.xlsx", filled_template("q-le-chan", 2023, pattern(0))),
                                        ("BaoCao.docx", docx_bytes())))
    assert [c.rejected for c in checked] == [False, True]
    assert checked[1].issues()[0].code == "file_not_spreadsheet"
    steps: list[tuple[int, int, str]] = []
    saved = batch.confirm(store, checked, actor=STAFF, progress=lambda *step: steps.append(step))
    assert steps == [(0, 2, "lc.xlsx"), (1, 2, "BaoCao.docx")], "progress before each file"
    assert all(not s.error for s in saved)
    subs = store.submissions()
    assert list(subs["unit_id"]) == ["q-le-chan"] and list(subs["uploader"]) == ["staff-a"]
    log = store.intake_log()
    assert sorted(log["status"]) == ["accepted", "rejected"]


def test_a_store_failure_on_one_file_is_reported_and_the_others_are_stored(store: Store,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    checked = batch.check(store, _files(("a.xlsx", filled_template("q-le-chan", 2023, pattern(0))),
                                        ("b.xlsx", filled_template("x-an-thang", 2023, pattern(0)))))
    record = Store.record

    def flaky(self: Store, result: ReadResult, data: bytes, **kwargs: object) -> object:
        if result.file == "a.xlsx":
            raise RuntimeError("disk full")
        return record(self, result, data, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "record", flaky)
    saved = batch.confirm(store, checked, actor=STAFF)
    assert saved[0].error.startswith("RuntimeError") and not saved[1].error
    rows = batch.outcome_rows(saved)
    assert [r["status"] for r in rows] == ["failed", "accepted"]
    assert batch.status_counts(rows) == {"accepted": 1, "duplicate": 0, "rejected": 0, "failed": 1}
    monkeypatch.undo()
    assert list(store.submissions()["unit_id"]) == ["x-an-thang"]


def test_a_reader_crash_becomes_an_unreadable_file_issue(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> ReadResult:
        raise ValueError("unexpected layout")

    monkeypatch.setattr(safety, "read_bytes", boom)
    result = batch.read_upload(b"PK\x03\x04", "x.xlsx", isolated=False)
    assert result.returns == () and [i.code for i in result.issues] == ["file_unreadable"]
    assert "unexpected layout" in result.issues[0].message_en


def test_outcome_table_shows_names_and_status_words(store: Store) -> None:
    checked = batch.check(store, _files(("lc.xlsx", filled_template("q-le-chan", 2023, pattern(0))),
                                        ("BaoCao.docx", docx_bytes())))
    rows = batch.outcome_rows(checked)
    table = batch.outcome_table(rows, default_registry(), "en")
    assert list(table.columns) == ["File", "Sheet", "Unit", "Year", "Outcome", "Version", "Errors", "Warnings"]
    assert list(table["Unit"]) == ["Le Chan District", "–"]
    assert list(table["Outcome"]) == ["Valid, will be stored", "Rejected"]
    done = batch.outcome_table(rows, default_registry(), "vi", done=True)
    assert list(done["Kết quả"]) == ["Đã lưu", "Bị từ chối (đã ghi nhật ký)"]
    assert table["Errors"].tolist() == [0, 1]


def test_every_status_has_words_for_the_plan_the_outcome_and_the_verdict() -> None:
    statuses = (batch.ACCEPTED, batch.DUPLICATE, batch.REJECTED, batch.FAILED)
    for status in statuses:
        assert has(f"batch.plan_{status}") and has(f"batch.done_{status}")
    for status in statuses[:3]:
        assert has(f"upload.verdict_{status}")
    assert all(has(f"batch.col_{c}") for c in ("file", "sheet", "unit", "year", "status", "version", "errors",
                                                "warnings"))


def test_a_viewer_cannot_confirm_a_batch_and_nothing_is_stored(store: Store) -> None:
    checked = batch.check(store, _files(("lc.xlsx", filled_template("q-le-chan", 2023, pattern(0)))))
    with pytest.raises(PermissionDenied):
        batch.confirm(store, checked, actor=Actor("leader", Role.VIEWER))
    assert store.count(submissions_t) == 0 and store.count(intake_t) == 0


@pytest.mark.parametrize(("counts", "tone", "keys"), [
    ({"accepted": 2, "duplicate": 1, "rejected": 1}, "success",
     ["upload.saved_stored", "upload.saved_skipped", "upload.saved_quarantined"]),
    ({"accepted": 1}, "success", ["upload.saved_stored"]),
    ({"rejected": 2}, "warning", ["upload.saved_none", "upload.saved_quarantined"]),
    ({"duplicate": 3}, "info", ["upload.saved_none", "upload.saved_skipped"]),
])
def test_what_a_confirmation_did_is_said_in_the_tone_it_deserves(counts: dict[str, int], tone: str,
                                                                 keys: list[str]) -> None:
    summary = batch.saved_summary({**dict.fromkeys(("accepted", "duplicate", "rejected", "failed"), 0), **counts})
    assert summary.tone == tone and [key for key, _fields in summary.sentences] == keys
    for key, fields in summary.sentences:
        assert t(key, "vi", **fields) and t(key, "en", **fields)
