"""Recording an event as the CLI and the API both do: the event, then what it does to the
client's special guarantee (a claim, a skipped check-in, a cancellation)."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from followup.events import EventInput, add_event
from followup.models import Client, Event
from followup.recovery.lifecycle import after_event


def record_event(
    session: Session, client: Client, data: EventInput, now: datetime, today: date
) -> tuple[Event, str | None]:
    """The recorded event and, in one sentence, its effect on a guarantee (or None)."""
    event = add_event(session, client, data, now, today)
    return event, after_event(session, client, event, now)
