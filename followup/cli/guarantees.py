"""Special guarantees from the command line: add, list, satisfied, claim, cancel."""

from __future__ import annotations

from datetime import date

import click

from followup.cli.app import DAY, State, cli, emit_json, now, pass_state
from followup.db import read_session, write_session


@cli.group()
def guarantees() -> None:
    """Special guarantees for clients who came back after an error."""


@guarantees.command("add")
@click.argument("client_ref", metavar="CLIENT")
@click.option("--months", required=True, type=int, help="How long it runs.")
@click.option(
    "--terms",
    required=True,
    help="What it covers, written to the client: “if the wheel fails again, we replace it”.",
)
@click.option(
    "--payout", default="", help="What we pay or do if the error repeats, written to the client."
)
@click.option("--starts", "day", type=DAY, help="First day (default: today).")
@pass_state
def guarantees_add(
    state: State, client_ref: str, months: int, terms: str, payout: str, day: date | None
) -> None:
    """Give CLIENT a special guarantee beyond the normal one."""
    from followup.recovery.guarantees import create_guarantee

    with write_session(state.engine) as session:
        business, client = state.client(session, client_ref)
        starts = state.today(business, day)
        g = create_guarantee(
            session,
            client,
            months=months,
            terms=terms,
            payout=payout,
            starts_on=starts,
            now=now(),
        )
    click.echo(
        f"Guarantee {g.id} for {client.name}: {g.starts_on} to {g.ends_on}; "
        f"first check-in on {g.next_checkin_on}. The offer letter is drafted with "
        "the next daily run."
    )


@guarantees.command("list")
@click.option("--status", type=click.Choice(["active", "claimed", "expired", "cancelled"]))
@click.option("--date", "day", type=DAY, help="Count the days left from this day (today).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def guarantees_list(state: State, status: str | None, day: date | None, as_json: bool) -> None:
    """List special guarantees, the soonest to end first; those ending within a week are
    marked."""
    from followup.services import list_guarantees

    with read_session(state.engine) as session:
        business = state.business(session)
        assert business.id is not None
        rows = list_guarantees(
            session, business.id, status=status, day=state.today(business, day)
        )
    if as_json:
        emit_json(rows)
        return
    for g in rows:
        nxt = f", next check-in {g.next_checkin_on}" if g.next_checkin_on else ""
        left = ""
        if g.days_left is not None:
            left = f", {g.days_left} day(s) left" + (" — ENDING THIS WEEK" if g.ending_soon else "")
        claims = f", {g.claims} claim(s)" if g.claims else ""
        why = f" ({g.cancelled_why})" if g.cancelled_why else ""
        click.echo(
            f"{g.id:>4}  {g.client_name}  {g.status}{why}  {g.starts_on} → {g.ends_on}"
            f"{left}{claims}{nxt}: {g.terms}"
        )
    click.echo(f"{len(rows)} guarantee(s).", err=True)


@guarantees.command("satisfied")
@click.argument("guarantee_id", metavar="GUARANTEE", type=int)
@click.option("--note", required=True, help="How the call went, in a few words.")
@click.option("--date", "day", type=DAY, help="The day of the call (today).")
@pass_state
def guarantees_satisfied(state: State, guarantee_id: int, note: str, day: date | None) -> None:
    """The client is satisfied (after a call): recorded as a call, and the next check-in
    is skipped."""
    from followup.recovery.lifecycle import get_guarantee, mark_satisfied

    with write_session(state.engine) as session:
        business = state.business(session)
        assert business.id is not None
        g = get_guarantee(session, business.id, guarantee_id)
        mark_satisfied(session, g, day=state.today(business, day), note=note, now=now())
        nxt = g.next_checkin_on
    then = f"the next check-in is on {nxt}" if nxt else "no check-in is left"
    click.echo(f"Guarantee {guarantee_id}: recorded; {then}.")


@guarantees.command("claim")
@click.argument("guarantee_id", metavar="GUARANTEE", type=int)
@click.option("--what", required=True, help="What went wrong again, written to the client.")
@click.option("--date", "day", type=DAY, help="The day it happened (today).")
@pass_state
def guarantees_claim(state: State, guarantee_id: int, what: str, day: date | None) -> None:
    """The error repeated: a claim against GUARANTEE with its promised payout, recorded as
    a complaint, whose apology states what the guarantee gives the client now."""
    from followup.recovery.lifecycle import claim, get_guarantee

    with write_session(state.engine) as session:
        business = state.business(session)
        assert business.id is not None
        g = get_guarantee(session, business.id, guarantee_id)
        made = claim(session, g, day=state.today(business, day), what=what, now=now())
    payout = f"; the guarantee promised: {made.payout}" if made.payout else ""
    click.echo(
        f"Claim {made.id} on guarantee {guarantee_id}{payout}. The apology is drafted with "
        "the next daily run."
    )


@guarantees.command("cancel")
@click.argument("guarantee_id", metavar="GUARANTEE", type=int)
@click.option("--reason", required=True, help="Why, in a few words.")
@pass_state
def guarantees_cancel(state: State, guarantee_id: int, reason: str) -> None:
    """Cancel a running guarantee, with the reason; its unsent letters are cancelled."""
    from followup.recovery.lifecycle import cancel_guarantee, get_guarantee

    with write_session(state.engine) as session:
        business = state.business(session)
        assert business.id is not None
        g = get_guarantee(session, business.id, guarantee_id)
        letters = cancel_guarantee(session, g, reason=reason, now=now())
    click.echo(f"Guarantee {guarantee_id} is cancelled; {letters} unsent letter(s) cancelled.")
