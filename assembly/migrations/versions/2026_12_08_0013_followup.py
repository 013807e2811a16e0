"""follow-up: the working group, agencies and reporting links, targets, reports and photos,
learning notes, next year's assembly (issue 18)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08 05:10:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _assembly_fk() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        "assembly_id",
        sa.Integer(),
        sa.ForeignKey("assemblies.id", ondelete="CASCADE"),
        nullable=False,
    )


def _created() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "working_group_accounts",
        sa.Column(
            "assembly_id",
            sa.Integer(),
            sa.ForeignKey("assemblies.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("role", sa.String(length=20), nullable=False),
    )
    op.create_table(
        "followup_settings",
        sa.Column(
            "assembly_id",
            sa.Integer(),
            sa.ForeignKey("assemblies.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("rounds", sa.JSON(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("public_page", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "followup_members",
        sa.Column("id", sa.Integer(), primary_key=True),
        _assembly_fk(),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("network_key", sa.String(length=40), nullable=False),
        sa.Column("agency", sa.String(length=300), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("contact", sa.String(length=300), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL")),
        _created(),
    )
    op.create_index("ix_followup_members_assembly_id", "followup_members", ["assembly_id"])
    op.create_table(
        "followup_agencies",
        sa.Column("id", sa.Integer(), primary_key=True),
        _assembly_fk(),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("network_key", sa.String(length=40), nullable=False),
        sa.Column("link_hash", sa.String(length=64), unique=True),
        sa.Column("link_hint", sa.String(length=8), nullable=False),
        sa.Column("link_issued_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        _created(),
        sa.UniqueConstraint("assembly_id", "name"),
    )
    op.create_index("ix_followup_agencies_assembly_id", "followup_agencies", ["assembly_id"])
    op.create_table(
        "followup_targets",
        sa.Column("id", sa.Integer(), primary_key=True),
        _assembly_fk(),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column(
            "parent_id", sa.Integer(), sa.ForeignKey("followup_targets.id", ondelete="CASCADE")
        ),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("agenda_items.id", ondelete="SET NULL")),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("virtues", sa.JSON(), nullable=False),
        sa.Column("unit", sa.String(length=100), nullable=False),
        sa.Column("baseline_text", sa.String(length=100), nullable=False),
        sa.Column("target_text", sa.String(length=100), nullable=False),
        sa.Column("deadline", sa.Date()),
        sa.Column("budget", sa.BigInteger()),
        sa.Column(
            "agency_id", sa.Integer(), sa.ForeignKey("followup_agencies.id", ondelete="SET NULL")
        ),
        sa.Column("person", sa.String(length=300), nullable=False),
        _created(),
    )
    for column in ("assembly_id", "parent_id", "item_id", "agency_id"):
        op.create_index(f"ix_followup_targets_{column}", "followup_targets", [column])
    op.create_table(
        "followup_reports",
        sa.Column("id", sa.Integer(), primary_key=True),
        _assembly_fk(),
        sa.Column(
            "target_id",
            sa.Integer(),
            sa.ForeignKey("followup_targets.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "agency_id",
            sa.Integer(),
            sa.ForeignKey("followup_agencies.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("client_key", sa.String(length=64)),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("done", sa.Text(), nullable=False),
        sa.Column("people_reached", sa.Integer()),
        sa.Column("money_spent", sa.BigInteger()),
        sa.Column("value_text", sa.String(length=100), nullable=False),
        sa.Column("measured_on", sa.Date()),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("worked", sa.Text(), nullable=False),
        sa.Column("not_worked", sa.Text(), nullable=False),
        sa.Column("change", sa.Text(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        _created(),
        sa.UniqueConstraint("agency_id", "client_key"),
    )
    for column in ("assembly_id", "target_id", "agency_id"):
        op.create_index(f"ix_followup_reports_{column}", "followup_reports", [column])
    op.create_table(
        "followup_photos",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "report_id",
            sa.Integer(),
            sa.ForeignKey("followup_reports.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
    )
    op.create_index("ix_followup_photos_report_id", "followup_photos", ["report_id"])
    op.create_table(
        "followup_notes",
        sa.Column("id", sa.Integer(), primary_key=True),
        _assembly_fk(),
        sa.Column(
            "target_id",
            sa.Integer(),
            sa.ForeignKey("followup_targets.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("author", sa.String(length=300), nullable=False),
        sa.Column("worked", sa.Text(), nullable=False),
        sa.Column("not_worked", sa.Text(), nullable=False),
        sa.Column("change", sa.Text(), nullable=False),
        _created(),
    )
    op.create_index("ix_followup_notes_assembly_id", "followup_notes", ["assembly_id"])
    op.create_index("ix_followup_notes_target_id", "followup_notes", ["target_id"])
    op.create_table(
        "followup_carried_over",
        sa.Column(
            "assembly_id",
            sa.Integer(),
            sa.ForeignKey("assemblies.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("previous_id", sa.Integer(), sa.ForeignKey("assemblies.id", ondelete="SET NULL")),
        _created(),
    )
    op.create_index(
        "ix_followup_carried_over_previous_id",
        "followup_carried_over",
        ["previous_id"],
        unique=True,  # one next year per assembly: a double tap must not make two
    )
    op.create_table(
        "followup_carried_items",
        sa.Column(
            "item_id",
            sa.Integer(),
            sa.ForeignKey("agenda_items.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "previous_target_id",
            sa.Integer(),
            sa.ForeignKey("followup_targets.id", ondelete="SET NULL"),
        ),
    )
    op.create_table(
        "followup_proposal_tags",
        sa.Column(
            "proposal_id",
            sa.Integer(),
            sa.ForeignKey("proposals.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "previous_target_id",
            sa.Integer(),
            sa.ForeignKey("followup_targets.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("tag", sa.String(length=10), nullable=False),
    )
    op.create_index(
        "ix_followup_proposal_tags_previous_target_id",
        "followup_proposal_tags",
        ["previous_target_id"],
    )


def downgrade() -> None:
    for table in (
        "followup_proposal_tags",
        "followup_carried_items",
        "followup_carried_over",
        "followup_notes",
        "followup_photos",
        "followup_reports",
        "followup_targets",
        "followup_agencies",
        "followup_members",
        "followup_settings",
        "working_group_accounts",
    ):
        op.drop_table(table)
