"""join codes of eight digits: too many to guess within an assembly's lifetime

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 20:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing six-digit codes stay valid; new assemblies get eight digits (docs/security.md).
    with op.batch_alter_table("assemblies", schema=None) as batch_op:
        batch_op.alter_column(
            "join_code", existing_type=sa.String(length=6), type_=sa.String(length=8)
        )


def downgrade() -> None:
    with op.batch_alter_table("assemblies", schema=None) as batch_op:
        batch_op.alter_column(
            "join_code", existing_type=sa.String(length=8), type_=sa.String(length=6)
        )
