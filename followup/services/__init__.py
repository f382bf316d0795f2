"""What the CLI and the API both ask of the database: listings in their public shapes.

Each function takes a session, the business, filters and an optional page (``limit``
rows after ``offset``), and returns ``schemas`` views; none writes. Queries live here,
never in a command or a route.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, or_, select

from followup import client_search, picking
from followup.calendar import local_today, parse_working_days, why_not_working
from followup.greetings import derive_greeting
from followup.mailbox import shown_mailbox
from followup.models import (
    Business,
    Channel,
    Client,
    DailyRun,
    Event,
    InboxMessage,
    InboxState,
    Letter,
    LetterKind,
    LetterStatus,
    OwnerLine,
    Pick,
)
from followup.schemas import (
    BusinessHealth,
    CallView,
    ClientView,
    DayPickView,
    DigestView,
    EventView,
    InboxMessageView,
    LetterError,
    LetterView,
    OwnerLineView,
    PickView,
    SettingsView,
)


def _page(query: Any, limit: int | None, offset: int) -> Any:
    if offset:
        query = query.offset(offset)
    return query if limit is None else query.limit(limit)


def count(session: Session, query: Any) -> int:
    """How many rows ``query`` gives (the ``total`` of a page)."""
    return int(session.exec(select(func.count()).select_from(query.subquery())).one())


def letters_query(
    business_id: int,
    *,
    status: str | None = None,
    client_id: int | None = None,
    channel: str | None = None,
    kind: str | None = None,
) -> Any:
    """The business's letters with their client's name, filtered (``list_letters``)."""
    query = (
        select(Letter, Client.name)
        .join(Client, col(Client.id) == col(Letter.client_id))
        .where(Letter.business_id == business_id)
    )
    if status:
        query = query.where(Letter.status == status)
    if client_id is not None:
        query = query.where(Letter.client_id == client_id)
    if channel:
        query = query.where(Letter.channel == channel)
    if kind:
        query = query.where(Letter.kind == kind)
    return query


def list_letters(
    session: Session,
    business_id: int,
    *,
    status: str | None = None,
    client_id: int | None = None,
    channel: str | None = None,
    kind: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[LetterView]:
    """The business's letters, newest first (``channel``: only emails, notes or calls)."""
    query = letters_query(
        business_id, status=status, client_id=client_id, channel=channel, kind=kind
    )
    rows = session.exec(_page(query.order_by(col(Letter.id).desc()), limit, offset))
    return [letter_view(letter, name) for letter, name in rows]


def open_calls(session: Session, business_id: int) -> list[CallView]:
    """The calls waiting for the owner's phone (draft or approved call tasks), oldest
    first, with the number to call."""
    rows = session.exec(
        select(Letter, Client.name, Client.phone)
        .join(Client, col(Client.id) == col(Letter.client_id))
        .where(
            Letter.business_id == business_id,
            Letter.channel == Channel.call,
            col(Letter.status).in_((LetterStatus.draft, LetterStatus.approved)),
        )
        .order_by(col(Letter.day), col(Letter.id))
    )
    return [
        CallView.model_validate({**letter_view(letter, name).model_dump(), "phone": phone})
        for letter, name, phone in rows
    ]


def letter_view(letter: Letter, client_name: str) -> LetterView:
    error = (
        LetterError(code=letter.last_error_code, words=letter.last_error)
        if letter.last_error
        else None
    )
    return LetterView.model_validate(
        {**letter.model_dump(), "client_name": client_name, "last_error": error}
    )


def letter_inbox(session: Session, business_id: int, letter_id: int) -> list[InboxMessageView]:
    """What came back to the owner's inbox about a letter, oldest first."""
    rows = session.exec(
        select(InboxMessage)
        .where(InboxMessage.business_id == business_id, InboxMessage.letter_id == letter_id)
        .order_by(col(InboxMessage.received_at), col(InboxMessage.id))
    )
    return [InboxMessageView.model_validate(row) for row in rows]


def clients_query(business_id: int, *, status: str | None = None, q: str | None = None) -> Any:
    """The business's clients, filtered: ``q`` is found in the name, email, company or
    tags (any case)."""
    query = select(Client).where(Client.business_id == business_id)
    if status:
        query = query.where(Client.status == status)
    if q and q.strip():
        query = query.where(client_search.matches(q))
    return query


def list_clients(
    session: Session,
    business_id: int,
    *,
    status: str | None = None,
    q: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[ClientView]:
    """The business's clients, oldest first."""
    query = clients_query(business_id, status=status, q=q)
    rows = session.exec(_page(query.order_by(col(Client.id)), limit, offset))
    return [client_view(client) for client in rows]


def client_view(client: Client) -> ClientView:
    """A client as shown: ``greeting`` is how letters greet them (the owner's, or the one
    derived from the name)."""
    greeting = client.greeting or derive_greeting(client.name)
    return ClientView.model_validate({**client.model_dump(), "greeting": greeting})


def events_query(
    business_id: int, *, client_id: int | None = None, kind: str | None = None
) -> Any:
    """The business's events with their client's name, filtered (``list_events``)."""
    query = (
        select(Event, Client.name)
        .join(Client, col(Client.id) == col(Event.client_id))
        .where(Event.business_id == business_id)
    )
    if client_id is not None:
        query = query.where(Event.client_id == client_id)
    if kind:
        query = query.where(Event.kind == kind)
    return query


def list_events(
    session: Session,
    business_id: int,
    *,
    client_id: int | None = None,
    kind: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[EventView]:
    """The business's events, newest day first."""
    query = events_query(business_id, client_id=client_id, kind=kind)
    ordered = query.order_by(col(Event.day).desc(), col(Event.id).desc())
    return [
        EventView.model_validate({**event.model_dump(), "client_name": name})
        for event, name in session.exec(_page(ordered, limit, offset))
    ]


# The owner is told about an active guarantee this many days before its end day.
def list_picks(
    session: Session,
    business: Business,
    day: date,
    *,
    explain: bool = False,
    limit: int | None = None,
) -> tuple[str | None, list[PickView]]:
    """Who would be picked on ``day`` and why; writes nothing.

    Returns why ``day`` is not a working day (None when it is) and the picks: the day's
    quota, or with ``explain`` the whole ranked candidate list (its first ``limit``),
    which is listed even on a closed day, as if it were a working one.
    """
    closed = why_not_working(business, day)
    if explain:
        chosen: Sequence[PickView] = picking.explain(session, business, day, limit=limit)
    elif closed is None:
        chosen = picking.pick(session, business, day)
    else:
        chosen = []
    public = set(PickView.model_fields) - {"channel", "with_call"}
    # A Candidate is a PickView with more in it: keep only the public part, and say how
    # each letter would reach its client (read for the few picked, in two queries).
    phone_only, calls = _how_they_reach(session, chosen)
    return closed, [
        PickView.model_validate(
            {
                **c.model_dump(include=public),
                "channel": Channel.call if c.client_id in phone_only else Channel.email,
                "with_call": getattr(c, "event_id", None) in calls,
            }
        )
        for c in chosen
    ]


def _how_they_reach(session: Session, chosen: Sequence[PickView]) -> tuple[set[int], set[int]]:
    """Of ``chosen`` (candidates): the clients with no email address, whose letter is a call
    task (``channel_for``), and the apologies' complaints that asked for a call."""
    client_ids = [c.client_id for c in chosen]
    event_ids = [
        e
        for c in chosen
        if c.kind == LetterKind.apology and (e := getattr(c, "event_id", None)) is not None
    ]
    phone_only: set[int] = set()
    calls: set[int] = set()
    if client_ids:
        no_email = or_(col(Client.email).is_(None), col(Client.email) == "")
        query = select(col(Client.id)).where(col(Client.id).in_(client_ids), no_email)
        phone_only = {client_id for client_id in session.exec(query) if client_id is not None}
    if event_ids:
        query = select(col(Event.id)).where(col(Event.id).in_(event_ids), col(Event.wants_call))
        calls = {event_id for event_id in session.exec(query) if event_id is not None}
    return phone_only, calls


def settings_view(business: Business, session: Session | None = None) -> SettingsView:
    """The business's settings under their public names (with ``session``, the owner's
    own lines too)."""
    lines: list[OwnerLine] = []
    paused = None
    if session is not None:
        state = session.get(InboxState, business.id)
        paused = state.paused_reason if state is not None and business.imap_url else None
        lines = list(
            session.exec(
                select(OwnerLine)
                .where(OwnerLine.business_id == business.id)
                .order_by(col(OwnerLine.kind), col(OwnerLine.locale), col(OwnerLine.id))
            )
        )
    holidays = business.holiday_country
    if holidays and business.holiday_subdivision:
        holidays = f"{holidays}-{business.holiday_subdivision}"
    return SettingsView.model_validate(
        {
            **business.model_dump(),
            "quota": business.daily_quota,
            "working_days": sorted(parse_working_days(business.working_days)),
            "holidays": holidays,
            "imap_url": shown_mailbox(business.imap_url),
            "inbox_paused": paused,
            "owner_lines": [OwnerLineView.model_validate(line) for line in lines],
        }
    )


def health(session: Session, now: datetime) -> list[BusinessHealth]:
    """Per business: whether today's run is done, and when a letter last went out."""
    views = []
    for business in session.exec(select(Business).order_by(col(Business.id))):
        assert business.id is not None
        today = local_today(business, now)
        last_sent = session.exec(
            select(func.max(Letter.sent_at)).where(col(Letter.business_id) == business.id)
        ).first()
        views.append(
            BusinessHealth(
                id=business.id,
                today=today,
                daily_run_done=session.get(DailyRun, (business.id, today)) is not None,
                last_sent_at=last_sent,
            )
        )
    return views


# A digest lists at most this many undelivered letters, and says how many more.
DIGEST_LIMIT = 20


def digest_view(
    session: Session, business_id: int, day: date, since: datetime | None
) -> DigestView:
    """What the owner's digest of ``day`` says: the day's picks (skipped ones left out)
    with their letters, the drafts whose checks flagged a sentence, and the letters that
    failed or became uncertain after ``since`` (the last digest; None: ever)."""
    picks = session.exec(
        select(Pick, Client.name, Letter.status)
        .join(Client, col(Client.id) == col(Pick.client_id))
        .outerjoin(Letter, col(Letter.id) == col(Pick.letter_id))
        .where(Pick.business_id == business_id, Pick.day == day, col(Pick.skipped).is_(False))
        .order_by(col(Pick.rank))
    )
    drafts = session.exec(
        select(Letter, Client.name)
        .join(Client, col(Client.id) == col(Letter.client_id))
        .where(Letter.business_id == business_id, Letter.status == LetterStatus.draft)
        .order_by(col(Letter.id))
    )
    undelivered = (
        select(Letter, Client.name)
        .join(Client, col(Client.id) == col(Letter.client_id))
        .where(
            Letter.business_id == business_id,
            col(Letter.status).in_([LetterStatus.failed, LetterStatus.uncertain]),
            *(() if since is None else (col(Letter.updated_at) > since,)),
        )
    )
    total = session.exec(select(func.count()).select_from(undelivered.subquery())).one()
    listed = session.exec(
        undelivered.order_by(col(Letter.updated_at), col(Letter.id)).limit(DIGEST_LIMIT)
    )
    return DigestView(
        business_id=business_id,
        day=day,
        picks=[
            DayPickView(
                client_id=pick.client_id,
                client_name=name,
                tier=pick.tier,
                kind=pick.kind,
                reason=pick.reason,
                letter_id=pick.letter_id,
                letter_status=status,
            )
            for pick, name, status in list(picks)
        ],
        # Drafts wait for the owner, so there are few: their flags are read here.
        flagged=[letter_view(letter, name) for letter, name in list(drafts) if letter.flags],
        undelivered=[letter_view(letter, name) for letter, name in listed],
        undelivered_total=total,
        guarantees_ending=list_guarantees(session, business_id, day=day, ending_soon=True),
    )


# The listings of service recovery (guarantees, incidents, the report) live in their own
# module, which uses ``_page`` from above: imported last, re-exported here.
from followup.services.recovery import ENDING_SOON_DAYS as ENDING_SOON_DAYS  # noqa: E402
from followup.services.recovery import guarantees_query as guarantees_query  # noqa: E402
from followup.services.recovery import incident_view as incident_view  # noqa: E402
from followup.services.recovery import incidents_query as incidents_query  # noqa: E402
from followup.services.recovery import list_guarantees as list_guarantees  # noqa: E402
from followup.services.recovery import list_incidents as list_incidents  # noqa: E402
from followup.services.recovery import report as report  # noqa: E402
