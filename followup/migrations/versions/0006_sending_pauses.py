"""sending pauses: a business whose mail server refused the login

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08 10:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # autogenerate writes sqlmodel.sql.sqltypes.AutoString
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'sendingpause',
        sa.Column('business_id', sa.Integer(), nullable=False),
        sa.Column('fingerprint', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column('paused_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['business_id'], ['business.id'], ),
        sa.PrimaryKeyConstraint('business_id'),
    )


def downgrade() -> None:
    op.drop_table('sendingpause')
