"""What the dashboard's Today page reads and does: the day's letters as the owner reads
them (the day's picks with their reasons, the drafts still waiting from earlier days,
call tasks beside their apology), whether the day is a working one and when the next
letters are drafted, and approving every unflagged draft at once. A letter's history
(its status and dates, what came back about it) is for its own page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, and_, col, or_, select

from followup.calendar import holiday_name, next_working_day, send_moment, why_not_working
from followup.errors import Conflict
from followup.models import (
    Business,
    Channel,
    Client,
    DailyRun,
    Letter,
    LetterStatus,
    Pick,
)
from followup.outbox import approve, get_letter
from followup.schemas import InboxMessageView, LetterDetail
from followup.services import letter_inbox
from followup.services.letters import detail_of

# The owner's letters still to act on, whatever their day.
WAITING = (LetterStatus.draft, LetterStatus.approved)
# Today shows at most this many letters: a backlog beyond it is on the Outbox.
TODAY_LIMIT = 100


@dataclass(frozen=True)
class DayLetter:
    """One letter on Today: why its client was picked (None for a letter of another
    day still waiting), the client's phone, and the call tasks beside it."""

    letter: LetterDetail
    reason: str | None
    picked_on: date | None
    phone: str
    calls: tuple[LetterDetail, ...] = ()

    @property
    def flagged(self) -> bool:
        return self.letter.status == LetterStatus.draft and bool(self.letter.flags)


@dataclass(frozen=True)
class DayView:
    day: date
    # Not a working day: the holiday's name, or None for a weekday off (``closed``).
    closed: bool
    holiday: str | None
    # Whether the day's letters were drafted already (the run happens at send time).
    drafted: bool
    # When the next letters are drafted: today's send moment, or the next working day's.
    next_run: datetime
    clients: int
    uncertain: int
    letters: tuple[DayLetter, ...]


def day_view(session: Session, business: Business, day: date) -> DayView:
    assert business.id is not None
    closed = why_not_working(business, day) is not None
    drafted = session.get(DailyRun, (business.id, day)) is not None
    run_day = next_working_day(business, day) if closed or drafted else day
    clients = session.exec(
        select(func.count()).select_from(Client).where(Client.business_id == business.id)
    ).one()
    uncertain = session.exec(
        select(func.count())
        .select_from(Letter)
        .where(Letter.business_id == business.id, Letter.status == LetterStatus.uncertain)
    ).one()
    return DayView(
        day=day,
        closed=closed,
        holiday=holiday_name(business, day) if closed else None,
        drafted=drafted,
        next_run=send_moment(business, run_day),
        clients=int(clients),
        uncertain=int(uncertain),
        letters=tuple(day_letters(session, business.id, day)),
    )


def day_letters(
    session: Session, business_id: int, day: date, *, only: int | None = None
) -> list[DayLetter]:
    """The letters of Today, flagged drafts first: those still waiting for the owner
    (draft or approved, any day) and the rest of ``day``'s (sent, dismissed, …; not the
    cancelled ones). A call task is shown inside its apology when that is shown too.
    With ``only``, just that letter (and its calls), wherever it would be listed."""
    shown = or_(
        col(Letter.status).in_(WAITING),
        and_(Letter.day == day, Letter.status != LetterStatus.cancelled),
    )
    if only is not None:
        shown = or_(col(Letter.id) == only, col(Letter.call_for_id) == only)
    rows = list(
        session.execute(
            sa_select(Letter, col(Client.name), col(Client.phone), col(Pick.reason), col(Pick.day))
            .join(Client, col(Client.id) == col(Letter.client_id))
            .outerjoin(
                Pick, and_(col(Pick.letter_id) == col(Letter.id), col(Pick.skipped).is_(False))
            )
            .where(col(Letter.business_id) == business_id, shown)
            .order_by(col(Letter.day).desc(), col(Pick.rank), col(Letter.id))
            .limit(TODAY_LIMIT)
        )
    )
    ids = {letter.id for letter, *_ in rows}
    calls: dict[int, list[LetterDetail]] = {}
    for letter, name, *_ in rows:
        if letter.call_for_id in ids and letter.channel == Channel.call:
            calls.setdefault(letter.call_for_id, []).append(detail_of(letter, name))
    items = [
        DayLetter(
            detail_of(letter, name),
            reason,
            picked_on,
            phone,
            tuple(calls.get(letter.id, ())),
        )
        for letter, name, phone, reason, picked_on in rows
        if not (letter.call_for_id in ids and letter.channel == Channel.call)
    ]
    if only is not None:
        items = [item for item in items if item.letter.id == only]
    order: dict[str, int] = {LetterStatus.draft: 0, LetterStatus.approved: 1}
    return sorted(items, key=lambda i: (not i.flagged, order.get(i.letter.status, 2)))


def day_letter(session: Session, business_id: int, letter_id: int) -> DayLetter:
    """One letter as Today shows it (``NotFound`` for another business's)."""
    letter = get_letter(session, business_id, letter_id)
    return day_letters(session, business_id, letter.day, only=letter_id)[0]


def pick_of(session: Session, business_id: int, letter_id: int) -> Pick:
    """The pick whose letter is ``letter_id``: what skipping it skips. ``Conflict`` when
    the letter is not a pick's (a call task, a letter of the owner's own)."""
    get_letter(session, business_id, letter_id)
    chosen = session.exec(
        select(Pick).where(Pick.business_id == business_id, Pick.letter_id == letter_id)
    ).first()
    if chosen is None:
        raise Conflict(f"letter {letter_id} is not one of a day's picks: it cannot be skipped")
    return chosen


def replacement_letter(session: Session, business_id: int, day: date, client_id: int) -> int:
    """The letter drafted for ``client_id``'s pick on ``day`` (a skip's replacement)."""
    letter_id = session.exec(
        select(Pick.letter_id).where(
            Pick.business_id == business_id, Pick.day == day, Pick.client_id == client_id
        )
    ).first()
    assert letter_id is not None
    return letter_id


@dataclass(frozen=True)
class Approved:
    """What ``approve_unflagged`` did: the letters approved, and the drafts it left for
    the owner to read (flagged), each as (letter id, client name)."""

    approved: tuple[tuple[int, str], ...]
    to_read: tuple[tuple[int, str], ...]


def approve_unflagged(
    session: Session, business_id: int, day: date, now: datetime
) -> Approved:
    """Approve every email draft of Today whose checks flagged nothing; a flagged one
    waits for the owner's reading. (Calls and printed notes are done by hand.)"""
    approved, to_read = [], []
    for item in day_letters(session, business_id, day):
        letter = item.letter
        if letter.status != LetterStatus.draft or letter.channel != Channel.email:
            continue
        if letter.flags:
            to_read.append((letter.id, letter.client_name))
            continue
        approve(session, get_letter(session, business_id, letter.id), now)
        approved.append((letter.id, letter.client_name))
    return Approved(tuple(approved), tuple(to_read))


@dataclass(frozen=True)
class Moment:
    """A step of a letter's history: ``what`` is a status (drafted, approved, sent, …)
    or an inbox message's kind; ``detail`` its words (an error, why, a subject)."""

    when: datetime
    what: str
    detail: str | None = None


def letter_history(session: Session, business_id: int, letter_id: int) -> list[Moment]:
    """What happened to a letter, oldest first: drafted, approved, sent or its last
    status, and what came back to the owner's inbox about it."""
    letter = get_letter(session, business_id, letter_id)
    moments = [Moment(letter.created_at, "drafted")]
    if letter.approved_at is not None:
        moments.append(Moment(letter.approved_at, "approved"))
    if letter.sent_at is not None:
        moments.append(Moment(letter.sent_at, "sent"))
    last = letter.status
    if last not in (LetterStatus.draft, LetterStatus.approved, LetterStatus.sent):
        detail = letter.dismissed_why if last == LetterStatus.dismissed else letter.last_error
        moments.append(Moment(letter.updated_at, last, detail))
    inbox: list[InboxMessageView] = letter_inbox(session, business_id, letter_id)
    moments += [Moment(m.received_at, m.kind, m.subject or None) for m in inbox]
    return sorted(moments, key=lambda moment: moment.when)
