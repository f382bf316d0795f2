"""The one list of what the web app serves without a login, and of the POSTs that carry
no CSRF token. The dashboard's pages, the API and their tests all read it from here:
``tests/test_web_routes.py`` walks every route of a fully built app and expects a login
to be asked for everywhere else.

Exempt because they hold no data (the issue, DESIGN §7): the health check, the login
page itself, static files, the API's description and its documentation page; and the
unsubscribe links, which clients open from their letters and must work without a login
(RFC 8058's one-click POST carries no token either).
"""

from __future__ import annotations

# Route templates as FastAPI names them (``route.path``): the static files are one Mount.
PUBLIC_ROUTES = frozenset(
    {
        "/healthz",
        "/login",
        "/static",
        "/openapi.json",
        "/docs",
        "/unsubscribe/{token}",
    }
)
# POSTs a mail provider makes on the client's behalf (RFC 8058): no session, no token.
CSRF_EXEMPT_ROUTES = frozenset({"/unsubscribe/{token}"})
# The JSON API authenticates each request with a bearer token, never a cookie, so a
# forged cross-site request has nothing to ride on: it takes no CSRF token.
API_PREFIX = "/api/"


def is_public(route_path: str) -> bool:
    return route_path in PUBLIC_ROUTES
