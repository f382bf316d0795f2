"""Clients from the command line: import, export, list."""

from __future__ import annotations

import sys

import click

from followup.cli.app import State, Usage, cli, emit_json, now, pass_state
from followup.cli.files import import_with_progress, readable_file, report_import
from followup.db import read_session
from followup.models import ClientStatus


@cli.group()
def clients() -> None:
    """Import, export and list clients."""


@clients.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the file and report; change nothing.")
@pass_state
def clients_import(state: State, file: str, dry_run: bool) -> None:
    """Import clients from a CSV file (re-importing updates, never duplicates).

    Saved every 1,000 rows: an import that stops half-way is finished by running it again.
    """
    from followup.spreadsheets.clients import import_clients

    path = readable_file(file)
    with read_session(state.engine) as session:
        business_id = state.business(session).id
    report = import_with_progress(
        import_clients,
        path,
        engine=state.engine,
        business_id=business_id,
        now=now(),
        dry_run=dry_run,
    )
    report_import(report, "clients", dry_run)


@clients.command("export")
@click.argument("file", required=False, type=click.Path(dir_okay=False, writable=True))
@pass_state
def clients_export(state: State, file: str | None) -> None:
    """Write every client as CSV (to FILE, or to standard output)."""
    from followup.spreadsheets.clients import export_clients

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
@click.option("--status", type=click.Choice([s.value for s in ClientStatus]))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def clients_list(state: State, status: str | None, as_json: bool) -> None:
    """List the clients."""
    from followup.services import list_clients

    with read_session(state.engine) as session:
        business = state.business(session)
        assert business.id is not None
        rows = list_clients(session, business.id, status=status)
    if as_json:
        emit_json(rows)
        return
    for c in rows:
        flag = f"  (do not contact: {c.do_not_contact_reason})" if c.do_not_contact else ""
        click.echo(f"{c.id:>5}  {c.name}  <{c.email or c.phone or '-'}>  {c.status}{flag}")
    click.echo(f"{len(rows)} client(s).", err=True)
