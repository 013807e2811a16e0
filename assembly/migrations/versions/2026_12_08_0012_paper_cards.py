"""paper cards: table assistants, printed cards, their audit trail, entered stacks (issue 20)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 02:10:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "table_assistants",
        sa.Column(
            "assembly_id",
            sa.Integer(),
            sa.ForeignKey("assemblies.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
        ),
    )
    op.create_table(
        "paper_cards",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "assembly_id",
            sa.Integer(),
            sa.ForeignKey("assemblies.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("vote_id", sa.Integer(), sa.ForeignKey("votes.id", ondelete="CASCADE")),
        sa.Column(
            "participant_id", sa.Integer(), sa.ForeignKey("participants.id", ondelete="SET NULL")
        ),
        sa.Column("entered_by", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("entered_at", sa.DateTime(timezone=True)),
        sa.Column("client_key", sa.String(length=64)),
        sa.Column("corrected_by", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("corrected_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("assembly_id", "number"),
    )
    op.create_index("ix_paper_cards_assembly_id", "paper_cards", ["assembly_id"])
    op.create_index("ix_paper_cards_vote_id", "paper_cards", ["vote_id"])
    op.create_index("ix_paper_cards_participant_id", "paper_cards", ["participant_id"])
    op.create_table(
        "paper_card_changes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "card_id",
            sa.Integer(),
            sa.ForeignKey("paper_cards.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("change", sa.String(length=20), nullable=False),
        sa.Column("before", sa.Text(), nullable=False),
        sa.Column("after", sa.Text(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_paper_card_changes_card_id", "paper_card_changes", ["card_id"])
    op.create_table(
        "paper_stacks",
        sa.Column(
            "vote_id", sa.Integer(), sa.ForeignKey("votes.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column(
            "user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("paper_stacks")
    op.drop_table("paper_card_changes")
    op.drop_table("paper_cards")
    op.drop_table("table_assistants")
