"""an index of the three-letter pieces of clients' names, emails, companies and tags:
the search finds them without reading every client

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-23 12:00:00
"""

from collections.abc import Sequence

from alembic import op

from followup import client_search

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for statement in client_search.create_statements(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in client_search.drop_statements(op.get_bind().dialect.name):
        op.execute(statement)
