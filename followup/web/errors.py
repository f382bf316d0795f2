"""The web app's answers to what goes wrong, in one place: no login (to the login page,
or a 401 with ``HX-Redirect`` for htmx), a forged or stale form (403 page), and the
HTTP errors of pages (404, 405, … as pages in the owner's language). Paths of the JSON
API keep FastAPI's JSON answers."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from followup.web.auth import LoginRequired, login_url
from followup.web.csrf import CsrfRejected
from followup.web.i18n import N_
from followup.web.layout import render
from followup.web.public import API_PREFIX

TITLES = {
    403: N_("This form has expired"),
    404: N_("Page not found"),
    405: N_("Not possible here"),
}


def install(app: FastAPI) -> None:
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(CsrfRejected, _csrf_rejected)
    app.add_exception_handler(HTTPException, _http_error)


async def _login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    target = login_url(exc.next_path)
    if request.headers.get("HX-Request"):
        # htmx would swap a login page into part of a page: it goes to the page instead.
        return Response(status_code=401, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


async def _csrf_rejected(request: Request, exc: Exception) -> Response:
    return render(request, "error.html", {"status": 403}, status_code=403)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if request.url.path.startswith(API_PREFIX) or exc.status_code not in TITLES:
        return await http_exception_handler(request, exc)
    return render(
        request, "error.html", {"status": exc.status_code}, status_code=exc.status_code,
        headers=dict(exc.headers or {}),
    )  # fmt: skip
