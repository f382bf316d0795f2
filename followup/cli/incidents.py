"""Incidents from the command line: list, compensate, resolve.

A complaint is an incident: ``events add CLIENT --kind complaint`` records one (with
``--compensation`` when the remedy is already decided). It stays open until the owner
records what caused it inside and what was changed (``incidents resolve``).
"""

from __future__ import annotations

import click

from followup.cli.app import State, cli, emit_json, now, pass_state
from followup.db import read_session, write_session


@cli.group()
def incidents() -> None:
    """Complaints as incidents: the compensation decided, the cause found, what changed."""


@incidents.command("list")
@click.option("--open", "open_only", is_flag=True, help="Only incidents without a recorded cause.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def incidents_list(state: State, open_only: bool, as_json: bool) -> None:
    """List incidents (complaints), newest first."""
    from followup.services import list_incidents

    with read_session(state.engine) as session:
        business = state.business(session)
        assert business.id is not None
        rows = list_incidents(session, business.id, open_only=open_only)
    if as_json:
        emit_json(rows)
        return
    for i in rows:
        click.echo(f"{i.id:>5}  {i.day}  {i.client_name}: {i.summary}")
        worth = ", ".join(v for v in (i.compensation_kind, i.compensation_amount) if v)
        click.echo(
            f"       compensation: {i.compensation or '(none decided)'}"
            f"{f' ({worth})' if worth else ''}"
        )
        if i.open:
            click.echo("       open: no cause recorded yet")
        else:
            click.echo(f"       cause: {i.cause}")
            click.echo(f"       action: {i.action}")
    click.echo(f"{len(rows)} incident(s).", err=True)


@incidents.command("compensate")
@click.argument("event_id", type=int)
@click.option(
    "--compensation",
    required=True,
    help="The remedy decided, written to the client: “le devolvemos el cargo duplicado” "
    "(usted), “te devolvemos el cargo duplicado” (tú), “we'll refund the duplicate charge”.",
)
@click.option(
    "--kind",
    metavar="KIND",
    help="What it is, for your records: refund, discount, free_service, replacement, gift "
    "or other.",
)
@click.option("--amount", help="What it is worth, for your records and the report: 40 or 40,00 €.")
@pass_state
def incidents_compensate(
    state: State, event_id: int, compensation: str, kind: str | None, amount: str | None
) -> None:
    """Decide or change the compensation of incident EVENT_ID (a complaint's event id)."""
    from followup.recovery.incidents import apologies_waiting, compensate, incident_of

    with write_session(state.engine) as session:
        business = state.business(session)
        assert business.id is not None
        event = compensate(
            session, business.id, event_id, compensation, now(), kind=kind, amount=amount
        )
        waiting = apologies_waiting(session, event)
        recorded = incident_of(session, event, now())
        worth = ", ".join(
            v for v in (recorded.compensation_kind, recorded.compensation_amount) if v
        )
    click.echo(
        f"Compensation for incident {event_id} recorded: {event.compensation}"
        f"{f' ({worth})' if worth else ''}. The apology names it."
    )
    for letter_id in waiting:
        click.echo(
            f"Apology letter {letter_id} was written before and does not name it: edit it "
            f"(`followup letters edit {letter_id}`) or cancel it and a new one is drafted."
        )


@incidents.command("resolve")
@click.argument("event_id", type=int)
@click.option("--cause", required=True, help="What went wrong inside, in a few words.")
@click.option("--action", required=True, help="What was changed so it does not happen again.")
@pass_state
def incidents_resolve(state: State, event_id: int, cause: str, action: str) -> None:
    """Record the internal cause of incident EVENT_ID and the corrective action: it closes."""
    from followup.recovery.incidents import resolve

    with write_session(state.engine) as session:
        business = state.business(session)
        assert business.id is not None
        resolve(session, business.id, event_id, cause=cause, action=action, now=now())
    click.echo(f"Incident {event_id} is closed: its cause and the corrective action are recorded.")
