"""Letters, guarantees and templates from the command line."""

from __future__ import annotations

from typing import Any

import click
from sqlmodel import col, select

from followup.cli.app import (
    State,
    cli,
    emit_json,
    fail,
    handled,
    now,
    pass_state,
)
from followup.db import read_session, write_session
from followup.models import Client, Letter, LetterStatus


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
@click.argument("letter_ids", metavar="ID...", type=int, nargs=-1, required=True)
@pass_state
@handled
def letters_approve(state: State, letter_ids: tuple[int, ...]) -> None:
    """Approve drafted letters: they are sent at the business's send time."""
    from followup.outbox import OutboxError, approve

    refused = []
    for letter_id in letter_ids:
        # One transaction per letter: a refused one does not hold back the others.
        try:
            with write_session(state.engine) as session:
                approve(session, _letter(state, session, letter_id), now())
        except (OutboxError, click.ClickException) as exc:
            # Both messages name the letter already.
            refused.append(
                exc.format_message() if isinstance(exc, click.ClickException) else str(exc)
            )
            continue
        click.echo(f"Approved letter {letter_id}; it goes out with the next sending.")
    if refused:
        fail("; ".join(refused))


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
    from followup.recovery.guarantees import create_guarantee

    with write_session(state.engine) as session:
        business, client = state.client(session, client_ref)
        starts = state.today(business, day_text, "--starts")
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
    from followup.recovery.guarantees import list_guarantees

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
    from followup.letters.checks import check_defaults

    problems = check_defaults()
    for problem in problems:
        click.echo(f"  {problem}", err=True)
    if problems:
        fail(f"{len(problems)} template problem(s) (listed above)")
    click.echo("Every template renders in every language and form of address.")
