"""incidents: the compensation's kind and amount, beside the owner's words on the event

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-22 10:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('compensation_kind', sa.String(length=20),
                      nullable=True)
        )
        batch_op.add_column(
            sa.Column('compensation_amount', sa.String(length=20),
                      nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_column('compensation_amount')
        batch_op.drop_column('compensation_kind')
