"""A client unsubscribes with the link in a letter (RFC 8058's one-click POST).

The client becomes ``do_not_contact: unsubscribed``, every letter of theirs that has not
started to leave (draft, approved, queued) is cancelled, and a note on their timeline
says when and how, so the owner sees it. A letter being sent at that moment, or one
waiting for the owner's decision (``uncertain``), is left as it is: the sender refuses
it when its turn comes, since the client is no longer to be contacted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col

from followup.calendar import local_today
from followup.models import (
    Business,
    Client,
    DoNotContact,
    Event,
    EventKind,
    Letter,
    LetterStatus,
)

OPEN = (LetterStatus.draft, LetterStatus.approved, LetterStatus.queued)
NOTE = {
    "es": "Se dio de baja con el enlace de una carta: no quiere recibir más cartas.",
    "en": "Unsubscribed with the link in a letter: wants no more letters.",
}


@dataclass(frozen=True)
class Unsubscribed:
    already: bool  # the client was not to be contacted before this
    cancelled: int  # open letters cancelled now


def unsubscribe(
    session: Session, business: Business, client: Client, now: datetime
) -> Unsubscribed:
    """Record the client's unsubscription; safe to repeat (a second POST changes nothing)."""
    assert business.id is not None and client.id is not None
    stmt = (
        update(Client)
        .where(col(Client.id) == client.id, col(Client.do_not_contact).is_(False))
        .values(
            do_not_contact=True,
            do_not_contact_reason=DoNotContact.unsubscribed,
            do_not_contact_at=now,
        )
        .returning(col(Client.id))
        .execution_options(synchronize_session=False)
    )
    changed = session.exec(stmt).first() is not None
    cancel = (
        update(Letter)
        .where(col(Letter.client_id) == client.id, col(Letter.status).in_(OPEN))
        .values(
            status=LetterStatus.cancelled,
            updated_at=now,
            lease_owner=None,
            lease_until=None,
            next_attempt_at=None,
        )
        .returning(col(Letter.id))
        .execution_options(synchronize_session=False)
    )
    cancelled = len(session.exec(cancel).all())
    if changed:
        session.add(
            Event(
                business_id=business.id,
                client_id=client.id,
                kind=EventKind.note,
                day=local_today(business, now),
                summary=NOTE.get(business.locale, NOTE["en"]),
                created_at=now,
            )
        )
    return Unsubscribed(already=not changed, cancelled=cancelled)
