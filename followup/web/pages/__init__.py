"""The dashboard's pages, one module per page, each on a ``page_router()``.

To add a page (Outbox, Clients, …): a module here with ``router = page_router()`` and
its routes, which call the services (never a query of their own) and answer with
``layout.render(request, "<page>.html", {...})``; a template that extends ``base.html``
and sets ``title`` (its ``<title>`` and ``<h1>``, written ``_("Outbox")``) and ``nav``
(its entry in ``layout.NAV``); its messages in both catalogues (``locales/``); and the
module in ``ROUTERS`` below. ``page_router`` makes every route ask for a login
(``auth.require_owner``, which a route also takes to know the owner and business) and
check the CSRF token of every POST; the route-enumeration test holds every new route to
that.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from followup.web.auth import require_owner
from followup.web.csrf import check_csrf


def page_router() -> APIRouter:
    """A router whose every route needs a logged-in owner and, unless it is a GET, the
    session's CSRF token. (The login comes first: a POST without a session is sent to the
    login page, not refused as forged.)"""
    return APIRouter(
        dependencies=[Depends(require_owner), Depends(check_csrf)],
        include_in_schema=False,
        default_response_class=HTMLResponse,
    )


def is_htmx(request: Request) -> bool:
    """Whether htmx asked (for a part of a page), not the browser (for a whole page).
    A fragment asked for by the browser itself answers with its page instead."""
    return request.headers.get("HX-Request") == "true"


def routers() -> list[APIRouter]:
    from followup.web.pages import (
        account,
        client_import,
        client_page,
        clients,
        guarantees,
        letter_actions,
        outbox,
        settings,
        stats,
        templates,
        today,
    )

    # The fixed paths of Clients (/clients/new, /clients/import) before /clients/{id}.
    return [
        today.router,
        letter_actions.router,
        outbox.router,
        clients.router,
        client_import.router,
        client_page.router,
        guarantees.router,
        templates.router,
        settings.router,
        stats.router,
        account.router,
    ]
