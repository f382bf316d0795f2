"""The owner's actions on a letter: approve, cancel, mark done, resend, mark as sent.

Each is one conditional UPDATE whose WHERE names the states it may start from, so the
owner and a sender can race and the loser changes nothing; the owner's loss is an
``OutboxError`` that says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from followup.errors import Conflict, Invalid, NotFound
from followup.fields import one_line
from followup.models import Channel, Letter, LetterStatus, max_length

# What the owner does with an uncertain letter, in every message that asks.
OWNER_DECIDES = (
    "resend it (`followup letters resend ID`) or mark it as sent "
    "(`followup letters mark-sent ID`)"
)


class OutboxError(Conflict):
    """An action the letter's current state does not allow; the message is for the owner."""


def get_letter(session: Session, business_id: int, letter_id: int) -> Letter:
    """The business's letter ``letter_id``; raises ``NotFound`` (another business's
    letter is not found either)."""
    letter = session.get(Letter, letter_id)
    if letter is None or letter.business_id != business_id:
        raise NotFound(f"there is no letter {letter_id}")
    return letter


@dataclass(frozen=True)
class _Move:
    allowed: tuple[LetterStatus, ...]
    to: LetterStatus
    refusal: str


_S = LetterStatus
_APPROVE = _Move((_S.draft,), _S.approved, "only a draft can be approved")
_CANCEL = _Move(
    (_S.draft, _S.approved, _S.queued),
    _S.cancelled,
    "only a draft, approved or queued letter can be cancelled",
)
_MARK_DONE = _Move(
    (_S.draft, _S.approved), _S.sent, "only a draft or approved letter can be marked done"
)
_RESEND = _Move(
    (_S.uncertain, _S.failed), _S.queued, "only an uncertain or failed letter can be resent"
)
_OWNER_SENT = _Move((_S.uncertain,), _S.sent, "only an uncertain letter can be marked as sent")
_DISMISS = _Move(
    (_S.draft, _S.approved), _S.dismissed, "only a draft or approved letter can be dismissed"
)
_NO_LEASE: dict[str, Any] = {"lease_owner": None, "lease_until": None, "next_attempt_at": None}


def approve(session: Session, letter: Letter, now: datetime) -> None:
    """draft -> approved; the sender queues it when its send time comes."""
    _transition(session, letter, now, _APPROVE, approved_at=now)


def cancel(session: Session, letter: Letter, now: datetime) -> None:
    """draft | approved | queued -> cancelled. A letter being sent cannot be called back."""
    _transition(session, letter, now, _CANCEL, **_NO_LEASE)


def mark_done(session: Session, letter: Letter, now: datetime) -> None:
    """A printed note or a call the owner has done by hand: draft | approved -> sent."""
    if letter.channel == Channel.email:
        raise OutboxError(
            f"letter {letter.id} is an email: the outbox sends it, it is not marked done by hand"
        )
    _transition(
        session, letter, now, _MARK_DONE, approved_at=letter.approved_at or now, sent_at=now
    )


def dismiss(session: Session, letter: Letter, now: datetime, why: str) -> None:
    """draft | approved -> dismissed: the owner closes the letter's reason without
    sending anything (the client called, the matter is settled); ``why`` is kept."""
    why = one_line(why)
    if not why:
        raise Invalid("why", "say why the letter is not needed, in a few words")
    limit = max_length(Letter, "dismissed_why")
    if len(why) > limit:
        raise Invalid("why", f"longer than {limit} characters")
    _transition(session, letter, now, _DISMISS, dismissed_why=why, **_NO_LEASE)


def resend(session: Session, letter: Letter, now: datetime) -> None:
    """uncertain | failed -> queued with a fresh set of attempts: the owner's decision."""
    _transition(session, letter, now, _RESEND, attempts=0, **_NO_LEASE)


def mark_sent_by_owner(session: Session, letter: Letter, now: datetime) -> None:
    """uncertain -> sent: the owner knows it arrived (the client answered, say)."""
    _transition(session, letter, now, _OWNER_SENT, sent_at=now, lease_until=None)


def _transition(
    session: Session,
    letter: Letter,
    now: datetime,
    move: _Move,
    **values: Any,
) -> None:
    if letter.id is None:
        raise OutboxError("the letter has not been saved yet")
    stmt = (
        update(Letter)
        .where(col(Letter.id) == letter.id, col(Letter.status).in_(move.allowed))
        .values(status=move.to, updated_at=now, **values)
        .returning(col(Letter.id))
        .execution_options(synchronize_session=False)
    )
    if session.exec(stmt).first() is None:
        current = session.exec(select(Letter.status).where(Letter.id == letter.id)).first()
        if current is None:
            raise OutboxError(f"letter {letter.id} does not exist")
        raise OutboxError(f"letter {letter.id} is {current}; {move.refusal}")
    session.refresh(letter)


