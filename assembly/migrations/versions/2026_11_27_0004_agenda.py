"""agenda: items, working groups, suggestions and supports, consent votes, document settings

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 14:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agenda_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("issue_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("goal", sa.Text(), nullable=False),
        sa.Column("virtues", sa.JSON(), nullable=False),
        sa.Column("plans", sa.JSON(), nullable=False),
        sa.Column("indicators", sa.JSON(), nullable=False),
        sa.Column("mechanism", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("adopted", sa.Boolean(), nullable=False),
        sa.Column("adopted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["assembly_id"], ["assemblies.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["issue_id"], ["proposal_groups.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_agenda_items_assembly_id", "agenda_items", ["assembly_id"])
    op.create_table(
        "agenda_working_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["assembly_id"], ["assemblies.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["item_id"], ["agenda_items.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("assembly_id", "participant_id"),
    )
    op.create_index("ix_agenda_working_groups_item_id", "agenda_working_groups", ["item_id"])
    op.create_table(
        "agenda_suggestions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("network_id", sa.Integer(), nullable=True),
        sa.Column("part", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("client_key", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("support_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["assembly_id"], ["assemblies.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["item_id"], ["agenda_items.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["network_id"], ["networks.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("participant_id", "client_key"),
    )
    op.create_index("ix_agenda_suggestions_assembly_id", "agenda_suggestions", ["assembly_id"])
    op.create_index("ix_agenda_suggestions_item_id", "agenda_suggestions", ["item_id"])
    op.create_table(
        "agenda_suggestion_supports",
        sa.Column("suggestion_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["suggestion_id"], ["agenda_suggestions.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("suggestion_id", "participant_id"),
    )
    op.create_table(
        "consent_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=True),
        sa.Column("answer", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["agenda_items.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["network_id"], ["networks.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("item_id", "participant_id"),
    )
    op.create_index("ix_consent_votes_item_id", "consent_votes", ["item_id"])
    op.create_table(
        "agenda_documents",
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("background", sa.Text(), nullable=False),
        sa.Column("organizer", sa.String(length=200), nullable=False),
        sa.Column("thai_numerals", sa.Boolean(), nullable=False),
        sa.Column("buddhist_era", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["assembly_id"], ["assemblies.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("assembly_id"),
    )


def downgrade() -> None:
    op.drop_table("agenda_documents")
    op.drop_index("ix_consent_votes_item_id", table_name="consent_votes")
    op.drop_table("consent_votes")
    op.drop_table("agenda_suggestion_supports")
    op.drop_index("ix_agenda_suggestions_item_id", table_name="agenda_suggestions")
    op.drop_index("ix_agenda_suggestions_assembly_id", table_name="agenda_suggestions")
    op.drop_table("agenda_suggestions")
    op.drop_index("ix_agenda_working_groups_item_id", table_name="agenda_working_groups")
    op.drop_table("agenda_working_groups")
    op.drop_index("ix_agenda_items_assembly_id", table_name="agenda_items")
    op.drop_table("agenda_items")
