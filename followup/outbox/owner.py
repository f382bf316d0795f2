"""The owner's actions on a letter: approve, cancel, mark done, resend, mark as sent.

Each is one conditional UPDATE whose WHERE names the states it may start from, so the
owner and a sender can race and the loser changes nothing; the owner's loss is an
``OutboxError`` that says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from followup.calendar import local_today
from followup.errors import Conflict, Invalid, NotFound
from followup.events import CONTACT_EVENTS, EventInput, add_event
from followup.fields import one_line
from followup.models import (
    Business,
    Channel,
    Client,
    Event,
    EventKind,
    Letter,
    LetterStatus,
    max_length,
)

# What the owner does with an uncertain letter, in every message that asks.
OWNER_DECIDES = (
    "resend it (`followup letters resend ID`) or mark it as sent "
    "(`followup letters mark-sent ID`)"
)


class OutboxError(Conflict):
    """An action the letter's current state does not allow; the message is for the owner."""


def get_letter(session: Session, business_id: int, letter_id: int) -> Letter:
    """The business's letter ``letter_id``; raises ``NotFound`` (another business's
    letter is not found either)."""
    letter = session.get(Letter, letter_id)
    if letter is None or letter.business_id != business_id:
        raise NotFound(f"there is no letter {letter_id}")
    return letter


@dataclass(frozen=True)
class _Move:
    allowed: tuple[LetterStatus, ...]
    to: LetterStatus
    refusal: str


_S = LetterStatus
_APPROVE = _Move((_S.draft,), _S.approved, "only a draft can be approved")
_CANCEL = _Move(
    (_S.draft, _S.approved, _S.queued),
    _S.cancelled,
    "only a draft, approved or queued letter can be cancelled",
)
_MARK_DONE = _Move(
    (_S.draft, _S.approved), _S.sent, "only a draft or approved letter can be marked done"
)
_RESEND = _Move(
    (_S.uncertain, _S.failed), _S.queued, "only an uncertain or failed letter can be resent"
)
_OWNER_SENT = _Move((_S.uncertain,), _S.sent, "only an uncertain letter can be marked as sent")
_DISMISS = _Move(
    (_S.draft, _S.approved), _S.dismissed, "only a draft or approved letter can be dismissed"
)
_SEND_NOW = _Move(
    (_S.draft, _S.approved), _S.queued, "only a draft or approved letter can be sent now"
)
_NO_LEASE: dict[str, Any] = {"lease_owner": None, "lease_until": None, "next_attempt_at": None}


def approve(session: Session, letter: Letter, now: datetime) -> None:
    """draft -> approved; the sender queues it when its send time comes."""
    _transition(session, letter, now, _APPROVE, approved_at=now)


def send_now(session: Session, letter: Letter, now: datetime) -> None:
    """draft | approved -> queued, due now: the next sending round takes it, whatever the
    send time (approving it on the way, as ``approve`` does). Only an email is sent."""
    if letter.channel != Channel.email:
        raise OutboxError(
            f"letter {letter.id} is a {letter.channel}: it is done by hand, then marked done"
        )
    _transition(
        session,
        letter,
        now,
        _SEND_NOW,
        approved_at=letter.approved_at or now,
        send_after=now,
        **_NO_LEASE,
    )


def cancel(session: Session, letter: Letter, now: datetime) -> None:
    """draft | approved | queued -> cancelled. A letter being sent cannot be called back.

    The call task beside it, not yet done, goes with it: its reason comes back on a later
    day with a new apology and a new call task."""
    _transition(session, letter, now, _CANCEL, **_NO_LEASE)
    session.exec(
        update(Letter)
        .where(
            col(Letter.call_for_id) == letter.id,
            col(Letter.status).in_((LetterStatus.draft, LetterStatus.approved)),
        )
        .values(status=LetterStatus.cancelled, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    _recount_contact(session, letter)


def mark_done(
    session: Session,
    letter: Letter,
    now: datetime,
    outcome: str | None = None,
    day: date | None = None,
) -> Event | None:
    """A printed note or a call the owner has done by hand: draft | approved -> sent.

    A call needs its ``outcome`` in a few words ("satisfied, comes back on Monday"),
    recorded as a ``call`` event on the client (returned) on ``day`` (the business's
    local today by default);
    raises ``Invalid("outcome")`` without one. A printed note takes no outcome.
    """
    if letter.channel == Channel.email:
        raise OutboxError(
            f"letter {letter.id} is an email: the outbox sends it, it is not marked done by hand"
        )
    said = one_line(outcome or "")
    if letter.channel == Channel.call:
        if not said:
            raise Invalid(
                "outcome",
                f"letter {letter.id} is a call: say how it went in a few words, "
                '--outcome "satisfied, comes back on Monday"',
            )
        limit = max_length(Event, "summary")
        if len(said) > limit:
            raise Invalid("outcome", f"the outcome is longer than {limit} characters")
    elif said:
        raise Invalid("outcome", f"letter {letter.id} is a printed note: it takes no outcome")
    _transition(
        session, letter, now, _MARK_DONE, approved_at=letter.approved_at or now, sent_at=now
    )
    if letter.channel != Channel.call:
        return None
    client = session.get(Client, letter.client_id)
    business = session.get(Business, letter.business_id)
    assert client is not None and business is not None
    today = local_today(business, now)
    event_day = day or today
    return add_event(session, client, EventInput(EventKind.call, event_day, said), now, event_day)


def dismiss(session: Session, letter: Letter, now: datetime, why: str) -> None:
    """draft | approved -> dismissed: the owner closes the letter's reason without
    sending anything (the client called, the matter is settled); ``why`` is kept."""
    why = one_line(why)
    if not why:
        raise Invalid("why", "say why the letter is not needed, in a few words")
    limit = max_length(Letter, "dismissed_why")
    if len(why) > limit:
        raise Invalid("why", f"longer than {limit} characters")
    _transition(session, letter, now, _DISMISS, dismissed_why=why, **_NO_LEASE)
    _recount_contact(session, letter)


def resend(session: Session, letter: Letter, now: datetime) -> None:
    """uncertain | failed -> queued with a fresh set of attempts: the owner's decision."""
    _transition(session, letter, now, _RESEND, attempts=0, **_NO_LEASE)


def mark_sent_by_owner(session: Session, letter: Letter, now: datetime) -> None:
    """uncertain -> sent: the owner knows it arrived (the client answered, say)."""
    _transition(session, letter, now, _OWNER_SENT, sent_at=now, lease_until=None)


# Letters that never reached the client: they are no contact.
_NO_CONTACT = (LetterStatus.cancelled, LetterStatus.failed, LetterStatus.dismissed)


def _recount_contact(session: Session, letter: Letter) -> None:
    """The client's last contact, once ``letter`` will not reach them: drafting moved it
    to the letter's day, and the rotation would otherwise leave them waiting a full
    turn for a letter they never got. It goes back to their latest letter that counts,
    or call or reply, whichever is later."""
    client = session.get(Client, letter.client_id)
    if client is None or client.last_contacted_on != letter.day:
        return
    last_letter = session.exec(
        select(func.max(Letter.day)).where(
            Letter.client_id == client.id, col(Letter.status).not_in(_NO_CONTACT)
        )
    ).one()
    last_talk = session.exec(
        select(func.max(Event.day)).where(
            Event.client_id == client.id, col(Event.kind).in_(CONTACT_EVENTS)
        )
    ).one()
    days = [day for day in (last_letter, last_talk) if day is not None]
    client.last_contacted_on = max(days) if days else None
    session.add(client)


def _transition(
    session: Session,
    letter: Letter,
    now: datetime,
    move: _Move,
    **values: Any,
) -> None:
    if letter.id is None:
        raise OutboxError("the letter has not been saved yet")
    stmt = (
        update(Letter)
        .where(col(Letter.id) == letter.id, col(Letter.status).in_(move.allowed))
        .values(status=move.to, updated_at=now, **values)
        .returning(col(Letter.id))
        .execution_options(synchronize_session=False)
    )
    if session.exec(stmt).first() is None:
        current = session.exec(select(Letter.status).where(Letter.id == letter.id)).first()
        if current is None:
            raise OutboxError(f"letter {letter.id} does not exist")
        raise OutboxError(f"letter {letter.id} is {current}; {move.refusal}")
    session.refresh(letter)


