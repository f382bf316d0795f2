"""Setting up: init, migrate, demo, and the business's settings."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import click
from sqlmodel import col, select

from followup.cli.app import DAY, State, Usage, cli, emit_json, now, pass_state
from followup.cli.users import offer_owner_password
from followup.db import migrate as migrate_schema
from followup.db import read_session, write_session
from followup.models import ApprovalMode, Business, FormOfAddress, Locale

F = TypeVar("F", bound=Callable[..., Any])


def business_options(*, with_defaults: bool) -> Callable[[F], F]:
    """The business's settings as options: ``init`` shows the defaults it applies,
    ``settings set`` changes only what is given. Each option is named after the field it
    sets, so an ``Invalid`` error names the flag."""

    def default(value: Any) -> Any:
        return value if with_defaults else None

    options = [
        click.option("--name", help="The business's name, as clients know it."),
        click.option("--owner", "owner_name", help="Who signs the letters."),
        click.option(
            "--owner-title",
            default=default(""),
            help="The title under the signature, in the business's language (Propietaria).",
        ),
        click.option(
            "--owner-title-es",
            default=default(""),
            help="The title under Spanish letters, when the business's language is another.",
        ),
        click.option(
            "--owner-title-en",
            default=default(""),
            help="The title under English letters, when the business's language is another "
            "(default: a translation of a common title, else none).",
        ),
        click.option(
            "--greeting-usted",
            type=click.Choice(["estimado", "apreciado", "nombre"]),
            default=default("estimado"),
            show_default=with_defaults,
            help="How usted letters greet: “Estimada Laura:”, “Apreciada Laura:” or “Laura:” "
            "(Estimado/a only where a title says which; otherwise “Hola, Laura:”).",
        ),
        click.option(
            "--greeting-tu",
            type=click.Choice(["hola", "querido"]),
            default=default("hola"),
            show_default=with_defaults,
            help="How tú letters greet: “Hola, Laura:” or “Querida Laura:”.",
        ),
        click.option(
            "--greeting-en",
            type=click.Choice(["dear", "hi"]),
            default=default("dear"),
            show_default=with_defaults,
            help="How English letters greet: “Dear Laura,” or “Hi Laura,”.",
        ),
        click.option(
            "--phone-label",
            default=default(""),
            help="A word before the phone under your signature (“Tel.”); none by default.",
        ),
        click.option(
            "--from-name",
            default=default(""),
            help="How the From line names you (default: “Owner — Business”).",
        ),
        click.option(
            "--owner-phone", default=default(""), help="A direct phone line to sign with."
        ),
        click.option("--sender", "sender_email", help="The From address of the letters."),
        click.option(
            "--reply-to", default=default(""), help="Where replies go (default: the sender)."
        ),
        click.option(
            "--locale",
            type=click.Choice([loc.value for loc in Locale]),
            default=default("es"),
            show_default=with_defaults,
        ),
        click.option("--timezone", default=default("Europe/Madrid"), show_default=with_defaults),
        click.option(
            "--form-of-address",
            type=click.Choice([f.value for f in FormOfAddress]),
            default=default("usted"),
            show_default=with_defaults,
            help="For Spanish letters.",
        ),
        click.option(
            "--quota",
            "daily_quota",
            type=click.IntRange(1, 50),
            default=default(3),
            show_default=with_defaults,
            help="Letters per working day.",
        ),
        click.option(
            "--approval-mode",
            type=click.Choice([m.value for m in ApprovalMode]),
            default=default("review"),
            show_default=with_defaults,
            help="review: drafts wait for you; auto: sent at the send time.",
        ),
        click.option(
            "--digest/--no-digest",
            default=default(True),
            show_default=with_defaults,
            help="In review mode, one email to you each working day: the day's picks and "
            "why, drafts to check, letters that failed.",
        ),
        click.option(
            "--send-time",
            default=default("09:00"),
            show_default=with_defaults,
            help="Local time, HH:MM.",
        ),
        click.option(
            "--holidays",
            default=None,
            help="Public holidays: a country code (ES), optionally with its region (ES-AN), "
            "or none. Default: the time zone's country.",
        ),
    ]
    if not with_defaults:
        options += [
            click.option("--working-days", help="Weekdays letters go out: 1-5 or mon,tue,…"),
            click.option(
                "--cooldown-days", type=int, help="Days before a client is written again."
            ),
            click.option(
                "--imap-url",
                help="Your inbox, read for replies and bounces (never changed): "
                "imaps://user@imap.example.com/INBOX; an @ in the user as %40; the password "
                "in the URL or in FOLLOWUP_IMAP_PASSWORD(_FILE). '' turns reading off.",
            ),
        ]

    def decorate(func: F) -> F:
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


def _prompt_or_fail(value: str | None, flag: str, question: str) -> str:
    """A value from its flag, or asked on a terminal; off a terminal a missing one is an error."""
    if value:
        return value
    if sys.stdin.isatty():
        answer: str = click.prompt(question)
        return answer
    raise Usage(f"{flag} is required (or run `followup init` on a terminal to be asked)")


@cli.command()
@business_options(with_defaults=True)
@pass_state
def init(state: State, **values: Any) -> None:
    """Create the database (if needed) and the business.

    Run again, it changes nothing: without --name, or with the name of a business that
    exists, it says so. A new --name adds another business to the same database.
    """
    from followup.businesses import create_business, find_business, sending_advice

    migrate_schema(state.raw_engine)
    with write_session(state.raw_engine) as session:
        name = values["name"]
        existing = (
            find_business(session, name)
            if name
            else session.exec(select(Business).order_by(col(Business.id))).first()
        )
        if existing is not None:
            click.echo(
                f"The business “{existing.name}” (id {existing.id}) already exists; "
                "nothing was changed. The database is up to date."
            )
            return
        values["name"] = _prompt_or_fail(name, "--name", "Business name")
        values["owner_name"] = _prompt_or_fail(
            values["owner_name"], "--owner", "Your name, as you sign letters"
        )
        values["sender_email"] = _prompt_or_fail(
            values["sender_email"], "--sender", "The address letters come from"
        )
        if values["holidays"] is None:
            del values["holidays"]
        business = create_business(session, now(), **values)
        click.echo(f"Created “{business.name}” (id {business.id}).")
        if business.holiday_country:
            region = f"-{business.holiday_subdivision}" if business.holiday_subdivision else ""
            click.echo(
                f"Nothing is picked on the public holidays of {business.holiday_country}{region}"
                " (change it with `followup settings set --holidays XX`, or `--holidays none`)."
            )
        else:
            click.echo(
                "No public holidays are kept: name them with `followup settings set --holidays XX`."
            )
        for advice in sending_advice(business):
            click.echo(advice, err=True)
        owner = (business.id or 0, business.sender_email)
    offer_owner_password(state, *owner)
    click.echo("Next: `followup clients import clients.csv`, then `followup daily`.")


@cli.command()
@pass_state
def migrate(state: State) -> None:
    """Bring the database schema up to date (safe to run any time)."""
    migrate_schema(state.raw_engine)
    click.echo("The database schema is up to date.")


@cli.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def settings(ctx: click.Context, as_json: bool) -> None:
    """Show the business's settings; `settings set` changes them."""
    if ctx.invoked_subcommand is not None:
        return
    from followup.jobs.sending import paused_reasons
    from followup.services import settings_view

    state = ctx.find_object(State)
    assert state is not None
    with read_session(state.engine) as session:
        business = state.business(session)
        view = settings_view(business, session)
    paused = paused_reasons(state.engine, state.settings, business.id)
    view = view.model_copy(update={"sending_paused": paused[0] if paused else None})
    if as_json:
        emit_json(view)
        return
    apart = {"owner_lines", "sending_paused", "imap_url", "inbox_paused"}
    for field, value in view.model_dump(mode="json", exclude=apart).items():
        click.echo(f"{field:>16}: {_shown(value)}")
    click.echo(f"{'your lines':>16}: {len(view.owner_lines)} (followup settings line list)")
    inbox = view.imap_url or "not read (followup settings set --imap-url imaps://…)"
    click.echo(f"{'inbox':>16}: {inbox}")
    if view.inbox_paused:
        click.echo(f"{'reading':>16}: {view.inbox_paused}")
    if view.sending_paused:
        click.echo(f"{'sending':>16}: {view.sending_paused}")


@settings.command("set")
@business_options(with_defaults=False)
@click.option("--no-imap", is_flag=True, help="Stop reading your inbox.")
@pass_state
def settings_set(state: State, no_imap: bool, **values: Any) -> None:
    """Change settings of the business, with the same checks as `init`."""
    from followup.businesses import sending_advice, update_business
    from followup.mailbox import parse_mailbox

    if no_imap:
        if values["imap_url"]:
            raise Usage("--no-imap and --imap-url: give one of them")
        values["imap_url"] = ""
    changes = {field: value for field, value in values.items() if value is not None}
    if not changes:
        raise Usage("say what to change, e.g. `followup settings set --quota 4`")
    with write_session(state.engine) as session:
        business = state.business(session)
        changed = update_business(session, business, now=now(), **changes)
        advice = sending_advice(business) if {"sender_email", "reply_to"} & set(changed) else []
    if not changed:
        click.echo("Nothing changed: the settings were already so.")
    for field, value in changed.items():
        if field != "imap_url":
            click.echo(f"Changed {field} to {_shown(value)}.")
        elif value is None:
            click.echo("Your inbox is no longer read.")
        else:
            mailbox = parse_mailbox(value)
            click.echo(
                f"Your inbox is {mailbox.shown}: read (never changed) at every tick and "
                "worker round, from the mail that arrives from now on."
            )
            if mailbox.password is None and state.settings.imap_password is None:
                click.echo(
                    "Its password is not in the address: set FOLLOWUP_IMAP_PASSWORD or "
                    "FOLLOWUP_IMAP_PASSWORD_FILE where followup runs.",
                    err=True,
                )
    for line in advice:
        click.echo(line, err=True)


def _shown(value: Any) -> str:
    """A setting as the owner reads it: a list comma-separated, a switch on or off."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list):
        return ",".join(map(str, value))
    return "" if value is None else str(value)


@cli.command()
@click.option("--date", "day", type=DAY, help="Build the demo as if today were this day.")
@pass_state
def demo(state: State, day: Any) -> None:
    """Create a demo bicycle workshop with thirty clients, and draft its first letters."""
    from followup.calendar import is_working_day, next_working_day
    from followup.cli.routine import report_day
    from followup.demo import BUSINESS, OWNER_LINES, create_demo
    from followup.jobs import run_day

    migrate_schema(state.raw_engine)
    with write_session(state.raw_engine) as session:
        if session.exec(select(Business)).first() is not None:
            raise Usage(
                "this database already has a business; the demo needs an empty one "
                "(set FOLLOWUP_DATABASE_URL=sqlite:///demo.db to try it beside yours)"
            )
        today = day or now().astimezone(ZoneInfo(BUSINESS["timezone"])).date()
        business = create_demo(session, today, now())
    click.echo(
        f"Created the demo business “{business.name}” with 30 clients and their recent "
        "purchases, two complaints, a helping hand, a lost and a recovered client. "
        f"Its letters carry {len(OWNER_LINES)} lines of the owner's own where they fit "
        "(`followup settings line list`); `followup settings` shows how they greet and sign."
    )
    first = today if is_working_day(business, today) else next_working_day(business, today)
    assert business.id is not None
    report_day(run_day(state.raw_engine, business.id, first, now()), business)
