"""Clients from the command line: import, export, list, add, update, forget, end."""

from __future__ import annotations

import sys
from collections.abc import Callable

import click

from followup.cli.app import State, Usage, cli, emit_json, now, pass_state
from followup.cli.files import import_with_progress, readable_file, report_import
from followup.db import read_session, write_session
from followup.models import ClientStatus


def _client_options(command: Callable[..., None]) -> Callable[..., None]:
    """The fields a client has, as options shared by ``clients add`` and ``update``."""
    options = [
        click.option("--greeting", help='How letters greet them: "María José", "Sr. Ortega".'),
        click.option("--email"),
        click.option("--phone"),
        click.option("--company"),
        click.option("--locale", help="The language of their letters: es or en."),
        click.option(
            "--form-of-address",
            type=click.Choice(["usted", "tu"]),
            help="Spanish letters: usted or tu (the business's by default).",
        ),
        click.option("--tags"),
        click.option("--notes", help="Your notes; never shown in a letter."),
        click.option("--ref", "external_ref", help="Your own reference (matched on import)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _given(**fields: str | bool | None) -> dict[str, str | bool]:
    return {field: value for field, value in fields.items() if value is not None}


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


@clients.command("add")
@click.option("--name", required=True, help="Their full name, as you would write it.")
@_client_options
@pass_state
def clients_add(state: State, name: str, **fields: str | None) -> None:
    """Add one client by hand."""
    from followup.clients import add_client
    from followup.greetings import derive_greeting

    with write_session(state.engine) as session:
        business = state.business(session)
        assert business.id is not None
        client = add_client(session, business.id, now(), name=name, **_given(**fields))
    greeting = client.greeting or derive_greeting(client.name)
    click.echo(f"Added client {client.id}: {client.name} (letters greet them as {greeting!r}).")


@clients.command("update")
@click.argument("client_ref", metavar="CLIENT")
@click.option("--name", help="Their full name.")
@_client_options
@click.option(
    "--do-not-contact/--may-contact",
    "do_not_contact",
    default=None,
    help="Stop (or allow again) every letter to them.",
)
@pass_state
def clients_update(state: State, client_ref: str, **fields: str | bool | None) -> None:
    """Change a client's fields (CLIENT: id, email or reference); an empty value clears one."""
    from followup.clients import update_client

    given = _given(**fields)
    if not given:
        raise Usage("nothing to change: give the fields to change, e.g. --greeting 'Sr. Ortega'")
    with write_session(state.engine) as session:
        _, client = state.client(session, client_ref)
        changed = update_client(session, client, now(), **given)
    if not changed:
        click.echo(f"Client {client.id} already had those values; nothing changed.")
        return
    listed = ", ".join(f"{field.replace('_', ' ')} → {value!r}" for field, value in changed.items())
    click.echo(f"Updated client {client.id}: {listed}.")


@clients.command("forget")
@click.argument("client_ref", metavar="CLIENT")
@click.option("--yes", is_flag=True, help="Do not ask: needed when not on a terminal.")
@pass_state
def clients_forget(state: State, client_ref: str, yes: bool) -> None:
    """Erase a client's personal data for good (the GDPR's right to erasure).

    Their name, contact data, notes and the texts of their events and letters are erased
    from the database; open letters are cancelled. The counts stay. This cannot be undone.
    """
    from followup.db import wipe_leftovers
    from followup.forgetting import TABLES, forget_client

    with read_session(state.engine) as session:
        _, client = state.client(session, client_ref)
    if not yes:
        if not sys.stdin.isatty():
            raise Usage("forgetting a client cannot be undone: add --yes to confirm")
        click.confirm(
            f"Erase every personal detail of client {client.id} ({client.name}) for good?",
            abort=True,
        )
    with write_session(state.engine) as session:
        _, client = state.client(session, str(client.id))
        done = forget_client(session, client, now())
    wipe_leftovers(state.engine, TABLES)
    click.echo(
        f"Client {done.client_id} is forgotten: their personal data is erased from "
        f"{done.events} event(s) and {done.letters} letter(s); "
        f"{done.cancelled} open letter(s) cancelled."
    )


@clients.command("end")
@click.argument("client_ref", metavar="CLIENT")
@click.option("--why", required=True, help="Why the relationship ends, in a few words (kept).")
@pass_state
def clients_end(state: State, client_ref: str, why: str) -> None:
    """End the relationship with CLIENT: nothing is sent to them again.

    They become do-not-contact (reason: owner); their open letters and active guarantees
    are cancelled, and a note with WHY goes on their timeline.
    """
    from followup.recovery.ending import end_relationship

    with write_session(state.engine) as session:
        business, client = state.client(session, client_ref)
        ended = end_relationship(session, business, client, why, now())
    click.echo(
        f"The relationship with {client.name} has ended: nothing will be sent to them again; "
        f"{len(ended.letters)} open letter(s) and {len(ended.guarantees)} guarantee(s) "
        "cancelled."
    )
