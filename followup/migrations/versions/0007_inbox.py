"""the owner's inbox: where reading got to, and the messages read

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-10 10:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # autogenerate writes sqlmodel.sql.sqltypes.AutoString
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'inboxstate',
        sa.Column('business_id', sa.Integer(), nullable=False),
        sa.Column('uidvalidity', sa.BigInteger(), nullable=True),
        sa.Column('last_uid', sa.BigInteger(), nullable=False),
        sa.Column('since', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('paused_reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column('paused_since', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('checked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['business_id'], ['business.id'], ),
        sa.PrimaryKeyConstraint('business_id'),
    )
    op.create_table(
        'inboxmessage',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('business_id', sa.Integer(), nullable=False),
        sa.Column('message_key', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column('letter_id', sa.Integer(), nullable=True),
        sa.Column('client_id', sa.Integer(), nullable=True),
        sa.Column('event_id', sa.Integer(), nullable=True),
        sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column('status_code', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column('received_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['business_id'], ['business.id'], ),
        sa.ForeignKeyConstraint(['client_id'], ['client.id'], ),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], ),
        sa.ForeignKeyConstraint(['letter_id'], ['letter.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('business_id', 'message_key', name='uq_inbox_message'),
    )
    op.create_index('ix_inboxmessage_letter_id', 'inboxmessage', ['letter_id'], unique=False)
    op.create_index('ix_inboxmessage_client_id', 'inboxmessage', ['client_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_inboxmessage_client_id', table_name='inboxmessage')
    op.drop_index('ix_inboxmessage_letter_id', table_name='inboxmessage')
    op.drop_table('inboxmessage')
    op.drop_table('inboxstate')
