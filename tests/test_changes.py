"""The counter of committed changes (``followup.changes``): every table is watched, every
way of writing counts, a rolled-back or uncommitted change does not, and PostgreSQL counts
a transaction once however many rows it wrote. The dashboard trusts it to know a page
is still fresh, so a change it missed would show an owner stale letters."""

from __future__ import annotations

import multiprocessing
from datetime import date

import pytest
from sqlalchemy import insert, text, update
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, col

from followup import changes
from followup.businesses import get_business
from followup.config import get_settings
from followup.db import alembic_config, make_engine, migrate, write_session
from followup.models import Business, Client
from tests.factories import NOW, client_maker


def test_every_table_is_watched(any_engine: Engine) -> None:
    tables = set(SQLModel.metadata.tables) - changes.UNWATCHED
    with any_engine.connect() as conn:
        assert changes.watched_tables(conn) == tables


def test_every_way_of_writing_is_counted(any_engine: Engine, business: Business) -> None:
    before = changes.counter(any_engine)
    assert before is not None
    laura = client_maker(any_engine, business)("Laura")  # through the ORM
    after_orm = changes.counter(any_engine)
    assert after_orm is not None and after_orm > before
    with any_engine.begin() as conn:  # Core, as the spreadsheet import writes
        conn.execute(update(Client).where(col(Client.id) == laura.id).values(notes="tarde"))
    after_core = changes.counter(any_engine)
    assert after_core is not None and after_core > after_orm
    with any_engine.begin() as conn:  # an owner's own SQL
        conn.execute(text("DELETE FROM client WHERE id = :id"), {"id": laura.id})
    after_sql = changes.counter(any_engine)
    assert after_sql is not None and after_sql > after_core


def test_a_rolled_back_or_unchanged_write_is_not_counted(
    any_engine: Engine, business: Business
) -> None:
    laura = client_maker(any_engine, business)("Laura")
    before = changes.counter(any_engine)

    def rename_then_fail() -> None:
        with write_session(any_engine) as session:
            fresh = get_business(session, business.id or 0)
            fresh.name = "Otro nombre"
            session.add(fresh)
            session.flush()
            raise RuntimeError("the owner's change fails half-way")

    with pytest.raises(RuntimeError):
        rename_then_fail()
    with any_engine.begin() as conn:  # matches no row: nothing changed
        nobody = col(Client.id) == (laura.id or 0) + 1000
        conn.execute(update(Client).where(nobody).values(notes="x"))
    assert changes.counter(any_engine) == before


def test_a_change_is_counted_when_it_commits_not_before(
    any_engine: Engine, business: Business
) -> None:
    """A reader never sees the new count before the data it stands for."""
    before = changes.counter(any_engine)
    with any_engine.connect() as writer:
        with writer.begin():
            writer.execute(
                update(Business).where(col(Business.id) == business.id).values(name="Bicis Ruiz")
            )
            assert changes.counter(any_engine) == before  # another connection reads
        after = changes.counter(any_engine)
    assert after is not None and before is not None and after > before


def test_a_large_import_is_counted_once_a_transaction_on_postgresql(
    any_engine: Engine, business: Business
) -> None:
    before = changes.counter(any_engine) or 0
    rows = [
        {"business_id": business.id, "name": f"Cliente {n}", "company": "", "phone": "",
         "tags": "", "notes": "", "greeting": "", "status": "active",
         "do_not_contact": False, "created_at": NOW, "last_contacted_on": date(2026, 1, 1)}
        for n in range(2_000)
    ]  # fmt: skip
    with any_engine.begin() as conn:
        conn.execute(insert(Client), rows)
    # SQLite counts each row, inside its one writer's transaction.
    per_row = any_engine.dialect.name == "sqlite"
    assert changes.counter(any_engine) == before + (2_000 if per_row else 1)


def _write_many(url: str, business_id: int, worker: int) -> None:
    engine = make_engine(get_settings(database_url=url))
    for n in range(15):
        with engine.begin() as conn:
            conn.execute(
                update(Business)
                .where(col(Business.id) == business_id)
                .values(name=f"B{worker}-{n}")
            )
            conn.execute(
                insert(Client).values(
                    business_id=business_id, name=f"C{worker}-{n}", company="", phone="",
                    tags="", notes="", greeting="", status="active", do_not_contact=False,
                    created_at=NOW,
                )
            )  # fmt: skip
    engine.dispose()


@pytest.mark.slow
def test_writers_in_several_processes_are_all_counted(
    db_url: str, any_engine: Engine, business: Business
) -> None:
    """Four processes writing the same rows at once: none deadlocks, none is lost."""
    before = changes.counter(any_engine) or 0
    spawn = multiprocessing.get_context("spawn")
    workers = [
        spawn.Process(target=_write_many, args=(db_url, business.id, n)) for n in range(4)
    ]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=120)
    assert [process.exitcode for process in workers] == [0, 0, 0, 0]
    counted = (changes.counter(any_engine) or 0) - before
    if db_url.startswith("postgresql"):
        assert counted == 4 * 15  # once per transaction
    else:
        assert counted == 4 * 15 * 2  # once per row


def test_the_counter_goes_and_comes_back_with_its_migration(any_engine: Engine) -> None:
    from alembic import command

    command.downgrade(alembic_config(any_engine), "0014")
    with any_engine.connect() as conn:
        assert changes.watched_tables(conn) == set()
    migrate(any_engine)
    assert changes.counter(any_engine) == 0
    with any_engine.connect() as conn:
        assert changes.watched_tables(conn) == set(SQLModel.metadata.tables) - changes.UNWATCHED
