"""The memo that lets a hall of phones share one public snapshot per seq."""

from __future__ import annotations

import asyncio

from assembly.runtime import VersionedMemo


def test_callers_at_one_version_share_one_computation() -> None:
    async def scenario() -> tuple[list[object], int]:
        memo, calls = VersionedMemo(), 0

        async def compute() -> object:
            nonlocal calls
            calls += 1
            await asyncio.sleep(0.01)
            return {"built": calls}

        values = await asyncio.gather(*(memo.get(1, 7, compute) for _ in range(50)))
        return values, calls

    values, calls = asyncio.run(scenario())
    assert calls == 1
    assert all(v is values[0] for v in values)


def test_a_new_version_is_computed_and_an_older_one_never_evicts_it() -> None:
    async def scenario() -> list[str]:
        memo = VersionedMemo()

        async def value(text: str) -> str:
            return text

        return [
            await memo.get("a", 1, lambda: value("one")),
            await memo.get("a", 2, lambda: value("two")),
            await memo.get("a", 1, lambda: value("late reader")),
            await memo.get("a", 2, lambda: value("not computed")),
            await memo.get("b", 2, lambda: value("other key")),
        ]

    assert asyncio.run(scenario()) == ["one", "two", "late reader", "two", "other key"]


def test_when_the_first_build_fails_its_waiters_build_their_own_and_it_is_not_kept() -> None:
    async def scenario() -> tuple[list[BaseException | str], str]:
        memo = VersionedMemo()

        async def broken() -> str:
            await asyncio.sleep(0.01)
            raise RuntimeError("database gone")

        async def fine() -> str:
            return "rebuilt"

        results = await asyncio.gather(
            memo.get(1, 1, broken), memo.get(1, 1, fine), return_exceptions=True
        )
        return results, await memo.get(1, 1, fine)

    results, retry = asyncio.run(scenario())
    assert isinstance(results[0], RuntimeError)  # the caller whose build failed sees why
    assert results[1] == "rebuilt"  # the one waiting for it is not failed by it
    assert retry == "rebuilt"


def test_a_cancelled_first_build_does_not_cancel_its_waiters() -> None:
    async def scenario() -> str:
        memo = VersionedMemo()

        async def slow() -> str:
            await asyncio.sleep(10)
            return "never"

        async def fine() -> str:
            return "own build"

        first = asyncio.create_task(memo.get(1, 1, slow))
        await asyncio.sleep(0)
        waiter = asyncio.create_task(memo.get(1, 1, fine))
        await asyncio.sleep(0)
        first.cancel()
        return await waiter

    assert asyncio.run(scenario()) == "own build"


def test_the_newest_ready_value_is_known_without_computing() -> None:
    async def scenario() -> None:
        memo = VersionedMemo()
        assert memo.newest("vote") is None
        await memo.get("vote", (3, 10), lambda: _value("ten ballots"))
        await memo.get("vote", (3, 9), lambda: _value("a slow reader's nine"))
        assert memo.newest("vote") == ((3, 10), "ten ballots")

    asyncio.run(scenario())


async def _value(text: str) -> str:
    return text
