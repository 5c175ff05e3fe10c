"""Synthetic national data: a deterministic hierarchy with lineage (the 2025 reform and its crosswalk included),
plausible ratings, a bulk write into the store (whose registry and crosswalk then live in the store), and return
workbooks that the reader accepts."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from lgqa_metrics.domain.evidence import default_rule
from lgqa_metrics.domain.lineage import ChangeKind, Link, lineage_from_rows, load_lineage
from lgqa_metrics.domain.units import DISTRICT_TYPES, REPORTING_TYPES, UnitType, default_registry, load_registry
from lgqa_metrics.intake.reader import read_bytes
from lgqa_metrics.store import audit
from lgqa_metrics.store.database import REGISTRY_FROM_STORE, REGISTRY_SOURCE_KEY, Store
from lgqa_metrics.store.schema import files_t, intake_t, meta_t, ratings_t, submissions_t, unit_links_t, units_t
from lgqa_metrics.synthetic.synth import (
    GREEN,
    MISSING,
    NA,
    RED,
    REFORM_DAY,
    YELLOW,
    Dataset,
    SynthError,
    SynthSpec,
    generate,
    parse_years,
)
from lgqa_metrics.synthetic.synth_write import LINEAGE_CSV, UNITS_CSV, register_units, write_files, write_store
from tests.support.cli import run_in_process

cli = run_in_process
SPEC = SynthSpec(60, (2022, 2023, 2024), seed=7)


@pytest.fixture(scope="module")
def ds() -> Dataset:
    """60 units × 3 years (generated once for the module)."""
    return generate(SPEC)


def _index(ratings: np.ndarray) -> float:
    scored = ratings[ratings <= GREEN]
    return float(scored.mean() * 50)


# --- the generator -------------------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(ds: Dataset) -> None:
    again = generate(SPEC)
    assert again.registry.units == ds.registry.units
    for name in ("sub_unit", "sub_year", "sub_version", "sub_current", "sub_seconds", "ratings", "evidence", "notes"):
        assert np.array_equal(getattr(again, name), getattr(ds, name)), name
    other = generate(SynthSpec(60, SPEC.years, seed=8))
    assert [u.name for u in other.registry.units] != [u.name for u in ds.registry.units]


def test_counts_follow_the_units_valid_each_year(ds: Dataset) -> None:
    assert ds.first_year_units() == 60
    expected = sum(u.reports_for(y) for u in ds.reporting for y in SPEC.years)
    assert ds.returns == expected
    assert ds.rating_count == 39 * ds.submissions
    assert ds.ratings.shape == (ds.submissions, 39)
    versions: dict[tuple[int, int], list[tuple[int, bool]]] = {}
    for u, y, v, c in zip(ds.sub_unit.tolist(), ds.sub_year.tolist(), ds.sub_version.tolist(), ds.sub_current.tolist(),
                          strict=True):
        versions.setdefault((u, y), []).append((v, c))
    assert len(versions) == ds.returns
    for found in versions.values():
        assert [v for v, _ in found] == list(range(1, len(found) + 1))  # gap-free
        assert [c for _, c in found] == [False] * (len(found) - 1) + [True]  # the last is the one current
    for i in range(ds.submissions):
        assert ds.reporting[ds.sub_unit[i]].reports_for(int(ds.sub_year[i]))


def test_sizes_scale_with_the_number_of_units() -> None:
    tiny = generate(SynthSpec(12, (2022, 2023, 2024, 2025)))
    assert tiny.first_year_units() == 12
    types = Counter(u.type for u in tiny.reporting)
    assert types[UnitType.QUAN] + types[UnitType.HUYEN] >= 2
    assert sum(u.type is UnitType.TINH for u in tiny.registry.units) == 1
    big = generate(SynthSpec(2000, (2024,)))
    provinces = [u for u in big.registry.units if u.type is UnitType.TINH]
    assert len(provinces) == round(2000 / 160)
    districts = sum(u.type in DISTRICT_TYPES for u in big.reporting)
    assert 0.05 < districts / 2000 < 0.09
    assert big.returns == 2000 and not any(u.successor_ids for u in big.registry.units)  # one year: no merges


def test_every_reporting_unit_lies_in_a_province_and_a_district(ds: Dataset) -> None:
    reg = ds.registry
    assert {u.type for u in ds.reporting} == set(REPORTING_TYPES)
    assert all(u.type is not UnitType.TINH for u in ds.reporting)
    for unit in ds.reporting:
        province, district = reg.area(unit.id)
        assert province is not None and reg[province].type is UnitType.TINH
        assert district is not None and reg[district].type in DISTRICT_TYPES
        if unit.type in DISTRICT_TYPES:
            assert district == unit.id
        else:
            assert unit.parent_id == district
            assert (unit.type is UnitType.PHUONG) == (reg[district].type is UnitType.QUAN)
    ids = [u.id for u in reg.units]
    assert len(ids) == len(set(ids))
    for parent in {u.parent_id for u in reg.units if u.parent_id}:
        names = [u.name for u in reg.children(parent) if u.valid_to is None]
        assert len(names) == len(set(names)), parent


def test_merged_communes_point_to_a_successor_valid_from_the_next_year(ds: Dataset) -> None:
    reg = ds.registry
    merged = [u for u in reg.units if u.successor_ids]
    assert merged, "a three-year range merges some communes"
    merge_year = SPEC.merge_year
    assert merge_year == 2023
    reported = {(ds.reporting[u].id, int(y)) for u, y in zip(ds.sub_unit, ds.sub_year, strict=True)}
    for old in merged:
        (new_id,) = old.successor_ids
        new = reg[new_id]
        assert old.type in (UnitType.PHUONG, UnitType.XA) and new.type is old.type
        assert new.parent_id == old.parent_id
        assert old.valid_to is not None and old.valid_to.isoformat() == f"{merge_year - 1}-12-31"
        assert new.valid_from is not None and new.valid_from.isoformat() == f"{merge_year}-01-01"
        assert old.name in new.aliases
        assert {y for (uid, y) in reported if uid == old.id} == {y for y in SPEC.years if y < merge_year}
        assert {y for (uid, y) in reported if uid == new.id} == {y for y in SPEC.years if y >= merge_year}
    successors = {s for u in merged for s in u.successor_ids}
    assert all(len(reg[s].aliases) in (2, 3) for s in successors)


def test_ratings_are_plausible_quan_best_persistent_and_improving() -> None:
    big = generate(SynthSpec(1500, (2020, 2021, 2022, 2023), seed=3))
    current = big.sub_current
    kind = np.array([u.type.value for u in big.reporting])[big.sub_unit]
    index = {t.value: _index(big.ratings[current & (kind == t.value)]) for t in REPORTING_TYPES}
    assert index["quan"] > index["huyen"] > index["xa"]
    assert index["quan"] > index["phuong"] > index["xa"]
    first, last = (_index(big.ratings[current & (big.sub_year == y)]) for y in (2020, 2023))
    assert last > first + 2  # a national improvement over the years
    rows = {(int(u), int(y)): i for i, (u, y) in enumerate(zip(big.sub_unit, big.sub_year, strict=True)) if current[i]}
    same = total = 0
    for (unit, year), i in rows.items():
        j = rows.get((unit, year + 1))
        if j is not None:
            same += int((big.ratings[i] == big.ratings[j]).sum())
            total += 39
    assert same / total > 0.6
    codes = list(big.codes)
    share_red = (big.ratings[current] == RED).mean(axis=0)
    assert share_red[codes.index("4.8")] > share_red[codes.index("1.10")]  # some indicators are harder
    colours = Counter(big.ratings[current].ravel().tolist())
    assert colours[RED] and colours[YELLOW] and colours[GREEN]
    assert 0 < colours[MISSING] < 0.01 * big.ratings[current].size


def test_not_applicable_follows_the_unit_type(ds: Dataset) -> None:
    codes = list(ds.codes)
    kind = np.array([u.type.value for u in ds.reporting])[ds.sub_unit]
    na = ds.ratings == NA
    for code in ("1.4", "2.5", "4.5"):
        assert na[kind == "xa", codes.index(code)].all()
    assert na[kind == "phuong", codes.index("1.4")].all()
    assert not na[kind == "huyen"].any()
    assert not na[:, codes.index("1.1")].any()


def test_year_ranges_and_sizes_are_checked() -> None:
    assert parse_years("2016-2025") == tuple(range(2016, 2026))
    assert parse_years(" 2024 ") == (2024,)
    for bad in ("2025-2016", "20x6", "2016-", "1000-3000"):
        with pytest.raises(SynthError):
            parse_years(bad)
    with pytest.raises(SynthError):
        SynthSpec(0, (2024,))


# --- the 2025 reform ------------------------------------------------------------------------------------

DAY_BEFORE = REFORM_DAY - dt.timedelta(days=1)
COMMUNE_TYPES = (UnitType.PHUONG, UnitType.XA)


def test_the_reform_applies_when_the_range_spans_it_and_the_mid_range_merge_only_before_it() -> None:
    assert dt.date(2025, 7, 1) == REFORM_DAY
    assert SynthSpec(5, (2024, 2025)).reform and SynthSpec(5, tuple(range(2016, 2031))).reform
    for years in ((2024,), (2025,), (2025, 2026), (2020, 2021, 2022, 2023, 2024)):
        assert not SynthSpec(5, years).reform, years
    assert SynthSpec(5, tuple(range(2016, 2026))).merge_year == 2021  # before the reform: kept
    assert SynthSpec(5, tuple(range(2022, 2028))).merge_year is None  # 2025 itself: left out
    assert SynthSpec(5, (2026, 2027, 2028)).merge_year == 2027  # no reform in the range


@settings(max_examples=25)
@given(units=st.integers(1, 900), first=st.integers(2016, 2024), last=st.integers(2025, 2027),
       seed=st.integers(0, 2**16))
def test_the_reform_ends_every_old_unit_and_its_crosswalk_validates(units: int, first: int, last: int,
                                                                   seed: int) -> None:
    spec = SynthSpec(units, tuple(range(first, last + 1)), seed=seed)
    ds = generate(spec)
    reg = ds.registry
    lineage = lineage_from_rows([link.row() for link in ds.links], reg)  # raises when anything is inconsistent
    assert len(lineage) >= len(ds.links)
    assert {link.effective for link in ds.links} <= {REFORM_DAY}
    assert all("synthetic" in link.source for link in ds.links)
    by_old: dict[str, list[Link]] = {}
    for link in ds.links:
        by_old.setdefault(link.from_id, []).append(link)
    before = [u for u in reg.units if u.exists_on(DAY_BEFORE)]
    after = [u for u in reg.units if u.exists_on(REFORM_DAY)]
    assert ds.first_year_units() == units
    for unit in before:
        links = by_old.get(unit.id, [])
        if unit.type in DISTRICT_TYPES:  # dissolved: it ends, nothing follows it
            assert unit.valid_to == DAY_BEFORE and not links and not unit.successor_ids
        elif unit.type in COMMUNE_TYPES:
            assert unit.valid_to == DAY_BEFORE and links
            if any(k.kind is ChangeKind.SPLIT for k in links):
                assert len(links) == 2 and all(k.kind is ChangeKind.SPLIT and 0 < k.share < 1 for k in links)
                assert math.isclose(math.fsum(k.share for k in links), 1.0, abs_tol=1e-9)
            else:
                assert len(links) == 1 and links[0].share == 1.0
            new = reg[links[0].to_id]
            assert new.type in COMMUNE_TYPES
            old_province = reg.province_of(unit.id)
            assert new.parent_id == old_province or new.parent_id in {k.to_id for k in by_old.get(old_province or "", [])}
        else:  # a province continues unchanged, or merges with others into a new one
            assert (unit.valid_to is None and not links) or (
                unit.valid_to == DAY_BEFORE and len(links) == 1 and links[0].kind is ChangeKind.MERGE
                and len(lineage.predecessors(links[0].to_id)) >= 2)
    provinces_before = sum(u.type is UnitType.TINH for u in before)
    provinces_after = sum(u.type is UnitType.TINH for u in after)
    assert 1 <= provinces_after <= provinces_before
    if provinces_before >= 10:
        assert 0.4 < provinces_after / provinces_before < 0.7  # the country went 63 → 34
    for unit in after:
        assert unit.type is UnitType.TINH or unit.type in COMMUNE_TYPES  # the district level is gone
        if unit.valid_from == REFORM_DAY:
            olds = [reg[k.from_id] for k in lineage.predecessors(unit.id)]
            assert olds and all(old.valid_to == DAY_BEFORE for old in olds)
            assert set(unit.aliases) == {old.name for old in olds} - {unit.name}
            if unit.type in COMMUNE_TYPES:
                wards = sum(old.type is UnitType.PHUONG for old in olds)
                assert (unit.type is UnitType.PHUONG) == (wards * 2 > len(olds))
                parent = reg[unit.parent_id or ""]
                assert parent.type is UnitType.TINH and parent.exists_on(REFORM_DAY)
    assert len({(u.parent_id, u.name) for u in after}) == len(after)  # names unique within their parent
    # every reporting-type unit answers for exactly the years it exists on 31 December: old units up to 2024,
    # new ones from 2025
    answered = {(ds.reporting[u].id, int(y)) for u, y in zip(ds.sub_unit[ds.sub_current], ds.sub_year[ds.sub_current],
                                                             strict=True)}
    assert answered == {(u.id, y) for u in reg.units if u.type in REPORTING_TYPES for y in spec.years
                        if u.reports_for(y)}
    for unit_id, year in answered:
        unit = reg[unit_id]
        assert (year >= REFORM_DAY.year) == (unit.valid_from is not None and unit.valid_from >= REFORM_DAY)


@settings(max_examples=4)
@given(seed=st.integers(0, 2**16), units=st.integers(1500, 3000))
def test_about_three_old_communes_make_one_new_one_and_a_few_are_split(seed: int, units: int) -> None:
    ds = generate(SynthSpec(units, (2023, 2024, 2025), seed=seed))
    reg = ds.registry
    old = [u for u in reg.units if u.type in COMMUNE_TYPES and u.exists_on(DAY_BEFORE)]
    new = [u for u in reg.units if u.type in COMMUNE_TYPES and u.valid_from == REFORM_DAY]
    assert 2.5 < len(old) / len(new) < 3.5
    kinds = Counter(link.kind for link in ds.links)
    split_olds = {link.from_id for link in ds.links if link.kind is ChangeKind.SPLIT}
    assert kinds[ChangeKind.SPLIT] == 2 * len(split_olds)
    assert 0.005 < len(split_olds) / len(old) < 0.04
    assert 0 < kinds[ChangeKind.RENAME] < 0.1 * len(new)
    lineage = ds.lineage()
    sizes = Counter(len(lineage.predecessors(u.id)) for u in new)
    assert sizes.most_common(1)[0][0] == 3 and max(sizes) <= 6 and min(sizes) >= 1


def test_new_units_carry_on_their_predecessors_ratings_and_trend() -> None:
    big = generate(SynthSpec(3000, (2022, 2023, 2024, 2025), seed=11))
    lineage = big.lineage()
    current = big.sub_current
    score = {(big.reporting[u].id, int(y)): _index(big.ratings[i:i + 1])
             for i, u, y in zip(np.flatnonzero(current), big.sub_unit[current], big.sub_year[current], strict=True)}
    inherited, own = [], []
    for unit in big.registry.units:
        if unit.valid_from == REFORM_DAY and unit.type in COMMUNE_TYPES:
            links = lineage.predecessors(unit.id)
            inherited.append(sum(k.share * score[k.from_id, 2024] for k in links) / sum(k.share for k in links))
            own.append(score[unit.id, 2025])
    assert np.corrcoef(inherited, own)[0, 1] > 0.6  # a place's quality carries on, not noise
    kind = np.array([u.type.value for u in big.reporting])[big.sub_unit]
    for utype in ("phuong", "xa"):  # no jump: the national improvement goes on for communes and wards
        before, after = (_index(big.ratings[current & (kind == utype) & (big.sub_year == y)]) for y in (2024, 2025))
        assert -1 < after - before < 5, utype
    assert np.std(own) > 0.8 * np.std([score[u.id, 2024] for u in big.reporting if u.type in COMMUNE_TYPES
                                       and (u.id, 2024) in score])  # new units spread as much as the old


def test_a_reformed_dataset_is_the_same_for_a_seed() -> None:
    spec = SynthSpec(400, tuple(range(2020, 2027)), seed=21)
    one, two = generate(spec), generate(spec)
    assert one.registry.units == two.registry.units and one.links == two.links
    assert np.array_equal(one.ratings, two.ratings) and np.array_equal(one.sub_unit, two.sub_unit)
    assert one.links != generate(SynthSpec(400, spec.years, seed=22)).links


# --- into the store ------------------------------------------------------------------------------------


def test_a_written_store_holds_everything_and_uses_its_own_registry(ds: Dataset, store_url: str) -> None:
    before = Store.open(store_url)
    version = before.data_version()
    before.close()
    written = write_store(ds, store_url)
    assert (written.returns, written.submissions, written.ratings) == (ds.returns, ds.submissions, ds.rating_count)
    store = Store.open(store_url)
    try:
        assert len(store.registry) == len(ds.registry)
        assert "q-hong-bang" not in store.registry  # data/units.csv is not synced into it
        assert store.registry.area(ds.reporting[-1].id)[0] is not None
        assert store.count(units_t) == len(ds.registry)
        assert store.count(submissions_t) == store.count(intake_t) == ds.submissions
        assert store.count(ratings_t) == ds.rating_count
        assert store.count(files_t) == len(SPEC.years)
        assert store.data_version() != version
        frame = store.ratings()
        assert len(frame) == 39 * ds.returns
        expected = ds.expected()
        got = {(u, int(y)): dict(zip(part["indicator_code"], part["rating"], strict=True))
               for (u, y), part in frame.groupby(["unit_id", "year"])}
        assert got == expected
        subs = store.submissions()
        assert (subs.groupby(["unit_id", "year"])["status"].apply(lambda s: (s == "current").sum()) == 1).all()
        assert set(subs["uploader"]) == {"synth"}
        [entry] = audit.audit_log(store.engine).to_dict("records")
        assert entry["action"] == "synthetic_data"
        assert json.loads(entry["details"])["seed"] == SPEC.seed
        with store.engine.connect() as conn:
            meta = {key: value for key, value in conn.execute(sa.select(meta_t.c.key, meta_t.c.value))}
        assert meta[REGISTRY_SOURCE_KEY] == REGISTRY_FROM_STORE
        assert json.loads(meta["synthetic"])["returns"] == ds.returns
        explicit = Store.open(store_url, registry=default_registry())  # an explicit registry still wins
        assert len(explicit.registry) == len(default_registry())
        explicit.close()
    finally:
        store.close()


def test_a_store_without_the_meta_key_keeps_syncing_data_units_csv(db_url: str) -> None:
    store = Store.open(db_url)
    assert store.stored_registry() is None
    assert len(store.registry) == len(default_registry())
    assert store.count(units_t) == len(default_registry())
    store.close()


def test_a_store_holding_returns_is_refused(ds: Dataset, db_url: str) -> None:
    write_store(generate(SynthSpec(5, (2024,))), db_url)
    with pytest.raises(SynthError) as caught:
        write_store(ds, db_url)
    assert caught.value.key == "synth.store_not_empty"
    with pytest.raises(SynthError):
        register_units(db_url, ds.registry)
    done = cli("--lang", "en", "synth", "--units", "5", "--years", "2024", "--db", db_url)
    assert done.returncode == 1
    assert "already holds returns" in done.stderr and "--db" in done.stderr and "Traceback" not in done.stderr
    vi = cli("synth", "--units", "5", "--years", "2024", "--db", db_url)
    assert vi.returncode == 1 and "đã có báo cáo" in vi.stderr


def test_the_command_writes_a_store_and_reports_counts(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'n.sqlite'}"
    done = cli("--lang", "en", "synth", "--units", "40", "--years", "2023-2024", "--db", url, "--seed", "2")
    assert done.returncode == 0, done.stderr
    ds = generate(SynthSpec(40, (2023, 2024), seed=2))
    assert f"{ds.returns} unit-year returns" in done.stdout and "ratings/s" in done.stdout
    assert "ratings:" in done.stderr  # progress
    store = Store.open(url)
    assert store.count(ratings_t) == ds.rating_count
    store.close()
    bad = cli("synth", "--units", "40", "--years", "2025-2023", "--db", url)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_a_reformed_store_holds_its_crosswalk_and_opens_with_it(store_url: str) -> None:
    ds = generate(SynthSpec(300, (2024, 2025), seed=3))
    kinds = Counter(link.kind for link in ds.links)
    assert kinds[ChangeKind.MERGE] and kinds[ChangeKind.SPLIT]
    write_store(ds, store_url)
    store = Store.open(store_url)  # checks the stored crosswalk against the stored registry
    try:
        assert store.count(unit_links_t) == len(ds.links)
        assert len(store.registry) == len(ds.registry)
        assert len(store.lineage) == len(ds.lineage())
        got = {(k.from_id, k.to_id, k.effective, k.kind, k.share, k.source) for k in store.lineage.links}
        assert got == {(k.from_id, k.to_id, k.effective, k.kind, k.share, k.source) for k in ds.lineage().links}
        new = next(u for u in ds.registry.units if u.valid_from == REFORM_DAY and u.type in COMMUNE_TYPES)
        assert {u.id for u in store.lineage.predecessors_on(new.id, store.registry, 2024)} == {
            k.from_id for k in ds.lineage().predecessors(new.id)}
        subs = store.submissions()
        assert all(store.registry[u].reports_for(int(y)) for u, y in zip(subs["unit_id"], subs["year"], strict=True))
        with store.engine.connect() as conn:
            details = json.loads(conn.execute(sa.select(meta_t.c.value).where(meta_t.c.key == "synthetic")).scalar_one())
        assert details["reform"] is True and details["links"] == len(ds.links)
    finally:
        store.close()


def test_the_command_writes_a_reformed_store_that_opens(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'reform.sqlite'}"
    done = cli("--lang", "en", "synth", "--units", "120", "--years", "2024-2025", "--db", url, "--seed", "4")
    assert done.returncode == 0, done.stderr
    ds = generate(SynthSpec(120, (2024, 2025), seed=4))
    store = Store.open(url)
    assert len(store.lineage) == len(ds.lineage()) and store.count(unit_links_t) == len(ds.links)
    store.close()


# --- as workbooks --------------------------------------------------------------------------------------


def test_workbooks_read_back_as_generated_and_ingest_into_the_registered_store(tmp_path: Path) -> None:
    small = generate(SynthSpec(3, (2023, 2024), seed=5))
    folder, url = tmp_path / "files", f"sqlite:///{tmp_path / 'reg.sqlite'}"
    done = cli("--lang", "en", "synth", "--units", "3", "--years", "2023-2024", "--seed", "5", "--db", url,
               "--files", str(folder))
    assert done.returncode == 0, done.stderr
    paths = sorted(folder.glob("*.xlsx"))
    assert len(paths) == small.returns == 6
    assert load_registry(folder / UNITS_CSV).units == small.registry.units
    assert (folder / LINEAGE_CSV).read_text(encoding="utf-8").splitlines() == ["from_id,to_id,effective_date,kind,share,source"]
    store = Store.open(url)
    assert store.count(submissions_t) == 0 and len(store.registry) == len(small.registry)
    expected = small.expected()
    for path in paths:
        result = read_bytes(path.read_bytes(), path.name, registry=store.registry)
        [ret] = result.returns
        assert not result.issues and ret.accepted
        assert ret.unit_id is not None and ret.year is not None
        wanted = expected[ret.unit_id, ret.year]
        assert {r.code: r.rating.value for r in ret.ratings} == wanted
        blanks = {r.code for r in ret.ratings if r.rating.value == "missing"}
        unevidenced = {r.code for r in ret.ratings if r.rating.value in ("yellow", "green") and not r.evidence}
        assert {(i.code, i.cell) for i in ret.issues} == (
            {("rating_blank", r.cell) for r in ret.ratings if r.code in blanks}
            | {("evidence_missing", "E" + r.cell[1:]) for r in ret.ratings if r.code in unevidenced})
    store.close()
    ingest = cli("--lang", "en", "ingest", "--dry-run", "--json", "--db", url, *map(str, paths))
    assert ingest.returncode == 0, ingest.stderr
    outcomes = json.loads(ingest.stdout)
    assert [o["status"] for o in outcomes] == ["accepted"] * 6
    assert all(i["severity"] != "error" for o in outcomes for i in o["issues"])


def test_reformed_workbooks_come_with_the_crosswalk_beside_the_registry(tmp_path: Path) -> None:
    small = generate(SynthSpec(8, (2024, 2025), seed=6))
    assert small.links
    url = f"sqlite:///{tmp_path / 'reg.sqlite'}"
    done = cli("--lang", "en", "synth", "--units", "8", "--years", "2024-2025", "--seed", "6", "--db", url,
               "--files", str(tmp_path / "files"))
    assert done.returncode == 0, done.stderr
    registry = load_registry(tmp_path / "files" / UNITS_CSV)
    lineage = load_lineage(registry, tmp_path / "files" / LINEAGE_CSV)
    assert lineage.links == small.lineage().links
    assert sorted(p.name for p in (tmp_path / "files").glob("*.xlsx")) == sorted(
        small.file_name(int(i)) for i in np.flatnonzero(small.sub_current))
    store = Store.open(url)  # registered with its crosswalk
    assert store.lineage.links == small.lineage().links
    store.close()


def test_many_workbooks_are_written_by_several_processes(tmp_path: Path) -> None:
    small = generate(SynthSpec(12, (2024,), seed=4))
    serial = write_files(small, tmp_path / "a", workers=1)
    parallel = write_files(small, tmp_path / "b", workers=2, parallel_from=2)
    assert serial.files == parallel.files == 12
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(p.name for p in (tmp_path / "b").iterdir())


def test_generated_ratings_are_stored_with_the_evidence_status_the_rule_gives_each_one(tmp_path: Path) -> None:
    ds = generate(SynthSpec(30, (2023, 2024), seed=9))
    url = f"sqlite:///{tmp_path / 'evidence.sqlite'}"
    write_store(ds, url)
    rule = default_rule()
    store = Store.open(url)
    with store.engine.connect() as conn:
        stored = conn.execute(sa.select(ratings_t.c.rating, ratings_t.c.evidence, ratings_t.c.note,
                                        ratings_t.c.evidence_status)).all()
    store.close()
    assert len(stored) == ds.rating_count
    assert all(rule.status(r, e, n).value == s for r, e, n, s in stored)
    greens = Counter(s for r, _, _, s in stored if r == "green")
    assert 0.8 < greens["evidenced"] / greens.total() < 1  # most greens cite a document, not all
