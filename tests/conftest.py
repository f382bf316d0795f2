"""Shared fixtures: a fresh database per test (a real SQLite file, or a real PostgreSQL
database when FOLLOWUP_TEST_POSTGRES_URL is set), a business, and client/event makers.

Time is an argument everywhere: tests pass ``day``/``now`` and never read the clock.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from followup.config import Settings, get_settings
from followup.db import make_engine, migrate
from followup.models import Business
from tests.factories import (
    ClientMaker,
    Database,
    EventMaker,
    client_maker,
    event_maker,
    make_business,
)

POSTGRES_URL = os.environ.get("FOLLOWUP_TEST_POSTGRES_URL")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'followup.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    if not POSTGRES_URL:
        # In CI the PostgreSQL half must run: a missing URL there is a failure.
        if os.environ.get("CI"):
            pytest.fail("CI is set but FOLLOWUP_TEST_POSTGRES_URL is not")
        pytest.skip("FOLLOWUP_TEST_POSTGRES_URL is not set (.ci/run sets it)")
    name = f"followup_test_{uuid.uuid4().hex[:12]}"
    admin = sa_create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest) -> str:
    """Runs the test once on SQLite and once on PostgreSQL."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(fixture))


@pytest.fixture
def settings(sqlite_url: str, tmp_path: Path) -> Settings:
    return get_settings(database_url=sqlite_url, outbox_dir=tmp_path / "outbox")


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """A migrated database on SQLite, then on PostgreSQL, with its URL for subprocesses."""
    engine = make_engine(get_settings(database_url=db_url))
    migrate(engine)
    yield Database(db_url, engine)
    engine.dispose()


@pytest.fixture
def any_engine(db: Database) -> Engine:
    """An engine on SQLite, then on PostgreSQL (see ``db_url``)."""
    return db.engine


@pytest.fixture
def business(engine: Engine) -> Business:
    return make_business(engine)


@pytest.fixture
def make_client(engine: Engine, business: Business) -> ClientMaker:
    return client_maker(engine, business)


@pytest.fixture
def make_event(engine: Engine) -> EventMaker:
    return event_maker(engine)
