"""incidents: the cause, the corrective action and when the compensation was decided;
why a guarantee was cancelled

Revision ID: 0009
Create Date: 2026-12-14 10:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # autogenerate writes sqlmodel.sql.sqltypes.AutoString
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'incident',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('business_id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('compensated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('cause', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column('resolved_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['business_id'], ['business.id'], ),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('event_id', name='uq_incident_event'),
    )
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_business_id'), ['business_id'], unique=False)
    with op.batch_alter_table('guarantee', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('cancelled_why', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True)
        )
        batch_op.add_column(
            sa.Column('cancelled_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table('guarantee', schema=None) as batch_op:
        batch_op.drop_column('cancelled_at')
        batch_op.drop_column('cancelled_why')
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_business_id'))
    op.drop_table('incident')
