"""Alembic environment: the engine is handed over by ``followup.db.migrate``."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from followup import client_search, models  # noqa: F401  (models registers the tables)

config = context.config
target_metadata = SQLModel.metadata


def _not_the_search_index(name: str | None, kind: str, _parents: object) -> bool:
    """FTS5's tables behind the client search are no model: autogenerate leaves them."""
    return not (kind == "table" and client_search.is_index_table(name))


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        from followup.config import get_settings
        from followup.db import make_engine

        engine = make_engine(get_settings())
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            include_name=_not_the_search_index,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
