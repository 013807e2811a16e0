"""steps: close by themselves when their timer reaches zero (issue 12)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 20:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A constant server default lets SQLite add the NOT NULL column in place (no table copy).
    op.add_column(
        "steps",
        sa.Column("close_when_done", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    with op.batch_alter_table("steps") as batch:
        batch.drop_column("close_when_done")
