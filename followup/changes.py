"""A counter of committed changes: one row, ``datachange.counter``, that grows whenever a
transaction that changed any of the business's data commits, whoever made the change
(the dashboard, the CLI, the worker, an owner's own SQL). The dashboard reads it first
and serves a page again, unchanged, while the counter has not moved.

The counting is done by the database, in triggers on every watched table, so no writer
can forget it:

- SQLite: an ``AFTER INSERT/UPDATE/DELETE`` trigger per table adds one, inside the
  writer's transaction (SQLite has one writer at a time, so the row is never contended).
- PostgreSQL: a deferred constraint trigger per table runs at COMMIT and adds one once
  per transaction. Taken at the very end, the counter's row lock can never wait on a
  lock that its holder is waiting for: no deadlock, and a bulk import counts once.

A reader that reads the counter *before* the data it shows can never keep old data
under a new count: a change visible in the counter is visible in every later read.

A table created or rebuilt by a later migration must be watched again (``watch``);
``tests/test_changes.py`` checks that every table is.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

TABLE = "datachange"
# Written on failed logins only: a guesser must not make every page be built again.
UNWATCHED = frozenset({TABLE, "loginfailure", "alembic_version"})
_OPERATIONS = ("insert", "update", "delete")
_PG_FUNCTION = "followup_count_change"


def trigger_name(table: str, operation: str = "") -> str:
    return f"followup_changed_{table}" + (f"_{operation}" if operation else "")


def create_counter(dialect: str) -> list[str]:
    """The counter's table and row, and on PostgreSQL the function the triggers run."""
    statements = [
        f"CREATE TABLE {TABLE} (id INTEGER NOT NULL PRIMARY KEY, counter BIGINT NOT NULL)",
        f"INSERT INTO {TABLE} (id, counter) VALUES (1, 0)",
    ]
    if dialect == "postgresql":
        # Once per transaction: the transaction-local setting says it was counted.
        statements.append(
            f"""CREATE OR REPLACE FUNCTION {_PG_FUNCTION}() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                IF current_setting('followup.changed', true) IS DISTINCT FROM '1' THEN
                    UPDATE {TABLE} SET counter = counter + 1 WHERE id = 1;
                    PERFORM set_config('followup.changed', '1', true);
                END IF;
                RETURN NULL;
            END $$"""
        )
    return statements


def drop_counter(dialect: str) -> list[str]:
    statements = [f"DROP TABLE {TABLE}"]
    if dialect == "postgresql":
        statements.append(f"DROP FUNCTION {_PG_FUNCTION}()")
    return statements


def watch(dialect: str, tables: Iterable[str]) -> list[str]:
    """The triggers that count a change to each of ``tables``."""
    statements = []
    for table in tables:
        if dialect == "postgresql":
            statements.append(
                f'CREATE CONSTRAINT TRIGGER {trigger_name(table)} '
                f'AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
                f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                f"EXECUTE FUNCTION {_PG_FUNCTION}()"
            )
            continue
        count = f"UPDATE {TABLE} SET counter = counter + 1 WHERE id = 1"
        for operation in _OPERATIONS:
            name = trigger_name(table, operation)
            statements.append(f'CREATE TRIGGER {name} AFTER {operation.upper()} ON "{table}" '
                              f"BEGIN {count}; END")
    return statements


def unwatch(dialect: str, tables: Iterable[str]) -> list[str]:
    statements = []
    for table in tables:
        if dialect == "postgresql":
            statements.append(f'DROP TRIGGER IF EXISTS {trigger_name(table)} ON "{table}"')
            continue
        statements.extend(
            f"DROP TRIGGER IF EXISTS {trigger_name(table, operation)}"
            for operation in _OPERATIONS
        )
    return statements


def watched_tables(conn: Connection) -> set[str]:
    """The tables whose changes are counted (every operation, for SQLite)."""
    if conn.dialect.name == "postgresql":
        rows = conn.execute(
            text(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = 'followup_changed_' || c.relname"
            )
        )
        return {row[0] for row in rows}
    names = {row[0] for row in conn.execute(text(
        "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    ))}  # fmt: skip
    tables = {name.removeprefix("followup_changed_").rsplit("_", 1)[0] for name in names}
    return {
        table for table in tables
        if all(trigger_name(table, operation) in names for operation in _OPERATIONS)
    }  # fmt: skip


def counter(engine: Engine) -> int | None:
    """How many committed changes the database has counted; None when it does not count
    them (a schema built without the migrations): then nothing may be served again.

    Read on a pooled connection without a transaction of its own: one statement, the
    cheapest question the dashboard asks on every request."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(f"SELECT counter FROM {TABLE} WHERE id = 1")
        row = cursor.fetchone()
        cursor.close()
    finally:
        raw.close()  # back to the pool, which ends psycopg's transaction
    return None if row is None else int(row[0])
