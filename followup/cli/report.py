"""``followup report``: what service recovery achieved, as a short table or JSON."""

from __future__ import annotations

from datetime import date

import click

from followup.cli.app import DAY, State, cli, emit_json, pass_state
from followup.db import read_session


@cli.command("report")
@click.option("--since", type=DAY, help="Count from this local day on (default: all time).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def report(state: State, since: date | None, as_json: bool) -> None:
    """Letters sent, replies, clients recovered and buying again, guarantees, open incidents."""
    from followup.services import report as outcomes

    with read_session(state.engine) as session:
        business = state.business(session)
        assert business.id is not None
        view = outcomes(session, business.id, since)
    if as_json:
        emit_json(view)
        return
    g = view.guarantees
    rows = [
        ("Letters sent", view.letters_sent_total),
        *((f"  {kind.replace('_', ' ')}", n) for kind, n in view.letters_sent.items()),
        ("Replies recorded", view.replies),
        ("Clients recovered", view.recovered),
        ("  who bought again", view.bought_again),
        ("Guarantees active", g.active),
        ("  claimed", g.claimed),
        ("  expired", g.expired),
        ("  cancelled", g.cancelled),
        ("Incidents", view.incidents),
        ("  without a recorded cause", view.open_incidents),
    ]
    click.echo(f"Since {since.isoformat()}:" if since else "All time:")
    for label, number in rows:
        click.echo(f"{label:<28}{number:>6}")
