"""Tables of the assembly context: users, assemblies, networks, steps, participants."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assembly.db import Base
from assembly.steps import StepKind, StepStatus
from assembly.timeutil import utcnow


class User(Base):
    """An organizer or facilitator: someone who logs in with a password."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))  # "organizer" | "facilitator"
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class UserSession(Base):
    """A login; the cookie holds the token, the table only its hash."""

    __tablename__ = "user_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship(lazy="joined")


class Assembly(Base):
    __tablename__ = "assemblies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    province: Mapped[str] = mapped_column(String(100))
    held_on: Mapped[date | None] = mapped_column(Date)
    venue: Mapped[str] = mapped_column(String(200), default="")
    join_code: Mapped[str] = mapped_column(String(8), unique=True)
    join_open: Mapped[bool] = mapped_column(Boolean, default=True)
    seat_codes_required: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    """Strict mode for official votes: a phone joins only with a printed seat code
    (assembly/seats.py), which fixes its network."""
    presenter_view: Mapped[str] = mapped_column(String(20), default="step", server_default="step")
    """What the projector shows (assembly/services.py PRESENTER_VIEWS): the open step's own
    screen, or the per-network or the consensus screen the facilitator switched to."""
    presenter_qr: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    """Whether the projector shows the join QR code (hidden once the hall has joined)."""
    seq: Mapped[int] = mapped_column(Integer, default=0)
    """Last event sequence number: bumped in the transaction of every change that phones see."""
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    networks: Mapped[list[Network]] = relationship(
        order_by="Network.position", cascade="all, delete-orphan", lazy="selectin"
    )
    steps: Mapped[list[Step]] = relationship(
        order_by="Step.position",
        cascade="all, delete-orphan",
        lazy="selectin",
        foreign_keys="Step.assembly_id",
    )


class Network(Base):
    __tablename__ = "networks"
    __table_args__ = (UniqueConstraint("assembly_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(ForeignKey("assemblies.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    color: Mapped[str] = mapped_column(String(7))
    position: Mapped[int] = mapped_column(Integer)


class Step(Base):
    __tablename__ = "steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(
        ForeignKey("assemblies.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20), default=StepKind.COLLECT)
    title: Mapped[str] = mapped_column(String(200))
    prompt: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=StepStatus.PENDING)
    show_others: Mapped[bool] = mapped_column(Boolean, default=True)
    """Whether participants see (and may support) each other's proposals in this step."""
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """When the step was last opened: the most recently opened step is the one phones show."""
    ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """Countdown shown on every screen while the step is open; None for no timer."""
    close_when_done: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """Close the step by itself when its timer reaches zero (the facilitator's choice)."""


class FacilitatorAssignment(Base):
    __tablename__ = "facilitator_assignments"

    assembly_id: Mapped[int] = mapped_column(
        ForeignKey("assemblies.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )


class Participant(Base):
    """A seat in one assembly, held by one device (the hash of its device-token cookie)."""

    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("assembly_id", "device_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(ForeignKey("assemblies.id", ondelete="CASCADE"))
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id"))
    device_hash: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(80), default="")
    organisation: Mapped[str] = mapped_column(String(120), default="")
    source: Mapped[str] = mapped_column(String(10), default="phone", server_default="phone")
    """How the person takes part: "phone" (their own device) or "paper" (cards that a table
    assistant enters on their behalf); both count the same in turnout and network balance."""
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SeatCode(Base):
    """One printed seat card of a strict-mode assembly: binds one seat (participant row) and its
    network to whichever device last joined with the code. See assembly/seats.py."""

    __tablename__ = "seat_codes"
    __table_args__ = (UniqueConstraint("assembly_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(
        ForeignKey("assemblies.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    """The card's number in its assembly (#0042), what an organizer reads out or looks up."""
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id"))
    nonce: Mapped[str] = mapped_column(String(32))
    """With the server's secret key, derives the printed code (so the sheet can be printed
    again); alone, as a database reader sees it, it tells nothing about the code."""
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    """Keyed hash of the code: how a typed code is found without storing the code."""
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL"), unique=True
    )
    """The seat, once the code has been used; it stays with the code across devices."""
    moves: Mapped[int] = mapped_column(Integer, default=0)
    """How many times the seat moved to another device with this code."""
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TableAssistant(Base):
    """A table assistant of one assembly (docs/paper.md): granted by its organizer, enters the
    paper cards of people who take part without a phone."""

    __tablename__ = "table_assistants"

    assembly_id: Mapped[int] = mapped_column(
        ForeignKey("assemblies.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )


class WorkingGroupAccount(Base):
    """An account granted a place in one assembly's follow-up working group (followup/):
    "secretary" (the secretary or chair, who sets the follow-up up) or "working_group" (a
    member, who sees the progress board). Kept in the kernel so `standing_in` finds the role
    without knowing the follow-up package; `followup.setup` keeps it in step with its members."""

    __tablename__ = "working_group_accounts"

    assembly_id: Mapped[int] = mapped_column(
        ForeignKey("assemblies.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20))  # "secretary" | "working_group"


class PaperCard(Base):
    """One printed paper card: a proposal card, or a ballot card of one vote. Its number is
    unique in the assembly and printed with a QR code that names the card (not the person);
    entering it binds it to a paper participant, once (see assembly/paper.py)."""

    __tablename__ = "paper_cards"
    __table_args__ = (UniqueConstraint("assembly_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(
        ForeignKey("assemblies.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))  # "proposal" | "ballot"
    vote_id: Mapped[int | None] = mapped_column(
        ForeignKey("votes.id", ondelete="CASCADE"), index=True
    )
    """The vote a ballot card is printed for (its options are printed on it)."""
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL"), index=True
    )
    entered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    entered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    client_key: Mapped[str | None] = mapped_column(String(64))
    """The entering device's key for this entry: a resend of it is acknowledged, not refused."""
    corrected_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    corrected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PaperCardChange(Base):
    """The audit trail of a card: who entered or corrected it, when, and what it held."""

    __tablename__ = "paper_card_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(
        ForeignKey("paper_cards.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    change: Mapped[str] = mapped_column(String(20))  # "entered" | "corrected"
    before: Mapped[str] = mapped_column(Text, default="")
    after: Mapped[str] = mapped_column(Text, default="")
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PaperStack(Base):
    """An assistant's word that their stack of ballot cards for a vote is entered."""

    __tablename__ = "paper_stacks"

    vote_id: Mapped[int] = mapped_column(
        ForeignKey("votes.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    entered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
