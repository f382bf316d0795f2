"""What the CLI and the API do with one client: find it by id, see its timeline, forget it
for good (the erasure and the wiping of the database's leftovers, in that order)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from followup import client_search
from followup.db import wipe_leftovers, write_session
from followup.errors import NotFound
from followup.forgetting import TABLES, Forgotten, forget_client
from followup.models import Client
from followup.schemas import ClientView, EventView, GuaranteeView, LetterView
from followup.services import client_view, list_events, list_guarantees, list_letters


def get_client(session: Session, business_id: int, client_id: int) -> Client:
    """The business's client ``client_id``; another business's is not found either."""
    client = session.get(Client, client_id)
    if client is None or client.business_id != business_id:
        raise NotFound(f"there is no client {client_id}")
    return client


def get_client_view(session: Session, business_id: int, client_id: int) -> ClientView:
    return client_view(get_client(session, business_id, client_id))


# A timeline shows this many of each: a client's story, not an archive.
TIMELINE_LIMIT = 50


def timeline(
    session: Session, business_id: int, client_id: int, day: date
) -> tuple[ClientView, list[EventView], list[LetterView], list[GuaranteeView]]:
    """A client with their latest events, letters and guarantees (days left from ``day``)."""
    client = get_client_view(session, business_id, client_id)
    return (
        client,
        list_events(session, business_id, client_id=client_id, limit=TIMELINE_LIMIT),
        list_letters(session, business_id, client_id=client_id, limit=TIMELINE_LIMIT),
        list_guarantees(session, business_id, client_id=client_id, day=day),
    )


def forget_for_good(engine: Engine, business_id: int, client_id: int, now: datetime) -> Forgotten:
    """Erase the client's personal data (``forgetting``) in one transaction, then wipe the
    old copies from the database's files once it is committed."""
    with write_session(engine) as session:
        done = forget_client(session, get_client(session, business_id, client_id), now)
    with engine.begin() as conn:  # the search index's pieces of the old words, too
        for statement in client_search.tidy_statements(engine.dialect.name):
            conn.exec_driver_sql(statement)
    wipe_leftovers(engine, TABLES)
    return done
