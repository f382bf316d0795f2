"""The tables of DESIGN §2. Every row belongs to one business.

Statuses and kinds are stored as short strings (portable between SQLite and
PostgreSQL, and readable in a database shell); the enums below are the allowed values.
Timestamps are timezone-aware UTC; ``day`` columns are local dates of the business.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from followup.fields import ADDRESS_LENGTH


def utcnow() -> datetime:
    return datetime.now(UTC)


def max_length(model: type[SQLModel], field: str) -> int:
    """The longest text ``model.field`` holds: checked before writing, so PostgreSQL never
    refuses a row half-way through an import."""
    length = model.__table__.c[field].type.length  # type: ignore[attr-defined]
    assert isinstance(length, int), f"{model.__name__}.{field} has no length"
    return length


class Locale(StrEnum):
    es = "es"
    en = "en"


class FormOfAddress(StrEnum):
    usted = "usted"
    tu = "tu"


class ApprovalMode(StrEnum):
    review = "review"
    auto = "auto"


class ClientStatus(StrEnum):
    active = "active"
    lost = "lost"
    recovered = "recovered"


class DoNotContact(StrEnum):
    unsubscribed = "unsubscribed"
    bounced = "bounced"
    owner = "owner"
    # The client asked to be forgotten (``clients forget``): their data is erased.
    forgotten = "forgotten"


class EventKind(StrEnum):
    purchase = "purchase"
    complaint = "complaint"
    cooperation = "cooperation"
    lost = "lost"
    recovered = "recovered"
    reply = "reply"
    call = "call"
    note = "note"


class LetterKind(StrEnum):
    thank_you = "thank_you"
    apology = "apology"
    cooperation = "cooperation"
    lost_client = "lost_client"
    guarantee_offer = "guarantee_offer"
    guarantee_checkin = "guarantee_checkin"
    # The note when a special guarantee ended without a claim is a ``thank_you`` (occasion
    # "guarantee_end", LETTERS.md) linked to its guarantee, not a kind of its own.


class Channel(StrEnum):
    email = "email"
    print = "print"
    call = "call"


class LetterStatus(StrEnum):
    draft = "draft"
    approved = "approved"
    queued = "queued"
    sending = "sending"
    sent = "sent"
    failed = "failed"
    uncertain = "uncertain"
    cancelled = "cancelled"
    # The owner closed the letter's reason without sending anything (with why).
    dismissed = "dismissed"


# A client with a letter in one of these is not picked again (DESIGN §3).
PIPELINE_STATUSES = (
    LetterStatus.draft,
    LetterStatus.approved,
    LetterStatus.queued,
    LetterStatus.sending,
    LetterStatus.uncertain,
)


class GuaranteeStatus(StrEnum):
    active = "active"
    expired = "expired"
    claimed = "claimed"
    cancelled = "cancelled"


class Business(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    owner_name: str = Field(max_length=200)
    # The title in the business's own language; a letter in another language takes that
    # language's title (``owner_title_es``/``owner_title_en``, or a translation).
    owner_title: str = Field(default="", max_length=200)
    owner_title_es: str = Field(default="", max_length=200)
    owner_title_en: str = Field(default="", max_length=200)
    # How the From header names the sender; empty: "Owner — Business".
    from_name: str = Field(default="", max_length=200)
    # How letters greet, per template locale (letters.salutations): usted, tú, English.
    greeting_usted: str = Field(default="estimado", max_length=20)
    greeting_tu: str = Field(default="hola", max_length=20)
    greeting_en: str = Field(default="dear", max_length=20)
    # A label before the phone under the signature ("Tel."); none by default.
    phone_label: str = Field(default="", max_length=20)
    owner_phone: str = Field(default="", max_length=50)
    sender_email: str = Field(max_length=320)
    reply_to: str = Field(default="", max_length=320)
    signature: str = Field(default="", max_length=2000)
    locale: str = Field(default=Locale.es, max_length=5)
    form_of_address: str = Field(default=FormOfAddress.usted, max_length=10)
    timezone: str = Field(default="Europe/Madrid", max_length=64)
    daily_quota: int = Field(default=3)
    send_time: str = Field(default="09:00", max_length=5)
    # ISO weekday numbers (Monday = 1), comma separated.
    working_days: str = Field(default="1,2,3,4,5", max_length=20)
    holiday_country: str | None = Field(default=None, max_length=10)
    holiday_subdivision: str | None = Field(default=None, max_length=10)
    cooldown_days: int = Field(default=14)
    approval_mode: str = Field(default=ApprovalMode.review, max_length=10)
    imap_url: str | None = Field(default=None, max_length=500)
    # In review mode, one email a day tells the owner what was drafted (jobs.digest).
    digest: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow)


class Client(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("business_id", "email", name="uq_client_email"),
        UniqueConstraint("business_id", "external_ref", name="uq_client_external_ref"),
        # Tier 6 (rotation) walks this index: never contacted first, then oldest contact.
        Index("ix_client_rotation", "business_id", "last_contacted_on", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id", index=True)
    name: str = Field(max_length=200)
    # How a letter addresses the client ("María José", "Sr. Ortega"); empty: from the name.
    greeting: str = Field(default="", max_length=100)
    company: str = Field(default="", max_length=200)
    email: str | None = Field(default=None, max_length=320)
    phone: str = Field(default="", max_length=50)
    # Their postal address, for a printed letter: up to six lines joined by "\n".
    address: str = Field(default="", max_length=ADDRESS_LENGTH)
    locale: str | None = Field(default=None, max_length=5)
    form_of_address: str | None = Field(default=None, max_length=10)
    tags: str = Field(default="", max_length=500)
    notes: str = Field(default="", max_length=5000)
    status: str = Field(default=ClientStatus.active, max_length=10)
    do_not_contact: bool = Field(default=False)
    do_not_contact_at: datetime | None = Field(default=None)
    do_not_contact_reason: str | None = Field(default=None, max_length=20)
    external_ref: str | None = Field(default=None, max_length=100)
    # The local day of the last letter drafted or reply/call recorded: the rotation key.
    last_contacted_on: date | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow)


class Event(SQLModel, table=True):
    __table_args__ = (
        # Tiers 1, 3, 4 and 5 scan events of one kind, oldest first.
        Index("ix_event_pick", "business_id", "kind", "day", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id")
    client_id: int = Field(foreign_key="client.id", index=True)
    kind: str = Field(max_length=20)
    day: date
    summary: str = Field(max_length=500)
    item: str | None = Field(default=None, max_length=200)
    amount: str | None = Field(default=None, max_length=50)
    compensation: str | None = Field(default=None, max_length=500)
    # A complaint whose apology the owner also wants to give by phone (a call task).
    wants_call: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow)


class DailyRun(SQLModel, table=True):
    """Whoever inserts (business, day) first does that day; the rest do nothing."""

    business_id: int = Field(foreign_key="business.id", primary_key=True)
    day: date = Field(primary_key=True)
    picked: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow)


class Guarantee(SQLModel, table=True):
    __table_args__ = (
        Index("ix_guarantee_checkin", "business_id", "status", "next_checkin_on", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id")
    client_id: int = Field(foreign_key="client.id", index=True)
    event_id: int | None = Field(default=None, foreign_key="event.id")
    terms: str = Field(max_length=1000)
    payout: str = Field(default="", max_length=500)
    starts_on: date
    ends_on: date
    # Days after the start; "then every 30" continues past the last one.
    checkin_offsets: str = Field(default="7,30,60,90", max_length=100)
    next_checkin_on: date | None = Field(default=None)
    status: str = Field(default=GuaranteeStatus.active, max_length=10)
    # Why a guarantee was cancelled (the owner ended the relationship, …), and when.
    cancelled_why: str | None = Field(default=None, max_length=500)
    cancelled_at: datetime | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow)


class GuaranteeClaim(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id")
    guarantee_id: int = Field(foreign_key="guarantee.id", index=True)
    day: date
    what_happened: str = Field(max_length=1000)
    # The complaint that made the claim, and what the guarantee promised to pay then.
    event_id: int | None = Field(default=None, foreign_key="event.id", index=True)
    payout: str = Field(default="", max_length=500)
    resolution: str = Field(default="", max_length=1000)
    created_at: datetime = Field(default_factory=utcnow)


class Letter(SQLModel, table=True):
    __table_args__ = (
        # "Anything in the pipeline?" and "anything within the cooldown?" per client.
        Index("ix_letter_client", "client_id", "status", "day"),
        Index("ix_letter_client_kind", "client_id", "kind", "day"),
        # The sender's claim: due letters of one status, oldest first.
        Index("ix_letter_outbox", "status", "send_after", "id"),
        UniqueConstraint("message_id", name="uq_letter_message_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id", index=True)
    client_id: int = Field(foreign_key="client.id")
    event_id: int | None = Field(default=None, foreign_key="event.id", index=True)
    guarantee_id: int | None = Field(default=None, foreign_key="guarantee.id", index=True)
    # A call task beside this email letter (its apology): not a pick of its own.
    call_for_id: int | None = Field(default=None, foreign_key="letter.id", index=True)
    day: date
    kind: str = Field(max_length=20)
    channel: str = Field(default=Channel.email, max_length=10)
    locale: str = Field(max_length=10)
    to_email: str | None = Field(default=None, max_length=320)
    subject: str = Field(max_length=300)
    body_text: str
    body_html: str
    message_id: str = Field(max_length=300)
    status: str = Field(default=LetterStatus.draft, max_length=12)
    send_after: datetime | None = Field(default=None)
    approved_at: datetime | None = Field(default=None)
    sent_at: datetime | None = Field(default=None)
    attempts: int = Field(default=0)
    next_attempt_at: datetime | None = Field(default=None)
    lease_owner: str | None = Field(default=None, max_length=100)
    lease_until: datetime | None = Field(default=None)
    last_error_code: str | None = Field(default=None, max_length=20)
    last_error: str | None = Field(default=None, max_length=1000)
    dismissed_why: str | None = Field(default=None, max_length=500)
    # Which variant of each part of the letter was written ({part: index}), and the
    # owner's line used ("owner_line": id): a redraft writes the same letter.
    phrases: dict[str, int] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict)
    )
    # What the checks found when drafted or edited: [{"sentence": …, "reason": …}].
    flags: list[dict[str, str]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, default=list)
    )
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Pick(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("business_id", "day", "client_id", name="uq_pick_day"),)

    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id")
    day: date
    client_id: int = Field(foreign_key="client.id", index=True)
    rank: int
    tier: int
    kind: str = Field(max_length=20)
    reason: str = Field(max_length=500)
    letter_id: int | None = Field(default=None, foreign_key="letter.id", index=True)
    skipped: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow)


class Pin(SQLModel, table=True):
    """The owner asked for a letter to this client on this day: picked first."""

    __table_args__ = (UniqueConstraint("business_id", "day", "client_id", name="uq_pin_day"),)

    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id")
    day: date
    client_id: int = Field(foreign_key="client.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)


class OwnerLine(SQLModel, table=True):
    """A line the owner wrote once, used in the letters where it fits (DESIGN §4): an
    aftercare tip for a thank-you whose item matches a keyword, or a personal line for
    every letter of a kind (no keywords). Written for one template locale."""

    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id", index=True)
    kind: str = Field(max_length=20)
    locale: str = Field(max_length=10)
    # Comma-separated, matched without case or accents; empty: any letter of the kind.
    keywords: str = Field(default="", max_length=500)
    text: str = Field(max_length=500)
    created_at: datetime = Field(default_factory=utcnow)


class TemplateOverride(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("business_id", "kind", "locale", name="uq_template_override"),
    )

    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id")
    kind: str = Field(max_length=20)
    locale: str = Field(max_length=10)
    source: str
    updated_at: datetime = Field(default_factory=utcnow)


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id", index=True)
    email: str = Field(max_length=320, unique=True)
    password_hash: str = Field(max_length=200)
    # The dashboard's language for this user (es, en); None: the business's locale.
    language: str | None = Field(default=None, max_length=5)
    created_at: datetime = Field(default_factory=utcnow)


class ApiToken(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id", index=True)
    name: str = Field(max_length=100)
    token_hash: str = Field(max_length=200, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = Field(default=None)


# The tables of delivery (pauses, the owner's inbox, the digest) live in their own module,
# which needs ``utcnow`` from above: imported last, re-exported here.
from followup.models.accounts import DataChange as DataChange  # noqa: E402
from followup.models.accounts import LoginFailure as LoginFailure  # noqa: E402
from followup.models.delivery import Digest as Digest  # noqa: E402
from followup.models.delivery import DigestStatus as DigestStatus  # noqa: E402
from followup.models.delivery import InboxMessage as InboxMessage  # noqa: E402
from followup.models.delivery import InboxState as InboxState  # noqa: E402
from followup.models.delivery import SendingPause as SendingPause  # noqa: E402
from followup.models.recovery import Incident as Incident  # noqa: E402
