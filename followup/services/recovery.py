"""What the CLI and the API both ask about service recovery: special guarantees (with
the days left and whether one ends this week), incidents, and the outcomes report.
Re-exported by ``followup.services``."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from followup.errors import NotFound
from followup.models import (
    Client,
    Event,
    EventKind,
    Guarantee,
    GuaranteeClaim,
    GuaranteeStatus,
    Incident,
)
from followup.recovery.report import report as outcomes
from followup.schemas import (
    ClaimView,
    GuaranteeDetail,
    GuaranteeView,
    IncidentView,
    ReportView,
)
from followup.services import _page

ENDING_SOON_DAYS = 7


def guarantees_query(
    business_id: int,
    *,
    status: str | None = None,
    day: date | None = None,
    ending_soon: bool = False,
    client_id: int | None = None,
) -> Any:
    """The business's guarantees with their client's name and claim count, filtered."""
    claims = (
        select(func.count())
        .where(col(GuaranteeClaim.guarantee_id) == col(Guarantee.id))
        .scalar_subquery()
    )
    query = (
        select(Guarantee, Client.name, claims)
        .join(Client, col(Client.id) == col(Guarantee.client_id))
        .where(Guarantee.business_id == business_id)
    )
    if status:
        query = query.where(Guarantee.status == status)
    if client_id is not None:
        query = query.where(Guarantee.client_id == client_id)
    if ending_soon:
        assert day is not None
        query = query.where(
            Guarantee.status == GuaranteeStatus.active,
            col(Guarantee.ends_on) >= day,
            col(Guarantee.ends_on) <= day + timedelta(days=ENDING_SOON_DAYS),
        )
    return query


def list_guarantees(
    session: Session,
    business_id: int,
    *,
    status: str | None = None,
    day: date | None = None,
    ending_soon: bool = False,
    client_id: int | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[GuaranteeView]:
    """The business's special guarantees, the soonest to end first, each with its claims.

    With ``day`` (the business's today), an active one says how many days it has left
    and whether it ends within a week (``ending_soon``: only those).
    """
    query = guarantees_query(
        business_id, status=status, day=day, ending_soon=ending_soon, client_id=client_id
    )
    ordered = query.order_by(col(Guarantee.ends_on), col(Guarantee.id))
    return [_guarantee_view(row, day) for row in session.exec(_page(ordered, limit, offset))]


def _guarantee_view(row: Any, day: date | None) -> GuaranteeView:
    g, name, count = row
    left = (
        (g.ends_on - day).days
        if day is not None and g.status == GuaranteeStatus.active and g.ends_on >= day
        else None
    )
    return GuaranteeView.model_validate(
        {
            **g.model_dump(),
            "client_name": name,
            "claims": count,
            "days_left": left,
            "ending_soon": left is not None and left <= ENDING_SOON_DAYS,
        }
    )


def guarantee_detail(
    session: Session, business_id: int, guarantee_id: int, day: date | None = None
) -> GuaranteeDetail:
    """The business's guarantee ``guarantee_id`` with its claims; ``NotFound`` otherwise."""
    row = session.exec(
        guarantees_query(business_id).where(col(Guarantee.id) == guarantee_id)
    ).first()
    if row is None:
        raise NotFound(f"there is no guarantee {guarantee_id}")
    claims = session.exec(
        select(GuaranteeClaim)
        .where(GuaranteeClaim.guarantee_id == guarantee_id)
        .order_by(col(GuaranteeClaim.day), col(GuaranteeClaim.id))
    )
    return GuaranteeDetail.model_validate(
        {
            **_guarantee_view(row, day).model_dump(),
            "claim_list": [ClaimView.model_validate(c, from_attributes=True) for c in claims],
        }
    )


def incidents_query(
    business_id: int, *, open_only: bool = False, client_id: int | None = None
) -> Any:
    """The business's complaints with their client's name and incident, filtered."""
    query = (
        select(Event, Client.name, Incident)
        .join(Client, col(Client.id) == col(Event.client_id))
        .outerjoin(Incident, col(Incident.event_id) == col(Event.id))
        .where(Event.business_id == business_id, Event.kind == EventKind.complaint)
    )
    if open_only:
        query = query.where(col(Incident.cause).is_(None))
    if client_id is not None:
        query = query.where(Event.client_id == client_id)
    return query


def list_incidents(
    session: Session,
    business_id: int,
    *,
    open_only: bool = False,
    client_id: int | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[IncidentView]:
    """The business's complaints as incidents, newest day first; ``open_only``: those
    whose internal cause is not recorded yet."""
    query = incidents_query(business_id, open_only=open_only, client_id=client_id)
    ordered = query.order_by(col(Event.day).desc(), col(Event.id).desc())
    return [
        incident_view(event, name, incident)
        for event, name, incident in session.exec(_page(ordered, limit, offset))
    ]


# What an incident row adds to its complaint event.
_RECORDED = (
    "compensated_at", "compensation_kind", "compensation_amount", "cause", "action", "resolved_at"
)  # fmt: skip


def incident_view(event: Event, client_name: str, incident: Incident | None) -> IncidentView:
    recorded = (
        {}
        if incident is None
        else incident.model_dump(include=set(_RECORDED))
    )
    return IncidentView.model_validate(
        {
            **event.model_dump(include={"id", "client_id", "day", "summary", "compensation"}),
            "client_name": client_name,
            **dict.fromkeys(_RECORDED),
            **recorded,
            "open": incident is None or incident.cause is None,
        }
    )


def report(session: Session, business_id: int, since: date | None = None) -> ReportView:
    """What service recovery achieved from ``since`` on (``recovery.report``)."""
    return outcomes(session, business_id, since)


def incident_detail(session: Session, business_id: int, event_id: int) -> IncidentView:
    """The business's incident ``event_id`` (a complaint's event id); ``NotFound`` else."""
    row = session.exec(incidents_query(business_id).where(col(Event.id) == event_id)).first()
    if row is None:
        raise NotFound(f"there is no incident {event_id}")
    event, name, incident = row
    return incident_view(event, name, incident)
