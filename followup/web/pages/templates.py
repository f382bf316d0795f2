"""Templates / Plantillas: the owner's edit of a kind of letter in one language (or the
default source), a live preview against a chosen client or the samples (htmx, as the
owner types), checked as DESIGN §4 asks before it is saved (each problem with its line
beside the textarea), saved, or reset to the default after a confirmation. The same
service as the API's templates routes (``services.templates``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from followup.businesses import get_business
from followup.calendar import local_today
from followup.db import read_session, write_session
from followup.errors import Invalid, NotFound
from followup.letters.flag_words import reason_in
from followup.letters.rendering import KINDS, TEMPLATE_LOCALES, template_locale
from followup.services import list_clients
from followup.services.clients import get_client
from followup.services.templates import (
    check_template,
    get_template,
    preview_template,
    reset_template,
    save_template,
)
from followup.web.auth import LoggedIn, Owner
from followup.web.i18n import gettext
from followup.web.layout import render
from followup.web.pages import page_router
from followup.web.pages.template_problems import explain, warnings
from followup.web.pages.wording import KIND_LABELS, LOCALE_LABELS, pop_notice, set_notice

router = page_router()
# The clients offered for the preview (the samples are always there).
PREVIEW_CLIENTS = 200


@router.get("/templates")
def templates_page(
    request: Request,
    owner: LoggedIn,
    kind: Annotated[str | None, Query()] = None,
    tlocale: Annotated[str | None, Query(alias="locale")] = None,
    client: Annotated[str | None, Query()] = None,
) -> HTMLResponse:
    context = request.app.state.followup
    with read_session(context.engine) as session:
        business = get_business(session, owner.business_id)
        kind = kind if kind in KINDS else "thank_you"
        if tlocale not in TEMPLATE_LOCALES:
            tlocale = template_locale(business.locale, business.form_of_address)
        view = get_template(session, owner.business_id, kind, tlocale)
    values = {"source": view.source, "overridden": view.overridden, "client_id": _id(client)}
    return _page(request, owner, kind, tlocale, values)


def _id(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def _page(
    request: Request,
    owner: Owner,
    kind: str,
    tlocale: str,
    values: dict[str, Any],
    *,
    status_code: int = 200,
) -> HTMLResponse:
    context = request.app.state.followup
    with read_session(context.engine) as session:
        clients = list_clients(session, owner.business_id, limit=PREVIEW_CLIENTS)
        if "overridden" not in values:
            values["overridden"] = get_template(
                session, owner.business_id, kind, tlocale
            ).overridden
        preview = _preview(
            session, owner, kind, tlocale, values["source"], values["client_id"], context.clock()
        )
    return render(
        request,
        "templates.html",
        {
            "kind": kind,
            "tlocale": tlocale,
            "kinds": [(k, KIND_LABELS[k]) for k in KINDS],
            "locales": [(t, LOCALE_LABELS[t]) for t in TEMPLATE_LOCALES],
            "clients": clients,
            "notice": pop_notice(request),
            **preview,
            **values,
        },
        status_code=status_code,
    )


def _preview(
    session: Any,
    owner: Owner,
    kind: str,
    tlocale: str,
    source: str,
    client_id: int | None,
    now: datetime,
) -> dict[str, Any]:
    """The checks' problems (each with its line), the warnings, and the letter as
    ``source`` writes it to the client (or a sample client) when it can be written."""
    language = owner.language
    problems = explain(language, source, check_template(kind, tlocale, source))
    found: dict[str, Any] = {
        "problems": problems,
        "warnings": warnings(language, kind, source),
        "letter": None,
        "missing_client": False,
    }
    business = get_business(session, owner.business_id)
    client = None
    if client_id is not None:
        try:
            client = get_client(session, owner.business_id, client_id)
        except NotFound:
            found["missing_client"] = True
    try:
        letter = preview_template(
            session, business, kind, tlocale, source=source, client=client,
            day=local_today(business, now),
        )  # fmt: skip
    except Invalid:
        return found
    flags = [(f.sentence, reason_in(language, f.reason)) for f in letter.flags]
    found["letter"] = {"subject": letter.subject, "text": letter.text, "flags": flags}
    return found


@router.post("/templates/{kind}/{tlocale}/preview")
def preview(
    request: Request,
    owner: LoggedIn,
    kind: str,
    tlocale: str,
    source: Annotated[str, Form()] = "",
    client: Annotated[str, Form()] = "",
) -> Response:
    """The preview as the owner types (htmx: only the preview's part of the page), or,
    without JavaScript, the whole page with it."""
    if not request.headers.get("HX-Request"):
        values = {"source": source, "client_id": _id(client)}
        return _page(request, owner, *_names(kind, tlocale), values)
    context = request.app.state.followup
    kind, tlocale = _names(kind, tlocale)
    with read_session(context.engine) as session:
        found = _preview(session, owner, kind, tlocale, source, _id(client), context.clock())
    return render(request, "template_preview.html", found)


def _names(kind: str, tlocale: str) -> tuple[str, str]:
    from followup.letters.rendering import check_names

    check_names(kind, tlocale)
    return kind, tlocale


@router.post("/templates/{kind}/{tlocale}")
def save(
    request: Request,
    owner: LoggedIn,
    kind: str,
    tlocale: str,
    source: Annotated[str, Form()] = "",
    client: Annotated[str, Form()] = "",
) -> Response:
    """Saved once every check passes; else the page again, the problems beside the
    textarea and the text as typed."""
    kind, tlocale = _names(kind, tlocale)
    context = request.app.state.followup
    client_id = _id(client)
    values: dict[str, Any] = {"source": source, "client_id": client_id}
    if check_template(kind, tlocale, source):
        return _page(request, owner, kind, tlocale, values, status_code=422)
    try:
        with write_session(context.engine) as session:
            save_template(session, owner.business_id, kind, tlocale, source, context.clock())
    except Invalid:
        return _page(request, owner, kind, tlocale, values, status_code=422)
    set_notice(request, gettext(owner.language, "Saved. Letters of this kind use it from now on."))
    return RedirectResponse(_address(kind, tlocale, client_id), status_code=303)


@router.post("/templates/{kind}/{tlocale}/reset")
def reset(request: Request, owner: LoggedIn, kind: str, tlocale: str) -> Response:
    """Back to the default (the form asked for a confirmation first)."""
    kind, tlocale = _names(kind, tlocale)
    context = request.app.state.followup
    try:
        with write_session(context.engine) as session:
            reset_template(session, owner.business_id, kind, tlocale)
    except NotFound:
        set_notice(request, gettext(
            owner.language, "There was no edit to reset: this template is already the default."
        ))  # fmt: skip
    else:
        set_notice(request, gettext(
            owner.language, "Reset: letters of this kind use the default template again."
        ))  # fmt: skip
    return RedirectResponse(_address(kind, tlocale, None), status_code=303)


def _address(kind: str, tlocale: str, client_id: int | None) -> str:
    client = f"&client={client_id}" if client_id is not None else ""
    return f"/templates?kind={kind}&locale={tlocale}{client}"
