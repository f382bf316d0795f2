"""Which clients get a letter on a day (DESIGN §3).

``tiers`` holds the six tier queries; this module walks them in rank order, the clients
the owner pinned for the day first (tier 0). Nothing here writes: ``jobs.run_day`` does.
``owner`` holds the owner's say: pins and skips.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from sqlalchemy import select
from sqlmodel import Session, col
from sqlmodel import select as select_one

from followup.models import Business, Client, LetterKind, Pin
from followup.picking.reasons import Reasons
from followup.picking.tiers import TIERS, Candidate, Scope, eligible

__all__ = ["Candidate", "candidates", "explain", "pick"]


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
                *eligible(
                    Scope(scope.business, scope.day, scope.reasons, only=tuple(rest)),
                    cooldown=False,
                )
            )
        ):
            best[client_id] = Candidate(
                client_id=client_id,
                client_name=name,
                tier=6,
                kind=LetterKind.thank_you,
                reason="",
                occasion="appreciation",
            )
    for client_id in pins:
        if client_id in best:
            best_reason = best[client_id]
            yield best_reason.model_copy(
                update={
                    "tier": 0,
                    "reason": scope.reasons.pinned(best_reason.reason),
                    "trigger_day": scope.day,
                }
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
