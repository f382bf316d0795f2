"""The owner's daily digest: in ``review`` mode, once a business's day has been run, one
email to the owner with the day's picks and why, the drafts to read again, and the
letters that failed or became uncertain since the last digest. In headless use it is how
the owner knows the routine ran.

One per business and day, however many ``tick`` processes and workers run: the digest
is claimed by inserting its ``Digest`` row (or, for a retry, by a conditional UPDATE) in
a short transaction of its own before anything is sent; whoever loses the race sends
nothing. Then the message is built and sent outside any transaction, and the outcome
recorded with an UPDATE that applies only while this sender holds the claim.

A digest that could not be sent is retried by a later tick or round of the same day,
after the letters' retry delays, ``MAX_ATTEMPTS`` times at most. A refused login pauses
the business's sending as it does for letters (``outbox.sender.pause_sending``) and uses
no attempt: the digest waits, like the letters, until the delivery settings change. A
sender that died mid-send leaves a claim whose lease runs out; the digest is then sent
again (a digest twice is better than none: it is the owner's only sign the routine ran).
A digest is not a letter: it is never listed with them and never reaches a client.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, or_, select

from followup.config import Settings
from followup.db import read_session, write_session
from followup.jobs.sending import Clock, default_owner, pause_reason
from followup.letters.digest import render_digest
from followup.mail.mailer import Mailer, SendError, close_mailer
from followup.mail.message import build_owner_message, owner_address
from followup.models import ApprovalMode, Business, DailyRun, Digest, DigestStatus
from followup.outbox.sender import ERROR_MAX, RETRY_DELAYS, pause_sending, sending_pauses
from followup.services import digest_view

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class DigestResult:
    """What became of one business's digest: ``sent``, ``failed`` (``retried``: tried
    again later the same day) or ``paused`` (the business's sending is paused)."""

    business_id: int
    day: date
    status: str
    to: str
    error: str = ""
    retried: bool = False

    def line(self) -> str:
        """The result in one line of ``tick``'s report."""
        where = f"business {self.business_id}, {self.day.isoformat()}"
        if self.status == "sent":
            return f"{where}: digest sent to {self.to}"
        if self.status == "paused":
            return (
                f"{where}: the digest to {self.to} waits, as the letters do, until sending resumes"
            )
        then = "it will be tried again later today" if self.retried else "no more attempts today"
        return f"{where}: the digest to {self.to} was not sent ({self.error}); {then}"


def send_digests(
    engine: Engine,
    settings: Settings,
    clock: Clock,
    mailer: Mailer,
    days: Iterable[tuple[int, date]],
    *,
    owner: str | None = None,
) -> list[DigestResult]:
    """The digest of each (business, day) whose day has been run, unless it went out
    already, is another sender's, waits for a retry or the business wants none (``auto``
    mode, ``digest`` off). The mailer is closed at the end.

    A ``SendError`` is recorded and reported, never raised; any other exception is
    logged, recorded as a failure and re-raised once the other businesses are done.
    """
    owner = owner or default_owner()
    results: list[DigestResult] = []
    unexpected: list[BaseException] = []
    try:
        for business_id, day in days:
            try:
                result = _send_one(engine, settings, clock, mailer, business_id, day, owner)
            except Exception as exc:
                log.exception("the digest of business %s for %s failed", business_id, day)
                _record(engine, business_id, day, owner, clock(), f"unexpected error: {exc!r}")
                unexpected.append(exc)
                continue
            if result is not None:
                results.append(result)
    finally:
        close_mailer(mailer)
    if unexpected:
        raise unexpected[0]
    return results


def _send_one(
    engine: Engine,
    settings: Settings,
    clock: Clock,
    mailer: Mailer,
    business_id: int,
    day: date,
    owner: str,
) -> DigestResult | None:
    now = clock()
    with read_session(engine) as session:
        business = session.get(Business, business_id)
        if business is None or not wanted(session, business, day):
            return None
        to = owner_address(business)
        if business_id in sending_pauses(session, settings.delivery_fingerprint, business_id):
            return DigestResult(business_id, day, "paused", to)
    with write_session(engine) as session:
        if not claim(session, business_id, day, to, owner, now, settings.lease_seconds):
            return None
    with read_session(engine) as session:
        since = last_digest(session, business_id, day)
        view = digest_view(session, business_id, day, since)
    email = render_digest(view, business, settings.base_url, first=since is None)
    try:
        message = build_owner_message(business, email.subject, email.text, email.html, now)
        mailer.send(message)
    except SendError as exc:
        return _failed(engine, settings, business, day, owner, clock(), exc, to)
    with write_session(engine) as session:
        _mark(session, business_id, day, owner, status=DigestStatus.sent, sent_at=clock())
    log.info("business %s, %s: digest sent to %s", business_id, day, to)
    return DigestResult(business_id, day, "sent", to)


def wanted(session: Session, business: Business, day: date) -> bool:
    """Whether ``business`` wants a digest of ``day`` that is not out yet: review mode,
    the setting on, the day run."""
    if business.approval_mode != ApprovalMode.review or not business.digest:
        return False
    if session.get(DailyRun, (business.id, day)) is None:
        return False
    digest = session.get(Digest, (business.id, day))
    return digest is None or digest.status != DigestStatus.sent


def claim(
    session: Session,
    business_id: int,
    day: date,
    to: str,
    owner: str,
    now: datetime,
    lease_seconds: int,
) -> bool:
    """Take the digest of (business, day) for ``owner``: the row is inserted, or a failed
    one whose retry is due (or a claim whose sender was lost) is taken over; False when
    someone else has it, it went out, or its attempts are used up."""
    from sqlalchemy.dialects import postgresql, sqlite  # their INSERT … ON CONFLICT

    lease = {"lease_owner": owner, "lease_until": now + timedelta(seconds=lease_seconds)}
    dialect = postgresql if session.connection().dialect.name == "postgresql" else sqlite
    inserted = session.exec(
        dialect.insert(Digest)
        .values(
            business_id=business_id,
            day=day,
            status=DigestStatus.sending,
            to_email=to,
            attempts=1,
            claimed_at=now,
            **lease,
        )
        .on_conflict_do_nothing(index_elements=["business_id", "day"])
        .returning(col(Digest.day))
    ).first()
    if inserted is not None:
        return True
    retry = or_(
        (col(Digest.status) == DigestStatus.failed)
        & (col(Digest.attempts) < MAX_ATTEMPTS)
        & (col(Digest.next_attempt_at).is_(None) | (col(Digest.next_attempt_at) <= now)),
        (col(Digest.status) == DigestStatus.sending) & (col(Digest.lease_until) < now),
    )
    taken = session.exec(
        update(Digest)
        .where(*_key(business_id, day), retry)
        .values(
            status=DigestStatus.sending,
            to_email=to,
            attempts=col(Digest.attempts) + 1,
            claimed_at=now,
            next_attempt_at=None,
            **lease,
        )
        .returning(col(Digest.day))
        .execution_options(synchronize_session=False)
    ).first()
    return taken is not None


def last_digest(session: Session, business_id: int, day: date) -> datetime | None:
    """When the last digest sent before this one (of another day) was gathered: the
    moment "since the last digest" counts from; None when there was none."""
    return session.exec(
        select(Digest.claimed_at)
        .where(
            Digest.business_id == business_id,
            Digest.day != day,
            Digest.status == DigestStatus.sent,
        )
        .order_by(col(Digest.claimed_at).desc())
        .limit(1)
    ).first()


def _failed(
    engine: Engine,
    settings: Settings,
    business: Business,
    day: date,
    owner: str,
    now: datetime,
    exc: SendError,
    to: str,
) -> DigestResult:
    assert business.id is not None
    if exc.pauses:
        # The business's login was refused: the letters and the digest wait together,
        # and this attempt does not count.
        reason = pause_reason(business, exc)
        with write_session(engine) as session:
            pause_sending(session, business.id, settings.delivery_fingerprint, reason, now)
            _mark(
                session, business.id, day, owner, status=DigestStatus.failed,
                attempts=col(Digest.attempts) - 1, last_error=exc.message[:ERROR_MAX],
            )  # fmt: skip
        log.warning("%s", reason)
        return DigestResult(business.id, day, "paused", to)
    attempts = _record(engine, business.id, day, owner, now, exc.message)
    log.warning("business %s, %s: the digest was not sent: %s", business.id, day, exc.message)
    # What happened, without what our messages say will become of a letter (after "; ").
    said = exc.message.split("; ", 1)[0]
    return DigestResult(business.id, day, "failed", to, said, attempts < MAX_ATTEMPTS)


def _record(
    engine: Engine, business_id: int, day: date, owner: str, now: datetime, error: str
) -> int:
    """A failed attempt: retried after the letters' delay for that attempt; returns the
    attempts used."""
    with write_session(engine) as session:
        digest = session.get(Digest, (business_id, day))
        attempts = digest.attempts if digest is not None else MAX_ATTEMPTS
        delay = RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]
        _mark(
            session, business_id, day, owner, status=DigestStatus.failed,
            last_error=error[:ERROR_MAX], next_attempt_at=now + delay,
        )  # fmt: skip
    return attempts


def _mark(session: Session, business_id: int, day: date, owner: str, **values: object) -> bool:
    """Record an outcome, only while ``owner`` still holds the claim."""
    stmt = (
        update(Digest)
        .where(
            *_key(business_id, day),
            col(Digest.lease_owner) == owner,
            col(Digest.status) == DigestStatus.sending,
        )
        .values(lease_until=None, **values)
        .returning(col(Digest.day))
        .execution_options(synchronize_session=False)
    )
    return session.exec(stmt).first() is not None


def _key(business_id: int, day: date) -> tuple[ColumnElement[bool], ...]:
    return (col(Digest.business_id) == business_id, col(Digest.day) == day)
