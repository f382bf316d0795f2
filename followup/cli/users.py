"""The dashboard's logins: `followup users add|list|passwd`, and the password `init`
offers to set on a terminal."""

from __future__ import annotations

import sys

import click

from followup.cli.app import State, Usage, cli, now, pass_state
from followup.db import read_session, write_session

_BUSINESS_HELP = "The business the login belongs to, where there are several."


def read_password(password_stdin: bool) -> str:
    """The new password: asked twice, hidden, on a terminal; or the first line of stdin
    with --password-stdin (for scripts). Off a terminal without the flag it is an error,
    never a wait."""
    if password_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise Usage("no terminal to ask the password on: pipe it in with --password-stdin")
    password: str = click.prompt(
        f"Password (at least {_min_length()} characters)",
        hide_input=True,
        confirmation_prompt="Repeat it",
    )
    return password


def _min_length() -> int:
    from followup.accounts.passwords import MIN_LENGTH

    return MIN_LENGTH


@cli.group()
def users() -> None:
    """Logins to the dashboard: each belongs to one business."""


@users.command("add")
@click.argument("email")
@click.option("--business", "business_ref", type=int, default=None, help=_BUSINESS_HELP)
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
@pass_state
def users_add(state: State, email: str, business_ref: int | None, password_stdin: bool) -> None:
    """Let EMAIL log in to the dashboard of the business, with a password you choose."""
    from followup.accounts import add_user

    if business_ref is not None:
        state.business_ref = business_ref
    with read_session(state.engine) as session:
        business = state.business(session)  # before the password: a wrong --business says so
    password = read_password(password_stdin)
    assert business.id is not None
    with write_session(state.engine) as session:
        user = add_user(session, business.id, email, password, now())
    click.echo(
        f"{user.email} can now log in to the dashboard of “{business.name}” "
        "(`followup serve`, then open /login)."
    )


@users.command("list")
@pass_state
def users_list(state: State) -> None:
    """The logins of the business (or of every business)."""
    from followup.accounts import list_users

    with read_session(state.engine) as session:
        businesses = state.businesses(session)
        names = {b.id: b.name for b in businesses}
        found = list_users(session, [b.id for b in businesses if b.id is not None])
    if not found:
        click.echo("No logins yet: add one with `followup users add EMAIL`.")
    for user in found:
        language = user.language or "the business's"
        click.echo(
            f"{user.email}  business {user.business_id} ({names[user.business_id]})  "
            f"language: {language}  since {user.created_at:%Y-%m-%d}"
        )


@users.command("passwd")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
@pass_state
def users_passwd(state: State, email: str, password_stdin: bool) -> None:
    """Change the password EMAIL logs in with; their open sessions end."""
    from followup.accounts import change_password, find_user
    from followup.errors import NotFound

    with read_session(state.engine) as session:
        if find_user(session, email) is None:
            raise NotFound(f"no user logs in as {email.strip()!r} (`followup users list`)")
    password = read_password(password_stdin)
    with write_session(state.engine) as session:
        user = change_password(session, email, password)
    click.echo(f"The password of {user.email} is changed; their other sessions have ended.")


def offer_owner_password(state: State, business_id: int, email: str) -> None:
    """After `init` on a terminal: offer to set the owner's dashboard password. Off a
    terminal (cron, scripts, tests) it says how, and never waits."""
    from followup.accounts import add_user
    from followup.errors import FollowupError

    if not sys.stdin.isatty():
        click.echo("Dashboard login: `followup users add EMAIL` sets one.")
        return
    later = f"Later: `followup users add {email}`."
    try:
        wanted = click.confirm(f"Set the dashboard password for {email} now?", default=True)
    except click.Abort:  # the end of the input, or Ctrl-C: the business is made already
        wanted = False
        click.echo("")
    if not wanted:
        click.echo(later)
        return
    while True:
        try:
            password = read_password(False)
        except click.Abort:
            click.echo(f"\nNo password set. {later}")
            return
        try:
            with write_session(state.raw_engine) as session:
                add_user(session, business_id, email, password, now())
        except FollowupError as exc:
            click.echo(str(exc), err=True)
            if "password" not in getattr(exc, "field", ""):
                return
            continue
        click.echo(f"{email} can log in to the dashboard (`followup serve`, then /login).")
        return
