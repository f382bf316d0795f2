"""Finding clients by a piece of their name, email, company or tags, in any case, without
reading every client: an index of the three-letter pieces of those columns.

- SQLite: an FTS5 table with the ``trigram`` tokenizer over the four columns
  (``client_search``), kept in step with ``client`` by triggers, so every way of writing
  a client (the ORM, the spreadsheet import's bulk statements, forgetting) updates it.
- PostgreSQL: ``pg_trgm``'s GIN indexes on ``lower(column)``, which its planner uses for
  ``LIKE '%piece%'``. Where the extension cannot be installed, the search still works by
  reading every client.

``matches(text)`` is the one condition the services put in a query; it is written in
each database's terms when the query is compiled. A piece shorter than three characters
has no trigram: it is looked for by reading the rows, as before.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Select, func, literal_column, or_, select, table
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ColumnElement
from sqlmodel import col

from followup.models import Client

INDEX = "client_search"
COLUMNS = ("name", "email", "company", "tags")
SHORTEST = 3  # a trigram index knows pieces of three characters or more


class ClientTextMatch(ColumnElement[bool]):
    """True for a client whose name, email, company or tags hold ``needle``."""

    type = Boolean()
    # The needle becomes bound values while compiling: never reuse a compiled statement.
    inherit_cache = False

    def __init__(self, needle: str) -> None:
        self.needle = needle


def matches(text: str) -> ClientTextMatch:
    return ClientTextMatch(text.strip().lower())


def _any_column_holds(needle: str) -> ColumnElement[bool]:
    return or_(
        *(
            func.lower(col(getattr(Client, column))).contains(needle, autoescape=True)
            for column in COLUMNS
        )
    )


# Each is put in parentheses: an OR inside a WHERE ... AND ... must stay one condition.
@compiles(ClientTextMatch)
def _compile(element: ClientTextMatch, compiler: SQLCompiler, **kw: Any) -> str:
    # PostgreSQL's planner finds the GIN indexes for these LIKEs by itself.
    return f"({compiler.process(_any_column_holds(element.needle), **kw)})"


@compiles(ClientTextMatch, "sqlite")
def _compile_sqlite(element: ClientTextMatch, compiler: SQLCompiler, **kw: Any) -> str:
    if len(element.needle) < SHORTEST:
        return f"({compiler.process(_any_column_holds(element.needle), **kw)})"
    # One FTS5 phrase: the rows holding the whole needle, in any of the four columns.
    phrase = '"' + element.needle.replace('"', '""') + '"'
    found: Select[Any] = (
        select(literal_column("rowid"))
        .select_from(table(INDEX))
        .where(literal_column(INDEX).op("MATCH")(phrase))
    )
    return f"({compiler.process(col(Client.id).in_(found), **kw)})"


def is_index_table(name: str | None) -> bool:
    """Whether ``name`` is the search index or one of FTS5's own tables behind it (none
    of them is a model: Alembic's comparison leaves them out)."""
    return bool(name) and (name == INDEX or str(name).startswith(f"{INDEX}_"))


# --- The migration's statements -------------------------------------------------------

_LIST = ", ".join(COLUMNS)


def _values(prefix: str) -> str:
    return ", ".join(f"{prefix}.{column}" for column in COLUMNS)


def create_statements(dialect: str) -> list[str]:
    if dialect == "postgresql":
        indexes = "\n".join(
            f"CREATE INDEX IF NOT EXISTS ix_client_{column}_trigram "
            f"ON client USING gin (lower({column}) gin_trgm_ops);"
            for column in COLUMNS
        )
        # A trusted extension since PostgreSQL 13: a database's owner may install it.
        # Without it (older server, fewer rights) the search reads every client.
        return [
            """DO $$ BEGIN
                CREATE EXTENSION IF NOT EXISTS pg_trgm;
            EXCEPTION WHEN OTHERS THEN
                RAISE NOTICE 'pg_trgm is not available: client search reads every client';
            END $$""",
            f"""DO $$ BEGIN
                IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
                    {indexes}
                END IF;
            END $$""",
        ]
    old, new = _values("old"), _values("new")
    forget = f"INSERT INTO {INDEX} ({INDEX}, rowid, {_LIST}) VALUES ('delete', old.id, {old})"
    learn = f"INSERT INTO {INDEX} (rowid, {_LIST}) VALUES (new.id, {new})"
    # No column sizes (they serve ranking, which the search does not do): a tenth faster
    # to fill, which the import of a large spreadsheet feels.
    return [
        f"CREATE VIRTUAL TABLE {INDEX} USING fts5({_LIST}, content='client', "
        "content_rowid='id', tokenize='trigram', columnsize=0)",
        f"INSERT INTO {INDEX} ({INDEX}) VALUES ('rebuild')",
        f"CREATE TRIGGER {INDEX}_insert AFTER INSERT ON client BEGIN {learn}; END",
        f"CREATE TRIGGER {INDEX}_delete AFTER DELETE ON client BEGIN {forget}; END",
        f"CREATE TRIGGER {INDEX}_update AFTER UPDATE OF {_LIST} ON client "
        f"BEGIN {forget}; {learn}; END",
    ]


def drop_statements(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [f"DROP INDEX IF EXISTS ix_client_{column}_trigram" for column in COLUMNS]
    return [
        *(f"DROP TRIGGER IF EXISTS {INDEX}_{event}" for event in ("insert", "delete", "update")),
        f"DROP TABLE IF EXISTS {INDEX}",
    ]


def tidy_statements(dialect: str) -> list[str]:
    """After a client is forgotten (SQLite): the index's pieces merged into one, so the
    deleted client's pieces are gone from its pages, not only marked deleted."""
    return [f"INSERT INTO {INDEX} ({INDEX}) VALUES ('optimize')"] if dialect == "sqlite" else []
