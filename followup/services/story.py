"""A client's story for the dashboard's client page: everything that happened with them
(events, letters, picks, what came back to the owner's inbox, incidents, guarantees with
their claims), each listing newest first and at most ``TIMELINE_LIMIT`` long. Reads only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from followup.models import Client, InboxMessage, Pick
from followup.schemas import (
    EventView,
    GuaranteeDetail,
    IncidentView,
    LetterView,
    View,
)
from followup.services import list_events, list_guarantees, list_incidents, list_letters
from followup.services.clients import TIMELINE_LIMIT, get_client
from followup.services.recovery import guarantee_detail


class ClientPickView(View):
    """A day the client was picked, why, and whether the owner skipped them."""

    id: int
    day: date
    kind: str
    reason: str
    letter_id: int | None
    skipped: bool


class ClientReplyView(View):
    """A message from the owner's inbox about the client: a reply, an automatic reply or
    a delivery report, with the letter it answers."""

    id: int
    kind: str
    received_at: datetime
    subject: str
    letter_id: int | None
    status_code: str | None
    detail: str | None


@dataclass(frozen=True)
class ClientStory:
    client: Client
    events: list[EventView]
    letters: list[LetterView]
    picks: list[ClientPickView]
    replies: list[ClientReplyView]
    incidents: list[IncidentView]
    guarantees: list[GuaranteeDetail]


def client_picks(session: Session, business_id: int, client_id: int) -> list[ClientPickView]:
    rows = session.exec(
        select(Pick)
        .where(Pick.business_id == business_id, Pick.client_id == client_id)
        .order_by(col(Pick.day).desc(), col(Pick.id).desc())
        .limit(TIMELINE_LIMIT)
    )
    return [ClientPickView.model_validate(row, from_attributes=True) for row in rows]


def client_replies(session: Session, business_id: int, client_id: int) -> list[ClientReplyView]:
    rows = session.exec(
        select(InboxMessage)
        .where(InboxMessage.business_id == business_id, InboxMessage.client_id == client_id)
        .order_by(col(InboxMessage.received_at).desc(), col(InboxMessage.id).desc())
        .limit(TIMELINE_LIMIT)
    )
    return [ClientReplyView.model_validate(row, from_attributes=True) for row in rows]


def client_story(session: Session, business_id: int, client_id: int, day: date) -> ClientStory:
    """The business's client ``client_id`` and their story (``NotFound`` for another
    business's client); guarantees say their days left from ``day``."""
    client = get_client(session, business_id, client_id)
    guarantees = [
        guarantee_detail(session, business_id, g.id, day)
        for g in list_guarantees(session, business_id, client_id=client_id, day=day)
    ]
    guarantees.sort(key=lambda g: (g.starts_on, g.id), reverse=True)
    return ClientStory(
        client=client,
        events=list_events(session, business_id, client_id=client_id, limit=TIMELINE_LIMIT),
        letters=list_letters(session, business_id, client_id=client_id, limit=TIMELINE_LIMIT),
        picks=client_picks(session, business_id, client_id),
        replies=client_replies(session, business_id, client_id),
        incidents=list_incidents(
            session, business_id, client_id=client_id, limit=TIMELINE_LIMIT
        ),
        guarantees=guarantees,
    )
