"""``sohosolo account``: people's accounts from the command line, for the first staff account
of a fresh install (and any later one): invite, list, disable, enable."""

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from service.store import Store

#: Where invitation links point when neither --base-url nor SOHOSOLO_PUBLIC_URL says.
DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def _store() -> "Store":
    from service.cli import _upgraded_store
    from service.config import get_settings

    return _upgraded_store(get_settings().sqlalchemy_url)


def account_invite(args: argparse.Namespace) -> int:
    from features.i18n import text
    from geodata import read_partners
    from service.accounts.signin import Accounts
    from service.cli import COMMAND_ACTOR, UsageError, _said
    from service.config import get_settings

    lang = args.lang
    villages = sorted(set(args.village or []))
    if (args.role == "committee") != bool(villages):
        raise UsageError(_said(lang, "committee_villages"))
    unknown = sorted(set(villages) - set(read_partners()["insee"]))
    if unknown:
        raise UsageError(_said(lang, "unknown_villages", found=", ".join(unknown)))
    settings = get_settings()
    store = _store()
    try:
        made = Accounts(store, settings).invite(
            args.email, args.name, args.role, villages, COMMAND_ACTOR, args.base_url
        )
    finally:
        store.dispose()
    role = text(lang, f"intranet.role_{args.role}")
    until = f"{made.expires_at:%Y-%m-%d %H:%M}"
    print(_said(lang, "invited", id=made.account.id, role=role, until=until))
    print(made.url)
    return 0


def account_list(args: argparse.Namespace) -> int:
    from features.i18n import text
    from service.cli import _said

    lang = args.lang
    store = _store()
    try:
        for a in store.accounts():
            villages = "+".join(a.villages) or _said(lang, "all_villages")
            status = _said(lang, f"status_{a.status}")
            role = text(lang, f"intranet.role_{a.role}")
            print(f"{a.id:>4}  {status:<10}  {role:<12}  {a.email}  ({a.name}; {villages})")
    finally:
        store.dispose()
    return 0


def account_active(args: argparse.Namespace) -> int:
    from service.cli import COMMAND_ACTOR, _said

    store = _store()
    try:
        account = store.set_active(args.id, args.command_active, by=COMMAND_ACTOR)
    finally:
        store.dispose()
    status = _said(args.lang, f"status_{account.status}")
    print(
        _said(args.lang, "account_now", id=account.id, status=status)
        + ("" if account.active else _said(args.lang, "signed_out"))
    )
    return 0


def add_account_arguments(
    account: argparse.ArgumentParser, make: Callable[[Any, str, str], argparse.ArgumentParser]
) -> None:
    """The actions of ``sohosolo account`` (``make`` makes a command with its example)."""
    actions = account.add_subparsers(dest="account_command", required=True, metavar="ACTION")
    invite = make(actions, "invite", "invite a person: prints a one-time link valid 7 days")
    invite.add_argument("--email", required=True)
    invite.add_argument("--name", required=True, help="the person's name, as pages show it")
    invite.add_argument("--role", choices=["committee", "staff", "analyst"], required=True)
    invite.add_argument("--village", action="append", help="a committee's village (repeat)")
    invite.add_argument(
        "--base-url",
        default=DEFAULT_BASE_URL,
        help="the service's address in the link (default: SOHOSOLO_PUBLIC_URL, else "
        f"{DEFAULT_BASE_URL})",
    )
    invite.set_defaults(handler=account_invite)
    listing = make(actions, "list", "list the accounts")
    listing.set_defaults(handler=account_list)
    commands = [invite, listing]
    for name, active in (("disable", False), ("enable", True)):
        action = make(actions, name, f"{name} an account (by its id, as 'list' shows it)")
        action.add_argument("id", type=int)
        action.set_defaults(handler=account_active, command_active=active)
        commands.append(action)
    for command in commands:
        command.add_argument("--lang", choices=["fr", "en"], default="fr", help="language")
