"""Tables of the deliberation context: proposals, supports, vectors, groups and issues."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from assembly.db import Base
from assembly.timeutil import utcnow


class Proposal(Base):
    __tablename__ = "proposals"
    __table_args__ = (UniqueConstraint("participant_id", "client_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(
        ForeignKey("assemblies.id", ondelete="CASCADE"), index=True
    )
    step_id: Mapped[int | None] = mapped_column(ForeignKey("steps.id", ondelete="SET NULL"))
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL")
    )
    network_id: Mapped[int | None] = mapped_column(ForeignKey("networks.id"))
    text: Mapped[str] = mapped_column(Text)
    client_key: Mapped[str | None] = mapped_column(String(64))
    """Idempotency key made by the phone: a resend after a dropped connection stores nothing new."""
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    edited: Mapped[bool] = mapped_column(Boolean, default=False)
    support_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposal_groups.id", ondelete="SET NULL", name="fk_proposals_group_id"),
        index=True,
    )
    """The group (issue) it is in; None: not grouped yet, or in the unsorted tray."""
    source: Mapped[str | None] = mapped_column(String(200))
    """Where an imported proposal came from ("file.csv row 12"); None when typed on a phone."""


class Support(Base):
    """A +1: one per participant per proposal, enforced by the primary key."""

    __tablename__ = "supports"

    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ProposalVector(Base):
    """A proposal's embedding, computed once and kept: the embedder's name says which model made
    it, so a change of model re-embeds instead of comparing vectors from two spaces."""

    __tablename__ = "proposal_vectors"

    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True
    )
    embedder: Mapped[str] = mapped_column(String(20))
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    """float32 values, little-endian (numpy `tobytes`)."""


class Grouping(Base):
    """The clustering of one assembly's proposals: one row per assembly, its version bumped by
    every re-clustering so a request made against an older one can be refused."""

    __tablename__ = "groupings"

    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(
        ForeignKey("assemblies.id", ondelete="CASCADE"), unique=True
    )
    version: Mapped[int] = mapped_column(Integer, default=1)
    granularity: Mapped[float] = mapped_column(Float, default=0.0)
    n_clusters: Mapped[int | None] = mapped_column(Integer)
    embedder: Mapped[str] = mapped_column(String(20), default="")
    clustered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ProposalGroup(Base):
    """A group of proposals; once curated it is locked, and marked groups are the issues."""

    __tablename__ = "proposal_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(
        ForeignKey("assemblies.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200), default="")
    terms: Mapped[str] = mapped_column(String(400), default="")
    """Key terms joined by a newline."""
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    """Curated: re-clustering leaves it and its members alone."""
    is_issue: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    """Bumped by every facilitator change, so an edit made on a stale view is refused (409)."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# --- the draft and adopt steps: agenda items, working groups, suggestions, consent -----------


class AgendaItem(Base):
    """One item of the provincial agenda (วาระ), drafted from an issue.

    Plans (with their activities), indicators and the working mechanism are JSON lists kept on
    the item: they are always edited, shown and exported together with it, and one `version`
    for the whole item is what lets a stale edit be refused instead of silently overwriting.
    """

    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(
        ForeignKey("assemblies.id", ondelete="CASCADE"), index=True
    )
    issue_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposal_groups.id", ondelete="SET NULL")
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    goal: Mapped[str] = mapped_column(Text, default="")
    virtues: Mapped[list[str]] = mapped_column(JSON, default=list)
    plans: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    indicators: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    mechanism: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(Integer, default=1)
    """Bumped by every change; an edit made against an older version is refused (409)."""
    adopted: Mapped[bool] = mapped_column(Boolean, default=False)
    adopted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WorkingGroupMember(Base):
    """A participant's choice of the one agenda item they work on (choosing again moves them)."""

    __tablename__ = "agenda_working_groups"
    __table_args__ = (UniqueConstraint("assembly_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(ForeignKey("assemblies.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AgendaSuggestion(Base):
    """Text suggested for one part of an item: by a phone, or an edit kept after a conflict."""

    __tablename__ = "agenda_suggestions"
    __table_args__ = (UniqueConstraint("participant_id", "client_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(
        ForeignKey("assemblies.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL")
    )
    network_id: Mapped[int | None] = mapped_column(ForeignKey("networks.id"))
    part: Mapped[str] = mapped_column(String(20))
    """goal | virtue | plan | activity | indicator | mechanism | note | conflict"""
    text: Mapped[str] = mapped_column(Text)
    client_key: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default="open")
    """open | accepted | dismissed"""
    support_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SuggestionSupport(Base):
    """A +1 on a suggestion: one per participant, enforced by the primary key."""

    __tablename__ = "agenda_suggestion_supports"

    suggestion_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_suggestions.id", ondelete="CASCADE"), primary_key=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True
    )


class ConsentVote(Base):
    """A participant's answer in an item's consent round; answering again replaces it."""

    __tablename__ = "consent_votes"
    __table_args__ = (UniqueConstraint("item_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    network_id: Mapped[int | None] = mapped_column(ForeignKey("networks.id"))
    """The voter's network when answering: results stay put if they change network later."""
    answer: Mapped[str] = mapped_column(String(20))
    """agree | can_live_with | object"""
    reason: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    handling: Mapped[str] = mapped_column(String(20), default="", server_default="")
    """How the facilitator handled this objection: "" (not yet), amended (the item was changed),
    answered (noted, with an answer), withdrawn (its author withdrew it). Reset when the
    participant answers again."""
    handling_note: Mapped[str] = mapped_column(Text, default="", server_default="")


class AgendaDocumentSettings(Base):
    """What the organizer adds to the exported agenda: the background text (ความเป็นมา), the
    organizer's name as printed, and how numbers and years are written."""

    __tablename__ = "agenda_documents"

    assembly_id: Mapped[int] = mapped_column(
        ForeignKey("assemblies.id", ondelete="CASCADE"), primary_key=True
    )
    background: Mapped[str] = mapped_column(Text, default="")
    organizer: Mapped[str] = mapped_column(String(200), default="")
    thai_numerals: Mapped[bool] = mapped_column(Boolean, default=True)
    buddhist_era: Mapped[bool] = mapped_column(Boolean, default=True)
    adoption_rule: Mapped[str] = mapped_column(
        String(20), default="no_objection", server_default="no_objection"
    )
    """no_objection (every objection handled) or threshold (at least `adoption_threshold` per
    cent agree or can live with it in every network that answered); see consent.check_rule."""
    adoption_threshold: Mapped[int] = mapped_column(Integer, default=80, server_default="80")
    annex: Mapped[str] = mapped_column(String(10), default="all", server_default="all")
    """all (every visible proposal), issues (only those in issues) or none."""
    proposed_by: Mapped[str] = mapped_column(Text, default="", server_default="")
    proposed_by_position: Mapped[str] = mapped_column(Text, default="", server_default="")
    endorsed_by: Mapped[str] = mapped_column(Text, default="", server_default="")
    endorsed_by_position: Mapped[str] = mapped_column(Text, default="", server_default="")
    announced_on: Mapped[date | None] = mapped_column(Date)
    """"ประกาศ ณ วันที่" of the provincial announcement; blank leaves a dotted line."""
    emblem: Mapped[bytes | None] = mapped_column(LargeBinary)
    """The emblem (ตราครุฑ or the province's seal) the organizer uploads, PNG or JPEG."""
