"""What the owner does with one letter of Today: edit it in place (the checks run again),
approve, skip the pick (the next candidate's letter takes the card's place), dismiss it
with a reason, mark a call or a note done. Each is a plain form (a 303 back to Today)
that htmx posts instead, answered with the letter's card alone. A refusal keeps what was
typed and says why next to the field (422), or that the letter's state does not allow
it (409): nothing is changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from followup.businesses import get_business
from followup.db import read_session, write_session
from followup.errors import FollowupError, Invalid
from followup.jobs import skip_pick
from followup.letters.drafting import edit_letter
from followup.outbox import approve, dismiss, get_letter, mark_done
from followup.services.today import day_letter, pick_of, replacement_letter
from followup.web.auth import LoggedIn, Owner, safe_next
from followup.web.layout import render
from followup.web.pages import is_htmx, page_router
from followup.web.pages.cards import Card, business_country, refusal
from followup.web.pages.today import Override, render_today

router = page_router()
Text = Annotated[str, Form()]
Next = Annotated[str, Form(alias="next")]


def card(request: Request, owner: Owner, letter_id: int) -> Card:
    context = request.app.state.followup
    with read_session(context.engine) as session:
        business = get_business(session, owner.business_id)
        item = day_letter(session, owner.business_id, letter_id)
    return Card(item, owner.language, business_country(business))


def card_answer(
    request: Request, owner: Owner, letter_id: int, status_code: int = 200, **shown: object
) -> HTMLResponse:
    one = card(request, owner, letter_id)
    for name, value in shown.items():
        setattr(one, name, value)
    return render(request, "today/card.html", {"card": one}, status_code=status_code)


def back(request: Request, letter_id: int, next_path: str = "/") -> Response:
    target = safe_next(next_path)
    anchor = f"#letter-{letter_id}" if target == "/" else ""
    return RedirectResponse(target + anchor, status_code=303)


def act(
    request: Request,
    owner: Owner,
    letter_id: int,
    action: str,
    do: Callable[[Session], object],
    *,
    values: dict[str, str] | None = None,
    shown_card: int | None = None,
    next_path: str = "/",
) -> Response:
    """Run ``do`` in one transaction; answer with the card (htmx) or back to the page,
    or with the refusal in the owner's words, nothing changed."""
    context = request.app.state.followup
    try:
        with write_session(context.engine) as session:
            get_letter(session, owner.business_id, letter_id)
            do(session)
    except FollowupError as exc:
        return refused(request, owner, letter_id, action, exc, values or {}, shown_card)
    if is_htmx(request):
        return card_answer(request, owner, shown_card or letter_id)
    return back(request, shown_card or letter_id, next_path)


def refused(
    request: Request,
    owner: Owner,
    letter_id: int,
    action: str,
    exc: FollowupError,
    values: dict[str, str],
    shown_card: int | None = None,
) -> Response:
    context = request.app.state.followup
    with read_session(context.engine) as session:
        letter = get_letter(session, owner.business_id, letter_id)
    message, field = refusal(owner.language, action, exc, letter.status, letter.channel)
    code = 422 if isinstance(exc, Invalid) else 409
    target = shown_card or letter_id
    if is_htmx(request):
        return card_answer(
            request, owner, target, code, error=message, field=field, values=values
        )
    if field is not None:
        page = render_today(request, owner, Override(target, message, field, values), code)
        if f'id="letter-{target}"' in bytes(page.body).decode():
            return page
    return render(request, "letter_refused.html", {"message": message}, status_code=code)


@router.get("/letters/{letter_id}/card")
def letter_card(request: Request, owner: LoggedIn, letter_id: int) -> Response:
    """The card as stored (what the edit form's Cancel brings back); a browser that asks
    for it by itself (a bookmark, no htmx) gets the letter's own page."""
    if not is_htmx(request):
        card(request, owner, letter_id)  # another business's letter: 404, not a redirect
        return RedirectResponse(f"/letters/{letter_id}", status_code=303)
    return card_answer(request, owner, letter_id)


@router.get("/letters/{letter_id}/edit")
def edit_form(request: Request, owner: LoggedIn, letter_id: int) -> HTMLResponse:
    one = card(request, owner, letter_id)
    one.values = {"subject": one.letter.subject, "text": one.letter.text}
    template = "today/edit.html" if is_htmx(request) else "letter_edit.html"
    return render(request, template, {"card": one})


@router.post("/letters/{letter_id}/edit")
def edit(
    request: Request, owner: LoggedIn, letter_id: int, subject: Text = "", text: Text = ""
) -> Response:
    context = request.app.state.followup
    now = context.clock()
    try:
        with write_session(context.engine) as session:
            letter = get_letter(session, owner.business_id, letter_id)
            edit_letter(session, letter, now, subject=subject, text=text)
    except FollowupError as exc:
        with read_session(context.engine) as session:
            letter = get_letter(session, owner.business_id, letter_id)
        message, field = refusal(owner.language, "edit", exc, letter.status, letter.channel)
        one = card(request, owner, letter_id)
        one.error, one.field = message, field
        one.values = {"subject": subject, "text": text}
        code = 422 if isinstance(exc, Invalid) else 409
        template = "today/edit.html" if is_htmx(request) else "letter_edit.html"
        return render(request, template, {"card": one}, status_code=code)
    if is_htmx(request):
        return card_answer(request, owner, letter_id)
    return back(request, letter_id)


@router.post("/letters/{letter_id}/approve")
def approve_letter(
    request: Request, owner: LoggedIn, letter_id: int, next_path: Next = "/"
) -> Response:
    now = request.app.state.followup.clock()
    return act(
        request, owner, letter_id, "approve",
        lambda s: approve(s, get_letter(s, owner.business_id, letter_id), now),
        next_path=next_path,
    )  # fmt: skip


@router.post("/letters/{letter_id}/dismiss")
def dismiss_letter(
    request: Request, owner: LoggedIn, letter_id: int, why: Text = "", next_path: Next = "/"
) -> Response:
    now = request.app.state.followup.clock()
    return act(
        request, owner, letter_id, "dismiss",
        lambda s: dismiss(s, get_letter(s, owner.business_id, letter_id), now, why),
        values={"why": why}, next_path=next_path,
    )  # fmt: skip


@router.post("/letters/{letter_id}/done")
def mark_letter_done(
    request: Request,
    owner: LoggedIn,
    letter_id: int,
    outcome: Text = "",
    card_id: Annotated[int | None, Form(alias="card")] = None,
) -> Response:
    """A call (its outcome in a few words, recorded on the client) or a printed note done
    by hand. A call beside an apology is shown inside the apology's card (``card``)."""
    now = request.app.state.followup.clock()
    if card_id is not None:
        with read_session(request.app.state.followup.engine) as session:
            get_letter(session, owner.business_id, card_id)
    return act(
        request, owner, letter_id, "done",
        lambda s: mark_done(s, get_letter(s, owner.business_id, letter_id), now, outcome),
        values={"outcome": outcome, "done": str(letter_id)}, shown_card=card_id,
    )  # fmt: skip


@router.post("/letters/{letter_id}/skip")
def skip(request: Request, owner: LoggedIn, letter_id: int) -> Response:
    """The pick is skipped (its letter cancelled, the client's reason kept for another
    day) and the next candidate's letter is drafted: htmx puts its card in this one's
    place."""
    context = request.app.state.followup
    now = context.clock()
    skipped = card(request, owner, letter_id).letter.client_name
    try:
        with write_session(context.engine) as session:
            business = get_business(session, owner.business_id)
            chosen = pick_of(session, owner.business_id, letter_id)
            replacement = skip_pick(session, business, chosen.day, chosen.client_id, now)
            new_id = (
                replacement_letter(session, owner.business_id, chosen.day, replacement.client_id)
                if replacement is not None
                else None
            )
    except FollowupError as exc:
        return refused(request, owner, letter_id, "skip", exc, {})
    if not is_htmx(request):
        return RedirectResponse("/" + (f"#letter-{new_id}" if new_id else ""), status_code=303)
    if new_id is None:
        return render(request, "today/skipped.html", {"skipped": skipped, "letter_id": letter_id})
    return card_answer(request, owner, new_id, skipped=skipped)
