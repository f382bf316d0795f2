"""Engines, sessions and migrations (DESIGN §6).

SQLite gets WAL, a busy timeout, foreign keys and ``synchronous=NORMAL`` on every
connection, and writing transactions open with ``BEGIN IMMEDIATE`` so that two
processes never both read-then-write the same rows: the second waits for the lock
instead of failing half-way. PostgreSQL is used as it is (psycopg 3).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlmodel import Session, create_engine

from followup.config import Settings
from followup.errors import ConfigError

BUSY_TIMEOUT_MS = 30_000
MIGRATIONS = Path(__file__).parent / "migrations"
# The newest migration: the schema this code reads and writes (a test keeps it equal to
# the head of migrations/versions, so it never needs Alembic at run time).
SCHEMA_REVISION = "0002"


def make_engine(settings: Settings) -> Engine:
    """Build the engine for ``settings.database_url``; no connection is opened yet."""
    try:
        url = make_url(settings.database_url)
    except ArgumentError as exc:
        raise ConfigError(f"FOLLOWUP_DATABASE_URL is not a database URL: {exc}") from exc
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url.render_as_string(hide_password=False))
    try:
        return create_engine(url, pool_pre_ping=True)
    except ModuleNotFoundError as exc:
        raise ConfigError(
            f"the driver for {url.drivername} is not installed: "
            "pip install 'followup[postgres]'"
        ) from exc


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get("immediate"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session for reading; it never commits."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """One writing transaction: committed on success, rolled back on any exception.

    On SQLite it opens with ``BEGIN IMMEDIATE``, so the write lock is taken before the
    first read and concurrent writers queue up behind ``busy_timeout``.
    """
    bound = engine.execution_options(immediate=True)
    with Session(bound, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection, or a ``ConfigError`` that says the database cannot be reached."""
    try:
        conn = engine.connect()
    except OperationalError as exc:
        raise ConfigError(f"cannot open the database: {exc.orig or exc}") from None
    with conn:
        yield conn


def check_schema(engine: Engine) -> None:
    """Raise ``ConfigError`` unless the database holds the schema this code expects.

    Looked up in the database itself (the Alembic version table), so a database that was
    never initialised or not migrated after an upgrade is told apart from any other error.
    """
    version = current_revision(engine)
    if version is None:
        raise ConfigError(
            "the database has no followup tables yet: run `followup init` (or `followup demo`)"
        )
    if version != SCHEMA_REVISION:
        raise ConfigError(
            f"the database schema is at revision {version} and this followup needs "
            f"{SCHEMA_REVISION}: run `followup migrate`"
        )


def alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` (the newest by default)."""
    from alembic import command

    with connection(engine):  # a clear error when the database cannot be reached
        pass
    command.upgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at; None when it was never initialised."""
    with connection(engine) as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return None if version is None else str(version)


def head_revision(engine: Engine) -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
