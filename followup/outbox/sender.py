"""The sender's side of the outbox: queue what is due, claim, renew, mark, expire.

The marks are Core UPDATEs that apply only while this sender holds the lease; a
``Letter`` the caller already holds in the same session is not refreshed by them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, delete, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, or_, select

from followup.db import write_session
from followup.models import Channel, Client, DoNotContact, Letter, LetterStatus, SendingPause
from followup.outbox.owner import OWNER_DECIDES

MAX_ATTEMPTS = 5
# The wait after attempt 1, 2, 3, 4; attempt 5 is the last.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(minutes=60),
)
ERROR_MAX = 1000  # Letter.last_error
CODE_MAX = 20  # Letter.last_error_code
LEASE_EXPIRED = "lease_expired"


def release_due(session: Session, now: datetime, business_id: int | None = None) -> int:
    """Queue the approved email letters whose send time has come; return how many.

    Printed notes and calls stay approved until the owner marks them done.
    """
    stmt = (
        update(Letter)
        .where(
            col(Letter.status) == LetterStatus.approved,
            col(Letter.channel) == Channel.email,
            or_(col(Letter.send_after).is_(None), col(Letter.send_after) <= now),
            *_business(business_id),
        )
        .values(status=LetterStatus.queued, next_attempt_at=None, updated_at=now)
        .returning(col(Letter.id))
        .execution_options(synchronize_session=False)
    )
    return len(session.exec(stmt).all())


def claim(
    engine: Engine,
    now: datetime,
    owner: str,
    limit: int,
    lease_seconds: int,
    *,
    business_id: int | None = None,
    due_at: datetime | None = None,
    skip_businesses: Collection[int] = (),
) -> list[int]:
    """Take up to ``limit`` due queued letters for ``owner``; return their ids.

    ``now`` is the real time (the lease runs from it); ``due_at`` the moment whose due
    retries are taken, ``now`` unless a day is simulated. The letters of
    ``skip_businesses`` (their sending is paused) stay in the queue.

    One statement in its own committed transaction: ``FOR UPDATE SKIP LOCKED`` keeps
    concurrent claimers apart on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite (where
    SQLAlchemy leaves the locking clause out). The attempt is counted here, before
    any I/O, so a sender that dies mid-send still used one.

    The batch is chosen in a MATERIALIZED CTE, not in ``id IN (SELECT … LIMIT k FOR
    UPDATE SKIP LOCKED)``: PostgreSQL may plan that IN as a nested-loop semi-join that
    re-runs the subquery for every row, and each re-run skips the rows this statement
    has just updated and takes the next ones, so one claim could take far more than
    ``limit`` letters. The CTE is evaluated once.
    """
    due = (
        select(Letter.id)
        .where(
            col(Letter.status) == LetterStatus.queued,
            or_(
                col(Letter.next_attempt_at).is_(None),
                col(Letter.next_attempt_at) <= (due_at or now),
            ),
            *_business(business_id),
            *((col(Letter.business_id).not_in(list(skip_businesses)),) if skip_businesses else ()),
        )
        .order_by(col(Letter.send_after).asc().nulls_first(), col(Letter.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("due")
        .prefix_with("MATERIALIZED")
    )
    stmt = (
        update(Letter)
        .where(col(Letter.id).in_(select(due.c.id)), col(Letter.status) == LetterStatus.queued)
        .values(
            status=LetterStatus.sending,
            lease_owner=owner,
            lease_until=now + timedelta(seconds=lease_seconds),
            attempts=col(Letter.attempts) + 1,
            updated_at=now,
        )
        .returning(col(Letter.id))
        .execution_options(synchronize_session=False)
    )
    with write_session(engine) as session:
        return sorted(session.exec(stmt).scalars().all())


def renew_lease(
    session: Session, letter_id: int, owner: str, now: datetime, lease_seconds: int
) -> bool:
    """Extend a lease we still hold (a long batch); False if it is no longer ours."""
    return _mark(session, letter_id, owner, now, lease_until=now + timedelta(seconds=lease_seconds))


def renew_leases(
    session: Session, letter_ids: Iterable[int], owner: str, now: datetime, lease_seconds: int
) -> list[int]:
    """Extend the leases of a whole claimed batch at once, so no letter waiting behind a
    slow one runs out; returns the ids still ours."""
    stmt = (
        update(Letter)
        .where(
            col(Letter.id).in_(list(letter_ids)),
            col(Letter.lease_owner) == owner,
            col(Letter.status) == LetterStatus.sending,
        )
        .values(lease_until=now + timedelta(seconds=lease_seconds), updated_at=now)
        .returning(col(Letter.id))
        .execution_options(synchronize_session=False)
    )
    return sorted(session.exec(stmt).scalars().all())


def release_claim(session: Session, letter_ids: Iterable[int], owner: str, now: datetime) -> int:
    """Give back claimed letters that were never attempted (the batch stopped early).

    They return to the queue with the attempt the claim counted taken back, so they
    do not end up ``uncertain`` when the lease runs out.
    """
    stmt = (
        update(Letter)
        .where(
            col(Letter.id).in_(list(letter_ids)),
            col(Letter.lease_owner) == owner,
            col(Letter.status) == LetterStatus.sending,
        )
        .values(
            status=LetterStatus.queued,
            attempts=col(Letter.attempts) - 1,
            lease_owner=None,
            lease_until=None,
            updated_at=now,
        )
        .returning(col(Letter.id))
        .execution_options(synchronize_session=False)
    )
    return len(session.exec(stmt).all())


def mark_sent(session: Session, letter_id: int, owner: str, now: datetime) -> bool:
    """The server took the letter: sending -> sent. False if the lease is not ours.

    A sender whose lease ran out while it was still talking to the server finds its
    letter ``uncertain``; as long as nobody has touched it since (the lease owner is
    still this sender), its success is the answer to that uncertainty, so it applies.
    """
    return mark_sent_many(session, {letter_id: now}, owner, now) == [letter_id]


def mark_sent_many(
    session: Session, sent: Mapping[int, datetime], owner: str, now: datetime
) -> list[int]:
    """``mark_sent`` for several letters in one statement, each with the moment the
    server took it (``sent``: id -> when); returns the ids it applied to."""
    if not sent:
        return []
    when = case(dict(sent), value=col(Letter.id)) if len(sent) > 1 else next(iter(sent.values()))
    stmt = (
        update(Letter)
        .where(
            col(Letter.id).in_(list(sent)),
            col(Letter.lease_owner) == owner,
            col(Letter.status).in_((LetterStatus.sending, LetterStatus.uncertain)),
        )
        .values(
            status=LetterStatus.sent,
            sent_at=when,
            lease_until=None,
            next_attempt_at=None,
            updated_at=now,
        )
        .returning(col(Letter.id))
    )
    # On the connection: the ORM's bulk UPDATE machinery costs more than the statement.
    applied = session.connection().execute(stmt).scalars()
    return sorted(letter_id for letter_id in applied if letter_id is not None)


def mark_retry(
    session: Session,
    letter_id: int,
    owner: str,
    now: datetime,
    *,
    error: str,
    code: str | None = None,
) -> LetterStatus | None:
    """A temporary failure before the message left: back to the queue after a delay.

    After ``MAX_ATTEMPTS`` the letter is ``failed`` instead. Returns the status the
    letter moved to, or None if the lease was not ours.
    """
    attempts = session.exec(
        select(Letter.attempts).where(*_held(letter_id, owner, (LetterStatus.sending,)))
    ).first()
    if attempts is None:
        return None
    extra: dict[str, Any] = {}
    if attempts >= MAX_ATTEMPTS:
        status, error = LetterStatus.failed, f"{error} (gave up after {attempts} attempts)"
    else:
        status = LetterStatus.queued
        delay = RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]
        extra = {"next_attempt_at": now + delay, "lease_owner": None}
    same_attempt = col(Letter.attempts) == attempts
    failure = _failure(status, error, code)
    applied = _mark(session, letter_id, owner, now, same_attempt, **failure, **extra)
    return status if applied else None


def mark_failed(
    session: Session,
    letter_id: int,
    owner: str,
    now: datetime,
    *,
    error: str,
    code: str | None = None,
) -> bool:
    """A permanent failure (the server refused it): sending -> failed."""
    return _mark(session, letter_id, owner, now, **_failure(LetterStatus.failed, error, code))


def mark_uncertain(
    session: Session,
    letter_id: int,
    owner: str,
    now: datetime,
    *,
    error: str,
    code: str | None = None,
) -> bool:
    """The message may have left (connection lost mid-DATA): sending -> uncertain.

    Nothing leaves ``uncertain`` by itself: the owner resends or marks it sent.
    """
    return _mark(session, letter_id, owner, now, **_failure(LetterStatus.uncertain, error, code))


def bounce_client(session: Session, client_id: int, now: datetime) -> bool:
    """The server refused the client's address: ``do_not_contact: bounced`` (an earlier
    reason, such as an unsubscription, is kept). Their other letters are left as they
    are: each is refused when its turn to be sent comes."""
    stmt = (
        update(Client)
        .where(col(Client.id) == client_id, col(Client.do_not_contact).is_(False))
        .values(
            do_not_contact=True, do_not_contact_reason=DoNotContact.bounced, do_not_contact_at=now
        )
        .returning(col(Client.id))
        .execution_options(synchronize_session=False)
    )
    return session.exec(stmt).first() is not None


def pause_sending(
    session: Session, business_id: int, fingerprint: str, reason: str, now: datetime
) -> None:
    """The mail server refused the business's login under the delivery settings that
    ``fingerprint`` names: its letters wait until those settings change."""
    from sqlalchemy.dialects import postgresql, sqlite  # their INSERT … ON CONFLICT

    dialect = postgresql if session.connection().dialect.name == "postgresql" else sqlite
    values = {"fingerprint": fingerprint, "reason": reason[:ERROR_MAX], "paused_at": now}
    stmt = dialect.insert(SendingPause).values(business_id=business_id, **values)
    session.exec(stmt.on_conflict_do_update(index_elements=["business_id"], set_=values))


def sending_pauses(
    session: Session, fingerprint: str, business_id: int | None = None
) -> dict[int, str]:
    """The businesses whose sending is paused under these delivery settings, and why."""
    query = select(SendingPause).where(col(SendingPause.fingerprint) == fingerprint)
    if business_id is not None:
        query = query.where(col(SendingPause.business_id) == business_id)
    return {pause.business_id: pause.reason for pause in session.exec(query)}


def lift_pauses(session: Session, fingerprint: str, business_id: int | None = None) -> list[int]:
    """Pauses recorded under other delivery settings are over; returns whose were lifted."""
    stmt = delete(SendingPause).where(col(SendingPause.fingerprint) != fingerprint)
    if business_id is not None:
        stmt = stmt.where(col(SendingPause.business_id) == business_id)
    ids = session.exec(stmt.returning(col(SendingPause.business_id))).scalars()
    return sorted(ids)


def expire_leases(session: Session, now: datetime, business_id: int | None = None) -> int:
    """Letters whose sender vanished mid-send (lease over) become ``uncertain``.

    The lease owner is kept: it says which sender was lost, and lets that sender
    still record a success it had (see ``mark_sent``).
    """
    stmt = (
        update(Letter)
        .where(
            col(Letter.status) == LetterStatus.sending,
            col(Letter.lease_until) < now,
            *_business(business_id),
        )
        .values(
            status=LetterStatus.uncertain,
            lease_until=None,
            last_error_code=LEASE_EXPIRED,
            last_error="the sender was lost mid-send (its lease expired): the letter may "
            f"or may not have been delivered; {OWNER_DECIDES}",
            updated_at=now,
        )
        .returning(col(Letter.id))
        .execution_options(synchronize_session=False)
    )
    return len(session.exec(stmt).all())


def _mark(
    session: Session,
    letter_id: int,
    owner: str,
    now: datetime,
    *extra: ColumnElement[bool],
    statuses: Sequence[LetterStatus] = (LetterStatus.sending,),
    **values: Any,
) -> bool:
    stmt = (
        update(Letter)
        .where(*_held(letter_id, owner, statuses), *extra)
        .values(updated_at=now, **values)
        .returning(col(Letter.id))
        .execution_options(synchronize_session=False)
    )
    return session.exec(stmt).first() is not None


def _held(
    letter_id: int, owner: str, statuses: Sequence[LetterStatus]
) -> tuple[ColumnElement[bool], ...]:
    return (
        col(Letter.id) == letter_id,
        col(Letter.lease_owner) == owner,
        col(Letter.status).in_(statuses),
    )


def _failure(status: LetterStatus, error: str, code: str | None) -> dict[str, Any]:
    return {
        "status": status,
        "lease_until": None,
        "last_error": error[:ERROR_MAX],
        "last_error_code": code[:CODE_MAX] if code else None,
    }


def _business(business_id: int | None) -> tuple[ColumnElement[bool], ...]:
    return () if business_id is None else (col(Letter.business_id) == business_id,)
