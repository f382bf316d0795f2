"""``/api/v1/guarantees``, ``/api/v1/incidents`` and ``/api/v1/report``: service recovery
(issue 12) step by step: a guarantee's claims, the client satisfied, a cancellation; an
incident's compensation, its cause and corrective action; what it all achieved."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from followup.models import GuaranteeStatus
from followup.recovery.incidents import compensate, resolve
from followup.recovery.lifecycle import cancel_guarantee, claim, get_guarantee, mark_satisfied
from followup.schemas import GuaranteeDetail, GuaranteeView, IncidentView, ReportView
from followup.services import (
    count,
    guarantees_query,
    incidents_query,
    list_guarantees,
    list_incidents,
    report,
)
from followup.services.recovery import guarantee_detail, incident_detail
from followup.web.api.auth import Auth
from followup.web.api.errors import errors
from followup.web.api.params import (
    Flag,
    Id,
    Limit,
    Offset,
    QueryDay,
    business_of,
    today_of,
)
from followup.web.api.schemas import CancelGuarantee, Claim, Compensate, Page, Resolve, Satisfied

router = APIRouter()
MOVE = errors(401, 404, 409, 422)


@router.get(
    "/guarantees",
    tags=["guarantees"],
    summary="List special guarantees",
    response_model=Page[GuaranteeView],
    responses=errors(401, 422),
)
def guarantees(
    caller: Auth, status: GuaranteeStatus | None = None, limit: Limit = 50, offset: Offset = 0
) -> Any:
    """The soonest to end first, with the days left and whether one ends this week."""
    with caller.reading() as session:
        day = today_of(business_of(session, caller), caller)
        items = list_guarantees(
            session, caller.business_id, status=status, day=day, limit=limit, offset=offset
        )
        total = count(session, guarantees_query(caller.business_id, status=status))
    return Page[GuaranteeView](items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/guarantees/{guarantee_id}",
    tags=["guarantees"],
    summary="Read a guarantee with its claims",
    response_model=GuaranteeDetail,
    responses=errors(401, 404, 422),
)
def guarantee(caller: Auth, guarantee_id: Id) -> Any:
    with caller.reading() as session:
        day = today_of(business_of(session, caller), caller)
        return guarantee_detail(session, caller.business_id, guarantee_id, day)


@router.post(
    "/guarantees/{guarantee_id}/satisfied",
    tags=["guarantees"],
    summary="The client is satisfied: the next check-in is skipped",
    response_model=GuaranteeDetail,
    responses=MOVE,
)
def satisfied(caller: Auth, guarantee_id: Id, body: Satisfied) -> Any:
    with caller.writing() as session:
        day = today_of(business_of(session, caller), caller, body.day)
        g = get_guarantee(session, caller.business_id, guarantee_id)
        mark_satisfied(session, g, day=day, note=body.note, now=caller.now)
        return guarantee_detail(session, caller.business_id, guarantee_id, day)


@router.post(
    "/guarantees/{guarantee_id}/claims",
    tags=["guarantees"],
    summary="The error repeated: a claim on the guarantee",
    status_code=201,
    response_model=GuaranteeDetail,
    responses=MOVE,
)
def make_claim(caller: Auth, guarantee_id: Id, body: Claim) -> Any:
    """Recorded as a complaint whose apology states what the guarantee gives now; 409
    when the guarantee is no longer running."""
    with caller.writing() as session:
        day = today_of(business_of(session, caller), caller, body.day)
        g = get_guarantee(session, caller.business_id, guarantee_id)
        claim(session, g, day=day, what=body.what, now=caller.now)
        return guarantee_detail(session, caller.business_id, guarantee_id, day)


@router.post(
    "/guarantees/{guarantee_id}/cancel",
    tags=["guarantees"],
    summary="Cancel a running guarantee, with the reason",
    response_model=GuaranteeDetail,
    responses=MOVE,
)
def cancel(caller: Auth, guarantee_id: Id, body: CancelGuarantee) -> Any:
    """Its unsent letters are cancelled too."""
    with caller.writing() as session:
        g = get_guarantee(session, caller.business_id, guarantee_id)
        cancel_guarantee(session, g, reason=body.reason, now=caller.now)
        return guarantee_detail(session, caller.business_id, guarantee_id)


@router.get(
    "/incidents",
    tags=["incidents"],
    summary="List incidents (complaints)",
    response_model=Page[IncidentView],
    responses=errors(401, 422),
)
def incidents(
    caller: Auth,
    open: Annotated[
        bool, Query(description="Only those without a recorded cause."), Flag
    ] = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Any:
    with caller.reading() as session:
        items = list_incidents(
            session, caller.business_id, open_only=open, limit=limit, offset=offset
        )
        total = count(session, incidents_query(caller.business_id, open_only=open))
    return Page[IncidentView](items=items, total=total, limit=limit, offset=offset)


@router.post(
    "/incidents/{event_id}/compensation",
    tags=["incidents"],
    summary="Decide or change an incident's compensation",
    response_model=IncidentView,
    responses=MOVE,
)
def compensation(caller: Auth, event_id: Id, body: Compensate) -> Any:
    """The apology names it (one written before does not: edit or cancel it)."""
    with caller.writing() as session:
        compensate(
            session, caller.business_id, event_id, body.compensation, caller.now,
            kind=body.kind, amount=body.amount,
        )  # fmt: skip
        return incident_detail(session, caller.business_id, event_id)


@router.post(
    "/incidents/{event_id}/resolve",
    tags=["incidents"],
    summary="Record an incident's internal cause and corrective action",
    response_model=IncidentView,
    responses=MOVE,
)
def resolve_incident(caller: Auth, event_id: Id, body: Resolve) -> Any:
    with caller.writing() as session:
        resolve(
            session, caller.business_id, event_id, cause=body.cause, action=body.action,
            now=caller.now,
        )  # fmt: skip
        return incident_detail(session, caller.business_id, event_id)


@router.get(
    "/report",
    tags=["report"],
    summary="What service recovery achieved",
    response_model=ReportView,
    responses=errors(401, 422),
)
def outcomes(caller: Auth, since: QueryDay = None) -> Any:
    """The ``followup report --json`` figures, counted from ``since`` (or all time)."""
    with caller.reading() as session:
        return report(session, caller.business_id, since)

