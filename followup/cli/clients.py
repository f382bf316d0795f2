"""Clients from the command line: import, export, list, add, update, recover, forget, end."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date

import click

from followup.cli.app import DAY, State, Usage, cli, emit_json, now, pass_state
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
        click.option(
            "--address",
            help='Their postal address, for printed letters: a line break or \\n between '
            'its lines, "Calle Mayor 5, 2º B\\n28013 Madrid\\nEspaña" (at most 6 lines).',
        ),
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
    """The options given; in an address, the two characters ``\\n`` are a line break (what
    an owner can type in a shell's quotes)."""
    given = {field: value for field, value in fields.items() if value is not None}
    if isinstance(address := given.get("address"), str):
        given["address"] = address.replace("\\n", "\n")
    return given


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


# Without a terminal, `clients recover` uses these (terms have no default: the owner's
# own words, written to the client).
RECOVER_MONTHS = 6
RECOVER_CHECKINS = "7,30,60,90"


def _ask(value: str | None, question: str, default: str | None) -> str | None:
    """The flag's value; on a terminal, asked (with ``default``); otherwise ``default``."""
    if value is not None or not sys.stdin.isatty():
        return value if value is not None else default
    answer: str = click.prompt(question, default=default, show_default=bool(default))
    return answer


@clients.command("recover")
@click.argument("client_ref", metavar="CLIENT")
@click.option("--months", type=int, help=f"How long the guarantee runs ({RECOVER_MONTHS}).")
@click.option(
    "--terms",
    help="What the guarantee covers, written to the client: “if the fork fails again, "
    "we'll repair it free of charge”. Asked on a terminal; required otherwise.",
)
@click.option(
    "--payout",
    help="What we pay or do if the error repeats, written to the client (none by default).",
)
@click.option(
    "--checkins",
    help=f"Check-in days after the start ({RECOVER_CHECKINS}), then every 30 days.",
)
@click.option("--note", default="", help="The recovered event's summary, in a few words.")
@click.option("--date", "day", type=DAY, help="The day they came back (today).")
@pass_state
def clients_recover(
    state: State,
    client_ref: str,
    months: int | None,
    terms: str | None,
    payout: str | None,
    checkins: str | None,
    note: str,
    day: date | None,
) -> None:
    """CLIENT, lost or who complained, came back: mark them recovered and give them a
    special guarantee; its offer letter comes with the next daily run.

    On a terminal the missing terms are asked; otherwise --terms is needed, the
    guarantee runs 6 months with no payout and checks in after 7, 30, 60 and 90 days,
    then every 30.
    """
    from followup.recovery.lifecycle import recover_client

    terms = _ask(terms, "What does the guarantee cover (written to the client)", None)
    if not terms:
        raise Usage("say what the guarantee covers with --terms")
    months_text = _ask(None if months is None else str(months), "Months", str(RECOVER_MONTHS))
    try:
        months = int(months_text or RECOVER_MONTHS)
    except ValueError:
        raise Usage(f"--months must be a whole number, not {months_text!r}") from None
    payout = _ask(payout, "What we pay or do if the error repeats (empty: nothing)", "") or ""
    checkins = _ask(checkins, "Check-in days", RECOVER_CHECKINS) or RECOVER_CHECKINS
    with write_session(state.engine) as session:
        business, client = state.client(session, client_ref)
        guarantee = recover_client(
            session,
            client,
            day=state.today(business, day),
            now=now(),
            months=months,
            terms=terms,
            payout=payout,
            offsets=checkins,
            summary=note,
        )
    click.echo(
        f"{client.name} is recovered. Guarantee {guarantee.id}: {guarantee.starts_on} to "
        f"{guarantee.ends_on}, first check-in on {guarantee.next_checkin_on}; the offer "
        "letter is drafted with the next daily run."
    )


@clients.command("forget")
@click.argument("client_ref", metavar="CLIENT")
@click.option("--yes", is_flag=True, help="Do not ask: needed when not on a terminal.")
@pass_state
def clients_forget(state: State, client_ref: str, yes: bool) -> None:
    """Erase a client's personal data for good (the GDPR's right to erasure).

    Their name, contact data, notes and the texts of their events and letters are erased
    from the database; open letters are cancelled. The counts stay. This cannot be undone.
    """
    from followup.services.clients import forget_for_good

    with read_session(state.engine) as session:
        _, client = state.client(session, client_ref)
    if not yes:
        if not sys.stdin.isatty():
            raise Usage("forgetting a client cannot be undone: add --yes to confirm")
        click.confirm(
            f"Erase every personal detail of client {client.id} ({client.name}) for good?",
            abort=True,
        )
    assert client.id is not None
    done = forget_for_good(state.engine, client.business_id, client.id, now())
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
