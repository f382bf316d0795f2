"""Plain builders for test data; the fixtures in conftest.py wrap them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine

from followup.db import write_session
from followup.events import EventInput, add_event
from followup.models import Business, Client, Event


@dataclass
class Database:
    """A migrated database and its URL (subprocesses need the URL)."""

    url: str
    engine: Engine


# A Monday: the fixed "today" of most tests.
MONDAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


def make_business(engine: Engine, **fields: Any) -> Business:
    values: dict[str, Any] = {
        "name": "Taller de Bicicletas Ruiz",
        "owner_name": "Marta Ruiz",
        "owner_title": "Propietaria",
        "sender_email": "marta@bicis.example",
        "locale": "es",
        "timezone": "Europe/Madrid",
    }
    values.update(fields)
    with write_session(engine) as session:
        business = Business(**values)
        session.add(business)
    return business


ClientMaker = Callable[..., Client]


def client_maker(engine: Engine, business: Business) -> ClientMaker:
    counter = iter(range(1, 10**9))

    def make(name: str | None = None, **fields: Any) -> Client:
        n = next(counter)
        with write_session(engine) as session:
            client = Client(
                business_id=business.id,
                name=name or f"Cliente {n}",
                email=fields.pop("email", f"cliente{n}@example.es"),
                **fields,
            )
            session.add(client)
        return client

    return make


EventMaker = Callable[..., Event]


def event_maker(engine: Engine) -> EventMaker:
    def make(
        client: Client,
        kind: str,
        days_ago: int = 1,
        summary: str = "",
        *,
        on: date | None = None,
        today: date = MONDAY,
        **details: Any,
    ) -> Event:
        day = on or today - timedelta(days=days_ago)
        with write_session(engine) as session:
            fresh = session.get(Client, client.id)
            assert fresh is not None
            return add_event(
                session,
                fresh,
                EventInput(kind, day, summary or f"{kind} de {client.name}", **details),
            )

    return make
