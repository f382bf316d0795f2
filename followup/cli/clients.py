"""Clients and events from the command line: import, export, list, add."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from sqlmodel import col, select

from followup.cli.app import (
    State,
    Usage,
    cli,
    emit_json,
    fail,
    handled,
    pass_state,
)
from followup.db import read_session, write_session
from followup.models import Client, EventKind

# Files this long get a progress bar on a terminal.
PROGRESS_FROM_ROWS = 500


def _read_file(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise Usage(f"cannot read {path}: {exc.strerror or exc}") from None


def _import_with_progress(importer: Any, data: bytes, **kwargs: Any) -> Any:
    """Run ``importer`` with a progress bar when a person is watching a large file."""
    from followup.clients import parse_csv

    if not sys.stderr.isatty():
        return importer(data=data, **kwargs)
    total = len(parse_csv(data)[1])
    if total < PROGRESS_FROM_ROWS:
        return importer(data=data, **kwargs)
    with click.progressbar(length=total, label="Importing", file=sys.stderr) as bar:
        return importer(data=data, progress=bar.update, **kwargs)


def _report_import(report: Any, what: str, dry_run: bool = False) -> None:
    for note in report.warnings:
        click.echo(f"  note: row {note.row}, {note.column or 'file'}: {note.message}", err=True)
    for problem in report.problems:
        where = f"row {problem.row}" + (f", column {problem.column}" if problem.column else "")
        click.echo(f"  rejected: {where}: {problem.message}", err=True)
    verb = "Would import" if dry_run else "Imported"
    click.echo(
        f"{verb} {what}: {report.created} new, {report.updated} updated, "
        f"{report.unchanged} unchanged, {len(report.problems)} rejected."
    )
    if report.problems:
        fail(
            f"{len(report.problems)} row(s) were rejected (listed above); "
            "the other rows were kept. Fix those rows and import the file again."
        )


@cli.group()
def clients() -> None:
    """Import, export and list clients."""


@clients.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the file and report; change nothing.")
@pass_state
@handled
def clients_import(state: State, file: str, dry_run: bool) -> None:
    """Import clients from a CSV file (re-importing updates, never duplicates)."""
    from followup.clients import import_clients
    from followup.spreadsheets.reading import CsvFormatError

    data = _read_file(file)
    with write_session(state.engine) as session:
        business = state.business(session)
        try:
            report = _import_with_progress(
                import_clients, data, session=session, business_id=business.id, dry_run=dry_run
            )
        except CsvFormatError as exc:
            raise Usage(f"{file}: {exc}") from None
        if dry_run:
            session.rollback()
    _report_import(report, "clients", dry_run)


@clients.command("export")
@click.argument("file", required=False, type=click.Path(dir_okay=False, writable=True))
@pass_state
@handled
def clients_export(state: State, file: str | None) -> None:
    """Write every client as CSV (to FILE, or to standard output)."""
    from followup.clients import export_clients

    with read_session(state.engine) as session:
        business = state.business(session)
        assert business.id is not None
        if file is None:
            export_clients(session, business.id, sys.stdout)
            return
        try:
            with open(file, "w", encoding="utf-8", newline="") as out:
                count = export_clients(session, business.id, out)
        except OSError as exc:
            raise Usage(f"cannot write {file}: {exc.strerror or exc}") from None
    click.echo(f"Exported {count} clients to {file}.", err=True)


@clients.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
@handled
def clients_list(state: State, as_json: bool) -> None:
    """List the clients."""
    with read_session(state.engine) as session:
        business = state.business(session)
        rows = list(
            session.exec(
                select(Client).where(Client.business_id == business.id).order_by(col(Client.id))
            )
        )
    if as_json:
        emit_json(
            [
                {
                    "id": c.id,
                    "name": c.name,
                    "email": c.email,
                    "status": c.status,
                    "do_not_contact": c.do_not_contact,
                }
                for c in rows
            ]
        )
        return
    for c in rows:
        flag = f"  (do not contact: {c.do_not_contact_reason})" if c.do_not_contact else ""
        click.echo(f"{c.id:>5}  {c.name}  <{c.email or c.phone or '-'}>  {c.status}{flag}")
    click.echo(f"{len(rows)} client(s).", err=True)


@cli.group()
def events() -> None:
    """Record what happened with clients: the input to picking."""


@events.command("add")
@click.argument("client_ref", metavar="CLIENT")
@click.option("--kind", required=True, type=click.Choice([k.value for k in EventKind]))
@click.option("--summary", required=True, help="One line: what happened.")
@click.option(
    "--on", "day_text", metavar="YYYY-MM-DD", help="The day it happened (default: today)."
)
@click.option("--item", help="What was bought or concerned.")
@click.option("--amount", help="The amount involved, e.g. 45.90.")
@click.option("--compensation", help="The remedy decided, in the words the letter should use.")
@pass_state
@handled
def events_add(
    state: State,
    client_ref: str,
    kind: str,
    summary: str,
    day_text: str | None,
    item: str | None,
    amount: str | None,
    compensation: str | None,
) -> None:
    """Record an event for CLIENT (an id, an email or an external reference)."""
    from followup.events import EventInput, add_event

    with write_session(state.engine) as session:
        business, client = state.client(session, client_ref)
        day = state.today(business, day_text, "--on")
        event = add_event(
            session, client, EventInput(kind, day, summary, item, amount, compensation)
        )
    click.echo(f"Recorded event {event.id}: {kind} for {client.name} on {day.isoformat()}.")


@events.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@pass_state
@handled
def events_import(state: State, file: str) -> None:
    """Import events from a CSV file (client, kind, date, summary, …)."""
    from followup.spreadsheets.events import import_events
    from followup.spreadsheets.reading import CsvFormatError

    data = _read_file(file)
    with write_session(state.engine) as session:
        business = state.business(session)
        try:
            report = _import_with_progress(
                import_events, data, session=session, business_id=business.id
            )
        except CsvFormatError as exc:
            raise Usage(f"{file}: {exc}") from None
    _report_import(report, "events")
