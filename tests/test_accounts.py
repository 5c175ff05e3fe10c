"""Accounts, roles, throttled sign-in, the append-only audit trail and role checks in write paths; the store's
tests run on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from lgqa_metrics import audit
from lgqa_metrics.accounts import FREE_FAILURES, AccountError, Accounts, role_for_email
from lgqa_metrics.accounts_base import Actor, PermissionDenied, Role, cli_actor
from lgqa_metrics.ingest import ingest_bytes
from lgqa_metrics.intake.reader import read_bytes
from lgqa_metrics.schema import audit_t, users_t
from lgqa_metrics.settings import load_settings
from lgqa_metrics.store import Store, submissions_t
from tests.returns import filled_template, pattern

ADMIN = cli_actor()
PASSWORD = "a-long-password-1"


@pytest.fixture
def db_url(store_url: str) -> str:
    """Every store test here runs on SQLite and on PostgreSQL."""
    return store_url


@pytest.fixture
def accounts(store: Store) -> Accounts:
    acc = Accounts(store)
    acc.add(ADMIN, "Lan.Staff", PASSWORD, Role.STAFF, display_name="Chị Lan", email="Lan@Example.vn")
    return acc


def test_password_is_stored_as_an_argon2_hash_never_in_clear(accounts: Accounts, store: Store) -> None:
    with store.engine.connect() as conn:
        stored = conn.execute(sa.select(users_t.c.password_hash).where(users_t.c.username == "lan.staff")).scalar()
    assert stored.startswith("$argon2") and PASSWORD not in stored
    assert "password_hash" not in accounts.list().columns


def test_sign_in_succeeds_with_the_right_password_and_audits_it(accounts: Accounts, store: Store) -> None:
    result = accounts.sign_in("LAN.STAFF", PASSWORD)
    assert result.reason == "ok" and result.actor == Actor("lan.staff", Role.STAFF)
    log = audit.audit_log(store.engine, actions=["sign_in"])
    assert list(log["actor"]) == ["lan.staff"]


def test_repeated_failures_lock_the_account_with_growing_waits(accounts: Accounts, store: Store) -> None:
    now = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
    waits = [accounts.sign_in("lan.staff", "wrong", now=now).wait_seconds for _ in range(FREE_FAILURES + 2)]
    assert waits[:FREE_FAILURES] == [0] * FREE_FAILURES
    assert waits[FREE_FAILURES] == 30
    locked = accounts.sign_in("lan.staff", PASSWORD, now=now + dt.timedelta(seconds=10))
    assert locked.reason == "locked" and locked.actor is None, "even the right password waits"
    later = accounts.sign_in("lan.staff", PASSWORD, now=now + dt.timedelta(minutes=5))
    assert later.reason == "ok"
    actions = list(audit.audit_log(store.engine)["action"])
    assert actions.count("sign_in_failed") == FREE_FAILURES + 1 and "sign_in_locked" in actions


def test_unknown_user_and_disabled_account_cannot_sign_in(accounts: Accounts) -> None:
    assert accounts.sign_in("nobody", PASSWORD).reason == "bad"
    accounts.disable(ADMIN, "lan.staff")
    assert accounts.sign_in("lan.staff", PASSWORD).reason == "disabled"
    assert accounts.actor("lan.staff") is None
    accounts.enable(ADMIN, "lan.staff")
    assert accounts.actor("lan.staff") == Actor("lan.staff", Role.STAFF)


def test_role_and_password_changes_apply_and_are_audited(accounts: Accounts, store: Store) -> None:
    accounts.set_role(ADMIN, "lan.staff", Role.ADMIN)
    accounts.set_password(ADMIN, "lan.staff", "another-long-pass")
    assert accounts.sign_in("lan.staff", "another-long-pass").actor == Actor("lan.staff", Role.ADMIN)
    log = audit.audit_log(store.engine, actions=["role_set", "password_set", "account_added"])
    assert sorted(log["action"]) == ["account_added", "password_set", "role_set"]
    assert set(log["target"]) == {"lan.staff"} and set(log["actor"]) == {ADMIN.username}


@pytest.mark.parametrize("password", ["short", "aaaaaaaaaaaa", ""])
def test_weak_passwords_are_refused(accounts: Accounts, password: str) -> None:
    with pytest.raises(AccountError) as err:
        accounts.add(ADMIN, "new.user", password, Role.VIEWER)
    assert err.value.key == "account.weak_password"


def test_duplicate_and_malformed_user_names_are_refused(accounts: Accounts) -> None:
    with pytest.raises(AccountError, match=r"account\.exists"):
        accounts.add(ADMIN, "lan.staff", PASSWORD, Role.VIEWER)
    with pytest.raises(AccountError, match=r"account\.bad_username"):
        accounts.add(ADMIN, "Nguyễn Văn A", PASSWORD, Role.VIEWER)


def test_only_admins_manage_accounts(accounts: Accounts) -> None:
    staff = Actor("lan.staff", Role.STAFF)
    with pytest.raises(PermissionDenied):
        accounts.add(staff, "other", PASSWORD, Role.ADMIN)
    with pytest.raises(PermissionDenied):
        accounts.set_role(staff, "lan.staff", Role.ADMIN)


def test_the_audit_log_is_append_only(accounts: Accounts, store: Store) -> None:
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), store.engine.begin() as conn:
        conn.execute(audit_t.update().values(actor="someone else"))
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), store.engine.begin() as conn:
        conn.execute(audit_t.delete())
    if store.engine.dialect.name == "postgresql":  # TRUNCATE skips row triggers: a statement trigger refuses it
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), store.engine.begin() as conn:
            conn.execute(sa.text("TRUNCATE audit"))
    assert store.count(audit_t) == 1


def test_storing_returns_needs_a_staff_actor_and_is_audited(store: Store) -> None:
    data = filled_template("q-le-chan", 2023, pattern())
    result = read_bytes(data, "a.xlsx")
    with pytest.raises(PermissionDenied):
        store.record(result, data, actor=Actor("leader", Role.VIEWER))
    with pytest.raises(PermissionDenied):
        store.record(result, data)
    assert store.count(submissions_t) == 0
    store.record(result, data, dry_run=True)  # a dry run needs no role
    [out] = store.record(result, data, actor=Actor("lan", Role.STAFF))
    log = audit.audit_log(store.engine, actions=["version_created"])
    assert list(log["actor"]) == ["lan"] and list(log["target"]) == ["q-le-chan/2023"]
    assert log["file_sha256"].iloc[0] == result.sha256 and out.version == 1


def test_withdrawing_the_current_version_makes_the_previous_one_current(store: Store) -> None:
    ingest_bytes(store, filled_template("x-an-thang", 2022, pattern(0)), "v1.xlsx")
    ingest_bytes(store, filled_template("x-an-thang", 2022, pattern(1)), "v2.xlsx")
    history = store.history("x-an-thang", 2022)
    newest = int(history.loc[0, "id"])
    with pytest.raises(PermissionDenied):
        store.withdraw(Actor("lan", Role.STAFF), newest, "sai số liệu")
    previous = store.withdraw(ADMIN, newest, "sai số liệu")
    assert previous == int(history.loc[1, "id"])
    current = store.ratings(units=["x-an-thang"])
    assert dict(zip(current["indicator_code"], current["rating"], strict=True)) == pattern(0)
    assert list(store.history("x-an-thang", 2022)["status"]) == ["withdrawn", "current"]
    [entry] = audit.audit_log(store.engine, actions=["version_withdrawn"]).to_dict("records")
    assert "sai số liệu" in entry["details"]


@pytest.mark.parametrize(("email", "expected"), [
    ("Lan@SKHCN.haiphong.gov.vn", Role.STAFF), ("giamdoc@haiphong.gov.vn", Role.ADMIN),
    ("khach@gmail.com", None)])
def test_single_sign_on_roles_come_from_the_mapping(email: str, expected: Role | None) -> None:
    mapping = {"@skhcn.haiphong.gov.vn": "staff", "giamdoc@haiphong.gov.vn": "admin"}
    assert role_for_email(email, mapping) == expected
    assert role_for_email("khach@gmail.com", mapping, default="viewer") == Role.VIEWER


def test_settings_file_and_environment_override(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "settings.toml"
    path.write_text('[access]\nopen_analysis = false\nsession_minutes = 15\n[sso.roles]\n"@a.vn" = "staff"\n',
                    encoding="utf-8")
    conf = load_settings(path)
    assert (conf.open_analysis, conf.session_minutes, conf.sso_roles) == (False, 15, {"@a.vn": "staff"})
    monkeypatch.setenv("LGQA_OPEN_ANALYSIS", "1")
    monkeypatch.setenv("LGQA_SESSION_MINUTES", "5")
    assert (load_settings(path).open_analysis, load_settings(path).session_minutes) == (True, 5)
