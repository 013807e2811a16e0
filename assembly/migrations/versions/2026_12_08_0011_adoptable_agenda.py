"""The agenda a province can announce (issue 17): counted votes and second rounds, objection
handling, the adoption rule, the annex choice, the approval block and the announcement.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 02:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DOCUMENT_TEXT = (
    "proposed_by",
    "proposed_by_position",
    "endorsed_by",
    "endorsed_by_position",
)


def upgrade() -> None:
    with op.batch_alter_table("votes") as batch:
        batch.add_column(sa.Column("standing", sa.String(20), nullable=False, server_default=""))
        batch.add_column(sa.Column("seeded_from", sa.Integer(), nullable=True))
    with op.batch_alter_table("consent_votes") as batch:
        batch.add_column(sa.Column("handling", sa.String(20), nullable=False, server_default=""))
        batch.add_column(sa.Column("handling_note", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("agenda_documents") as batch:
        batch.add_column(
            sa.Column("adoption_rule", sa.String(20), nullable=False, server_default="no_objection")
        )
        batch.add_column(
            sa.Column("adoption_threshold", sa.Integer(), nullable=False, server_default="80")
        )
        batch.add_column(sa.Column("annex", sa.String(10), nullable=False, server_default="all"))
        for name in DOCUMENT_TEXT:
            batch.add_column(sa.Column(name, sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("announced_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("emblem", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("agenda_documents") as batch:
        for name in ("emblem", "announced_on", *DOCUMENT_TEXT, "annex", "adoption_threshold"):
            batch.drop_column(name)
        batch.drop_column("adoption_rule")
    with op.batch_alter_table("consent_votes") as batch:
        batch.drop_column("handling_note")
        batch.drop_column("handling")
    with op.batch_alter_table("votes") as batch:
        batch.drop_column("seeded_from")
        batch.drop_column("standing")
