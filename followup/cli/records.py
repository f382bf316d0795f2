"""Clients, events, letters, guarantees and templates from the command line."""

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
    now,
    parse_day,
    pass_state,
)
from followup.db import read_session, write_session
from followup.models import Client, EventKind, Letter, LetterStatus

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
    from followup.csvfiles import CsvFormatError

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
    from followup.events import EventInput, add_event, find_client
    from followup.workdays import local_today

    with write_session(state.engine) as session:
        business = state.business(session)
        assert business.id is not None
        client = find_client(session, business.id, client_ref)
        day = parse_day(day_text, "--on") or local_today(business, now())
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
    from followup.csvfiles import CsvFormatError
    from followup.event_import import import_events

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


@cli.group()
def letters() -> None:
    """Read, approve and cancel letters."""


def _letter(state: State, session: Any, letter_id: int) -> Letter:
    business = state.business(session)
    letter = session.get(Letter, letter_id)
    if letter is None or letter.business_id != business.id:
        fail(f"there is no letter {letter_id}")
    return letter


@letters.command("list")
@click.option("--status", type=click.Choice([s.value for s in LetterStatus]))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
@handled
def letters_list(state: State, status: str | None, as_json: bool) -> None:
    """List letters, newest first."""
    with read_session(state.engine) as session:
        business = state.business(session)
        query = select(Letter, Client.name).join(Client, col(Client.id) == col(Letter.client_id))
        query = query.where(Letter.business_id == business.id)
        if status:
            query = query.where(Letter.status == status)
        rows = list(session.exec(query.order_by(col(Letter.id).desc())))
    if as_json:
        emit_json(
            [
                {
                    "id": letter.id,
                    "client_id": letter.client_id,
                    "client_name": name,
                    "kind": letter.kind,
                    "channel": letter.channel,
                    "status": letter.status,
                    "subject": letter.subject,
                    "message_id": letter.message_id,
                    "created_at": letter.created_at.isoformat(),
                    "day": letter.day.isoformat(),
                }
                for letter, name in rows
            ]
        )
        return
    for letter, name in rows:
        click.echo(
            f"{letter.id:>5}  {letter.day}  {letter.status:<9}  {letter.kind:<17}  "
            f"{name}: {letter.subject}"
        )
    click.echo(f"{len(rows)} letter(s).", err=True)


@letters.command("show")
@click.argument("letter_id", type=int)
@click.option("--html", is_flag=True, help="Print the HTML part instead of the text.")
@pass_state
@handled
def letters_show(state: State, letter_id: int, html: bool) -> None:
    """Show a letter as the client will read it."""
    with read_session(state.engine) as session:
        letter = _letter(state, session, letter_id)
        client = session.get(Client, letter.client_id)
        assert client is not None
    to = (
        f"{client.name} <{letter.to_email}>"
        if letter.to_email
        else f"{client.name} (phone {client.phone})"
    )
    click.echo(f"Letter {letter.id} · {letter.kind} · {letter.channel} · {letter.status}")
    click.echo(f"To: {to}")
    click.echo(f"Subject: {letter.subject}")
    if letter.last_error:
        click.echo(f"Last error: {letter.last_error}")
    click.echo("")
    click.echo(letter.body_html if html else letter.body_text)


@letters.command("approve")
@click.argument("letter_id", type=int)
@pass_state
@handled
def letters_approve(state: State, letter_id: int) -> None:
    """Approve a drafted letter: it is sent at the business's send time."""
    from followup.outbox import OutboxError, approve

    with write_session(state.engine) as session:
        letter = _letter(state, session, letter_id)
        try:
            approve(session, letter, now())
        except OutboxError as exc:
            fail(str(exc))
    click.echo(f"Approved letter {letter_id}; it goes out with the next sending.")


@letters.command("cancel")
@click.argument("letter_id", type=int)
@pass_state
@handled
def letters_cancel(state: State, letter_id: int) -> None:
    """Cancel a letter that has not been sent."""
    from followup.outbox import OutboxError, cancel

    with write_session(state.engine) as session:
        letter = _letter(state, session, letter_id)
        try:
            cancel(session, letter, now())
        except OutboxError as exc:
            fail(str(exc))
    click.echo(f"Cancelled letter {letter_id}.")


@cli.group()
def guarantees() -> None:
    """Special guarantees for clients who came back after an error."""


@guarantees.command("add")
@click.argument("client_ref", metavar="CLIENT")
@click.option("--months", required=True, type=int, help="How long it runs.")
@click.option("--terms", required=True, help="What it covers, in words for the client.")
@click.option("--payout", default="", help="What we pay or do if the error repeats.")
@click.option("--starts", "day_text", metavar="YYYY-MM-DD", help="First day (default: today).")
@pass_state
@handled
def guarantees_add(
    state: State, client_ref: str, months: int, terms: str, payout: str, day_text: str | None
) -> None:
    """Give CLIENT a special guarantee beyond the normal one."""
    from followup.events import find_client
    from followup.guarantees import create_guarantee
    from followup.workdays import local_today

    with write_session(state.engine) as session:
        business = state.business(session)
        assert business.id is not None
        client = find_client(session, business.id, client_ref)
        starts = parse_day(day_text, "--starts") or local_today(business, now())
        g = create_guarantee(
            session, client, months=months, terms=terms, payout=payout, starts_on=starts
        )
    click.echo(
        f"Guarantee {g.id} for {client.name}: {g.starts_on} to {g.ends_on}; "
        f"first check-in on {g.next_checkin_on}. The offer letter is drafted with "
        "the next daily run."
    )


@guarantees.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
@handled
def guarantees_list(state: State, as_json: bool) -> None:
    """List special guarantees."""
    from followup.guarantees import list_guarantees

    with read_session(state.engine) as session:
        business = state.business(session)
        assert business.id is not None
        rows = list_guarantees(session, business.id)
        names = {
            c.id: c.name
            for c in session.exec(
                select(Client).where(col(Client.id).in_([g.client_id for g in rows]))
            )
        }
    if as_json:
        emit_json(
            [
                {
                    "id": g.id,
                    "client_id": g.client_id,
                    "client_name": names.get(g.client_id),
                    "status": g.status,
                    "starts_on": g.starts_on.isoformat(),
                    "ends_on": g.ends_on.isoformat(),
                    "next_checkin_on": g.next_checkin_on.isoformat() if g.next_checkin_on else None,
                    "terms": g.terms,
                    "payout": g.payout,
                }
                for g in rows
            ]
        )
        return
    for g in rows:
        nxt = f", next check-in {g.next_checkin_on}" if g.next_checkin_on else ""
        click.echo(
            f"{g.id:>4}  {names.get(g.client_id)}  {g.status}  {g.starts_on} → "
            f"{g.ends_on}{nxt}: {g.terms}"
        )
    click.echo(f"{len(rows)} guarantee(s).", err=True)


@cli.group()
def templates() -> None:
    """The letter templates."""


@templates.command("check")
@handled
def templates_check() -> None:
    """Render every template in every language against sample clients."""
    from followup.letter_checks import check_defaults

    problems = check_defaults()
    for problem in problems:
        click.echo(f"  {problem}", err=True)
    if problems:
        fail(f"{len(problems)} template problem(s) (listed above)")
    click.echo("Every template renders in every language and form of address.")
