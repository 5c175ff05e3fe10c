"""Column mappings staff confirm once: stored by the layout's fingerprint, applied to later files of the same
layout by the Upload page's reads and by ``ingest`` (which says so), listed and deleted by admins, audited."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Final

import pytest

from lgqa_metrics.domain.ratings import Rating
from lgqa_metrics.domain.roles import Actor, PermissionDenied, Role
from lgqa_metrics.intake.mapping import ambiguous_place, layout_choices, proposal
from lgqa_metrics.intake.reader import read_bytes
from lgqa_metrics.store import layout_mappings
from lgqa_metrics.store.audit import audit_log
from lgqa_metrics.store.database import Store
from lgqa_metrics.synthetic import forms
from lgqa_metrics.synthetic.forms import Column, Entry, FormContent, FormLayout
from tests.support.builders import CODES
from tests.support.cli import run_in_process as cli

STAFF: Final = Actor("can-bo", Role.STAFF)
THIS_YEAR: Final = {c: Entry((Rating.GREEN, Rating.RED, Rating.YELLOW)[i % 3], f"QĐ số {i}") for i, c in enumerate(CODES)}
#: Last year's ratings beside this year's, both under a "Kết quả" title: the reader must not choose.
LAYOUT: Final = FormLayout((Column("stt", "STT"), Column("code", "Mã chỉ số"), Column("name", "Tên chỉ số"),
                            Column("extra", "Kết quả năm 2022", value="Vàng"), Column("rating", "Kết quả năm 2023"),
                            Column("evidence", "Minh chứng")))
DATA: Final = forms.write_return(LAYOUT, FormContent(THIS_YEAR))


def confirmed(store: Store) -> None:
    """Staff map the table as the Upload page offers it: sheet and header row from the error, then the roles."""
    result = read_bytes(DATA, "a.xlsx")
    place = ambiguous_place(result.issues)
    assert place == ("Biểu 01", forms.HEADER_ROW)
    sheets, headers, _ = layout_choices(DATA, *place)
    assert sheets == ["Biểu 01"] and headers[3:5] == ["Kết quả năm 2022", "Kết quả năm 2023"]
    chosen = proposal(headers, {"code": 1, "name": 2, "rating": 4, "evidence": 5, "note": None}, {})
    layout_mappings.confirm(store.engine, STAFF, chosen, file="a.xlsx", sheet=place[0])


def test_two_alike_rating_columns_are_one_layout_error_naming_both() -> None:
    (issue,) = read_bytes(DATA, "a.xlsx").issues
    assert issue.code == "layout_ambiguous"
    assert "Kết quả năm 2022" in issue.message_vi and "Kết quả năm 2023" in issue.message_en


def test_a_confirmed_mapping_reads_the_file_and_later_ones_of_its_layout(store: Store, tmp_path: Path,
                                                                          db_url: str) -> None:
    confirmed(store)
    found = layout_mappings.stored(store.engine)
    (ret,) = read_bytes(DATA, "a.xlsx", mappings=found).returns
    assert {r.code: r.rating for r in ret.ratings} == {c: e.rating for c, e in THIS_YEAR.items()}
    assert {r.code: r.evidence for r in ret.ratings} == {c: e.evidence for c, e in THIS_YEAR.items()}
    assert [i.code for i in ret.issues] == ["layout_mapped"] and ret.accepted
    other = forms.write_return(LAYOUT, FormContent(THIS_YEAR, unit_line="UBND QUẬN LÊ CHÂN"))
    (tmp_path / "b.xlsx").write_bytes(other)
    done = cli("ingest", "--json", "--db", db_url, str(tmp_path / "b.xlsx"))
    assert done.returncode == 0, done.stderr
    (outcome,) = json.loads(done.stdout)
    assert (outcome["status"], outcome["unit_id"]) == ("accepted", "q-le-chan")
    assert [i["code"] for i in outcome["issues"]] == ["layout_mapped"]
    assert "can-bo" in outcome["issues"][0]["message"]
    actions = audit_log(store.engine)["action"].tolist()
    assert "layout_mapping_confirmed" in actions


def test_admins_list_and_delete_mappings_and_the_file_is_refused_again(store: Store, tmp_path: Path,
                                                                        db_url: str) -> None:
    confirmed(store)
    (fingerprint,) = layout_mappings.stored(store.engine)
    listed = cli("--lang", "en", "mappings", "list", "--db", db_url)
    assert listed.returncode == 0 and "Kết quả năm 2023" in listed.stdout and "can-bo" in listed.stdout
    deleted = cli("mappings", "delete", fingerprint[:10], "--db", db_url)
    assert deleted.returncode == 0, deleted.stderr
    assert layout_mappings.stored(store.engine) == {}
    assert "layout_mapping_deleted" in audit_log(store.engine)["action"].tolist()
    (tmp_path / "a.xlsx").write_bytes(DATA)
    again = cli("ingest", "--json", "--dry-run", "--db", db_url, str(tmp_path / "a.xlsx"))
    assert again.returncode == 1
    assert [i["code"] for i in json.loads(again.stdout)[0]["issues"]] == ["layout_ambiguous"]
    assert cli("mappings", "delete", "ffff", "--db", db_url).returncode == 2


def test_a_mapping_without_a_key_or_rating_column_is_refused(store: Store) -> None:
    _, headers, _ = layout_choices(DATA, "Biểu 01", forms.HEADER_ROW)
    with pytest.raises(layout_mappings.MappingError) as refused:
        layout_mappings.confirm(store.engine, STAFF, proposal(headers, {"evidence": 5, "note": 5}, {}))
    assert set(refused.value.problems) == {"key", "rating", "distinct"}
    assert layout_mappings.stored(store.engine) == {}


def test_viewers_cannot_confirm_and_staff_cannot_delete(store: Store) -> None:
    _, headers, _ = layout_choices(DATA, "Biểu 01", forms.HEADER_ROW)
    good = proposal(headers, {"code": 1, "rating": 4}, {})
    with pytest.raises(PermissionDenied):
        layout_mappings.confirm(store.engine, Actor("xem", Role.VIEWER), good)
    layout_mappings.confirm(store.engine, STAFF, good)
    with pytest.raises(PermissionDenied):
        layout_mappings.delete(store.engine, STAFF, good.fingerprint)
    assert layout_mappings.delete(store.engine, Actor("qtv", Role.ADMIN), good.fingerprint)
