"""A dashboard for tests: the real app (``create_app``) on a real database, asked over
real HTTP through starlette's TestClient, with an owner who can log in and a clock the
test moves."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from starlette.testclient import TestClient

from followup.accounts import add_user
from followup.config import get_settings
from followup.db import write_session
from followup.web import create_app
from tests.factories import NOW

SECRET = "a-long-random-secret-for-tests-0123456789"
PASSWORD = "correct horse battery"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Clock:
    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


def add_owner(engine: Engine, business_id: int, email: str = "marta@bicis.example") -> str:
    with write_session(engine) as session:
        add_user(session, business_id, email, PASSWORD, NOW)
    return email


def dashboard(
    engine: Engine, clock: Clock | None = None, base_url: str | None = None
) -> TestClient:
    settings = get_settings(database_url="sqlite://", secret_key=SECRET, base_url=base_url)
    app = create_app(engine, settings, clock or Clock())
    return TestClient(app, base_url="http://testserver", follow_redirects=False)


def csrf_of(client: TestClient, path: str = "/login") -> str:
    page = client.get(path)
    found = TOKEN.search(page.text)
    assert found is not None, page.text
    return found.group(1)


def log_in(
    client: TestClient, email: str, password: str = PASSWORD, next_path: str = "/"
) -> object:
    token = csrf_of(client)
    return client.post(
        "/login",
        data={"email": email, "password": password, "next": next_path, "csrf_token": token},
    )
