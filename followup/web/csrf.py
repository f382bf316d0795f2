"""CSRF protection for every form post of the dashboard: one random token per session,
sent back in a hidden field (``csrf_token``) or, for htmx, in the ``X-CSRF-Token``
header (``hx-headers`` on ``<body>``, set from the template: no inline script). A POST
without it, or with another, is refused with a 403 page before the route runs, so
nothing changes."""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request

FIELD = "csrf_token"
SESSION_KEY = "csrf"
HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


class CsrfRejected(Exception):
    """The form did not come from a page of this session."""


def csrf_token(request: Request) -> str:
    """This session's token, made on first use."""
    token = request.session.get(SESSION_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[SESSION_KEY] = token
    return token


def renew_csrf_token(request: Request) -> None:
    request.session[SESSION_KEY] = secrets.token_urlsafe(32)


async def check_csrf(request: Request) -> None:
    """A dependency: refuse an unsafe request whose token is missing or wrong."""
    if request.method in SAFE_METHODS:
        return
    expected = request.session.get(SESSION_KEY)
    given = request.headers.get(HEADER)
    if given is None and request.headers.get("content-type", "").startswith(_FORMS):
        value = (await request.form()).get(FIELD)
        given = value if isinstance(value, str) else None
    if not (isinstance(expected, str) and given and hmac.compare_digest(expected, given)):
        raise CsrfRejected
