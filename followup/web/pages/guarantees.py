"""Guarantees / Garantías: the special guarantees that run, those ending within a week
first and marked, with the days left, the next check-in and the claims; what the owner
does with one (the client is satisfied, the error repeated, cancel it with the reason),
through the same recovery functions as the API; the ended ones in a second list.

Each action is a plain form (no JavaScript needed): done, the browser goes back to the
page, which says what happened; refused, the page comes back with the reason beside the
field and what was typed kept."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from followup.businesses import get_business
from followup.calendar import local_today
from followup.db import read_session, write_session
from followup.errors import Conflict, Invalid
from followup.models import GuaranteeStatus
from followup.recovery.lifecycle import cancel_guarantee, claim, get_guarantee, mark_satisfied
from followup.services import list_guarantees
from followup.web.auth import LoggedIn, Owner
from followup.web.i18n import N_, format_date, gettext
from followup.web.layout import render
from followup.web.pages import page_router
from followup.web.pages.wording import pop_notice, set_notice

router = page_router()

# What the owner is asked for when a field is refused (empty or too long).
ASK = {
    "note": N_("Say in a few words how the call went (up to 1,000 characters)."),
    "what": N_("Say in a few words what went wrong again (up to 1,000 characters)."),
    "reason": N_("Say in a few words why the guarantee is cancelled (up to 1,000 characters)."),
}
NOT_RUNNING = N_("This guarantee is no longer running, so nothing was changed.")


@router.get("/guarantees")
def guarantees(request: Request, owner: LoggedIn) -> HTMLResponse:
    return _page(request, owner)


def _page(
    request: Request,
    owner: Owner,
    *,
    failed: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    context = request.app.state.followup
    with read_session(context.engine) as session:
        business = get_business(session, owner.business_id)
        day = local_today(business, context.clock())
        rows = list_guarantees(session, owner.business_id, day=day)
    running = [g for g in rows if g.status == GuaranteeStatus.active]
    running.sort(key=lambda g: (not g.ending_soon, g.ends_on, g.id))
    ended = [g for g in rows if g.status != GuaranteeStatus.active]
    ended.sort(key=lambda g: (g.ends_on, g.id), reverse=True)
    values = {
        "running": running,
        "ended": ended,
        "today": day,
        "failed": failed or {},
        "notice": pop_notice(request),
    }
    return render(request, "guarantees.html", values, status_code=status_code)


def _act(
    request: Request,
    owner: Owner,
    guarantee_id: int,
    action: str,
    field: str,
    typed: str,
    step: Callable[[Any, Any], str],
) -> Response:
    """Run ``step(session, guarantee)`` (it returns the notice); a refusal comes back as
    the page with the reason beside ``field`` and ``typed`` kept."""
    context = request.app.state.followup
    language = owner.language
    try:
        with write_session(context.engine) as session:
            g = get_guarantee(session, owner.business_id, guarantee_id)
            notice = step(session, g)
    except Invalid as exc:
        message = gettext(language, ASK.get(exc.field, ASK[field]))
        failed = {"id": guarantee_id, "action": action, "typed": typed, "message": message}
        return _page(request, owner, failed=failed, status_code=422)
    except Conflict:
        message = gettext(language, NOT_RUNNING)
        failed = {"id": None, "action": action, "typed": typed, "message": message}
        return _page(request, owner, failed=failed, status_code=409)
    set_notice(request, notice)
    return RedirectResponse("/guarantees", status_code=303)


def _today(request: Request, owner: Owner, session: Any) -> Any:
    business = get_business(session, owner.business_id)
    return local_today(business, request.app.state.followup.clock())


@router.post("/guarantees/{guarantee_id}/satisfied")
def satisfied(
    request: Request, owner: LoggedIn, guarantee_id: int, note: Annotated[str, Form()] = ""
) -> Response:
    """The owner called and the client is satisfied: the next check-in is skipped."""
    language = owner.language

    def step(session: Any, g: Any) -> str:
        now = request.app.state.followup.clock()
        mark_satisfied(session, g, day=_today(request, owner, session), note=note, now=now)
        if g.next_checkin_on is None:
            return gettext(language, "Recorded. No check-in is left for this guarantee.")
        return gettext(language, "Recorded. The next check-in is on %(day)s.") % {
            "day": format_date(g.next_checkin_on, language, "long")
        }

    return _act(request, owner, guarantee_id, "satisfied", "note", note, step)


@router.post("/guarantees/{guarantee_id}/claim")
def record_claim(
    request: Request, owner: LoggedIn, guarantee_id: int, what: Annotated[str, Form()] = ""
) -> Response:
    """The error repeated: a claim, recorded as a complaint whose apology states what the
    guarantee gives now."""
    language = owner.language

    def step(session: Any, g: Any) -> str:
        now = request.app.state.followup.clock()
        claim(session, g, day=_today(request, owner, session), what=what, now=now)
        return gettext(
            language, "Claim recorded. The apology is drafted with the next daily run."
        )

    return _act(request, owner, guarantee_id, "claim", "what", what, step)


@router.post("/guarantees/{guarantee_id}/cancel")
def cancel(
    request: Request, owner: LoggedIn, guarantee_id: int, reason: Annotated[str, Form()] = ""
) -> Response:
    """Cancel a running guarantee with the reason; its unsent letters are cancelled."""
    language = owner.language

    def step(session: Any, g: Any) -> str:
        now = request.app.state.followup.clock()
        letters = cancel_guarantee(session, g, reason=reason, now=now)
        return gettext(
            language, "The guarantee is cancelled. Unsent letters cancelled with it: %(n)s."
        ) % {"n": letters}

    return _act(request, owner, guarantee_id, "cancel", "reason", reason, step)
