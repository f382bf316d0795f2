"""The API's request bodies and the shapes only the API answers with.

Bodies are strict (``{"months": "6"}`` or ``{"wants_call": 1}`` is a 422, not a guess)
and refuse unknown fields. A whole number may be written ``6`` or ``6.0`` (the same JSON
number). Answers are the public views of ``followup.schemas``.

Each field says in the OpenAPI document what the domain accepts: the length of its
column, a text that must say something (not only spaces or control characters, which
the domain folds away), the languages, forms of address and amounts it reads. What a
schema cannot say (a valid email address, a day not in the future, a template that
renders) is a 422 from the domain naming the field.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from followup.fields import ADDRESS_LENGTH, ADDRESS_LINES
from followup.models import EventKind
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


def whole_number(value: Any) -> Any:
    """``6.0`` is the JSON number ``6``; ``6.5``, ``"6"`` and ``true`` stay refused."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Day = Annotated[date, BeforeValidator(iso_day)]
# No NUL: PostgreSQL cannot store one in text, so it is refused as bad input.
NO_NUL = r"^[^\x00]*$"
# One character that is neither a space nor a control character: the domain folds a
# line's spaces and control characters away, and refuses a text left empty.
SAYS_SOMETHING = r"^[^\x00]*[^\s\x00-\x1f\x7f-\x9f][^\x00]*$"
# A text of several lines (a letter) must hold a character that is not a space.
HAS_TEXT = r"^[^\x00]*\S[^\x00]*$"


def line(limit: int, default: Any = ..., **more: Any) -> Any:
    """A field of text of at most ``limit`` characters (its column's); may be empty."""
    return Field(default, max_length=limit, pattern=NO_NUL, **more)


def words(limit: int, default: Any = ..., **more: Any) -> Any:
    """A field of text of at most ``limit`` characters that says something."""
    return Field(default, min_length=1, max_length=limit, pattern=SAYS_SOMETHING, **more)


# Ids are positive and fit every database's integer column.
Ref = Annotated[int, Field(ge=1, le=2**31 - 1), BeforeValidator(whole_number)]
# "es" or "en", also written with a region ("es-ES", "en_GB"); empty clears it.
Language = Annotated[
    str, Field(max_length=20, pattern=r"^ *([eE][sSnN]([-_][A-Za-z0-9]{0,8})*)? *$")
]
# An amount as the owner writes it: "45.90", "78,50 €", "€12"; two decimals at most.
Amount = Annotated[
    str, Field(max_length=50, pattern=r"^ *[€$£]? *[0-9]{1,11}([.,][0-9]{1,2})? *(€|EUR)? *$")
]


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
    """A client's fields, each as long as its column; null or "" clears one."""

    greeting: str | None = line(100, None)
    email: str | None = line(320, None, description="An email address (checked).")
    phone: str | None = line(50, None)
    company: str | None = line(200, None)
    address: str | None = line(
        ADDRESS_LENGTH,
        None,
        description=f"The postal address, for a printed letter: street, postcode and town, "
        f"country, one per line (at most {ADDRESS_LINES} lines; blank lines are dropped).",
        examples=["Calle Mayor 5, 2º B\n28013 Madrid\nEspaña"],
    )
    locale: Language | None = Field(None, description="es or en: the letters' language.")
    form_of_address: Literal["usted", "tu", ""] | None = None
    tags: str | None = line(500, None)
    notes: str | None = line(5000, None)
    external_ref: str | None = line(100, None)


class ClientCreate(ClientFields):
    name: str = words(200)
    do_not_contact: bool = False


class ClientPatch(ClientFields):
    """The fields to change; null or "" clears one (not the name)."""

    name: str = words(200, None)


def confirmed(value: Any) -> Any:
    """``true`` itself: ``1`` equals True in Python, and a Literal would take it."""
    if value is not True:
        raise ValueError('forgetting a client cannot be undone: send {"confirm": true}')
    return value


class Confirm(Body):
    confirm: Annotated[Literal[True], BeforeValidator(confirmed)] = Field(
        description="Must be true: erasing a client cannot be undone."
    )


class Recover(Body):
    terms: str = words(1000, description="What the guarantee covers, written to the client.")
    months: Annotated[int, BeforeValidator(whole_number)] = Field(6, ge=1, le=60)
    payout: str = line(500, "")
    checkins: str = Field(
        "7,30,60,90",
        max_length=100,
        pattern=r"^ *[1-9][0-9]{0,3}( *, *[1-9][0-9]{0,3})* *$",
        description="Check-in days after the start, e.g. 7,30,60,90.",
    )
    note: str = line(500, "")
    day: Day | None = None


class EventCreate(Body):
    client_id: Ref
    # Not strict: a strict enum wants an EventKind object; lax, it takes only its values.
    kind: EventKind = Field(strict=False)
    summary: str = words(500)
    day: Day | None = Field(None, description="Not after today (the default).")
    item: str | None = line(200, None)
    amount: Amount | None = None
    compensation: str | None = line(500, None)
    wants_call: bool = Field(False, description="A complaint only: the owner will also call.")


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
    """The owner's subject (one line, shortened to 300 characters) and text; null keeps
    the letter's own."""

    subject: str | None = words(10_000, None)
    text: str | None = Field(None, max_length=10_000, pattern=HAS_TEXT)


class MarkDone(Body):
    outcome: str | None = line(500, None, description="A call's outcome; a note takes none.")
    day: Day | None = None


class Dismiss(Body):
    why: str = words(500)


class Satisfied(Body):
    note: str = words(500)
    day: Day | None = None


class Claim(Body):
    what: str = words(500)
    day: Day | None = None


class CancelGuarantee(Body):
    reason: str = words(500)


class Compensate(Body):
    compensation: str = words(500)
    # For the owner's records and the report; the letter uses only ``compensation``.
    kind: (
        Literal["refund", "discount", "free_service", "replacement", "gift", "other"] | None
    ) = None
    amount: Amount | None = None


class Resolve(Body):
    cause: str = words(1000)
    action: str = words(1000)


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
