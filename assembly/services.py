"""Use cases of the assembly context: one function each, one transaction, events after commit."""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, lazyload
from sqlalchemy.orm.interfaces import ORMOption

from assembly.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
)
from assembly.events import EventType, Outbox
from assembly.i18n import N_
from assembly.models import (
    Assembly,
    FacilitatorAssignment,
    Network,
    Participant,
    Step,
    TableAssistant,
    User,
    UserSession,
    WorkingGroupAccount,
)
from assembly.networks import DEFAULT_NETWORKS, NetworkSpec, short_names
from assembly.runtime import Runtime
from assembly.security import (
    MIN_PASSWORD_LENGTH,
    check_password,
    hash_password,
    new_token,
    token_hash,
)
from assembly.steps import (
    ON_BEHALF,
    STAFF,
    Action,
    Refusal,
    Role,
    StepKind,
    StepStatus,
    refusal,
)
from assembly.text import clean_text
from assembly.timeutil import as_utc, utcnow

ACCOUNT_ROLES = (Role.ORGANIZER, Role.FACILITATOR, Role.ASSISTANT, Role.WORKING_GROUP)
"""What an account is made as; a working-group account is made for the follow-up year, and
its grant (`WorkingGroupAccount`) says whether it is the secretary in an assembly."""
SESSION_LIFETIME = timedelta(days=14)  # a login survives a multi-day assembly, not a season
JOIN_CODE_DIGITS = 8
"""10^8 codes: the wrong-code limits let one address try 7,200 an hour (docs/security.md)."""
LEGACY_JOIN_CODE_DIGITS = 6  # assemblies created before codes had eight digits keep theirs
MAX_TIMER_MINUTES = 240
# Thai names are welcome (an organizer makes accounts like "ครูสมศรี"): the Thai block, Latin
# letters, digits, dot, dash, underscore; NFC so one name typed on two keyboards is one account.
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.\-\u0E01-\u0E5B]{3,40}$")
MAX_PASSWORD_CHARS = 1024  # a passphrase fits; hashing more is work for a guesser's benefit
NETWORK_KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
COLOR_PATTERN = re.compile(r"^#[0-9a-fA-F]{6}$")
FIELD_LIMITS = {
    "name": 200,
    "province": 100,
    "venue": 200,
    "title": 200,
    "prompt": 1000,
    "display_name": 80,
    "organisation": 120,
    "network_name": 200,
}

DEFAULT_STEPS: tuple[tuple[StepKind, str, str], ...] = (
    (
        StepKind.COLLECT,
        "ค้นหาความจริงของพื้นที่",
        "ปัญหาคุณธรรมที่สำคัญของจังหวัดเราคืออะไร และเราจะร่วมกันแก้อย่างไร",
    ),
    (StepKind.REVIEW, "จัดกลุ่มประเด็น", "วิทยากรกระบวนการจัดกลุ่มข้อเสนอเป็นประเด็น"),
    (StepKind.VOTE, "จัดลำดับความสำคัญ", "เลือกประเด็นที่จังหวัดควรขับเคลื่อนก่อน"),
    (StepKind.DRAFT, "ร่างเป้าหมาย แผนงาน และตัวชี้วัด", "ร่วมกันร่างวาระคุณธรรมจังหวัด"),
    (StepKind.ADOPT, "รับรองวาระคุณธรรมจังหวัด", "แสดงความเห็นต่อวาระแต่ละข้อ"),
)


@dataclass(frozen=True)
class Actor:
    """Who is asking: a logged-in user, a phone's device token hash, both or neither."""

    user: User | None = None
    device_hash: str | None = None
    paper_participant_id: int | None = None
    """A table assistant acting for this paper participant (docs/paper.md): the participant's
    own use cases run with that participant, checked against the assistant's rules."""


@dataclass(frozen=True)
class Standing:
    """An actor's place in one assembly."""

    role: Role
    participant: Participant | None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF


# ---------------------------------------------------------------- checks


def clean_field(value: str | None, field: str, *, required: bool = False) -> str:
    text = clean_text(value or "")
    if required and not text:
        raise InvalidInput(f"{field}_required", "Please fill in this field.", field=field)
    if len(text) > FIELD_LIMITS[field]:
        raise InvalidInput(
            f"{field}_too_long", "This field is too long.", field=field, limit=FIELD_LIMITS[field]
        )
    return text


# How much of an assembly to read with it: its networks and steps in the same query (one round
# trip instead of three: what every snapshot needs), or its own row only (not touched after).
WITH_STRUCTURE = (joinedload(Assembly.networks), joinedload(Assembly.steps))
ROW_ONLY = (lazyload(Assembly.networks), lazyload(Assembly.steps))


async def get_assembly(
    session: AsyncSession, assembly_id: int, options: Sequence[ORMOption] = ()
) -> Assembly:
    assembly = await session.get(Assembly, assembly_id, options=options)
    if assembly is None:
        raise NotFound("assembly_not_found", "This assembly does not exist.")
    return assembly


async def standing_in(session: AsyncSession, assembly: Assembly, actor: Actor) -> Standing:
    participant = None
    if actor.device_hash:
        participant = await session.scalar(
            select(Participant).where(
                Participant.assembly_id == assembly.id,
                Participant.device_hash == actor.device_hash,
            )
        )
    user = actor.user
    if user is not None:
        if user.role == Role.ORGANIZER and assembly.created_by == user.id:
            return Standing(Role.ORGANIZER, participant)
        assigned = await session.get(FacilitatorAssignment, (assembly.id, user.id))
        if assigned is not None:
            return Standing(Role.FACILITATOR, participant)
        if await session.get(TableAssistant, (assembly.id, user.id)) is not None:
            return Standing(Role.ASSISTANT, await _paper_participant(session, assembly, actor))
        grant = await session.get(WorkingGroupAccount, (assembly.id, user.id))
        if grant is not None:
            return Standing(Role(grant.role), participant)
    if participant is not None:
        return Standing(Role.PARTICIPANT, participant)
    return Standing(Role.ANONYMOUS, None)


async def _paper_participant(
    session: AsyncSession, assembly: Assembly, actor: Actor
) -> Participant | None:
    """The paper participant an assistant acts for: only one of this assembly, only on paper."""
    if actor.paper_participant_id is None:
        return None
    participant = await session.get(Participant, actor.paper_participant_id)
    if participant is None or participant.assembly_id != assembly.id:
        return None
    return participant if participant.source == "paper" else None


def current_step(assembly: Assembly) -> Step | None:
    """The step every phone shows: the one opened last, whether still open or closed since."""
    opened = [s for s in assembly.steps if s.opened_at is not None]
    return max(opened, key=lambda s: (as_utc(s.opened_at), s.position)) if opened else None  # type: ignore[arg-type]


_REFUSALS: dict[Refusal, tuple[type[DomainError], str]] = {
    Refusal.NOT_IN_ASSEMBLY: (Forbidden, N_("You are not part of this assembly.")),
    Refusal.PARTICIPANTS_ONLY: (Forbidden, N_("Only participants can do this.")),
    Refusal.STAFF_ONLY: (Forbidden, N_("Only the facilitators of this assembly can do this.")),
    Refusal.ORGANIZER_ONLY: (Forbidden, N_("Only the organizer of this assembly can do this.")),
    Refusal.ASSISTANTS_ONLY: (
        Forbidden,
        N_("Only the table assistants of this assembly can do this."),
    ),
    Refusal.REPORTERS_ONLY: (
        Forbidden,
        N_("This is done through an agency's reporting link."),
    ),
    Refusal.WORKING_GROUP_ONLY: (
        Forbidden,
        N_("Only the working group and the staff of this assembly can see this."),
    ),
    Refusal.SECRETARY_ONLY: (
        Forbidden,
        N_("Only the organizer or the working group's secretary can do this."),
    ),
    Refusal.WRONG_STEP: (Conflict, N_("This cannot be done in the current step.")),
    Refusal.STEP_CLOSED: (Conflict, N_("This step is closed.")),
}


async def authorize(
    session: AsyncSession, assembly: Assembly, actor: Actor, action: Action
) -> Standing:
    """Refuse unless the actor's role may do `action` in the assembly's current step."""
    standing = await standing_in(session, assembly, actor)
    step = current_step(assembly)
    kind = StepKind(step.kind) if step else None
    if standing.role == Role.ASSISTANT and action in ON_BEHALF and standing.participant:
        # For a paper participant of this assembly (standing_in found none otherwise, and the
        # participant's own rule then refuses the assistant): the assistant's rule decides.
        action = ON_BEHALF[action]
    reason = refusal(
        standing.role, action, kind, step is not None and step.status == StepStatus.OPEN
    )
    if reason is None:
        return standing
    raise refusal_error(reason, actor)


async def authorized(
    session: AsyncSession,
    assembly_id: int,
    actor: Actor,
    action: Action,
    options: Sequence[ORMOption] = (),
) -> tuple[Assembly, Standing]:
    """The one way into a use case: load the assembly, then refuse unless the actor may do
    `action` in it now (the rules table); the assembly and the actor's standing in it."""
    assembly = await get_assembly(session, assembly_id, options)
    return assembly, await authorize(session, assembly, actor, action)


def refusal_error(reason: Refusal, actor: Actor) -> DomainError:
    """The error a refusal answers with; someone with no cookie at all is asked to join or
    log in. Pages that check a standing themselves use it too, so they refuse alike."""
    if reason == Refusal.NOT_IN_ASSEMBLY and actor.user is None and actor.device_hash is None:
        return NotAuthenticated("not_authenticated", "Please join the assembly or log in first.")
    error, message = _REFUSALS[reason]
    return error(reason.value, message)


# ---------------------------------------------------------------- users


def clean_username(username: str) -> str:
    """The username as stored and looked up: NFC, no surrounding spaces."""
    return unicodedata.normalize("NFC", username or "").strip()


def _check_username(username: str) -> str:
    username = clean_username(username)
    if not USERNAME_PATTERN.match(username):
        raise InvalidInput(
            "invalid_username",
            "Use 3-40 Thai or English letters, digits, dot, dash or underscore.",
        )
    return username


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput("password_too_short", "The password needs at least 8 characters.")
    if len(password) > MAX_PASSWORD_CHARS:
        raise InvalidInput("password_too_long", "The password can have at most 1024 characters.")


async def _add_user(
    session: AsyncSession, *, username: str, display_name: str, role: str, password: str
) -> User:
    """Check and add an account inside the caller's transaction."""
    username = _check_username(username)
    if role not in ACCOUNT_ROLES:
        raise InvalidInput(
            "invalid_role",
            "The role must be organizer, facilitator, assistant or working group member.",
        )
    _check_password(password)
    display = clean_field(display_name, "display_name") or username
    if await session.scalar(select(User.id).where(User.username == username)):
        raise Conflict("username_taken", "This username is already taken.")
    user = User(
        username=username, display_name=display, role=role, password_hash=hash_password(password)
    )
    session.add(user)
    await session.flush()
    return user


async def add_account(
    session: AsyncSession, *, username: str, display_name: str, role: str, password: str
) -> User:
    """A new account added in the caller's transaction, checked as `create_user` checks it:
    for features that grant an account a place as they make it (the follow-up's members)."""
    return await _add_user(
        session, username=username, display_name=display_name, role=role, password=password
    )


async def create_user(
    rt: Runtime, *, username: str, display_name: str, role: str, password: str
) -> User:
    async with rt.transaction() as (session, _):
        return await _add_user(
            session, username=username, display_name=display_name, role=role, password=password
        )


async def log_in(rt: Runtime, *, username: str, password: str) -> str:
    """Return a new session token, or refuse with one message whatever was wrong."""
    username = clean_username(username)
    if not USERNAME_PATTERN.match(username) or len(password) > MAX_PASSWORD_CHARS:
        # No account has such a name (create_user checks it): refused before hashing a
        # megabyte of password or keeping a megabyte-long key in the login counter.
        raise NotAuthenticated("bad_credentials", "Wrong username or password.")
    # Counted before anything is awaited: concurrent guesses cannot all pass one check.
    await rt.throttles.reserve_login(username)
    async with rt.read() as session:
        user = await session.scalar(select(User).where(User.username == username))
    if not await check_password(user.password_hash if user else None, password) or user is None:
        raise NotAuthenticated("bad_credentials", "Wrong username or password.")
    await rt.throttles.login_succeeded(username)
    token = new_token()
    async with rt.transaction() as (session, _):
        session.add(
            UserSession(
                token_hash=token_hash(token),
                user_id=user.id,
                expires_at=utcnow() + SESSION_LIFETIME,
            )
        )
    return token


async def log_out(rt: Runtime, *, token: str) -> None:
    async with rt.transaction() as (session, _):
        await session.execute(
            delete(UserSession).where(UserSession.token_hash == token_hash(token))
        )


async def session_expires_at(rt: Runtime, token: str) -> datetime | None:
    """When this login ends (None: it already has, or never was)."""
    async with rt.read() as session:
        login = await session.get(UserSession, token_hash(token))
        return None if login is None else login.expires_at


async def user_for_token(rt: Runtime, token: str) -> User | None:
    async with rt.read() as session:
        login = await session.get(UserSession, token_hash(token))
        if login is None or as_utc(login.expires_at) < utcnow():
            return None
        return login.user


# ---------------------------------------------------------------- assemblies


async def _new_join_code(session: AsyncSession) -> str:
    while True:
        code = f"{secrets.randbelow(10**JOIN_CODE_DIGITS):0{JOIN_CODE_DIGITS}d}"
        if not await session.scalar(select(Assembly.id).where(Assembly.join_code == code)):
            return code


async def create_assembly(
    rt: Runtime,
    *,
    actor: Actor,
    name: str,
    province: str,
    held_on: date | None = None,
    venue: str = "",
) -> Assembly:
    """A new assembly with the six networks and the five default steps, ready to edit."""
    async with rt.transaction() as (session, _):
        return await add_assembly(
            session, actor=actor, name=name, province=province, held_on=held_on, venue=venue
        )


async def add_assembly(
    session: AsyncSession,
    *,
    actor: Actor,
    name: str,
    province: str,
    held_on: date | None = None,
    venue: str = "",
    networks: Sequence[NetworkSpec] = DEFAULT_NETWORKS,
) -> Assembly:
    """`create_assembly` in the caller's transaction, with these networks: next year's
    assembly is made from this year's in one transaction (followup.next_year)."""
    if actor.user is None:
        raise NotAuthenticated("not_authenticated", "Please log in first.")
    if actor.user.role != Role.ORGANIZER:
        raise Forbidden("organizer_only", "Only organizers can create assemblies.")
    assembly = Assembly(
        name=clean_field(name, "name", required=True),
        province=clean_field(province, "province", required=True),
        held_on=held_on,
        venue=clean_field(venue, "venue"),
        join_code=await _new_join_code(session),
        created_by=actor.user.id,
        seq=0,
        join_open=True,
    )
    assembly.networks = [
        Network(key=n.key, name_th=n.name_th, name_en=n.name_en, color=n.color, position=i)
        for i, n in enumerate(networks)
    ]
    assembly.steps = [
        Step(position=i, kind=kind, title=title, prompt=prompt, status=StepStatus.PENDING)
        for i, (kind, title, prompt) in enumerate(DEFAULT_STEPS)
    ]
    session.add(assembly)
    await session.flush()
    return assembly


async def update_assembly(
    rt: Runtime,
    *,
    actor: Actor,
    assembly_id: int,
    name: str,
    province: str,
    held_on: date | None,
    venue: str,
    join_open: bool,
) -> None:
    async with rt.transaction() as (session, outbox):
        assembly, _ = await authorized(session, assembly_id, actor, Action.MANAGE_ASSEMBLY)
        assembly.name = clean_field(name, "name", required=True)
        assembly.province = clean_field(province, "province", required=True)
        assembly.held_on = held_on
        assembly.venue = clean_field(venue, "venue")
        assembly.join_open = join_open
        await _emit_assembly_changed(outbox, assembly)


async def save_network(
    rt: Runtime,
    *,
    actor: Actor,
    assembly_id: int,
    key: str,
    name_th: str,
    name_en: str,
    color: str,
) -> Network:
    """Add a network, or rename and recolour the one with this key."""
    if not NETWORK_KEY_PATTERN.match(key):
        raise InvalidInput("invalid_network_key", "Use lowercase English letters, digits and _.")
    if not COLOR_PATTERN.match(color):
        raise InvalidInput("invalid_color", "The colour must look like #1d4ed8.")
    async with rt.transaction() as (session, outbox):
        assembly, _ = await authorized(session, assembly_id, actor, Action.MANAGE_ASSEMBLY)
        network = next((n for n in assembly.networks if n.key == key), None)
        if network is None:
            network = Network(key=key, position=len(assembly.networks))
            assembly.networks.append(network)
        network.name_th = clean_field(name_th, "network_name", required=True)
        network.name_en = clean_field(name_en, "network_name") or key
        network.color = color.lower()
        await _emit_assembly_changed(outbox, assembly)
    return network


async def save_step(
    rt: Runtime,
    *,
    actor: Actor,
    assembly_id: int,
    step_id: int | None,
    kind: str,
    title: str,
    prompt: str,
    show_others: bool,
) -> Step:
    """Add a step at the end (step_id None) or change one."""
    if kind not in set(StepKind):
        raise InvalidInput("invalid_step_kind", "Unknown kind of step.")
    async with rt.transaction() as (session, outbox):
        assembly, _ = await authorized(session, assembly_id, actor, Action.MANAGE_ASSEMBLY)
        if step_id is None:
            step = Step(position=len(assembly.steps), status=StepStatus.PENDING)
            assembly.steps.append(step)
        else:
            step = _step_of(assembly, step_id)
        step.kind = kind
        step.title = clean_field(title, "title", required=True)
        step.prompt = clean_field(prompt, "prompt")
        step.show_others = show_others
        await session.flush()
        await _emit_step_changed(outbox, assembly)
    return step


async def add_facilitator(rt: Runtime, *, actor: Actor, assembly_id: int, username: str) -> User:
    async with rt.transaction() as (session, _):
        assembly, _ = await authorized(session, assembly_id, actor, Action.MANAGE_ASSEMBLY)
        user = await session.scalar(select(User).where(User.username == clean_username(username)))
        if user is None:
            raise NotFound("user_not_found", "No account has this username.")
        if await session.get(FacilitatorAssignment, (assembly.id, user.id)) is None:
            session.add(FacilitatorAssignment(assembly_id=assembly.id, user_id=user.id))
    return user


async def create_facilitator(
    rt: Runtime,
    *,
    actor: Actor,
    assembly_id: int,
    username: str,
    display_name: str,
    password: str,
) -> User:
    """A new facilitator account, made by the organizer in the web interface and added to
    this assembly in the same transaction (no command line needed on the hall laptop)."""
    async with rt.transaction() as (session, _):
        assembly, _ = await authorized(session, assembly_id, actor, Action.MANAGE_ASSEMBLY)
        user = await _add_user(
            session,
            username=username,
            display_name=display_name,
            role=Role.FACILITATOR,
            password=password,
        )
        session.add(FacilitatorAssignment(assembly_id=assembly.id, user_id=user.id))
    return user


async def _own_facilitator(
    session: AsyncSession, assembly: Assembly, actor: Actor, user_id: int
) -> User:
    """A facilitator account of this assembly that its organizer may change: one that works
    only on assemblies this organizer created, so nobody resets another organizer's helper."""
    user = await session.get(User, user_id)
    assigned = await session.get(FacilitatorAssignment, (assembly.id, user_id))
    if user is None or assigned is None or user.role != Role.FACILITATOR:
        raise NotFound("facilitator_not_found", "This facilitator is not in this assembly.")
    elsewhere = await session.scalar(
        select(func.count())
        .select_from(FacilitatorAssignment)
        .join(Assembly, Assembly.id == FacilitatorAssignment.assembly_id)
        .where(
            FacilitatorAssignment.user_id == user_id,
            Assembly.created_by != assembly.created_by,
        )
    )
    if elsewhere:
        raise Forbidden(
            "facilitator_shared",
            "This account also facilitates another organizer's assembly; "
            "only its own organizers can change it.",
        )
    return user


async def reset_facilitator_password(
    rt: Runtime, *, actor: Actor, assembly_id: int, user_id: int, password: str
) -> User:
    """A new password for a facilitator who forgot theirs; their open logins end."""
    _check_password(password)
    async with rt.transaction() as (session, _):
        assembly, _ = await authorized(session, assembly_id, actor, Action.MANAGE_ASSEMBLY)
        user = await _own_facilitator(session, assembly, actor, user_id)
        user.password_hash = hash_password(password)
        await session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    return user


async def remove_facilitator(rt: Runtime, *, actor: Actor, assembly_id: int, user_id: int) -> bool:
    """Take a facilitator off this assembly; the account itself is deleted (with its logins)
    when it facilitates nothing else. Returns whether the account was deleted."""
    async with rt.transaction() as (session, _):
        assembly, _ = await authorized(session, assembly_id, actor, Action.MANAGE_ASSEMBLY)
        user = await session.get(User, user_id)
        if user is None or await session.get(FacilitatorAssignment, (assembly.id, user_id)) is None:
            raise NotFound("facilitator_not_found", "This facilitator is not in this assembly.")
        await session.execute(
            delete(FacilitatorAssignment).where(
                FacilitatorAssignment.assembly_id == assembly.id,
                FacilitatorAssignment.user_id == user_id,
            )
        )
        others = await session.scalar(
            select(func.count())
            .select_from(FacilitatorAssignment)
            .where(FacilitatorAssignment.user_id == user_id)
        )
        if others or user.role != Role.FACILITATOR:
            return False
        await session.execute(delete(UserSession).where(UserSession.user_id == user_id))
        await session.delete(user)
    return True


async def purge_personal_data(rt: Runtime, *, actor: Actor, assembly_id: int) -> int:
    """Forget participants' names and organisations after the assembly (PDPA); networks,
    proposals and anonymous results stay. Returns how many seats were cleared."""
    async with rt.transaction() as (session, _):
        assembly, _ = await authorized(session, assembly_id, actor, Action.MANAGE_ASSEMBLY)
        result = await session.execute(
            update(Participant)
            .where(
                Participant.assembly_id == assembly.id,
                (Participant.display_name != "") | (Participant.organisation != ""),
            )
            .values(display_name="", organisation="")
        )
    # The old rows would otherwise stay in the WAL file until SQLite's next checkpoint;
    # secure_delete (assembly/db.py) keeps them out of the database file's free space.
    await rt.db.checkpoint()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def assemblies_for(rt: Runtime, user: User) -> list[Assembly]:
    async with rt.read() as session:
        assigned = select(FacilitatorAssignment.assembly_id).where(
            FacilitatorAssignment.user_id == user.id
        )
        assisted = select(TableAssistant.assembly_id).where(TableAssistant.user_id == user.id)
        following = select(WorkingGroupAccount.assembly_id).where(
            WorkingGroupAccount.user_id == user.id
        )
        query = select(Assembly).where(
            (Assembly.created_by == user.id)
            | Assembly.id.in_(assigned)
            | Assembly.id.in_(assisted)
            | Assembly.id.in_(following)
        )
        return list((await session.scalars(query.order_by(Assembly.id.desc()))).all())


async def facilitators_of(rt: Runtime, assembly_id: int) -> list[User]:
    async with rt.read() as session:
        query = (
            select(User)
            .join(FacilitatorAssignment, FacilitatorAssignment.user_id == User.id)
            .where(FacilitatorAssignment.assembly_id == assembly_id)
            .order_by(User.username)
        )
        return list((await session.scalars(query)).all())


# ---------------------------------------------------------------- steering


def _step_of(assembly: Assembly, step_id: int) -> Step:
    step = next((s for s in assembly.steps if s.id == step_id), None)
    if step is None:
        raise NotFound("step_not_found", "This step does not exist.")
    return step


async def open_step(
    rt: Runtime,
    *,
    actor: Actor,
    assembly_id: int,
    step_id: int,
    minutes: int | None = None,
    close_when_done: bool = False,
) -> Step:
    """Open a step (or reopen a closed one); whatever step was open closes. With a timer and
    `close_when_done`, the step closes by itself at zero (see `close_due_steps`)."""
    if minutes is not None and not 0 < minutes <= MAX_TIMER_MINUTES:
        raise InvalidInput("invalid_timer", "The timer must be between 1 and 240 minutes.")
    async with rt.transaction() as (session, outbox):
        assembly, _ = await authorized(session, assembly_id, actor, Action.STEER_STEPS)
        step = _step_of(assembly, step_id)
        for other in assembly.steps:
            if other.status == StepStatus.OPEN and other is not step:
                other.status = StepStatus.CLOSED
                other.ends_at = None
                other.close_when_done = False
        step.status = StepStatus.OPEN
        step.opened_at = utcnow()
        step.ends_at = step.opened_at + timedelta(minutes=minutes) if minutes else None
        step.close_when_done = bool(minutes) and close_when_done
        await _emit_step_changed(outbox, assembly)
    return step


async def close_due_steps(rt: Runtime, *, now: datetime | None = None) -> list[int]:
    """Close every open step whose timer has run out and that was opened to close by itself;
    the ids closed. Run every few seconds by the server: idempotent, so several workers may."""
    now = now or utcnow()
    async with rt.read() as session:
        due = list(
            await session.scalars(
                select(Step.assembly_id).where(
                    Step.status == StepStatus.OPEN,
                    Step.close_when_done.is_(True),
                    Step.ends_at.is_not(None),
                    Step.ends_at <= now,
                )
            )
        )
    closed: list[int] = []
    for assembly_id in sorted(set(due)):
        async with rt.transaction() as (session, outbox):
            assembly = await get_assembly(session, assembly_id)
            for step in assembly.steps:
                ends = as_utc(step.ends_at) if step.ends_at else None
                if step.status == StepStatus.OPEN and step.close_when_done and ends and ends <= now:
                    step.status = StepStatus.CLOSED
                    step.ends_at = None
                    step.close_when_done = False
                    closed.append(step.id)
            await _emit_step_changed(outbox, assembly)
    return closed


async def close_step(rt: Runtime, *, actor: Actor, assembly_id: int, step_id: int) -> Step:
    """Close the step; phones keep showing it, read-only, until another opens."""
    async with rt.transaction() as (session, outbox):
        assembly, _ = await authorized(session, assembly_id, actor, Action.STEER_STEPS)
        step = _step_of(assembly, step_id)
        if step.status != StepStatus.OPEN:
            raise Conflict("step_not_open", "This step is not open.")
        step.status = StepStatus.CLOSED
        step.ends_at = None
        step.close_when_done = False
        await _emit_step_changed(outbox, assembly)
    return step


PRESENTER_VIEWS = ("step", "networks", "consensus")
"""What the projector can show: the open step's own screen (for a vote, its top results), the
per-network screen (turnout and support in each network) or the consensus screen."""


async def set_presenter(
    rt: Runtime,
    *,
    actor: Actor,
    assembly_id: int,
    view: str | None = None,
    show_qr: bool | None = None,
) -> dict[str, Any]:
    """Switch the projector's screen or show/hide its QR code; every open presenter follows."""
    if (view is None and show_qr is None) or (view is not None and view not in PRESENTER_VIEWS):
        raise InvalidInput("invalid_presenter_view", "Unknown presenter screen.")
    async with rt.transaction() as (session, outbox):
        assembly, _ = await authorized(session, assembly_id, actor, Action.STEER_STEPS)
        if view is not None:
            assembly.presenter_view = view
        if show_qr is not None:
            assembly.presenter_qr = show_qr
        await session.flush()
        shown = presenter_view(assembly)
        # Phones have nothing to show for it: they get a tick that only advances their seq.
        await outbox.emit(assembly.id, EventType.PRESENTER_CHANGED, {"presenter": shown}, None)
    return shown


# ---------------------------------------------------------------- views and events


def step_view(step: Step | None) -> dict[str, Any] | None:
    if step is None:
        return None
    return {
        "id": step.id,
        "position": step.position,
        "kind": step.kind,
        "title": step.title,
        "prompt": step.prompt,
        "status": step.status,
        "show_others": step.show_others,
        "ends_at": as_utc(step.ends_at).isoformat() if step.ends_at else None,
        "close_when_done": step.close_when_done,
    }


def assembly_view(assembly: Assembly) -> dict[str, Any]:
    return {
        "id": assembly.id,
        "name": assembly.name,
        "province": assembly.province,
        "held_on": assembly.held_on.isoformat() if assembly.held_on else None,
        "venue": assembly.venue,
        "join_code": assembly.join_code,
        "join_open": assembly.join_open,
    }


def presenter_view(assembly: Assembly) -> dict[str, Any]:
    return {"view": assembly.presenter_view or "step", "qr": assembly.presenter_qr is not False}


async def network_keys(session: AsyncSession, assembly_id: int) -> dict[int, str]:
    """Network id -> key, in the assembly's order of networks."""
    rows = await session.execute(
        select(Network.id, Network.key)
        .where(Network.assembly_id == assembly_id)
        .order_by(Network.position)
    )
    return {network_id: key for network_id, key in rows.all()}


async def network_counts(session: AsyncSession, assembly: Assembly) -> list[dict[str, Any]]:
    counts = dict(
        (
            await session.execute(
                select(Participant.network_id, func.count())
                .where(Participant.assembly_id == assembly.id)
                .group_by(Participant.network_id)
            )
        ).all()
    )
    networks = list(assembly.networks)
    short = short_names([n.name_th for n in networks])
    return [
        {
            "key": n.key,
            "name_th": n.name_th,
            "name_en": n.name_en,
            "short_th": short_th,
            "color": n.color,
            "joined": counts.get(n.id, 0),
        }
        for n, short_th in zip(networks, short, strict=True)
    ]


async def emit_joined(session: AsyncSession, outbox: Outbox, assembly_id: int) -> None:
    """`participants.changed`: how many joined per network (joining, seats)."""
    assembly = await get_assembly(session, assembly_id)
    await session.flush()
    networks = await network_counts(session, assembly)
    payload = {"networks": networks, "joined": sum(n["joined"] for n in networks)}
    await outbox.emit(assembly_id, EventType.PARTICIPANTS_CHANGED, payload, payload)


async def _emit_step_changed(outbox: Outbox, assembly: Assembly) -> None:
    public = {"step": step_view(current_step(assembly))}
    staff = {**public, "steps": [step_view(s) for s in assembly.steps]}
    await outbox.emit(assembly.id, EventType.STEP_CHANGED, staff, public)


async def _emit_assembly_changed(outbox: Outbox, assembly: Assembly) -> None:
    await outbox.session.flush()
    payload = {"assembly": assembly_view(assembly)}
    await outbox.emit(assembly.id, EventType.ASSEMBLY_CHANGED, payload, payload)
