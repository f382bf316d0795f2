"""letters' phrase choices, greeting styles, phone label, the owner's own lines

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 22:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # autogenerate writes sqlmodel.sql.sqltypes.AutoString
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(name: str, length: int, default: str) -> sa.Column:
    return sa.Column(
        name,
        sqlmodel.sql.sqltypes.AutoString(length=length),
        nullable=False,
        server_default=default,
    )


def upgrade() -> None:
    with op.batch_alter_table('business', schema=None) as batch_op:
        batch_op.add_column(_text('greeting_usted', 20, 'estimado'))
        batch_op.add_column(_text('greeting_tu', 20, 'hola'))
        batch_op.add_column(_text('greeting_en', 20, 'dear'))
        batch_op.add_column(_text('phone_label', 20, ''))
    with op.batch_alter_table('letter', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phrases', sa.JSON(), nullable=False, server_default='{}'))
    op.create_table(
        'ownerline',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('business_id', sa.Integer(), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('locale', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column('keywords', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['business_id'], ['business.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('ownerline', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ownerline_business_id'), ['business_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ownerline', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ownerline_business_id'))
    op.drop_table('ownerline')
    with op.batch_alter_table('letter', schema=None) as batch_op:
        batch_op.drop_column('phrases')
    with op.batch_alter_table('business', schema=None) as batch_op:
        batch_op.drop_column('phone_label')
        batch_op.drop_column('greeting_en')
        batch_op.drop_column('greeting_tu')
        batch_op.drop_column('greeting_usted')
