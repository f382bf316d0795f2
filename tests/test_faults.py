"""A database that cannot work is a sentence and exit code 2, never a traceback, and
nothing is written: damaged, read-only, full, locked, unreachable, newer or older."""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy import event, text
from sqlalchemy.engine import Engine

import followup.db
from tests.conftest import POSTGRES_URL, Run

MONDAY = "2026-11-23"


def test_a_damaged_file_is_named_as_such(run: Run, tmp_path: Path) -> None:
    (tmp_path / "followup.db").write_bytes(b"these are not the pages of a database\n" * 200)
    result = run("letters", "list", code=2)
    assert "the file is not a database" in result.output
    assert "Traceback" not in result.output


def test_an_unknown_driver_or_url_is_a_configuration_error(run: Run) -> None:
    result = run("letters", "list", code=2, env={"FOLLOWUP_DATABASE_URL": "mysql+nothing://x/y"})
    assert "is not a database followup can use" in result.output
    result = run("init", code=2, env={"FOLLOWUP_DATABASE_URL": "followup.db"})
    assert "FOLLOWUP_DATABASE_URL is not a database URL" in result.output


def test_a_newer_schema_is_refused_by_every_command_and_by_migrate(
    run: Run, tmp_path: Path
) -> None:
    run("demo", "--date", MONDAY)
    db = sqlite3.connect(tmp_path / "followup.db")
    db.execute("UPDATE alembic_version SET version_num = '0099'")
    db.commit()
    db.close()
    for command in (("letters", "list"), ("migrate",), ("tick",)):
        result = run(*command, code=2)
        assert "this database was written by a newer followup" in result.output


def test_a_lock_held_past_the_busy_timeout_is_said_plainly(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("demo", "--date", MONDAY)
    monkeypatch.setattr(followup.db, "BUSY_TIMEOUT_MS", 200)
    holder = sqlite3.connect(tmp_path / "followup.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = run("letters", "approve", "1", code=2)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "locked by another program" in result.output
    statuses = {
        lt["id"]: lt["status"] for lt in json.loads(run("letters", "list", "--json").output)
    }
    assert statuses[1] == "draft"


def test_a_full_disk_writes_nothing(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stand-in for a full disk: mounting a small tmpfs is not possible here, so SQLite's
    own page limit makes the database full, which SQLite reports as SQLITE_FULL."""
    run("init", "--name", "Lang Joinery", "--owner", "Peter Lang", "--sender", "p@lang.example")
    made = followup.db._sqlite_engine

    def full(url: str) -> Engine:
        engine = made(url)

        @event.listens_for(engine, "connect")
        def _no_more_pages(dbapi_connection: Any, _record: Any) -> None:
            pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
            dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

        return engine

    monkeypatch.setattr(followup.db, "_sqlite_engine", full)
    rows = "name,email,notes\n" + "".join(
        f"Cliente {n},c{n}@example.es,{'nota larga ' * 300}\n" for n in range(300)
    )
    (tmp_path / "many.csv").write_text(rows, encoding="utf-8")
    result = run("clients", "import", "many.csv", code=2)
    assert "the disk is full" in result.output
    monkeypatch.undo()
    assert json.loads(run("clients", "list", "--json").output) == []


def test_a_read_only_database_is_said_plainly(run: Run, tmp_path: Path) -> None:
    """Stand-in for a read-only file or folder: root ignores file permissions and this
    machine's interpreter cannot run as another user, so SQLite opens the file read-only
    itself (``mode=ro``), which fails the same way (SQLITE_READONLY)."""
    run("demo", "--date", MONDAY)
    read_only = {
        "FOLLOWUP_DATABASE_URL": f"sqlite:///file:{tmp_path / 'followup.db'}?mode=ro&uri=true"
    }
    result = run("letters", "approve", "1", code=2, env=read_only)
    assert "read-only" in result.output
    statuses = {
        lt["id"]: lt["status"] for lt in json.loads(run("letters", "list", "--json").output)
    }
    assert statuses[1] == "draft"


@pytest.fixture
def postgres_database() -> Iterator[str]:
    if not POSTGRES_URL:
        if os.environ.get("CI"):
            pytest.fail("CI is set but FOLLOWUP_TEST_POSTGRES_URL is not")
        pytest.skip("FOLLOWUP_TEST_POSTGRES_URL is not set (.ci/run sets it)")
    name = f"followup_fault_{uuid.uuid4().hex[:12]}"
    admin = sa_create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_postgresql_unreachable_or_read_only_is_said_plainly(
    run: Run, postgres_database: str
) -> None:
    assert POSTGRES_URL is not None
    nobody_there = {"FOLLOWUP_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:9/none"}
    assert "cannot open the database" in run("clients", "list", code=2, env=nobody_there).output
    assert "cannot open the database" in run("migrate", code=2, env=nobody_there).output

    url = POSTGRES_URL.rsplit("/", 1)[0] + f"/{postgres_database}"
    env = {"FOLLOWUP_DATABASE_URL": url}
    run("init", "--name", "Lang Joinery", "--owner", "Peter", "--sender", "p@lang.example", env=env)
    admin = sa_create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(
            text(f'ALTER DATABASE "{postgres_database}" SET default_transaction_read_only = on')
        )
    admin.dispose()
    (Path.cwd() / "one.csv").write_text("name,email\nAna,ana@example.es\n", encoding="utf-8")
    result = run("clients", "import", "one.csv", code=2, env=env)
    assert "PostgreSQL is read-only here" in result.output
