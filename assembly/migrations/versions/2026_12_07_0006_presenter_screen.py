"""presenter screen: which view the projector shows, and whether it shows the join QR code

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 20:10:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Constant server defaults let SQLite add the NOT NULL columns in place (no table copy).
    op.add_column(
        "assemblies",
        sa.Column("presenter_view", sa.String(length=20), nullable=False, server_default="step"),
    )
    op.add_column(
        "assemblies",
        sa.Column("presenter_qr", sa.Boolean(), nullable=False, server_default=sa.true()),
    )


def downgrade() -> None:
    with op.batch_alter_table("assemblies") as batch:
        batch.drop_column("presenter_qr")
        batch.drop_column("presenter_view")
