"""Engines, sessions and migrations (DESIGN §6).

SQLite gets WAL, a busy timeout, foreign keys and ``synchronous=NORMAL`` on every
connection, and writing transactions open with ``BEGIN IMMEDIATE`` so that two
processes never both read-then-write the same rows: the second waits for the lock
instead of failing half-way. PostgreSQL is used as it is (psycopg 3).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError
from sqlmodel import Session, create_engine

from followup.config import Settings
from followup.errors import ConfigError

BUSY_TIMEOUT_MS = 30_000
MIGRATIONS = Path(__file__).parent / "migrations"
# Every migration in order; the last is the schema this code reads and writes (a test
# keeps this equal to migrations/versions, so no command needs Alembic to check it).
SCHEMA_REVISIONS = (
    "0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009", "0010", "0011",
    "0012", "0013", "0014", "0015", "0016", "0017",
)  # fmt: skip
SCHEMA_REVISION = SCHEMA_REVISIONS[-1]

# What an owner can do about a database that refuses to work, by the driver's own error
# code (SQLite's extended result code name, PostgreSQL's SQLSTATE), never its wording.
_SQLITE_FAULTS = {
    "SQLITE_BUSY": "the database stayed locked by another program for {busy} s; try again",
    "SQLITE_LOCKED": "the database stayed locked by another program for {busy} s; try again",
    "SQLITE_READONLY": "the database file or its folder is read-only: let this user write both",
    "SQLITE_FULL": "the disk is full: free some space and run it again",
    "SQLITE_IOERR": "the disk failed while reading or writing (is it full?)",
    "SQLITE_CORRUPT": "the file is damaged: restore it from a backup",
    "SQLITE_NOTADB": "the file is not a database: check FOLLOWUP_DATABASE_URL",
    "SQLITE_CANTOPEN": "the file cannot be opened: check that its folder exists and is writable",
    "SQLITE_PERM": "this user may not open the file: check its permissions",
}
_POSTGRES_FAULTS = {
    "25006": "PostgreSQL is read-only here (a standby, or a read-only transaction)",
    "53100": "PostgreSQL's disk is full",
    "53300": "PostgreSQL has too many connections; try again",
    "57P01": "PostgreSQL was shut down",
    "3D000": "that PostgreSQL database does not exist: create it first",
    "28P01": "PostgreSQL refused the user name or password",
    "28000": "PostgreSQL refused this user",
}


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
    except NoSuchModuleError:
        raise ConfigError(
            f"FOLLOWUP_DATABASE_URL: {url.drivername!r} is not a database followup can use "
            "(sqlite:///followup.db or postgresql+psycopg://user@host/db)"
        ) from None


def database_fault(
    exc: DBAPIError, engine: Engine | None = None, *, opening: bool = False
) -> ConfigError | None:
    """The owner's words for a database that cannot work (locked, read-only, full,
    damaged, unreachable), or None when ``exc`` is a bug to be shown as one."""
    orig = exc.orig
    words = " ".join(str(orig or exc).split())
    where = f" ({engine.url.render_as_string(hide_password=True)})" if engine else ""
    head = f"cannot open the database{where}" if opening else f"the database{where} refused"
    tail = "" if opening else " Nothing was changed."
    advice = None
    name = getattr(orig, "sqlite_errorname", None)
    if name is not None:
        base = next((k for k in _SQLITE_FAULTS if name == k or name.startswith(k + "_")), None)
        advice = _SQLITE_FAULTS[base].format(busy=BUSY_TIMEOUT_MS // 1000) if base else None
    else:
        advice = _POSTGRES_FAULTS.get(getattr(orig, "sqlstate", None) or "")
        # psycopg's "connection failed" carries no SQLSTATE: the server was never reached.
        unreached = exc.connection_invalidated or getattr(orig, "sqlstate", None) is None
        if advice is None and isinstance(exc, OperationalError) and unreached:
            head = head if opening else f"cannot reach the database{where}"
            advice = "is the server running, and the address right?"
    if advice is None:
        return None
    return ConfigError(f"{head}: {advice}.{tail} ({words})".replace("?.", "?"))


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
        # Deleted and overwritten text is zeroed in the file: what `clients forget`
        # erases is gone from the disk, not only from the rows.
        cursor.execute("PRAGMA secure_delete=ON")
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


def wipe_leftovers(engine: Engine, tables: Sequence[str]) -> None:
    """After erasing data: leave no old copy of it in the database's files.

    SQLite: the write-ahead log is folded into the file and emptied (the file itself
    zeroes what was overwritten: ``secure_delete``). PostgreSQL: the tables are vacuumed,
    so the old row versions are gone from them.
    """
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in tables:
            conn.exec_driver_sql(f'VACUUM "{table}"')


# The first half of ``lock_business``'s key says what is locked, so that another advisory
# lock on the same database keyed on a number that happens to be a business id (a later
# lock of ours, another program's) never waits on this one.
BUSINESS_LOCK = 0x66750001


def lock_business(session: Session, business_id: int) -> None:
    """Hold the business until the session's transaction ends, so that the writers that
    pick for it (a day's run, a skipped pick's replacement) run one at a time and each
    reads what the one before it committed. Call it before reading what it decides on.

    PostgreSQL: a transaction-scoped advisory lock on the business id. At READ COMMITTED
    each statement after it sees the previous holder's commit; at REPEATABLE READ or
    SERIALIZABLE the lock's own statement fixes the snapshot, so it would serialise
    nothing: refused with a ``ConfigError``.

    SQLite: nothing more to take. ``write_session``'s ``BEGIN IMMEDIATE`` holds the
    database's one write lock from before the first read to the commit, so every writer,
    of any business, already runs alone, and a write transaction in WAL mode reads the
    newest commit. Checked, since a transaction opened another way would not be.
    """
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        assert conn.get_execution_options().get("immediate"), "not in a write_session"
        return
    isolation = session.execute(
        text(
            "SELECT pg_advisory_xact_lock(CAST(:kind AS integer), CAST(:business AS integer)), "
            "current_setting('transaction_isolation')"
        ),
        {"kind": BUSINESS_LOCK, "business": business_id},
    ).one()[1]
    if isolation != "read committed":
        raise ConfigError(
            f"the database runs transactions at {isolation}; followup needs read committed "
            "(PostgreSQL's default) to run one business's days one at a time"
        )


@contextmanager
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection, or a ``ConfigError`` that says why the database cannot be opened."""
    try:
        conn = engine.connect()
    except DBAPIError as exc:
        fault = database_fault(exc, engine, opening=True)
        if fault is None:
            words = " ".join(str(exc.orig or exc).split())
            fault = ConfigError(f"cannot open the database: {words}")
        raise fault from None
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
    if version not in SCHEMA_REVISIONS:
        raise ConfigError(
            f"this database was written by a newer followup (schema revision {version}; "
            f"this one knows up to {SCHEMA_REVISION}): install that version or a newer one"
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

    current = current_revision(engine)  # a clear error when it cannot be opened
    if current is not None and current not in SCHEMA_REVISIONS:
        check_schema(engine)  # says: written by a newer followup
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
