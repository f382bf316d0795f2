"""Ending a relationship: the owner decides a client is not to be written to again.

The client becomes ``do_not_contact: owner`` (an earlier reason, such as an
unsubscription, is kept), every letter of theirs that has not started to leave is
cancelled through the outbox's own guarded transition, their active guarantees are
cancelled with the owner's reason, and a note on their timeline says when and why. A
letter being sent at that moment, or one waiting for the owner's decision
(``uncertain``), is left as it is: the sender refuses it, since the client is no longer
to be contacted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from followup import outbox
from followup.calendar import local_today
from followup.errors import Invalid
from followup.fields import one_line
from followup.models import (
    Business,
    Client,
    DoNotContact,
    Event,
    EventKind,
    Guarantee,
    GuaranteeStatus,
    Letter,
    LetterStatus,
    max_length,
)

OPEN = (LetterStatus.draft, LetterStatus.approved, LetterStatus.queued)
NOTE = {
    "es": "Relación terminada por decisión propia: {why}",
    "en": "Relationship ended by the owner: {why}",
}


@dataclass(frozen=True)
class Ended:
    already: bool  # the client was not to be contacted before this
    letters: list[int]  # open letters cancelled now
    guarantees: list[int]  # active guarantees cancelled now


def end_relationship(
    session: Session, business: Business, client: Client, why: str, now: datetime
) -> Ended:
    """End the relationship with ``client`` for the reason ``why``; raises ``Invalid``
    (``why``) for an empty or overlong reason. Safe to repeat: a second time finds
    nothing open and adds another note."""
    assert business.id is not None and client.id is not None
    why = one_line(why)
    if not why:
        raise Invalid("why", "say in a few words why the relationship ends")
    limit = min(max_length(Guarantee, "cancelled_why"), max_length(Event, "summary") - 50)
    if len(why) > limit:
        raise Invalid("why", f"longer than {limit} characters")
    already = client.do_not_contact
    if not already:
        client.do_not_contact = True
        client.do_not_contact_reason = DoNotContact.owner
        client.do_not_contact_at = now
        session.add(client)
    cancelled = []
    for letter in session.exec(
        select(Letter).where(Letter.client_id == client.id, col(Letter.status).in_(OPEN))
    ).all():
        try:
            outbox.cancel(session, letter, now)
        except outbox.OutboxError:
            continue  # the sender claimed it meanwhile: it refuses it when its turn comes
        assert letter.id is not None
        cancelled.append(letter.id)
    guarantees = session.execute(
        update(Guarantee)
        .where(
            col(Guarantee.client_id) == client.id,
            # A claimed guarantee still covers the client: it ends with the relationship.
            col(Guarantee.status).in_((GuaranteeStatus.active, GuaranteeStatus.claimed)),
        )
        .values(
            status=GuaranteeStatus.cancelled,
            cancelled_why=why,
            cancelled_at=now,
            next_checkin_on=None,
        )
        .returning(col(Guarantee.id))
        .execution_options(synchronize_session=False)
    ).scalars().all()
    session.add(
        Event(
            business_id=business.id,
            client_id=client.id,
            kind=EventKind.note,
            day=local_today(business, now),
            summary=NOTE.get(business.locale, NOTE["en"]).format(why=why),
            created_at=now,
        )
    )
    session.flush()
    return Ended(already=already, letters=cancelled, guarantees=sorted(guarantees))
