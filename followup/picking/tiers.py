"""Which clients get a letter on a day (DESIGN §3).

Six tiers, each one indexed query that returns its candidates oldest trigger first
(ties by client id), read a page at a time so that a business with a million clients
costs a few index look-ups, never a scan into Python. The quota fills tier by tier and
a client appears once. Nothing here writes: ``run_day`` in jobs.py does that.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select
from sqlmodel import Session, col

from followup.models import (
    PIPELINE_STATUSES,
    Business,
    Client,
    ClientStatus,
    Event,
    EventKind,
    Guarantee,
    GuaranteeClaim,
    GuaranteeStatus,
    Letter,
    LetterKind,
    LetterStatus,
)
from followup.picking.reasons import Reasons
from followup.schemas import PickView

if TYPE_CHECKING:
    from typing import TypeAlias

    Query: TypeAlias = Select[*tuple[Any, ...]]

PURCHASE_WINDOW_DAYS = 30
# A guarantee that ended without a claim is thanked for within this many days of its end
# (the cooldown may hold the note back a little); an older one is left alone.
CLOSING_WINDOW_DAYS = 60
PAGE = 64
# Letters that never reached the client do not start a cooldown.
NOT_DELIVERED = (LetterStatus.cancelled, LetterStatus.failed)
# Nor does a reason the owner dismissed without writing.
NO_COOLDOWN = (*NOT_DELIVERED, LetterStatus.dismissed)


class Candidate(PickView):
    """A client who would get a letter on a day: the public ``PickView`` (what ``pick --json``
    and the API show) and what drafting the letter needs."""

    trigger_day: date | None = None
    event_id: int | None = None
    guarantee_id: int | None = None
    # For thank-you letters: "purchase" or "appreciation"; otherwise the kind.
    occasion: str = ""


@dataclass(frozen=True)
class Scope:
    """What one walk of the tiers looks at: a business's day, optionally only some clients.

    Pinned clients are walked with ``only`` set to them and ``cooldown`` off: the owner
    asked for them on that day.
    """

    business: Business
    day: date
    reasons: Reasons
    only: tuple[int, ...] = ()
    cooldown: bool = True


def eligible(scope: Scope, *, cooldown: bool) -> list[ColumnElement[bool]]:
    """The conditions every candidate meets; the apology (tier 1) and the guarantee's offer
    and check-ins (tier 2) skip the cooldown."""
    business, day = scope.business, scope.day
    # A call task beside an apology (``call_for_id``) waits for the owner's phone, not for
    # a letter: it holds nothing back beyond what its apology does.
    in_pipeline = exists().where(
        col(Letter.client_id) == col(Client.id),
        col(Letter.status).in_(PIPELINE_STATUSES),
        col(Letter.call_for_id).is_(None),
    )
    conditions = [
        col(Client.business_id) == business.id,
        col(Client.do_not_contact) == false(),
        or_(
            and_(col(Client.email).is_not(None), col(Client.email) != ""),
            col(Client.phone) != "",
        ),
        ~in_pipeline,
    ]
    if scope.only:
        conditions.append(col(Client.id).in_(scope.only))
    if cooldown and scope.cooldown and business.cooldown_days > 0:
        since = day - timedelta(days=business.cooldown_days)
        conditions.append(
            ~exists().where(
                col(Letter.client_id) == col(Client.id),
                col(Letter.day) >= since,
                col(Letter.status).not_in(NO_COOLDOWN),
            )
        )
    return conditions


def _counts() -> ColumnElement[bool]:
    """A cancelled letter (a skipped pick's among them) or a failed one never reached the
    client: it answers nothing, and its trigger stays open for a later day."""
    return col(Letter.status).not_in(NOT_DELIVERED)


def _answered(kind: LetterKind) -> ColumnElement[bool]:
    """A letter of ``kind`` answers the event: linked to it, or drafted after its day."""
    return exists().where(
        col(Letter.client_id) == col(Event.client_id),
        col(Letter.kind) == kind,
        or_(col(Letter.event_id) == col(Event.id), col(Letter.day) > col(Event.day)),
        _counts(),
    )


def _event_tier(
    scope: Scope,
    kind: EventKind,
    answer: LetterKind,
    *,
    cooldown: bool,
    since: date | None = None,
    status: ClientStatus | None = None,
) -> Query:
    query = (
        select(col(Event.id), col(Event.day), col(Event.summary), col(Client.id), col(Client.name))
        .join(Client, col(Client.id) == col(Event.client_id))
        .where(
            col(Event.business_id) == scope.business.id,
            col(Event.kind) == kind,
            col(Event.day) <= scope.day,
            ~_answered(answer),
            *eligible(scope, cooldown=cooldown),
        )
        .order_by(col(Event.day), col(Client.id), col(Event.id))
    )
    if since is not None:
        query = query.where(col(Event.day) >= since)
    if status is not None:
        query = query.where(col(Client.status) == status)
    return query


def _pages(session: Session, query: Query) -> Iterator[Any]:
    offset = 0
    while True:
        rows = session.execute(query.limit(PAGE).offset(offset)).all()
        yield from rows
        if len(rows) < PAGE:
            return
        offset += PAGE


@dataclass(frozen=True)
class _EventTier:
    """A tier whose trigger is an event of one kind not yet answered by a letter."""

    tier: int
    event: EventKind
    letter: LetterKind
    occasion: str
    reason: Callable[[Reasons, date, str], str]
    cooldown: bool = True
    status: ClientStatus | None = None
    window_days: int | None = None

    def __call__(self, session: Session, scope: Scope) -> Iterator[Candidate]:
        since = scope.day - timedelta(days=self.window_days) if self.window_days else None
        query = _event_tier(
            scope,
            self.event,
            self.letter,
            cooldown=self.cooldown,
            since=since,
            status=self.status,
        )
        for event_id, eday, summary, client_id, name in _pages(session, query):
            yield Candidate(
                client_id=client_id,
                client_name=name,
                tier=self.tier,
                kind=self.letter,
                reason=self.reason(scope.reasons, eday, summary),
                trigger_day=eday,
                event_id=event_id,
                occasion=self.occasion,
            )


def _guarantees(scope: Scope, *, cooldown: bool) -> Query:
    return (
        select(
            col(Guarantee.id),
            col(Guarantee.starts_on),
            col(Guarantee.ends_on),
            col(Guarantee.next_checkin_on),
            col(Guarantee.event_id),
            col(Client.id),
            col(Client.name),
        )
        .join(Client, col(Client.id) == col(Guarantee.client_id))
        .where(
            col(Guarantee.business_id) == scope.business.id, *eligible(scope, cooldown=cooldown)
        )
    )


def _closings(session: Session, scope: Scope) -> Iterator[Candidate]:
    """Guarantees that expired without a claim, not yet thanked for: once each. The note is
    a ``thank_you`` for the second chance (LETTERS.md), linked to its guarantee."""
    day = scope.day
    claimed = exists().where(col(GuaranteeClaim.guarantee_id) == col(Guarantee.id))
    closed = exists().where(
        col(Letter.guarantee_id) == col(Guarantee.id),
        col(Letter.kind) == LetterKind.thank_you,
        _counts(),
    )
    query = (
        _guarantees(scope, cooldown=True)
        .where(
            col(Guarantee.status) == GuaranteeStatus.expired,
            col(Guarantee.ends_on) < day,
            col(Guarantee.ends_on) >= day - timedelta(days=CLOSING_WINDOW_DAYS),
            ~claimed,
            ~closed,
        )
        .order_by(col(Guarantee.ends_on), col(Client.id), col(Guarantee.id))
    )
    for gid, _starts, ends, _next, event_id, client_id, name in _pages(session, query):
        yield Candidate(
            client_id=client_id,
            client_name=name,
            tier=2,
            kind=LetterKind.thank_you,
            reason=scope.reasons.closing(ends),
            trigger_day=ends,
            event_id=event_id,
            guarantee_id=gid,
            occasion="guarantee_end",
        )


def _tier2(session: Session, scope: Scope) -> Iterator[Candidate]:
    """The special guarantees: the offer, the check-ins on their days, and the thank-you
    once a guarantee ended without a claim; the oldest trigger first.

    The offer and the check-ins skip the cooldown, as the apology does: the guarantee
    promised the client more frequent contact at first (day 7 after the offer, then 30,
    60, 90), and a 14-day cooldown would move the first check-in to day 14. The cadence
    is their spacing. Nothing else changes: a letter still in the pipeline holds them
    back, and the closing note waits for the cooldown like any thank-you.
    """
    day, r = scope.day, scope.reasons
    base = _guarantees(scope, cooldown=False).where(
        col(Guarantee.status) == GuaranteeStatus.active, col(Guarantee.ends_on) >= day
    )
    offered = exists().where(
        col(Letter.guarantee_id) == col(Guarantee.id),
        col(Letter.kind) == LetterKind.guarantee_offer,
        _counts(),
    )
    offers = base.where(
        col(Client.status) == ClientStatus.recovered, col(Guarantee.starts_on) <= day, ~offered
    ).order_by(col(Guarantee.starts_on), col(Client.id), col(Guarantee.id))
    checkins = base.where(col(Guarantee.next_checkin_on) <= day, offered).order_by(
        col(Guarantee.next_checkin_on), col(Client.id), col(Guarantee.id)
    )

    def offer_rows() -> Iterator[Candidate]:
        for gid, starts, _ends, _next, event_id, client_id, name in _pages(session, offers):
            yield Candidate(
                client_id=client_id,
                client_name=name,
                tier=2,
                kind=LetterKind.guarantee_offer,
                reason=r.offer(starts),
                trigger_day=starts,
                event_id=event_id,
                guarantee_id=gid,
                occasion=LetterKind.guarantee_offer,
            )

    def checkin_rows() -> Iterator[Candidate]:
        for gid, _starts, ends, due, event_id, client_id, name in _pages(session, checkins):
            yield Candidate(
                client_id=client_id,
                client_name=name,
                tier=2,
                kind=LetterKind.guarantee_checkin,
                reason=r.checkin(due, ends),
                trigger_day=due,
                event_id=event_id,
                guarantee_id=gid,
                occasion=LetterKind.guarantee_checkin,
            )

    yield from heapq.merge(
        offer_rows(),
        checkin_rows(),
        _closings(session, scope),
        key=lambda c: (c.trigger_day, c.client_id),
    )


def _tier6(session: Session, scope: Scope) -> Iterator[Candidate]:
    # A client whose special guarantee runs is written to on its cadence (tier 2), not
    # on the rotation's: a rotation letter would push the next check-in past its day.
    guaranteed = exists().where(
        col(Guarantee.client_id) == col(Client.id),
        col(Guarantee.status) == GuaranteeStatus.active,
    )
    base = select(col(Client.id), col(Client.name), col(Client.last_contacted_on)).where(
        col(Client.status).in_((ClientStatus.active, ClientStatus.recovered)),
        ~guaranteed,
        *eligible(scope, cooldown=True),
    )
    # Two walks of the rotation index, so both databases read it in order:
    # never-contacted clients first (by id), then the longest since contact.
    never = base.where(col(Client.last_contacted_on).is_(None)).order_by(col(Client.id))
    oldest = base.where(col(Client.last_contacted_on).is_not(None)).order_by(
        col(Client.last_contacted_on), col(Client.id)
    )
    for query in (never, oldest):
        for client_id, name, last in _pages(session, query):
            yield Candidate(
                client_id=client_id,
                client_name=name,
                tier=6,
                kind=LetterKind.thank_you,
                reason=scope.reasons.rotation(last),
                trigger_day=last,
                occasion="appreciation",
            )


TIERS: tuple[Callable[[Session, Scope], Iterator[Candidate]], ...] = (
    _EventTier(
        1,
        EventKind.complaint,
        LetterKind.apology,
        LetterKind.apology,
        Reasons.complaint,
        cooldown=False,
    ),
    _tier2,
    _EventTier(
        3,
        EventKind.cooperation,
        LetterKind.cooperation,
        LetterKind.cooperation,
        Reasons.cooperation,
    ),
    _EventTier(
        4,
        EventKind.lost,
        LetterKind.lost_client,
        LetterKind.lost_client,
        Reasons.lost,
        status=ClientStatus.lost,
    ),
    _EventTier(
        5,
        EventKind.purchase,
        LetterKind.thank_you,
        "purchase",
        Reasons.purchase,
        window_days=PURCHASE_WINDOW_DAYS,
    ),
    _tier6,
)
