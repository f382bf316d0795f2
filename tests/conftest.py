"""Shared fixtures: a fresh database per test (a real SQLite file, or a real PostgreSQL
database when FOLLOWUP_TEST_POSTGRES_URL is set), a business, and client/event makers.

Every test runs in its own ``tmp_path`` with no ``FOLLOWUP_*`` variable from the shell
(see ``isolated_environment``). Time is an argument everywhere: tests pass ``day``/``now``
and never read the clock.

Fixture names mean the same thing in every test file:

- ``engine``: an Engine on a fresh, migrated SQLite file in ``tmp_path``.
- ``settings``: the Settings of that file (``engine``'s), with the outbox in ``tmp_path``.
- ``db``: a ``Database`` (URL and Engine), migrated: the test runs on SQLite, then on
  PostgreSQL.
- ``any_engine``: ``db.engine``, an Engine on SQLite, then on PostgreSQL.
- ``db_url``: the URL of an empty database, SQLite, then PostgreSQL (``sqlite_url``,
  ``postgres_url``).
- ``server``: a real SMTP server (aiosmtpd) on 127.0.0.1 that accepts and records every
  message, its answers scriptable per recipient (``tests/smtp_server.py``).
- ``business`` (and its ``business_id``), ``make_client``, ``make_event``: a business
  and makers of its clients and events, in the test's database: ``db``'s when the test
  takes ``db`` or ``any_engine``, else ``engine``'s.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from followup.cli import cli
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
from tests.smtp_server import Faulty, Server, start

POSTGRES_URL = os.environ.get("FOLLOWUP_TEST_POSTGRES_URL")


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No ``FOLLOWUP_*`` setting from the shell, and no ``.env`` file: the test runs in
    its own ``tmp_path``. Only the PostgreSQL URL for the tests stays."""
    for name in list(os.environ):
        if name.upper().startswith("FOLLOWUP_") and name != "FOLLOWUP_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


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
    """The settings of ``engine``: its SQLite file, and the outbox Maildir in ``tmp_path``."""
    return get_settings(database_url=sqlite_url, outbox_dir=tmp_path / "outbox")


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    """A fresh, migrated SQLite file in ``tmp_path``."""
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


def _tests_engine(request: pytest.FixtureRequest) -> Engine:
    """The database of the test asking: ``db``'s if it takes ``db`` (or ``any_engine``,
    which is ``db.engine``), else ``engine``."""
    if "db" in request.fixturenames:
        db = request.getfixturevalue("db")
        assert isinstance(db, Database)
        return db.engine
    engine = request.getfixturevalue("engine")
    assert isinstance(engine, Engine)
    return engine


@pytest.fixture
def business(request: pytest.FixtureRequest) -> Business:
    return make_business(_tests_engine(request))


@pytest.fixture
def business_id(business: Business) -> int:
    """The id of ``business``, for the functions that take an id."""
    assert business.id is not None
    return business.id


@pytest.fixture
def make_client(request: pytest.FixtureRequest, business: Business) -> ClientMaker:
    return client_maker(_tests_engine(request), business)


@pytest.fixture
def make_event(request: pytest.FixtureRequest) -> EventMaker:
    return event_maker(_tests_engine(request))


Run = Callable[..., Result]


@pytest.fixture
def run(tmp_path: Path) -> Run:
    """Invoke ``followup`` against a fresh SQLite file and Maildir in ``tmp_path`` (the
    working directory: see ``isolated_environment``), with ``env`` added to its
    environment. An exception propagates; ``code`` is the exit code expected."""
    base = {
        "FOLLOWUP_DATABASE_URL": f"sqlite:///{tmp_path / 'followup.db'}",
        "FOLLOWUP_OUTBOX_DIR": str(tmp_path / "outbox"),
    }
    runner = CliRunner()

    def invoke(*args: str, code: int | None = 0, env: dict[str, str] | None = None) -> Result:
        result = runner.invoke(cli, list(args), env={**base, **(env or {})}, catch_exceptions=False)
        if code is not None:
            assert result.exit_code == code, result.output
        return result

    return invoke


@pytest.fixture
def server() -> Iterator[Server]:
    """An SMTP server on 127.0.0.1 that accepts everything unless its handler's ``script``
    says otherwise (``tests/smtp_server.py``)."""
    controller, running = start(Faulty())
    yield running
    controller.stop()


def one_letter_due_today(run: Run) -> None:
    """A business in auto mode whose send time has passed today, every day a working day,
    and one client who bought something yesterday: the routine has one letter to send
    now, whatever the real date. For tests of the processes that run the routine."""
    run(
        "init", "--name", "Taller", "--owner", "Marta Ruiz", "--sender", "marta@t.example",
        "--approval-mode", "auto", "--send-time", "00:00", "--holidays", "none",
    )  # fmt: skip
    run("settings", "set", "--working-days", "mon-sun")
    run("clients", "add", "--name", "Laura Sánchez", "--email", "laura@example.es")
    today = datetime.now(ZoneInfo("Europe/Madrid")).date()
    yesterday = (today - timedelta(days=1)).strftime("%d/%m/%Y")
    run("events", "add", "1", "--kind", "compra", "--on", yesterday, "--summary",
        "Compra de un casco", "--item", "casco")  # fmt: skip
