"""Letters from the command line: list, read, edit, approve, cancel, dismiss, resend."""

from __future__ import annotations

import sys
from datetime import date
from typing import Any

import click

from followup.cli.app import DAY, State, Usage, cli, emit_json, fail, now, pass_state
from followup.db import read_session, write_session
from followup.models import Channel, Client, LetterStatus


@cli.group()
def letters() -> None:
    """Read, approve, cancel, dismiss, resend letters."""


@letters.command("list")
@click.option("--status", type=click.Choice([s.value for s in LetterStatus]))
@click.option(
    "--channel",
    type=click.Choice([c.value for c in Channel]),
    help="Only emails, printed notes or calls (call: the talking points to say by phone).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def letters_list(state: State, status: str | None, channel: str | None, as_json: bool) -> None:
    """List letters, newest first."""
    from followup.services import list_letters

    with read_session(state.engine) as session:
        business = state.business(session)
        assert business.id is not None
        rows = list_letters(session, business.id, status=status, channel=channel)
    if as_json:
        emit_json(rows)
        return
    if status == LetterStatus.uncertain:
        from followup.outbox import OWNER_DECIDES

        click.echo(
            "Uncertain: the connection dropped while the letter was being handed over, so it "
            f"may or may not have arrived; it is never resent by itself: {OWNER_DECIDES}.",
            err=True,
        )
    # A flagged draft is shown first: it needs the owner's pen before it can go.
    rows = sorted(rows, key=lambda letter: not (letter.flags and letter.status == "draft"))
    for letter in rows:
        flagged = f"  ⚑ {len(letter.flags)} to check" if letter.flags else ""
        call = "  ☎" if letter.channel == Channel.call else ""
        click.echo(
            f"{letter.id:>5}  {letter.day}  {letter.status:<9}  {letter.kind:<17}  "
            f"{letter.client_name}: {letter.subject}{flagged}{call}"
        )
    click.echo(f"{len(rows)} letter(s).", err=True)
    if any(letter.flags for letter in rows):
        click.echo(
            "⚑: read it with `followup letters show ID`, fix it with `letters edit ID`.", err=True
        )


@letters.command("show")
@click.argument("letter_id", type=int)
@click.option("--html", is_flag=True, help="Print the HTML part instead of the text.")
@pass_state
def letters_show(state: State, letter_id: int, html: bool) -> None:
    """Show a letter as the client will read it."""
    from followup.calendar import zone
    from followup.outbox import get_letter
    from followup.services import letter_inbox

    with read_session(state.engine) as session:
        business = state.business(session)
        assert business.id is not None
        letter = get_letter(session, business.id, letter_id)
        client = session.get(Client, letter.client_id)
        assert client is not None
        came_back = letter_inbox(session, business.id, letter_id)
    phone = (
        f"phone {client.phone}"
        if client.phone
        else f"no phone number on record: `followup clients update {client.id} --phone …`"
    )
    to = f"{client.name} <{letter.to_email}>" if letter.to_email else f"{client.name} ({phone})"
    click.echo(f"Letter {letter.id} · {letter.kind} · {letter.channel} · {letter.status}")
    click.echo(f"To: {to}")
    click.echo(f"Subject: {letter.subject}")
    if letter.last_error:
        code = f"{letter.last_error_code} " if letter.last_error_code else ""
        click.echo(f"Last error: {code}{letter.last_error}")
    for message in came_back:
        said = {
            "reply": "reply",
            "auto_reply": "automatic reply (not counted as a reply)",
            "bounce": "bounce",
            "delay": "delivery delayed (nothing to do yet)",
            "report": "delivery report",
        }.get(message.kind, message.kind)
        status = f" {message.status_code}" if message.status_code else ""
        subject = f": “{message.subject}”" if message.subject else ""
        when = message.received_at.astimezone(zone(business))
        click.echo(f"In your inbox {when:%Y-%m-%d %H:%M}: {said}{status}{subject}")
    click.echo("")
    click.echo(letter.body_html if html else letter.body_text)
    line_id = letter.phrases.get("owner_line")
    if line_id is not None:
        click.echo(f"\n(Your line {line_id} is in it: `followup settings line list`)", err=True)
    _show_flags(letter.id, letter.flags)


def _show_flags(letter_id: int | None, flags: list[dict[str, str]]) -> None:
    if not flags:
        return
    click.echo("", err=True)
    click.echo(f"⚑ Read again before approving ({len(flags)}):", err=True)
    for flag in flags:
        click.echo(f"  “{flag['sentence']}”: {flag['reason']}", err=True)
    click.echo(f"Fix it with `followup letters edit {letter_id}`.", err=True)


@letters.command("edit")
@click.argument("letter_id", type=int)
@click.option("--subject", help="The new subject (otherwise kept, or edited in $EDITOR).")
@click.option(
    "--text-file",
    type=click.File("r", encoding="utf-8"),
    help="A file with the new text of the letter ('-' for standard input).",
)
@pass_state
def letters_edit(state: State, letter_id: int, subject: str | None, text_file: Any) -> None:
    """Change a draft's subject and text in your own words; the checks run again.

    Without --subject or --text-file, opens $EDITOR on the subject and the text. The
    edited letter is a draft again: approve it when it reads right. A queued or sent
    letter cannot be edited.
    """
    from followup.letters.drafting import edit_letter
    from followup.outbox import get_letter

    with read_session(state.engine) as session:
        business = state.business(session)
        assert business.id is not None
        letter = get_letter(session, business.id, letter_id)
    text = text_file.read() if text_file is not None else None
    if subject is None and text is None:
        if not sys.stdin.isatty():
            raise Usage("give --subject and/or --text-file, or run it on a terminal to use $EDITOR")
        subject, text = _edit_in_editor(letter.subject, letter.body_text)
        if subject is None:
            click.echo(f"Letter {letter_id} is unchanged.")
            return
    with write_session(state.engine) as session:
        business = state.business(session)
        assert business.id is not None
        letter = edit_letter(
            session, get_letter(session, business.id, letter_id), now(), subject=subject, text=text
        )
    click.echo(
        f"Letter {letter_id} is edited; approve it with `followup letters approve {letter_id}`."
    )
    _show_flags(letter.id, letter.flags)


_SUBJECT = "Subject: "


def _edit_in_editor(subject: str, text: str) -> tuple[str | None, str | None]:
    """The subject and text as edited in $EDITOR; (None, None) when nothing was saved."""
    edited = click.edit(f"{_SUBJECT}{subject}\n\n{text}\n", extension=".txt")
    if edited is None:
        return None, None
    first, _, rest = edited.lstrip("\n").partition("\n")
    if not first.startswith(_SUBJECT):
        raise Usage(f"the first line must start with {_SUBJECT!r}; nothing was changed")
    return first[len(_SUBJECT) :], rest


@letters.command("approve")
@click.argument("letter_ids", metavar="ID...", type=int, nargs=-1, required=True)
@pass_state
def letters_approve(state: State, letter_ids: tuple[int, ...]) -> None:
    """Approve drafted letters: they are sent at the business's send time."""
    from followup.errors import FollowupError
    from followup.outbox import approve, get_letter

    refused = []
    for letter_id in letter_ids:
        # One transaction per letter: a refused one does not hold back the others.
        try:
            with write_session(state.engine) as session:
                business = state.business(session)
                assert business.id is not None
                letter = get_letter(session, business.id, letter_id)
                flagged = len(letter.flags)
                approve(session, letter, now())
        except FollowupError as exc:
            refused.append(str(exc))  # the message names the letter
            continue
        click.echo(f"Approved letter {letter_id}; it goes out with the next sending.")
        if flagged:
            click.echo(f"  (approved as it is, with {flagged} sentence(s) flagged)", err=True)
    if refused:
        fail("; ".join(refused))


@letters.command("cancel")
@click.argument("letter_id", type=int)
@pass_state
def letters_cancel(state: State, letter_id: int) -> None:
    """Cancel a letter that has not been sent."""
    from followup.outbox import cancel, get_letter

    with write_session(state.engine) as session:
        business = state.business(session)
        assert business.id is not None
        cancel(session, get_letter(session, business.id, letter_id), now())
    click.echo(f"Cancelled letter {letter_id}.")


@letters.command("resend")
@click.argument("letter_id", type=int)
@pass_state
def letters_resend(state: State, letter_id: int) -> None:
    """Send an uncertain or failed letter again, with a fresh set of attempts.

    An uncertain letter may have reached the client already: resend it only when you
    know it did not (the client says nothing arrived).
    """
    from followup.outbox import get_letter, resend

    with write_session(state.engine) as session:
        business = state.business(session)
        assert business.id is not None
        resend(session, get_letter(session, business.id, letter_id), now())
    click.echo(f"Letter {letter_id} is queued again; it goes out with the next sending.")


@letters.command("mark-sent")
@click.argument("letter_id", type=int)
@pass_state
def letters_mark_sent(state: State, letter_id: int) -> None:
    """Record that an uncertain letter did reach the client (they answered, say)."""
    from followup.outbox import get_letter, mark_sent_by_owner

    with write_session(state.engine) as session:
        business = state.business(session)
        assert business.id is not None
        mark_sent_by_owner(session, get_letter(session, business.id, letter_id), now())
    click.echo(f"Letter {letter_id} is marked as sent.")


@letters.command("dismiss")
@click.argument("letter_id", type=int)
@click.option("--why", required=True, help="Why no letter is needed: “he called, all settled”.")
@pass_state
def letters_dismiss(state: State, letter_id: int, why: str) -> None:
    """Close the letter's reason without sending it (kept, with why)."""
    from followup.outbox import dismiss, get_letter

    with write_session(state.engine) as session:
        business = state.business(session)
        assert business.id is not None
        dismiss(session, get_letter(session, business.id, letter_id), now(), why)
    click.echo(f"Dismissed letter {letter_id}: its reason is closed, nothing is sent.")


@letters.command("mark-done")
@click.argument("letter_id", type=int)
@click.option(
    "--outcome",
    help="A call: how it went, in a few words (“satisfied, comes back on Monday”); "
    "recorded as a call event on the client.",
)
@click.option("--date", "day", type=DAY, help="The local day of the call (today).")
@pass_state
def letters_mark_done(
    state: State, letter_id: int, outcome: str | None, day: date | None
) -> None:
    """Record that a call or a printed note was done by hand: it answers its reason."""
    from followup.outbox import get_letter, mark_done

    with write_session(state.engine) as session:
        business = state.business(session)
        assert business.id is not None
        event = mark_done(
            session,
            get_letter(session, business.id, letter_id),
            now(),
            outcome,
            state.today(business, day) if day else None,
        )
    if event is None:
        click.echo(f"Letter {letter_id} is marked done.")
    else:
        click.echo(f"Call {letter_id} is marked done; its outcome is recorded as event {event.id}.")
