"""What the JSON API accepts, read strictly and said in its OpenAPI document: a 405
names every method of its path in ``Allow``; query and path values are plain (``1.0``,
``yes``, ``day=0`` are 422s, not guesses); a body that is not UTF-8 is a 422 like any
malformed JSON."""

from __future__ import annotations

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
