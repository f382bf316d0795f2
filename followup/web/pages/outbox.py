"""Outbox / Salida: the business's letters by status, newest first, a page at a time;
retrying a failed letter, resending or marking sent an uncertain one; and each letter's
own page, as the client reads it, with its history. Plus the print view of a letter:
an A4 or A5 letter, or a handwritten-style note card."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from followup.businesses import get_business
from followup.db import read_session
from followup.outbox import get_letter, mark_sent_by_owner, resend
from followup.services import count, letters_query, list_letters
from followup.services.clients import get_client_view
from followup.services.letters import letter_detail
from followup.services.today import letter_history
from followup.web.auth import LoggedIn
from followup.web.i18n import format_date, supported
from followup.web.layout import render
from followup.web.pages import page_router
from followup.web.pages.cards import KINDS, MOMENTS, STATUSES, paragraphs
from followup.web.pages.letter_actions import act

router = page_router()
PAGE_SIZE = 25
FORMATS = ("a4", "a5", "card")
Next = Annotated[str, Form(alias="next")]


@router.get("/outbox")
def outbox(
    request: Request,
    owner: LoggedIn,
    status: Annotated[str, Query()] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    chosen = status if status in STATUSES else None
    offset = (page - 1) * PAGE_SIZE
    with read_session(request.app.state.followup.engine) as session:
        rows = list_letters(
            session, owner.business_id, status=chosen, limit=PAGE_SIZE, offset=offset
        )
        total = count(session, letters_query(owner.business_id, status=chosen))
    return render(
        request,
        "outbox.html",
        {
            "letters": rows,
            "status": chosen,
            "statuses": STATUSES,
            "kinds": KINDS,
            "page": page,
            "pages": max(1, -(-total // PAGE_SIZE)),
            "total": total,
        },
    )


@router.get("/letters/{letter_id}")
def letter_page(request: Request, owner: LoggedIn, letter_id: int) -> HTMLResponse:
    with read_session(request.app.state.followup.engine) as session:
        letter = letter_detail(session, owner.business_id, letter_id)
        client = get_client_view(session, owner.business_id, letter.client_id)
        history = letter_history(session, owner.business_id, letter_id)
    return render(
        request,
        "letter.html",
        {
            "letter": letter,
            "client": client,
            "history": history,
            "paragraphs": paragraphs(letter.text, []),
            "statuses": STATUSES,
            "kinds": KINDS,
            "moments": MOMENTS,
        },
    )


@router.post("/letters/{letter_id}/resend")
def resend_letter(
    request: Request, owner: LoggedIn, letter_id: int, next_path: Next = "/outbox"
) -> Response:
    """A failed letter retried, or an uncertain one sent again: the owner's decision."""
    now = request.app.state.followup.clock()
    return act(
        request, owner, letter_id, "resend",
        lambda s: resend(s, get_letter(s, owner.business_id, letter_id), now),
        next_path=next_path,
    )  # fmt: skip


@router.post("/letters/{letter_id}/mark-sent")
def mark_sent(
    request: Request, owner: LoggedIn, letter_id: int, next_path: Next = "/outbox"
) -> Response:
    now = request.app.state.followup.clock()
    return act(
        request, owner, letter_id, "mark-sent",
        lambda s: mark_sent_by_owner(s, get_letter(s, owner.business_id, letter_id), now),
        next_path=next_path,
    )  # fmt: skip


@router.get("/letters/{letter_id}/print")
def print_view(
    request: Request, owner: LoggedIn, letter_id: int, format: str = "a4"
) -> HTMLResponse:
    """A clean page to print: the business's details, the date in the letter's language,
    the client's name, company and postal address (those known: nothing stands in for a
    missing one), the text; or a note card in a handwritten-style font."""
    if format not in FORMATS:
        raise HTTPException(404)
    with read_session(request.app.state.followup.engine) as session:
        business = get_business(session, owner.business_id)
        letter = letter_detail(session, owner.business_id, letter_id)
        client = get_client_view(session, owner.business_id, letter.client_id)
        language = supported(get_letter(session, owner.business_id, letter_id).locale)
    return render(
        request,
        "letter_print.html",
        {
            "letter": letter,
            "client": client,
            "business": business,
            "format": format,
            "formats": FORMATS,
            "paragraphs": paragraphs(letter.text, []),
            "letter_lang": language,
            "dated": format_date(letter.day, language, "long"),
        },
    )
