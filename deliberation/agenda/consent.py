"""Use cases of the adopt step: a consent round per agenda item, results per network, the
objections for the facilitator, and the facilitator's declaration that an item is adopted.

Answers are เห็นด้วย (agree), ยอมรับได้ (can live with it) and คัดค้าน (object, with a reason).
A participant may change an answer while the step is open; the last one counts. Running
results go to staff screens as replaceable live updates (no sequence number): a hall answering
at once must not flood every phone with events.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
import weakref
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from assembly.db import Database
from assembly.errors import Conflict, InvalidInput, NotFound
from assembly.events import EventType, LiveUpdate, Outbox
from assembly.group_commit import commit_grouped
from assembly.runtime import Runtime
from assembly.services import Actor, authorized, network_keys
from assembly.steps import Action
from assembly.timeutil import utcnow
from deliberation.agenda.items import check_text, emit_agenda_changed, item_in, item_view
from deliberation.models import AgendaDocumentSettings, AgendaItem, ConsentVote

logger = logging.getLogger("samatcha.consent")

ANSWERS = ("agree", "can_live_with", "object")
MAX_REASON_CHARS = 500
MAX_NOTE_CHARS = 1000
HANDLINGS = ("amended", "answered", "withdrawn")  # "" = not handled yet
RULES = ("no_objection", "threshold")
DEFAULT_RULE, DEFAULT_THRESHOLD = "no_objection", 80


def empty_counts() -> dict[str, int]:
    return {answer: 0 for answer in ANSWERS}


async def consent_results(
    session: AsyncSession, assembly_id: int, item_ids: list[int] | None = None
) -> dict[str, dict[str, Any]]:
    """{item id (str): {"totals", "networks": {key: counts}, "objections": [{network,
    reason}]}} for every item of the assembly (or those given), networks in assembly order."""
    keys = await network_keys(session, assembly_id)
    query = (
        select(
            ConsentVote.item_id,
            ConsentVote.network_id,
            ConsentVote.answer,
            ConsentVote.reason,
            ConsentVote.id,
            ConsentVote.handling,
            ConsentVote.handling_note,
        )
        .join(AgendaItem, AgendaItem.id == ConsentVote.item_id)
        .where(AgendaItem.assembly_id == assembly_id)
        .order_by(ConsentVote.id)
    )
    if item_ids is not None:
        query = query.where(ConsentVote.item_id.in_(item_ids))
    if item_ids is None:
        item_ids = list(
            await session.scalars(
                select(AgendaItem.id).where(AgendaItem.assembly_id == assembly_id)
            )
        )
    results: dict[str, dict[str, Any]] = {
        str(item_id): {
            "totals": empty_counts(),
            "networks": {key: empty_counts() for key in keys.values()},
            "objections": [],
        }
        for item_id in item_ids
    }
    for item_id, network_id, answer, reason, vote_id, handling, note in await session.execute(
        query
    ):
        result = results[str(item_id)]
        key = keys.get(network_id or 0, "")
        result["totals"][answer] += 1
        result["networks"].setdefault(key, empty_counts())[answer] += 1
        if answer == "object" or reason:  # raised, or raised and then moved on from
            result["objections"].append(
                {
                    "id": vote_id,
                    "network": key,
                    "answer": answer,
                    "reason": reason,
                    "handling": handling or "",
                    "note": note or "",
                }
            )
    return results


async def adoption_rule(session: AsyncSession, assembly_id: int) -> tuple[str, int]:
    """(rule, threshold per cent) of the assembly; the defaults until the organizer sets one."""
    row = await session.get(AgendaDocumentSettings, assembly_id)
    if row is None:
        return DEFAULT_RULE, DEFAULT_THRESHOLD
    return row.adoption_rule or DEFAULT_RULE, int(row.adoption_threshold or DEFAULT_THRESHOLD)


def check_rule(rule: str, threshold: int, result: dict[str, Any]) -> list[dict[str, Any]]:
    """Why the item may not be adopted under the rule, as codes with details; [] when it may.

    Under both rules every objection must have been handled (amended, answered or withdrawn):
    the document records how. Under "threshold" each network that answered must also reach
    `threshold` per cent agreeing or living with it; a withdrawn objection no longer counts
    against its network."""
    problems: list[dict[str, Any]] = []
    open_objections = [
        o for o in result["objections"] if o["answer"] == "object" and not o["handling"]
    ]
    if open_objections:
        problems.append({"code": "objections_not_handled", "count": len(open_objections)})
    if rule == "threshold":
        withdrawn: dict[str, int] = {}
        for o in result["objections"]:
            if o["answer"] == "object" and o["handling"] == "withdrawn":
                withdrawn[o["network"]] = withdrawn.get(o["network"], 0) + 1
        for key, counts in result["networks"].items():
            total = sum(counts.values())
            if not total:
                continue
            accepting = counts["agree"] + counts["can_live_with"] + withdrawn.get(key, 0)
            if accepting * 100 < threshold * total:
                problems.append(
                    {"code": "below_threshold", "network": key, "share": accepting / total}
                )
    return problems


async def handle_objection(
    rt: Runtime,
    *,
    actor: Actor,
    assembly_id: int,
    objection_id: int,
    handling: str,
    note: str = "",
) -> dict[str, Any]:
    """The facilitator records how an objection was handled; an answer needs its text."""
    if handling not in (*HANDLINGS, ""):
        raise InvalidInput("invalid_handling", "Choose amended, answered or withdrawn.")
    cleaned = check_text(note, "note", MAX_NOTE_CHARS)
    if handling == "answered" and not cleaned:
        raise InvalidInput("answer_required", "Please write the answer given to the objection.")
    async with rt.transaction() as (session, _):
        assembly, _ = await authorized(session, assembly_id, actor, Action.ADOPT_ITEM)
        vote = await session.get(ConsentVote, objection_id, with_for_update=True)
        if vote is None or not (vote.answer == "object" or vote.reason):
            raise NotFound("objection_not_found", "This objection does not exist.")
        item = await item_in(session, assembly.id, vote.item_id)
        if item.adopted:
            raise Conflict("item_adopted", "This item is adopted. Unadopt it to change this.")
        vote.handling = handling
        vote.handling_note = cleaned
        item_id = item.id
    await publish_consent(rt, assembly_id, item_id)
    return {"id": objection_id, "item_id": item_id, "handling": handling, "note": cleaned}


async def set_adoption_rule(
    rt: Runtime, *, actor: Actor, assembly_id: int, rule: str, threshold: int | None = None
) -> dict[str, Any]:
    """The assembly's adoption rule, set by its staff before or during the adopt step."""
    if rule not in RULES:
        raise InvalidInput("invalid_rule", "Choose an adoption rule.")
    share = DEFAULT_THRESHOLD if threshold is None else threshold
    if not 50 <= share <= 100:
        raise InvalidInput("invalid_threshold", "The share is a percentage from 50 to 100.")
    async with rt.transaction() as (session, _):
        await authorized(session, assembly_id, actor, Action.EDIT_DRAFT)
        row = await session.get(AgendaDocumentSettings, assembly_id)
        if row is None:
            row = AgendaDocumentSettings(
                assembly_id=assembly_id,
                background="",
                organizer="",
                thai_numerals=True,
                buddhist_era=True,
            )
            session.add(row)
        row.adoption_rule = rule
        row.adoption_threshold = share
    return {"rule": rule, "threshold": share}


async def give_consent(
    rt: Runtime,
    *,
    actor: Actor,
    assembly_id: int,
    item_id: int,
    answer: str,
    reason: str = "",
) -> dict[str, Any]:
    """Store (or replace) this participant's answer for one item; an objection needs a reason."""
    if answer not in ANSWERS:
        raise InvalidInput("invalid_answer", "Choose agree, can live with it, or object.")
    cleaned = check_text(reason, "reason", MAX_REASON_CHARS)
    if answer == "object" and not cleaned:
        raise InvalidInput("reason_required", "Please say why you object.")

    async def store(session: AsyncSession, _: Outbox) -> str:
        assembly, standing = await authorized(session, assembly_id, actor, Action.GIVE_CONSENT)
        participant = standing.participant
        assert participant is not None
        await item_in(session, assembly.id, item_id)
        vote = await session.scalar(
            select(ConsentVote).where(
                ConsentVote.item_id == item_id, ConsentVote.participant_id == participant.id
            )
        )
        if vote is None:
            vote = ConsentVote(item_id=item_id, participant_id=participant.id)
            session.add(vote)
        vote.network_id = participant.network_id
        if answer == "object":
            if (vote.answer, vote.reason) != (answer, cleaned):
                vote.handling, vote.handling_note = "", ""  # a new objection is handled anew
            vote.reason = cleaned
        elif vote.answer == "object" and vote.reason:
            # Its author moved on from the objection: it stays on record, withdrawn unless
            # the facilitator had already recorded how it was handled.
            vote.handling = vote.handling or "withdrawn"
        elif not vote.handling:
            vote.reason = ""
        vote.answer = answer
        vote.answered_at = utcnow()
        await session.flush()  # in its savepoint: a second answer in the batch finds this row
        return vote.reason if answer == "object" else ""

    # One commit with the answers (proposals, +1s) sent meanwhile: a hall answers at once.
    stored_reason = await commit_grouped(rt, store)
    _publish_soon(rt, assembly_id, item_id)
    return {"item_id": item_id, "answer": answer, "reason": stored_reason}


# A hall answering at once: each answer used to recount its item's answers (a read of all of
# them) before it was answered, n reads of up to n rows. The running results now go out at once
# for the first answer and then at most every CONSENT_LIVE_INTERVAL_S per process, the last
# state always (as the ballots' tallies do, voting/services.py).
CONSENT_LIVE_INTERVAL_S = 0.5


@dataclass
class _Publisher:
    loop: asyncio.AbstractEventLoop
    items: set[tuple[int, int]] = field(default_factory=set)
    task: asyncio.Task[None] | None = None
    last: float = 0.0


_PUBLISHERS: weakref.WeakKeyDictionary[Database, _Publisher] = weakref.WeakKeyDictionary()


def _publish_soon(rt: Runtime, assembly_id: int, item_id: int) -> None:
    loop = asyncio.get_running_loop()
    publisher = _PUBLISHERS.get(rt.db)
    if publisher is None or publisher.loop is not loop:
        if publisher is None:
            rt.db.before_dispose(functools.partial(_stop_publishing, rt.db))
        publisher = _PUBLISHERS[rt.db] = _Publisher(loop)
    publisher.items.add((assembly_id, item_id))
    if publisher.task is None or publisher.task.done():
        publisher.task = loop.create_task(_publish_changed(rt, publisher))


async def _publish_changed(rt: Runtime, publisher: _Publisher) -> None:
    while publisher.items:
        wait = publisher.last + CONSENT_LIVE_INTERVAL_S - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        items, publisher.items = publisher.items, set()
        publisher.last = time.monotonic()
        for assembly_id, item_id in sorted(items):
            try:
                await publish_consent(rt, assembly_id, item_id)
            except Exception:  # replaceable: the next answer publishes again
                logger.exception("consent results of item %s", item_id)


async def _stop_publishing(db: Database) -> None:
    publisher = _PUBLISHERS.get(db)
    if publisher is not None and publisher.task is not None and not publisher.task.done():
        publisher.task.cancel()


async def publish_consent(rt: Runtime, assembly_id: int, item_id: int) -> None:
    """The item's running results to staff screens, as a replaceable live update."""
    async with rt.read() as session:
        results = await consent_results(session, assembly_id, [item_id])
    data = {"item_id": item_id, "result": results[str(item_id)]}
    rt.sink.publish_live(LiveUpdate(assembly_id, EventType.CONSENT, data, None))


class RuleNotMet(Conflict):
    """409 adoption_rule_not_met; `problems` says which part of the rule is not met."""

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        unhandled = any(p["code"] == "objections_not_handled" for p in problems)
        super().__init__(
            "adoption_rule_not_met",
            "Record how each objection was handled before adopting this item."
            if unhandled
            else "This item does not reach the assembly's adoption rule in every network.",
        )
        self.problems = problems


async def set_adopted(
    rt: Runtime, *, actor: Actor, assembly_id: int, item_id: int, adopted: bool
) -> dict[str, Any]:
    """The facilitator declares the item adopted (or takes the declaration back)."""
    async with rt.transaction() as (session, outbox):
        assembly, _ = await authorized(session, assembly_id, actor, Action.ADOPT_ITEM)
        item = await item_in(session, assembly.id, item_id)
        if adopted and not item.adopted:
            rule, threshold = await adoption_rule(session, assembly.id)
            result = (await consent_results(session, assembly.id, [item.id]))[str(item.id)]
            problems = check_rule(rule, threshold, result)
            if problems:
                raise RuleNotMet(problems)
        if item.adopted != adopted:
            item.adopted = adopted
            item.adopted_at = utcnow() if adopted else None
            item.version += 1
            await emit_agenda_changed(outbox, assembly.id)
        return item_view(item)
