"""What the page tests of Guarantees, Templates, Settings and Stats share: a business
with a logged-in owner on the test's database, and the form token of a page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.engine import Engine
from starlette.testclient import TestClient

from followup.config import get_settings
from followup.db import write_session
from followup.models import Business, Client, Guarantee
from followup.recovery.guarantees import create_guarantee
from followup.web import create_app
from tests.factories import NOW, client_maker, make_business
from tests.web_client import SECRET, Clock, add_owner, csrf_of, dashboard, log_in

# Written into client fields and summaries: every page must show it as text.
INJECTION = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"


@dataclass
class Owner:
    business: Business
    web: TestClient
    clock: Clock
    engine: Engine

    def token(self, path: str) -> str:
        return csrf_of(self.web, path)

    def post(self, path: str, data: dict[str, Any], page: str) -> Any:
        return self.web.post(path, data={**data, "csrf_token": self.token(page)})


def logged_in(
    engine: Engine,
    email: str = "marta@bicis.example",
    settings: dict[str, Any] | None = None,
    **fields: Any,
) -> Owner:
    """A business (``fields``) whose owner is logged in to a dashboard with ``settings``
    (FOLLOWUP_* values: an SMTP URL, an outbox folder)."""
    business = make_business(engine, **fields)
    clock = Clock()
    if settings is None:
        web = dashboard(engine, clock)
    else:
        values = {"database_url": "sqlite://", "secret_key": SECRET, **settings}
        app = create_app(engine, get_settings(**values), clock)
        web = TestClient(app, base_url="http://testserver", follow_redirects=False)
    log_in(web, add_owner(engine, business.id or 0, email))
    return Owner(business, web, clock, engine)


def give_guarantee(
    engine: Engine, business: Business, name: str, starts_on: date, months: int = 1,
    terms: str = "Si la rueda vuelve a fallar, la cambiamos",
) -> Guarantee:  # fmt: skip
    client = client_maker(engine, business)(name)
    with write_session(engine) as session:
        fresh = session.get(Client, client.id)
        assert fresh is not None
        made = create_guarantee(
            session, fresh, months=months, terms=terms, payout="Le devolvemos el dinero",
            starts_on=starts_on, now=NOW,
        )  # fmt: skip
        session.expunge(made)
    return made


def title_and_h1(html: str) -> tuple[str, str]:
    title = re.search(r"<title>(.*?) · followup</title>", html)
    h1 = re.search(r"<h1>(.*?)</h1>", html)
    assert title and h1, html
    return title.group(1), h1.group(1)
