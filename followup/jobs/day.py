"""The day's routine for one business: pick, draft, record — exactly once per day — and
a skipped pick's replacement (the skip itself is ``picking.owner``'s)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from followup.businesses import get_business
from followup.calendar import why_not_working
from followup.db import lock_business, read_session, write_session
from followup.letters.drafting import draft_letter
from followup.models import Business, DailyRun, Guarantee, LetterKind, Pick
from followup.picking import Candidate, pick
from followup.picking.owner import record_skip
from followup.recovery.guarantees import advance_checkin, expire_guarantees


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

    One day at a time per business: the transaction first takes the business's lock
    (``db.lock_business``), so a run of another day (a backfill while cron ticks) or of
    the same day waits for this one to commit, then picks from what it left: no client
    gets a second letter in the pipeline or one inside the cooldown. A run that waited
    for the same day finds its DailyRun and does nothing. (On SQLite the lock is the
    database's own: ``BEGIN IMMEDIATE`` already runs every writer alone.)
    """
    with read_session(engine) as session:
        business = get_business(session, business_id)
        closed = why_not_working(business, day)
    if closed is not None:
        return DayResult(business_id, day, "not_working_day", reason=closed)
    try:
        with write_session(engine) as session:
            lock_business(session, business_id)
            if session.get(DailyRun, (business_id, day)) is not None:
                return DayResult(business_id, day, "already_done")
            run = DailyRun(business_id=business_id, day=day, created_at=now)
            session.add(run)
            session.flush()
            business = get_business(session, business_id)
            # Guarantees that ended before the day are expired first: their closing
            # note is one of the day's picks (the tick and the worker expire them too).
            expire_guarantees(session, business_id, day)
            chosen = pick(session, business, day)
            letter_ids = [
                _draft_pick(session, business, rank, candidate, day, now)
                for rank, candidate in enumerate(chosen, start=1)
            ]
            run.picked = len(chosen)
            session.add(run)
    except IntegrityError:
        # Another process inserted the DailyRun between our check and our insert: one
        # that took no lock (an older version, mid-upgrade). Any other integrity error is
        # a bug and must not pass for "already done".
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


def skip_pick(
    session: Session, business: Business, day: date, client_id: int, now: datetime
) -> Candidate | None:
    """The owner skips a client picked for ``day``: its letter is cancelled, the skip is
    recorded, and the next candidate takes its place (returned; None when nobody is left).

    The skipped client's reason stays open, so it comes back on a later day. Raises
    ``DayError`` when the client was not picked, was skipped already, or its letter is
    on its way. ``session`` is a ``write_session``: the replacement is picked under the
    business's lock, as ``run_day`` picks, so it is never a client another day just took.
    """
    assert business.id is not None
    lock_business(session, business.id)
    record_skip(session, business, day, client_id, now)
    day_picks = list(
        session.exec(select(Pick).where(Pick.business_id == business.id, Pick.day == day))
    )
    following = pick(session, business, day, quota=1, exclude=[p.client_id for p in day_picks])
    replacement = following[0] if following else None
    if replacement is not None:
        rank = max(p.rank for p in day_picks) + 1
        _draft_pick(session, business, rank, replacement, day, now)
    return replacement
