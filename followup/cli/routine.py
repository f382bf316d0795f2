"""Setting up, and the day's routine: init, migrate, demo, pick, daily, send, tick."""

from __future__ import annotations

import sys
from typing import Any
from zoneinfo import ZoneInfo

import click
from sqlmodel import col, select

from followup.cli.app import (
    EXIT_REJECTED,
    State,
    Usage,
    cli,
    emit_json,
    handled,
    now,
    parse_day,
    pass_state,
)
from followup.db import migrate as migrate_schema
from followup.db import read_session, write_session
from followup.models import ApprovalMode, Business, FormOfAddress, Locale


def _prompt_or_fail(value: str | None, flag: str, question: str, default: str | None = None) -> str:
    """A value from its flag, or asked on a terminal; off a terminal a missing one is an error."""
    if value:
        return value
    if sys.stdin.isatty():
        answer: str = click.prompt(question, default=default)
        return answer
    if default is not None:
        return default
    raise Usage(f"{flag} is required (or run `followup init` on a terminal to be asked)")


def _valid_address(value: str, flag: str) -> str:
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(value.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise Usage(f"{flag} {value!r} is not an email address: {exc}") from None


def _valid_timezone(value: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise Usage(f"--timezone {value!r} is not an IANA time zone (e.g. Europe/Madrid)") from None
    return value


@cli.command()
@click.option("--name", help="The business's name, as clients know it.")
@click.option("--owner", help="Who signs the letters.")
@click.option("--owner-title", default="", help="The owner's title under the signature.")
@click.option("--owner-phone", default="", help="A direct phone line for the signature.")
@click.option("--sender", help="The From address of the letters.")
@click.option("--reply-to", default="", help="Where replies go (default: the sender).")
@click.option(
    "--locale", type=click.Choice([loc.value for loc in Locale]), default="es", show_default=True
)
@click.option("--timezone", default="Europe/Madrid", show_default=True)
@click.option(
    "--form-of-address",
    type=click.Choice([f.value for f in FormOfAddress]),
    default="usted",
    show_default=True,
    help="For Spanish letters.",
)
@click.option(
    "--quota",
    type=click.IntRange(1, 50),
    default=3,
    show_default=True,
    help="Letters per working day.",
)
@click.option(
    "--approval-mode",
    type=click.Choice([m.value for m in ApprovalMode]),
    default="review",
    show_default=True,
    help="review: drafts wait for you; auto: sent at the send time.",
)
@click.option("--send-time", default="09:00", show_default=True, help="Local time, HH:MM.")
@click.option(
    "--holidays",
    "holiday_country",
    default=None,
    help="Country code for public holidays (e.g. ES), optionally ES-AN.",
)
@pass_state
@handled
def init(
    state: State,
    name: str | None,
    owner: str | None,
    owner_title: str,
    owner_phone: str,
    sender: str | None,
    reply_to: str,
    locale: str,
    timezone: str,
    form_of_address: str,
    quota: int,
    approval_mode: str,
    send_time: str,
    holiday_country: str | None,
) -> None:
    """Create the database (if needed) and the business.

    Run again, it changes nothing: without --name, or with the name of a business that
    exists, it says so. A new --name adds another business to the same database.
    """
    migrate_schema(state.engine)
    with write_session(state.engine) as session:
        query = select(Business).order_by(col(Business.id))
        if name:
            query = query.where(Business.name == " ".join(name.split()))
        existing = session.exec(query).first()
        if existing is not None:
            click.echo(
                f"The business “{existing.name}” (id {existing.id}) already exists; "
                "nothing was changed. The database is up to date."
            )
            return
        name = _prompt_or_fail(name, "--name", "Business name")
        owner = _prompt_or_fail(owner, "--owner", "Your name, as you sign letters")
        sender = _prompt_or_fail(sender, "--sender", "The address letters come from")
        sender = _valid_address(sender, "--sender")
        reply_to = _valid_address(reply_to, "--reply-to") if reply_to else ""
        _valid_timezone(timezone)
        try:
            hours, minutes = (int(p) for p in send_time.split(":"))
            if not (0 <= hours < 24 and 0 <= minutes < 60):
                raise ValueError
        except ValueError:
            raise Usage(f"--send-time {send_time!r} is not a time like 09:00") from None
        country, _, subdivision = (holiday_country or "").upper().partition("-")
        if country:
            _check_holidays(country, subdivision or None)
        business = Business(
            name=" ".join(name.split()),
            owner_name=" ".join(owner.split()),
            owner_title=owner_title,
            owner_phone=owner_phone,
            sender_email=sender,
            reply_to=reply_to,
            locale=locale,
            form_of_address=form_of_address,
            timezone=timezone,
            daily_quota=quota,
            approval_mode=approval_mode,
            send_time=f"{hours:02d}:{minutes:02d}",
            holiday_country=country or None,
            holiday_subdivision=subdivision or None,
        )
        session.add(business)
        session.flush()
        click.echo(
            f"Created “{business.name}” (id {business.id}). Next: "
            "`followup clients import clients.csv`, then `followup daily`."
        )


def _check_holidays(country: str, subdivision: str | None) -> None:
    import holidays

    supported = holidays.list_supported_countries()
    if country not in supported:
        raise Usage(f"--holidays {country!r}: no holiday calendar for that country (e.g. ES, GB)")
    if subdivision and subdivision not in supported[country]:
        regions = ", ".join(supported[country]) or "none"
        raise Usage(f"--holidays {country}-{subdivision}: unknown region (known: {regions})")


@cli.command()
@pass_state
@handled
def migrate(state: State) -> None:
    """Bring the database schema up to date (safe to run any time)."""
    migrate_schema(state.engine)
    click.echo("The database schema is up to date.")


def _print_picks(picks: Any) -> None:
    for rank, c in enumerate(picks, start=1):
        click.echo(f"{rank:>3}. [{c.tier}] {c.client_name} — {c.kind}: {c.reason}")


@cli.command()
@click.option("--date", "day_text", metavar="YYYY-MM-DD", help="Act as if it were this local day.")
@click.option("--explain", is_flag=True, help="Show the whole ranked candidate list.")
@click.option(
    "--limit",
    type=click.IntRange(1),
    default=None,
    help="With --explain: show only the first N candidates.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
@handled
def pick(
    state: State, day_text: str | None, explain: bool, limit: int | None, as_json: bool
) -> None:
    """Show who would be picked today, and why. Writes nothing."""
    from followup.calendar import why_not_working
    from followup.picking import tiers as picking

    with read_session(state.engine) as session:
        business = state.business(session)
        day = state.today(business, day_text)
        closed = why_not_working(business, day)
        if explain:
            chosen = picking.explain(session, business, day, limit=limit)
        elif closed is None:
            chosen = picking.pick(session, business, day)
        else:
            chosen = []
    if as_json:
        emit_json(
            [
                {
                    "client_id": c.client_id,
                    "client_name": c.client_name,
                    "tier": c.tier,
                    "kind": c.kind,
                    "reason": c.reason,
                }
                for c in chosen
            ]
        )
        return
    if closed is not None:
        click.echo(f"Nothing is picked: {closed}.")
        if not explain:
            return
        click.echo("Candidates if it were a working day:")
    elif explain:
        click.echo(
            f"Candidates for {day.isoformat()} (the first {business.daily_quota} are picked):"
        )
    else:
        click.echo(f"Picks for {day.isoformat()}:")
    if not chosen:
        click.echo("  nobody: every client is in cooldown, waiting for approval or not reachable.")
    _print_picks(chosen)


@cli.command()
@click.option("--date", "day_text", metavar="YYYY-MM-DD", help="Act as if it were this local day.")
@pass_state
@handled
def daily(state: State, day_text: str | None) -> None:
    """Pick today's clients and draft their letters (once per day, however often run)."""
    from followup.jobs import run_day

    with read_session(state.engine) as session:
        business = state.business(session)
        day = state.today(business, day_text)
    assert business.id is not None
    result = run_day(state.engine, business.id, day, now())
    _report_day(result, business)


def _report_day(result: Any, business: Business) -> None:
    day = result.day.isoformat()
    if result.status == "not_working_day":
        click.echo(f"{business.name}: nothing to do, {result.reason}.")
    elif result.status == "already_done":
        click.echo(f"{business.name}: the letters for {day} were already drafted.")
    else:
        waiting = (
            "approved, to be sent at " + business.send_time
            if (business.approval_mode == ApprovalMode.auto)
            else "waiting for your approval"
        )
        click.echo(f"{business.name}: {len(result.picks)} letter(s) drafted for {day}, {waiting}:")
        for rank, (c, letter_id) in enumerate(zip(result.picks, result.letter_ids, strict=True), 1):
            click.echo(f"{rank:>3}. letter {letter_id}: {c.client_name} — {c.kind}: {c.reason}")
        if result.picks and business.approval_mode != ApprovalMode.auto:
            click.echo(
                "Read them with `followup letters show ID`; approve with "
                "`followup letters approve ID`."
            )


@cli.command()
@pass_state
@handled
def send(state: State) -> None:
    """Send the approved letters whose send time has come."""
    from followup.jobs import send_due
    from followup.mail.message import mailer_for

    state.settings.check_production()
    with read_session(state.engine) as session:
        business = state.business(session)
    summary = send_due(
        state.engine, state.settings, now(), mailer_for(state.settings), business_id=business.id
    )
    click.echo(_send_words(summary))
    if summary.failed:
        sys.exit(EXIT_REJECTED)


def _send_words(summary: Any) -> str:
    words = (
        f"Sent {summary.sent} letter(s); {summary.retried} will be retried; "
        f"{summary.failed} failed."
    )
    if summary.uncertain:
        words += (
            f" {summary.uncertain} may or may not have gone out: they are never resent "
            "by themselves; check them with `followup letters list --status uncertain`."
        )
    return words


@cli.command()
@click.option("--date", "day_text", metavar="YYYY-MM-DD", help="Act as if it were this local day.")
@pass_state
@handled
def tick(state: State, day_text: str | None) -> None:
    """The one cron entry: today's run if not done, housekeeping, then sending."""
    from followup.jobs import tick as run_tick
    from followup.mail.message import mailer_for

    state.settings.check_production()
    day = parse_day(day_text)
    report = run_tick(
        state.engine,
        state.settings,
        now(),
        mailer_for(state.settings),
        day=day,
        business_id=state.business_ref,
    )
    for line in report.lines():
        click.echo(line)


@cli.command()
@click.option(
    "--date", "day_text", metavar="YYYY-MM-DD", help="Build the demo as if today were this day."
)
@pass_state
@handled
def demo(state: State, day_text: str | None) -> None:
    """Create a demo bicycle workshop with thirty clients, and draft its first letters."""
    from followup.calendar import is_working_day, next_working_day
    from followup.demo import BUSINESS, create_demo
    from followup.jobs import run_day

    migrate_schema(state.engine)
    with write_session(state.engine) as session:
        if session.exec(select(Business)).first() is not None:
            raise Usage(
                "this database already has a business; the demo needs an empty one "
                "(set FOLLOWUP_DATABASE_URL=sqlite:///demo.db to try it beside yours)"
            )
        today = parse_day(day_text) or now().astimezone(ZoneInfo(BUSINESS["timezone"])).date()
        business = create_demo(session, today)
    click.echo(
        f"Created the demo business “{business.name}” with 30 clients and their recent "
        "purchases, two complaints, a helping hand, a lost and a recovered client."
    )
    day = today if is_working_day(business, today) else next_working_day(business, today)
    assert business.id is not None
    _report_day(run_day(state.engine, business.id, day, now()), business)
