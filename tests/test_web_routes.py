"""Every route of the fully built app, enumerated from ``app.routes`` (not a hand list),
asks for a login unless ``followup.web.public`` exempts it, and every unsafe route of
the dashboard refuses a POST without the session's CSRF token. Routes added later (the
pages, the JSON API) are held to this without touching the test."""

from __future__ import annotations

import re

import httpx2 as httpx
from fastapi.routing import APIRoute
from sqlalchemy.engine import Engine
from starlette.routing import BaseRoute, Mount

from followup.models import Business
from followup.web.public import API_PREFIX, CSRF_EXEMPT_ROUTES, is_public
from tests.web_client import add_owner, dashboard, log_in

PARAM = re.compile(r"\{[^}]+\}")


def flatten(routes: list[BaseRoute]) -> list[tuple[str, BaseRoute]]:
    """Every route with its full path. FastAPI 0.165 keeps an included router as one
    entry of ``app.routes`` and resolves its routes (with any prefix) on demand."""
    flat: list[tuple[str, BaseRoute]] = []
    for route in routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if callable(contexts):
            flat += [(context.path, context.original_route) for context in contexts()]
        else:
            flat.append((getattr(route, "path", "?"), route))
    return flat


def walk(routes: list[BaseRoute]) -> list[tuple[str, str, str]]:
    """(method, route path, a concrete path with every parameter 1) of every route."""
    found = []
    for path, route in flatten(routes):
        methods = getattr(route, "methods", None)
        if isinstance(route, APIRoute) or methods:
            concrete = PARAM.sub("1", path)
            found += [(method, path, concrete) for method in sorted(methods or ["GET"])]
        elif isinstance(route, Mount):
            found.append(("GET", path, path + "/app.css"))
        else:
            found.append(("GET", path, PARAM.sub("1", path)))
    return found


def asks_for_login(answer: httpx.Response) -> bool:
    if answer.status_code == 401:
        return True
    location = answer.headers.get("location", "")
    return answer.status_code == 303 and location.startswith("/login")


def test_every_route_asks_for_a_login_but_the_public_ones(
    engine: Engine, business: Business
) -> None:
    web = dashboard(engine)
    routes = walk(web.app.routes)  # type: ignore[attr-defined]
    assert len(routes) >= 8 and any(path == "/" for _m, path, _c in routes)
    open_routes = []
    for method, path, concrete in routes:
        answer = web.request(method, concrete)
        if is_public(path):
            continue
        if not asks_for_login(answer):
            open_routes.append((method, path, answer.status_code))
    assert open_routes == []
    # The exemptions are real routes (a renamed route cannot leave a stale exemption).
    assert {path for _m, path, _c in routes if is_public(path)} >= {
        "/healthz", "/login", "/static", "/openapi.json", "/docs", "/unsubscribe/{token}"
    }  # fmt: skip


def test_every_unsafe_dashboard_route_refuses_a_post_without_its_token(
    engine: Engine, business: Business
) -> None:
    web = dashboard(engine)
    log_in(web, add_owner(engine, business.id or 0))
    checked, accepted = [], []
    for method, path, concrete in walk(web.app.routes):  # type: ignore[attr-defined]
        if method in ("GET", "HEAD", "OPTIONS") or path in CSRF_EXEMPT_ROUTES:
            continue
        if path.startswith(API_PREFIX):
            continue  # bearer tokens, never cookies: nothing to forge
        answer = web.request(method, concrete, data={"next": "/"})
        checked.append(path)
        if answer.status_code != 403:
            accepted.append((method, path, answer.status_code))
    assert accepted == []
    assert {"/login", "/logout", "/language"} <= set(checked)
    assert web.get("/").status_code == 200  # still logged in: the logout was refused too
