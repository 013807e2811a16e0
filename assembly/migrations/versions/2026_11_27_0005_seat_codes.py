"""seat codes: strict mode for official votes, one printed code per seat

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 16:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A constant server default lets SQLite add the NOT NULL column in place (no table copy).
    op.add_column(
        "assemblies",
        sa.Column("seat_codes_required", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "seat_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("moves", sa.Integer(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["assembly_id"], ["assemblies.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["network_id"], ["networks.id"]),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("assembly_id", "number"),
        sa.UniqueConstraint("code_hash"),
        sa.UniqueConstraint("participant_id"),
    )
    op.create_index("ix_seat_codes_assembly_id", "seat_codes", ["assembly_id"])


def downgrade() -> None:
    op.drop_index("ix_seat_codes_assembly_id", table_name="seat_codes")
    op.drop_table("seat_codes")
    with op.batch_alter_table("assemblies") as batch:
        batch.drop_column("seat_codes_required")
