"""Sending: the one place where the database, the outbox and the mailer meet.

``send_due`` drains the outbox. Every step that touches the database is a short
transaction of its own and no transaction is open while the mailer talks to a server:
claim (the attempt is counted), send, then record the outcome with an UPDATE that
applies only while this sender still holds the lease. Cron, the scheduler and a
second replica can therefore run it at the same time and no letter goes out twice.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy.engine import Engine

from followup.config import Settings
from followup.db import read_session, write_session
from followup.mail.mailer import Mailer, SendError
from followup.mail.message import build_message
from followup.models import (
    Business,
    Client,
    Letter,
    LetterStatus,
)
from followup.outbox import (
    claim,
    expire_leases,
    mark_failed,
    mark_retry,
    mark_sent,
    mark_uncertain,
    release_claim,
    release_due,
    renew_lease,
)

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class SendSummary:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    uncertain: int = 0


def default_owner() -> str:
    """A lease owner unique to this process and this run: host, pid, random part."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


def shifted(clock: Clock, to: datetime) -> Clock:
    """A clock that reads ``to`` now and then advances as ``clock`` does (``--date``)."""
    offset = to - clock()
    return lambda: clock() + offset


def send_due(
    engine: Engine,
    settings: Settings,
    clock: Clock,
    mailer: Mailer,
    *,
    owner: str | None = None,
    business_id: int | None = None,
) -> SendSummary:
    """Queue what is due, expire lost leases, then send until nothing is left to claim.

    ``clock`` is read at the start and again for every claim, lease and mark, so a lease
    taken late in a long run is still a full ``lease_seconds`` long. An unexpected
    exception is logged and re-raised after the letter it hit has been set aside (see
    ``_send_one``).
    """
    owner = owner or default_owner()
    now = clock()
    with write_session(engine) as session:
        release_due(session, now, business_id)
        lost = expire_leases(session, now, business_id)
    if lost:
        log.warning("%d letter(s) lost their sender mid-send and are now uncertain", lost)

    outcomes: Counter[str] = Counter()
    while batch := claim(
        engine,
        clock(),
        owner,
        settings.send_batch,
        settings.lease_seconds,
        business_id=business_id,
    ):
        _send_batch(engine, mailer, batch, owner, clock, settings.lease_seconds, outcomes)
    summary = SendSummary(
        sent=outcomes[LetterStatus.sent],
        retried=outcomes[LetterStatus.queued],
        failed=outcomes[LetterStatus.failed],
        uncertain=outcomes[LetterStatus.uncertain],
    )
    if summary != SendSummary():
        log.info("send_due: %s", summary)
    return summary


def _send_batch(
    engine: Engine,
    mailer: Mailer,
    batch: list[int],
    owner: str,
    clock: Clock,
    lease_seconds: int,
    outcomes: Counter[str],
) -> None:
    pending = list(batch)
    try:
        while pending:
            letter_id = pending.pop(0)
            outcome = _send_one(engine, mailer, letter_id, owner, clock, lease_seconds)
            if outcome is not None:
                outcomes[outcome] += 1
    finally:
        # Stopped early (an exception, an interrupt): what was claimed but never
        # attempted goes back to the queue instead of turning uncertain later.
        if pending:
            with write_session(engine) as session:
                release_claim(session, pending, owner, clock())


def _send_one(
    engine: Engine,
    mailer: Mailer,
    letter_id: int,
    owner: str,
    clock: Clock,
    lease_seconds: int,
) -> LetterStatus | None:
    """Send one claimed letter; return the status it ended in (None: not ours any more)."""
    now = clock()
    loaded = _load(engine, letter_id)
    if loaded is None or not _keep_lease(engine, loaded[0], letter_id, owner, now, lease_seconds):
        log.warning("letter %s is no longer leased to %s; not sending it", letter_id, owner)
        return None
    letter, business, client = loaded

    try:
        message = _message_for(letter, business, client, now)
    except SendError as exc:
        return _record_error(engine, letter_id, owner, exc, clock())
    except Exception as exc:
        # Nothing has left yet: retrying is safe, and mark_retry bounds the attempts.
        _set_aside(engine, mark_retry, letter_id, owner, clock(), f"building it: {exc!r}")
        raise

    try:
        mailer.send(message)
    except SendError as exc:
        return _record_error(engine, letter_id, owner, exc, clock())
    except Exception as exc:
        # A mailer reports what it knows as SendError; anything else means we do not
        # know whether the message left, and a letter sent twice is worse than one
        # the owner resends: uncertain, never retried by itself.
        _set_aside(engine, mark_uncertain, letter_id, owner, clock(), f"sending it: {exc!r}")
        raise

    with write_session(engine) as session:
        if not mark_sent(session, letter_id, owner, clock()):
            log.error(
                "letter %s was delivered but another process had taken it over; "
                "check it in the outbox",
                letter_id,
            )
            return None
    return LetterStatus.sent


def _load(engine: Engine, letter_id: int) -> tuple[Letter, Business, Client] | None:
    with read_session(engine) as session:
        letter = session.get(Letter, letter_id)
        if letter is None:
            return None
        business = session.get(Business, letter.business_id)
        client = session.get(Client, letter.client_id)
    return None if business is None or client is None else (letter, business, client)


def _keep_lease(
    engine: Engine, letter: Letter, letter_id: int, owner: str, now: datetime, lease_seconds: int
) -> bool:
    """Whether the lease is still ours, renewed first when half of it is gone."""
    if letter.status != LetterStatus.sending or letter.lease_owner != owner:
        return False
    left = (letter.lease_until or now) - now
    if left >= timedelta(seconds=lease_seconds / 2):
        return True
    with write_session(engine) as session:
        return renew_lease(session, letter_id, owner, now, lease_seconds)


def _set_aside(
    engine: Engine,
    mark: Callable[..., object],
    letter_id: int,
    owner: str,
    now: datetime,
    what: str,
) -> None:
    """The crash-loop guard: log with the traceback and move the letter out of the way.

    Called from an ``except`` block; the caller re-raises.
    """
    log.exception("letter %s: unexpected error while %s", letter_id, what)
    with write_session(engine) as session:
        mark(
            session, letter_id, owner, now, error=f"unexpected error while {what}", code="internal"
        )


def _message_for(letter: Letter, business: Business, client: Client, now: datetime) -> EmailMessage:
    # The client may have unsubscribed or bounced after this letter was approved.
    if client.do_not_contact:
        reason = client.do_not_contact_reason or "owner"
        raise SendError(
            f"{client.name} is marked do-not-contact ({reason})",
            permanent=True,
            code="do_not_contact",
        )
    return build_message(letter, business, client, now)


def _record_error(
    engine: Engine, letter_id: int, owner: str, exc: SendError, now: datetime
) -> LetterStatus | None:
    with write_session(engine) as session:
        if exc.ambiguous:
            outcome = LetterStatus.uncertain
            applied = mark_uncertain(
                session, letter_id, owner, now, error=exc.message, code=exc.code
            )
        elif exc.permanent:
            outcome = LetterStatus.failed
            applied = mark_failed(session, letter_id, owner, now, error=exc.message, code=exc.code)
        else:
            status = mark_retry(session, letter_id, owner, now, error=exc.message, code=exc.code)
            outcome = status or LetterStatus.queued
            applied = status is not None
    if not applied:
        log.warning("letter %s: %s, but its lease was no longer ours", letter_id, exc.message)
        return None
    log.warning("letter %s %s: %s", letter_id, _SAYS[outcome], exc.message)
    return outcome


_SAYS = {
    LetterStatus.queued: "will be retried",
    LetterStatus.failed: "failed",
    LetterStatus.uncertain: "may or may not have been delivered",
}
