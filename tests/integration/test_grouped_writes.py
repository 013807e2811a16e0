"""Proposals, +1s and consent answers through the shared group commit (assembly/group_commit.py)
against a real database: many requests share a commit, a resend within the same batch is still
one proposal, a refused request costs the others nothing (and emits nothing), and the events of
the batch are published after its commit, numbered without gaps."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy import event, func, select

from assembly import group_commit, joining, services
from assembly.db import Database
from assembly.errors import Conflict, DomainError
from assembly.events import Event, EventType, LiveUpdate
from assembly.models import User
from assembly.runtime import Runtime
from assembly.security import hash_password
from assembly.settings import Settings
from deliberation import proposals
from deliberation.agenda import consent
from deliberation.models import Proposal, Support

PHONES = 60


class Recorded:
    """An event sink that keeps what was published."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.live: list[LiveUpdate] = []

    def publish(self, events: Sequence[Event]) -> None:
        self.events.extend(events)

    def publish_live(self, update: LiveUpdate) -> None:
        self.live.append(update)


Scenario = Callable[[Runtime, int, list[services.Actor]], Awaitable[None]]


def _run(settings: Settings, scenario: Scenario) -> None:
    async def main() -> None:
        db = Database(settings.resolved_database_url)
        rt = Runtime(db=db, sink=Recorded(), settings=settings)
        try:
            async with rt.transaction() as (session, _):
                user = User(
                    username="o",
                    display_name="o",
                    role="organizer",
                    password_hash=hash_password("x" * 8),
                )
                session.add(user)
            organizer = services.Actor(user=user)
            assembly = await services.create_assembly(rt, actor=organizer, name="ก", province="ข")
            async with rt.read() as session:
                steps = await services.get_assembly(session, assembly.id, services.WITH_STRUCTURE)
                collect = next(s.id for s in steps.steps if s.kind == "collect")
            await services.open_step(rt, actor=organizer, assembly_id=assembly.id, step_id=collect)
            phones = []
            for i in range(PHONES):
                await joining.join_assembly(
                    rt, join_code=assembly.join_code, device_hash=f"p{i}", network_key="media"
                )
                phones.append(services.Actor(device_hash=f"p{i}"))
            await scenario(rt, assembly.id, phones)
        finally:
            await db.dispose()

    asyncio.run(main())


async def _count(rt: Runtime, model: Any) -> int:
    async with rt.read() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_hall_proposing_at_once_shares_commits_and_resends_stay_one(settings: Settings) -> None:
    async def scenario(rt: Runtime, assembly_id: int, phones: list[services.Actor]) -> None:
        statements: list[str] = []
        event.listen(
            rt.db.write_engine.sync_engine,
            "before_cursor_execute",
            lambda *args: statements.append(args[2]),
        )
        writer = group_commit.writer_of(rt, group_commit.EachWriter)
        batches_before = writer.batches
        sink = rt.sink
        assert isinstance(sink, Recorded)
        published_before = len(sink.events)

        def propose(i: int) -> Awaitable[proposals.Submission]:
            return proposals.submit_proposal(
                rt, actor=phones[i], assembly_id=assembly_id, text=f"ข้อเสนอ {i}",
                client_key=f"key-{i:06d}",
            )  # fmt: skip

        # Every fourth phone double-taps: the same key twice in the same wave.
        order = [*range(PHONES), *range(0, PHONES, 4)]
        answers = await asyncio.gather(*(propose(i) for i in order))
        by_phone: dict[int, int] = {}
        for i, answer in zip(order, answers, strict=True):
            assert by_phone.setdefault(i, answer.proposal["id"]) == answer.proposal["id"]
        assert sum(a.created for a in answers) == PHONES  # the second tap is not a second one
        assert await _count(rt, Proposal) == PHONES
        assert writer.batches - batches_before < len(order)  # grouped, not one commit each
        created = [
            e for e in sink.events[published_before:] if e.type == EventType.PROPOSAL_CREATED
        ]
        assert len(created) == PHONES
        seqs = [e.seq for e in sink.events]
        assert seqs == sorted(seqs)
        assert len(set(seqs)) == len(seqs)
        # The assembly, its steps and networks are read once per batch, not once per proposal.
        assembly_reads = [s for s in statements if "FROM assemblies" in s and "WHERE" in s]
        assert len(assembly_reads) < len(order) / 2, len(assembly_reads)

    _run(settings, scenario)


def test_a_refused_support_costs_the_others_nothing_and_emits_nothing(
    settings: Settings,
) -> None:
    async def scenario(rt: Runtime, assembly_id: int, phones: list[services.Actor]) -> None:
        first = await proposals.submit_proposal(
            rt, actor=phones[0], assembly_id=assembly_id, text="ข้อเสนอแรก"
        )
        target = first.proposal["id"]
        sink = rt.sink
        assert isinstance(sink, Recorded)
        published_before = len(sink.events)

        def support(phone: services.Actor) -> Awaitable[dict[str, Any]]:
            return proposals.support_proposal(
                rt, actor=phone, assembly_id=assembly_id, proposal_id=target
            )

        # The author's own +1 (refused) and a second +1 of every other phone, all at once.
        everyone = [phones[0], *phones[1:], *phones[1:]]
        results = await asyncio.gather(*(support(p) for p in everyone), return_exceptions=True)
        assert isinstance(results[0], Conflict)
        assert results[0].code == "own_proposal"
        assert not any(isinstance(r, DomainError) for r in results[1:])
        assert await _count(rt, Support) == PHONES - 1
        async with rt.read() as session:
            count = await session.scalar(
                select(Proposal.support_count).where(Proposal.id == target)
            )
        assert count == PHONES - 1
        supported = [
            e for e in sink.events[published_before:] if e.type == EventType.PROPOSAL_SUPPORTED
        ]
        assert [e.public["supports"] for e in supported if e.public] == list(range(1, PHONES))

    _run(settings, scenario)


def test_a_hall_answering_a_consent_round_gets_coalesced_running_results(
    settings: Settings,
) -> None:
    """Running consent results go to staff at once for the first answer, then at most every
    CONSENT_LIVE_INTERVAL_S, and always with the last state."""

    async def scenario(rt: Runtime, assembly_id: int, phones: list[services.Actor]) -> None:
        sink = rt.sink
        assert isinstance(sink, Recorded)
        item_id = 4321  # no such item: its results are empty, which is all this test reads

        async def settled() -> None:
            publisher = consent._PUBLISHERS[rt.db]
            assert publisher.task is not None
            await asyncio.wait_for(asyncio.shield(publisher.task), timeout=10)

        consent._publish_soon(rt, assembly_id, item_id)
        await settled()
        assert len(sink.live) == 1  # the first answer's results at once
        for _ in range(PHONES):  # a hall answering within the interval
            consent._publish_soon(rt, assembly_id, item_id)
        await settled()
        assert len(sink.live) == 2  # ... goes out as one update, after the interval
        assert all(u.type == EventType.CONSENT and u.staff["item_id"] == item_id for u in sink.live)

    _run(settings, scenario)
