"""a counter of committed changes, kept by triggers: the dashboard serves a page again
while nothing changed

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-23 10:00:00
"""

from collections.abc import Sequence

from alembic import op

from followup import changes

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every table of 0014 but the login failures (see ``changes.UNWATCHED``).
TABLES = (
    "apitoken", "business", "client", "dailyrun", "digest", "event", "guarantee",
    "guaranteeclaim", "inboxmessage", "inboxstate", "incident", "letter", "ownerline",
    "pick", "pin", "sendingpause", "templateoverride", "user",
)  # fmt: skip


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in changes.create_counter(dialect) + changes.watch(dialect, TABLES):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in changes.unwatch(dialect, TABLES) + changes.drop_counter(dialect):
        op.execute(statement)
