"""the note that closes a special guarantee is a thank_you (LETTERS.md), not a kind

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-21 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A closing note drafted before: a thank-you, still linked to its guarantee, so picking
    # never drafts it again. An owner's edit of the old kind's template has no kind to
    # apply to any more.
    op.execute(sa.text("UPDATE letter SET kind = 'thank_you' WHERE kind = 'guarantee_closing'"))
    op.execute(sa.text("DELETE FROM templateoverride WHERE kind = 'guarantee_closing'"))


def downgrade() -> None:
    op.execute(
        sa.text(
            "UPDATE letter SET kind = 'guarantee_closing'"
            " WHERE kind = 'thank_you' AND guarantee_id IS NOT NULL"
        )
    )
