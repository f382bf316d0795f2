"""What service recovery achieved: the figures of ``followup report`` (and, later, the
API and the dashboard), each one query counted in the database.

A client's recovery is a ``recovered`` event or the start of a guarantee (giving one
marks the client recovered); with ``since``, the first one on or after that day. A
recovered client bought again when a purchase is recorded after that day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, literal, select, union_all
from sqlmodel import Session, col

from followup.calendar import zone
from followup.errors import NotFound
from followup.models import (
    Business,
    Client,
    ClientStatus,
    Event,
    EventKind,
    Guarantee,
    GuaranteeStatus,
    Incident,
    Letter,
    LetterKind,
    LetterStatus,
)
from followup.schemas import GuaranteeCounts, ReportView


def _count(session: Session, query: Select[int]) -> int:
    return int(session.execute(query).scalar_one())


def _since(column: Any, since: date | None) -> ColumnElement[bool]:
    return literal(True) if since is None else column >= since


def report(session: Session, business_id: int, since: date | None) -> ReportView:
    """The figures for business ``business_id`` from ``since`` on (a local day; None: all
    time). Raises ``NotFound`` for an unknown business."""
    business = session.get(Business, business_id)
    if business is None:
        raise NotFound(f"there is no business {business_id}")
    sent_since = (
        literal(True)
        if since is None
        else col(Letter.sent_at) >= datetime.combine(since, time(), zone(business)).astimezone(UTC)
    )
    by_kind = dict.fromkeys((k.value for k in LetterKind), 0)
    for kind, count in session.execute(
        select(col(Letter.kind), func.count())
        .where(
            col(Letter.business_id) == business_id,
            col(Letter.status) == LetterStatus.sent,
            sent_since,
        )
        .group_by(col(Letter.kind))
    ).all():
        by_kind[kind] = int(count)

    def events_of(kind: EventKind) -> ColumnElement[bool]:
        return and_(
            col(Event.business_id) == business_id,
            col(Event.kind) == kind,
            _since(col(Event.day), since),
        )

    replies = _count(session, select(func.count()).where(events_of(EventKind.reply)))

    moments = union_all(
        select(col(Event.client_id).label("client_id"), col(Event.day).label("day")).where(
            events_of(EventKind.recovered)
        ),
        select(
            col(Guarantee.client_id).label("client_id"), col(Guarantee.starts_on).label("day")
        ).where(col(Guarantee.business_id) == business_id, _since(col(Guarantee.starts_on), since)),
    ).subquery()
    recoveries = (
        select(moments.c.client_id, func.min(moments.c.day).label("day"))
        .group_by(moments.c.client_id)
        .subquery()
    )
    recovered = _count(session, select(func.count()).select_from(recoveries))
    if since is None:
        # A client marked recovered some other way, with no day to count from.
        recovered += _count(
            session,
            select(func.count()).where(
                col(Client.business_id) == business_id,
                col(Client.status) == ClientStatus.recovered,
                col(Client.id).not_in(select(recoveries.c.client_id)),
            ),
        )
    bought_again = _count(
        session,
        select(func.count())
        .select_from(recoveries)
        .where(
            exists().where(
                col(Event.client_id) == recoveries.c.client_id,
                col(Event.kind) == EventKind.purchase,
                col(Event.day) > recoveries.c.day,
            )
        ),
    )

    statuses = dict.fromkeys((s.value for s in GuaranteeStatus), 0)
    for status, count in session.execute(
        select(col(Guarantee.status), func.count())
        .where(col(Guarantee.business_id) == business_id, _since(col(Guarantee.ends_on), since))
        .group_by(col(Guarantee.status))
    ).all():
        statuses[status] = int(count)

    complaints = select(func.count()).where(events_of(EventKind.complaint))
    incidents = _count(session, complaints)
    open_incidents = _count(
        session,
        complaints.where(
            ~exists().where(
                col(Incident.event_id) == col(Event.id), col(Incident.cause).is_not(None)
            )
        ),
    )
    return ReportView(
        business_id=business_id,
        since=since,
        letters_sent=by_kind,
        letters_sent_total=sum(by_kind.values()),
        replies=replies,
        recovered=recovered,
        bought_again=bought_again,
        guarantees=GuaranteeCounts(**statuses),
        incidents=incidents,
        open_incidents=open_incidents,
    )
