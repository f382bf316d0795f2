"""greetings, draft flags, the owner's title per language and From name

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 21:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # autogenerate writes sqlmodel.sql.sqltypes.AutoString
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(name: str, length: int) -> sa.Column:
    # Existing rows get the empty string: "derive it", as for a new row.
    return sa.Column(
        name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=False, server_default=''
    )


def upgrade() -> None:
    with op.batch_alter_table('business', schema=None) as batch_op:
        batch_op.add_column(_text('owner_title_es', 200))
        batch_op.add_column(_text('owner_title_en', 200))
        batch_op.add_column(_text('from_name', 200))
    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.add_column(_text('greeting', 100))
    with op.batch_alter_table('letter', schema=None) as batch_op:
        batch_op.add_column(sa.Column('flags', sa.JSON(), nullable=False, server_default='[]'))


def downgrade() -> None:
    with op.batch_alter_table('letter', schema=None) as batch_op:
        batch_op.drop_column('flags')
    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.drop_column('greeting')
    with op.batch_alter_table('business', schema=None) as batch_op:
        batch_op.drop_column('from_name')
        batch_op.drop_column('owner_title_en')
        batch_op.drop_column('owner_title_es')
