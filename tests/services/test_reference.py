"""Replacing the reference files: checked on a copy with the app's own loaders, the changes listed,
written atomically by administrators only, audited, and the cached registry or catalogue dropped."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from lgqa_metrics.analysis.export import export_frame
from lgqa_metrics.domain.i18n import t
from lgqa_metrics.domain.lineage import Lineage, load_lineage
from lgqa_metrics.domain.roles import Actor, PermissionDenied, Role, cli_actor
from lgqa_metrics.domain.units import default_registry, load_registry
from lgqa_metrics.services import reference
from lgqa_metrics.services.ingest import ingest_bytes
from lgqa_metrics.services.reference import ReferenceError
from lgqa_metrics.store import audit
from lgqa_metrics.store.database import Store
from lgqa_metrics.store.schema import files_t, ratings_t, submissions_t, unit_links_t
from tests.support.reference_data import REAL_UNITS, data_copy, edit_csv, lineage_copy, unit_row
from tests.support.returns import filled_template, pattern


@pytest.fixture
def db_url(store_url: str) -> str:
    """Every store test here runs on SQLite and on PostgreSQL."""
    return store_url

__all__ = ["data_copy", "lineage_copy"]

ADMIN = Actor("root", Role.ADMIN)


def _renamed_and_added(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    rows = [r for r in rows if r["id"] != "x-trung-lap"]
    for row in rows:
        if row["id"] == "q-le-chan":
            row["name"], row["name_en"] = "Quận Lê Chân (mới)", "Le Chan District (new)"
        if row["id"] == "q-kien-an":
            row["aliases"] = "Kiến An"
    return [*rows, unit_row("x-moi", "Xã Mới", "New Commune", parent="h-an-lao")]


def test_the_paths_follow_the_data_folder_named_at_call_time(data_copy: Path) -> None:
    assert reference.file_path("units") == data_copy / "units.csv"
    assert reference.file_path("catalogue") == data_copy / "catalogue" / "indicators.csv"


def test_a_registry_upload_lists_added_removed_renamed_and_changed_units(data_copy: Path) -> None:
    proposal = reference.check("units", edit_csv(data_copy / "units.csv", _renamed_and_added))
    kinds = {(c.kind, c.key) for c in proposal.changes}
    assert kinds == {("added", "x-moi"), ("removed", "x-trung-lap"), ("renamed", "q-le-chan"),
                     ("changed", "q-kien-an")}
    renamed = next(c for c in proposal.changes if c.kind == "renamed")
    assert (renamed.before, renamed.after) == ("Quận Lê Chân", "Quận Lê Chân (mới)")
    assert renamed.fields == ("name", "name_en")
    assert [c.kind for c in proposal.changes] == ["added", "removed", "renamed", "changed"]
    assert not proposal.identical and proposal.current_sha256 == hashlib.sha256(REAL_UNITS.read_bytes()).hexdigest()


def test_the_current_file_uploaded_again_is_identical(data_copy: Path) -> None:
    proposal = reference.check("units", (data_copy / "units.csv").read_bytes())
    assert proposal.identical and proposal.changes == ()


def test_a_note_only_edit_changes_no_content(data_copy: Path) -> None:
    def note(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        return [{**r, "note": "sửa ghi chú"} for r in rows]
    proposal = reference.check("units", edit_csv(data_copy / "units.csv", note))
    assert not proposal.identical and proposal.changes == ()


def test_removed_units_with_stored_returns_are_named(data_copy: Path, store: Store,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as real_data:  # see data_copy: reader workers must start on the real data folder
        real_data.delenv("LGQA_DATA_DIR")
        ingest_bytes(store, filled_template("x-trung-lap", 2023, pattern(0)), "TrungLap.xlsx")
    proposal = reference.check("units", edit_csv(data_copy / "units.csv", _renamed_and_added), store=store)
    assert proposal.removed_with_data == ("x-trung-lap",)
    assert reference.audit_details(proposal)["removed_with_data"] == ["x-trung-lap"]


@pytest.mark.parametrize(("data", "key"), [
    (b"", "reference.empty"),
    (b"PK\x03\x04 not a csv", "reference.not_csv"),
    ("id,type,name\nx-a,xa,Xã Ả\n".encode("cp1258", errors="replace") + b"\xff\xfe", "reference.not_utf8"),
    (b"id,name\nx-a,Xa A\n", "reference.missing_columns"),
    (b"id,type,name\n", "reference.no_rows"),
    (b"id,type,name\nx-a,village,Xa A\n", "reference.invalid"),
    (b"id,type,name\nx-a,xa,Xa A\nx-a,xa,Xa B\n", "reference.invalid"),
    (b"x" * (reference.MAX_BYTES + 1), "reference.too_big"),
])
def test_unusable_registry_uploads_are_refused_with_a_message_key(data_copy: Path, data: bytes, key: str) -> None:
    with pytest.raises(ReferenceError) as caught:
        reference.check("units", data)
    assert caught.value.key == key
    assert t(caught.value.key, "vi", **caught.value.fields) and t(caught.value.key, "en", **caught.value.fields)


def test_a_registry_error_names_the_file_row_and_problem_not_the_temporary_folder(data_copy: Path) -> None:
    def bad_parent(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        return [*rows, unit_row("x-moi", "Xã Mới", parent="h-khong-co")]
    with pytest.raises(ReferenceError) as caught:
        reference.check("units", edit_csv(data_copy / "units.csv", bad_parent))
    detail = str(caught.value.fields["detail"])
    assert "units.csv" in detail and "h-khong-co" in detail and "lgqa-reference" not in detail
    assert detail in t("reference.invalid", "vi", detail=detail)


def test_a_catalogue_upload_lists_renamed_indicators_and_changed_legends(data_copy: Path) -> None:
    def edit(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        for row in rows:
            if row["code"] == "1.1":
                row["name_vi"] = "Quản lý chất lượng toàn diện (sửa)"
            if row["code"] == "4.9":
                row["legend_red_vi"] = "Chưa có kế hoạch"
        return rows
    proposal = reference.check("catalogue", edit_csv(data_copy / "catalogue" / "indicators.csv", edit))
    assert [(c.kind, c.key, c.fields) for c in proposal.changes] == [
        ("renamed", "1.1", ("name_vi",)), ("changed", "4.9", ("legend_red_vi",))]


def test_a_catalogue_without_thirty_nine_indicators_is_refused(data_copy: Path) -> None:
    short = edit_csv(data_copy / "catalogue" / "indicators.csv", lambda rows: rows[:-1])
    with pytest.raises(ReferenceError) as caught:
        reference.check("catalogue", short)
    assert caught.value.key == "reference.invalid" and "39" in str(caught.value.fields["detail"])


def test_replacing_needs_an_administrator_and_leaves_the_file_alone_otherwise(data_copy: Path, store: Store) -> None:
    target = data_copy / "units.csv"
    before = target.read_bytes()
    proposal = reference.check("units", edit_csv(target, _renamed_and_added))
    for actor in (None, Actor("lan", Role.STAFF), Actor("an", Role.VIEWER)):
        with pytest.raises(PermissionDenied):
            reference.replace(actor, store, proposal)
    assert target.read_bytes() == before
    assert audit.audit_log(store.engine, actions=["registry_replaced"]).empty


def test_an_administrator_replaces_the_registry_atomically_and_it_is_audited(data_copy: Path, store: Store) -> None:
    target = data_copy / "units.csv"
    proposal = reference.check("units", edit_csv(target, _renamed_and_added))
    default_registry()  # cached before the replacement
    reference.replace(ADMIN, store, proposal)
    assert target.read_bytes() == proposal.data
    assert load_registry(target)["q-le-chan"].name == "Quận Lê Chân (mới)"
    assert default_registry.cache_info().currsize == 0, "the cached registry is dropped"
    assert [p.name for p in data_copy.iterdir() if p.name.endswith(".tmp")] == [], "no temporary file left"
    [entry] = audit.audit_log(store.engine, actions=["registry_replaced"]).to_dict("records")
    assert entry["actor"] == "root" and entry["target"] == "units.csv" and entry["file_sha256"] == proposal.sha256
    details = json.loads(entry["details"])
    assert details["previous_sha256"] == proposal.current_sha256
    assert details["added"] == ["x-moi"] and details["removed"] == ["x-trung-lap"]
    assert details["renamed"] == ["q-le-chan"] and details["changed"] == ["q-kien-an"]
    assert REAL_UNITS.read_bytes() != target.read_bytes(), "the real data folder is untouched"


def test_a_stale_proposal_is_refused_when_the_file_changed_meanwhile(data_copy: Path, store: Store) -> None:
    target = data_copy / "units.csv"
    proposal = reference.check("units", edit_csv(target, _renamed_and_added))
    reference.replace(cli_actor(), store, reference.check("units", edit_csv(target, lambda rows: rows[:-1])))
    changed = target.read_bytes()
    with pytest.raises(ReferenceError) as caught:
        reference.replace(ADMIN, store, proposal)
    assert caught.value.key == "reference.stale" and target.read_bytes() == changed


def test_a_failed_audit_write_leaves_the_file_and_no_temporary_copy(data_copy: Path, store: Store,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    target = data_copy / "units.csv"
    before = target.read_bytes()
    proposal = reference.check("units", edit_csv(target, _renamed_and_added))

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("database gone")
    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        reference.replace(ADMIN, store, proposal)
    assert target.read_bytes() == before
    assert [p.name for p in data_copy.iterdir() if p.name.endswith(".tmp")] == []


def test_replacing_the_catalogue_drops_the_cached_catalogue(data_copy: Path, store: Store) -> None:
    from lgqa_metrics.domain.catalogue import default_catalogue, load_catalogue

    def edit(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        rows[0]["name_en"] = "Integral quality management (edited)"
        return rows
    default_catalogue()
    target = data_copy / "catalogue" / "indicators.csv"
    reference.replace(ADMIN, store, reference.check("catalogue", edit_csv(target, edit)))
    assert default_catalogue.cache_info().currsize == 0
    assert load_catalogue(data_copy / "catalogue")["1.1"].name_en == "Integral quality management (edited)"
    assert list(audit.audit_log(store.engine)["action"]) == ["catalogue_replaced"]


def test_the_current_file_reads_as_text_and_the_changes_as_a_localised_table(data_copy: Path) -> None:
    table = reference.current_table("units")
    assert len(table) == 19 and table.loc[0, "id"] == "tp-hai-phong"
    proposal = reference.check("units", edit_csv(data_copy / "units.csv", _renamed_and_added))
    shown = reference.changes_table(proposal.changes, "vi")
    assert list(shown.columns) == ["Thay đổi", "Mã", "Trước", "Sau", "Cột thay đổi"]
    assert list(shown["Thay đổi"]) == ["Thêm", "Bỏ", "Đổi tên", "Sửa khác"]
    assert list(shown["Cột thay đổi"]) == ["", "", "Tên, Tên tiếng Anh", "Tên khác"], "columns named for people"
    assert reference.download_name("units").startswith("units-")


def test_reference_columns_are_named_for_people_in_both_languages() -> None:
    assert reference.field_label("valid_from", "vi") == "Hiệu lực từ"
    assert reference.field_label("successor_ids", "en") == "Successor unit ids"
    assert reference.field_label("legend_yellow_en", "vi") == "Chú giải Vàng (tiếng Anh)"
    assert reference.field_label("legend_green_vi", "en") == "Green legend (Vietnamese)"
    assert reference.field_label("a_later_column", "vi") == "a_later_column"
    assert reference.headings(reference.current_table("catalogue"), "vi")["code"] == "Mã chỉ số"


def test_a_missing_current_file_is_reported(data_copy: Path) -> None:
    (data_copy / "units.csv").unlink()
    with pytest.raises(ReferenceError) as caught:
        reference.current_table("units")
    assert caught.value.key == "reference.missing_file"


# --- the lineage crosswalk ---------------------------------------------------------------------------------


def _link_row(old: str, new: str, kind: str = "merge", share: str = "1") -> dict[str, str]:
    return {"from_id": old, "to_id": new, "effective_date": "2025-07-01", "kind": kind, "share": share,
            "source": "Nghị quyết thử"}


def test_the_crosswalk_is_checked_against_the_registry_and_its_changes_listed(lineage_copy: Path) -> None:
    target = lineage_copy / "lineage.csv"
    assert reference.check("lineage", target.read_bytes()).identical

    def edit(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        rows = [r for r in rows if r["from_id"] != "x-trung-lap"]
        rows[0]["source"] = "Nghị quyết 1669/NQ-UBTVQH15"
        return [*rows, _link_row("h-vinh-bao", "x-vinh-bao")]

    proposal = reference.check("lineage", edit_csv(target, edit))
    assert {(c.kind, c.key) for c in proposal.changes} == {
        ("added", "h-vinh-bao → x-vinh-bao"), ("removed", "x-trung-lap → x-vinh-bao"),
        ("changed", "p-minh-khai → p-hong-bang")}
    changed = next(c for c in proposal.changes if c.kind == "changed")
    assert changed.fields == ("source",)


@pytest.mark.parametrize(("edit", "key", "named"), [
    (lambda rows: [*rows, _link_row("p-hong-bang", "p-minh-khai")], "lineage.cycle", "p-minh-khai → p-hong-bang"),
    (lambda rows: [*rows, _link_row("q-le-chan", "p-le-chan", "split", "0.5"),
                   _link_row("q-le-chan", "p-kien-an", "split", "0.4")], "lineage.split_shares", "0.9"),
    (lambda rows: [*rows, _link_row("x-nowhere", "p-le-chan")], "lineage.unknown_unit", "x-nowhere"),
    (lambda rows: [*rows, _link_row("q-le-chan", "p-le-chan", "merge", "0.5")], "lineage.share_not_split", "0.5"),
])
def test_a_bad_crosswalk_is_refused_with_a_message_in_both_languages(
        lineage_copy: Path, edit: Callable[[list[dict[str, str]]], list[dict[str, str]]], key: str,
        named: str) -> None:
    with pytest.raises(ReferenceError) as caught:
        reference.check("lineage", edit_csv(lineage_copy / "lineage.csv", edit))
    assert caught.value.key == key
    assert named in caught.value.message("vi") and named in caught.value.message("en")


def test_a_registry_that_drops_a_unit_the_crosswalk_names_is_refused(lineage_copy: Path) -> None:
    with pytest.raises(ReferenceError) as caught:
        reference.check("units", edit_csv(lineage_copy / "units.csv", _renamed_and_added))
    assert caught.value.key == "lineage.unknown_unit" and "x-trung-lap" in caught.value.message("vi")


def test_loading_the_crosswalk_alters_nothing_stored(data_copy: Path, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """The old units' returns are exported alike before and after the crosswalk arrives: only the lineage columns
    say more (who succeeded them); the stored submissions, ratings and files are the same rows."""
    with monkeypatch.context() as real_data:  # see data_copy: reader workers must start on the real data folder
        real_data.delenv("LGQA_DATA_DIR")
        for unit in ("p-minh-khai", "x-an-thang", "q-le-chan"):
            for year in (2022, 2023):
                ingest_bytes(store, filled_template(unit, year, pattern(year - 2022)), f"{unit}-{year}.xlsx")
    url = store.engine.url.render_as_string(hide_password=False)
    without = Store.open(url, lineage=Lineage())  # the store as it was before any crosswalk

    def snapshot(opened: Store) -> tuple[pd.DataFrame, dict[str, list[tuple[object, ...]]]]:
        frame = export_frame(opened.ratings(), "vi", registry=opened.registry, lineage=opened.lineage)
        with opened.engine.connect() as conn:
            rows = {t.name: sorted(map(tuple, conn.execute(sa.select(t)).all()), key=repr)
                    for t in (submissions_t, ratings_t, files_t)}
        return frame, rows

    before, stored_before = snapshot(without)
    without.close()
    crosswalk = REAL_UNITS.with_name("lineage.csv").read_bytes()
    reference.replace(ADMIN, store, reference.check("lineage", crosswalk, store=store))
    assert (data_copy / "lineage.csv").read_bytes() == crosswalk
    reopened = Store.open(url, lineage=load_lineage(default_registry(), data_copy / "lineage.csv"))
    after, stored_after = snapshot(reopened)
    assert stored_after == stored_before, "no stored row changed"
    with reopened.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(unit_links_t)).scalar() == 6
    lineage_columns = ["predecessor_ids", "successor_ids"]
    assert after.drop(columns=lineage_columns).equals(before.drop(columns=lineage_columns))
    assert set(before["successor_ids"]) == {""}
    successors = dict(zip(after["unit_id"], after["successor_ids"], strict=True))
    assert successors == {"p-minh-khai": "p-hong-bang", "x-an-thang": "x-an-lao", "q-le-chan": ""}
    [entry] = audit.audit_log(store.engine, actions=["lineage_replaced"]).to_dict("records")
    assert entry["target"] == "lineage.csv" and len(json.loads(entry["details"])["added"]) == 6
    reopened.close()
