"""The ballot writer against a real database: group commits, replays, stale and forged ballots."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import func, select

from assembly import joining, services
from assembly.db import Database
from assembly.models import User
from assembly.runtime import DiscardEvents, Runtime
from assembly.security import hash_password
from assembly.settings import Settings
from voting import services as voting
from voting.models import Ballot
from voting.writer import Outcome, PendingBallot, store_batch

PHONES = 120


async def _assembly_with_open_vote(rt: Runtime) -> tuple[int, dict[str, Any], services.Actor]:
    async with rt.transaction() as (session, _):
        user = User(
            username="o", display_name="o", role="organizer", password_hash=hash_password("x" * 8)
        )
        session.add(user)
    organizer = services.Actor(user=user)
    assembly = await services.create_assembly(rt, actor=organizer, name="ก", province="ข")
    step = next(s for s in assembly.steps if s.kind == "vote")
    await services.open_step(rt, actor=organizer, assembly_id=assembly.id, step_id=step.id)
    vote = await voting.create_vote(
        rt, actor=organizer, assembly_id=assembly.id, method="approval", params={},
        options=["พอเพียง", "วินัย", "สุจริต"],
    )  # fmt: skip
    await voting.open_vote(rt, actor=organizer, assembly_id=assembly.id, vote_id=vote["id"])
    return assembly.id, vote, organizer


def test_one_batch_sorts_out_duplicates_replays_stale_and_forged(settings: Settings) -> None:
    async def scenario() -> None:
        db = Database(settings.resolved_database_url)
        rt = Runtime(db=db, sink=DiscardEvents(), settings=settings)
        try:
            assembly_id, vote, _ = await _assembly_with_open_vote(rt)
            code = await _code(rt, assembly_id)
            seats = {}
            for name in ("a", "b", "c", "d"):
                seats[name] = await joining.join_assembly(
                    rt, join_code=code, device_hash=f"device-{name}", network_key="media"
                )
            vid = vote["id"]

            def item(device: str, seq: int, content: str, **extra: Any) -> PendingBallot:
                return PendingBallot(assembly_id, vid, content, seq, device_hash=device, **extra)

            async with db.write() as session:
                first = await store_batch(session, [item("device-d", 10, '{"1":1}')])
            assert first == {0: Outcome.STORED}
            batch = [
                item("device-a", 1, "A"),
                item("device-a", 1, "A"),  # the same request twice in one batch
                item("device-b", 5, "B"),
                item("device-b", 3, "C"),  # an older one behind it in the same batch
                item("device-d", 9, "old"),  # older than what is stored
                item("device-d", 10, '{"1":1}'),  # a retry of what is stored
                item("device-x", 1, "X"),  # no seat in this assembly
                item("device-c", 1, "F", claimed_participant=seats["a"].id),
            ]
            async with db.write() as session:
                outcomes = await store_batch(session, batch)
            assert [outcomes[i] for i in range(len(batch))] == [
                Outcome.STORED,
                Outcome.REPLAY,
                Outcome.STORED,
                Outcome.STALE,
                Outcome.STALE,
                Outcome.REPLAY,
                Outcome.NOT_IN_ASSEMBLY,
                Outcome.FORGED,
            ]
            async with db.read() as session:
                rows = dict(
                    (await session.execute(select(Ballot.participant_id, Ballot.content))).all()
                )
            assert rows == {seats["a"].id: "A", seats["b"].id: "B", seats["d"].id: '{"1":1}'}
        finally:
            await db.dispose()

    asyncio.run(scenario())


async def _code(rt: Runtime, assembly_id: int) -> str:
    async with rt.read() as session:
        return (await services.get_assembly(session, assembly_id)).join_code


def test_many_phones_at_once_are_each_counted_once(settings: Settings) -> None:
    async def scenario() -> None:
        db = Database(settings.resolved_database_url)
        rt = Runtime(db=db, sink=DiscardEvents(), settings=settings)
        try:
            assembly_id, vote, _ = await _assembly_with_open_vote(rt)
            code = await _code(rt, assembly_id)
            for i in range(PHONES):
                await joining.join_assembly(
                    rt, join_code=code, device_hash=f"phone-{i}", network_key="government"
                )
            first = vote["options"][0]["id"]

            async def cast(i: int, seq: int) -> voting.BallotReceipt:
                return await voting.cast_ballot(
                    rt,
                    actor=services.Actor(device_hash=f"phone-{i}"),
                    assembly_id=assembly_id,
                    vote_id=vote["id"],
                    ballot=[first],
                    client_seq=seq,
                )

            receipts = await asyncio.gather(
                *(cast(i, 1) for i in range(PHONES)), *(cast(i, 1) for i in range(0, PHONES, 3))
            )
            assert sum(not r.replay for r in receipts) == PHONES
            assert voting.hub_for(rt).writer.batches < len(receipts)  # grouped, not one each
            async with db.read() as session:
                count = await session.scalar(select(func.count()).select_from(Ballot))
            assert count == PHONES
        finally:
            await db.dispose()

    asyncio.run(scenario())
