"""Recording what happened with a client: the input to picking (DESIGN §2, §3).

Adding an event also keeps the client's own fields true: a ``lost`` event marks the
client lost, ``recovered`` marks them recovered, and a ``reply`` or ``call`` counts as
contact for the rotation (it resets the cadence).

An owner names a kind in English or Spanish (``event_kind``) and writes a day as ISO or
day first (``parse_day``), the same on the command line and in a file to import.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sqlmodel import Session, col, select

from followup.errors import Invalid
from followup.fields import one_line
from followup.models import Client, ClientStatus, Event, EventKind, max_length

CONTACT_EVENTS = frozenset({EventKind.reply, EventKind.call})
STATUS_EVENTS: dict[str, ClientStatus] = {
    EventKind.lost: ClientStatus.lost,
    EventKind.recovered: ClientStatus.recovered,
}
# The owner's words about an event: each one line, as long as its column allows.
TEXT_FIELDS = ("summary", "item", "amount", "compensation")
# Kind names in Spanish, as ``_name_key`` writes them (no case, no accents).
SPANISH_KINDS = {
    "compra": EventKind.purchase, "queja": EventKind.complaint,
    "reclamacion": EventKind.complaint, "colaboracion": EventKind.cooperation,
    "cooperacion": EventKind.cooperation, "perdido": EventKind.lost, "perdida": EventKind.lost,
    "recuperado": EventKind.recovered, "recuperada": EventKind.recovered,
    "respuesta": EventKind.reply, "llamada": EventKind.call, "nota": EventKind.note,
}  # fmt: skip
KINDS_ACCEPTED = (
    f"one of {', '.join(k.value for k in EventKind)} "
    f"(or in Spanish: {', '.join(SPANISH_KINDS)})"
)
DAYS_ACCEPTED = "write 2026-11-04, 04/11/2026 or 4/11/2026"
# "Call as well?" as an events file answers it: English or Spanish, any case or accent.
_YES = frozenset({"yes", "y", "si", "s", "true", "1", "x"})
_NO = frozenset({"no", "n", "false", "0", ""})
YES_NO_ACCEPTED = "write yes or sí (or leave it empty for no)"
_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?")
_DAY_FIRST = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")


def _name_key(text: str) -> str:
    """A name compared without case, accents or surrounding spaces: 'Reclamación' =
    'reclamacion'."""
    plain = unicodedata.normalize("NFKD", text.strip())
    return "".join(ch for ch in plain if not unicodedata.combining(ch)).casefold()


def event_kind(value: str) -> str | None:
    """The English kind for an English or Spanish name (any case, accents or not), or None."""
    key = _name_key(value)
    if key in {k.value for k in EventKind}:
        return key
    kind = SPANISH_KINDS.get(key)
    return None if kind is None else kind.value


def parse_yes_no(value: str) -> bool | None:
    """True for yes/sí, False for no or nothing, None for anything else."""
    key = _name_key(value)
    if key in _YES:
        return True
    if key in _NO:
        return False
    return None


def parse_day(value: str) -> date | None:
    """ISO ``2026-11-04`` (a time after it is ignored) or day first ``04/11/2026`` or
    ``4/11/2026`` (``.`` or ``-`` between the numbers too); None for anything else."""
    value = value.strip()
    try:
        if iso := _ISO_DAY.fullmatch(value):
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if dmy := _DAY_FIRST.fullmatch(value):
            return date(int(dmy[3]), int(dmy[2]), int(dmy[1]))
    except ValueError:
        return None
    return None


@dataclass(frozen=True)
class EventInput:
    kind: str
    day: date
    summary: str
    item: str | None = None
    amount: str | None = None
    compensation: str | None = None
    # A complaint only: the owner will also call the client (a call task beside the apology).
    wants_call: bool = False


def _folded(value: str | None) -> str | None:
    return one_line(value) or None if value is not None else None


def parse_amount(text: str) -> str:
    """An amount as stored: "78.50" from "78,50 €", "€1,234.5" or "1.234,50".

    Raises ``Invalid`` unless it is a finite, non-negative number with at most two
    decimals: a letter must never promise "NaN €" or a refund of "-45 €".
    """
    plain = "".join(ch for ch in text if ch not in "€$£ \u00a0").upper().removesuffix("EUR")
    if "," in plain and "." in plain:  # the last one is the decimal mark
        thousands = "." if plain.rfind(",") > plain.rfind(".") else ","
        plain = plain.replace(thousands, "")
    plain = plain.replace(",", ".")
    try:
        value = Decimal(plain)
    except InvalidOperation:
        raise Invalid("amount", f"the amount {text!r} is not a number") from None
    if not value.is_finite() or value < 0:
        raise Invalid("amount", f"the amount {text!r} must be a positive number, like 45.90")
    if value >= Decimal("1e12"):
        raise Invalid("amount", f"the amount {text!r} is too large")
    if value != value.quantize(Decimal("0.01")):
        raise Invalid("amount", f"the amount {text!r} has more than two decimals")
    return f"{value:.2f}"


def validate_event(data: EventInput, today: date | None = None) -> EventInput:
    """The event with its kind checked and its texts on one line; raises ``Invalid``.

    With ``today`` (the business's local day), an event dated after it is refused.
    """
    kinds = {k.value for k in EventKind}
    kind = data.kind.strip().lower()
    if kind not in kinds:
        raise Invalid(
            "kind", f"unknown event kind {data.kind!r} (one of: {', '.join(sorted(kinds))})"
        )
    texts = {name: _folded(getattr(data, name)) for name in TEXT_FIELDS}
    if not texts["summary"]:
        raise Invalid("summary", "the summary is empty: say in one line what happened")
    for name, value in texts.items():
        limit = max_length(Event, name)
        if value is not None and len(value) > limit:
            raise Invalid(name, f"the {name} is longer than {limit} characters")
    if today is not None and data.day > today:
        raise Invalid(
            "day",
            f"{data.day.isoformat()} is in the future (today is {today.isoformat()}): "
            "record what happened once it has happened",
        )
    if data.wants_call and kind != EventKind.complaint:
        raise Invalid(
            "call", "only a complaint can ask for a call; record the call itself as a call event"
        )
    amount = None if texts["amount"] is None else parse_amount(texts["amount"])
    return EventInput(
        kind,
        data.day,
        texts["summary"],
        item=texts["item"],
        amount=amount,
        compensation=texts["compensation"],
        wants_call=data.wants_call,
    )


def add_event(
    session: Session, client: Client, data: EventInput, now: datetime, today: date | None = None
) -> Event:
    """Record an event on ``client`` and update the client's status and contact day.

    Raises ``Invalid`` naming the field when the event cannot be recorded (with
    ``today``, an event dated after it too).
    """
    data = validate_event(data, today)
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
        wants_call=data.wants_call,
        created_at=now,
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


def latest_event(session: Session, client: Client, kind: str, day: date) -> Event | None:
    """The client's latest event of ``kind`` on record up to ``day`` (the later one of a
    day when there are two)."""
    return session.exec(
        select(Event)
        .where(Event.client_id == client.id, Event.kind == kind, col(Event.day) <= day)
        .order_by(col(Event.day).desc(), col(Event.id).desc())
    ).first()


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
