"""What the JSON API accepts, read strictly and said in its OpenAPI document: a 405
names every method of its path in ``Allow``; query and path values are plain (``1.0``,
``yes``, ``day=0`` are 422s, not guesses); a body that is not UTF-8 is a 422 like any
malformed JSON; a body's fields are refused as the OpenAPI document says (lengths,
texts that say something, languages, amounts, kinds), and ``6.0`` is the number 6."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.api import api_client, token_for
from tests.factories import make_business


@pytest.fixture
def api(engine: Engine) -> TestClient:
    return api_client(engine, token_for(engine, make_business(engine)))


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("OPTIONS", "/api/v1/clients", "GET, POST"),
        ("DELETE", "/api/v1/clients/1", "GET, PATCH"),
        ("GET", "/api/v1/clients/1/do-not-contact", "PUT, DELETE"),
        ("POST", "/api/v1/templates/apology/en", "GET, PUT, DELETE"),
        ("GET", "/api/v1/letters/1/approve", "POST"),
        ("DELETE", "/api/v1/report", "GET"),
    ],
)
def test_a_405_names_every_method_of_its_path(
    api: TestClient, method: str, path: str, allow: str
) -> None:
    response = api.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allow
    assert response.json()["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("clients?limit=1.0", "limit"),
        ("clients?limit=%2B5", "limit"),
        ("clients?limit=1_0", "limit"),
        ("letters?offset=%201", "offset"),
        ("events?client=1.0", "client"),
        ("incidents?open=yes", "open"),
        ("incidents?open=1", "open"),
        ("incidents?open=True", "open"),
        ("picks?day=0", "day"),
        ("picks?day=2026-11-23T00:00", "day"),
        ("report?since=20261123", "since"),
        ("letters/1.0", "letter_id"),
    ],
)
def test_query_and_path_values_are_read_strictly(api: TestClient, query: str, field: str) -> None:
    response = api.get("/api/v1/" + query)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["field"] == field
    assert not error["message"].startswith(f"{field}: Value error")


def test_plain_values_are_read(api: TestClient) -> None:
    get = api.get
    assert get("/api/v1/clients?limit=2&offset=0").json()["limit"] == 2
    assert get("/api/v1/incidents?open=true").status_code == 200
    assert get("/api/v1/incidents?open=false").status_code == 200
    assert get("/api/v1/picks?day=2026-11-23").json()["day"] == "2026-11-23"
    assert get("/api/v1/report?since=2026-11-01").json()["since"] == "2026-11-01"


def test_a_body_that_is_not_utf8_is_a_422(api: TestClient) -> None:
    response = api.post(
        "/api/v1/clients",
        content=b"\xff\xfe{",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["error"] == {
        "status": 422,
        "code": "invalid",
        "message": "the body is not valid JSON (UTF-8)",
        "field": None,
    }


def test_the_openapi_document_states_what_is_accepted(api: TestClient) -> None:
    spec = api.get("/openapi.json").json()
    text = json.dumps(spec)
    # Constraints are JSON Schema's words, never pydantic's.
    assert '"ge"' not in text and '"le"' not in text
    params = {p["name"]: p["schema"] for p in spec["paths"]["/api/v1/clients"]["get"]["parameters"]}
    assert (params["limit"]["minimum"], params["limit"]["maximum"]) == (1, 200)
    schemas = spec["components"]["schemas"]
    assert schemas["Confirm"]["properties"]["confirm"]["const"] is True
    assert schemas["Recover"]["properties"]["months"]["maximum"] == 60
    assert schemas["ClientCreate"]["properties"]["name"]["maxLength"] == 200
    assert "purchase" in schemas["EventKind"]["enum"]
    assert schemas["Resolve"]["properties"]["cause"]["minLength"] == 1


def test_bodies_are_refused_as_the_schema_says(api: TestClient) -> None:
    client_id = api.post("/api/v1/clients", json={"name": "Ana Ruiz"}).json()["id"]
    refused = [
        ("post", "/api/v1/clients", {"name": " \t "}, "name"),
        ("post", "/api/v1/clients", {"name": "\x01\x02"}, "name"),
        ("post", "/api/v1/clients", {"name": "X" * 201}, "name"),
        ("post", "/api/v1/clients", {"name": "X", "locale": "fr"}, "locale"),
        ("post", "/api/v1/clients", {"name": "X", "form_of_address": "vos"}, "form_of_address"),
        ("patch", f"/api/v1/clients/{client_id}", {"name": None}, "name"),
        ("post", f"/api/v1/clients/{client_id}/recover", {"terms": "x", "months": 61}, "months"),
        ("post", f"/api/v1/clients/{client_id}/recover", {"terms": "x", "checkins": "0,7"},
         "checkins"),
        ("post", "/api/v1/events", {"client_id": "1", "kind": "purchase", "summary": "x"},
         "client_id"),
        ("post", "/api/v1/events", {"client_id": 1.5, "kind": "purchase", "summary": "x"},
         "client_id"),
        ("post", "/api/v1/events", {"client_id": client_id, "kind": "compra", "summary": "x"},
         "kind"),
        ("post", "/api/v1/events",
         {"client_id": client_id, "kind": "purchase", "summary": "x", "amount": "12.345"},
         "amount"),
    ]  # fmt: skip
    for method, path, body, field in refused:
        response = api.request(method.upper(), path, json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["error"]["field"] == field, (body, response.text)


def test_a_whole_number_may_be_written_with_a_point_zero(api: TestClient) -> None:
    client_id = api.post("/api/v1/clients", json={"name": "Ana Ruiz"}).json()["id"]
    event = {"client_id": float(client_id), "kind": "purchase", "summary": "compró un casco",
             "amount": "78,50 €"}  # fmt: skip
    created = api.post("/api/v1/events", json=event)
    assert created.status_code == 201, created.text
    assert created.json()["client_id"] == client_id and created.json()["amount"] == "78.50"
