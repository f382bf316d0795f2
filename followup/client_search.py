"""Finding clients by a piece of their name, email, company or tags, in any case and with
or without accents ("jose" finds "José", "PENA" finds "Peña"), without reading every
client: an index of the three-letter pieces of one searchable text per client, those four
fields with their accents folded.

- SQLite: a contentless FTS5 table with the ``trigram`` tokenizer (``client_search``),
  kept in step with ``client`` by triggers, so every way of writing a client (the ORM,
  the spreadsheet import's bulk statements, forgetting) updates it.
- PostgreSQL: ``pg_trgm``'s GIN index on the same text, which its planner uses for
  ``LIKE '%piece%'``. Where the extension cannot be installed, the search still works by
  reading every client.

``matches(text)`` is the one condition the services put in a query; it is written in
each database's terms when the query is compiled. A piece shorter than three characters
has no trigram: it is looked for by reading the rows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Select, String, literal_column, select, table
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ColumnElement
from sqlmodel import col

from followup.models import Client

INDEX = "client_search"
COLUMNS = ("name", "email", "company", "tags")
SHORTEST = 3  # a trigram index knows pieces of three characters or more
PG_INDEX = "ix_client_search_trigram"

# The accents folded, in the names of Spain and its neighbours (SQLite has no translate():
# its triggers replace one letter at a time, and a longer list overflows its parser).
_ACCENTED = "áéíóúüñàèòçïÁÉÍÓÚÜÑÀÈÒÇÏ"
_PLAIN = "aeiouunaeociAEIOUUNAEOCI"
_FOLD = str.maketrans(_ACCENTED, _PLAIN)


def fold(text: str) -> str:
    """What the index holds of ``text``, and what a search looks for: lower case, and
    the accents of ``_ACCENTED`` taken off."""
    return text.lower().translate(_FOLD)


def _text_sql(dialect: str, prefix: str = "") -> str:
    """A client's searchable text in SQL: the four fields, one a line, accents folded."""
    newline = "chr(10)" if dialect == "postgresql" else "char(10)"
    joined = f" || {newline} || ".join(f"coalesce({prefix}{column}, '')" for column in COLUMNS)
    if dialect == "postgresql":
        return f"lower(translate({joined}, '{_ACCENTED}', '{_PLAIN}'))"
    for accented, plain in zip(_ACCENTED, _PLAIN, strict=True):
        joined = f"replace({joined}, '{accented}', '{plain}')"
    return joined  # FTS5's trigrams ignore case by themselves


class ClientTextMatch(ColumnElement[bool]):
    """True for a client whose name, email, company or tags hold ``needle``."""

    type = Boolean()
    # The needle becomes bound values while compiling: never reuse a compiled statement.
    inherit_cache = False

    def __init__(self, needle: str) -> None:
        self.needle = needle


def matches(text: str) -> ClientTextMatch:
    return ClientTextMatch(fold(text.strip()))


def _text_holds(dialect: str, needle: str) -> ColumnElement[bool]:
    searchable = literal_column(_text_sql(dialect, "client."), String)
    return searchable.contains(needle, autoescape=True)


# Each is put in parentheses: an OR inside a WHERE ... AND ... must stay one condition.
@compiles(ClientTextMatch)
def _compile(element: ClientTextMatch, compiler: SQLCompiler, **kw: Any) -> str:
    # The same expression as the GIN index's: PostgreSQL's planner finds it by itself.
    holds = _text_holds(compiler.dialect.name, element.needle)
    return f"({compiler.process(holds, **kw)})"


@compiles(ClientTextMatch, "sqlite")
def _compile_sqlite(element: ClientTextMatch, compiler: SQLCompiler, **kw: Any) -> str:
    if len(element.needle) < SHORTEST:
        return f"({compiler.process(_text_holds('sqlite', element.needle), **kw)})"
    # One FTS5 phrase: the rows whose text holds the whole needle.
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


def create_statements(dialect: str) -> list[str]:
    if dialect == "postgresql":
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
                    CREATE INDEX IF NOT EXISTS {PG_INDEX}
                    ON client USING gin (({_text_sql(dialect)}) gin_trgm_ops);
                END IF;
            END $$""",
        ]
    forget = (
        f"INSERT INTO {INDEX} ({INDEX}, rowid, text) "
        f"VALUES ('delete', old.id, {_text_sql(dialect, 'old.')})"
    )
    learn = f"INSERT INTO {INDEX} (rowid, text) VALUES (new.id, {_text_sql(dialect, 'new.')})"
    # Contentless (the text is the folded one, not a column of ``client``), and no column
    # sizes (they serve ranking, which the search does not do): faster to fill, which the
    # import of a large spreadsheet feels.
    return [
        f"CREATE VIRTUAL TABLE {INDEX} USING fts5(text, content='', "
        "tokenize='trigram', columnsize=0)",
        f"INSERT INTO {INDEX} (rowid, text) SELECT id, {_text_sql(dialect)} FROM client",
        f"CREATE TRIGGER {INDEX}_insert AFTER INSERT ON client BEGIN {learn}; END",
        f"CREATE TRIGGER {INDEX}_delete AFTER DELETE ON client BEGIN {forget}; END",
        f"CREATE TRIGGER {INDEX}_update AFTER UPDATE OF {', '.join(COLUMNS)} ON client "
        f"BEGIN {forget}; {learn}; END",
    ]


def drop_statements(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [f"DROP INDEX IF EXISTS {PG_INDEX}"]
    return [
        *(f"DROP TRIGGER IF EXISTS {INDEX}_{event}" for event in ("insert", "delete", "update")),
        f"DROP TABLE IF EXISTS {INDEX}",
    ]


def tidy_statements(dialect: str) -> list[str]:
    """After a client is forgotten (SQLite): the index's pieces merged into one, so the
    deleted client's pieces are gone from its pages, not only marked deleted."""
    return [f"INSERT INTO {INDEX} ({INDEX}) VALUES ('optimize')"] if dialect == "sqlite" else []
