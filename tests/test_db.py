"""The engine and the settings: SQLite pragmas, write locking, safe configuration."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import select

from followup.config import Settings, get_settings
from followup.db import current_revision, head_revision, make_engine, write_session
from followup.errors import ConfigError
from followup.models import Business, Client
from tests.factories import client_maker


def test_sqlite_connections_get_the_pragmas(engine: Engine) -> None:
    with engine.connect() as conn:
        pragmas = {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
        }
    assert pragmas == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "busy_timeout": 30000,
        "synchronous": 1,
    }


def test_a_writing_session_holds_the_write_lock_from_its_start(
    engine: Engine, settings: Settings
) -> None:
    """BEGIN IMMEDIATE: another writer cannot slip in between our read and our write."""
    path = settings.database_url.removeprefix("sqlite:///")
    with write_session(engine) as session:
        session.execute(text("SELECT 1"))  # a read only, yet the lock is already ours
        other = sqlite3.connect(path, timeout=0.05, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        client_maker(engine, 999)("Nadie")  # there is no business 999


def test_init_leaves_the_schema_at_the_newest_revision(engine: Engine) -> None:
    head = head_revision(engine)
    assert head is not None and current_revision(engine) == head


def test_a_placeholder_secret_is_refused_in_production() -> None:
    settings = get_settings(environment="production", secret_key="changethis")
    with pytest.raises(ConfigError, match="placeholder"):
        settings.check_production()
    get_settings(environment="production", secret_key="x" * 40).check_production()


def test_the_secret_can_come_from_a_file(tmp_path: Path) -> None:
    (tmp_path / "key").write_text("s3cret-from-a-container-secret\n", encoding="utf-8")
    settings = get_settings(secret_key_file=tmp_path / "key")
    assert settings.secret_key == "s3cret-from-a-container-secret"
    with pytest.raises(ConfigError, match="cannot read"):
        get_settings(secret_key_file=tmp_path / "missing")


def test_a_bad_database_url_is_a_configuration_error() -> None:
    with pytest.raises(ConfigError, match="not a database URL"):
        make_engine(get_settings(database_url="followup.db"))


def test_migrate_upgrades_a_database_of_the_first_release(db_url: str) -> None:
    """An owner's existing database keeps its clients across ``followup migrate``."""
    from sqlalchemy import inspect

    from followup.db import migrate
    from followup.models import Client

    engine = make_engine(get_settings(database_url=db_url))
    migrate(engine, "0001")
    assert "pin" not in inspect(engine).get_table_names()
    # Written as the first release wrote them: today's models have columns it did not.
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO business (name, owner_name, owner_title, owner_phone, sender_email,"
                " reply_to, signature, locale, form_of_address, timezone, daily_quota, send_time,"
                " working_days, cooldown_days, approval_mode, created_at) VALUES ('Taller',"
                " 'Marta', '', '', 'marta@t.example', '', '', 'es', 'usted', 'Europe/Madrid', 3,"
                " '09:00', '1,2,3,4,5', 14, 'review', '2026-11-01 08:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO client (business_id, name, company, phone, tags, notes, status,"
                " do_not_contact, created_at) SELECT id, 'Laura', '', '', '', '', 'active',"
                " false, '2026-11-01 08:00:00' FROM business"
            )
        )
    migrate(engine)
    assert "pin" in inspect(engine).get_table_names()
    assert current_revision(engine) == head_revision(engine)
    with write_session(engine) as session:
        assert [c.name for c in session.exec(select(Client))] == ["Laura"]
    engine.dispose()


def test_migrate_turns_an_old_closing_note_into_a_thank_you(
    any_engine: Engine, business: Business
) -> None:
    """Before 0012 the note closing a guarantee was a kind of its own; it is a thank-you
    linked to its guarantee now, so picking never drafts it a second time."""
    from alembic import command

    from followup.db import alembic_config, migrate
    from followup.models import Letter, TemplateOverride
    from followup.recovery.guarantees import create_guarantee
    from tests.factories import MONDAY, NOW, make_letter

    client = client_maker(any_engine, business)("Laura")
    with write_session(any_engine) as session:
        fresh = session.get(Client, client.id)
        assert fresh is not None
        guarantee = create_guarantee(
            session, fresh, months=3, terms="reparación gratis", starts_on=MONDAY, now=NOW
        )
    closing = make_letter(any_engine, business, client, guarantee_id=guarantee.id)
    # Back to revision 0011, as an owner's database of then held them.
    command.downgrade(alembic_config(any_engine), "0011")
    with any_engine.begin() as conn:
        assert conn.execute(text("SELECT kind FROM letter")).scalar() == "guarantee_closing"
        conn.execute(
            text(
                "INSERT INTO templateoverride (business_id, kind, locale, source, updated_at)"
                " VALUES (:b, 'guarantee_closing', 'es-usted', 'x', '2026-11-01 08:00:00')"
            ),
            {"b": business.id},
        )
    migrate(any_engine)
    assert current_revision(any_engine) == head_revision(any_engine)
    with write_session(any_engine) as session:
        letter = session.get(Letter, closing.id)
        assert letter is not None
        assert (letter.kind, letter.guarantee_id) == ("thank_you", guarantee.id)
        assert session.exec(select(TemplateOverride)).all() == []


def test_the_clients_address_column_comes_and_goes_with_0017(
    any_engine: Engine, business: Business
) -> None:
    """Downgrading past 0017 drops the postal address and keeps the clients; upgrading
    again gives every existing client an empty one (no address known)."""
    from alembic import command
    from sqlalchemy import inspect

    from followup.clients import update_client
    from followup.db import alembic_config, migrate
    from tests.factories import NOW, make_letter

    laura = client_maker(any_engine, business)("Laura")
    make_letter(any_engine, business, laura)  # a row pointing at hers: the table stays put
    with write_session(any_engine) as session:
        fresh = session.get(Client, laura.id)
        assert fresh is not None
        update_client(session, fresh, NOW, address="Calle Mayor 5\n28013 Madrid")

    command.downgrade(alembic_config(any_engine), "0016")
    columns = {c["name"] for c in inspect(any_engine).get_columns("client")}
    assert "address" not in columns and current_revision(any_engine) == "0016"
    with any_engine.begin() as conn:
        assert conn.execute(text("SELECT name FROM client")).scalars().all() == ["Laura"]
        conn.execute(
            text(
                "INSERT INTO client (business_id, name, greeting, company, phone, tags, notes,"
                " status, do_not_contact, created_at) VALUES (:b, 'Diego', '', '', '', '', '',"
                " 'active', false, '2026-11-01 08:00:00')"
            ),
            {"b": business.id},
        )

    migrate(any_engine)
    assert current_revision(any_engine) == head_revision(any_engine)
    with write_session(any_engine) as session:
        stored = {c.name: c.address for c in session.exec(select(Client))}
    assert stored == {"Laura": "", "Diego": ""}
