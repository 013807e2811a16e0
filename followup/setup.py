"""Use cases of setting up the year after the assembly: start the follow-up (the adopted agenda
frozen into targets), the fiscal year and its reporting rounds, the working group, agencies,
who answers for each target, learning notes and the public page switch.

Why freeze the agenda: the agenda items stay editable (an organizer fixes a typo in the
document), but a year of reports must keep pointing at what was adopted and at the baseline
of the day the follow-up started. Starting again adds the items adopted since, only.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from assembly.errors import Conflict, InvalidInput, NotFound
from assembly.events import EventType, Outbox
from assembly.models import Assembly, User, WorkingGroupAccount
from assembly.runtime import Runtime
from assembly.services import (
    Actor,
    Standing,
    add_account,
    authorized,
    clean_username,
    network_keys,
    refusal_error,
    standing_in,
)
from assembly.steps import Action, Refusal, Role
from assembly.thai_format import BUDDHIST_ERA_OFFSET, arabic_digits, thai_fiscal_year
from assembly.timeutil import thai_today, utcnow
from deliberation.agenda.drafting import check_fiscal_year
from deliberation.agenda.gather import timing
from deliberation.agenda.items import agenda_items, check_text
from deliberation.models import AgendaItem
from followup.models import (
    FollowupAgency,
    FollowupMember,
    FollowupNote,
    FollowupSettings,
    FollowupTarget,
)
from followup.progress import default_rounds

MAX_NAME_CHARS = 200
MAX_LINE_CHARS = 300  # an agency, a person, a contact
MAX_LABEL_CHARS = 100
MAX_NOTE_CHARS = 2000  # what worked, what did not, what to change: a paragraph each
MAX_ROUNDS = 12  # monthly at most
MAX_MEMBERS = 200
MAX_AGENCIES = 200
MEMBER_ROLES = ("chair", "secretary", "member")
"""The working group's roles (ประธาน, เลขานุการ, กรรมการ); chair and secretary set it up."""
KINDS = ("item", "plan", "activity", "indicator")
"""What a target is: an adopted item, a plan of it, an activity of a plan, an indicator."""


# ---------------------------------------------------------------- shared by the use cases


async def settings_of(session: AsyncSession, assembly_id: int) -> FollowupSettings:
    """The follow-up's settings; 409 `followup_not_started` before it starts."""
    row = await session.get(FollowupSettings, assembly_id)
    if row is None:
        raise Conflict(
            "followup_not_started", "The follow-up of this assembly has not started yet."
        )
    return row


async def emit_progress(outbox: Outbox, assembly_id: int, what: str, **data: Any) -> None:
    """`progress.changed` to staff screens (they refetch the board); phones get a tick."""
    await outbox.emit(assembly_id, EventType.PROGRESS_CHANGED, {"what": what, **data}, None)


def one_line(value: object, field: str, limit: int = MAX_LINE_CHARS, **kw: bool) -> str:
    """One line of typed text, cleaned and checked."""
    return check_text(value, field, limit, **kw).replace("\n", " ")


async def target_in(session: AsyncSession, assembly_id: int, target_id: int) -> FollowupTarget:
    target = await session.get(FollowupTarget, target_id)
    if target is None or target.assembly_id != assembly_id:
        raise NotFound("target_not_found", "This target does not exist.")
    return target


async def agency_in(session: AsyncSession, assembly_id: int, agency_id: int) -> FollowupAgency:
    agency = await session.get(FollowupAgency, agency_id)
    if agency is None or agency.assembly_id != assembly_id:
        raise NotFound("agency_not_found", "This agency does not exist.")
    return agency


# ---------------------------------------------------------------- rounds


def quarterly_rounds(fiscal_year: int) -> list[dict[str, Any]]:
    """`progress.default_rounds` as stored: for 2570, due 15 Jan, 15 Apr, 15 Jul and 15 Oct
    2027."""
    return [
        {"number": r.number, "label": r.label, "due": r.due.isoformat()}
        for r in default_rounds(fiscal_year)
    ]


def check_rounds(raw: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rounds numbered 1..n in order of their due dates, each with a label."""
    if not 1 <= len(raw) <= MAX_ROUNDS:
        raise InvalidInput(
            "invalid_rounds", "Give between 1 and %(limit)s reporting rounds.", limit=MAX_ROUNDS
        )
    rounds = []
    for number, entry in enumerate(raw, start=1):
        if not isinstance(entry, Mapping):
            raise InvalidInput("invalid_rounds", "The request is incomplete or malformed.")
        label = one_line(entry.get("label"), "round_label", MAX_LABEL_CHARS) or f"รอบที่ {number}"
        try:
            due = dt.date.fromisoformat(arabic_digits(str(entry.get("due") or "")).strip())
        except ValueError as exc:
            raise InvalidInput("invalid_date", "Please enter a valid date.") from exc
        if rounds and due <= dt.date.fromisoformat(rounds[-1]["due"]):
            raise InvalidInput(
                "rounds_out_of_order", "Each round is due after the round before it."
            )
        rounds.append({"number": number, "label": label, "due": due.isoformat()})
    return rounds


def round_of(rounds: Sequence[Mapping[str, Any]], day: dt.date) -> int:
    """The round a report made on `day` belongs to by default: the first not yet due (the
    last once every round is due)."""
    for entry in rounds:
        if day <= dt.date.fromisoformat(entry["due"]):
            return int(entry["number"])
    return int(rounds[-1]["number"])


# ---------------------------------------------------------------- views


def settings_view(row: FollowupSettings) -> dict[str, Any]:
    return {
        "fiscal_year": row.fiscal_year,
        "rounds": list(row.rounds),
        "started_on": row.started_on.isoformat(),
        "public_page": row.public_page,
    }


def member_view(member: FollowupMember, username: str | None = None) -> dict[str, Any]:
    return {
        "id": member.id,
        "name": member.name,
        "network": member.network_key,
        "agency": member.agency,
        "role": member.role,
        "contact": member.contact,
        "user_id": member.user_id,
        "username": username,
    }


def agency_view(agency: FollowupAgency) -> dict[str, Any]:
    """No token: only its hint, and whether a link is live."""
    return {
        "id": agency.id,
        "name": agency.name,
        "network": agency.network_key,
        "link": agency.link_hash is not None and agency.revoked_at is None,
        "link_hint": agency.link_hint,
        "link_issued_at": agency.link_issued_at,
        "revoked_at": agency.revoked_at,
    }


def target_view(target: FollowupTarget) -> dict[str, Any]:
    return {
        "id": target.id,
        "kind": target.kind,
        "parent_id": target.parent_id,
        "item_id": target.item_id,
        "position": target.position,
        "name": target.name,
        "detail": target.detail,
        "unit": target.unit,
        "baseline": target.baseline_text,
        "target": target.target_text,
        "deadline": target.deadline.isoformat() if target.deadline else None,
        "budget": target.budget,
        "agency_id": target.agency_id,
        "person": target.person,
    }


async def targets_of(session: AsyncSession, assembly_id: int) -> list[FollowupTarget]:
    """Every target in agenda order: items, and under each its plans, activities, indicators."""
    return list(
        await session.scalars(
            select(FollowupTarget)
            .where(FollowupTarget.assembly_id == assembly_id)
            .order_by(FollowupTarget.position, FollowupTarget.id)
        )
    )


def lineage(
    target: FollowupTarget, by_id: Mapping[int, FollowupTarget]
) -> Iterator[FollowupTarget]:
    """The target, its parent, and so on up to its item: the one walk up the tree."""
    node: FollowupTarget | None = target
    while node is not None:
        yield node
        node = by_id.get(node.parent_id) if node.parent_id is not None else None


def ancestor_of_kind(
    target: FollowupTarget, by_id: Mapping[int, FollowupTarget], kind: str
) -> FollowupTarget | None:
    """The target itself or its nearest ancestor of that kind ("item", "plan")."""
    return next((node for node in lineage(target, by_id) if node.kind == kind), None)


def effective_agency(target: FollowupTarget, by_id: Mapping[int, FollowupTarget]) -> int | None:
    """The target's agency, or else its nearest ancestor's: an item assigned to an agency
    makes that agency answer for every plan, activity and indicator of it not assigned."""
    return next((n.agency_id for n in lineage(target, by_id) if n.agency_id is not None), None)


async def followup_view(rt: Runtime, *, actor: Actor, assembly_id: int) -> dict[str, Any]:
    """Everything the setup page shows: settings (None before the start), members,
    agencies, targets (each with `answered_by`, the agency that answers for it: its own or
    its nearest ancestor's)."""
    async with rt.read() as session:
        await authorized(session, assembly_id, actor, Action.VIEW_PROGRESS)
        row = await session.get(FollowupSettings, assembly_id)
        members = await session.execute(
            select(FollowupMember, User.username)
            .outerjoin(User, User.id == FollowupMember.user_id)
            .where(FollowupMember.assembly_id == assembly_id)
            .order_by(FollowupMember.id)
        )
        agencies = await session.scalars(
            select(FollowupAgency)
            .where(FollowupAgency.assembly_id == assembly_id)
            .order_by(FollowupAgency.name)
        )
        targets = await targets_of(session, assembly_id)
        by_id = {t.id: t for t in targets}
        return {
            "settings": settings_view(row) if row else None,
            "members": [member_view(m, username) for m, username in members.all()],
            "agencies": [agency_view(a) for a in agencies],
            "targets": [
                {**target_view(t), "answered_by": effective_agency(t, by_id)} for t in targets
            ],
        }


# ---------------------------------------------------------------- starting


def timing_deadline(value: Mapping[str, Any] | None, fiscal_year: int) -> dt.date | None:
    """A drafted timing (read as the agenda document reads it, `gather.timing`) as a date:
    its own date, else the end of its last month or of its fiscal quarter, whichever is
    later, in the fiscal year (its own fiscal year if it names one); None when it says
    neither."""
    try:
        when = timing(dict(value or {}))
    except (TypeError, ValueError):  # a stored timing from before its checks: no deadline
        return None
    if when.date is not None:
        return when.date
    months = list(when.months)
    if when.quarter is not None:
        months.append((when.quarter * 3 + 8) % 12 + 1)  # its last month: Dec, Mar, Jun, Sep
    if not months:
        return None
    year = (when.fiscal_year or fiscal_year) - BUDDHIST_ERA_OFFSET
    # The fiscal year's order: October (first) to September (last).
    last = max(months, key=lambda m: (m - 10) % 12)
    ce_year = year - 1 if last >= 10 else year
    return dt.date(ce_year, last, calendar.monthrange(ce_year, last)[1])


async def _agency_named(
    session: AsyncSession, assembly_id: int, name: str, made: dict[str, FollowupAgency]
) -> FollowupAgency | None:
    """The agency of that name (made now if the agenda names it first); None for no name."""
    name = name.strip()[:MAX_LINE_CHARS]
    if not name:
        return None
    if name not in made:
        agency = await session.scalar(
            select(FollowupAgency).where(
                FollowupAgency.assembly_id == assembly_id, FollowupAgency.name == name
            )
        )
        if agency is None:
            agency = FollowupAgency(assembly_id=assembly_id, name=name, link_hint="")
            session.add(agency)
            await session.flush()
        made[name] = agency
    return made[name]


async def _freeze(
    session: AsyncSession, item: AgendaItem, position: int, fiscal_year: int
) -> list[FollowupTarget]:
    """One adopted item as targets: the item, its plans with their activities, its indicators.
    The agencies the agenda names become the follow-up's agencies and answer for them."""
    made: dict[str, FollowupAgency] = {}
    targets: list[FollowupTarget] = []

    async def add(**fields: Any) -> FollowupTarget:
        agency_name = fields.pop("agency_name", "")
        agency = await _agency_named(session, item.assembly_id, agency_name, made)
        target = FollowupTarget(
            assembly_id=item.assembly_id,
            item_id=item.id,
            position=position,
            agency_id=agency.id if agency else None,
            **{
                "detail": "",
                "virtues": [],
                "unit": "",
                "baseline_text": "",
                "target_text": "",
                "person": "",
                **fields,
            },
        )
        session.add(target)
        await session.flush()
        targets.append(target)
        return target

    head = await add(
        kind="item", name=item.title, detail=item.goal or "", virtues=list(item.virtues or [])
    )
    for plan in item.plans or []:
        plan_target = await add(
            kind="plan",
            parent_id=head.id,
            name=str(plan.get("name") or ""),
            agency_name=str(plan.get("lead_agency") or ""),
            person=str(plan.get("contact") or "")[:MAX_LINE_CHARS],
        )
        for activity in plan.get("activities") or []:
            agencies = activity.get("agencies") or []
            await add(
                kind="activity",
                parent_id=plan_target.id,
                name=str(activity.get("what") or ""),
                budget=activity.get("budget"),
                deadline=timing_deadline(activity.get("when"), fiscal_year),
                agency_name=str(activity.get("lead_agency") or (agencies[0] if agencies else "")),
                person=str(activity.get("contact") or "")[:MAX_LINE_CHARS],
            )
    for indicator in item.indicators or []:
        await add(
            kind="indicator",
            parent_id=head.id,
            name=str(indicator.get("name") or ""),
            unit=str(indicator.get("unit") or ""),
            baseline_text=str(indicator.get("baseline") or ""),
            target_text=str(indicator.get("target") or ""),
            deadline=timing_deadline(indicator.get("deadline"), fiscal_year),
            agency_name=str(indicator.get("reporting_agency") or ""),
        )
    return targets


async def start_followup(
    rt: Runtime,
    *,
    actor: Actor,
    assembly_id: int,
    fiscal_year: int | str | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Freeze the adopted items into targets and set the year up (quarterly rounds of the
    fiscal year that contains today, unless one is given). Run again, it adds the items
    adopted since and changes nothing else. Returns the settings and the targets added."""
    day = today or thai_today()
    try:
        return await _start(rt, actor, assembly_id, fiscal_year, day)
    except IntegrityError:
        # Two first starts raced (their settings rows, or an agency both named): the one that
        # lost runs again and finds the other's rows, so it adds nothing twice.
        try:
            return await _start(rt, actor, assembly_id, fiscal_year, day)
        except IntegrityError as exc:
            raise Conflict(
                "followup_busy", "Someone else is changing the follow-up. Please try again."
            ) from exc


async def _start(
    rt: Runtime, actor: Actor, assembly_id: int, fiscal_year: int | str | None, day: dt.date
) -> dict[str, Any]:
    async with rt.transaction() as (session, outbox):
        assembly, _ = await authorized(session, assembly_id, actor, Action.MANAGE_FOLLOWUP)
        row = await session.get(FollowupSettings, assembly.id, with_for_update=True)
        if row is None:
            year = check_fiscal_year(fiscal_year) if fiscal_year else thai_fiscal_year(day)
            row = FollowupSettings(
                assembly_id=assembly.id,
                fiscal_year=year,
                rounds=quarterly_rounds(year),
                started_on=day,
                public_page=False,
            )
            session.add(row)
        frozen = set(
            await session.scalars(
                select(FollowupTarget.item_id).where(
                    FollowupTarget.assembly_id == assembly.id, FollowupTarget.kind == "item"
                )
            )
        )
        adopted = [i for i in await agenda_items(session, assembly.id) if i.adopted]
        if not adopted:
            raise Conflict(
                "nothing_adopted", "No agenda item is adopted yet: adopt the agenda first."
            )
        position = (
            await session.scalar(
                select(func.max(FollowupTarget.position)).where(
                    FollowupTarget.assembly_id == assembly.id
                )
            )
            or 0
        )
        added: list[FollowupTarget] = []
        for item in adopted:
            if item.id in frozen:
                continue
            position += 1
            added += await _freeze(session, item, position, row.fiscal_year)
        row.updated_at = utcnow()
        await emit_progress(outbox, assembly.id, "started", added=len(added))
        return {"settings": settings_view(row), "added": [target_view(t) for t in added]}


async def set_rounds(
    rt: Runtime,
    *,
    actor: Actor,
    assembly_id: int,
    fiscal_year: int | str | None = None,
    rounds: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """The fiscal year and its reporting rounds: the rounds given, or else quarterly rounds of
    the (new) fiscal year. Reports already made keep their round numbers."""
    checked = check_rounds(rounds) if rounds is not None else None
    async with rt.transaction() as (session, outbox):
        assembly, _ = await authorized(session, assembly_id, actor, Action.MANAGE_FOLLOWUP)
        row = await settings_of(session, assembly.id)
        if fiscal_year is not None:
            row.fiscal_year = check_fiscal_year(fiscal_year)
        if checked is not None:
            row.rounds = checked
        elif fiscal_year is not None:
            row.rounds = quarterly_rounds(row.fiscal_year)
        row.updated_at = utcnow()
        await emit_progress(outbox, assembly.id, "rounds")
        return settings_view(row)


async def set_public_page(
    rt: Runtime, *, actor: Actor, assembly_id: int, public: bool
) -> dict[str, Any]:
    """Switch the public read-only progress page on or off (it shows no personal data)."""
    async with rt.transaction() as (session, outbox):
        assembly, _ = await authorized(session, assembly_id, actor, Action.MANAGE_FOLLOWUP)
        row = await settings_of(session, assembly.id)
        if row.public_page != public:
            row.public_page = public
            row.updated_at = utcnow()
            await emit_progress(outbox, assembly.id, "public_page", public=public)
        return settings_view(row)


# ---------------------------------------------------------------- the working group


def _member_fields(
    name: object, network_key: object, agency: object, role: object, contact: object
) -> dict[str, str]:
    if role not in MEMBER_ROLES:
        raise InvalidInput("invalid_member_role", "Choose chair, secretary or member.")
    return {
        "name": one_line(name, "name", MAX_NAME_CHARS, required=True),
        "network_key": str(network_key or "").strip(),
        "agency": one_line(agency, "agency"),
        "role": str(role),
        "contact": one_line(contact, "contact"),
    }


async def _check_network(session: AsyncSession, assembly_id: int, key: str) -> None:
    if key and key not in set((await network_keys(session, assembly_id)).values()):
        raise InvalidInput("unknown_network", "Choose networks of this assembly.")


async def _check_grantable(session: AsyncSession, assembly: Assembly, user: User) -> None:
    """Refused for an account that is already the organizer, a facilitator or an assistant of
    this assembly (one role per assembly)."""
    standing = await standing_in(session, assembly, Actor(user=user))
    if standing.role not in (Role.ANONYMOUS, Role.SECRETARY, Role.WORKING_GROUP):
        raise Conflict(
            "account_has_role", "This account already has another role in this assembly."
        )


async def _regrant(session: AsyncSession, assembly_id: int, user_id: int) -> None:
    """The account's role here, recomputed from every member row it is linked to (after the
    caller's changes are flushed): secretary while one of them is chair or secretary, working
    group while it is a member at all, none once it is on no row. Recomputing, not setting, so
    a second row cannot keep a removed or demoted secretary's role."""
    roles = set(
        await session.scalars(
            select(FollowupMember.role).where(
                FollowupMember.assembly_id == assembly_id, FollowupMember.user_id == user_id
            )
        )
    )
    grant = await session.get(WorkingGroupAccount, (assembly_id, user_id))
    if not roles:
        if grant is not None:
            await session.delete(grant)
        return
    role = Role.SECRETARY if roles & {"chair", "secretary"} else Role.WORKING_GROUP
    if grant is None:
        session.add(WorkingGroupAccount(assembly_id=assembly_id, user_id=user_id, role=role))
    else:
        grant.role = role


async def _account(
    session: AsyncSession,
    standing: Standing,
    actor: Actor,
    username: str | None,
    password: str | None,
    name: str,
) -> User | None:
    """A new working-group account (`username` and `password`), an existing one (`username`
    alone), or none. Only the organizer makes or links accounts: a secretary who could would
    make logins at will and learn which usernames exist."""
    if not username:
        return None
    if standing.role != Role.ORGANIZER:
        raise refusal_error(Refusal.ORGANIZER_ONLY, actor)
    if password:
        return await add_account(
            session,
            username=username,
            display_name=name[:80],
            role=Role.WORKING_GROUP,
            password=password,
        )
    user = await session.scalar(select(User).where(User.username == clean_username(username)))
    if user is None:
        raise NotFound("user_not_found", "No account has this username.")
    return user


async def _member_in(session: AsyncSession, assembly_id: int, member_id: int) -> FollowupMember:
    member = await session.get(FollowupMember, member_id)
    if member is None or member.assembly_id != assembly_id:
        raise NotFound("member_not_found", "This member is not in the working group.")
    return member


async def add_member(
    rt: Runtime,
    *,
    actor: Actor,
    assembly_id: int,
    name: str,
    network_key: str = "",
    agency: str = "",
    role: str = "member",
    contact: str = "",
    username: str | None = None,
    password: str | None = None,
) -> dict[str, Any]:
    """A working-group member; with `username` and `password` a new account is made for
    them, with `username` alone an existing account is linked. The account gets the role
    `secretary` (chair, secretary) or `working_group` (member) in this assembly."""
    fields = _member_fields(name, network_key, agency, role, contact)
    async with rt.transaction() as (session, outbox):
        assembly, standing = await authorized(session, assembly_id, actor, Action.MANAGE_FOLLOWUP)
        await _check_network(session, assembly.id, fields["network_key"])
        count = await session.scalar(
            select(func.count())
            .select_from(FollowupMember)
            .where(FollowupMember.assembly_id == assembly.id)
        )
        if (count or 0) >= MAX_MEMBERS:
            raise Conflict(
                "too_many_members", "Too many entries: at most %(limit)s.", limit=MAX_MEMBERS
            )
        user = await _account(session, standing, actor, username, password, fields["name"])
        if user is not None:
            await _check_grantable(session, assembly, user)
        member = FollowupMember(
            assembly_id=assembly.id, user_id=user.id if user else None, **fields
        )
        session.add(member)
        await session.flush()
        if user is not None:
            await _regrant(session, assembly.id, user.id)
        await emit_progress(outbox, assembly.id, "members")
        return member_view(member, user.username if user else None)


async def update_member(
    rt: Runtime,
    *,
    actor: Actor,
    assembly_id: int,
    member_id: int,
    name: str,
    network_key: str = "",
    agency: str = "",
    role: str = "member",
    contact: str = "",
    username: str | None = None,
    password: str | None = None,
) -> dict[str, Any]:
    """A member's details and role; their account's role here follows the new role. A
    member without an account gets one as in `add_member` (`username`, with `password` for a
    new account)."""
    fields = _member_fields(name, network_key, agency, role, contact)
    async with rt.transaction() as (session, outbox):
        assembly, standing = await authorized(session, assembly_id, actor, Action.MANAGE_FOLLOWUP)
        await _check_network(session, assembly.id, fields["network_key"])
        member = await _member_in(session, assembly.id, member_id)
        for key, value in fields.items():
            setattr(member, key, value)
        if member.user_id is None:
            linked = await _account(session, standing, actor, username, password, member.name)
            member.user_id = linked.id if linked is not None else None
        user = await session.get(User, member.user_id) if member.user_id is not None else None
        username = None
        if user is not None:
            username = user.username
            await _check_grantable(session, assembly, user)
            await session.flush()
            await _regrant(session, assembly.id, user.id)
        await emit_progress(outbox, assembly.id, "members")
        return member_view(member, username)


async def remove_member(rt: Runtime, *, actor: Actor, assembly_id: int, member_id: int) -> None:
    """Take a member off the working group; their account loses its place here (the account
    itself stays: it may be another assembly's member)."""
    async with rt.transaction() as (session, outbox):
        assembly, _ = await authorized(session, assembly_id, actor, Action.MANAGE_FOLLOWUP)
        member = await _member_in(session, assembly.id, member_id)
        user_id = member.user_id
        await session.delete(member)
        await session.flush()
        if user_id is not None:
            await _regrant(session, assembly.id, user_id)
        await emit_progress(outbox, assembly.id, "members")


# ---------------------------------------------------------------- agencies and targets


async def add_agency(
    rt: Runtime, *, actor: Actor, assembly_id: int, name: str, network_key: str = ""
) -> dict[str, Any]:
    """An agency that will report on its targets (its link is issued by `links.issue_link`)."""
    cleaned = one_line(name, "agency", required=True)
    key = str(network_key or "").strip()
    try:
        return await _add_agency(rt, actor, assembly_id, cleaned, key)
    except IntegrityError as exc:  # the same name added at the same moment by someone else
        raise Conflict("agency_exists", "An agency of this name is already listed.") from exc


async def _add_agency(
    rt: Runtime, actor: Actor, assembly_id: int, cleaned: str, key: str
) -> dict[str, Any]:
    async with rt.transaction() as (session, outbox):
        assembly, _ = await authorized(session, assembly_id, actor, Action.MANAGE_FOLLOWUP)
        await _check_network(session, assembly.id, key)
        taken = await session.scalar(
            select(FollowupAgency.id).where(
                FollowupAgency.assembly_id == assembly.id, FollowupAgency.name == cleaned
            )
        )
        if taken is not None:
            raise Conflict("agency_exists", "An agency of this name is already listed.")
        count = await session.scalar(
            select(func.count())
            .select_from(FollowupAgency)
            .where(FollowupAgency.assembly_id == assembly.id)
        )
        if (count or 0) >= MAX_AGENCIES:
            raise Conflict(
                "too_many_agencies", "Too many entries: at most %(limit)s.", limit=MAX_AGENCIES
            )
        agency = FollowupAgency(
            assembly_id=assembly.id, name=cleaned, network_key=key, link_hint=""
        )
        session.add(agency)
        await session.flush()
        await emit_progress(outbox, assembly.id, "agencies")
        return agency_view(agency)


async def assign_target(
    rt: Runtime,
    *,
    actor: Actor,
    assembly_id: int,
    target_id: int,
    agency_id: int | None,
    person: str = "",
) -> dict[str, Any]:
    """Who answers for a target: an agency (None: its parent's) and a person there."""
    cleaned = one_line(person, "person")
    async with rt.transaction() as (session, outbox):
        assembly, _ = await authorized(session, assembly_id, actor, Action.MANAGE_FOLLOWUP)
        target = await target_in(session, assembly.id, target_id)
        if agency_id is not None:
            await agency_in(session, assembly.id, agency_id)
        target.agency_id = agency_id
        target.person = cleaned
        await emit_progress(outbox, assembly.id, "assigned", target_id=target.id)
        return target_view(target)


async def add_note(
    rt: Runtime,
    *,
    actor: Actor,
    assembly_id: int,
    target_id: int,
    author: str = "",
    worked: str = "",
    not_worked: str = "",
    change: str = "",
) -> dict[str, Any]:
    """A learning note of the working group on an item (what worked, what did not, what to
    change), gathered on the board with the lessons of the reports."""
    fields = {
        "worked": check_text(worked, "worked", MAX_NOTE_CHARS),
        "not_worked": check_text(not_worked, "not_worked", MAX_NOTE_CHARS),
        "change": check_text(change, "change", MAX_NOTE_CHARS),
    }
    if not any(fields.values()):
        raise InvalidInput("note_required", "Write what worked, what did not, or what to change.")
    async with rt.transaction() as (session, outbox):
        assembly, _ = await authorized(session, assembly_id, actor, Action.VIEW_PROGRESS)
        await target_in(session, assembly.id, target_id)
        name = one_line(author, "author") or (actor.user.display_name if actor.user else "")
        note = FollowupNote(assembly_id=assembly.id, target_id=target_id, author=name, **fields)
        session.add(note)
        await session.flush()
        await emit_progress(outbox, assembly.id, "note", target_id=target_id)
        return {"id": note.id, "target_id": target_id, "author": name, **fields}
