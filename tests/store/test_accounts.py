"""Accounts, roles, throttled sign-in, the append-only audit trail and role checks in write paths; the store's
tests run on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from argon2.profiles import RFC_9106_LOW_MEMORY

from lgqa_metrics.domain.roles import Actor, PermissionDenied, Role, cli_actor
from lgqa_metrics.domain.settings import PASSWORD_HASHING, load_settings, settings
from lgqa_metrics.intake.reader import read_bytes
from lgqa_metrics.services.ingest import ingest_bytes
from lgqa_metrics.store import audit, web_sessions
from lgqa_metrics.store.accounts import AccountError, Accounts, hasher, role_for_email
from lgqa_metrics.store.database import Store, submissions_t
from lgqa_metrics.store.schema import audit_t, users_t
from lgqa_metrics.store.throttle import ACCOUNT_FAILURES, CLIENT_FAILURES
from tests.support.returns import filled_template, pattern

ADMIN = cli_actor()
PASSWORD = "a-long-password-1"
HOUR = dt.timedelta(hours=1)


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


def test_passwords_are_hashed_at_the_cost_the_settings_name_and_remade_at_it_on_the_next_sign_in(
        accounts: Accounts, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    def stored() -> str:
        with store.engine.connect() as conn:
            return str(conn.execute(sa.select(users_t.c.password_hash).where(users_t.c.username == "lan.staff")).scalar())

    def hash_at(cost: str) -> None:
        monkeypatch.setenv("LGQA_PASSWORD_HASHING", cost)
        settings.cache_clear()
        hasher.cache_clear()

    monkeypatch.delenv("LGQA_PASSWORD_HASHING")
    assert load_settings().password_hashing == "standard"  # the default, RFC 9106's low-memory profile
    assert PASSWORD_HASHING["standard"] == {"time_cost": RFC_9106_LOW_MEMORY.time_cost,
                                            "memory_cost": RFC_9106_LOW_MEMORY.memory_cost,
                                            "parallelism": RFC_9106_LOW_MEMORY.parallelism}
    try:
        hash_at("standard")
        accounts.set_password(ADMIN, "lan.staff", PASSWORD)
        assert "$m=65536,t=3,p=4$" in stored()
        hash_at("light")
        assert accounts.sign_in("lan.staff", PASSWORD).reason == "ok"  # a hash keeps its own costs
        assert "$m=19456,t=2,p=1$" in stored()  # and is remade at the current one
        assert accounts.sign_in("lan.staff", PASSWORD).reason == "ok"
        monkeypatch.setenv("LGQA_PASSWORD_HASHING", "cheap")
        with pytest.raises(ValueError, match="standard, light"):
            load_settings()
    finally:
        monkeypatch.undo()
        settings.cache_clear()
        hasher.cache_clear()


def test_sign_in_succeeds_with_the_right_password_and_audits_it(accounts: Accounts, store: Store) -> None:
    result = accounts.sign_in("LAN.STAFF", PASSWORD)
    assert result.reason == "ok" and result.actor == Actor("lan.staff", Role.STAFF)
    log = audit.audit_log(store.engine, actions=["sign_in"])
    assert list(log["actor"]) == ["lan.staff"]


def test_the_third_wrong_password_locks_with_growing_waits_as_documented(accounts: Accounts, store: Store) -> None:
    now = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
    waits = [accounts.sign_in("lan.staff", "wrong", client="10.0.0.9", now=now).wait_seconds for _ in range(3)]
    assert ACCOUNT_FAILURES == 3 and waits == [0, 0, 30], "the README: after 3 wrong passwords the account is locked"
    locked = accounts.sign_in("lan.staff", PASSWORD, client="10.0.0.9", now=now + dt.timedelta(seconds=10))
    assert locked.reason == "locked" and locked.actor is None, "even the right password waits"
    again = accounts.sign_in("lan.staff", "wrong", client="10.0.0.9", now=now + dt.timedelta(seconds=31))
    assert again.wait_seconds == 60
    later = accounts.sign_in("lan.staff", PASSWORD, client="10.0.0.9", now=now + dt.timedelta(minutes=5))
    assert later.reason == "ok"
    actions = list(audit.audit_log(store.engine)["action"])
    assert actions.count("sign_in_failed") == 4 and "sign_in_locked" in actions


def test_a_stranger_locks_only_himself_out_of_an_account_not_its_owner(accounts: Accounts) -> None:
    now = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
    for _ in range(6):
        accounts.sign_in("lan.staff", "guess", client="10.9.9.9", now=now)
    assert accounts.sign_in("lan.staff", PASSWORD, client="10.9.9.9", now=now).reason == "locked"
    assert accounts.sign_in("lan.staff", PASSWORD, client="10.0.0.1", now=now).reason == "ok"


def test_one_client_trying_many_names_is_locked_out_of_every_account(accounts: Accounts) -> None:
    now = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
    answers = [accounts.sign_in(f"user{i}", "guess", client="10.6.6.6", now=now) for i in range(CLIENT_FAILURES)]
    assert [a.wait_seconds for a in answers][-1] == 30 and all(a.reason == "bad" for a in answers)
    assert accounts.sign_in("lan.staff", PASSWORD, client="10.6.6.6", now=now).reason == "locked"
    assert accounts.sign_in("lan.staff", PASSWORD, client="10.0.0.1", now=now).reason == "ok"


def test_unknown_names_are_answered_and_counted_like_known_ones_and_never_kept(accounts: Accounts,
                                                                               store: Store) -> None:
    now = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
    known = [accounts.sign_in("lan.staff", "wrong", client="c", now=now) for _ in range(4)]
    unknown = [accounts.sign_in("a-password-typed-as-a-name", "wrong", client="c", now=now) for _ in range(4)]
    assert [(a.reason, a.wait_seconds) for a in known] == [(a.reason, a.wait_seconds) for a in unknown]
    log = audit.audit_log(store.engine)
    assert not log.apply(lambda r: r.astype(str).str.contains("a-password-typed").any(), axis=1).any()
    labels = set(log.loc[log["actor"] == "?", "target"])
    assert len(labels) == 1 and next(iter(labels)).startswith("? ") and len(next(iter(labels))) == 12


def test_a_huge_typed_name_costs_nothing_and_writes_a_bounded_entry(accounts: Accounts, store: Store) -> None:
    size_before = _audit_text_size(store)
    for _ in range(5):
        assert accounts.sign_in("x" * 5_000_000, "wrong", client="c").reason in ("bad", "locked")
    assert _audit_text_size(store) - size_before < 5 * 400


def _audit_text_size(store: Store) -> int:
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(audit_t.c.actor, audit_t.c.target, audit_t.c.details)).all()
    return sum(len(a or "") + len(t or "") + len(d or "") for a, t, d in rows)


def test_parallel_wrong_passwords_are_each_counted_and_lock_after_three(accounts: Accounts, store: Store) -> None:
    """Eight attempts at once from one client (threads, each its own connection): on PostgreSQL too the count is
    not overwritten, and no more than three passwords are checked before the lock."""
    from concurrent.futures import ThreadPoolExecutor

    now = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: accounts.sign_in("lan.staff", "wrong", client="c", now=now), range(8)))
    assert sorted(a.reason for a in answers) == ["bad"] * 3 + ["locked"] * 5
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(users_t.c.failed_count).where(users_t.c.username == "lan.staff")).scalar() == 3


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


def test_a_user_changes_their_own_password_given_the_current_one(accounts: Accounts, store: Store) -> None:
    """The session the change is made in stays signed in; every other session of the account ends."""
    here = web_sessions.start(store, "lan.staff", browser="here")
    elsewhere = web_sessions.start(store, "lan.staff", browser="elsewhere")
    lan = Actor("lan.staff", Role.STAFF)
    accounts.change_own_password(lan, PASSWORD, "a-new-long-password-2", keep_session=here.key)
    assert accounts.sign_in("lan.staff", PASSWORD).reason == "bad"
    assert accounts.sign_in("lan.staff", "a-new-long-password-2").reason == "ok"
    assert web_sessions.check(store, here.key, idle=HOUR).actor == lan
    assert web_sessions.check(store, elsewhere.key, idle=HOUR).why == "ended"
    [entry] = audit.audit_log(store.engine, actions=["password_changed"]).to_dict("records")
    assert entry["actor"] == entry["target"] == "lan.staff" and '"sessions_ended": 1' in entry["details"]


def test_a_wrong_current_password_or_a_weak_new_one_changes_nothing(accounts: Accounts, store: Store) -> None:
    lan = Actor("lan.staff", Role.STAFF)
    session = web_sessions.start(store, "lan.staff", browser="b")
    with pytest.raises(AccountError) as wrong:
        accounts.change_own_password(lan, "not-the-password", "a-new-long-password-2", keep_session="")
    assert wrong.value.key == "account.wrong_current_password"
    with pytest.raises(AccountError) as weak:
        accounts.change_own_password(lan, PASSWORD, "short", keep_session="")
    assert weak.value.key == "account.weak_password"
    assert accounts.sign_in("lan.staff", PASSWORD).reason == "ok", "the old password still works"
    assert web_sessions.check(store, session.key, idle=HOUR).actor == lan, "and no session ended"
    assert len(audit.audit_log(store.engine, actions=["password_change_refused"])) == 1
    with pytest.raises(AccountError) as sso:
        accounts.change_own_password(Actor("lan@example.vn", Role.STAFF, via="sso"), PASSWORD, "x" * 12)
    assert sso.value.key == "account.not_builtin"


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


def test_the_client_header_of_a_trusted_proxy_comes_from_the_settings_or_the_environment(
        tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("LGQA_CLIENT_HEADER", raising=False)
    path = tmp_path / "settings.toml"
    path.write_text('[access]\nclient_header = "X-Real-IP"\n', encoding="utf-8")
    assert load_settings(path).client_header == "X-Real-IP"
    assert load_settings(tmp_path / "none.toml").client_header == ""
    monkeypatch.setenv("LGQA_CLIENT_HEADER", "X-Client")
    assert load_settings(path).client_header == "X-Client"


def test_what_a_page_allowed_is_checked_again_at_the_moment_of_use(accounts: Accounts, store: Store) -> None:
    from lgqa_metrics.domain.settings import Settings
    from lgqa_metrics.store import web_sessions
    from lgqa_metrics.store.accounts import still_allowed

    conf = Settings(session_minutes=30, sso_roles={"@skhcn.vn": "staff"})
    signed_in = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
    session = web_sessions.start(store, "lan.staff", browser="b", now=signed_in).key
    staff = Actor("lan.staff", Role.STAFF)
    assert still_allowed(store, staff, Role.STAFF, session=session, settings=conf, now=signed_in) == ""
    later = signed_in + dt.timedelta(minutes=31)
    assert still_allowed(store, staff, Role.STAFF, session=session, settings=conf, now=later) == "expired"
    assert still_allowed(store, staff, Role.STAFF, session="", settings=conf, now=signed_in) == "unknown"
    accounts.set_role(ADMIN, "lan.staff", Role.VIEWER)
    assert still_allowed(store, staff, Role.STAFF, session=session, settings=conf, now=signed_in) == "role"
    assert still_allowed(store, staff, Role.VIEWER, session=session, settings=conf, now=signed_in) == ""
    accounts.disable(ADMIN, "lan.staff")  # its sessions end with it; the refusal names the cause
    assert still_allowed(store, staff, Role.VIEWER, session=session, settings=conf, now=signed_in) == "disabled"
    accounts.add(ADMIN, "mai", PASSWORD, Role.STAFF)
    other = web_sessions.start(store, "mai", browser="b", now=signed_in).key
    web_sessions.revoke(store, other, why="sign_out", now=signed_in)  # signed out in another tab
    assert still_allowed(store, Actor("mai", Role.STAFF), Role.STAFF, session=other, settings=conf,
                         now=signed_in) == "ended"
    sso = Actor("an@skhcn.vn", Role.STAFF, via="sso")
    assert still_allowed(store, sso, Role.STAFF, session="", settings=conf) == ""
    assert still_allowed(store, sso, Role.STAFF, session="", settings=Settings()) == "disabled"


def test_attempts_whose_address_is_unknown_are_not_counted_as_one_client(accounts: Accounts) -> None:
    now = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
    for i in range(CLIENT_FAILURES + 2):
        accounts.sign_in(f"user{i}", "guess", client="", now=now)
    assert accounts.sign_in("lan.staff", PASSWORD, client="", now=now).reason == "ok"
