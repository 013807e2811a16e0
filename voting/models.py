"""Tables of the voting context: votes, their options, and one ballot per voter per vote."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assembly.db import Base
from assembly.timeutil import utcnow


class VoteStatus(StrEnum):
    DRAFT = "draft"  # being set up: options and method may still change, no ballots
    OPEN = "open"  # ballots accepted (while the vote step is open too)
    CLOSED = "closed"  # no more ballots; may be reopened


class Vote(Base):
    """One prioritisation vote of a vote step. A step has at most one open vote; its current
    vote (what phones show) is that open one, else its newest."""

    __tablename__ = "votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(
        ForeignKey("assemblies.id", ondelete="CASCADE"), index=True
    )
    step_id: Mapped[int] = mapped_column(ForeignKey("steps.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(20))
    """A `voting.methods.MethodKind`; its parameters are in `params`."""
    params: Mapped[dict[str, int | None]] = mapped_column(JSON, default=dict)
    subject: Mapped[str] = mapped_column(String(20), default="options")
    """"options" (typed by the facilitator, e.g. target virtues) or "issues" (curated issues)."""
    status: Mapped[str] = mapped_column(String(20), default=VoteStatus.DRAFT)
    revealed: Mapped[bool] = mapped_column(Boolean, default=False)
    """Whether participants see the results; staff always do."""
    standing: Mapped[str] = mapped_column(String(20), default="", server_default="")
    """What the vote is for the agenda, as the facilitator marked it: "" (not marked), counted
    (reported and used), trial or discarded (listed as such, never used)."""
    seeded_from: Mapped[int | None] = mapped_column(Integer)
    """The vote whose top options this one's options are (a second round)."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    options: Mapped[list[VoteOption]] = relationship(
        order_by="VoteOption.position", cascade="all, delete-orphan", lazy="selectin"
    )


class VoteOption(Base):
    __tablename__ = "vote_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(Text)
    issue_id: Mapped[int | None] = mapped_column(Integer)
    """The curated issue this option stands for; a plain integer until issues have a table."""


class Ballot(Base):
    """A voter's current ballot: one row per (vote, participant), replaced by newer ones.

    `client_seq` orders a voter's submissions: an upsert only overwrites a row with a smaller
    one, so a late retry of an older ballot never replaces a newer ballot.
    """

    __tablename__ = "ballots"
    __table_args__ = (UniqueConstraint("vote_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    content: Mapped[str] = mapped_column(Text)
    """The validated ballot as canonical JSON: {option: value} or [option, ...] best first."""
    client_seq: Mapped[int] = mapped_column(BigInteger)
    cast_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
