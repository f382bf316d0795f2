"""Special guarantees from the command line: add and list."""

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
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def guarantees_list(state: State, as_json: bool) -> None:
    """List special guarantees."""
    from followup.services import list_guarantees

    with read_session(state.engine) as session:
        business = state.business(session)
        assert business.id is not None
        rows = list_guarantees(session, business.id)
    if as_json:
        emit_json(rows)
        return
    for g in rows:
        nxt = f", next check-in {g.next_checkin_on}" if g.next_checkin_on else ""
        click.echo(
            f"{g.id:>4}  {g.client_name}  {g.status}  {g.starts_on} → {g.ends_on}{nxt}: {g.terms}"
        )
    click.echo(f"{len(rows)} guarantee(s).", err=True)
