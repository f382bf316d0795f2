"""The JSON API's guards, enumerated from the app's own route table (not a hand list):
every route refuses a request without a valid token (401, ``WWW-Authenticate: Bearer``);
a token sees only its business (another business's ids are 404, listings hold only its
own rows, and the other business is left unchanged); every error has one shape; HTML and
template code in client fields come back as JSON data, never rendered."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from followup.db import read_session
from followup.models import ApiToken, Client, Event, Guarantee, Letter, TemplateOverride
from followup.tokens import PREFIX
from tests.api import api_client, token_for
from tests.factories import make_business, make_letter

# A valid body for each request model: a route whose model is missing here fails the test.
BODIES: dict[str, dict[str, Any]] = {
    "ClientCreate": {"name": "Nuevo Cliente"},
    "ClientPatch": {"greeting": "Sr. Nadie"},
    "Confirm": {"confirm": True},
    "Recover": {"terms": "si falla, lo reparamos"},
    "EventCreate": {"client_id": 0, "kind": "purchase", "summary": "compró un casco"},
    "SkipPick": {"client_id": 0},
    "PinClient": {"client_id": 0, "day": "2026-11-24"},
    "LetterEdit": {"subject": "Otro asunto"},
    "MarkDone": {"outcome": "todo bien"},
    "Dismiss": {"why": "ya hablamos"},
    "Satisfied": {"note": "contento"},
    "Claim": {"what": "volvió a fallar"},
    "CancelGuarantee": {"reason": "no procede"},
    "Compensate": {"compensation": "le devolvemos el cargo"},
    "Resolve": {"cause": "un fallo", "action": "lo cambiamos"},
    "TemplateSource": {"source": "{% block subject %}x{% endblock %}"},
    "PreviewRequest": {"client_id": 0},
}


def api_routes(client: TestClient) -> Iterator[tuple[str, str, Any]]:
    """Every (method, path, route) under /api/v1, from the app's route table (FastAPI
    keeps included routers nested: ``iter_route_contexts`` walks them with prefixes)."""
    for route in iter_route_contexts(client.app.routes):  # type: ignore[attr-defined]
        path = route.path or ""
        if isinstance(route.original_route, APIRoute) and path.startswith("/api/v1"):
            for method in sorted(route.methods or ()):
                yield method, path, route


def request(client: TestClient, method: str, route: Any, ids: dict[str, Any]) -> Any:
    path = route.path.format(**ids)
    body = None
    if route.body_field is not None:
        name = route.body_field.field_info.annotation.__name__
        body = dict(BODIES[name])
        if "client_id" in body:
            body["client_id"] = ids["client_id"]
    return client.request(method, path, json=body)


def assert_error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    error = response.json()["error"]
    assert set(error) == {"status", "code", "message", "field"}
    assert error["status"] == status and error["message"]
    return dict(error)


@pytest.fixture
def two(any_engine: Engine) -> dict[str, Any]:
    """Business A (with its token) and business B with a client, a complaint, a draft
    letter and a guarantee, made through B's own token."""
    a = make_business(any_engine, name="Taller A")
    b = make_business(any_engine, name="Taller B")
    b_api = api_client(any_engine, token_for(any_engine, b))
    client = b_api.post("/api/v1/clients", json={"name": "Cliente De Be", "email": "b@b.example"})
    client_id = client.json()["id"]
    event = b_api.post(
        "/api/v1/events",
        json={"client_id": client_id, "kind": "complaint", "summary": "le cobramos dos veces"},
    )
    recovered = b_api.post(
        f"/api/v1/clients/{client_id}/recover", json={"terms": "si falla, lo reparamos"}
    )
    assert recovered.status_code == 201, recovered.text
    letter = make_letter(any_engine, b)  # a draft to another client of B
    return {
        "a_token": token_for(any_engine, a),
        "b": b,
        "ids": {
            "client_id": client_id,
            "event_id": event.json()["id"],
            "guarantee_id": recovered.json()["id"],
            "letter_id": letter.id,
            "kind": "apology",
            "locale": "es-usted",
        },
    }


def snapshot(engine: Engine, business_id: int) -> str:
    with read_session(engine) as session:
        rows: list[Any] = []
        for model in (Client, Event, Letter, Guarantee, TemplateOverride):
            found = session.exec(
                select(model).where(model.business_id == business_id)
            )
            rows += [row.model_dump(mode="json") for row in found]
    return json.dumps(rows, sort_keys=True, default=str)


def test_every_route_needs_a_valid_token(any_engine: Engine, two: dict[str, Any]) -> None:
    anonymous = api_client(any_engine)
    routes = list(api_routes(anonymous))
    assert len(routes) >= 30
    revoked = token_for(any_engine, two["b"], "old")
    from followup.db import write_session

    with write_session(any_engine) as session:
        row = session.exec(select(ApiToken).where(ApiToken.name == "old")).one()
        session.delete(row)
    headers = [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": f"Bearer {PREFIX}unknown"},
        {"Authorization": f"Bearer {revoked}"},
    ]
    before = snapshot(any_engine, two["b"].id)
    for method, path, route in routes:
        for header in headers:
            anonymous.headers.clear()
            anonymous.headers.update(header)
            response = request(anonymous, method, route, two["ids"])
            assert_error(response, 401)
            assert response.headers["www-authenticate"] == "Bearer", (method, path)
    assert snapshot(any_engine, two["b"].id) == before


def test_a_token_sees_only_its_business(any_engine: Engine, two: dict[str, Any]) -> None:
    a_api = api_client(any_engine, two["a_token"])
    before = snapshot(any_engine, two["b"].id)
    for method, path, route in api_routes(a_api):
        response = request(a_api, method, route, two["ids"])
        names_an_id = any(
            f"{{{name}}}" in path for name in ("client_id", "letter_id", "guarantee_id", "event_id")
        )
        body = route.body_field.field_info.annotation if route.body_field else None
        takes_client = body is not None and "client_id" in BODIES[body.__name__]
        if names_an_id or takes_client:
            assert_error(response, 404)
        else:
            assert response.status_code < 500, (method, path, response.text)
            assert "Cliente De Be" not in response.text, (method, path)
    assert snapshot(any_engine, two["b"].id) == before


CORPUS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{7*7}} {% raw %}",
    "línea uno\r\nBcc: x@evil.example",
]


def test_html_in_client_fields_comes_back_as_json_data(engine: Engine) -> None:
    business = make_business(engine)
    api = api_client(engine, token_for(engine, business))
    for n, payload in enumerate(CORPUS):
        fields = {
            "name": f"{payload} {n}",
            "greeting": payload,
            "company": payload,
            "phone": payload,
            "tags": payload,
            "notes": payload,
            "address": payload,
            "external_ref": f"{payload}-{n}",
        }
        created = api.post("/api/v1/clients", json=fields)
        assert created.status_code == 201, created.text
        client_id = created.json()["id"]
        event = api.post(
            "/api/v1/events",
            json={"client_id": client_id, "kind": "purchase", "summary": payload},
        )
        assert event.status_code == 201, event.text
        for path in (
            f"/api/v1/clients/{client_id}",
            f"/api/v1/clients/{client_id}/timeline",
            f"/api/v1/events?client={client_id}",
        ):
            response = api.get(path)
            assert response.headers["content-type"] == "application/json"
            text = response.text
            # JSON escapes quotes and line breaks, never HTML: the markup is data.
            assert json.dumps(payload.split("\r")[0], ensure_ascii=False)[1:-1] in text
            assert "49" not in text.replace(str(client_id), "")  # {{7*7}} was not rendered
        shown = api.get(f"/api/v1/clients/{client_id}").json()
        # Text fields are folded to one line (no CR/LF reaches a header); markup is kept.
        assert shown["company"] == " ".join(payload.split())
        assert "\r" not in shown["name"] and "\n" not in shown["name"]
        # The postal address keeps its lines, each folded the same way, markup kept.
        assert shown["address"].split("\n") == [" ".join(p.split()) for p in payload.splitlines()]


def test_errors_have_one_shape(engine: Engine) -> None:
    business = make_business(engine)
    api = api_client(engine, token_for(engine, business))
    client_id = api.post("/api/v1/clients", json={"name": "Ana", "email": "a@x.example"}).json()[
        "id"
    ]
    cases = [
        (api.get("/api/v1/clients/999999"), 404, None),
        (api.get("/api/v1/clients/abc"), 422, "client_id"),
        (api.get("/api/v1/clients?limit=201"), 422, "limit"),
        (api.post("/api/v1/clients", json={"name": "Otra", "email": "a@x.example"}), 409, None),
        (api.post("/api/v1/clients", json={"name": "X", "email": "not-an-email"}), 422, "email"),
        (api.post("/api/v1/clients", json={"name": "X", "extra": 1}), 422, "extra"),
        (api.post("/api/v1/clients", json={"name": "X", "do_not_contact": 1}), 422, None),
        (
            api.post(
                "/api/v1/clients",
                content=b'{"name": ',
                headers={"Content-Type": "application/json"},
            ),
            422,
            None,
        ),
        (api.post("/api/v1/clients", json=[1, 2]), 422, None),
        (api.post(f"/api/v1/clients/{client_id}/forget", json={"confirm": False}), 422, "confirm"),
        (api.get("/api/v1/nowhere"), 404, None),
        (api.delete("/api/v1/report"), 405, None),
    ]
    for response, status, field in cases:
        error = assert_error(response, status)
        if field is not None:
            assert error["field"] == field, error
    # The erasure did not happen without the confirmation.
    assert api.get(f"/api/v1/clients/{client_id}").json()["name"] == "Ana"
