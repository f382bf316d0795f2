"""Clients / Clientes: the list and its search (name, email, company, tag), paged; adding
and changing a client (every field of ``clients add/update``, the greeting included,
with the greeting letters will use when it is left empty). A client's own page, their
timeline and what is done from it live in ``client_page``; the CSV upload in
``client_import``.

A refused field is shown next to its input with everything typed kept (``client_words``).
"""

from __future__ import annotations

from math import ceil
from typing import Annotated, Any

from fastapi import Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from followup.clients import FIELDS, add_client, update_client
from followup.db import read_session, write_session
from followup.errors import FollowupError, NotFound
from followup.greetings import derive_greeting
from followup.models import Business, Client
from followup.services import clients_query, count, list_clients
from followup.services.clients import get_client
from followup.web.auth import LoggedIn
from followup.web.layout import render
from followup.web.pages import is_htmx, page_router
from followup.web.pages.client_words import DO_NOT_CONTACT_REASONS, STATUSES, field_errors

router = page_router()

PAGE_SIZE = 50
MAX_ID = 2**31 - 1
# The form's fields, in the order they are shown (do-not-contact has its own button).
FORM_FIELDS = tuple(field for field in FIELDS if field != "do_not_contact")
Text = Annotated[str, Form()]


def _context(request: Request) -> Any:
    return request.app.state.followup


def words_for(lang_values: dict[str, Any]) -> dict[str, Any]:
    """What every client template names in words."""
    return {"statuses": STATUSES, "dnc_reasons": DO_NOT_CONTACT_REASONS, **lang_values}


@router.get("/clients")
def client_list(
    request: Request,
    owner: LoggedIn,
    q: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> HTMLResponse:
    with read_session(_context(request).engine) as session:
        total = count(session, clients_query(owner.business_id, q=q))
        pages = max(1, ceil(total / PAGE_SIZE))
        page = min(page, pages)
        rows = list_clients(
            session, owner.business_id, q=q, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
    return render(
        request,
        "clients/list.html",
        words_for({"clients": rows, "q": q, "page": page, "pages": pages, "total": total}),
    )


@router.get("/clients/greeting")
def greeting_preview(
    request: Request,
    owner: LoggedIn,
    name: Annotated[str, Query(max_length=400)] = "",
    greeting: Annotated[str, Query(max_length=400)] = "",
) -> Response:
    """The sentence under the greeting field, asked again by htmx as the name is typed
    (the browser asking by itself gets the new client's form)."""
    if not is_htmx(request):
        return RedirectResponse("/clients/new", status_code=303)
    values = {"name": name, "greeting": greeting.strip()}
    derived = derive_greeting(name)
    return render(request, "clients/greeting.html", {"values": values, "derived": derived})


@router.get("/clients/new")
def new_client(request: Request, owner: LoggedIn) -> HTMLResponse:
    return _form(request, None, dict.fromkeys(FORM_FIELDS, ""), {})


async def _posted(request: Request) -> dict[str, str]:
    form = await request.form()
    return {field: str(form.get(field) or "") for field in FORM_FIELDS}


@router.post("/clients/new")
async def create_client(request: Request, owner: LoggedIn) -> Response:
    values = await _posted(request)
    try:
        with write_session(_context(request).engine) as session:
            client = add_client(session, owner.business_id, _now(request), **values)
    except FollowupError as exc:
        return _form(request, None, values, field_errors(owner.language, exc))
    return RedirectResponse(f"/clients/{client.id}?saved=1", status_code=303)


@router.get("/clients/{client_id:int}/edit")
def edit_client(request: Request, owner: LoggedIn, client_id: int) -> HTMLResponse:
    with read_session(_context(request).engine) as session:
        client = owned_client(session, owner.business_id, client_id)
        values = {field: getattr(client, field) or "" for field in FORM_FIELDS}
    return _form(request, client_id, values, {})


@router.post("/clients/{client_id:int}/edit")
async def save_client(request: Request, owner: LoggedIn, client_id: int) -> Response:
    values = await _posted(request)
    try:
        with write_session(_context(request).engine) as session:
            client = owned_client(session, owner.business_id, client_id)
            update_client(session, client, _now(request), **values)
    except FollowupError as exc:
        if isinstance(exc, NotFound):
            raise
        return _form(request, client_id, values, field_errors(owner.language, exc))
    return RedirectResponse(f"/clients/{client_id}?saved=1", status_code=303)


def _form(
    request: Request, client_id: int | None, values: dict[str, str], errors: dict[str, str]
) -> HTMLResponse:
    with read_session(_context(request).engine) as session:
        business = session.get(Business, _business_id(request))
        assert business is not None
        defaults = {"locale": business.locale, "form_of_address": business.form_of_address}
    return render(
        request,
        "clients/form.html",
        {"client_id": client_id, "values": values, "errors": errors, "defaults": defaults,
         "derived": derive_greeting(values.get("name", ""))},
        status_code=422 if errors else 200,
    )  # fmt: skip


def owned_client(session: Session, business_id: int, client_id: int) -> Client:
    """The business's client ``client_id`` (``NotFound``, the 404 page, for any other)."""
    if not 1 <= client_id <= MAX_ID:
        raise NotFound(f"there is no client {client_id}")
    return get_client(session, business_id, client_id)


def _business_id(request: Request) -> int:
    owner = request.state.owner
    return int(owner.business_id)


def _now(request: Request) -> Any:
    return _context(request).clock()
