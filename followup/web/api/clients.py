"""``/api/v1/clients``: search, read, add, change, do-not-contact, forget, timeline, and
recover (a client who came back gets a special guarantee)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from followup.clients import add_client, update_client
from followup.models import ClientStatus
from followup.recovery.lifecycle import recover_client
from followup.schemas import ClientView, GuaranteeDetail
from followup.services import client_view, clients_query, count, list_clients
from followup.services.clients import forget_for_good, get_client, get_client_view, timeline
from followup.services.recovery import guarantee_detail
from followup.web.api.auth import Auth
from followup.web.api.errors import errors
from followup.web.api.params import Id, Limit, Offset, QueryText, business_of, today_of
from followup.web.api.schemas import (
    ClientCreate,
    ClientPatch,
    Confirm,
    Page,
    Recover,
    Timeline,
)

router = APIRouter(prefix="/clients", tags=["clients"])


@router.get(
    "", summary="Search clients", response_model=Page[ClientView], responses=errors(401, 422)
)
def search(
    caller: Auth,
    q: QueryText = None,
    status: ClientStatus | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Any:
    """Clients whose name, email, company or tags contain ``q`` (any case), oldest first."""
    with caller.reading() as session:
        items = list_clients(
            session, caller.business_id, status=status, q=q, limit=limit, offset=offset
        )
        total = count(session, clients_query(caller.business_id, status=status, q=q))
    return Page[ClientView](items=items, total=total, limit=limit, offset=offset)


@router.post(
    "",
    summary="Add a client",
    status_code=201,
    response_model=ClientView,
    responses=errors(401, 409, 422),
)
def create(caller: Auth, body: ClientCreate) -> Any:
    """A new client; 409 when another client has the email or the reference."""
    values = body.model_dump(exclude_none=True)
    with caller.writing() as session:
        client = add_client(session, caller.business_id, caller.now, **values)
        return client_view(client)


@router.get(
    "/{client_id}",
    summary="Read a client",
    response_model=ClientView,
    responses=errors(401, 404, 422),
)
def read(caller: Auth, client_id: Id) -> Any:
    with caller.reading() as session:
        return get_client_view(session, caller.business_id, client_id)


@router.patch(
    "/{client_id}",
    summary="Change a client's fields",
    response_model=ClientView,
    responses=errors(401, 404, 409, 422),
)
def patch(caller: Auth, client_id: Id, body: ClientPatch) -> Any:
    """Any field, the greeting included; an empty string clears one (not the name)."""
    with caller.writing() as session:
        client = get_client(session, caller.business_id, client_id)
        update_client(session, client, caller.now, **body.model_dump(exclude_unset=True))
        return client_view(client)


def _do_not_contact(caller: Auth, client_id: int, value: bool) -> Any:
    with caller.writing() as session:
        client = get_client(session, caller.business_id, client_id)
        update_client(session, client, caller.now, do_not_contact=value)
        return client_view(client)


@router.put(
    "/{client_id}/do-not-contact",
    summary="Stop every letter to a client",
    response_model=ClientView,
    responses=errors(401, 404, 422),
)
def do_not_contact(caller: Auth, client_id: Id) -> Any:
    return _do_not_contact(caller, client_id, True)


@router.delete(
    "/{client_id}/do-not-contact",
    summary="Allow letters to a client again",
    response_model=ClientView,
    responses=errors(401, 404, 422),
)
def may_contact(caller: Auth, client_id: Id) -> Any:
    return _do_not_contact(caller, client_id, False)


@router.post(
    "/{client_id}/forget",
    summary="Erase a client's personal data for good",
    response_model=ClientView,
    responses=errors(401, 404, 409, 422),
)
def forget(caller: Auth, client_id: Id, body: Confirm) -> Any:
    """The right to erasure: name, contact data, notes and letter texts are erased; the
    counts stay. Needs ``{"confirm": true}`` (``Confirm`` refuses anything else); 409
    while a letter to them is being sent."""
    forget_for_good(caller.engine, caller.business_id, client_id, caller.now)
    with caller.reading() as session:
        return get_client_view(session, caller.business_id, client_id)


@router.get(
    "/{client_id}/timeline",
    summary="A client's events, letters and guarantees",
    response_model=Timeline,
    responses=errors(401, 404, 422),
)
def client_timeline(caller: Auth, client_id: Id) -> Any:
    with caller.reading() as session:
        day = today_of(business_of(session, caller), caller)
        client, events, letters, guarantees = timeline(session, caller.business_id, client_id, day)
    return Timeline(client=client, events=events, letters=letters, guarantees=guarantees)


@router.post(
    "/{client_id}/recover",
    summary="A lost or complaining client came back: a special guarantee",
    status_code=201,
    response_model=GuaranteeDetail,
    responses=errors(401, 404, 409, 422),
)
def recover(caller: Auth, client_id: Id, body: Recover) -> Any:
    """Marks the client recovered and gives them a special guarantee (terms, months,
    payout, check-in days); its offer letter is drafted with the next daily run."""
    with caller.writing() as session:
        business = business_of(session, caller)
        client = get_client(session, caller.business_id, client_id)
        day = today_of(business, caller, body.day)
        guarantee = recover_client(
            session,
            client,
            day=day,
            now=caller.now,
            months=body.months,
            terms=body.terms,
            payout=body.payout,
            offsets=body.checkins,
            summary=body.note,
        )
        assert guarantee.id is not None
        return guarantee_detail(session, caller.business_id, guarantee.id, day)
