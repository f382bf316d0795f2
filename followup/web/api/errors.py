"""The one error shape of the JSON API, and the handlers that give every error that shape.

``{"error": {"status": 404, "code": "not_found", "message": "…", "field": null}}``: the
``followup.errors`` classes carry their status (``http_status``); FastAPI's own
validation errors and malformed JSON (a body that is not UTF-8 too) are 422s naming the
field; an unknown path or method under ``/api/`` is a 404 or 405 of the same shape, the
405 with every method of its path in ``Allow``. Nothing an owner can send is a 500.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from followup.errors import FollowupError, Invalid

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "invalid",
    503: "unavailable",
}
DESCRIPTIONS = {
    401: "No token, or a malformed, unknown or revoked one.",
    403: "The token may not do this.",
    404: "No such thing in the token's business.",
    409: "The current state does not allow it.",
    422: "The request's shape or a value is wrong; `field` names it.",
    503: "The service's configuration or database cannot serve this now.",
}


class ErrorBody(BaseModel):
    status: int
    code: str
    message: str
    field: str | None


class ErrorResponse(BaseModel):
    """Every error of the API."""

    error: ErrorBody


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of a route that can answer these error statuses."""
    return {
        status: {"model": ErrorResponse, "description": DESCRIPTIONS[status]}
        for status in statuses
    }


def error_response(
    status: int, message: str, field: str | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = ErrorBody(status=status, code=CODES.get(status, "error"), message=message, field=field)
    if status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
    return JSONResponse(
        ErrorResponse(error=body).model_dump(mode="json"), status_code=status, headers=headers
    )


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def followup_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, FollowupError)
    field = exc.field if isinstance(exc, Invalid) else None
    return error_response(exc.http_status, exc.message, field)


def _location(loc: tuple[Any, ...]) -> str | None:
    parts = [str(part) for part in loc if part not in ("body", "query", "path", "header")]
    return ".".join(parts) or None


async def validation_error(request: Request, exc: Exception) -> Any:
    assert isinstance(exc, RequestValidationError)
    if not _is_api(request):
        return await request_validation_exception_handler(request, exc)
    problems = list(exc.errors())
    if not problems:
        return error_response(422, "the request is not valid")
    first = problems[0]
    field = _location(tuple(first.get("loc", ())))
    if first.get("type") == "json_invalid":
        return error_response(422, "the body is not valid JSON", None)
    message = str(first.get("msg", "not valid")).removeprefix("Value error, ")
    return error_response(422, f"{field}: {message}" if field else message, field)


# The order methods are listed in an ``Allow`` header.
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(request: Request) -> str:
    """Every method some route of this path answers, for a 405's ``Allow`` header.

    Starlette's own 405 names only the methods of the first route whose path matched,
    and FastAPI makes one route per method: ``/clients/{id}`` would say ``GET`` and hide
    ``PATCH``.
    """
    path = request.scope["path"]
    root = request.scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        regex = getattr(route, "path_regex", None)
        if route.methods and regex is not None and regex.match(path):
            methods |= route.methods
    return ", ".join(m for m in METHODS if m in methods)


async def http_error(request: Request, exc: Exception) -> Any:
    assert isinstance(exc, StarletteHTTPException)
    if not _is_api(request):
        return await http_exception_handler(request, exc)
    headers = dict(exc.headers or {})
    if exc.status_code == 400:
        # FastAPI answers a body it cannot decode (not UTF-8) with a 400 of its own; to
        # the API it is malformed JSON like any other: a 422.
        return error_response(422, "the body is not valid JSON (UTF-8)", None)
    if exc.status_code == 405:
        headers["Allow"] = allowed_methods(request)
    return error_response(exc.status_code, str(exc.detail), None, headers)
