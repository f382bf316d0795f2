"""Plain builders for test data; the fixtures in conftest.py wrap them.

Each builder writes in a transaction of its own and returns the row, detached, with its
id. Keyword arguments set any column; the defaults make a valid row:

- ``make_business(engine, **fields)``: a Spanish bicycle workshop.
- ``client_maker(engine, business)(name=None, **fields)``: a client with a unique email.
- ``event_maker(engine)(client, kind, days_ago=1, summary="", ...)``: an event, recorded
  as the owner records it (status and contact day follow).
- ``make_letter(engine, business, client=None, **fields)``: a Spanish thank-you draft
  for ``MONDAY`` to ``client`` (a new client of ``business`` when None).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine

from followup.db import write_session
from followup.events import EventInput, add_event
from followup.models import Business, Client, Event, Letter


@dataclass
class Database:
    """A migrated database and its URL (subprocesses need the URL)."""

    url: str
    engine: Engine


# A Monday: the fixed "today" of most tests.
MONDAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)

# Numbers for default names, emails and Message-IDs: unique within any test's database.
_serial = itertools.count(1)


def _id_of(business: Business | int) -> int:
    business_id = business if isinstance(business, int) else business.id
    assert business_id is not None, "the business is not saved"
    return business_id


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


def client_maker(engine: Engine, business: Business | int) -> ClientMaker:
    business_id = _id_of(business)

    def make(name: str | None = None, **fields: Any) -> Client:
        n = next(_serial)
        with write_session(engine) as session:
            client = Client(
                business_id=business_id,
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
                NOW,
            )

    return make


def make_letter(
    engine: Engine, business: Business | int, client: Client | None = None, **fields: Any
) -> Letter:
    """A letter of ``business`` to ``client``, or to a new client of its own when None.

    By default a Spanish thank-you draft for ``MONDAY``, to the client's email, with a
    unique Message-ID and no send time; ``fields`` set status, channel, send_after, …
    """
    business_id = _id_of(business)
    if client is None:
        client = client_maker(engine, business_id)()
    values: dict[str, Any] = {
        "business_id": business_id,
        "client_id": client.id,
        "day": MONDAY,
        "kind": "thank_you",
        "locale": "es",
        "to_email": client.email,
        "subject": "Gracias por su confianza",
        "body_text": "Buenos días:\n\nGracias por su confianza.\n",
        "body_html": "<p>Buenos días:</p><p>Gracias por su confianza.</p>",
        "message_id": f"<{MONDAY:%Y%m%d}.{next(_serial)}@bicis.example>",
    }
    values.update(fields)
    with write_session(engine) as session:
        letter = Letter(**values)
        session.add(letter)
    return letter


def at(now: datetime) -> Callable[[], datetime]:
    """A clock stopped at ``now``: what the jobs read instead of the real time."""
    return lambda: now


def unsaved_business(**fields: Any) -> Business:
    """A business that is not saved: for building messages without a database."""
    values: dict[str, Any] = {
        "id": 1,
        "name": "Taller Ruiz",
        "owner_name": "Marta Ruiz",
        "sender_email": "marta@taller.example",
        "reply_to": "",
    }
    return Business(**(values | fields))


def unsaved_client(**fields: Any) -> Client:
    values: dict[str, Any] = {
        "id": 7,
        "business_id": 1,
        "name": "Laura Gómez",
        "email": "laura@cliente.example",
    }
    return Client(**(values | fields))


def unsaved_letter(**fields: Any) -> Letter:
    values: dict[str, Any] = {
        "id": 12,
        "business_id": 1,
        "client_id": 7,
        "day": date(2026, 11, 23),
        "kind": "thank_you",
        "locale": "es",
        "to_email": "laura@cliente.example",
        "subject": "Gracias por su confianza",
        "body_text": "Estimada Laura:\n\nGracias por confiar en nosotros. Un saludo,\nMarta\n",
        "body_html": "<p>Estimada Laura:</p><p>Gracias por confiar en nosotros.</p>",
        "message_id": "<20261123.abc123@taller.example>",
    }
    return Letter(**(values | fields))
