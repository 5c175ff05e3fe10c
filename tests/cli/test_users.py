"""``python -m lgqa_metrics users …``: the accounts it makes, its refusals, and the first-admin hint run as typed."""

from __future__ import annotations

import re
import shlex
import subprocess

from lgqa_metrics.domain.i18n import t
from lgqa_metrics.domain.roles import Actor, Role
from lgqa_metrics.store.accounts import Accounts
from lgqa_metrics.store.database import Store
from tests.support.cli import ROOT, run_in_process


def users(db_url: str, *args: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run a ``users`` action, feeding ``password`` on stdin when given."""
    extra = ["--password-stdin"] if password is not None else []
    return run_in_process("users", *args, "--db", db_url, "--create", *extra, input=(password or "") + "\n")


def test_first_admin_is_created_and_listed(db_url: str) -> None:
    assert "users add --role admin" in users(db_url, "list").stdout
    run = users(db_url, "add", "Root", "--role", "admin", password="first-admin-pass")
    assert run.returncode == 0, run.stderr
    assert run.stdout == "Đã tạo tài khoản root với vai trò Quản trị.\n"
    listing = users(db_url, "list").stdout
    assert "root" in listing and "Quản trị" in listing and "first-admin-pass" not in listing
    assert Accounts(Store.open(db_url)).sign_in("root", "first-admin-pass").actor == Actor("root", Role.ADMIN)


def test_role_password_disable_round_trip(db_url: str) -> None:
    users(db_url, "add", "lan", "--role", "viewer", password="viewer-pass-123")
    assert users(db_url, "set-role", "lan", "staff").returncode == 0
    assert users(db_url, "set-password", "lan", password="new-pass-12345").returncode == 0
    accounts = Accounts(Store.open(db_url))
    assert accounts.sign_in("lan", "new-pass-12345").actor == Actor("lan", Role.STAFF)
    assert users(db_url, "disable", "lan").returncode == 0
    assert accounts.sign_in("lan", "new-pass-12345").reason == "disabled"


def test_refusals_are_messages_with_exit_1_never_tracebacks(db_url: str) -> None:
    weak = users(db_url, "add", "bob", "--role", "staff", password="short")
    assert weak.returncode == 1 and "Mật khẩu quá yếu" in weak.stderr and "Traceback" not in weak.stderr
    missing = users(db_url, "disable", "nobody")
    assert missing.returncode == 1 and "nobody" in missing.stderr
    assert run_in_process("users", "add", "x", "--role", "god").returncode == 2


def test_the_first_admin_hints_give_a_command_that_runs_as_typed_in_the_project_folder() -> None:
    """The sign-in page and ``users list`` tell a newcomer how to make the first administrator: the command they
    show, typed as it stands in the project folder (whose ``.venv`` the two README commands make), runs on a
    machine that has no ``python`` on its path."""
    commands = set()
    for key in ("auth.first_admin", "users.none"):
        for lang, placeholder in (("vi", "TÊN"), ("en", "NAME")):
            shown = re.search(rf"([^\s`]+ -m lgqa_metrics users add --role admin) {placeholder}", t(key, lang))
            assert shown, (key, lang, t(key, lang))
            commands.add(shown.group(1))
    for command in commands:
        run = subprocess.run([*shlex.split(command), "--help"], capture_output=True, text=True, cwd=ROOT,
                             timeout=120, env={"PATH": "/usr/bin:/bin"})  # a fresh Debian: python3, no python
        assert run.returncode == 0 and "--role" in run.stdout, (command, run.stderr)


def english(db_url: str, *args: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
    """A ``users`` action with English messages."""
    extra = ["--password-stdin"] if password is not None else []
    return run_in_process("--lang", "en", "users", *args, "--db", db_url, "--create", *extra,
                          input=(password or "") + "\n")


def test_each_account_change_is_confirmed_in_a_whole_sentence_of_the_chosen_language(db_url: str) -> None:
    said = [users(db_url, "add", "Lan", "--role", "viewer", password="viewer-pass-123").stdout,
            users(db_url, "set-role", "lan", "staff").stdout,
            users(db_url, "set-password", "lan", password="new-pass-12345").stdout,
            users(db_url, "disable", "lan").stdout,
            users(db_url, "enable", "lan").stdout]
    assert said == ["Đã tạo tài khoản lan với vai trò Lãnh đạo (xem).\n",
                    "Đã đổi vai trò của lan thành Cán bộ (nộp, xuất).\n",
                    "Đã đặt mật khẩu mới cho lan; các phiên đăng nhập bằng mật khẩu cũ đã kết thúc.\n",
                    "Đã vô hiệu hóa tài khoản lan; các phiên đăng nhập của tài khoản này đã kết thúc.\n",
                    "Đã kích hoạt lại tài khoản lan và gỡ khóa đăng nhập.\n"]
    assert english(db_url, "set-role", "lan", "viewer").stdout == "lan now has the role Viewer.\n"
    assert english(db_url, "disable", "lan").stdout == "Disabled the account lan; its sessions have ended.\n"
    assert not any(w in " ".join(said) for w in ("Xong", "Done", "set-role", "disable", "staff", "viewer"))


def test_the_account_list_is_headed_and_worded_in_the_chosen_language(db_url: str) -> None:
    users(db_url, "add", "lan", "--role", "staff", "--name", "Nguyễn Thị Lan", password="staff-pass-1234")
    users(db_url, "disable", "lan")
    vi = users(db_url, "list").stdout
    assert "Tên đăng nhập" in vi and "Cán bộ (nộp, xuất)" in vi and "Đã vô hiệu hóa" in vi
    assert not re.search(r"\b(username|role|active|True|False|None|staff)\b", vi), vi
    en = english(db_url, "list").stdout
    assert "User name" in en and "Staff" in en and "Tên đăng nhập" not in en
