"""``/api/v1/events``: what happened with clients, listed and recorded (with the same
effects on a special guarantee as ``events add``: a claim, a skipped check-in)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from followup.events import EventInput
from followup.models import EventKind
from followup.schemas import EventView
from followup.services import count, events_query, list_events
from followup.services.clients import get_client
from followup.services.events import record_event
from followup.web.api.auth import Auth
from followup.web.api.errors import errors
from followup.web.api.params import MAX_ID, Integer, Limit, Offset, business_of, today_of
from followup.web.api.schemas import EventCreate, Page

router = APIRouter(prefix="/events", tags=["events"])


class Recorded(EventView):
    """The event recorded, and what it did to the client's guarantee (or null)."""

    effect: str | None


@router.get("", summary="List events", response_model=Page[EventView], responses=errors(401, 422))
def search(
    caller: Auth,
    client: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Only this client's."), Integer
    ] = None,
    kind: EventKind | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Any:
    """Events, newest day first."""
    with caller.reading() as session:
        items = list_events(
            session, caller.business_id, client_id=client, kind=kind, limit=limit, offset=offset
        )
        total = count(session, events_query(caller.business_id, client_id=client, kind=kind))
    return Page[EventView](items=items, total=total, limit=limit, offset=offset)


@router.post(
    "",
    summary="Record an event",
    status_code=201,
    response_model=Recorded,
    responses=errors(401, 404, 409, 422),
)
def create(caller: Auth, body: EventCreate) -> Any:
    """A purchase, complaint (with its compensation, and ``wants_call``), cooperation,
    lost or recovered client… The summary and compensation are written to the client."""
    with caller.writing() as session:
        business = business_of(session, caller)
        client = get_client(session, caller.business_id, body.client_id)
        today = today_of(business, caller)
        data = EventInput(
            body.kind,
            body.day or today,
            body.summary,
            body.item,
            body.amount,
            body.compensation,
            body.wants_call,
        )
        event, effect = record_event(session, client, data, caller.now, today)
        return Recorded.model_validate(
            {**event.model_dump(), "client_name": client.name, "effect": effect}
        )
