"""``python -m lgqa_metrics users add|list|disable|enable|set-password|set-role``."""

from __future__ import annotations

import argparse
import getpass
import sys

from lgqa_metrics.domain.i18n import t
from lgqa_metrics.domain.roles import Role, cli_actor
from lgqa_metrics.services.admin_tables import accounts_table
from lgqa_metrics.services.audit_report import role_label
from lgqa_metrics.store.accounts import AccountError, Accounts
from lgqa_metrics.store.database import Store
from lgqa_metrics.store.url import may_create


def _password(args: argparse.Namespace, lang: str) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass(t("users.password_prompt", lang))
    if first != getpass.getpass(t("users.password_again", lang)):
        raise AccountError("users.password_mismatch")
    return first


def run(args: argparse.Namespace, lang: str) -> int:
    """Carry out one ``users`` action as the command line's user; 1 with a message when refused."""
    accounts = Accounts(Store.open(args.db, create=may_create(args.db, args.create)))
    actor = cli_actor()
    try:
        if args.users_command == "list":
            frame = accounts.list()
            print(t("users.none", lang) if frame.empty else accounts_table(frame, lang).to_string(index=False))
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
    role = role_label(Role(args.role).value, lang) if getattr(args, "role", None) else ""
    print(t(f"users.done_{args.users_command}", lang, user=args.username.strip().lower(), role=role))
    return 0
