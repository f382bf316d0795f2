"""``/api/v1/picks``: who gets a letter on a day and why; skip a pick (its replacement
comes back), pin a client for a coming day."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from followup.jobs import skip_pick
from followup.picking.owner import pin_client
from followup.schemas import PickView
from followup.services import list_picks
from followup.services.clients import get_client
from followup.web.api.auth import Auth
from followup.web.api.errors import errors
from followup.web.api.params import QueryDay, business_of, today_of
from followup.web.api.schemas import DayPicks, PinClient, SkipPick, SkipResult

router = APIRouter(prefix="/picks", tags=["picks"])


@router.get(
    "", summary="The day's picks with their reasons", response_model=DayPicks,
    responses=errors(401, 422),
)  # fmt: skip
def day_picks(caller: Auth, day: QueryDay = None) -> Any:
    """Who is picked today (or on ``day``), in rank order; writes nothing."""
    with caller.reading() as session:
        business = business_of(session, caller)
        the_day = today_of(business, caller, day)
        closed, chosen = list_picks(session, business, the_day)
    return DayPicks(day=the_day, closed=closed, picks=chosen)


@router.post(
    "/skip",
    summary="Skip a client's pick; the next candidate takes its place",
    response_model=SkipResult,
    responses=errors(401, 404, 409, 422),
)
def skip(caller: Auth, body: SkipPick) -> Any:
    """The skipped client's letter is cancelled and their reason stays open; the
    replacement (null when nobody else is waiting) has its letter drafted."""
    with caller.writing() as session:
        business = business_of(session, caller)
        client = get_client(session, caller.business_id, body.client_id)
        assert client.id is not None
        day = today_of(business, caller, body.day)
        replacement = skip_pick(session, business, day, client.id, caller.now)
    public = set(PickView.model_fields)
    return SkipResult(
        replacement=None
        if replacement is None
        else PickView.model_validate(replacement.model_dump(include=public))
    )


@router.post(
    "/pins",
    summary="Pin a client for a coming working day",
    status_code=201,
    response_model=PinClient,
    responses=errors(401, 404, 409, 422),
)
def pin(caller: Auth, body: PinClient) -> Any:
    """They are picked first that day; 409 for a past or closed day, or a second pin."""
    with caller.writing() as session:
        business = business_of(session, caller)
        client = get_client(session, caller.business_id, body.client_id)
        pin_client(session, business, client, body.day, caller.now, today_of(business, caller))
    return body
