"""The public shapes: what ``--json`` prints (DESIGN §7) and what the API answers.

These are not table models: they name only what scripts may rely on, in the types JSON
has (dates as ISO strings). ``services`` fills them; the CLI prints them with
``model_dump(mode="json")`` and the API will use them as response models. More fields
may come; the names here are the contract.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict


class View(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)


class PickView(View):
    """One client picked (or a candidate) for a day, in rank order."""

    client_id: int
    client_name: str
    tier: int
    kind: str
    reason: str
    # How the letter would reach them: "email", or "call" (talking points) for a client
    # with only a phone; ``with_call`` when the complaint asked for a call beside the
    # apology, so the owner knows before the day that a call comes with it.
    channel: str = "email"
    with_call: bool = False


class DayPickView(PickView):
    """A client picked on a day, with the letter drafted for them."""

    letter_id: int | None
    letter_status: str | None


class LetterError(View):
    """Why the last attempt to send a letter failed: the server's code and words."""

    code: str | None
    words: str


class Flag(View):
    """A sentence of a draft the owner should read again, and why (DESIGN §4)."""

    sentence: str
    reason: str


class LetterView(View):
    id: int
    client_id: int
    client_name: str
    kind: str
    channel: str
    status: str
    subject: str
    message_id: str
    day: date
    created_at: datetime
    flags: list[Flag]
    last_error: LetterError | None
    # A call task beside an email letter (its apology): that letter's id.
    call_for_id: int | None = None


class CallView(LetterView):
    """A call task waiting for the owner: a letter whose text is the talking points."""

    phone: str


class ClientView(View):
    id: int
    name: str
    greeting: str
    email: str | None
    phone: str
    company: str
    # The postal address, its lines joined by "\n"; "" when not known.
    address: str
    external_ref: str | None
    status: str
    do_not_contact: bool
    do_not_contact_reason: str | None


class EventView(View):
    id: int
    client_id: int
    client_name: str
    kind: str
    day: date
    summary: str
    item: str | None
    amount: str | None
    compensation: str | None


class GuaranteeView(View):
    id: int
    client_id: int
    client_name: str | None
    status: str
    starts_on: date
    ends_on: date
    next_checkin_on: date | None
    terms: str
    payout: str
    # Why it was cancelled (the owner ended the relationship, …), when it was.
    cancelled_why: str | None = None
    # Claims recorded against it (the error repeated while it ran).
    claims: int = 0
    # Days until its end day (0 on the day itself), counted from the day asked about;
    # None once it is no longer active.
    days_left: int | None = None
    # Active and ending within the coming week: the owner is told.
    ending_soon: bool = False


class InboxMessageView(View):
    """A message read from the owner's inbox about a letter: a reply, an automatic reply,
    a bounce or a delay, with a delivery report's status and words."""

    kind: str
    received_at: datetime
    subject: str
    status_code: str | None
    detail: str | None


class OwnerLineView(View):
    """One of the owner's own lines: for letters of ``kind`` in ``locale``; ``keywords``
    (an item's) or none (every letter of the kind)."""

    id: int
    kind: str
    locale: str
    keywords: str
    text: str


class SettingsView(View):
    """A business's settings as ``followup settings --json`` shows them."""

    id: int
    name: str
    owner_name: str
    owner_title: str
    owner_title_es: str
    owner_title_en: str
    from_name: str
    greeting_usted: str
    greeting_tu: str
    greeting_en: str
    phone_label: str
    owner_phone: str
    sender_email: str
    reply_to: str
    locale: str
    form_of_address: str
    timezone: str
    quota: int
    send_time: str
    working_days: list[int]
    holidays: str | None
    cooldown_days: int
    approval_mode: str
    # In review mode, the owner's daily email (jobs.digest); false: none.
    digest: bool
    # The owner's inbox, never with its password; why its reading waits, if it does.
    imap_url: str | None = None
    inbox_paused: str | None = None
    owner_lines: list[OwnerLineView] = []
    # Why sending is paused under the delivery settings in force (a refused login), or null.
    sending_paused: str | None = None


class BusinessHealth(View):
    """``GET /healthz``, per business: did today's run and the last send happen?"""

    id: int
    today: date
    daily_run_done: bool
    last_sent_at: datetime | None


class DigestView(View):
    """What the owner's daily digest says (``jobs.digest``): the day's picks, the drafts
    to read again, and the letters that failed or became uncertain since the last digest
    (the first ``len(undelivered)`` of ``undelivered_total``)."""

    business_id: int
    day: date
    picks: list[DayPickView]
    flagged: list[LetterView]
    undelivered: list[LetterView]
    undelivered_total: int
    # Special guarantees that end within the coming week.
    guarantees_ending: list[GuaranteeView] = []


class IncidentView(View):
    """A complaint as an incident (``incidents list``): the compensation decided and,
    once recorded, the internal cause and the corrective action. ``id`` is the event's."""

    id: int
    client_id: int
    client_name: str
    day: date
    summary: str
    compensation: str | None
    # What the compensation is (refund, discount, free_service, replacement, gift,
    # other) and what it is worth ("40.00"), when the owner recorded them.
    compensation_kind: str | None = None
    compensation_amount: str | None = None
    compensated_at: datetime | None
    cause: str | None
    action: str | None
    resolved_at: datetime | None
    # Open until its cause is recorded.
    open: bool


class GuaranteeCounts(View):
    active: int
    claimed: int
    expired: int
    cancelled: int


class ReportView(View):
    """What service recovery achieved (``followup report``): every figure counts what
    happened on or after ``since`` (everything when null). Guarantees are those running
    on or after it, by their status now; incidents are complaints since then, and
    ``open_incidents`` those of them without a recorded cause."""

    business_id: int
    since: date | None
    letters_sent: dict[str, int]
    letters_sent_total: int
    replies: int
    recovered: int
    bought_again: int
    guarantees: GuaranteeCounts
    incidents: int
    open_incidents: int


class TokenView(View):
    """An API token as listed: never the token itself (only its hash is stored)."""

    id: int
    business_id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None


class LetterDetail(LetterView):
    """A letter with its text as the client reads it (``letters show``)."""

    text: str
    html: str
    to_email: str | None
    dismissed_why: str | None = None


class ClaimView(View):
    """A claim on a guarantee: the error repeated, and what the guarantee promised then."""

    id: int
    day: date
    what_happened: str
    payout: str
    event_id: int | None


class GuaranteeDetail(GuaranteeView):
    """A guarantee with its claims listed."""

    claim_list: list[ClaimView] = []


class TemplateView(View):
    """A letter template: the owner's edit of (kind, locale), or the default source."""

    kind: str
    locale: str
    source: str
    overridden: bool


class PreviewView(View):
    """A template rendered against a client or a sample: what the letter would say, and
    the sentences the checks would flag."""

    subject: str
    text: str
    html: str
    flags: list[Flag]
