"""issues: proposal vectors, groupings, proposal groups; proposals.group_id and source

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 12:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "proposal_vectors",
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("embedder", sa.String(length=20), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("proposal_id"),
    )
    op.create_table(
        "groupings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("granularity", sa.Float(), nullable=False),
        sa.Column("n_clusters", sa.Integer(), nullable=True),
        sa.Column("embedder", sa.String(length=20), nullable=False),
        sa.Column("clustered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["assembly_id"], ["assemblies.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("assembly_id"),
    )
    op.create_table(
        "proposal_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("terms", sa.String(length=400), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("is_issue", sa.Boolean(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["assembly_id"], ["assemblies.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("proposal_groups", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proposal_groups_assembly_id"), ["assembly_id"], unique=False
        )
    # SQLite cannot add a foreign key to an existing table: batch mode rebuilds it there
    # (and is a plain ALTER TABLE on PostgreSQL).
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("group_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("source", sa.String(length=200), nullable=True))
        batch_op.create_foreign_key(
            "fk_proposals_group_id", "proposal_groups", ["group_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_index(batch_op.f("ix_proposals_group_id"), ["group_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposals_group_id"))
        batch_op.drop_constraint("fk_proposals_group_id", type_="foreignkey")
        batch_op.drop_column("source")
        batch_op.drop_column("group_id")
    with op.batch_alter_table("proposal_groups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_groups_assembly_id"))
    op.drop_table("proposal_groups")
    op.drop_table("groupings")
    op.drop_table("proposal_vectors")
