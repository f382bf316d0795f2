"""The tables of service recovery beyond the guarantee: what the owner records about an
incident. Re-exported by ``followup.models``.

An incident is a ``complaint`` event; the compensation decided is the event's own
``compensation`` (the apology letter reads it from there). What is recorded later —
when the compensation was decided, the internal cause and the corrective action — lives
here, one row per complaint, so the event stays what the owner typed on the day.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from followup.models import utcnow


class CompensationKind(StrEnum):
    """What a compensation is, for the owner's records: the words are the event's."""

    refund = "refund"
    discount = "discount"
    free_service = "free_service"
    replacement = "replacement"
    gift = "gift"
    other = "other"


class Incident(SQLModel, table=True):
    """What the owner recorded about one complaint after the day it happened. The
    incident is open until its cause is recorded (``resolved_at``)."""

    __table_args__ = (UniqueConstraint("event_id", name="uq_incident_event"),)

    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id", index=True)
    event_id: int = Field(foreign_key="event.id")
    # When the compensation on the event was decided or last changed by ``compensate``;
    # what kind it is and what it is worth, for the owner's records and the report (the
    # letter says it in the owner's words, the event's ``compensation``).
    compensated_at: datetime | None = Field(default=None)
    compensation_kind: str | None = Field(default=None, max_length=20)
    compensation_amount: str | None = Field(default=None, max_length=20)
    # What went wrong inside, and what was changed so it does not happen again.
    cause: str | None = Field(default=None, max_length=1000)
    action: str | None = Field(default=None, max_length=1000)
    resolved_at: datetime | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
