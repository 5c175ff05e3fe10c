"""``python -m lgqa_metrics users add|list|disable|enable|set-password|set-role``."""

from __future__ import annotations

import argparse
import getpass
import sys

from lgqa_metrics.accounts import AccountError, Accounts
from lgqa_metrics.accounts_base import Role, cli_actor
from lgqa_metrics.i18n import t
from lgqa_metrics.store import Store

ROLES = [r.value for r in Role]


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the ``users`` command and its actions."""
    users = sub.add_parser("users", help="manage dashboard accounts (argon2 password hashes in the database)")
    actions = users.add_subparsers(dest="users_command", required=True)
    add = actions.add_parser("add", help="create an account (password asked for, or --password-stdin)")
    add.add_argument("username")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--name", default="", help="display name")
    add.add_argument("--email", default="")
    actions.add_parser("list", help="list the accounts")
    for name, help_text in (("disable", "disable an account"), ("enable", "enable an account, clear its lock"),
                            ("set-password", "set a new password"), ("set-role", "change the role")):
        action = actions.add_parser(name, help=help_text)
        action.add_argument("username")
        if name == "set-role":
            action.add_argument("role", choices=ROLES)
    for action in actions.choices.values():
        action.add_argument("--db", help="database URL (default: LGQA_DATABASE_URL or data/lgqa.sqlite)")
        if action.prog.endswith(("add", "set-password")):
            action.add_argument("--password-stdin", action="store_true", help="read the password from stdin")


def _password(args: argparse.Namespace, lang: str) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass(t("users.password_prompt", lang))
    if first != getpass.getpass(t("users.password_again", lang)):
        raise AccountError("users.password_mismatch")
    return first


def run(args: argparse.Namespace, lang: str) -> int:
    """Carry out one ``users`` action as the command line's user; 1 with a message when refused."""
    accounts = Accounts(Store.open(args.db))
    actor = cli_actor()
    try:
        if args.users_command == "list":
            frame = accounts.list()
            if frame.empty:
                print(t("users.none", lang))
            else:
                print(frame[["username", "role", "active", "display_name", "email", "last_login"]].to_string(index=False))
            return 0
        if args.users_command == "add":
            accounts.add(actor, args.username, _password(args, lang), Role(args.role), display_name=args.name,
                         email=args.email)
        elif args.users_command == "disable":
            accounts.disable(actor, args.username)
        elif args.users_command == "enable":
            accounts.enable(actor, args.username)
        elif args.users_command == "set-password":
            accounts.set_password(actor, args.username, _password(args, lang))
        elif args.users_command == "set-role":
            accounts.set_role(actor, args.username, Role(args.role))
    except AccountError as exc:
        print(exc.message(lang), file=sys.stderr)
        return 1
    print(t("users.done", lang, action=args.users_command, user=args.username.strip().lower()))
    return 0
