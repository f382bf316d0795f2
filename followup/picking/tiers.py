"""Which clients get a letter on a day (DESIGN §3).

Six tiers, each one indexed query that returns its candidates oldest trigger first
(ties by client id), read a page at a time so that a business with a million clients
costs a few index look-ups, never a scan into Python. The quota fills tier by tier and
a client appears once. Nothing here writes: ``run_day`` in jobs.py does that.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select
from sqlmodel import Session, col
from sqlmodel import select as select_one

from followup.models import (
    PIPELINE_STATUSES,
    Business,
    Client,
    ClientStatus,
    Event,
    EventKind,
    Guarantee,
    GuaranteeStatus,
    Letter,
    LetterKind,
    LetterStatus,
    Pick,
    Pin,
)
from followup.picking.reasons import Reasons

if TYPE_CHECKING:
    from typing import TypeAlias

    Query: TypeAlias = Select[*tuple[Any, ...]]

PURCHASE_WINDOW_DAYS = 30
PAGE = 64
# Letters that never reached the client do not start a cooldown.
NOT_DELIVERED = (LetterStatus.cancelled, LetterStatus.failed)


@dataclass(frozen=True)
class Candidate:
    client_id: int
    client_name: str
    tier: int
    kind: str
    reason: str
    trigger_day: date | None
    event_id: int | None = None
    guarantee_id: int | None = None
    # For thank-you letters: "purchase" or "appreciation"; otherwise the kind.
    occasion: str = ""

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["trigger_day"] = self.trigger_day.isoformat() if self.trigger_day else None
        return data


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


def _eligible(scope: Scope, *, cooldown: bool) -> list[ColumnElement[bool]]:
    """The conditions every candidate meets; tier 1 skips the cooldown."""
    business, day = scope.business, scope.day
    in_pipeline = exists().where(
        col(Letter.client_id) == col(Client.id), col(Letter.status).in_(PIPELINE_STATUSES)
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
                col(Letter.status).not_in(NOT_DELIVERED),
            )
        )
    return conditions


def _not_skipped() -> ColumnElement[bool]:
    """A letter whose pick the owner skipped answers nothing: its trigger stays open."""
    return ~exists().where(col(Pick.letter_id) == col(Letter.id), col(Pick.skipped))


def _answered(kind: LetterKind) -> ColumnElement[bool]:
    """A letter of ``kind`` answers the event: linked to it, or drafted after its day."""
    return exists().where(
        col(Letter.client_id) == col(Event.client_id),
        col(Letter.kind) == kind,
        or_(col(Letter.event_id) == col(Event.id), col(Letter.day) > col(Event.day)),
        _not_skipped(),
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
            *_eligible(scope, cooldown=cooldown),
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
                client_id,
                name,
                self.tier,
                self.letter,
                self.reason(scope.reasons, eday, summary),
                eday,
                event_id=event_id,
                occasion=self.occasion,
            )


def _tier2(session: Session, scope: Scope) -> Iterator[Candidate]:
    day, r = scope.day, scope.reasons
    base = (
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
            col(Guarantee.business_id) == scope.business.id,
            col(Guarantee.status) == GuaranteeStatus.active,
            col(Guarantee.ends_on) >= day,
            *_eligible(scope, cooldown=True),
        )
    )
    offered = exists().where(
        col(Letter.guarantee_id) == col(Guarantee.id),
        col(Letter.kind) == LetterKind.guarantee_offer,
        _not_skipped(),
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
                client_id,
                name,
                2,
                LetterKind.guarantee_offer,
                r.offer(starts),
                starts,
                event_id=event_id,
                guarantee_id=gid,
                occasion=LetterKind.guarantee_offer,
            )

    def checkin_rows() -> Iterator[Candidate]:
        for gid, _starts, ends, due, event_id, client_id, name in _pages(session, checkins):
            yield Candidate(
                client_id,
                name,
                2,
                LetterKind.guarantee_checkin,
                r.checkin(due, ends),
                due,
                event_id=event_id,
                guarantee_id=gid,
                occasion=LetterKind.guarantee_checkin,
            )

    yield from heapq.merge(offer_rows(), checkin_rows(), key=lambda c: (c.trigger_day, c.client_id))


def _tier6(session: Session, scope: Scope) -> Iterator[Candidate]:
    base = select(col(Client.id), col(Client.name), col(Client.last_contacted_on)).where(
        col(Client.status).in_((ClientStatus.active, ClientStatus.recovered)),
        *_eligible(scope, cooldown=True),
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
                client_id,
                name,
                6,
                LetterKind.thank_you,
                scope.reasons.rotation(last),
                last,
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


def _pinned(session: Session, scope: Scope) -> Iterator[Candidate]:
    """Clients the owner pinned for the day, first, each with its best reason if any."""
    pins = tuple(
        session.exec(
            select_one(col(Pin.client_id))
            .where(Pin.business_id == scope.business.id, Pin.day == scope.day)
            .order_by(col(Pin.id))
        ).all()
    )
    if not pins:
        return
    walk = Scope(scope.business, scope.day, scope.reasons, only=pins, cooldown=False)
    best: dict[int, Candidate] = {}
    for tier in TIERS:
        for candidate in tier(session, walk):
            best.setdefault(candidate.client_id, candidate)
    # A pinned lost client has no rotation letter: an appreciation note it is.
    rest = [p for p in pins if p not in best]
    if rest:
        for client_id, name in session.execute(
            select(col(Client.id), col(Client.name)).where(
                *_eligible(
                    Scope(scope.business, scope.day, scope.reasons, only=tuple(rest)),
                    cooldown=False,
                )
            )
        ):
            best[client_id] = Candidate(
                client_id, name, 6, LetterKind.thank_you, "", None, occasion="appreciation"
            )
    for client_id in pins:
        if client_id in best:
            c = best[client_id]
            reason = scope.reasons.pinned(c.reason)
            yield Candidate(
                c.client_id,
                c.client_name,
                0,
                c.kind,
                reason,
                scope.day,
                c.event_id,
                c.guarantee_id,
                c.occasion,
            )


def candidates(
    session: Session, business: Business, day: date, exclude: Iterable[int] = ()
) -> Iterator[Candidate]:
    """Every candidate for ``day`` in rank order, each client once (at its best tier):
    the clients pinned for the day first, then tier by tier. ``exclude`` leaves out
    clients already handled that day (a skipped pick is not offered again)."""
    scope = Scope(business, day, Reasons(business))
    seen: set[int] = set(exclude)
    for tier in (_pinned, *TIERS):
        for candidate in tier(session, scope):
            if candidate.client_id not in seen:
                seen.add(candidate.client_id)
                yield candidate


def pick(
    session: Session,
    business: Business,
    day: date,
    quota: int | None = None,
    exclude: Iterable[int] = (),
) -> list[Candidate]:
    """The day's picks: the first ``quota`` candidates (the business's quota by default).

    Reads only; the caller checks that ``day`` is a working day.
    """
    wanted = business.daily_quota if quota is None else quota
    chosen: list[Candidate] = []
    if wanted <= 0:
        return chosen
    for candidate in candidates(session, business, day, exclude):
        chosen.append(candidate)
        if len(chosen) == wanted:
            break
    return chosen


def explain(
    session: Session, business: Business, day: date, limit: int | None = None
) -> list[Candidate]:
    """The whole ranked candidate list (or its first ``limit``), without writing anything."""
    ranked: list[Candidate] = []
    for candidate in candidates(session, business, day):
        ranked.append(candidate)
        if limit is not None and len(ranked) >= limit:
            break
    return ranked
