"""The right to erasure (GDPR art. 17, DESIGN §7 ``clients forget``): a client's personal
data erased for good, the counts kept.

What goes: the client's name, greeting, company, contact data (email, phone, postal
address), tags, notes and reference; the texts of their events (summary, item, amount,
compensation), of their letters (subject, both bodies, the email address, the checks'
sentences, the server's words, why a letter was dismissed), of the picks' reasons, and of
their guarantees and claims. What stays: the rows themselves, with their kinds, days and
statuses, so a week's letters and the recovered clients still add up. The client is
marked do-not-contact, and open letters are cancelled: nothing is ever drafted or sent to
them again.

Erased means erased from the file, not only from the rows: SQLite connections run with
``secure_delete`` (``db``), so the old text is overwritten with zeros, and
``db.wipe_leftovers`` folds the write-ahead log back into the file after the commit. On
PostgreSQL the old row versions are vacuumed; backups keep what they kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from followup.errors import Conflict
from followup.models import (
    Client,
    DoNotContact,
    Event,
    Guarantee,
    GuaranteeClaim,
    InboxMessage,
    Letter,
    LetterStatus,
    Pick,
)

# Letters not yet final: cancelled, since nothing may reach a forgotten client.
_OPEN = (LetterStatus.draft, LetterStatus.approved, LetterStatus.queued, LetterStatus.uncertain)
# The tables whose rows held the client's words: what ``wipe_leftovers`` vacuums.
TABLES = ("client", "event", "letter", "pick", "guarantee", "guaranteeclaim", "inboxmessage")


@dataclass(frozen=True)
class Forgotten:
    client_id: int
    events: int
    letters: int
    cancelled: int


def forget_client(session: Session, client: Client, now: datetime) -> Forgotten:
    """Erase ``client``'s personal data for good (see the module's docstring).

    Raises ``Conflict`` while a letter to them is being sent: its sender still holds
    the text; erasing under it would send a letter to a forgotten client.
    """
    assert client.id is not None
    mine = col(Letter.client_id) == client.id
    if session.exec(select(Letter.id).where(mine, Letter.status == LetterStatus.sending)).first():
        raise Conflict(
            f"a letter to client {client.id} is being sent right now; "
            "try again in a minute, once it is sent"
        )
    cancelled = session.exec(
        update(Letter)
        .where(mine, col(Letter.status).in_(_OPEN))
        .values(status=LetterStatus.cancelled, updated_at=now)
    ).rowcount
    letters = session.exec(
        update(Letter)
        .where(mine)
        .values(
            subject="",
            body_text="",
            body_html="",
            to_email=None,
            flags=[],
            last_error=None,
            dismissed_why=None,
            updated_at=now,
        )
    ).rowcount
    events = session.exec(
        update(Event)
        .where(col(Event.client_id) == client.id)
        .values(summary="", item=None, amount=None, compensation=None)
    ).rowcount
    session.exec(update(Pick).where(col(Pick.client_id) == client.id).values(reason=""))
    # What came back from them to the owner's inbox: its subject and a report's words.
    session.exec(
        update(InboxMessage)
        .where(col(InboxMessage.client_id) == client.id)
        .values(subject="", detail=None)
    )
    guarantees = select(Guarantee.id).where(col(Guarantee.client_id) == client.id)
    session.exec(
        update(Guarantee).where(col(Guarantee.client_id) == client.id).values(terms="", payout="")
    )
    session.exec(
        update(GuaranteeClaim)
        .where(col(GuaranteeClaim.guarantee_id).in_(guarantees))
        .values(what_happened="", resolution="")
    )
    client.name = f"(forgotten client {client.id})"
    client.greeting = client.company = client.phone = client.address = ""
    client.tags = client.notes = ""
    client.email = client.external_ref = None
    client.do_not_contact = True
    client.do_not_contact_at = now
    client.do_not_contact_reason = DoNotContact.forgotten.value
    session.add(client)
    session.flush()
    return Forgotten(client.id, events, letters, cancelled)
