"""calls: a complaint that asks for a call, and the call task beside its apology

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-20 10:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('wants_call', sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table('letter', schema=None) as batch_op:
        batch_op.add_column(sa.Column('call_for_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            'fk_letter_call_for_id_letter', 'letter', ['call_for_id'], ['id']
        )
        batch_op.create_index('ix_letter_call_for_id', ['call_for_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('letter', schema=None) as batch_op:
        batch_op.drop_index('ix_letter_call_for_id')
        batch_op.drop_constraint('fk_letter_call_for_id_letter', type_='foreignkey')
        batch_op.drop_column('call_for_id')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('wants_call')
