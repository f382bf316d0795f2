"""The owner's say in the picks (DESIGN §3): pin a client for a coming day, skip a pick.

A skip is recorded here (the pick marked, its letter cancelled, the client's rotation day
and guarantee check-in put back); drafting the replacement is ``jobs.skip_pick``'s part.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, col, func, select

from followup.calendar import local_today, why_not_working
from followup.errors import Conflict
from followup.events import CONTACT_EVENTS
from followup.models import (
    Business,
    Client,
    DailyRun,
    Event,
    Guarantee,
    Letter,
    LetterKind,
    LetterStatus,
    Pick,
    Pin,
)
from followup.outbox import OutboxError, cancel


class DayError(Conflict):
    """The owner asked for something the day cannot do; the message says why."""


def record_skip(
    session: Session, business: Business, day: date, client_id: int, now: datetime
) -> Pick:
    """Mark the client's pick for ``day`` skipped and cancel its letter; the client's
    reason stays open, so it comes back on a later day. Raises ``DayError``."""
    assert business.id is not None
    chosen = session.exec(
        select(Pick).where(
            Pick.business_id == business.id, Pick.day == day, Pick.client_id == client_id
        )
    ).first()
    if chosen is None:
        raise DayError(f"client {client_id} was not picked for {day.isoformat()}")
    if chosen.skipped:
        raise DayError(f"client {client_id} was already skipped on {day.isoformat()}")
    letter = session.get(Letter, chosen.letter_id) if chosen.letter_id else None
    if letter is not None:
        try:
            cancel(session, letter, now)
        except OutboxError as exc:
            raise DayError(f"too late to skip: {exc}") from None
        _reopen(session, letter, day)
    chosen.skipped = True
    session.add(chosen)
    session.flush()
    return chosen


def _reopen(session: Session, letter: Letter, day: date) -> None:
    """Undo what drafting the skipped letter moved: the rotation day and the check-in."""
    client = session.get(Client, letter.client_id)
    assert client is not None
    last_letter = session.exec(
        select(func.max(Letter.day)).where(
            Letter.client_id == client.id,
            Letter.id != letter.id,
            col(Letter.status) != LetterStatus.cancelled,
        )
    ).one()
    last_contact = session.exec(
        select(func.max(Event.day)).where(
            Event.client_id == client.id, col(Event.kind).in_(CONTACT_EVENTS)
        )
    ).one()
    known = [d for d in (last_letter, last_contact) if d is not None]
    client.last_contacted_on = max(known) if known else None
    session.add(client)
    if letter.kind == LetterKind.guarantee_checkin and letter.guarantee_id:
        guarantee = session.get(Guarantee, letter.guarantee_id)
        assert guarantee is not None
        guarantee.next_checkin_on = day
        session.add(guarantee)


def pin_client(
    session: Session,
    business: Business,
    client: Client,
    day: date,
    now: datetime,
    today: date | None = None,
) -> Pin:
    """Ask for a letter to ``client`` on a coming ``day``: it is picked first that day.

    ``today`` is the business's local day at ``now`` unless a day is simulated. Raises
    ``DayError`` for a past or closed day, a day already drafted, or a second pin.
    """
    assert business.id is not None and client.id is not None
    closed = why_not_working(business, day)
    if closed is not None:
        raise DayError(f"cannot pin for {day.isoformat()}: {closed}")
    today = today or local_today(business, now)
    if day < today:
        raise DayError(
            f"{day.isoformat()} has passed (today is {today.isoformat()}): pin a coming day"
        )
    if session.get(DailyRun, (business.id, day)) is not None:
        raise DayError(
            f"the letters for {day.isoformat()} were already drafted; "
            "pin the client for a coming day"
        )
    existing = session.exec(
        select(Pin).where(
            Pin.business_id == business.id, Pin.day == day, Pin.client_id == client.id
        )
    ).first()
    if existing is not None:
        raise DayError(f"{client.name} is already pinned for {day.isoformat()}")
    pin = Pin(business_id=business.id, day=day, client_id=client.id, created_at=now)
    session.add(pin)
    session.flush()
    return pin
