"""Reading each business's inbox (DESIGN §5a): ``tick`` and every scheduler round call
``read_inboxes`` after sending, so a slow mailbox never holds a letter back.

Per business: read the mail that came since the last seen UID, match each message to a
letter of that business (``In-Reply-To``/``References`` against the stored Message-IDs,
else the sender's address), and apply its effect in one short transaction per message,
together with the record of the message (``InboxMessage``) that keeps it from counting
twice:

- a person's reply: a ``reply`` event on the client (it counts as contact: the cadence
  resets);
- an automatic reply: recorded on the letter, nothing else;
- a delivery report that gave up (``Action: failed``, 5.x.x) for the letter's recipient:
  the letter fails with the report's status and words, and the client is marked
  ``do_not_contact: bounced``; a delay (4.x.x) changes nothing.

The first read takes only mail that arrived from when the address was set; another
UIDVALIDITY means the UIDs were renumbered: the mail since then is read again and each
message found by its key does nothing. A mailbox that cannot be read pauses the reading
only, with one line that says which inbox and why; the next read that works lifts it.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from followup.calendar import zone
from followup.config import Settings
from followup.db import read_session, write_session
from followup.errors import InvalidSetting
from followup.events import EventInput, add_event
from followup.jobs.sending import Clock, never
from followup.mail.inbox import Fetched, InboxError, Reader, Status
from followup.mail.replies import Incoming, classify, message_key
from followup.mailbox import parse_mailbox, shown_mailbox
from followup.models import (
    Business,
    Client,
    DoNotContact,
    EventKind,
    InboxMessage,
    InboxState,
    Letter,
    LetterStatus,
    max_length,
)
from followup.outbox import bounce_client, confirm_arrival, fail_delivered
from followup.recovery.lifecycle import after_event

log = logging.getLogger(__name__)


class InboxKind(StrEnum):
    """What a message read from the owner's inbox was (``InboxMessage.kind``)."""

    reply = "reply"
    auto_reply = "auto_reply"
    bounce = "bounce"
    delay = "delay"
    # A delivery report that is neither a failure nor a delay (delivered, relayed).
    report = "report"
    unrelated = "unrelated"
    # It could not be parsed at all; recorded so it is not read again.
    unreadable = "unreadable"

# The letters a reply found only by its sender's address may answer: those that left.
_DELIVERED = (LetterStatus.sent, LetterStatus.uncertain)
_REPLY_SUMMARY = {"es": "Respondió por correo: «{subject}»", "en": "Replied by email: “{subject}”"}
_SUBJECT_MAX = max_length(InboxMessage, "subject")


@dataclass
class InboxReport:
    """What reading one business's inbox did, or why it could not."""

    business_id: int
    inbox: str
    seen: Counter[str] = field(default_factory=Counter)
    problem: str | None = None  # the one line that says the reading is paused, and why

    def line(self) -> str | None:
        """What was read, in words; None when nothing new came."""
        counted = [(kind, n) for kind, n in sorted(self.seen.items()) if n]
        if not counted:
            return None
        words = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in counted)
        return f"business {self.business_id}, inbox: {words}"


def pause_line(inbox: str, problem: str) -> str:
    return f"the inbox {inbox} could not be read: {problem}. Sending goes on."


def read_inboxes(
    engine: Engine,
    settings: Settings,
    clock: Clock,
    *,
    business_id: int | None = None,
    stop: Callable[[], bool] = never,
) -> list[InboxReport]:
    """Read the inbox of every business that has one (or of ``business_id``).

    A mailbox that cannot be read is reported, not raised; anything else (a bug) is
    logged, the other businesses are still read, and the first one is re-raised.
    """
    with read_session(engine) as session:
        query = select(Business).where(col(Business.imap_url).is_not(None))
        if business_id is not None:
            query = query.where(Business.id == business_id)
        businesses = list(session.exec(query.order_by(col(Business.id))))
    reports: list[InboxReport] = []
    failures: list[Exception] = []
    for business in businesses:
        if stop():
            break
        try:
            reports.append(read_inbox(engine, settings, business, clock))
        except Exception as exc:
            log.exception("reading the inbox of business %s failed", business.id)
            failures.append(exc)
    if failures:
        raise failures[0]
    return reports


def read_inbox(engine: Engine, settings: Settings, business: Business, clock: Clock) -> InboxReport:
    assert business.id is not None and business.imap_url
    inbox = shown_mailbox(business.imap_url) or ""
    report = InboxReport(business.id, inbox)
    try:
        mailbox = parse_mailbox(business.imap_url)
    except InvalidSetting as exc:
        problem = f"its address cannot be used ({exc.message}); set it again"
        report.problem = _pause(engine, business.id, pause_line(inbox, problem), clock())
        return report
    state = _state(engine, business.id)
    secret = settings.imap_password.get_secret_value() if settings.imap_password else None
    try:
        with Reader(mailbox, mailbox.password or secret, settings.imap_timeout_seconds) as reader:
            status = reader.open()
            _read(engine, business, reader, status, state, clock, report)
    except InboxError as exc:
        report.problem = _pause(engine, business.id, pause_line(inbox, exc.problem), clock())
    return report


def paused_inboxes(session: Session, business_id: int | None = None) -> dict[int, str]:
    """The businesses whose inbox reading is paused, and the line that says why."""
    query = select(InboxState).where(col(InboxState.paused_reason).is_not(None))
    if business_id is not None:
        query = query.where(InboxState.business_id == business_id)
    return {s.business_id: s.paused_reason for s in session.exec(query) if s.paused_reason}


def _read(
    engine: Engine,
    business: Business,
    reader: Reader,
    status: Status,
    state: InboxState,
    clock: Clock,
    report: InboxReport,
) -> None:
    since = state.since or clock()
    fresh = state.uidvalidity != status.uidvalidity
    if not fresh:
        uids = reader.uids_after(state.last_uid)
    elif state.since is not None:
        # The first read, or the UIDs were renumbered: the mail since the address was
        # set (SINCE counts whole days on the server's calendar: one day more, then
        # the exact moment from each message's arrival).
        uids = reader.uids_since((since - timedelta(days=1)).date())
    else:
        uids = []  # an address without its moment: from the next message on
    last = state.last_uid if not fresh else 0
    for fetched in reader.fetch(uids):
        if fresh and fetched.arrived is not None and fetched.arrived < _whole(since):
            continue
        kind = _take(engine, business, fetched, clock(), None if fresh else status.uidvalidity)
        report.seen[kind] += 1
        last = max(last, fetched.uid)
    with write_session(engine) as session:
        session.exec(
            update(InboxState)
            .where(col(InboxState.business_id) == business.id)
            .values(
                uidvalidity=status.uidvalidity,
                last_uid=max(last, status.uidnext - 1),
                since=since,
                checked_at=clock(),
                paused_reason=None,
                paused_since=None,
            )
        )
    report.seen.pop("seen", None)


def _take(
    engine: Engine, business: Business, fetched: Fetched, now: datetime, validity: int | None
) -> str:
    """One message's effect and its record in one transaction (and, reading new mail
    under a known UIDVALIDITY, the last seen UID with them); what it was."""
    assert business.id is not None
    try:
        incoming: Incoming | None = classify(fetched.raw)
    except Exception:
        # One message that cannot be parsed must not stop the reading for good.
        log.exception("a message of business %s's inbox could not be read", business.id)
        incoming = None
    key = incoming.key if incoming is not None else message_key("", fetched.raw)
    try:
        with write_session(engine) as session:
            if validity is not None:
                session.exec(
                    update(InboxState)
                    .where(
                        col(InboxState.business_id) == business.id,
                        col(InboxState.uidvalidity) == validity,
                        col(InboxState.last_uid) < fetched.uid,
                    )
                    .values(last_uid=fetched.uid)
                )
            known = select(InboxMessage.id).where(
                InboxMessage.business_id == business.id, InboxMessage.message_key == key
            )
            if session.exec(known).first() is not None:
                return "seen"
            row = InboxMessage(
                business_id=business.id,
                message_key=key,
                kind=InboxKind.unreadable if incoming is None else InboxKind.unrelated,
                received_at=min(fetched.arrived or now, now),
                created_at=now,
            )
            if incoming is not None:
                _apply(session, business, incoming, row, now)
            session.add(row)
            session.flush()
    except IntegrityError:
        return "seen"  # another reader recorded it a moment ago: its effect is done
    return row.kind


def _apply(
    session: Session, business: Business, incoming: Incoming, row: InboxMessage, now: datetime
) -> None:
    """Fill ``row`` with what ``incoming`` is and does, and do it."""
    assert business.id is not None
    owner = {business.sender_email.lower(), (business.reply_to or "").lower()}
    if incoming.sender in owner:
        return  # the owner's own message, even one that answers a letter
    letter = None
    if incoming.refers:
        letter = session.exec(
            select(Letter)
            .where(Letter.business_id == business.id, col(Letter.message_id).in_(incoming.refers))
            .order_by(col(Letter.id).desc())
        ).first()
    if incoming.kind == "dsn":
        _report(session, business.id, incoming, letter, row, now)
        return
    client = session.get(Client, letter.client_id) if letter is not None else None
    if letter is None and incoming.sender:
        client = _client_by_address(session, business.id, incoming.sender)
        letter = _last_letter(session, client, None) if client is not None else None
    if letter is None or client is None or client.do_not_contact_reason == DoNotContact.forgotten:
        return
    row.letter_id, row.client_id = letter.id, client.id
    row.subject = incoming.subject[:_SUBJECT_MAX]
    if letter.id is not None and letter.message_id in incoming.refers:
        # It quotes the letter: the letter arrived, whatever the connection said.
        confirm_arrival(session, letter.id, now)
    if incoming.kind == "auto_reply":
        row.kind = InboxKind.auto_reply
        return
    template = _REPLY_SUMMARY.get(business.locale, _REPLY_SUMMARY["en"])
    summary = template.format(subject=incoming.subject[:200] or "—")
    day = row.received_at.astimezone(zone(business)).date()
    event = add_event(session, client, EventInput(EventKind.reply, day, summary), now)
    after_event(session, client, event, now)  # a reply during a guarantee: a good sign
    row.kind, row.event_id = InboxKind.reply, event.id


def _report(
    session: Session,
    business_id: int,
    incoming: Incoming,
    letter: Letter | None,
    row: InboxMessage,
    now: datetime,
) -> None:
    """A delivery status report: about which letter and recipient, and what it says."""
    recipient = incoming.recipient(letter.to_email) if letter is not None else None
    if letter is None:
        # No original returned with it: the letter is the last one that left for an
        # address the report gave up on or delays.
        for candidate in incoming.recipients:
            client = _client_by_address(session, business_id, candidate.address)
            found = _last_letter(session, client, candidate.address) if client else None
            if found is not None:
                letter, recipient = found, candidate
                break
    if letter is None or recipient is None:
        return  # a report about someone else's mail
    assert letter.id is not None
    row.letter_id, row.client_id = letter.id, letter.client_id
    row.status_code, row.detail = recipient.status or None, recipient.words[:1000] or None
    row.subject = incoming.subject[:_SUBJECT_MAX]
    if recipient.failed:
        row.kind = InboxKind.bounce
        words = f"the recipient's server gave it back: {recipient.words}"
        fail_delivered(session, letter.id, now, code=recipient.status, error=words)
        client = session.get(Client, letter.client_id)
        if client is not None and client.email and recipient.names(client.email):
            bounce_client(session, letter.client_id, now)
    elif recipient.action == "delayed" or recipient.status.startswith("4."):
        row.kind = InboxKind.delay
    else:
        row.kind = InboxKind.report


def _client_by_address(session: Session, business_id: int, address: str) -> Client | None:
    return session.exec(
        select(Client).where(Client.business_id == business_id, Client.email == address.lower())
    ).first()


def _last_letter(session: Session, client: Client, address: str | None) -> Letter | None:
    """The client's latest letter that left (to ``address``, when given)."""
    query = select(Letter).where(
        Letter.client_id == client.id, col(Letter.status).in_(_DELIVERED)
    )
    if address is not None:
        query = query.where(Letter.to_email == address.lower())
    return session.exec(query.order_by(col(Letter.id).desc())).first()


def _state(engine: Engine, business_id: int) -> InboxState:
    """The business's reading state, made (reading from the next message) if missing."""
    try:
        with write_session(engine) as session:
            state = session.get(InboxState, business_id)
            if state is None:
                state = InboxState(business_id=business_id)
                session.add(state)
                session.flush()
            session.expunge(state)
            return state
    except IntegrityError:  # another reader made it a moment ago
        with read_session(engine) as session:
            made = session.get(InboxState, business_id)
            assert made is not None
            return made


def _pause(engine: Engine, business_id: int, line: str, now: datetime) -> str:
    with write_session(engine) as session:
        state = session.get(InboxState, business_id) or InboxState(business_id=business_id)
        if state.paused_reason is None:
            state.paused_since = now
        state.paused_reason = line[:1000]
        state.checked_at = now
        session.add(state)
    return line


def _whole(moment: datetime) -> datetime:
    """INTERNALDATE has whole seconds: a message that came in the same second counts."""
    return moment.replace(microsecond=0)
