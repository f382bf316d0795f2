"""The JSON API in tests: the app of ``create_app`` on the test's database, its clock
stopped, spoken to over HTTP by starlette's TestClient with a business's bearer token."""

from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from followup.config import get_settings
from followup.db import write_session
from followup.models import Business
from followup.tokens import create_token
from followup.web import create_app
from tests.factories import NOW, at


def token_for(engine: Engine, business: Business | int, name: str = "tests") -> str:
    business_id = business if isinstance(business, int) else business.id
    assert business_id is not None
    with write_session(engine) as session:
        _, token = create_token(session, business_id, name, NOW)
    return token


def api_client(engine: Engine, token: str | None = None, now: datetime = NOW) -> TestClient:
    """A client of a fresh app on ``engine``; with ``token``, every request carries it."""
    settings = get_settings(database_url=engine.url.render_as_string(hide_password=False))
    client = TestClient(create_app(engine, settings, at(now)), raise_server_exceptions=True)
    if token is not None:
        client.headers["Authorization"] = f"Bearer {token}"
    return client
