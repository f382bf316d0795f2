"""The unsubscribe link of every letter (RFC 8058), answered without a login.

``GET /unsubscribe/{token}`` only shows a page asking to confirm: mail scanners and
link previews follow links, and must never unsubscribe anyone. ``POST`` to the same
address — the confirmation button, or the mail provider's one-click request carrying
``List-Unsubscribe=One-Click`` — unsubscribes: the client is not contacted again and
their open letters are cancelled (``outbox.unsubscribing``). A token that was not
signed with this server's key is a 404 that changes nothing.

Pages speak the client's language and form of address (es usted, es tú, en).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from followup.db import read_session, write_session
from followup.mail.unsubscribe import read_token
from followup.models import Business, Client
from followup.outbox.unsubscribing import unsubscribe

router = APIRouter()
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")

ASK = "ask"
DONE = "done"
# (language, form of address) -> what the page says; {business} is the business's name.
WORDS: dict[tuple[str, str], dict[str, dict[str, Any]]] = {
    ("en", ""): {
        ASK: {
            "title": "No more letters from {business}?",
            "paragraphs": [
                "{business} writes you a personal letter now and then. If you would "
                "rather not receive them, confirm below and no more will be sent to you."
            ],
            "button": "Yes, send me no more letters",
        },
        DONE: {
            "title": "Done",
            "paragraphs": [
                "{business} will not write to you again.",
                "If this was a mistake, reply to any of their letters and tell them.",
            ],
        },
    },
    ("es", "usted"): {
        ASK: {
            "title": "¿No quiere recibir más cartas de {business}?",
            "paragraphs": [
                "{business} le escribe de vez en cuando una carta personal. Si prefiere "
                "no recibirlas, confírmelo aquí y no le llegará ninguna más."
            ],
            "button": "Sí, no quiero recibir más cartas",
        },
        DONE: {
            "title": "Hecho",
            "paragraphs": [
                "{business} no volverá a escribirle.",
                "Si ha sido un error, responda a cualquiera de sus cartas y dígaselo.",
            ],
        },
    },
    ("es", "tu"): {
        ASK: {
            "title": "¿No quieres recibir más cartas de {business}?",
            "paragraphs": [
                "{business} te escribe de vez en cuando una carta personal. Si prefieres "
                "no recibirlas, confírmalo aquí y no te llegará ninguna más."
            ],
            "button": "Sí, no quiero recibir más cartas",
        },
        DONE: {
            "title": "Hecho",
            "paragraphs": [
                "{business} no volverá a escribirte.",
                "Si ha sido un error, responde a cualquiera de sus cartas y díselo.",
            ],
        },
    },
}
NOT_VALID = {
    "lang": "es",
    "title": "Este enlace no es válido · This link is not valid",
    "paragraphs": [
        "Puede que se haya copiado incompleto: ábralo de nuevo desde la carta.",
        "It may have been copied incompletely: open it again from the letter.",
    ],
    "button": None,
}


@router.get("/unsubscribe/{token}", response_class=HTMLResponse, include_in_schema=False)
def confirm(request: Request, token: str) -> HTMLResponse:
    """The confirmation page; changes nothing."""
    found = _find(request, token)
    if found is None:
        return _not_valid(request)
    business, client = found
    step = DONE if client.do_not_contact else ASK
    return _page(request, business, client, step)


@router.post("/unsubscribe/{token}", response_class=HTMLResponse, include_in_schema=False)
def unsubscribe_now(request: Request, token: str) -> HTMLResponse:
    """One click: no login, no form fields needed (RFC 8058)."""
    context = request.app.state.followup
    found = _find(request, token)
    if found is None:
        return _not_valid(request)
    business, client = found
    with write_session(context.engine) as session:
        unsubscribe(session, business, client, context.clock())
    return _page(request, business, client, DONE)


def _find(request: Request, token: str) -> tuple[Business, Client] | None:
    context = request.app.state.followup
    subscriber = read_token(context.settings.secret_key, token)
    if subscriber is None:
        return None
    with read_session(context.engine) as session:
        client = session.get(Client, subscriber.client_id)
        business = session.get(Business, subscriber.business_id)
    if client is None or business is None or client.business_id != business.id:
        return None
    return business, client


def _page(request: Request, business: Business, client: Client, step: str) -> HTMLResponse:
    lang = client.locale or business.locale
    form = (client.form_of_address or business.form_of_address) if lang == "es" else ""
    words = WORDS.get((lang, form), WORDS[("en", "")])[step]
    name = business.name
    return templates.TemplateResponse(
        request,
        "page.html",
        {
            "lang": lang,
            "title": words["title"].format(business=name),
            "paragraphs": [p.format(business=name) for p in words["paragraphs"]],
            "button": words.get("button"),
        },
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


def _not_valid(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(
        request, "page.html", NOT_VALID, status_code=404, headers={"Cache-Control": "no-store"}
    )
