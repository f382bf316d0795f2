"""Who gets a letter: pick (and why), and the owner's say: skip today, pin a coming day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import click

from followup.cli.app import DAY, State, cli, emit_json, now, pass_state
from followup.db import read_session, write_session
from followup.outbox import OWNER_DECIDES
from followup.schemas import CallView, PickView


@cli.command()
@click.option("--date", "day", type=DAY, help="Act as if it were this local day.")
@click.option("--explain", is_flag=True, help="Show the whole ranked candidate list.")
@click.option(
    "--limit",
    type=click.IntRange(1),
    default=None,
    help="With --explain: show only the first N candidates.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def pick(state: State, day: date | None, explain: bool, limit: int | None, as_json: bool) -> None:
    """Show who would be picked today, and why. Writes nothing."""
    from followup.services import list_letters, list_picks, open_calls

    with read_session(state.engine) as session:
        business = state.business(session)
        assert business.id is not None
        day = state.today(business, day)
        closed, chosen = list_picks(session, business, day, explain=explain, limit=limit)
        undecided = list_letters(session, business.id, status="uncertain") if explain else []
        calls = open_calls(session, business.id)
    if as_json:
        emit_json(chosen)
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
    print_calls(calls)
    if undecided:
        click.echo(f"Not picked until you decide ({OWNER_DECIDES}):")
        for letter in undecided:
            click.echo(
                f"  {letter.client_name}: letter {letter.id} ({letter.kind}, {letter.day}) "
                "may or may not have reached them"
            )


def print_calls(calls: Sequence[CallView]) -> None:
    """The calls waiting for the owner, with their numbers and how to close each."""
    if not calls:
        return
    click.echo("Calls to make (read the talking points with `followup letters show ID`):")
    for call in calls:
        phone = f" ({call.phone})" if call.phone else ""
        click.echo(f"  ☎ letter {call.id}: {call.client_name}{phone} — {call.kind}: {call.subject}")
    click.echo('Once done: `followup letters mark-done ID --outcome "how it went"`.')


def _print_picks(picks: Sequence[PickView]) -> None:
    for rank, c in enumerate(picks, start=1):
        click.echo(f"{rank:>3}. [{c.tier}] {c.client_name} — {c.kind}{_how(c)}: {c.reason}")


def _how(pick: PickView) -> str:
    """What the owner will do besides approving: a call instead of, or beside, a letter."""
    if pick.channel == "call":
        return " (a call: no email address)"
    return " (and a call: asked for)" if pick.with_call else ""


@cli.command()
@click.argument("client_ref", metavar="CLIENT")
@click.option("--date", "day", type=DAY, help="The day of the pick (today).")
@pass_state
def skip(state: State, client_ref: str, day: date | None) -> None:
    """Skip CLIENT's pick: its letter is cancelled and the next candidate takes its place.

    The client's reason stays open, so they come back on a later day.
    """
    from followup.jobs import skip_pick

    with write_session(state.engine) as session:
        business, client = state.client(session, client_ref)
        day = state.today(business, day)
        assert client.id is not None
        replacement = skip_pick(session, business, day, client.id, now())
    click.echo(f"Skipped {client.name} on {day.isoformat()}.")
    if replacement is None:
        click.echo("Nobody else is waiting for a letter today.")
    else:
        click.echo(
            f"In their place: {replacement.client_name} — {replacement.kind}: {replacement.reason}"
        )


@cli.command()
@click.argument("client_ref", metavar="CLIENT")
@click.option("--on", "day", type=DAY, required=True, help="The coming working day.")
@click.option("--date", "today", type=DAY, help="Act as if today were this local day.")
@pass_state
def pin(state: State, client_ref: str, day: date, today: date | None) -> None:
    """Pin CLIENT for a coming day: they are picked first that day."""
    from followup.picking.owner import pin_client

    with write_session(state.engine) as session:
        business, client = state.client(session, client_ref)
        pin_client(session, business, client, day, now(), state.today(business, today))
    click.echo(f"Pinned {client.name} for {day.isoformat()}.")
