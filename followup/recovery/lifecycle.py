"""A special guarantee's life after it is given: the client's recovery, the outcomes the
owner records, claims, and cancelling.

- **Recovery** (``recover_client``): a lost client, or one who complained, comes back: a
  ``recovered`` event, and the guarantee (its incident is the client's latest complaint,
  which the offer and check-in letters name).
- **A positive outcome** (a ``reply`` or ``purchase`` event, or ``mark_satisfied`` after
  a call) on a day the guarantee runs skips the next check-in: ``next_checkin_on`` moves
  to the check-in day that follows it on the cadence (7 → 30, 90 → 120, …); with none
  left, there is no further check-in.
- **A claim** (a ``complaint`` event on a day the guarantee runs, or ``claim`` by hand,
  which records that complaint): a ``GuaranteeClaim`` with the payout the guarantee
  promised, and the guarantee's status becomes ``claimed``: its check-ins stop, it
  never expires into a closing note, and a further complaint before its end day is one
  more claim. The apology for that complaint states the guarantee (``letters.drafting``).
- **Lost again** (a ``lost`` event after the start): the active guarantee is cancelled,
  with the reason, and its letters not yet sent are cancelled.

``after_event`` is what every place that records an event calls (the CLI, an import,
the inbox): it returns a sentence for the owner when the event changed a guarantee.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from followup.errors import Conflict, Invalid, NotFound
from followup.events import EventInput, add_event, latest_event
from followup.fields import one_line
from followup.models import (
    Client,
    ClientStatus,
    Event,
    EventKind,
    Guarantee,
    GuaranteeClaim,
    GuaranteeStatus,
    Letter,
    LetterStatus,
    max_length,
)
from followup.recovery.guarantees import create_guarantee, next_checkin_after

# A guarantee a complaint can be a claim on: running, or claimed once already.
COVERING = (GuaranteeStatus.active, GuaranteeStatus.claimed)
POSITIVE_EVENTS = frozenset({EventKind.reply, EventKind.purchase})
# Letters of a cancelled guarantee that can still be stopped (DESIGN §5's cancel).
_UNSENT = (LetterStatus.draft, LetterStatus.approved, LetterStatus.queued)


def get_guarantee(session: Session, business_id: int, guarantee_id: int) -> Guarantee:
    guarantee = session.get(Guarantee, guarantee_id)
    if guarantee is None or guarantee.business_id != business_id:
        raise NotFound(f"there is no guarantee {guarantee_id}: see `followup guarantees list`")
    return guarantee


def _covering(session: Session, client_id: int, day: date) -> Guarantee | None:
    """The client's guarantee that runs on ``day`` (active or claimed), newest first."""
    return session.exec(
        select(Guarantee)
        .where(
            Guarantee.client_id == client_id,
            col(Guarantee.status).in_(COVERING),
            col(Guarantee.starts_on) <= day,
            col(Guarantee.ends_on) >= day,
        )
        .order_by(col(Guarantee.starts_on).desc(), col(Guarantee.id).desc())
    ).first()


def _open_guarantee(session: Session, client_id: int) -> Guarantee | None:
    return session.exec(
        select(Guarantee).where(
            Guarantee.client_id == client_id, Guarantee.status == GuaranteeStatus.active
        )
    ).first()


def latest_complaint(session: Session, client: Client, day: date) -> Event | None:
    return latest_event(session, client, EventKind.complaint, day)


def recover_client(
    session: Session,
    client: Client,
    *,
    day: date,
    now: datetime,
    months: int,
    terms: str,
    payout: str = "",
    offsets: str = "7,30,60,90",
    summary: str = "",
) -> Guarantee:
    """A lost or complaining client came back: a ``recovered`` event on ``day`` and the
    special guarantee starting that day. The offer letter comes with the next daily run.

    Raises ``Conflict`` for a client who cannot be written to, one who neither left nor
    complained, or one whose guarantee is still running; ``Invalid`` naming the field.
    """
    if client.do_not_contact:
        raise Conflict(
            f"{client.name} cannot be written to ({client.do_not_contact_reason})"
        )
    complaint = latest_complaint(session, client, day)
    if client.status != ClientStatus.lost and complaint is None:
        raise Conflict(
            f"{client.name} has neither left nor complained: only such a client is recovered"
        )
    running = _open_guarantee(session, client.id or 0)
    if running is not None:
        raise Conflict(
            f"{client.name} already has guarantee {running.id}, running until {running.ends_on}"
        )
    add_event(
        session,
        client,
        EventInput(EventKind.recovered, day, one_line(summary) or "Came back"),
        now,
    )
    return create_guarantee(
        session,
        client,
        months=months,
        terms=terms,
        payout=payout,
        starts_on=day,
        now=now,
        event_id=complaint.id if complaint else None,
        offsets=offsets,
    )


def skip_checkin(guarantee: Guarantee) -> date | None:
    """A positive outcome: the next check-in moves to the one after it (None: no more)."""
    if guarantee.next_checkin_on is not None:
        guarantee.next_checkin_on = next_checkin_after(guarantee, guarantee.next_checkin_on)
    return guarantee.next_checkin_on


def mark_satisfied(
    session: Session, guarantee: Guarantee, *, day: date, note: str, now: datetime
) -> Event:
    """The owner called and the client is satisfied: a ``call`` event with ``note``, and
    the next check-in is skipped. Raises ``Conflict`` unless the guarantee is active."""
    if guarantee.status != GuaranteeStatus.active:
        raise Conflict(f"guarantee {guarantee.id} is {guarantee.status}, not active")
    client = session.get(Client, guarantee.client_id)
    assert client is not None
    if not one_line(note):
        raise Invalid("note", "say in a few words how the call went")
    event = add_event(session, client, EventInput(EventKind.call, day, note), now)
    skip_checkin(guarantee)
    session.add(guarantee)
    session.flush()
    return event


def record_claim(
    session: Session, guarantee: Guarantee, *, day: date, what: str, now: datetime,
    event: Event | None = None,
) -> GuaranteeClaim:  # fmt: skip
    """The error repeated while the guarantee runs: a claim with the promised payout, and
    the guarantee becomes ``claimed`` (its check-ins stop)."""
    what = one_line(what)
    if not what:
        raise Invalid("what", "say in a few words what went wrong again")
    limit = max_length(GuaranteeClaim, "what_happened")
    if len(what) > limit:
        raise Invalid("what", f"longer than {limit} characters")
    if guarantee.status not in COVERING or not guarantee.starts_on <= day <= guarantee.ends_on:
        raise Conflict(
            f"guarantee {guarantee.id} does not cover {day} "
            f"({guarantee.status}, {guarantee.starts_on} to {guarantee.ends_on})"
        )
    claim = GuaranteeClaim(
        business_id=guarantee.business_id,
        guarantee_id=guarantee.id or 0,
        event_id=event.id if event else None,
        day=day,
        what_happened=what,
        payout=guarantee.payout,
        created_at=now,
    )
    session.add(claim)
    guarantee.status = GuaranteeStatus.claimed
    guarantee.next_checkin_on = None
    session.add(guarantee)
    session.flush()
    return claim


def claim(
    session: Session, guarantee: Guarantee, *, day: date, what: str, now: datetime
) -> GuaranteeClaim:
    """The owner records a claim by hand: the complaint it is (an apology answers it,
    stating the guarantee) and the claim against the guarantee."""
    client = session.get(Client, guarantee.client_id)
    assert client is not None
    if guarantee.status not in COVERING or not guarantee.starts_on <= day <= guarantee.ends_on:
        raise Conflict(
            f"guarantee {guarantee.id} does not cover {day} "
            f"({guarantee.status}, {guarantee.starts_on} to {guarantee.ends_on})"
        )
    if not one_line(what):
        raise Invalid("what", "say in a few words what went wrong again")
    event = add_event(session, client, EventInput(EventKind.complaint, day, what), now)
    return record_claim(session, guarantee, day=day, what=what, now=now, event=event)


def cancel_guarantee(
    session: Session, guarantee: Guarantee, *, reason: str, now: datetime
) -> int:
    """Cancel a running guarantee with ``reason``; its letters not yet sent are cancelled
    too (their number is returned). Raises ``Conflict`` when it is not running."""
    reason = one_line(reason)
    if not reason:
        raise Invalid("reason", "say in a few words why the guarantee is cancelled")
    limit = max_length(Guarantee, "cancelled_why")
    if len(reason) > limit:
        raise Invalid("reason", f"longer than {limit} characters")
    if guarantee.status not in COVERING:
        raise Conflict(f"guarantee {guarantee.id} is {guarantee.status}; it cannot be cancelled")
    guarantee.status = GuaranteeStatus.cancelled
    guarantee.cancelled_why = reason
    guarantee.cancelled_at = now
    guarantee.next_checkin_on = None
    session.add(guarantee)
    result = session.execute(
        update(Letter)
        .where(col(Letter.guarantee_id) == guarantee.id, col(Letter.status).in_(_UNSENT))
        .values(
            status=LetterStatus.cancelled, lease_owner=None, lease_until=None, updated_at=now
        )
    )
    session.flush()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def after_event(session: Session, client: Client, event: Event, now: datetime) -> str | None:
    """What a newly recorded event does to the client's guarantee, said in one sentence
    (None: nothing). See the module's docstring."""
    assert client.id is not None
    if event.kind == EventKind.complaint:
        covering = _covering(session, client.id, event.day)
        if covering is None:
            return None
        record_claim(session, covering, day=event.day, what=event.summary, now=now, event=event)
        payout = f": {covering.payout}" if covering.payout else ""
        return f"This is a claim on guarantee {covering.id}{payout}."
    running = _open_guarantee(session, client.id)
    if running is None or event.day < running.starts_on:
        return None
    if event.kind == EventKind.lost:
        reason = f"the client was lost again on {event.day}: {event.summary}"
        cancel_guarantee(session, running, reason=reason[:500], now=now)
        return f"Guarantee {running.id} is cancelled: {reason}."
    if event.kind in POSITIVE_EVENTS and event.day <= running.ends_on:
        before = running.next_checkin_on
        if before is None:
            return None
        after = skip_checkin(running)
        session.add(running)
        session.flush()
        then = f"the next one is on {after}" if after else "no check-in is left"
        return f"Guarantee {running.id}: the check-in of {before} is skipped; {then}."
    return None
