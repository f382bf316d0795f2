"""a special guarantee's lifecycle: each claim's complaint and the payout it promised

Revision ID: 0010
Create Date: 2026-12-14 10:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # autogenerate writes sqlmodel.sql.sqltypes.AutoString
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('guaranteeclaim', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event_id', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                'payout',
                sqlmodel.sql.sqltypes.AutoString(length=500),
                nullable=False,
                server_default='',
            )
        )
        batch_op.create_index(
            batch_op.f('ix_guaranteeclaim_event_id'), ['event_id'], unique=False
        )
        batch_op.create_foreign_key(
            'fk_guaranteeclaim_event_id_event', 'event', ['event_id'], ['id']
        )


def downgrade() -> None:
    with op.batch_alter_table('guaranteeclaim', schema=None) as batch_op:
        batch_op.drop_constraint('fk_guaranteeclaim_event_id_event', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_guaranteeclaim_event_id'))
        batch_op.drop_column('payout')
        batch_op.drop_column('event_id')
