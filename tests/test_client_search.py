"""Finding clients by a piece of their name, email, company or tags (``client_search``),
on SQLite (FTS5 trigrams) and PostgreSQL (pg_trgm): the same answers as reading every
row, whatever wrote the client, in any case, with or without accents, and the index
really used."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, text, update
from sqlalchemy.engine import Engine
from sqlmodel import col

from followup import client_search
from followup.db import alembic_config, migrate, read_session
from followup.models import Business, Client
from followup.services import clients_query, count, list_clients
from followup.services.clients import forget_for_good
from tests.factories import NOW, client_maker, make_business


def names(engine: Engine, business: Business, q: str) -> list[str]:
    with read_session(engine) as session:
        found = [c.name for c in list_clients(session, business.id or 0, q=q)]
        assert count(session, clients_query(business.id or 0, q=q)) == len(found)
    return found


@pytest.fixture
def clients(any_engine: Engine, business: Business) -> None:
    make = client_maker(any_engine, business)
    make("José María Fernández-Pacheco", email="jm@fernandez.es", company="Talleres Norte")
    make("Dña. Ana Belén Ruiz", email="ana@example.es", tags="bici, taller")
    make("Laura Sánchez", email="laura@example.es", company="100% Bici_Sur")
    make("Pedro Gómez", email=None, phone="+34 600 000 000")


@pytest.mark.usefixtures("clients")
def test_a_piece_of_any_field_finds_the_client_in_any_case(
    any_engine: Engine, business: Business
) -> None:
    assert names(any_engine, business, "fernández") == ["José María Fernández-Pacheco"]
    assert names(any_engine, business, "FERNÁNDEZ") == ["José María Fernández-Pacheco"]
    assert names(any_engine, business, "  talleres  ") == ["José María Fernández-Pacheco"]
    assert names(any_engine, business, "ana@exa") == ["Dña. Ana Belén Ruiz"]
    assert names(any_engine, business, "taller") == [
        "José María Fernández-Pacheco", "Dña. Ana Belén Ruiz",
    ]  # fmt: skip
    assert names(any_engine, business, "Gómez") == ["Pedro Gómez"]  # no email at all
    assert names(any_engine, business, "nadie") == []


@pytest.mark.usefixtures("clients")
def test_accents_need_not_be_typed_nor_match(any_engine: Engine, business: Business) -> None:
    """Owners type "jose maria", "SANCHEZ", "pena" on a phone; the list has the accents."""
    assert names(any_engine, business, "jose maria") == ["José María Fernández-Pacheco"]
    assert names(any_engine, business, "FERNANDEZ-PACHECO") == ["José María Fernández-Pacheco"]
    assert names(any_engine, business, "SANCHEZ") == ["Laura Sánchez"]
    assert names(any_engine, business, "dña") == ["Dña. Ana Belén Ruiz"]
    assert names(any_engine, business, "dna. ana belen") == ["Dña. Ana Belén Ruiz"]
    assert names(any_engine, business, "gómez") == names(any_engine, business, "gomez")
    client_maker(any_engine, business)("Álvaro Núñez", email="alvaro@example.es")
    assert names(any_engine, business, "alvaro nuñez") == ["Álvaro Núñez"]
    assert names(any_engine, business, "ÁLVARO NÚÑEZ") == ["Álvaro Núñez"]
    assert names(any_engine, business, "nu") == ["Álvaro Núñez"]  # short: read row by row


@pytest.mark.usefixtures("clients")
def test_short_pieces_and_the_characters_of_patterns_are_taken_literally(
    any_engine: Engine, business: Business
) -> None:
    assert names(any_engine, business, "ez") == [
        "José María Fernández-Pacheco", "Laura Sánchez", "Pedro Gómez",
    ]  # fmt: skip
    assert names(any_engine, business, "100%") == ["Laura Sánchez"]
    assert names(any_engine, business, "% b") == ["Laura Sánchez"]
    assert names(any_engine, business, "i_s") == ["Laura Sánchez"]
    assert names(any_engine, business, "%%%") == []
    assert names(any_engine, business, '"ana') == []
    assert names(any_engine, business, "ana\" OR \"ruiz") == []


def test_the_index_follows_every_way_of_writing_a_client(
    any_engine: Engine, business: Business
) -> None:
    laura = client_maker(any_engine, business)("Laura Sánchez")
    with any_engine.begin() as conn:  # the spreadsheet import's bulk statements
        conn.execute(insert(Client), [
            {"business_id": business.id, "name": f"Importado {n} Olmedo", "company": "",
             "phone": "", "tags": "", "notes": "", "greeting": "", "status": "active",
             "do_not_contact": False, "created_at": NOW}
            for n in range(3)
        ])  # fmt: skip
        conn.execute(update(Client).where(col(Client.id) == laura.id).values(name="Laura Vidal"))
    assert names(any_engine, business, "olmedo") == [f"Importado {n} Olmedo" for n in range(3)]
    assert names(any_engine, business, "sánchez") == []
    assert names(any_engine, business, "vidal") == ["Laura Vidal"]

    forget_for_good(any_engine, business.id or 0, laura.id or 0, NOW)
    assert names(any_engine, business, "vidal") == []


def test_another_business_is_never_found(any_engine: Engine, business: Business) -> None:
    other = make_business(any_engine, name="Otra tienda")
    client_maker(any_engine, other)(
        "Laura Sánchez", email="laura@otra.es", company="Ferretería Sur", tags="vip"
    )
    for piece in ("sánchez", "laura@otra", "ferretería", "vip", "ía", "@"):
        assert names(any_engine, business, piece) == [], piece
        assert names(any_engine, other, piece) == ["Laura Sánchez"], piece


def test_the_database_finds_the_pieces_in_its_index(any_engine: Engine, business: Business) -> None:
    """Not a timing: the plan says the index is read rather than every client (of a
    business with thousands, which the database's statistics know of)."""
    with any_engine.begin() as conn:
        conn.execute(insert(Client), [
            {"business_id": business.id, "name": f"Cliente {n}", "email": f"c{n}@example.es",
             "company": f"Empresa {n % 50}", "phone": "", "tags": "bici", "notes": "",
             "greeting": "", "status": "active", "do_not_contact": False, "created_at": NOW}
            for n in range(5_000)
        ])  # fmt: skip
    if any_engine.dialect.name == "postgresql":
        with any_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE client")
    with read_session(any_engine) as session:
        query = clients_query(business.id or 0, q="fernández")
        compiled = query.compile(any_engine, compile_kwargs={"literal_binds": True})
        if any_engine.dialect.name == "sqlite":
            plan = " ".join(
                str(row[-1]) for row in session.connection().exec_driver_sql(
                    f"EXPLAIN QUERY PLAN {compiled}"
                )
            )  # fmt: skip
            assert "VIRTUAL TABLE INDEX" in plan, plan
        else:
            conn = session.connection()
            plan = " ".join(
                str(row[0]) for row in conn.exec_driver_sql(f"EXPLAIN {compiled}")
            )
            assert client_search.PG_INDEX in plan, plan


def test_forgetting_leaves_no_piece_of_the_name_in_the_sqlite_index(engine: Engine) -> None:
    business = make_business(engine)
    begona = client_maker(engine, business)("Begoña Ibáñez", email="bego@example.es")
    forget_for_good(engine, business.id or 0, begona.id or 0, NOW)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE VIRTUAL TABLE temp.pieces USING fts5vocab(main, client_search, 'row')"
        )
        pieces = {row[0] for row in conn.exec_driver_sql("SELECT term FROM temp.pieces")}
    assert pieces, "the index holds the other pieces: the forgotten client's line"
    assert not pieces & {"beg", "ego", "gon", "ona", "iba", "ban", "ane", "nez"}, pieces


def test_the_index_goes_and_comes_back_with_its_migration(
    any_engine: Engine, business: Business
) -> None:
    from alembic import command

    client_maker(any_engine, business)("Laura Sánchez")
    command.downgrade(alembic_config(any_engine), "0015")
    with any_engine.connect() as conn:
        if any_engine.dialect.name == "sqlite":
            left = conn.execute(text(
                "SELECT name FROM sqlite_master WHERE name LIKE 'client_search%'"
            )).all()  # fmt: skip
        else:
            left = conn.execute(text(
                "SELECT indexname FROM pg_indexes WHERE indexname LIKE '%trigram'"
            )).all()  # fmt: skip
    assert left == []
    migrate(any_engine)
    assert names(any_engine, business, "sánchez") == ["Laura Sánchez"]  # rebuilt from rows
