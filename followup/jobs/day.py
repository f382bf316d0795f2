"""The day's routine for one business: pick, draft, record — exactly once per day —
and the owner's say in it: skip a pick, pin a client for a coming day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from followup.calendar import why_not_working
from followup.db import read_session, write_session
from followup.events import CONTACT_EVENTS
from followup.letters.drafting import draft_letter
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
from followup.picking.tiers import Candidate, pick
from followup.recovery.guarantees import advance_checkin


@dataclass(frozen=True)
class DayResult:
    """What ``run_day`` did: ``done``, ``already_done`` or ``not_working_day``."""

    business_id: int
    day: date
    status: str
    picks: tuple[Candidate, ...] = ()
    letter_ids: tuple[int, ...] = ()
    reason: str = ""


def run_day(engine: Engine, business_id: int, day: date, now: datetime) -> DayResult:
    """Pick and draft the day's letters for one business, exactly once.

    The DailyRun row is inserted first, in the same transaction as the picks and the
    letters: on PostgreSQL a second process blocks on its key until the first commits,
    on SQLite ``BEGIN IMMEDIATE`` queues it; either way it then finds the day done.
    """
    with read_session(engine) as session:
        business = session.get(Business, business_id)
        if business is None:
            raise LookupError(f"there is no business {business_id}")
        closed = why_not_working(business, day)
    if closed is not None:
        return DayResult(business_id, day, "not_working_day", reason=closed)
    try:
        with write_session(engine) as session:
            if session.get(DailyRun, (business_id, day)) is not None:
                return DayResult(business_id, day, "already_done")
            run = DailyRun(business_id=business_id, day=day, created_at=now)
            session.add(run)
            session.flush()
            business = session.get(Business, business_id)
            assert business is not None
            chosen = pick(session, business, day)
            letter_ids = [
                _draft_pick(session, business, rank, candidate, day, now)
                for rank, candidate in enumerate(chosen, start=1)
            ]
            run.picked = len(chosen)
            session.add(run)
    except IntegrityError:
        # Another process inserted the DailyRun between our check and our insert. Any
        # other integrity error is a bug and must not pass for "already done".
        with read_session(engine) as session:
            if session.get(DailyRun, (business_id, day)) is None:
                raise
        return DayResult(business_id, day, "already_done")
    return DayResult(business_id, day, "done", tuple(chosen), tuple(letter_ids))


def _draft_pick(
    session: Session,
    business: Business,
    rank: int,
    candidate: Candidate,
    day: date,
    now: datetime,
) -> int:
    letter = draft_letter(session, business, candidate, day=day, now=now)
    assert letter.id is not None and business.id is not None
    session.add(
        Pick(
            business_id=business.id,
            day=day,
            client_id=candidate.client_id,
            rank=rank,
            tier=candidate.tier,
            kind=candidate.kind,
            reason=candidate.reason,
            letter_id=letter.id,
            created_at=now,
        )
    )
    if candidate.kind == LetterKind.guarantee_checkin and candidate.guarantee_id:
        guarantee = session.get(Guarantee, candidate.guarantee_id)
        assert guarantee is not None
        advance_checkin(guarantee, day)
        session.add(guarantee)
    return letter.id


class DayError(ValueError):
    """The owner asked for something the day cannot do; the message says why."""


def skip_pick(
    session: Session, business: Business, day: date, client_id: int, now: datetime
) -> Candidate | None:
    """The owner skips a client picked for ``day``: its letter is cancelled, the skip is
    recorded, and the next candidate takes its place (returned; None when nobody is left).

    The skipped client's reason stays open, so it comes back on a later day.
    """
    from followup.outbox import OutboxError, cancel

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
    day_picks = list(
        session.exec(select(Pick).where(Pick.business_id == business.id, Pick.day == day))
    )
    following = pick(session, business, day, quota=1, exclude=[p.client_id for p in day_picks])
    replacement = following[0] if following else None
    if replacement is not None:
        rank = max(p.rank for p in day_picks) + 1
        _draft_pick(session, business, rank, replacement, day, now)
    return replacement


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


def pin_client(session: Session, business: Business, client: Client, day: date) -> Pin:
    """Ask for a letter to ``client`` on a coming ``day``: it is picked first that day."""
    assert business.id is not None and client.id is not None
    closed = why_not_working(business, day)
    if closed is not None:
        raise DayError(f"cannot pin for {day.isoformat()}: {closed}")
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
    pin = Pin(business_id=business.id, day=day, client_id=client.id)
    session.add(pin)
    session.flush()
    return pin
