"""The web app's answers to what goes wrong, in one place: no login (to the login page,
or a 401 with ``HX-Redirect`` for htmx), a forged or stale form (403 page), and the
HTTP errors of pages (404, 405, … as pages in the owner's language). Paths of the JSON
API get its one error shape (``api.errors``), the same classes turned into JSON."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from followup.errors import FollowupError
from followup.web.api import errors as api_errors
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
    app.add_exception_handler(FollowupError, _followup_error)
    app.add_exception_handler(RequestValidationError, _validation_error)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


async def _followup_error(request: Request, exc: Exception) -> Response:
    """A domain error a page did not answer itself (a page shows an ``Invalid`` beside its
    field): the API's JSON, or the error page with the owner's message."""
    assert isinstance(exc, FollowupError)
    if _is_api(request):
        return await api_errors.followup_error(request, exc)
    status = exc.http_status
    return render(request, "error.html", {"status": status, "message": exc.message},
                  status_code=status)  # fmt: skip


async def _validation_error(request: Request, exc: Exception) -> Response:
    if _is_api(request):
        response: Response = await api_errors.validation_error(request, exc)
        return response
    assert isinstance(exc, RequestValidationError)
    return await request_validation_exception_handler(request, exc)


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
    if _is_api(request):
        response: Response = await api_errors.http_error(request, exc)
        return response
    if exc.status_code not in TITLES:
        return await http_exception_handler(request, exc)
    return render(
        request, "error.html", {"status": exc.status_code}, status_code=exc.status_code,
        headers=dict(exc.headers or {}),
    )  # fmt: skip
