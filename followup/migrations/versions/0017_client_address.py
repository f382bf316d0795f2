"""clients: a postal address, for a printed letter

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-23 10:00:00
"""

import sqlite3
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing clients get the empty string: no address known, as for a new client.
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "address",
                sqlmodel.sql.sqltypes.AutoString(length=300),
                nullable=False,
                server_default="",
            )
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite" and sqlite3.sqlite_version_info >= (3, 35):
        # SQLite's own DROP COLUMN, not a batch's copy of the table: with foreign keys on,
        # dropping the old table fails while events, letters and picks point at its rows.
        op.execute("ALTER TABLE client DROP COLUMN address")
        return
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.drop_column("address")
