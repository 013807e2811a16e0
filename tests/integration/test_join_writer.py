"""The join writer against a real database: group commits, one seat per device, refusals and a
failing batch that do not cost the other joins their seats."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from assembly import joining, services
from assembly.db import Database
from assembly.errors import InvalidInput
from assembly.models import Participant, User
from assembly.runtime import DiscardEvents, Runtime
from assembly.security import hash_password
from assembly.settings import Settings

PHONES = 120


async def _open_assembly(rt: Runtime) -> tuple[int, str]:
    async with rt.transaction() as (session, _):
        user = User(
            username="o", display_name="o", role="organizer", password_hash=hash_password("x" * 8)
        )
        session.add(user)
    assembly = await services.create_assembly(
        rt, actor=services.Actor(user=user), name="ก", province="ข"
    )
    return assembly.id, assembly.join_code


def _run(settings: Settings, scenario: Callable[[Runtime, int, str], Awaitable[None]]) -> None:
    async def main() -> None:
        db = Database(settings.resolved_database_url)
        rt = Runtime(db=db, sink=DiscardEvents(), settings=settings)
        try:
            assembly_id, code = await _open_assembly(rt)
            await joining.assembly_for_code(rt, code)  # the presenter's own check: a known code
            await scenario(rt, assembly_id, code)
        finally:
            await db.dispose()

    asyncio.run(main())


async def _seats(rt: Runtime, assembly_id: int) -> int:
    async with rt.read() as session:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(Participant)
                .where(Participant.assembly_id == assembly_id)
            )
            or 0
        )


def test_a_hall_joining_at_once_gets_one_seat_per_phone_in_few_commits(
    settings: Settings,
) -> None:
    async def scenario(rt: Runtime, assembly_id: int, code: str) -> None:
        async def join(i: int) -> Participant:
            return await joining.join_assembly(
                rt, join_code=code, device_hash=f"phone-{i}", network_key="media"
            )

        # Every third phone sends its join twice at once (a double tap): still one seat.
        seats = await asyncio.gather(
            *(join(i) for i in range(PHONES)), *(join(i) for i in range(0, PHONES, 3))
        )
        by_phone: dict[int, int] = {}
        for i, seat in zip([*range(PHONES), *range(0, PHONES, 3)], seats, strict=True):
            assert by_phone.setdefault(i, seat.id) == seat.id
        assert len(set(by_phone.values())) == PHONES
        assert await _seats(rt, assembly_id) == PHONES
        assert joining.writer_for(rt).batches < len(seats)  # grouped, not one commit each

    _run(settings, scenario)


def test_a_refused_join_does_not_cost_the_others_their_seats(settings: Settings) -> None:
    async def scenario(rt: Runtime, assembly_id: int, code: str) -> None:
        def join(device: str, network: str | None) -> Awaitable[Participant]:
            return joining.join_assembly(
                rt, join_code=code, device_hash=device, network_key=network
            )

        results: list[Any] = await asyncio.gather(
            join("a", "media"),
            join("b", "no-such-network"),
            join("c", None),  # a new phone must choose its network
            join("d", "religion"),
            return_exceptions=True,
        )
        assert isinstance(results[0], Participant)
        assert isinstance(results[3], Participant)
        assert all(isinstance(r, InvalidInput) for r in results[1:3])
        assert results[1].code == "network_required"
        assert await _seats(rt, assembly_id) == 2
        again = await join("a", None)  # the same phone without a network: its seat back
        assert again.id == results[0].id

    _run(settings, scenario)


def test_a_failing_batch_is_seated_one_by_one(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = joining.seat_joins
    failed: list[int] = []

    async def flaky(session: Any, outbox: Any, batch: list[joining.PendingJoin]) -> Any:
        if len(batch) > 1:
            failed.append(len(batch))
            await real(session, outbox, batch)  # written, then rolled back
            raise RuntimeError("the batch failed")
        return await real(session, outbox, batch)

    monkeypatch.setattr(joining, "seat_joins", flaky)

    async def scenario(rt: Runtime, assembly_id: int, code: str) -> None:
        seats = await asyncio.gather(
            *(
                joining.join_assembly(
                    rt, join_code=code, device_hash=f"phone-{i}", network_key="business"
                )
                for i in range(20)
            )
        )
        assert failed, "the joins came in one batch"
        assert len({seat.id for seat in seats}) == 20
        assert await _seats(rt, assembly_id) == 20

    _run(settings, scenario)
