"""Use cases of voting: set up, open, close and reveal a vote; cast a ballot; results.

A vote belongs to a step of kind `vote` and moves draft -> open -> closed (and may be
reopened); a step has at most one open vote at a time, and its current vote (the one phones
and the console show) is that open one, else its newest. Results stay hidden from
participants until the facilitator reveals them. Ballots go through the process's one
`BallotWriter` (group commit, acknowledged after commit); running tallies reach the console
and presenter as coalesced `LiveUpdate`s, at most one per `LIVE_INTERVAL_S` per vote; phones
get nothing per ballot. See docs/voting.md.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import time
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from assembly.db import Database
from assembly.errors import Conflict, Forbidden, InvalidInput, NotAuthenticated, NotFound
from assembly.events import EventType, LiveUpdate, Outbox
from assembly.models import Assembly, Network, PaperCard, Participant, User
from assembly.paper import paper_status
from assembly.runtime import Runtime
from assembly.services import (
    Actor,
    authorized,
    current_step,
    get_assembly,
    network_counts,
    standing_in,
)
from assembly.steps import Action, StepKind
from assembly.text import clean_text
from assembly.timeutil import as_utc, utcnow
from voting.export import export_document
from voting.methods import (
    NETWORKS,
    BallotError,
    MethodConfigError,
    MethodKind,
    VoteMethod,
    method_from_params,
    method_params,
    validate_ballot,
)
from voting.models import Ballot, Vote, VoteOption, VoteStatus
from voting.results import StoredBallot, canonical_content, raw_ballot, results_view
from voting.writer import BallotWriter, Outcome, PendingBallot

logger = logging.getLogger("samatcha.voting")

LIVE_INTERVAL_S = 0.5  # running tallies to staff screens: at most two a second per vote
LIVE_SHARE = 0.05  # and at most this share of the process's time: a big vote's count is long
LIVE_MAX_INTERVAL_S = 2.0  # but a screen still sees the running tally move every 2 s at least
DEFINITION_TTL_S = 1.0  # another worker's open/close reaches this one's cache within a second
DEFAULT_DOTS = 5  # what facilitators hand out on paper when the setup form leaves it empty
MIN_OPTIONS = 2
MAX_OPTIONS = 60  # a phone ballot beyond this is a scroll marathon; split the vote instead
MAX_LABEL_CHARS = 200
MAX_CLIENT_SEQ = 2**53 - 1  # what a browser's Number holds exactly
SUBJECTS = ("options", "issues")
PARAM_FIELDS: dict[str, tuple[str, ...]] = {
    MethodKind.DOT: ("dots", "max_per_option"),
    MethodKind.APPROVAL: ("max_approvals",),
    MethodKind.SCORE: ("max_score", "support_threshold"),
    MethodKind.RANKING: ("min_ranked", "max_ranked", "support_top_k"),
    MethodKind.BUDGET: ("total",),
}
_OPTION_FIELD = re.compile(r"^o(\d+)$")


# ---------------------------------------------------------------- per-process state


@dataclass(frozen=True)
class VoteDefinition:
    """What checking a ballot needs, cached briefly so a ballot costs no extra reads."""

    id: int
    assembly_id: int
    step_id: int
    method: VoteMethod
    options: tuple[tuple[str, str], ...]  # (option id, label) in the organiser's order
    status: str
    revealed: bool
    fetched: float = 0.0

    @property
    def option_ids(self) -> list[str]:
        return [option_id for option_id, _ in self.options]


@dataclass
class VotingHub:
    """Per database: the ballot writer, small caches and the tally coalescer."""

    writer: BallotWriter
    loop: asyncio.AbstractEventLoop
    definitions: dict[int, VoteDefinition] = field(default_factory=dict)
    loading: dict[int, asyncio.Task[VoteDefinition | None]] = field(default_factory=dict)
    dirty: set[int] = field(default_factory=set)
    live_task: asyncio.Task[None] | None = None
    last_live: float = 0.0
    live_cost: float = 0.0
    """How long the last round of live tallies took (wall clock, the loop's own work)."""


_HUBS: weakref.WeakKeyDictionary[Database, VotingHub] = weakref.WeakKeyDictionary()


def hub_for(rt: Runtime) -> VotingHub:
    loop = asyncio.get_running_loop()
    hub = _HUBS.get(rt.db)
    if hub is None:
        # Queued ballots commit and the live tallies stop before the engines close.
        rt.db.before_dispose(functools.partial(shutdown, rt))
    if hub is None or hub.loop is not loop:
        holder: list[VotingHub] = []
        hub = VotingHub(
            writer=BallotWriter(rt, lambda votes: _mark_dirty(rt, holder[0], votes)), loop=loop
        )
        holder.append(hub)
        _HUBS[rt.db] = hub
    return hub


async def shutdown(rt: Runtime) -> None:
    """Let queued ballots commit and stop the live tallies, before the database closes."""
    hub = _HUBS.get(rt.db)
    if hub is None or hub.loop is not asyncio.get_running_loop():
        return
    if hub.writer.task is not None:
        await asyncio.gather(hub.writer.task, return_exceptions=True)
    hub.dirty.clear()
    if hub.live_task is not None and not hub.live_task.done():
        hub.live_task.cancel()
        await asyncio.gather(hub.live_task, return_exceptions=True)


def _forget(rt: Runtime, vote_id: int) -> None:
    hub = _HUBS.get(rt.db)
    if hub is not None:
        hub.definitions.pop(vote_id, None)


# ---------------------------------------------------------------- views


def _definition(vote: Vote) -> VoteDefinition:
    return VoteDefinition(
        id=vote.id,
        assembly_id=vote.assembly_id,
        step_id=vote.step_id,
        method=method_from_params(vote.method, vote.params),
        options=tuple((str(o.id), o.label) for o in vote.options),
        status=vote.status,
        revealed=vote.revealed,
        fetched=time.monotonic(),
    )


def definition_view(vote: Vote) -> dict[str, Any]:
    return {
        "id": vote.id,
        "step_id": vote.step_id,
        "method": vote.method,
        "params": dict(vote.params),
        "subject": vote.subject,
        "status": vote.status,
        "revealed": vote.revealed,
        "standing": vote.standing or "",
        "seeded_from": vote.seeded_from,
        "options": [
            {"id": str(o.id), "label": o.label, "issue_id": o.issue_id} for o in vote.options
        ],
    }


async def stored_ballots(session: AsyncSession, vote_id: int) -> list[StoredBallot]:
    """A vote's ballots with their networks; paper ones with their card's audit fields."""
    entered_by, corrected_by = aliased(User), aliased(User)
    # One card per ballot even if two assistants raced to enter two cards for one person: the
    # ballot row is still one (the writer's upsert), and it is counted once here too.
    first_card = (
        select(PaperCard.participant_id, func.min(PaperCard.id).label("card_id"))
        .where(PaperCard.vote_id == vote_id, PaperCard.entered_at.is_not(None))
        .group_by(PaperCard.participant_id)
        .subquery()
    )
    rows = await session.execute(
        select(
            Ballot.content,
            Network.key,
            Participant.source,
            PaperCard.number,
            entered_by.username,
            PaperCard.entered_at,
            corrected_by.username,
            PaperCard.corrected_at,
        )
        .join(Participant, Participant.id == Ballot.participant_id)
        .join(Network, Network.id == Participant.network_id)
        .outerjoin(first_card, first_card.c.participant_id == Ballot.participant_id)
        .outerjoin(PaperCard, PaperCard.id == first_card.c.card_id)
        .outerjoin(entered_by, entered_by.id == PaperCard.entered_by)
        .outerjoin(corrected_by, corrected_by.id == PaperCard.corrected_by)
        .where(Ballot.vote_id == vote_id)
        .order_by(Ballot.id)
    )
    return [
        StoredBallot(
            content,
            network,
            source or "phone",
            card,
            by,
            as_utc(at).isoformat() if at else None,
            fixer,
            as_utc(fixed).isoformat() if fixed else None,
        )
        for content, network, source, card, by, at, fixer, fixed in rows.all()
    ]


STANDINGS = ("", "counted", "trial", "discarded")
"""What a vote is for the agenda (Vote.standing): not marked, counted, a trial, discarded."""
NOT_USED = ("trial", "discarded")


async def latest_vote(session: AsyncSession, assembly_id: int, subject: str) -> Vote | None:
    """The vote that counts for a subject: the newest one the facilitator marked counted; when
    none is marked, the newest closed one, else the newest with ballots (trial and discarded
    votes never count)."""
    counted = await counted_votes(session, assembly_id, subject)
    if counted:
        return counted[-1]
    votes = list(
        await session.scalars(
            select(Vote)
            .where(
                Vote.assembly_id == assembly_id,
                Vote.subject == subject,
                Vote.standing.not_in(NOT_USED),
            )
            .order_by(Vote.id.desc())
        )
    )
    for vote in votes:
        if vote.status == "closed":
            return vote
    for vote in votes:
        if await session.scalar(select(func.count()).where(Ballot.vote_id == vote.id)):
            return vote
    return None


async def counted_votes(
    session: AsyncSession, assembly_id: int, subject: str | None = None
) -> list[Vote]:
    """The votes marked counted (of one subject, or all), oldest first."""
    query = select(Vote).where(Vote.assembly_id == assembly_id, Vote.standing == "counted")
    if subject is not None:
        query = query.where(Vote.subject == subject)
    return list(await session.scalars(query.order_by(Vote.id)))


async def ranked_issue_ids(session: AsyncSession, assembly_id: int) -> list[int]:
    """Issue ids in the order the issues vote that counts ranked them (cross-network consensus
    breaks nothing here: the method's own ranking, as announced in the hall); the agenda's
    items start in this order. A trial vote never decides which issues enter the agenda."""
    vote = await latest_vote(session, assembly_id, "issues")
    if vote is None:
        return []
    ranking = await ranked_options(session, vote)
    return [issue_id for _, _, issue_id in ranking if issue_id is not None]


async def ranked_options(session: AsyncSession, vote: Vote) -> list[tuple[str, str, int | None]]:
    """(option id, label, issue id) of a vote, best first, by its method's ranking."""
    try:
        method = method_from_params(vote.method, vote.params)
    except MethodConfigError:
        return []
    options = list(
        await session.scalars(
            select(VoteOption).where(VoteOption.vote_id == vote.id).order_by(VoteOption.position)
        )
    )
    labels = [(str(o.id), o.label) for o in options]
    results = results_view(method, labels, await stored_ballots(session, vote.id))
    by_id = {str(o.id): o for o in options}
    return [
        (line["option_id"], by_id[line["option_id"]].label, by_id[line["option_id"]].issue_id)
        for line in results["ranking"]
        if line["option_id"] in by_id
    ]


async def _results(session: AsyncSession, vote: Vote) -> dict[str, Any]:
    definition = _definition(vote)
    return results_view(
        definition.method, definition.options, await stored_ballots(session, vote.id)
    )


BallotsVersion = tuple[int, int, int, int]
"""(assembly seq, ballots, sum of their client_seq, newest ballot id): grows with every change
that can change a vote's results. A new ballot adds a row; a replaced one raises its row's
client_seq (the writer only overwrites with a larger one); a voter who moved to another
network, a released seat or new options are events, which raise the seq. Read with one
aggregate over the vote's ballots, far cheaper than reading and counting them."""


async def _ballots_version(session: AsyncSession, vote: Vote) -> BallotsVersion:
    seq = await session.scalar(select(Assembly.seq).where(Assembly.id == vote.assembly_id))
    count, seq_sum, newest = (
        await session.execute(
            select(
                func.count(),
                func.coalesce(func.sum(Ballot.client_seq), 0),
                func.coalesce(func.max(Ballot.id), 0),
            ).where(Ballot.vote_id == vote.id)
        )
    ).one()
    return int(seq or 0), int(count), int(seq_sum), int(newest)


MAX_VERSION_CHARS = 80  # four 64-bit counters; a longer one is garbage, never parsed


def format_version(version: BallotsVersion) -> str:
    return "-".join(str(n) for n in version)


def parse_version(text: str | None) -> BallotsVersion | None:
    """A version a screen names (a tally's `version`), or None when it names none or garbage."""
    parts = (text or "")[:MAX_VERSION_CHARS].split("-")
    if len(parts) != 4 or not all(part.isascii() and part.isdigit() for part in parts):
        return None
    return int(parts[0]), int(parts[1]), int(parts[2]), int(parts[3])


async def _counted_results(
    rt: Runtime, session: AsyncSession, vote: Vote, *, at_least: BallotsVersion | None = None
) -> tuple[BallotsVersion, dict[str, Any]]:
    """A vote's results, counted once per version of its ballots in this process: a hall of
    screens asking for the same result shares one count. With `at_least` (the version of the
    tally a screen shows), results counted at that version or later are good enough: screens
    that ask while ballots keep arriving do not each see, and count, a version of their own."""
    known = rt.vote_results.newest(vote.id)
    if at_least is not None and known is not None and known[0] >= at_least:
        return known[0], known[1]
    version = await _ballots_version(session, vote)
    results = await rt.vote_results.get(vote.id, version, lambda: _results(session, vote))
    return version, results


async def _turnout(session: AsyncSession, assembly: Assembly, vote_id: int) -> dict[str, Any]:
    counts = {
        key: (voted, paper)
        for key, voted, paper in await session.execute(
            select(Network.key, func.count(), func.count().filter(Participant.source == "paper"))
            .select_from(Ballot)
            .join(Participant, Participant.id == Ballot.participant_id)
            .join(Network, Network.id == Participant.network_id)
            .where(Ballot.vote_id == vote_id)
            .group_by(Network.key)
        )
    }
    networks = [
        {
            **n,
            "voted": int(counts.get(n["key"], (0, 0))[0]),
            "paper": int(counts.get(n["key"], (0, 0))[1]),
        }
        for n in await network_counts(session, assembly)
    ]
    return {
        "vote_id": vote_id,
        "networks": networks,
        "voted": sum(n["voted"] for n in networks),
        "paper": sum(n["paper"] for n in networks),
        "joined": sum(n["joined"] for n in networks),
        "cards": await paper_status(session, assembly.id, vote_id),
    }


turnout_of = _turnout  # per network joined and voted, for the agenda document


async def _vote_views(
    session: AsyncSession, assembly: Assembly, vote: Vote
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(staff view, participants' view) of a vote."""
    public = definition_view(vote)
    results = await _results(session, vote)
    staff = {**public, "results": results, "turnout": await _turnout(session, assembly, vote.id)}
    if vote.revealed:
        public = {**public, "results": results}
    return staff, public


async def _current_vote(session: AsyncSession, assembly: Assembly) -> Vote | None:
    """The current vote step's current vote: its open vote if it has one (a facilitator may
    reopen an earlier vote after setting up a newer draft), else its newest; None outside a
    vote step or before any vote was set up."""
    step = current_step(assembly)
    if step is None or step.kind != StepKind.VOTE:
        return None
    open_first = case((Vote.status == VoteStatus.OPEN, 0), else_=1)
    vote: Vote | None = await session.scalar(
        select(Vote).where(Vote.step_id == step.id).order_by(open_first, Vote.id.desc()).limit(1)
    )
    return vote


async def _step_votes(session: AsyncSession, step_id: int) -> list[Vote]:
    """A step's votes, oldest first, locked (PostgreSQL) so that two facilitators cannot
    open two votes of one step, or set one up while another opens, at the same moment."""
    rows = await session.scalars(
        select(Vote)
        .where(Vote.step_id == step_id)
        .order_by(Vote.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return list(rows.all())


async def votes_for_snapshot(
    session: AsyncSession, assembly: Assembly, *, staff: bool
) -> dict[str, Any]:
    """`vote`: the current vote step's current vote (see `_current_vote`; None when there is
    none): its definition; for staff also `results` and `turnout`; for everyone `results`
    once revealed."""
    vote = await _current_vote(session, assembly)
    if vote is None:
        return {"vote": None}
    if staff:
        return {"vote": (await _vote_views(session, assembly, vote))[0]}
    # A phone's snapshot counts nothing unless the results are revealed: a hall's phones
    # reconnecting at once must not each recount every ballot.
    public_view = definition_view(vote)
    if vote.revealed:
        public_view["results"] = await _results(session, vote)
    return {"vote": public_view}


async def my_ballot(
    session: AsyncSession, assembly: Assembly, participant: Participant
) -> dict[str, Any]:
    """`vote.my_ballot` ({"ballot", "client_seq"} or None) on the same current vote as
    `votes_for_snapshot`, and `vote.next_seq`, the client_seq a plain (no-JavaScript) ballot
    form submits."""
    vote = await _current_vote(session, assembly)
    if vote is None:
        return {}
    mine = None
    row = (
        await session.execute(
            select(Ballot.content, Ballot.client_seq).where(
                Ballot.vote_id == vote.id, Ballot.participant_id == participant.id
            )
        )
    ).first()
    if row is not None:
        method = method_from_params(vote.method, vote.params)
        mine = {"ballot": raw_ballot(method, row[0]), "client_seq": row[1]}
    personal: dict[str, Any] = {"my_ballot": mine, "next_seq": new_client_seq()}
    if vote.revealed and vote.status == VoteStatus.OPEN:
        # Ballots still arrive without a new seq, so results shared per seq would be stale:
        # counted for each phone while revealed results are shown during the vote.
        personal["results"] = await _results(session, vote)
    return {"vote": personal}


async def ballot_holders(session: AsyncSession, assembly: Assembly) -> set[int] | None:
    """Who has a ballot in the current vote (None outside a vote): a step change's view tells
    every other phone its `my_ballot` is empty, so only these ask for their own."""
    vote = await _current_vote(session, assembly)
    if vote is None:
        return None
    voters = await session.scalars(select(Ballot.participant_id).where(Ballot.vote_id == vote.id))
    return set(voters.all())


async def _emit_vote_changed(outbox: Outbox, assembly: Assembly, vote: Vote) -> None:
    """`vote.changed` carries the step's current vote after the change (which need not be
    `vote`: closing a reopened earlier vote makes a newer draft current again), so a phone
    that applies it holds what a fresh snapshot would show."""
    await outbox.session.flush()
    current = await _current_vote(outbox.session, assembly) or vote
    staff, public = await _vote_views(outbox.session, assembly, current)
    await outbox.emit(assembly.id, EventType.VOTE_CHANGED, {"vote": staff}, {"vote": public})


# ---------------------------------------------------------------- setting up and steering


def _clean_options(lines: list[str]) -> list[str]:
    labels: list[str] = []
    for line in lines:
        label = clean_text(line or "")
        if not label or label in labels:
            continue
        if len(label) > MAX_LABEL_CHARS:
            raise InvalidInput(
                "option_too_long",
                "An option is too long: at most %(limit)s characters.",
                limit=MAX_LABEL_CHARS,
            )
        labels.append(label)
    return labels


def _method(kind: str, params: dict[str, Any]) -> VoteMethod:
    if kind not in set(MethodKind):
        raise InvalidInput("invalid_method", "Please choose a voting method.")
    relevant = {k: v for k, v in params.items() if k in PARAM_FIELDS[kind] and v is not None}
    if kind == MethodKind.DOT:
        relevant.setdefault("dots", DEFAULT_DOTS)
    try:
        return method_from_params(kind, relevant)
    except (MethodConfigError, TypeError) as exc:
        raise InvalidInput(
            "invalid_method_settings",
            "These vote settings do not fit together (%(detail)s).",
            detail=str(exc),
        ) from exc


IssueOptions = Callable[[AsyncSession, Assembly], Awaitable[list[tuple[str, int | None]]]]
"""The curated issues an assembly can vote on, as (label, issue id) in the order shown."""


async def create_vote(
    rt: Runtime,
    *,
    actor: Actor,
    assembly_id: int,
    method: str,
    params: dict[str, Any],
    options: list[str],
    subject: str = "options",
    issue_options: IssueOptions | None = None,
    seed_from: int | None = None,
    top: int | None = None,
) -> dict[str, Any]:
    """Set up the current vote step's vote (a draft): what is voted on and how.

    With `subject="issues"` the options are the curated issues, read by `issue_options` in this
    transaction (the layer above passes `deliberation.curation.vote_options`: voting does not
    know how issues are curated).

    The newest vote, if a draft, is replaced (its options get new ids); after a vote was
    opened, setting up another starts a new vote (the earlier one's ballots stay, exportable).
    Refused while any vote of the step is open.

    With `seed_from` (a closed vote of the assembly) and `top`, the options are that vote's
    `top` best-ranked options, issues staying linked: a second round on the front runners.
    """
    if subject not in SUBJECTS:
        raise InvalidInput("invalid_subject", "Choose what is voted on.")
    vote_method = _method(method, params)
    async with rt.transaction() as (session, outbox):
        assembly, _ = await authorized(session, assembly_id, actor, Action.RUN_VOTE)
        step = current_step(assembly)
        assert step is not None  # RUN_VOTE needs a current vote step
        issue_ids: list[int | None]
        if seed_from is not None:
            labels, issue_ids, subject = await _seeded_options(session, assembly, seed_from, top)
        elif subject == "issues":
            issues = await issue_options(session, assembly) if issue_options else []
            if not issues:
                raise InvalidInput(
                    "no_issues", "There are no curated issues yet: type the options instead."
                )
            labels = [label for label, _ in issues]
            issue_ids = [issue_id for _, issue_id in issues]
        else:
            labels = _clean_options(options)
            issue_ids = [None] * len(labels)
        if len(labels) < MIN_OPTIONS:
            raise InvalidInput("too_few_options", "A vote needs at least two options.")
        if len(labels) > MAX_OPTIONS:
            raise InvalidInput(
                "too_many_options", "A vote can have at most %(limit)s options.", limit=MAX_OPTIONS
            )
        votes = await _step_votes(session, step.id)
        if any(v.status == VoteStatus.OPEN for v in votes):
            raise Conflict("vote_open", "Close the current vote before setting up a new one.")
        vote = votes[-1] if votes else None
        if vote is None or vote.status != VoteStatus.DRAFT:
            vote = Vote(assembly_id=assembly.id, step_id=step.id, status=VoteStatus.DRAFT)
            vote.revealed = False
            session.add(vote)
        vote.method = vote_method.kind.value
        vote.params = method_params(vote_method)
        vote.subject = subject
        vote.seeded_from = seed_from
        vote.options = [
            VoteOption(position=i, label=label, issue_id=issue_id)
            for i, (label, issue_id) in enumerate(zip(labels, issue_ids, strict=True))
        ]
        await session.flush()
        await _emit_vote_changed(outbox, assembly, vote)
        view = definition_view(vote)
    _forget(rt, view["id"])
    return view


async def _seeded_options(
    session: AsyncSession, assembly: Assembly, vote_id: int, top: int | None
) -> tuple[list[str], list[int | None], str]:
    """The `top` best options of a finished vote, for its second round."""
    earlier = await _vote_in(session, assembly, vote_id)
    if earlier.status != VoteStatus.CLOSED:
        raise Conflict("seed_not_closed", "Close that vote before starting a second round from it.")
    if top is None or not MIN_OPTIONS <= top <= MAX_OPTIONS:
        raise InvalidInput(
            "invalid_top", "Choose how many options go on: from 2 to %(limit)s.", limit=MAX_OPTIONS
        )
    ranking = (await ranked_options(session, earlier))[:top]
    return [label for _, label, _ in ranking], [i for _, _, i in ranking], earlier.subject


async def mark_vote(
    rt: Runtime, *, actor: Actor, assembly_id: int, vote_id: int, standing: str
) -> dict[str, Any]:
    """The facilitator says what a vote is for the agenda: counted, trial, discarded, or ""."""
    if standing not in STANDINGS:
        raise InvalidInput("invalid_standing", "Choose counted, trial or discarded.")
    # No event: the mark changes no phone's screen, only the console that made it (which
    # reloads) and the documents exported afterwards.
    async with rt.transaction() as (session, _):
        assembly, _ = await authorized(session, assembly_id, actor, Action.MARK_VOTE)
        vote = await _vote_in(session, assembly, vote_id)
        if standing == "counted" and vote.status == VoteStatus.DRAFT:
            raise Conflict("vote_not_held", "A vote that was never opened cannot count.")
        vote.standing = standing
        await session.flush()
        return definition_view(vote)


async def votes_overview(rt: Runtime, *, actor: Actor, assembly_id: int) -> list[dict[str, Any]]:
    """Every vote of the assembly for the console's list: definition, ballots, standing."""
    async with rt.read() as session:
        assembly, _ = await authorized(session, assembly_id, actor, Action.VIEW_CONSOLE)
        votes = await session.scalars(
            select(Vote).where(Vote.assembly_id == assembly.id).order_by(Vote.id)
        )
        out = []
        for vote in list(votes):
            ballots = await session.scalar(select(func.count()).where(Ballot.vote_id == vote.id))
            out.append({**definition_view(vote), "ballots": int(ballots or 0)})
        return out


async def _vote_in(session: AsyncSession, assembly: Assembly, vote_id: int) -> Vote:
    vote = await session.get(Vote, vote_id)
    if vote is None or vote.assembly_id != assembly.id:
        raise NotFound("vote_not_found", "This vote does not exist.")
    return vote


async def _steer(
    rt: Runtime, *, actor: Actor, assembly_id: int, vote_id: int, change: str, force: bool = False
) -> dict[str, Any]:
    async with rt.transaction() as (session, outbox):
        assembly, _ = await authorized(session, assembly_id, actor, Action.RUN_VOTE)
        vote = await _vote_in(session, assembly, vote_id)
        if change == "open":
            step_votes = await _step_votes(session, vote.step_id)  # also refreshes `vote`
            if vote.status == VoteStatus.OPEN:
                raise Conflict("vote_already_open", "This vote is already open.")
            # One open vote per step: phones show one ballot, and it must be the open one.
            if any(v.status == VoteStatus.OPEN for v in step_votes):
                raise Conflict(
                    "another_vote_open",
                    "Another vote of this step is open. Close it before opening this one.",
                )
            vote.status = VoteStatus.OPEN
            vote.opened_at = utcnow()
            vote.closed_at = None
        elif change == "close":
            if vote.status != VoteStatus.OPEN:
                raise Conflict("vote_not_open", "This vote is not open.")
            cards = await paper_status(session, assembly.id, vote.id)
            if cards["stacks_pending"] and not force:
                raise Conflict(
                    "paper_stacks_pending",
                    "%(n)s table assistants have not yet said their paper ballots are entered. "
                    "Wait for them, or close anyway.",
                    n=cards["stacks_pending"],
                )
            vote.status = VoteStatus.CLOSED
            vote.closed_at = utcnow()
        else:
            vote.revealed = change == "reveal"
        await _emit_vote_changed(outbox, assembly, vote)
        view = definition_view(vote)
    _forget(rt, vote_id)
    return view


async def open_vote(rt: Runtime, *, actor: Actor, assembly_id: int, vote_id: int) -> dict[str, Any]:
    """Start (or restart) accepting ballots; the options are fixed from now on."""
    return await _steer(rt, actor=actor, assembly_id=assembly_id, vote_id=vote_id, change="open")


async def close_vote(
    rt: Runtime, *, actor: Actor, assembly_id: int, vote_id: int, force: bool = False
) -> dict[str, Any]:
    """Stop accepting ballots; the last ballot of each participant is the one that counts.
    Refused while a table assistant has not said their stack of paper ballots is entered
    (assembly/paper.py), unless `force`."""
    return await _steer(
        rt, actor=actor, assembly_id=assembly_id, vote_id=vote_id, change="close", force=force
    )


async def reveal_results(
    rt: Runtime, *, actor: Actor, assembly_id: int, vote_id: int, revealed: bool = True
) -> dict[str, Any]:
    """Show the results to participants (or hide them again)."""
    change = "reveal" if revealed else "hide"
    return await _steer(rt, actor=actor, assembly_id=assembly_id, vote_id=vote_id, change=change)


# ---------------------------------------------------------------- ballots


@dataclass(frozen=True)
class BallotReceipt:
    """What the phone is told once its ballot is durably stored."""

    vote_id: int
    client_seq: int
    ballot: object
    replay: bool
    """True when this exact submission had been stored before (a retry)."""


async def _load_definition(rt: Runtime, vote_id: int) -> VoteDefinition | None:
    async with rt.read() as session:
        vote = await session.get(Vote, vote_id)
        return _definition(vote) if vote is not None else None


async def _vote_definition(rt: Runtime, assembly_id: int, vote_id: int) -> VoteDefinition:
    """The cached definition; one read per vote however many ballots arrive at once.

    A definition older than DEFINITION_TTL_S is still served while one refresh runs: only its
    status can have changed, and the writer re-reads that inside its transaction.
    """
    hub = hub_for(rt)
    cached = hub.definitions.get(vote_id)
    fresh = cached is not None and time.monotonic() - cached.fetched <= DEFINITION_TTL_S
    if not fresh:
        loading = hub.loading.get(vote_id)
        if loading is None:
            loading = hub.loop.create_task(_load_definition(rt, vote_id))
            hub.loading[vote_id] = loading
            loading.add_done_callback(lambda task: _store_definition(hub, vote_id, task))
        if cached is None:
            cached = await asyncio.shield(loading)
    if cached is None or cached.assembly_id != assembly_id:
        raise NotFound("vote_not_found", "This vote does not exist.")
    return cached


def _store_definition(
    hub: VotingHub, vote_id: int, task: asyncio.Task[VoteDefinition | None]
) -> None:
    hub.loading.pop(vote_id, None)
    if not task.cancelled() and task.exception() is None:
        loaded = task.result()
        if loaded is not None:
            hub.definitions[vote_id] = loaded


async def _staff_voter(rt: Runtime, assembly_id: int, actor: Actor) -> int:
    """A caller logged in as a user goes through the full rules check (staff may not vote,
    even from a phone that joined as a participant); returns the participant id."""
    async with rt.read() as session:
        _, standing = await authorized(session, assembly_id, actor, Action.CAST_BALLOT)
        participant = standing.participant
        assert participant is not None  # the rules table lets only participants cast ballots
        return participant.id


def check_ballot(definition: VoteDefinition, ballot: object) -> str:
    """Validate with the pure rules; a voter's mistake becomes a 400 with the Thai message."""
    try:
        checked = validate_ballot(
            definition.method, definition.option_ids, ballot, network=NETWORKS[0].value
        )
    except BallotError as exc:
        raise InvalidInput(exc.code, exc.message_th) from exc
    return canonical_content(checked)


async def cast_ballot(
    rt: Runtime,
    *,
    actor: Actor,
    assembly_id: int,
    vote_id: int,
    ballot: object,
    client_seq: int,
    participant_id: int | None = None,
) -> BallotReceipt:
    """Store a participant's ballot exactly once; returns only after the commit.

    `client_seq` (made by the phone, increasing) makes retries safe: the same submission is
    acknowledged again without counting twice, an older one never replaces a newer one (409).
    `participant_id`, when a client sends it, must be the caller's own.
    """
    if not isinstance(client_seq, int) or isinstance(client_seq, bool):
        raise InvalidInput("invalid_client_seq", "The request number is missing or malformed.")
    if not 0 < client_seq <= MAX_CLIENT_SEQ:
        raise InvalidInput("invalid_client_seq", "The request number is missing or malformed.")
    definition = await _vote_definition(rt, assembly_id, vote_id)
    pending = PendingBallot(assembly_id, vote_id, "", client_seq)
    if actor.user is not None:
        pending.participant_id = await _staff_voter(rt, assembly_id, actor)
    elif actor.device_hash:
        pending.device_hash = actor.device_hash  # resolved with the batch, in the writer
    else:
        raise NotAuthenticated("not_authenticated", "Please join the assembly or log in first.")
    pending.claimed_participant = participant_id
    if definition.status != VoteStatus.OPEN:
        raise Conflict("vote_not_open", "This vote is not open.")
    pending.content = check_ballot(definition, ballot)
    outcome = await hub_for(rt).writer.submit(pending)
    if outcome == Outcome.NOT_IN_ASSEMBLY:
        raise Forbidden("not_in_assembly", "You are not part of this assembly.")
    if outcome == Outcome.FORGED:
        raise Forbidden("forged_participant", "You can only cast your own ballot.")
    if outcome == Outcome.VOTE_NOT_OPEN:
        _forget(rt, vote_id)
        raise Conflict("vote_not_open", "This vote is not open.")
    if outcome == Outcome.STEP_NOT_OPEN:
        raise Conflict("step_closed", "This step is closed.")
    if outcome == Outcome.STALE:
        raise Conflict(
            "stale_ballot",
            "A newer ballot of yours is already stored (from another tab or phone). "
            "Reload the page to see it.",
        )
    return BallotReceipt(
        vote_id,
        client_seq,
        raw_ballot(definition.method, pending.content),
        outcome == Outcome.REPLAY,
    )


def ballot_from_form(kind: str, option_ids: list[str], form: dict[str, str]) -> object:
    """A plain form's fields (o<option id> = number, checkbox or rank) as a ballot."""
    values: dict[str, str] = {}
    for name, value in form.items():
        match = _OPTION_FIELD.match(name)
        if match and match.group(1) in option_ids and value.strip():
            values[match.group(1)] = value.strip()
    if kind == MethodKind.APPROVAL:
        return [o for o in option_ids if o in values]
    numbers: dict[str, int] = {}
    for option_id, text in values.items():
        try:
            numbers[option_id] = int(text)
        except ValueError as exc:
            raise InvalidInput("not_an_integer", "Please enter whole numbers only.") from exc
    if kind == MethodKind.RANKING:
        if len(set(numbers.values())) < len(numbers):
            raise InvalidInput("duplicate_in_ranking", "Two options have the same rank.")
        return sorted(numbers, key=lambda o: numbers[o])
    return {o: numbers[o] for o in option_ids if o in numbers}


async def cast_ballot_form(
    rt: Runtime, *, actor: Actor, assembly_id: int, vote_id: int, form: dict[str, str]
) -> BallotReceipt:
    """The no-JavaScript ballot: the page's hidden `client_seq` makes a resend harmless."""
    definition = await _vote_definition(rt, assembly_id, vote_id)
    try:
        client_seq = int(form.get("client_seq", ""))
    except ValueError as exc:
        raise InvalidInput(
            "invalid_client_seq", "The request number is missing or malformed."
        ) from exc
    ballot = ballot_from_form(definition.method.kind, definition.option_ids, form)
    return await cast_ballot(
        rt,
        actor=actor,
        assembly_id=assembly_id,
        vote_id=vote_id,
        ballot=ballot,
        client_seq=client_seq,
    )


def new_client_seq() -> int:
    """A fresh client_seq for a rendered form: milliseconds, like the phone's JavaScript."""
    return int(time.time() * 1000)


# ---------------------------------------------------------------- results and exports


@dataclass(frozen=True)
class VoteRecord:
    """A vote with everything the results screens and exports show."""

    assembly_name: str
    vote: dict[str, Any]
    method: VoteMethod
    options: tuple[tuple[str, str], ...]
    ballots: list[StoredBallot]

    @property
    def results(self) -> dict[str, Any]:
        return results_view(self.method, self.options, self.ballots)

    def export(self) -> dict[str, Any]:
        return export_document(
            vote_id=self.vote["id"],
            assembly_name=self.assembly_name,
            method=self.method,
            options=self.options,
            ballots=self.ballots,
        )


async def _results_readable(
    session: AsyncSession, actor: Actor, assembly_id: int, vote_id: int
) -> tuple[Assembly, Vote]:
    """The vote whose results `actor` may see: staff always, participants once revealed."""
    assembly, standing = await authorized(session, assembly_id, actor, Action.VIEW_ASSEMBLY)
    vote = await _vote_in(session, assembly, vote_id)
    if not standing.is_staff and not vote.revealed:
        raise Forbidden("results_hidden", "The results have not been revealed yet.")
    return assembly, vote


async def vote_record(rt: Runtime, *, actor: Actor, assembly_id: int, vote_id: int) -> VoteRecord:
    """Results and ballots of a vote: staff always, participants once results are revealed."""
    async with rt.read() as session:
        assembly, vote = await _results_readable(session, actor, assembly_id, vote_id)
        definition = _definition(vote)
        return VoteRecord(
            assembly.name,
            definition_view(vote),
            definition.method,
            definition.options,
            await stored_ballots(session, vote.id),
        )


async def vote_results(
    rt: Runtime, *, actor: Actor, assembly_id: int, vote_id: int, version: str | None = None
) -> dict[str, Any]:
    """A vote's results for its charts, as `vote_record` allows; recounted only after a ballot
    write. `version`: that of the tally the screen shows (its live update says it)."""
    async with rt.read() as session:
        _, vote = await _results_readable(session, actor, assembly_id, vote_id)
        return (await _counted_results(rt, session, vote, at_least=parse_version(version)))[1]


async def assembly_networks(rt: Runtime, assembly_id: int) -> list[dict[str, Any]]:
    """The assembly's networks with their colours, for charts."""
    async with rt.read() as session:
        return await network_counts(session, await get_assembly(session, assembly_id))


async def vote_turnout(
    rt: Runtime, *, actor: Actor, assembly_id: int, vote_id: int
) -> dict[str, Any]:
    """How many of each network have voted and joined: staff only."""
    async with rt.read() as session:
        assembly = await get_assembly(session, assembly_id)
        standing = await standing_in(session, assembly, actor)
        if not standing.is_staff:
            raise Forbidden("staff_only", "Only the facilitators of this assembly can do this.")
        await _vote_in(session, assembly, vote_id)
        return await _turnout(session, assembly, vote_id)


# ---------------------------------------------------------------- live tallies


def _mark_dirty(rt: Runtime, hub: VotingHub, vote_ids: set[int]) -> None:
    hub.dirty |= vote_ids
    if hub.live_task is None or hub.live_task.done():
        hub.live_task = hub.loop.create_task(_publish_live(rt, hub))


async def _publish_live(rt: Runtime, hub: VotingHub) -> None:
    """Coalesce: however many ballots arrived, one tally per vote per LIVE_INTERVAL_S."""
    while hub.dirty:
        # A recount reads every ballot (9% of the server's CPU in a 9,000-phone vote at a
        # fixed half second, profiled): the interval stretches with the last round's duration
        # so that counting stays under LIVE_SHARE of the time (the duration is wall clock, which
        # a busy loop lengthens: hence the cap).
        interval = min(max(LIVE_INTERVAL_S, hub.live_cost / LIVE_SHARE), LIVE_MAX_INTERVAL_S)
        wait = hub.last_live + interval - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        vote_ids, hub.dirty = hub.dirty, set()
        hub.last_live = started = time.monotonic()
        for vote_id in vote_ids:
            try:
                await publish_tally(rt, vote_id)
            except Exception:  # a live view is replaceable; the next ballot publishes again
                logger.exception("live tally of %s", vote_id)
        hub.live_cost = time.monotonic() - started


async def publish_tally(rt: Runtime, vote_id: int) -> None:
    """Send the running tally and turnout to staff screens (and results, once revealed, to
    phones) as replaceable live updates."""
    async with rt.read() as session:
        vote = await session.get(Vote, vote_id)
        if vote is None:
            return
        assembly = await get_assembly(session, vote.assembly_id)
        version, results = await _counted_results(rt, session, vote)
        turnout = await _turnout(session, assembly, vote_id)
        revealed = vote.revealed
    tally_data = {"vote_id": vote_id, "version": format_version(version), "results": results}
    rt.sink.publish_live(
        LiveUpdate(vote.assembly_id, EventType.TALLY, tally_data, tally_data if revealed else None)
    )
    rt.sink.publish_live(LiveUpdate(vote.assembly_id, EventType.TURNOUT, turnout, None))
