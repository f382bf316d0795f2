"""Recording what happened with a client: the input to picking (DESIGN §2, §3).

Adding an event also keeps the client's own fields true: a ``lost`` event marks the
client lost, ``recovered`` marks them recovered, and a ``reply`` or ``call`` counts as
contact for the rotation (it resets the cadence).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, or_, select

from followup.models import Client, ClientStatus, Event, EventKind

CONTACT_EVENTS = frozenset({EventKind.reply, EventKind.call})
STATUS_EVENTS: dict[str, ClientStatus] = {
    EventKind.lost: ClientStatus.lost,
    EventKind.recovered: ClientStatus.recovered,
}


class UnknownClient(LookupError):
    def __init__(self, ref: str) -> None:
        super().__init__(f"no client with id, email or reference {ref!r}")
        self.ref = ref


class InvalidEvent(ValueError):
    """An event that cannot be recorded; ``field`` names the offending input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class EventInput:
    kind: str
    day: date
    summary: str
    item: str | None = None
    amount: str | None = None
    compensation: str | None = None


def find_client(session: Session, business_id: int, ref: str) -> Client:
    """The client named by id, email (any case) or external reference."""
    ref = ref.strip()
    conditions = [col(Client.email) == ref.lower(), col(Client.external_ref) == ref]
    if ref.isascii() and ref.isdigit():
        conditions.append(col(Client.id) == int(ref))
    client = session.exec(
        select(Client)
        .where(Client.business_id == business_id, or_(*conditions))
        .order_by(col(Client.id))
    ).first()
    if client is None:
        raise UnknownClient(ref)
    return client


def one_line(value: str | None) -> str | None:
    """Fold any line break or run of spaces into one space; empty becomes None."""
    if value is None:
        return None
    folded = " ".join(value.split())
    return folded or None


def validate_event(data: EventInput) -> EventInput:
    kinds = {k.value for k in EventKind}
    kind = data.kind.strip().lower()
    if kind not in kinds:
        raise InvalidEvent(
            "kind", f"unknown event kind {data.kind!r} (one of: {', '.join(sorted(kinds))})"
        )
    summary = one_line(data.summary)
    if not summary:
        raise InvalidEvent("summary", "the summary is empty: say in one line what happened")
    if len(summary) > 500:
        raise InvalidEvent("summary", "the summary is longer than 500 characters")
    for field, value, limit in (
        ("item", data.item, 200),
        ("amount", data.amount, 50),
        ("compensation", data.compensation, 500),
    ):
        if value is not None and len(value) > limit:
            raise InvalidEvent(field, f"the {field} is longer than {limit} characters")
    amount = one_line(data.amount)
    if amount is not None:
        try:
            float(amount.replace(",", ".").replace("€", "").replace("$", "").replace("£", ""))
        except ValueError:
            raise InvalidEvent("amount", f"the amount {amount!r} is not a number") from None
    return EventInput(
        kind=kind,
        day=data.day,
        summary=summary,
        item=one_line(data.item),
        amount=amount,
        compensation=one_line(data.compensation),
    )


def add_event(session: Session, client: Client, data: EventInput) -> Event:
    """Record an event on ``client`` and update the client's status and contact day."""
    data = validate_event(data)
    assert client.id is not None
    event = Event(
        business_id=client.business_id,
        client_id=client.id,
        kind=data.kind,
        day=data.day,
        summary=data.summary,
        item=data.item,
        amount=data.amount,
        compensation=data.compensation,
    )
    session.add(event)
    if data.kind in STATUS_EVENTS and not _newer_status_event(session, client, data.day):
        client.status = STATUS_EVENTS[data.kind]
    elif data.kind in CONTACT_EVENTS and (
        client.last_contacted_on is None or client.last_contacted_on < data.day
    ):
        client.last_contacted_on = data.day
    session.add(client)
    session.flush()
    return event


def _newer_status_event(session: Session, client: Client, day: date) -> bool:
    """An older "lost" recorded after a newer "recovered" must not undo it."""
    return (
        session.exec(
            select(Event.id).where(
                Event.client_id == client.id,
                col(Event.kind).in_(tuple(STATUS_EVENTS)),
                Event.day > day,
            )
        ).first()
        is not None
    )


def same_event_exists(session: Session, client: Client, data: EventInput) -> bool:
    """True when this very event (client, kind, day, summary) is already recorded.

    Re-importing the same events file must not double the purchases.
    """
    return (
        session.exec(
            select(Event.id).where(
                Event.business_id == client.business_id,
                Event.client_id == client.id,
                Event.kind == data.kind,
                Event.day == data.day,
                Event.summary == data.summary,
            )
        ).first()
        is not None
    )
