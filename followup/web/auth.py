"""Who is logged in. ``require_owner`` is the dependency every page route has (through
``pages.page_router``): it returns the ``Owner`` (user, business, language) or sends
the browser to ``/login?next=…`` (htmx requests get a 401 with ``HX-Redirect``).

The session holds the user's id and a stamp of their password hash: changing the
password (`followup users passwd`) ends every other session.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request

from followup.db import read_session
from followup.models import User
from followup.web.csrf import renew_csrf_token
from followup.web.freshness import remembered

_UNSET = object()


@dataclass(frozen=True)
class Owner:
    user_id: int
    business_id: int
    email: str
    language: str


class LoginRequired(Exception):
    """No one is logged in: the handler answers with the way to the login page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def current_owner(request: Request) -> Owner | None:
    """The owner this request's session belongs to, or None (looked up once a request)."""
    cached = getattr(request.state, "owner", _UNSET)
    if cached is not _UNSET:
        return cached if isinstance(cached, Owner) else None
    owner = _owner_of_session(request)
    request.state.owner = owner
    return owner


def require_owner(request: Request) -> Owner:
    owner = current_owner(request)
    if owner is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(path)
    return owner


# A page route's parameter: ``owner: LoggedIn`` (the router already asked for it: the
# answer is the same object, looked up once).
LoggedIn = Annotated[Owner, Depends(require_owner)]


def start_session(request: Request, user: User, language: str) -> None:
    """A fresh session for ``user`` (nothing carried over from before the login, and a
    new CSRF token: a token seen before logging in is worth nothing after)."""
    context = request.app.state.followup
    request.session.clear()
    request.session["user"] = user.id
    request.session["stamp"] = _stamp(context.settings.secret_key, user.password_hash)
    request.session["lang"] = language
    renew_csrf_token(request)


def end_session(request: Request) -> None:
    request.session.clear()


def safe_next(value: str | None) -> str:
    """Where to go after logging in: a path of this site only (no scheme, no host, no
    ``//host`` or ``/\\host``, which browsers read as another site), else ``/``."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return "/"
    if any(ord(ch) < 32 or ch == "\\" for ch in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    return value


def login_url(next_path: str) -> str:
    return "/login" if next_path == "/" else f"/login?next={quote(next_path, safe='/')}"


def _owner_of_session(request: Request) -> Owner | None:
    user_id = request.session.get("user")
    stamp = request.session.get("stamp")
    if not isinstance(user_id, int) or not isinstance(stamp, str):
        return None
    # Looked up again only once something was written: a changed password moves the count.
    return remembered(request, ("owner", user_id, stamp), lambda: _look_up(request, user_id, stamp))


def _look_up(request: Request, user_id: int, stamp: str) -> Owner | None:
    from followup.accounts import get_user, language_of

    context = request.app.state.followup
    with read_session(context.engine) as session:
        user = get_user(session, user_id)
        if user is None:
            return None
        if not hmac.compare_digest(stamp, _stamp(context.settings.secret_key, user.password_hash)):
            return None
        language = language_of(session, user)
    return Owner(user_id, user.business_id, user.email, language)


def _stamp(secret_key: str, password_hash: str) -> str:
    """Ties a session to the password it was opened with, without putting any of the
    hash in the (signed, but readable) cookie."""
    key = hashlib.sha256(f"followup.session-stamp|{secret_key}".encode()).digest()
    return hmac.new(key, password_hash.encode(), "sha256").hexdigest()[:32]
