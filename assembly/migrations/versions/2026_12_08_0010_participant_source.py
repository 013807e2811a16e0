"""participants: how each takes part, on a phone or on paper (issues 17, 20)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08 01:55:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "participants",
        sa.Column("source", sa.String(length=10), nullable=False, server_default="phone"),
    )


def downgrade() -> None:
    with op.batch_alter_table("participants") as batch:
        batch.drop_column("source")
