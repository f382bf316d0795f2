"""The API's request bodies and the shapes only the API answers with.

Bodies are strict (``{"months": "6"}`` or ``{"wants_call": 1}`` is a 422, not a guess)
and refuse unknown fields. Answers are the public views of ``followup.schemas``.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from followup.schemas import ClientView, EventView, GuaranteeView, LetterView, PickView


def iso_day(value: Any) -> Any:
    """A day written YYYY-MM-DD, and nothing else (no timestamps, no week dates)."""
    if isinstance(value, str):
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError("write the day as YYYY-MM-DD")
        return date.fromisoformat(value)
    if isinstance(value, date):
        return value
    raise ValueError("write the day as a string YYYY-MM-DD")


Day = Annotated[date, BeforeValidator(iso_day)]
# No NUL: PostgreSQL cannot store one in text, so it is refused as bad input.
Text = Annotated[str, Field(max_length=10_000, pattern=r"^[^\x00]*$")]
# Ids are positive and fit every database's integer column.
Ref = Annotated[int, Field(ge=1, le=2**31 - 1)]


class Body(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a listing: ``items`` from ``offset`` on, of ``total``."""

    items: list[T]
    total: int
    limit: int
    offset: int


class ClientFields(Body):
    greeting: Text | None = None
    email: Text | None = None
    phone: Text | None = None
    company: Text | None = None
    locale: Text | None = None
    form_of_address: Text | None = None
    tags: Text | None = None
    notes: Text | None = None
    external_ref: Text | None = None


class ClientCreate(ClientFields):
    name: Text
    do_not_contact: bool = False


class ClientPatch(ClientFields):
    """The fields to change; an empty string clears one."""

    name: Text | None = None


class Confirm(Body):
    confirm: bool = Field(description="Must be true: erasing a client cannot be undone.")


class Recover(Body):
    terms: Text = Field(description="What the guarantee covers, written to the client.")
    months: int = Field(6, ge=1, le=120)
    payout: Text = ""
    checkins: Text = Field("7,30,60,90", description="Check-in days after the start.")
    note: Text = ""
    day: Day | None = None


class EventCreate(Body):
    client_id: Ref
    kind: Text
    summary: Text
    day: Day | None = None
    item: Text | None = None
    amount: Text | None = None
    compensation: Text | None = None
    wants_call: bool = False


class SkipPick(Body):
    client_id: Ref
    day: Day | None = None


class PinClient(Body):
    client_id: Ref
    day: Day


class SkipResult(BaseModel):
    """The skipped pick's replacement (null when nobody else is waiting)."""

    replacement: PickView | None


class DayPicks(BaseModel):
    day: date
    closed: str | None = Field(description="Why the day is not a working day, or null.")
    picks: list[PickView]


class LetterEdit(Body):
    subject: Text | None = None
    text: Text | None = None


class MarkDone(Body):
    outcome: Text | None = None
    day: Day | None = None


class Dismiss(Body):
    why: Text


class Satisfied(Body):
    note: Text
    day: Day | None = None


class Claim(Body):
    what: Text
    day: Day | None = None


class CancelGuarantee(Body):
    reason: Text


class Compensate(Body):
    compensation: Text


class Resolve(Body):
    cause: Text
    action: Text


class TemplateSource(Body):
    source: str = Field(max_length=200_000, pattern=r"^[^\x00]*$")


class PreviewRequest(Body):
    source: str | None = Field(None, max_length=200_000, pattern=r"^[^\x00]*$")
    client_id: Ref | None = None


class Timeline(BaseModel):
    client: ClientView
    events: list[EventView]
    letters: list[LetterView]
    guarantees: list[GuaranteeView]
