"""The day's routine: daily, send, tick."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import UTC, date

import click

from followup.cli.app import DAY, EXIT_REJECTED, EXIT_USAGE, State, cli, now, pass_state
from followup.db import read_session
from followup.jobs import DayResult, SendSummary
from followup.jobs.sending import paused_reasons
from followup.jobs.tick import stop_lines
from followup.models import ApprovalMode, Business
from followup.outbox import OWNER_DECIDES

DATE_HELP = "Act as if it were this local day (at its send time, for sending)."


@cli.command()
@click.option("--date", "day", type=DAY, help="Act as if it were this local day.")
@pass_state
def daily(state: State, day: date | None) -> None:
    """Pick today's clients and draft their letters (once per day, however often run)."""
    from followup.jobs import run_day

    with read_session(state.engine) as session:
        business = state.business(session)
        day = state.today(business, day)
    state.refuse_future(business, day)
    assert business.id is not None
    report_day(run_day(state.engine, business.id, day, now()), business)
    from followup.cli.picks import print_calls
    from followup.services import open_calls

    with read_session(state.engine) as session:
        print_calls(open_calls(session, business.id))


def report_day(result: DayResult, business: Business) -> None:
    """What ``run_day`` did, in the owner's words."""
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
@click.option("--date", "day", type=DAY, help=DATE_HELP)
@pass_state
def send(state: State, day: date | None) -> None:
    """Send the approved letters whose send time has come.

    On SIGTERM or Ctrl-C the letter being sent is finished, the others go back to the
    queue, and the command ends with code 128 + the signal.
    """
    from followup.calendar import send_moment
    from followup.jobs import send_due
    from followup.jobs.stopping import stop_on_signals
    from followup.mail.mailer import mailer_for

    with read_session(state.engine) as session:
        business = state.business(session)
    due_at = None
    if day is not None:
        state.refuse_future(business, day)
        due_at = max(now(), send_moment(business, day).astimezone(UTC))
    mailer = mailer_for(state.settings)
    with stop_on_signals() as stop:
        summary = send_due(
            state.engine,
            state.settings,
            now,
            mailer,
            business_id=business.id,
            due_at=due_at,
            stop=stop,
        )
    click.echo(_send_words(summary))
    paused = paused_reasons(state.engine, state.settings, business.id)
    finish(summary, stop.exit_code if stop() else None, paused)


def finish(summary: SendSummary, signalled: int | None, paused: Sequence[str] = ()) -> None:
    """Say why sending stopped or is paused, if it is, and exit with the code that says so."""
    for reason in paused:
        click.echo(f"{reason[:1].upper()}{reason[1:]}.", err=True)
    for line in stop_lines(summary):
        click.echo(line, err=True)
    if signalled is not None:
        sys.exit(signalled)
    if summary.stopped or paused:
        sys.exit(EXIT_USAGE)
    if summary.failed:
        sys.exit(EXIT_REJECTED)


def _send_words(summary: SendSummary) -> str:
    words = (
        f"Sent {summary.sent} letter(s); {summary.retried} will be retried; "
        f"{summary.failed} failed."
    )
    if summary.uncertain:
        words += (
            f" {summary.uncertain} may or may not have gone out: they are never resent "
            "by themselves; find them with `followup letters list --status uncertain`, "
            f"then {OWNER_DECIDES}."
        )
    return words


@cli.command()
@click.option("--date", "day", type=DAY, help=DATE_HELP)
@pass_state
def tick(state: State, day: date | None) -> None:
    """The one cron entry: today's run if not done, housekeeping, sending, then the inbox.

    Stops safely on SIGTERM or Ctrl-C, as `send` does. An inbox that cannot be read is
    said in one line on stderr; sending is not affected and the exit code stays 0.
    """
    from followup.jobs import tick as run_tick
    from followup.jobs.stopping import stop_on_signals
    from followup.mail.mailer import mailer_for

    if day is not None:
        with read_session(state.engine) as session:
            for business in state.businesses(session):
                state.refuse_future(business, day)
    with stop_on_signals() as stop:
        report = run_tick(
            state.engine,
            state.settings,
            now,
            mailer_for(state.settings),
            day=day,
            business_id=state.business_ref,
            stop=stop,
        )
    for line in report.lines():
        click.echo(line)
    for line in report.reading_problems():
        click.echo(f"{line[:1].upper()}{line[1:]}", err=True)
    paused = paused_reasons(state.engine, state.settings, state.business_ref)
    finish(report.sending, stop.exit_code if stop() else None, paused)
