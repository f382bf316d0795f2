"""The owner's say in the picks: skip a client today, pin a client for a coming day."""

from __future__ import annotations

import click

from followup.cli.app import State, cli, fail, handled, now, parse_day, pass_state
from followup.db import write_session


@cli.command()
@click.argument("client_ref", metavar="CLIENT")
@click.option("--date", "day_text", metavar="YYYY-MM-DD", help="The day of the pick (today).")
@pass_state
@handled
def skip(state: State, client_ref: str, day_text: str | None) -> None:
    """Skip CLIENT's pick: its letter is cancelled and the next candidate takes its place.

    The client's reason stays open, so they come back on a later day.
    """
    from followup.jobs.day import DayError, skip_pick

    with write_session(state.engine) as session:
        business, client = state.client(session, client_ref)
        day = state.today(business, day_text)
        assert client.id is not None
        try:
            replacement = skip_pick(session, business, day, client.id, now())
        except DayError as exc:
            fail(str(exc))
    click.echo(f"Skipped {client.name} on {day.isoformat()}.")
    if replacement is None:
        click.echo("Nobody else is waiting for a letter today.")
    else:
        click.echo(
            f"In their place: {replacement.client_name} — {replacement.kind}: {replacement.reason}"
        )


@cli.command()
@click.argument("client_ref", metavar="CLIENT")
@click.option(
    "--on", "day_text", required=True, metavar="YYYY-MM-DD", help="The coming working day."
)
@pass_state
@handled
def pin(state: State, client_ref: str, day_text: str) -> None:
    """Pin CLIENT for a coming day: they are picked first that day."""
    from followup.jobs.day import DayError, pin_client

    day = parse_day(day_text, "--on")
    assert day is not None
    with write_session(state.engine) as session:
        business, client = state.client(session, client_ref)
        try:
            pin_client(session, business, client, day)
        except DayError as exc:
            fail(str(exc))
    click.echo(f"Pinned {client.name} for {day.isoformat()}.")
