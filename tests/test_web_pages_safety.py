"""Every page of the dashboard, enumerated from the app's route table: HTML typed into
any client field (the postal address among them) or event summary is shown escaped,
never as markup; and an owner of one business reaches nothing of another's, by any page
route (404, nothing changed).

A page added later is held to both without touching this test: its path parameters are
filled from the businesses below (a new parameter's name makes the test say which value
it needs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import col, select
from starlette.testclient import TestClient

from followup.db import read_session, write_session
from followup.events import EventInput, add_event
from followup.jobs import run_day
from followup.models import Business, Client, Event, Guarantee, Letter
from followup.recovery.lifecycle import recover_client
from followup.web.public import API_PREFIX, CSRF_EXEMPT_ROUTES, is_public
from tests.factories import MONDAY, NOW, make_business
from tests.test_web_routes import flatten
from tests.web_client import TOKEN, add_owner, dashboard, log_in

PARAM = re.compile(r"\{([^}:]+)(?::[^}]+)?\}")
CORPUS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<b onmouseover=alert(1)>negrita</b>",
    "</textarea><svg onload=alert(1)>",
)
# Path parameters that name a row of one business (a kind of letter or a language does not).
ROW_IDS = {"client_id", "letter_id", "event_id", "guarantee_id"}
# What must never appear in a page as it was typed: each would be live markup.
LIVE = ("<script>alert(1)", "<img src=x onerror", "<b onmouseover", "<svg onload")


@dataclass(frozen=True)
class Shop:
    business_id: int
    ids: dict[str, int | str]  # a path parameter's name -> one of this business's values


def _shop(engine: Engine, name: str, marker: str) -> Shop:
    business = make_business(engine, name=name, sender_email=f"{marker}@shop.example")
    assert business.id is not None
    with write_session(engine) as session:
        clients = []
        for n, payload in enumerate(CORPUS):
            client = Client(
                business_id=business.id,
                name=f"{payload} {marker}{n}",
                greeting=payload,
                company=payload,
                email=f"{marker}{n}@example.es",
                phone="+34 600 000 00" + str(n),
                tags=payload,
                notes=payload,
                address="\n".join(CORPUS),  # every payload, one a line
                external_ref=f"{marker}-{n}",
            )
            session.add(client)
            session.flush()
            clients.append(client)
            for kind in ("complaint", "purchase"):
                add_event(session, client, EventInput(kind, MONDAY, f"{payload} ({kind})"), NOW)
        recover_client(session, clients[0], day=MONDAY, now=NOW, months=6, terms=CORPUS[0],
                       payout=CORPUS[1])  # fmt: skip
    run_day(engine, business.id, MONDAY, NOW)
    with read_session(engine) as session:
        ids: dict[str, int | str] = {
            "client_id": _first(session, Client.id, Client.business_id, business.id),
            "letter_id": _first(session, Letter.id, Letter.business_id, business.id),
            "event_id": _first(session, Event.id, Event.business_id, business.id),
            "guarantee_id": _first(session, Guarantee.id, Guarantee.business_id, business.id),
            "kind": "apology",
            "locale": "es-usted",
            "tlocale": "es-usted",
        }
    return Shop(business.id, ids)


def _first(session: Any, column: Any, owner: Any, business_id: int) -> int:
    found = session.exec(select(column).where(owner == business_id).order_by(col(column))).first()
    assert found is not None
    return int(found)


def page_routes(app: Any) -> list[tuple[str, str]]:
    """(method, path) of every dashboard route: not the API, not a public one."""
    found = []
    for path, route in flatten(app.routes):
        if not isinstance(route, APIRoute) or path.startswith(API_PREFIX) or is_public(path):
            continue
        found += [(method, path) for method in sorted(route.methods or ())]
    return found


def fill(path: str, ids: dict[str, int | str]) -> str:
    unknown = [name for name in PARAM.findall(path) if name not in ids]
    assert not unknown, f"{path}: give this test a value for {unknown}"
    return PARAM.sub(lambda m: str(ids[m.group(1)]), path)


@pytest.fixture
def shops(engine: Engine) -> tuple[Shop, Shop]:
    return _shop(engine, "Taller A", "a"), _shop(engine, "Taller B", "b")


def _owner_of(engine: Engine, shop: Shop, email: str) -> TestClient:
    web = dashboard(engine)
    log_in(web, add_owner(engine, shop.business_id, email))
    return web


def test_html_typed_by_the_owner_is_shown_escaped_on_every_page(
    engine: Engine, shops: tuple[Shop, Shop]
) -> None:
    mine, _theirs = shops
    web = _owner_of(engine, mine, "a@owner.example")
    pages = [(m, p) for m, p in page_routes(web.app) if m == "GET"]
    assert pages, "no dashboard page"
    shown_somewhere = address_shown = False
    for _method, path in pages:
        answer = web.get(fill(path, mine.ids), follow_redirects=True)
        assert answer.status_code == 200, (path, answer.status_code)
        for live in LIVE:
            assert live not in answer.text, (path, live)
        shown_somewhere |= "&lt;script&gt;alert(1)&lt;/script&gt;" in answer.text
        address_shown |= "&lt;/textarea&gt;&lt;svg onload=alert(1)&gt;" in answer.text
    # The clients' names are on the pages (Today's letters at least), as text; their
    # postal addresses too (their page, the form, the print view).
    assert shown_somewhere and address_shown


def _counts(engine: Engine, business_id: int) -> dict[str, Any]:
    with read_session(engine) as session:
        return {
            table.__name__: session.exec(
                select(func.count()).select_from(table).where(table.business_id == business_id)
            ).one()
            for table in (Client, Event, Letter, Guarantee)
        } | {
            "statuses": sorted(
                session.exec(select(Letter.status).where(Letter.business_id == business_id))
            ),
            "clients": sorted(
                (c.name, c.email, c.do_not_contact)
                for c in session.exec(select(Client).where(Client.business_id == business_id))
            ),
        }


def test_an_owner_reaches_nothing_of_another_business_by_any_page_route(
    engine: Engine, shops: tuple[Shop, Shop]
) -> None:
    mine, theirs = shops
    web = _owner_of(engine, mine, "a@owner.example")
    token = TOKEN.search(web.get("/").text)
    assert token is not None
    before = _counts(engine, theirs.business_id)
    leaks, tried = [], []
    for method, path in page_routes(web.app):
        if not set(PARAM.findall(path)) & ROW_IDS or path in CSRF_EXEMPT_ROUTES:
            continue  # no row of another business in the path: the owner's own pages
        tried.append((method, path))
        answer = web.request(
            method,
            fill(path, theirs.ids),
            data={"csrf_token": token.group(1), "next": "/"},
            headers={"X-CSRF-Token": token.group(1)},
        )
        if answer.status_code != 404 or "b0@example.es" in answer.text:
            leaks.append((method, path, answer.status_code))
    assert leaks == []
    assert {("GET", "/letters/{letter_id}"), ("POST", "/letters/{letter_id}/approve")} <= set(tried)
    assert _counts(engine, theirs.business_id) == before
    with read_session(engine) as session:
        assert session.get(Business, theirs.business_id) is not None
