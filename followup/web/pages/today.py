"""Today / Hoy: the owner's daily five minutes. The business's local day, the day's
letters with why each client was picked (flagged drafts first, their sentences marked),
approving them one by one or all the unflagged ones at once; a day off says when the
next letters come. The actions on one letter are in ``letter_actions``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from followup.businesses import get_business
from followup.calendar import local_today
from followup.db import read_session, write_session
from followup.models import Business
from followup.services.today import DayLetter, approve_unflagged, day_view
from followup.web.auth import LoggedIn, Owner, current_owner
from followup.web.csrf import SESSION_KEY as CSRF_KEY
from followup.web.freshness import remembered_async
from followup.web.layout import render
from followup.web.pages import page_router
from followup.web.pages.cards import Card, business_country

router = page_router()
NOTICE = "today_notice"


@dataclass(frozen=True)
class Override:
    """A card shown otherwise than as stored: a refused action's message, what was typed."""

    letter_id: int
    error: str
    field: str | None
    values: dict[str, str]


@router.get("/")
async def today(request: Request, owner: LoggedIn) -> HTMLResponse:
    """The page the owner opens every day, and reopens: while nothing was written since
    it was last made (the count of changes has not moved) and the day is the same, it is
    answered again as it was made for this session, without a thread or a query."""
    csrf = request.session.get(CSRF_KEY)
    if request.url.query or NOTICE in request.session or not isinstance(csrf, str):
        # Something only this answer shows.
        return await run_in_threadpool(render_today, request, owner)
    now = request.app.state.followup.clock()
    business = await remembered_async(
        request, ("business", owner.business_id), partial(_business, request)
    )
    day = local_today(business, now)
    page = await remembered_async(
        request, ("today", owner, day, csrf), lambda: render_today(request, owner, now=now).body
    )
    return HTMLResponse(page, headers={"Cache-Control": "no-store"})


def _business(request: Request) -> Business:
    owner = current_owner(request)
    assert owner is not None
    with read_session(request.app.state.followup.engine) as session:
        return get_business(session, owner.business_id)


def render_today(
    request: Request,
    owner: Owner,
    override: Override | None = None,
    status_code: int = 200,
    now: datetime | None = None,
) -> HTMLResponse:
    context = request.app.state.followup
    with read_session(context.engine) as session:
        business = get_business(session, owner.business_id)
        view = day_view(session, business, local_today(business, now or context.clock()))
    country = business_country(business)
    cards = [card_of(item, owner, country) for item in view.letters]
    for card in cards:
        if override is not None and card.letter.id == override.letter_id:
            card.error, card.field, card.values = override.error, override.field, override.values
    notice = request.session.pop(NOTICE, None)
    return render(
        request,
        "today.html",
        {
            "view": view,
            "cards": cards,
            "business": business,
            "notice": notice if isinstance(notice, dict) else None,
            "flagged": sum(1 for card in cards if card.item.flagged),
            "unflagged": sum(
                1 for c in cards
                if c.letter.status == "draft" and c.letter.channel == "email" and not c.flags
            ),
        },
        status_code=status_code,
    )  # fmt: skip


def card_of(item: DayLetter, owner: Owner, country: str | None) -> Card:
    return Card(item, owner.language, country)


@router.post("/today/approve-all")
def approve_all(request: Request, owner: LoggedIn) -> Response:
    """Every unflagged email draft of Today; the flagged ones wait to be read."""
    context = request.app.state.followup
    now = context.clock()
    with write_session(context.engine) as session:
        business = get_business(session, owner.business_id)
        done = approve_unflagged(session, owner.business_id, local_today(business, now), now)
    request.session[NOTICE] = {
        "approved": len(done.approved),
        "to_read": [[letter_id, name] for letter_id, name in done.to_read],
    }
    if request.headers.get("HX-Request"):
        # The whole list changes: htmx swaps the page's main region.
        return render_today(request, owner)
    return RedirectResponse("/", status_code=303)
