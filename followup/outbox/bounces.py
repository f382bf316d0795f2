"""A letter the server took and a delivery status report later gave back (DESIGN §5a);
and an ``uncertain`` letter an answer proves arrived.

With a relay (the owner's Gmail or Microsoft 365) a bad address is accepted at RCPT and
bounces minutes later: the letter was ``sent`` (or ``uncertain``), and the report read
from the owner's inbox turns it ``failed``, with the report's status and words.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col

from followup.models import Letter, LetterStatus
from followup.outbox.sender import CODE_MAX, ERROR_MAX

# A report proves the letter left: a sent or uncertain letter can fail by it. A letter
# already failed keeps its first reason; a letter the owner resent waits for its own.
_BOUNCEABLE = (LetterStatus.sent, LetterStatus.uncertain)


def fail_delivered(
    session: Session, letter_id: int, now: datetime, *, code: str, error: str
) -> bool:
    """sent | uncertain -> failed, with the report's status (``5.1.1``) and words;
    False when the letter is in another state (nothing changes)."""
    stmt = (
        update(Letter)
        .where(col(Letter.id) == letter_id, col(Letter.status).in_(_BOUNCEABLE))
        .values(
            status=LetterStatus.failed,
            last_error_code=code[:CODE_MAX] or None,
            last_error=error[:ERROR_MAX],
            lease_until=None,
            updated_at=now,
        )
        .returning(col(Letter.id))
        .execution_options(synchronize_session=False)
    )
    return session.exec(stmt).first() is not None


def confirm_arrival(session: Session, letter_id: int, now: datetime) -> bool:
    """uncertain -> sent: an answer to the letter (a person's reply, or an out-of-office)
    quotes its Message-ID, so it arrived and must never be resent. False when the
    letter is in another state (nothing changes)."""
    stmt = (
        update(Letter)
        .where(col(Letter.id) == letter_id, col(Letter.status) == LetterStatus.uncertain)
        .values(status=LetterStatus.sent, sent_at=now, lease_until=None, updated_at=now)
        .returning(col(Letter.id))
        .execution_options(synchronize_session=False)
    )
    return session.exec(stmt).first() is not None
