"""The special guarantee given to a client who came back after an error.

Check-ins fall on fixed offsets from the start (7, 30, 60, 90 days by default) and then
every 30 days until the guarantee ends. ``day`` is always passed in.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, update

from followup.errors import Invalid
from followup.models import Client, ClientStatus, Guarantee, GuaranteeStatus

DEFAULT_OFFSETS = (7, 30, 60, 90)
THEN_EVERY = 30


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def parse_offsets(value: str) -> tuple[int, ...]:
    try:
        offsets = tuple(sorted({int(p) for p in value.split(",") if p.strip()}))
    except ValueError:
        raise Invalid(
            "checkins", f"check-in offsets {value!r} are not whole days"
        ) from None
    if not offsets or offsets[0] <= 0:
        raise Invalid(
            "checkins", "check-in offsets must be positive days, e.g. 7,30,60,90"
        )
    return offsets


def checkin_days(starts_on: date, ends_on: date, offsets: tuple[int, ...]) -> Iterator[date]:
    """Every check-in day of a guarantee, in order, none after ``ends_on``."""
    for offset in offsets:
        day = starts_on + timedelta(days=offset)
        if day > ends_on:
            return
        yield day
    day = starts_on + timedelta(days=offsets[-1] + THEN_EVERY)
    while day <= ends_on:
        yield day
        day += timedelta(days=THEN_EVERY)


def next_checkin_after(guarantee: Guarantee, day: date) -> date | None:
    """The first check-in strictly after ``day``, or None when none is left."""
    offsets = parse_offsets(guarantee.checkin_offsets)
    return next(
        (d for d in checkin_days(guarantee.starts_on, guarantee.ends_on, offsets) if d > day),
        None,
    )


def create_guarantee(
    session: Session,
    client: Client,
    *,
    months: int,
    terms: str,
    payout: str = "",
    starts_on: date,
    now: datetime,
    event_id: int | None = None,
    offsets: str = ",".join(map(str, DEFAULT_OFFSETS)),
) -> Guarantee:
    """Give ``client`` a special guarantee; a client who gets one has come back.

    Raises ``Invalid`` naming the field (``terms``, ``months``, ``checkins``).
    """
    terms = " ".join(terms.split())
    payout = " ".join(payout.split())
    if not terms:
        raise Invalid("terms", "say in words what the guarantee covers")
    if not 1 <= months <= 60:
        raise Invalid("months", "a guarantee lasts between 1 and 60 months")
    parse_offsets(offsets)
    assert client.id is not None
    guarantee = Guarantee(
        business_id=client.business_id,
        client_id=client.id,
        event_id=event_id,
        terms=terms,
        payout=payout,
        starts_on=starts_on,
        ends_on=add_months(starts_on, months),
        checkin_offsets=offsets,
        created_at=now,
    )
    guarantee.next_checkin_on = next_checkin_after(guarantee, starts_on)
    session.add(guarantee)
    if client.status != ClientStatus.recovered:
        client.status = ClientStatus.recovered
        session.add(client)
    session.flush()
    return guarantee


def advance_checkin(guarantee: Guarantee, day: date) -> None:
    """A check-in letter was drafted on ``day``: move to the next one."""
    guarantee.next_checkin_on = next_checkin_after(guarantee, day)


def expire_guarantees(session: Session, business_id: int, day: date) -> int:
    """Active guarantees whose end day has passed become ``expired``."""
    result = session.execute(
        update(Guarantee)
        .where(
            col(Guarantee.business_id) == business_id,
            col(Guarantee.status) == GuaranteeStatus.active,
            col(Guarantee.ends_on) < day,
        )
        .values(status=GuaranteeStatus.expired, next_checkin_on=None)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
