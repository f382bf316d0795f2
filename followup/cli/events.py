"""Events from the command line: what happened with a client, the input to picking.

``events add`` reads a kind and a day as ``events import`` reads them (``followup.events``):
a kind in English or Spanish, a day as ISO or day first; what the import refuses by row,
it refuses as a usage error (exit code 2) naming what it accepts.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from followup.cli.app import State, cli, emit_json, now, pass_state
from followup.cli.files import import_with_progress, readable_file, report_import
from followup.db import read_session, write_session
from followup.events import DAYS_ACCEPTED, KINDS_ACCEPTED, event_kind, parse_day


class Kind(click.ParamType):
    """An event kind in English or Spanish, as an events file may name it."""

    name = "KIND"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        kind = event_kind(str(value))
        if kind is None:
            self.fail(f"unknown kind {value!r}: {KINDS_ACCEPTED}", param, ctx)
        return kind


class EventDay(click.ParamType):
    """A day as an events file may write it: ISO or day first."""

    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        day = parse_day(str(value))
        if day is None:
            self.fail(f"{value!r} is not a date: {DAYS_ACCEPTED}", param, ctx)
        return day


KIND, EVENT_DAY = Kind(), EventDay()


@cli.group()
def events() -> None:
    """Record what happened with clients: the input to picking.

    The summary and the compensation go into the letter as written, so write them to the
    client, in their language and form of address (usted, tú or English).
    """


@events.command("add")
@click.argument("client_ref", metavar="CLIENT")
@click.option(
    "--kind", required=True, type=KIND, help="What happened: purchase, complaint, … or compra, …"
)
@click.option(
    "--summary",
    required=True,
    help="One line, written to the client as the letter will say it: “le cobramos dos veces "
    "la factura” (usted), “te cobramos dos veces la factura” (tú), “we charged you twice "
    "for the invoice” (English); not “he was charged twice”.",
)
@click.option(
    "--on",
    "day",
    type=EVENT_DAY,
    help="The day it happened: 2026-11-04, 04/11/2026 or 4/11/2026 (default: today).",
)
@click.option(
    "--item", help="What was bought or concerned, a noun: “casco y luces”, “helmet and lights”."
)
@click.option("--amount", help="The amount involved, e.g. 45.90.")
@click.option(
    "--compensation",
    help="The remedy decided, written to the client: “le devolvemos el cargo duplicado” "
    "(usted), “te devolvemos el cargo duplicado” (tú), “we refunded the duplicate charge”.",
)
@click.option(
    "--call",
    "wants_call",
    is_flag=True,
    help="A complaint only: you will also call the client; a call task with talking points "
    "is drafted beside the apology.",
)
@pass_state
def events_add(
    state: State,
    client_ref: str,
    kind: str,
    summary: str,
    day: date | None,
    item: str | None,
    amount: str | None,
    compensation: str | None,
    wants_call: bool,
) -> None:
    """Record an event for CLIENT (an id, an email or an external reference)."""
    from followup.events import EventInput
    from followup.services.events import record_event

    with write_session(state.engine) as session:
        business, client = state.client(session, client_ref)
        today = state.today(business, None)
        event, effect = record_event(
            session,
            client,
            EventInput(kind, day or today, summary, item, amount, compensation, wants_call),
            now(),
            today,
        )
        day = event.day
    click.echo(f"Recorded event {event.id}: {kind} for {client.name} on {day.isoformat()}.")
    if effect:
        click.echo(effect)
    if wants_call and not client.phone:
        click.echo(
            f"{client.name} has no phone number on record: add it before the call "
            f"(`followup clients update {client.id} --phone …`)."
        )


@events.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@pass_state
def events_import(state: State, file: str) -> None:
    """Import events from a CSV file (client, kind, date, summary, …).

    A ``call`` column (yes/sí) on a complaint asks for a call beside the apology.
    """
    from followup.spreadsheets.events import import_events

    path = readable_file(file)
    with read_session(state.engine) as session:
        business = state.business(session)
        # The business's local today: an event dated after it has not happened yet.
        today = state.today(business, None)
    report = import_with_progress(
        import_events,
        path,
        engine=state.engine,
        business_id=business.id,
        now=now(),
        today=today,
    )
    report_import(report, "events")


@events.command("list")
@click.option("--client", "client_ref", metavar="CLIENT", help="Only this client's events.")
@click.option("--kind", type=KIND, help="Only events of this kind (English or Spanish).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def events_list(state: State, client_ref: str | None, kind: str | None, as_json: bool) -> None:
    """List events, newest first."""
    from followup.services import list_events

    with read_session(state.engine) as session:
        business = state.business(session)
        client_id = state.client(session, client_ref)[1].id if client_ref else None
        assert business.id is not None
        rows = list_events(session, business.id, client_id=client_id, kind=kind)
    if as_json:
        emit_json(rows)
        return
    for e in rows:
        click.echo(f"{e.id:>5}  {e.day}  {e.kind:<11}  {e.client_name}: {e.summary}")
    click.echo(f"{len(rows)} event(s).", err=True)
