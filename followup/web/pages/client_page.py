"""A client's page: their details, their timeline (events, letters, picks, replies,
incidents, the guarantee with its claims, newest first), and what the owner does from
it: record an event (a recovered client gets the special guarantee form), stop or allow
letters, end the relationship, forget them (on a confirmation page of its own).

Every id in a URL is looked up within the owner's business: another's is the 404 page.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from followup.businesses import get_business
from followup.calendar import local_today
from followup.clients import update_client
from followup.db import read_session, write_session
from followup.errors import FollowupError, Invalid, NotFound
from followup.events import EventInput, parse_day
from followup.greetings import derive_greeting
from followup.models import Business, Client, EventKind
from followup.recovery.ending import end_relationship
from followup.recovery.lifecycle import recover_client
from followup.services.clients import forget_for_good
from followup.services.events import record_event
from followup.services.story import client_story
from followup.web.auth import LoggedIn, Owner
from followup.web.layout import render
from followup.web.pages import page_router, timeline
from followup.web.pages.client_words import effect_words, field_errors
from followup.web.pages.clients import owned_client, words_for
from followup.web.pages.timeline import entries

router = page_router()

# What the owner records from a client's page (replies, calls and notes come otherwise).
EVENT_KINDS = (
    EventKind.purchase, EventKind.complaint, EventKind.cooperation, EventKind.lost,
    EventKind.recovered,
)  # fmt: skip
EVENT_FIELDS = ("kind", "day", "summary", "item", "amount", "compensation", "wants_call",
                "terms", "months", "payout", "checkins")  # fmt: skip
# How a recovered client's guarantee starts when the owner changes nothing (as the CLI).
GUARANTEE_DEFAULTS = {"months": "6", "checkins": "7,30,60,90"}
# DESIGN §4: the owner's words are written to the client; the example in their form.
EXAMPLES = {
    "usted": "le cobramos dos veces la factura",
    "tu": "te cobramos dos veces la factura",
    "en": "we charged you twice",
}
FLASH = "clients.flash"


def _context(request: Request) -> Any:
    return request.app.state.followup


def _client(session: Any, owner: Owner, client_id: int) -> Client:
    return owned_client(session, owner.business_id, client_id)


def example_for(business: Business, client: Client) -> str:
    """The example of words written to the client, in their language and form."""
    if (client.locale or business.locale) == "en":
        return EXAMPLES["en"]
    return EXAMPLES["tu" if (client.form_of_address or business.form_of_address) == "tu" else
                    "usted"]  # fmt: skip


def _page(
    request: Request,
    owner: Owner,
    client_id: int,
    *,
    event: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    with read_session(_context(request).engine) as session:
        business = get_business(session, owner.business_id)
        today = local_today(business, _context(request).clock())
        _client(session, owner, client_id)
        story = client_story(session, owner.business_id, client_id, today)
        example = example_for(business, story.client)
        business_locale = business.locale
    values = {**dict.fromkeys(EVENT_FIELDS, ""), "day": today.isoformat(),
              **GUARANTEE_DEFAULTS, **(event or {})}  # fmt: skip
    flash = request.session.pop(FLASH, None)
    return render(
        request,
        "clients/client.html",
        words_for({
            "client": story.client, "story": story, "entries": entries(story),
            "event": values, "errors": errors or {}, "kinds": EVENT_KINDS,
            "example": example, "today": today, "flash": flash,
            "saved": request.query_params.get("saved") == "1",
            "business_locale": business_locale,
            "derived": derive_greeting(story.client.name), "letter_url": timeline.LETTER_URL,
            "event_kinds": timeline.EVENT_KINDS, "letter_kinds": timeline.LETTER_KINDS,
            "letter_statuses": timeline.LETTER_STATUSES, "channels": timeline.CHANNELS,
            "inbox_kinds": timeline.INBOX_KINDS,
            "guarantee_statuses": timeline.GUARANTEE_STATUSES,
        }),
        status_code=422 if errors else 200,
    )  # fmt: skip


@router.get("/clients/{client_id:int}")
def client_page(request: Request, owner: LoggedIn, client_id: int) -> HTMLResponse:
    return _page(request, owner, client_id)


@router.post("/clients/{client_id:int}/events")
async def add_event(request: Request, owner: LoggedIn, client_id: int) -> Response:
    form = await request.form()
    values = {field: str(form.get(field) or "") for field in EVENT_FIELDS}
    context = _context(request)
    now = context.clock()
    try:
        with write_session(context.engine) as session:
            business = get_business(session, owner.business_id)
            client = _client(session, owner, client_id)
            today = local_today(business, now)
            message = _record(session, client, values, today, now, owner.language)
    except NotFound:
        raise
    except FollowupError as exc:
        return _page(request, owner, client_id, event=values,
                     errors=field_errors(owner.language, exc))  # fmt: skip
    request.session[FLASH] = message
    return RedirectResponse(f"/clients/{client_id}#timeline", status_code=303)


def _record(
    session: Any, client: Client, values: dict[str, str], today: date, now: Any, lang: str
) -> str:
    """Record the event the form describes; returns what to tell the owner."""
    from followup.web.i18n import gettext

    kind = values["kind"]
    if kind not in EVENT_KINDS:
        raise Invalid("kind", f"choose one of {', '.join(EVENT_KINDS)}")
    day = parse_day(values["day"]) if values["day"].strip() else today
    if day is None:
        raise Invalid("day", f"{values['day']!r} is not a day: write 2026-11-04")
    if kind == EventKind.recovered:
        try:
            months = int(values["months"].strip() or "6")
        except ValueError:
            raise Invalid("months", "write the months as a whole number, like 6") from None
        if not values["terms"].strip():
            raise Invalid("terms", "say what the guarantee covers, written to the client")
        if day > today:
            raise Invalid("day", "a client comes back on a day that has come")
        guarantee = recover_client(
            session, client, day=day, now=now, months=months, terms=values["terms"],
            payout=values["payout"], offsets=values["checkins"] or "7,30,60,90",
            summary=values["summary"],
        )  # fmt: skip
        return gettext(
            lang, "%(name)s is recovered. Guarantee %(id)s runs until %(end)s; its offer "
            "letter is drafted with the next daily run.",
        ) % {"name": client.name, "id": guarantee.id, "end": guarantee.ends_on.isoformat()}
    data = EventInput(
        kind, day, values["summary"], values["item"] or None, values["amount"] or None,
        values["compensation"] or None, values["wants_call"] == "yes",
    )  # fmt: skip
    _event, effect = record_event(session, client, data, now, today)
    said = gettext(lang, "The event is recorded.")
    return f"{said} {effect_words(lang, effect)}" if effect else said


@router.post("/clients/{client_id:int}/do-not-contact")
def do_not_contact(
    request: Request, owner: LoggedIn, client_id: int, value: Annotated[str, Form()] = ""
) -> Response:
    context = _context(request)
    with write_session(context.engine) as session:
        client = _client(session, owner, client_id)
        update_client(session, client, context.clock(), do_not_contact=value == "on")
    return RedirectResponse(f"/clients/{client_id}", status_code=303)


@router.get("/clients/{client_id:int}/end")
def end_form(request: Request, owner: LoggedIn, client_id: int) -> HTMLResponse:
    return _end_page(request, owner, client_id, "", {})


def _end_page(
    request: Request, owner: Owner, client_id: int, why: str, errors: dict[str, str]
) -> HTMLResponse:
    with read_session(_context(request).engine) as session:
        client = _client(session, owner, client_id)
    return render(request, "clients/end.html", {"client": client, "why": why, "errors": errors},
                  status_code=422 if errors else 200)  # fmt: skip


@router.post("/clients/{client_id:int}/end")
def end(
    request: Request,
    owner: LoggedIn,
    client_id: int,
    why: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    from followup.web.i18n import gettext

    context = _context(request)
    try:
        if confirm != "yes":
            raise Invalid("confirm", "tick the box to confirm")
        with write_session(context.engine) as session:
            business = get_business(session, owner.business_id)
            client = _client(session, owner, client_id)
            ended = end_relationship(session, business, client, why, context.clock())
    except NotFound:
        raise
    except FollowupError as exc:
        return _end_page(request, owner, client_id, why, field_errors(owner.language, exc))
    request.session[FLASH] = gettext(
        owner.language, "The relationship has ended: nothing will be sent to them again; "
        "%(letters)s open letter(s) and %(guarantees)s guarantee(s) cancelled.",
    ) % {"letters": len(ended.letters), "guarantees": len(ended.guarantees)}
    return RedirectResponse(f"/clients/{client_id}", status_code=303)


@router.get("/clients/{client_id:int}/forget")
def forget_form(request: Request, owner: LoggedIn, client_id: int) -> HTMLResponse:
    return _forget_page(request, owner, client_id, {})


def _forget_page(
    request: Request, owner: Owner, client_id: int, errors: dict[str, str]
) -> HTMLResponse:
    with read_session(_context(request).engine) as session:
        client = _client(session, owner, client_id)
    return render(request, "clients/forget.html", {"client": client, "errors": errors},
                  status_code=422 if errors else 200)  # fmt: skip


@router.post("/clients/{client_id:int}/forget")
def forget(
    request: Request, owner: LoggedIn, client_id: int, confirm: Annotated[str, Form()] = ""
) -> Response:
    from followup.web.i18n import gettext

    context = _context(request)
    try:
        if confirm != "yes":
            raise Invalid("confirm", "tick the box to confirm")
        with read_session(context.engine) as session:
            _client(session, owner, client_id)
        done = forget_for_good(context.engine, owner.business_id, client_id, context.clock())
    except NotFound:
        raise
    except FollowupError as exc:
        return _forget_page(request, owner, client_id, field_errors(owner.language, exc))
    request.session[FLASH] = gettext(
        owner.language, "The client is forgotten: their personal data is erased from "
        "%(events)s event(s) and %(letters)s letter(s); %(cancelled)s open letter(s) cancelled.",
    ) % {"events": done.events, "letters": done.letters, "cancelled": done.cancelled}
    return RedirectResponse(f"/clients/{client_id}", status_code=303)
