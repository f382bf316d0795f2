"""The tables of delivery: a business's paused sending, its owner's inbox (what was read
and where reading stands) and the owner's daily digest. Re-exported by ``followup.models``.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from followup.models import utcnow


class SendingPause(SQLModel, table=True):
    """The business's mail server refused our login: its letters wait, spending no
    attempt, until the delivery settings change (another ``fingerprint``: DESIGN §5)."""

    business_id: int = Field(foreign_key="business.id", primary_key=True)
    fingerprint: str = Field(max_length=64)
    reason: str = Field(max_length=1000)
    paused_at: datetime = Field(default_factory=utcnow)


class InboxState(SQLModel, table=True):
    """Where reading the business's IMAP mailbox got to; another address starts afresh."""

    business_id: int = Field(foreign_key="business.id", primary_key=True)
    # IMAP UIDs and UIDVALIDITY are unsigned 32-bit numbers: too big for INTEGER.
    uidvalidity: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    last_uid: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    # When the address was set: the first read and any rescan look back no further.
    since: datetime | None = Field(default=None)
    paused_reason: str | None = Field(default=None, max_length=1000)
    paused_since: datetime | None = Field(default=None)
    checked_at: datetime | None = Field(default=None)


class InboxMessage(SQLModel, table=True):
    """A message read from the owner's inbox and what it did; read again, it does nothing."""

    __table_args__ = (UniqueConstraint("business_id", "message_key", name="uq_inbox_message"),)

    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id")
    # The incoming Message-ID, or "sha256:" and a digest of the bytes when it has none.
    message_key: str = Field(max_length=300)
    kind: str = Field(max_length=12)
    letter_id: int | None = Field(default=None, foreign_key="letter.id", index=True)
    client_id: int | None = Field(default=None, foreign_key="client.id", index=True)
    event_id: int | None = Field(default=None, foreign_key="event.id")
    # Erased when the client is forgotten: the subject, a delivery report's words.
    subject: str = Field(default="", max_length=300)
    status_code: str | None = Field(default=None, max_length=20)
    detail: str | None = Field(default=None, max_length=1000)
    received_at: datetime = Field(default_factory=utcnow)
    created_at: datetime = Field(default_factory=utcnow)


class DigestStatus(StrEnum):
    sending = "sending"
    sent = "sent"
    failed = "failed"


class Digest(SQLModel, table=True):
    """The owner's digest of (business, day): whoever inserts the row sends it. The
    ``claimed_at`` of the last one sent is the moment the next one counts from."""

    business_id: int = Field(foreign_key="business.id", primary_key=True)
    day: date = Field(primary_key=True)
    status: str = Field(default=DigestStatus.sending, max_length=10)
    to_email: str = Field(max_length=320)
    attempts: int = Field(default=1)
    claimed_at: datetime
    lease_owner: str | None = Field(default=None, max_length=100)
    lease_until: datetime | None = Field(default=None)
    next_attempt_at: datetime | None = Field(default=None)
    sent_at: datetime | None = Field(default=None)
    last_error: str | None = Field(default=None, max_length=1000)
