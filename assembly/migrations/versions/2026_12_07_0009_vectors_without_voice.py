"""proposal vectors: drop the stored ones, computed from text that still had the speaker's voice

Every embedder now reads a proposal without its voice words (issue 14). Stored vectors are a
cache of that reading, so the old ones are deleted rather than compared with new ones; they are
computed again the next time an assembly is clustered or a proposal is looked up.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 23:55:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM proposal_vectors")


def downgrade() -> None:
    op.execute("DELETE FROM proposal_vectors")
