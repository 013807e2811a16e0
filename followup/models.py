"""Tables of the follow-up: its settings, the working group, the agencies and their reporting
links, the adopted agenda frozen into targets, the reports with their photos, learning notes,
and what next year's assembly remembers of this one."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from assembly.db import Base
from assembly.timeutil import utcnow


class FollowupSettings(Base):
    """One per assembly whose follow-up has started: the fiscal year and its reporting rounds."""

    __tablename__ = "followup_settings"

    assembly_id: Mapped[int] = mapped_column(
        ForeignKey("assemblies.id", ondelete="CASCADE"), primary_key=True
    )
    fiscal_year: Mapped[int] = mapped_column(Integer)
    """Buddhist era: fiscal year 2570 runs from 1 October 2569 to 30 September 2570."""
    rounds: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    """[{"number": 1, "label": "ไตรมาสที่ 1", "due": "2027-01-15"}, ...] in number order."""
    started_on: Mapped[date] = mapped_column(Date)
    """When the agenda was frozen: the baselines are the values at this date."""
    public_page: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """The organizer's switch for the public read-only progress page (no personal data)."""
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FollowupMember(Base):
    """A member of the working group (คณะทำงาน); with an account, `user_id` names it and a
    `WorkingGroupAccount` grant gives it its role in the assembly."""

    __tablename__ = "followup_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(
        ForeignKey("assemblies.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    network_key: Mapped[str] = mapped_column(String(40), default="")
    agency: Mapped[str] = mapped_column(String(300), default="")
    role: Mapped[str] = mapped_column(String(20), default="member")  # chair | secretary | member
    contact: Mapped[str] = mapped_column(String(300), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FollowupAgency(Base):
    """An agency (หน่วยงาน) that reports on its targets through its own reporting link."""

    __tablename__ = "followup_agencies"
    __table_args__ = (UniqueConstraint("assembly_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(
        ForeignKey("assemblies.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(300))
    network_key: Mapped[str] = mapped_column(String(40), default="")
    link_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    """SHA-256 of the link's token: the token itself is shown once, when issued."""
    link_hint: Mapped[str] = mapped_column(String(8), default="")
    """The token's last characters, so staff can tell which printed link is which."""
    link_issued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FollowupTarget(Base):
    """One piece of the adopted agenda, frozen when the follow-up started: an item, a plan of
    it, an activity of a plan, or an indicator of the item (`parent_id` says whose)."""

    __tablename__ = "followup_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(
        ForeignKey("assemblies.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))  # item | plan | activity | indicator
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("followup_targets.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="SET NULL"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(Text, default="")
    """An item's goal."""
    virtues: Mapped[list[str]] = mapped_column(JSON, default=list)
    unit: Mapped[str] = mapped_column(String(100), default="")
    baseline_text: Mapped[str] = mapped_column(String(100), default="")
    target_text: Mapped[str] = mapped_column(String(100), default="")
    deadline: Mapped[date | None] = mapped_column(Date)
    budget: Mapped[int | None] = mapped_column(BigInteger)  # baht: up to 10 billion
    agency_id: Mapped[int | None] = mapped_column(
        ForeignKey("followup_agencies.id", ondelete="SET NULL"), index=True
    )
    """The responsible agency; a target without one answers to its parent's."""
    person: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FollowupReport(Base):
    """One report on an activity or an indicator for one round, sent through a reporting link;
    `client_key` makes a resend from a phone's outbox store nothing new."""

    __tablename__ = "followup_reports"
    __table_args__ = (UniqueConstraint("agency_id", "client_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(
        ForeignKey("assemblies.id", ondelete="CASCADE"), index=True
    )
    target_id: Mapped[int] = mapped_column(
        ForeignKey("followup_targets.id", ondelete="CASCADE"), index=True
    )
    agency_id: Mapped[int] = mapped_column(
        ForeignKey("followup_agencies.id", ondelete="CASCADE"), index=True
    )
    round: Mapped[int] = mapped_column(Integer)
    client_key: Mapped[str | None] = mapped_column(String(64))
    # an activity
    status: Mapped[str] = mapped_column(String(20), default="")
    done: Mapped[str] = mapped_column(Text, default="")
    people_reached: Mapped[int | None] = mapped_column(Integer)
    money_spent: Mapped[int | None] = mapped_column(BigInteger)  # baht: up to 10 billion
    # an indicator
    value_text: Mapped[str] = mapped_column(String(100), default="")
    measured_on: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(300), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    # what was learnt (either kind)
    worked: Mapped[str] = mapped_column(Text, default="")
    not_worked: Mapped[str] = mapped_column(Text, default="")
    change: Mapped[str] = mapped_column(Text, default="")
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    """Sent after its round's due date."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FollowupPhoto(Base):
    """A report's photo, re-encoded on the server as a JPEG without EXIF (followup/photos.py)."""

    __tablename__ = "followup_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("followup_reports.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)


class FollowupNote(Base):
    """A learning note the working group adds on an item (at a quarterly meeting, say)."""

    __tablename__ = "followup_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(
        ForeignKey("assemblies.id", ondelete="CASCADE"), index=True
    )
    target_id: Mapped[int] = mapped_column(
        ForeignKey("followup_targets.id", ondelete="CASCADE"), index=True
    )
    author: Mapped[str] = mapped_column(String(300), default="")
    worked: Mapped[str] = mapped_column(Text, default="")
    not_worked: Mapped[str] = mapped_column(Text, default="")
    change: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CarriedOver(Base):
    """Next year's assembly and the one it was made from (`followup.next_year.carry_over`): its
    collect step shows last year's board and lessons."""

    __tablename__ = "followup_carried_over"

    assembly_id: Mapped[int] = mapped_column(
        ForeignKey("assemblies.id", ondelete="CASCADE"), primary_key=True
    )
    previous_id: Mapped[int | None] = mapped_column(
        ForeignKey("assemblies.id", ondelete="SET NULL"), index=True, unique=True
    )
    """One next year per assembly: a double tap on "create" must not make two."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CarriedItem(Base):
    """A draft item of next year's assembly carried over from last year's item (target)."""

    __tablename__ = "followup_carried_items"

    item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="CASCADE"), primary_key=True
    )
    previous_target_id: Mapped[int | None] = mapped_column(
        ForeignKey("followup_targets.id", ondelete="SET NULL")
    )


class ProposalContinuity(Base):
    """A proposal of next year's assembly tagged against one of last year's items: continue,
    change or stop it."""

    __tablename__ = "followup_proposal_tags"

    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True
    )
    previous_target_id: Mapped[int] = mapped_column(
        ForeignKey("followup_targets.id", ondelete="CASCADE"), index=True
    )
    tag: Mapped[str] = mapped_column(String(10))  # continue | change | stop
