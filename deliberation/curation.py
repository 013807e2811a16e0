"""Use cases of the review step: cluster proposals, curate the groups, mark issues.

Rules that hold throughout:
- every proposal is in at most one group (`proposal.group_id`; None = the unsorted tray);
- a group the facilitator touched is locked: re-clustering rebuilds only unlocked groups, and
  proposals arriving later join a group only when they clearly belong there, else the tray;
- every facilitator change bumps the group's `version`; a change sent with an older version is
  refused with 409 (two facilitators curating at once), as is a re-clustering sent with an old
  grouping version; automatic placement of arrivals bumps neither;
- one event, `groups.changed`, carries the whole grouping to staff (it is small: a few hundred
  ids) and the issues to everyone; `proposal.grouped` tells where one arrival went.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from assembly.errors import Conflict, InvalidInput, NotFound, TooManyRequests
from assembly.events import EventType, Outbox
from assembly.models import Assembly
from assembly.runtime import Runtime
from assembly.services import (
    Actor,
    authorized,
    current_step,
    network_keys,
)
from assembly.steps import Action
from assembly.text import clean_text
from assembly.timeutil import as_utc, utcnow
from deliberation.models import Grouping, Proposal, ProposalGroup
from deliberation.thai import normalise
from deliberation.thai import title as title_of
from deliberation.vectors import (
    AssemblyVectors,
    assembly_vectors,
    embed_texts,
    embedder,
    ensure_vectors,
    hint_space_of,
)

# "Fewer / more groups" moves granularity by this much; one unit multiplies
# the resolution by clustering.GRANULARITY_FACTOR (on dev: −1 → 16 groups, 0 → 19, +1 → 25).
GRANULARITY_NUDGE = 0.5
# Beyond ±2 the cut is at a centred similarity of 0.0 or 0.4: one blob, or nearly singletons.
GRANULARITY_LIMIT = 2.0
MAX_CLUSTERS = 500
MAX_GROUP_TITLE = 200
SIMILAR_SHOWN = 3
# Candidates fetched for similar-while-typing before hidden and own proposals are dropped.
SIMILAR_CANDIDATES = 12
# A draft shorter than this (normalised) is not looked up: "ขอ" matches everything.
SIMILAR_MIN_CHARS = 6
# Arrivals placed in one go beyond which staff get the whole grouping instead of one event each.
PLACEMENT_EVENTS_MAX = 20
# Proposals moved in one go: a whole board of a big hall, not an unbounded list.
MAX_MOVED_AT_ONCE = 500


# --- views ----------------------------------------------------------------------------------


def _terms(group: ProposalGroup) -> list[str]:
    return [t for t in group.terms.split("\n") if t]


def group_view(
    group: ProposalGroup, members: Sequence[tuple[int, int | None, bool]], keys: dict[int, str]
) -> dict[str, Any]:
    """members: (proposal id, network id, hidden); counts leave hidden proposals out."""
    visible = [m for m in members if not m[2]]
    return {
        "id": group.id,
        "title": group.title,
        "terms": _terms(group),
        "locked": group.locked,
        "is_issue": group.is_issue,
        "hidden": group.hidden,
        "position": group.position,
        "version": group.version,
        "members": sorted(m[0] for m in members),
        "proposal_count": len(visible),
        "networks": _network_counts(visible, keys),
    }


def _network_counts(
    members: Sequence[tuple[int, int | None, bool]], keys: dict[int, str]
) -> dict[str, int]:
    counts = Counter(keys[m[1]] for m in members if m[1] is not None and m[1] in keys)
    return dict(sorted(counts.items()))


def issue_view(view: dict[str, Any], visible: Sequence[int]) -> dict[str, Any]:
    """What everyone (and the vote) sees of an issue. `members` (the visible proposals' ids)
    lets a phone say which issue its own proposal went to; the texts are read on demand
    (`issue_proposals`), so a curation event stays small for a hall of phones."""
    return {
        "id": view["id"],
        "title": view["title"],
        "proposal_count": view["proposal_count"],
        "networks": view["networks"],
        "members": sorted(visible),
    }


async def grouping_state(
    session: AsyncSession, assembly_id: int, *, with_unsorted: bool = True
) -> dict[str, Any]:
    """The staff view of the grouping: `grouping`, `groups` (with member ids), `issues`, and
    (API answers only) `unsorted`, the visible proposals in no group. Snapshots and events
    leave `unsorted` out: it changes with every new proposal, and a client derives it from
    `proposals` and the groups' members, so stale snapshot + events still equals a fresh one."""
    keys = await network_keys(session, assembly_id)
    grouping = await session.scalar(select(Grouping).where(Grouping.assembly_id == assembly_id))
    groups = list(
        await session.scalars(
            select(ProposalGroup)
            .where(ProposalGroup.assembly_id == assembly_id)
            .order_by(ProposalGroup.position, ProposalGroup.id)
        )
    )
    rows = (
        await session.execute(
            select(Proposal.id, Proposal.group_id, Proposal.network_id, Proposal.hidden)
            .where(Proposal.assembly_id == assembly_id)
            .order_by(Proposal.id)
        )
    ).all()
    members: dict[int, list[tuple[int, int | None, bool]]] = {g.id: [] for g in groups}
    unsorted: list[int] = []
    for pid, gid, network_id, hidden in rows:
        if gid is not None and gid in members:
            members[gid].append((pid, network_id, bool(hidden)))
        elif not hidden:
            unsorted.append(pid)
    views = [group_view(g, members[g.id], keys) for g in groups]
    state: dict[str, Any] = {
        "grouping": _grouping_view(grouping),
        "groups": views,
        "issues": [
            issue_view(v, [m[0] for m in members[v["id"]] if not m[2]])
            for v in views
            if v["is_issue"] and not v["hidden"]
        ],
    }
    if with_unsorted:
        state["unsorted"] = unsorted
    return state


def _grouping_view(grouping: Grouping | None) -> dict[str, Any] | None:
    if grouping is None:
        return None
    return {
        "id": grouping.id,
        "version": grouping.version,
        "granularity": grouping.granularity,
        "n_clusters": grouping.n_clusters,
        "embedder": grouping.embedder,
        "clustered_at": as_utc(grouping.clustered_at).isoformat(),
    }


async def read_grouping(rt: Runtime, *, actor: Actor, assembly_id: int) -> dict[str, Any]:
    """The staff view of the grouping, for the API."""
    async with rt.read() as session:
        await _authorized(session, assembly_id, actor)
        return await grouping_state(session, assembly_id)


async def issues_for_snapshot(
    session: AsyncSession, assembly: Assembly, *, staff: bool
) -> dict[str, Any]:
    """`issues` for everyone: [{id, title, proposal_count, networks}]; staff also get
    `grouping`, `groups` and `unsorted`."""
    state = await grouping_state(session, assembly.id, with_unsorted=False)
    return state if staff else {"issues": state["issues"]}


async def vote_options(session: AsyncSession, assembly: Assembly) -> list[tuple[str, int | None]]:
    """The curated issues as a vote's options, (title, issue id) in the order shown: what
    `voting.services.create_vote` is given when a vote is on the issues."""
    issues = (await issues_for_snapshot(session, assembly, staff=True)).get("issues") or []
    return [(str(issue.get("title", "")), issue.get("id")) for issue in issues]


async def emit_groups_changed(session: AsyncSession, outbox: Outbox, assembly_id: int) -> None:
    """`groups.changed`: the whole grouping to staff, the issues to everyone."""
    await session.flush()
    state = await grouping_state(session, assembly_id, with_unsorted=False)
    await outbox.emit(assembly_id, EventType.GROUPS_CHANGED, state, {"issues": state["issues"]})


# --- shared checks --------------------------------------------------------------------------


async def _grouping(session: AsyncSession, assembly_id: int) -> Grouping:
    """The assembly's grouping row, created on first use (curating before any clustering)."""
    grouping = await session.scalar(
        select(Grouping).where(Grouping.assembly_id == assembly_id).with_for_update()
    )
    if grouping is None:
        grouping = Grouping(
            assembly_id=assembly_id,
            version=0,
            granularity=0.0,
            n_clusters=None,
            embedder="",
            clustered_at=utcnow(),
        )
        session.add(grouping)
        await session.flush()
    return grouping


async def _group_in(session: AsyncSession, assembly_id: int, group_id: int) -> ProposalGroup:
    group = await session.scalar(
        select(ProposalGroup).where(ProposalGroup.id == group_id).with_for_update()
    )
    if group is None or group.assembly_id != assembly_id:
        raise NotFound(
            "group_not_found",
            "This group no longer exists: another facilitator may have merged it or "
            "re-clustered. The list has been refreshed.",
        )
    return group


def _check_version(group: ProposalGroup, version: int | None) -> None:
    if version is not None and version != group.version:
        raise Conflict(
            "stale_group",
            "Another facilitator changed this group a moment ago. Please look at it again "
            "and repeat your change.",
        )


def _touch(group: ProposalGroup) -> None:
    group.version += 1
    group.locked = True


async def _members(session: AsyncSession, group_id: int) -> list[Proposal]:
    return list(
        await session.scalars(
            select(Proposal).where(Proposal.group_id == group_id).order_by(Proposal.id)
        )
    )


async def _next_position(session: AsyncSession, assembly_id: int) -> int:
    positions = await session.scalars(
        select(ProposalGroup.position).where(ProposalGroup.assembly_id == assembly_id)
    )
    return max(positions.all(), default=-1) + 1


async def _authorized(session: AsyncSession, assembly_id: int, actor: Actor) -> Assembly:
    assembly, _ = await authorized(session, assembly_id, actor, Action.CURATE_ISSUES)
    return assembly


# --- clustering -----------------------------------------------------------------------------


def check_granularity(granularity: float) -> float:
    if not -GRANULARITY_LIMIT <= granularity <= GRANULARITY_LIMIT:
        raise InvalidInput("invalid_granularity", "The grouping level must be between -2 and 2.")
    return granularity


async def cluster_proposals(
    rt: Runtime,
    *,
    actor: Actor,
    assembly_id: int,
    granularity: float | None = None,
    n_clusters: int | None = None,
    version: int | None = None,
    nudge: int = 0,
) -> dict[str, Any]:
    """Group every visible proposal outside the locked groups; locked groups stay as they are.

    granularity None keeps the last one (0 at first); `nudge` −1 / +1 asks for fewer / more
    groups than last time; `version` (optional) is the grouping version the facilitator saw:
    if someone re-clustered or curated since, 409.
    """
    if n_clusters is not None and not 1 <= n_clusters <= MAX_CLUSTERS:
        raise InvalidInput(
            "invalid_cluster_count", "The number of groups must be between 1 and 500."
        )
    async with rt.read() as session:
        await _authorized(session, assembly_id, actor)
    vectors = await ensure_vectors(rt, assembly_id)
    async with rt.read() as session:
        grouping = await session.scalar(select(Grouping).where(Grouping.assembly_id == assembly_id))
        seen = grouping.version if grouping else 0
        if version is not None and version != seen:
            raise _stale_grouping()
        level = check_granularity(
            granularity if granularity is not None else (grouping.granularity if grouping else 0.0)
        )
        if nudge:
            level = max(
                -GRANULARITY_LIMIT,
                min(GRANULARITY_LIMIT, level + (1 if nudge > 0 else -1) * GRANULARITY_NUDGE),
            )
            n_clusters = None
        locked = set(
            await session.scalars(
                select(ProposalGroup.id).where(
                    ProposalGroup.assembly_id == assembly_id, ProposalGroup.locked.is_(True)
                )
            )
        )
        rows = (
            await session.execute(
                select(Proposal.id, Proposal.text, Proposal.group_id, Proposal.network_id)
                .where(Proposal.assembly_id == assembly_id, Proposal.hidden.is_(False))
                .order_by(Proposal.id)
            )
        ).all()
    free = [
        (pid, text, network)
        for pid, text, gid, network in rows
        if gid not in locked and pid in vectors.row_of
    ]
    from deliberation.clustering import cluster

    model = embedder()
    result = await asyncio.to_thread(
        cluster,
        vectors.rows([pid for pid, _, _ in free]) if free else [],
        [text for _, text, _ in free],
        # The authors' networks take their voices out of the similarity (clustering docs).
        networks=[network for _, _, network in free],
        n_clusters=n_clusters,
        granularity=level,
        calibration=model.calibration,
    )
    async with rt.transaction() as (session, outbox):
        grouping = await _grouping(session, assembly_id)
        if grouping.version != seen:
            raise _stale_grouping()
        unlocked = list(
            await session.scalars(
                select(ProposalGroup.id).where(
                    ProposalGroup.assembly_id == assembly_id, ProposalGroup.locked.is_(False)
                )
            )
        )
        if unlocked:
            await session.execute(
                update(Proposal).where(Proposal.group_id.in_(unlocked)).values(group_id=None)
            )
            await session.execute(delete(ProposalGroup).where(ProposalGroup.id.in_(unlocked)))
        position = await _next_position(session, assembly_id)
        for offset, found in enumerate(result.clusters):
            group = ProposalGroup(
                assembly_id=assembly_id,
                title=found.title or "…",
                terms="\n".join(found.terms),
                locked=False,
                is_issue=False,
                hidden=False,
                position=position + offset,
                version=1,
            )
            session.add(group)
            await session.flush()
            await session.execute(
                update(Proposal)
                .where(Proposal.id.in_([free[row][0] for row in found.members]))
                .values(group_id=group.id)
            )
        grouping.version += 1
        grouping.granularity = level
        grouping.n_clusters = n_clusters
        grouping.embedder = model.name
        grouping.clustered_at = utcnow()
        await emit_groups_changed(session, outbox, assembly_id)
        return await grouping_state(session, assembly_id)


def _stale_grouping() -> Conflict:
    return Conflict(
        "stale_grouping",
        "Another facilitator changed the groups a moment ago. The list has been refreshed: "
        "please look at it again.",
    )


# --- curation -------------------------------------------------------------------------------


class _Unset:
    pass


UNSET: Any = _Unset()


async def move_proposal(
    rt: Runtime,
    *,
    actor: Actor,
    assembly_id: int,
    proposal_id: int,
    group_id: int | None,
    new_group: bool = False,
    from_group_id: int | _Unset | None = UNSET,
) -> dict[str, Any]:
    """Move a proposal into a group, a new group of its own, or the unsorted tray (None).

    `from_group_id`: where the facilitator saw it; if it has moved since, 409.
    """
    async with rt.transaction() as (session, outbox):
        await _authorized(session, assembly_id, actor)
        grouping = await _grouping(session, assembly_id)
        proposal = await session.get(Proposal, proposal_id, with_for_update=True)
        if proposal is None or proposal.assembly_id != assembly_id:
            raise NotFound("proposal_not_found", "This proposal does not exist.")
        if not isinstance(from_group_id, _Unset) and from_group_id != proposal.group_id:
            raise Conflict(
                "proposal_moved",
                "Another facilitator moved this proposal a moment ago. Please look again.",
            )
        target: ProposalGroup | None = None
        if new_group:
            target = ProposalGroup(
                assembly_id=assembly_id,
                title=title_of(proposal.text),
                terms="",
                locked=True,
                is_issue=False,
                hidden=False,
                position=await _next_position(session, assembly_id),
                version=1,
            )
            session.add(target)
            await session.flush()
        elif group_id is not None:
            target = await _group_in(session, assembly_id, group_id)
        if target is not None and target.id == proposal.group_id:
            return await grouping_state(session, assembly_id)
        source_id = proposal.group_id
        proposal.group_id = target.id if target is not None else None
        if target is not None and not new_group:
            _touch(target)
        if source_id is not None:
            source = await session.get(ProposalGroup, source_id)
            if source is not None:
                await session.flush()
                if not await _members(session, source.id) and not source.is_issue:
                    await session.delete(source)
                else:
                    _touch(source)
        grouping.version += 1
        await emit_groups_changed(session, outbox, assembly_id)
        return await grouping_state(session, assembly_id)


async def move_proposals(
    rt: Runtime,
    *,
    actor: Actor,
    assembly_id: int,
    proposal_ids: Sequence[int],
    group_id: int | None,
    new_group: bool = False,
) -> dict[str, Any]:
    """Move several proposals into one group, a new group, or the unsorted tray (None).

    One transaction and one `groups.changed` event after the commit: a facilitator who ticks
    thirty proposals sends one change to the hall, not thirty, and either all move or none.
    """
    ids = list(dict.fromkeys(proposal_ids))
    if not ids:
        raise InvalidInput("no_proposals_chosen", "Tick the proposals to move first.")
    if len(ids) > MAX_MOVED_AT_ONCE:
        raise InvalidInput(
            "too_many_proposals",
            "You can move at most %(limit)s proposals at once.",
            limit=MAX_MOVED_AT_ONCE,
        )
    async with rt.transaction() as (session, outbox):
        await _authorized(session, assembly_id, actor)
        grouping = await _grouping(session, assembly_id)
        proposals = list(
            await session.scalars(
                select(Proposal)
                .where(Proposal.id.in_(ids), Proposal.assembly_id == assembly_id)
                .order_by(Proposal.id)
                .with_for_update()
            )
        )
        if len(proposals) != len(ids):
            raise NotFound("proposal_not_found", "This proposal does not exist.")
        target: ProposalGroup | None = None
        if new_group:
            target = ProposalGroup(
                assembly_id=assembly_id,
                title=title_of(proposals[0].text),
                terms="",
                locked=True,
                is_issue=False,
                hidden=False,
                position=await _next_position(session, assembly_id),
                version=1,
            )
            session.add(target)
            await session.flush()
        elif group_id is not None:
            target = await _group_in(session, assembly_id, group_id)
        target_id = target.id if target is not None else None
        moving = [p for p in proposals if p.group_id != target_id]
        if not moving:
            return await grouping_state(session, assembly_id)
        sources = sorted({p.group_id for p in moving if p.group_id is not None})
        for proposal in moving:
            proposal.group_id = target_id
        if target is not None and not new_group:
            _touch(target)
        await session.flush()
        for source_id in sources:
            source = await session.get(ProposalGroup, source_id)
            if source is None:
                continue
            if not await _members(session, source.id) and not source.is_issue:
                await session.delete(source)
            else:
                _touch(source)
        grouping.version += 1
        await emit_groups_changed(session, outbox, assembly_id)
        return await grouping_state(session, assembly_id)


async def merge_groups(
    rt: Runtime,
    *,
    actor: Actor,
    assembly_id: int,
    group_id: int,
    into_group_id: int,
    version: int | None = None,
    into_version: int | None = None,
) -> dict[str, Any]:
    """Move every proposal of `group_id` into `into_group_id` and remove the first; the result
    is an issue if either was."""
    if group_id == into_group_id:
        raise InvalidInput("merge_same", "Choose another group to merge with.")
    async with rt.transaction() as (session, outbox):
        await _authorized(session, assembly_id, actor)
        grouping = await _grouping(session, assembly_id)
        source = await _group_in(session, assembly_id, group_id)
        target = await _group_in(session, assembly_id, into_group_id)
        _check_version(source, version)
        _check_version(target, into_version)
        await session.execute(
            update(Proposal).where(Proposal.group_id == source.id).values(group_id=target.id)
        )
        target.is_issue = target.is_issue or source.is_issue
        if target.is_issue:
            target.hidden = False
        merged = list(dict.fromkeys(_terms(target) + _terms(source)))[:3]
        target.terms = "\n".join(merged)
        _touch(target)
        await session.delete(source)
        grouping.version += 1
        await emit_groups_changed(session, outbox, assembly_id)
        return await grouping_state(session, assembly_id)


async def split_group(
    rt: Runtime,
    *,
    actor: Actor,
    assembly_id: int,
    group_id: int,
    proposal_ids: Sequence[int] = (),
    version: int | None = None,
) -> dict[str, Any]:
    """Take the chosen proposals out into a new group; with none chosen, split the group in
    two by clustering its members."""
    vectors = await assembly_vectors(rt, assembly_id) if not proposal_ids else None
    async with rt.transaction() as (session, outbox):
        await _authorized(session, assembly_id, actor)
        grouping = await _grouping(session, assembly_id)
        group = await _group_in(session, assembly_id, group_id)
        _check_version(group, version)
        members = await _members(session, group.id)
        member_ids = {p.id for p in members}
        title, terms = "", ""
        if proposal_ids:
            chosen = list(dict.fromkeys(int(i) for i in proposal_ids))
            if not set(chosen) <= member_ids:
                raise Conflict(
                    "proposal_moved",
                    "Another facilitator moved this proposal a moment ago. Please look again.",
                )
        else:
            chosen, title, terms = await _auto_split(members, vectors)
        if len(chosen) >= len(members):
            raise InvalidInput("split_all", "Leave at least one proposal in the group.")
        first = next(p for p in members if p.id == chosen[0])
        part = ProposalGroup(
            assembly_id=assembly_id,
            title=title or title_of(first.text),
            terms=terms,
            locked=True,
            is_issue=False,
            hidden=group.hidden,
            position=group.position,
            version=1,
        )
        session.add(part)
        await session.flush()
        await session.execute(
            update(Proposal).where(Proposal.id.in_(chosen)).values(group_id=part.id)
        )
        _touch(group)
        grouping.version += 1
        await emit_groups_changed(session, outbox, assembly_id)
        return await grouping_state(session, assembly_id)


async def _auto_split(members: list[Proposal], vectors: Any) -> tuple[list[int], str, str]:
    """The smaller half of a two-way clustering of the group's members."""
    usable = [p for p in members if vectors is not None and p.id in vectors.row_of]
    if len(usable) < 2 or len({normalise(p.text) for p in usable}) < 2:
        raise InvalidInput(
            "split_too_small", "A group needs at least two different proposals to be split."
        )
    from deliberation.clustering import cluster

    result = await asyncio.to_thread(
        cluster,
        vectors.rows([p.id for p in usable]),
        [p.text for p in usable],
        n_clusters=2,
        calibration=embedder().calibration,
    )
    smaller = result.clusters[-1]
    return (
        [usable[row].id for row in smaller.members],
        smaller.title,
        "\n".join(smaller.terms),
    )


async def update_group(
    rt: Runtime,
    *,
    actor: Actor,
    assembly_id: int,
    group_id: int,
    version: int | None = None,
    title: str | None = None,
    hidden: bool | None = None,
    is_issue: bool | None = None,
    locked: bool | None = None,
) -> dict[str, Any]:
    """Rename, hide or show, mark or unmark as an issue, lock or unlock a group."""
    cleaned = None
    if title is not None:
        cleaned = clean_text(title).replace("\n", " ")
        if not cleaned:
            raise InvalidInput("group_title_empty", "Please give the group a title.")
        if len(cleaned) > MAX_GROUP_TITLE:
            raise InvalidInput(
                "group_title_too_long",
                "The title is too long: at most %(limit)s characters.",
                limit=MAX_GROUP_TITLE,
            )
    async with rt.transaction() as (session, outbox):
        await _authorized(session, assembly_id, actor)
        grouping = await _grouping(session, assembly_id)
        group = await _group_in(session, assembly_id, group_id)
        _check_version(group, version)
        if cleaned is not None:
            group.title = cleaned
        if hidden is not None:
            group.hidden = hidden
            if hidden:
                group.is_issue = False
        if is_issue is not None:
            if is_issue and group.hidden:
                raise Conflict("issue_hidden", "A hidden group cannot be an issue. Show it first.")
            if is_issue and not any(not p.hidden for p in await _members(session, group.id)):
                raise Conflict("issue_empty", "An issue needs at least one visible proposal.")
            group.is_issue = is_issue
        _touch(group)
        if locked is not None:
            group.locked = locked
        grouping.version += 1
        await emit_groups_changed(session, outbox, assembly_id)
        return await grouping_state(session, assembly_id)


# --- arrivals after curation ----------------------------------------------------------------


async def place_arrivals(rt: Runtime, assembly_id: int, proposal_ids: list[int]) -> None:
    """Put proposals that arrived after a clustering into the visible group they clearly
    belong to (see clustering.place_new); the rest stay in the unsorted tray. Members of
    groups are never moved, and no group's version changes: this is not a facilitator's edit."""
    vectors = await assembly_vectors(rt, assembly_id)
    async with rt.transaction() as (session, outbox):
        grouping = await session.scalar(select(Grouping).where(Grouping.assembly_id == assembly_id))
        if grouping is None:
            return
        groups = list(
            await session.scalars(
                select(ProposalGroup)
                .where(ProposalGroup.assembly_id == assembly_id, ProposalGroup.hidden.is_(False))
                .order_by(ProposalGroup.position, ProposalGroup.id)
            )
        )
        rows = (
            await session.execute(
                select(Proposal.id, Proposal.group_id, Proposal.hidden).where(
                    Proposal.assembly_id == assembly_id
                )
            )
        ).all()
        arrivals = await _arrivals(session, grouping, proposal_ids, rows, vectors)
        if not arrivals:
            return
        placed = _placement(groups, rows, arrivals, vectors)
        for pid, gid in placed.items():
            await session.execute(update(Proposal).where(Proposal.id == pid).values(group_id=gid))
        if len(arrivals) > PLACEMENT_EVENTS_MAX:
            await emit_groups_changed(session, outbox, assembly_id)
            return
        await _emit_placed(session, outbox, assembly_id, arrivals, placed)


async def _arrivals(
    session: AsyncSession,
    grouping: Grouping,
    proposal_ids: list[int],
    rows: Sequence[Any],
    vectors: AssemblyVectors,
) -> list[int]:
    """Of `proposal_ids`, the visible, ungrouped ones with a vector that came after the
    clustering: one that was clustered and then put in the unsorted tray by a facilitator
    stays where they put it."""
    after = set(
        await session.scalars(
            select(Proposal.id).where(
                Proposal.id.in_(proposal_ids), Proposal.created_at > grouping.clustered_at
            )
        )
    )
    return [
        pid
        for pid, gid, hidden in rows
        if pid in after and gid is None and not hidden and pid in vectors.row_of
    ]


def _placement(
    groups: list[ProposalGroup],
    rows: Sequence[Any],
    arrivals: list[int],
    vectors: AssemblyVectors,
) -> dict[int, int]:
    """Arrival -> the id of the group it clearly belongs to (arrivals left out stay unsorted)."""
    from deliberation.clustering import place_new  # scikit-learn loads on first use

    index = {g.id: i for i, g in enumerate(groups)}
    members: list[list[int]] = [[] for _ in groups]
    for pid, gid, hidden in rows:
        if gid in index and not hidden and pid in vectors.row_of:
            members[index[gid]].append(pid)
    kept = [i for i, m in enumerate(members) if m]
    if not kept:
        return {}
    ids = [pid for i in kept for pid in members[i]] + arrivals
    row_of = {pid: r for r, pid in enumerate(ids)}
    placement = place_new(
        vectors.rows(ids),
        [[row_of[pid] for pid in members[i]] for i in kept],
        [row_of[pid] for pid in arrivals],
        calibration=embedder().calibration,
    )
    placed: dict[int, int] = {}
    for slot, rows_in_group in enumerate(placement.groups):
        group = groups[kept[slot]]
        for row in rows_in_group[len(members[kept[slot]]) :]:
            placed[ids[row]] = group.id
    return placed


async def _emit_placed(
    session: AsyncSession,
    outbox: Outbox,
    assembly_id: int,
    arrivals: list[int],
    placed: dict[int, int],
) -> None:
    """`proposal.grouped` per arrival, placed or not; the issues to everyone when an issue grew."""
    await session.flush()
    state = await grouping_state(session, assembly_id, with_unsorted=False)
    views = {v["id"]: v for v in state["groups"]}
    for pid in arrivals:
        gid = placed.get(pid)
        view = views[gid] if gid is not None else None
        public = {"issues": state["issues"]} if view is not None and view["is_issue"] else None
        await outbox.emit(
            assembly_id,
            EventType.PROPOSAL_GROUPED,
            {"proposal_id": pid, "group_id": gid, "group": view},
            public,
        )


# --- similar while typing -------------------------------------------------------------------


async def issue_proposals(
    rt: Runtime, *, actor: Actor, assembly_id: int, issue_id: int
) -> dict[str, Any]:
    """An issue with its visible proposals, for a phone that opens it in review:
    {id, title, proposals: [{id, text, network, supports, mine}]}. Everyone in the assembly may
    read it (the issues are public; hidden proposals stay out)."""
    async with rt.read() as session:
        _, standing = await authorized(session, assembly_id, actor, Action.VIEW_ASSEMBLY)
        issue = await session.scalar(
            select(ProposalGroup).where(
                ProposalGroup.id == issue_id, ProposalGroup.assembly_id == assembly_id
            )
        )
        if issue is None or not issue.is_issue or issue.hidden:
            raise NotFound("issue_not_found", "This issue does not exist.")
        keys = await network_keys(session, assembly_id)
        proposals = await session.scalars(
            select(Proposal)
            .where(Proposal.group_id == issue.id, Proposal.hidden.is_(False))
            .order_by(Proposal.support_count.desc(), Proposal.id)
        )
        own = standing.participant.id if standing.participant is not None else None
        return {
            "id": issue.id,
            "title": issue.title,
            "proposals": [
                {
                    "id": p.id,
                    "text": p.text,
                    "network": keys.get(p.network_id or 0),
                    "supports": p.support_count,
                    "mine": own is not None and p.participant_id == own,
                }
                for p in proposals
            ],
        }


async def similar_proposals(
    rt: Runtime, *, actor: Actor, assembly_id: int, text: str
) -> list[dict[str, Any]]:
    """Up to three proposals others can see that say what the draft says, best first:
    [{id, text, network, supports}]. Empty when the step shows no one else's proposals."""
    from deliberation.clustering import similar

    draft = clean_text(text or "")[: rt.settings.max_proposal_chars]
    async with rt.read() as session:
        assembly, standing = await authorized(session, assembly_id, actor, Action.VIEW_ASSEMBLY)
        step = current_step(assembly)
        staff = standing.is_staff
        if not staff and (step is None or not step.show_others):
            return []
    if len(normalise(draft)) < SIMILAR_MIN_CHARS:
        return []
    asker = (
        f"participant:{standing.participant.id}"
        if standing.participant is not None
        else f"user:{getattr(actor.user, 'id', None)}"
    )
    if not rt.limits.similar.allow(asker):  # counted before the embedding it would cost
        raise TooManyRequests(
            "too_many_requests", "You are sending very fast. Please wait a moment."
        )
    # Proposals the background has not embedded yet (a burst, a cold start) are embedded now:
    # a suggestion missed at that moment would never be asked for again.
    vectors = await ensure_vectors(rt, assembly_id)
    if not vectors.ids:
        return []
    space = await hint_space_of(rt, assembly_id, vectors)
    query = space.place(await embed_texts([draft]))[0]
    found = similar(
        query,
        space.rows,
        k=SIMILAR_CANDIDATES,
        min_similarity=space.threshold(embedder().calibration),
    )
    if not found:
        return []
    ids = [vectors.ids[row] for row, _ in found]
    own = standing.participant.id if standing.participant is not None else None
    async with rt.read() as session:
        keys = await network_keys(session, assembly_id)
        proposals = {
            p.id: p for p in await session.scalars(select(Proposal).where(Proposal.id.in_(ids)))
        }
    out: list[dict[str, Any]] = []
    for pid in ids:
        p = proposals.get(pid)
        if p is None or p.hidden or (own is not None and p.participant_id == own):
            continue
        out.append(
            {
                "id": p.id,
                "text": p.text,
                "network": keys.get(p.network_id or 0),
                "supports": p.support_count,
            }
        )
        if len(out) == SIMILAR_SHOWN:
            break
    return out
