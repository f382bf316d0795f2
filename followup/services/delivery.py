"""How the business's mail is doing, for the Settings page: whether sending is paused
(the mail server refused our login, under the delivery settings in force) and where
reading the owner's inbox got to (its address without the password, the last read, a
reading problem and since when)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from followup.mailbox import shown_mailbox
from followup.models import Business, InboxState, SendingPause


@dataclass(frozen=True)
class DeliveryStatus:
    sending_paused: str | None
    sending_paused_at: datetime | None
    inbox: str | None
    inbox_read_at: datetime | None
    inbox_problem: str | None
    inbox_problem_since: datetime | None


def delivery_status(session: Session, business: Business, fingerprint: str) -> DeliveryStatus:
    """``fingerprint``: the delivery settings in force (``Settings.delivery_fingerprint``);
    a pause recorded under other settings is over."""
    pause = session.exec(
        select(SendingPause).where(
            col(SendingPause.business_id) == business.id,
            col(SendingPause.fingerprint) == fingerprint,
        )
    ).first()
    state = session.get(InboxState, business.id) if business.imap_url else None
    return DeliveryStatus(
        sending_paused=pause.reason if pause is not None else None,
        sending_paused_at=pause.paused_at if pause is not None else None,
        inbox=shown_mailbox(business.imap_url),
        inbox_read_at=state.checked_at if state is not None else None,
        inbox_problem=state.paused_reason if state is not None else None,
        inbox_problem_since=state.paused_since if state is not None else None,
    )
