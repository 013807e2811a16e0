"""Group commit: the small writes of many concurrent requests share one transaction and one fsync.

Why: SQLite has one writer, and with synchronous=FULL each commit is an fsync under the
process's write lock; when a hall joins, proposes, +1s or answers a consent round at once, one
transaction per request queues every request behind every other one's fsync (27 joins/s on the
reference machine, docs/benchmarks.md). Here a request's write waits in a queue while a commit
is in flight, and the next transaction writes everything queued meanwhile with one commit. A
request is answered only after its transaction committed, so an answered write is as durable
as before; events are published after that commit, in order (`Runtime.transaction`).

Two kinds of batch share this one mechanism:
- a writer with its own batched SQL (`assembly/joining.py` seats a batch of joins with one
  query per assembly), a subclass overriding `write_batch`;
- `commit_grouped`: any use case's transaction body (a closure taking the session and outbox),
  each run in its own SAVEPOINT so that one request's refusal (a `DomainError`) rolls back its
  own writes and events only. Proposals, supports and consent answers go this way, so their
  checks, idempotency keys and Thai messages are exactly those of their one-transaction code.
If a whole batch fails (anything but a refusal), every item is written again alone, so one bad
item never costs the others their write. Ballots have their own writer (voting/writer.py): a
ballot's batch is one multi-row upsert of plain SQL, the hot path of a vote.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
import weakref
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from assembly.db import Database
from assembly.errors import DomainError
from assembly.events import Outbox
from assembly.runtime import Runtime

logger = logging.getLogger("samatcha.group_commit")

Item = TypeVar("Item")
Result = TypeVar("Result")

LINGER_S = 0.005  # under load, a small batch waits this long for the requests in flight
LINGER_BELOW = 16  # batches at least this big go at once
BUSY_S = 0.05  # "under load": the previous batch was written less than this long ago
MAX_BATCH = 200  # writes per transaction: keeps one commit's latency and IN (...) lists small


class GroupWriter(Generic[Item, Result]):
    """One writer (per database and kind of write); its task runs while there is work.

    Subclasses write a batch in `write_batch` and may turn a lone item's failure into a
    refusal in `lone_failure`."""

    name = "write"

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.loop = asyncio.get_running_loop()
        self.queue: asyncio.Queue[tuple[Item, asyncio.Future[Result]]] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None
        self.last_write = 0.0
        self.batches = 0
        self.items = 0

    async def write_batch(
        self, session: AsyncSession, outbox: Outbox, batch: list[Item]
    ) -> list[Result | Exception]:
        """Write `batch` in the caller's transaction: per item its result or its refusal."""
        raise NotImplementedError

    def lone_failure(self, exc: Exception) -> Exception:
        """The answer to an item whose own transaction failed (after its batch failed)."""
        return exc

    async def submit(self, item: Item) -> Result:
        """Queue a write and wait until its transaction has committed (or failed)."""
        done: asyncio.Future[Result] = self.loop.create_future()
        self.queue.put_nowait((item, done))
        if self.task is None or self.task.done():
            self.task = self.loop.create_task(self._run())
        return await done

    async def _run(self) -> None:
        while not self.queue.empty():
            busy = time.monotonic() - self.last_write < BUSY_S
            if busy and self.queue.qsize() < LINGER_BELOW:
                await asyncio.sleep(LINGER_S)
            batch = [self.queue.get_nowait()]
            while len(batch) < MAX_BATCH and not self.queue.empty():
                batch.append(self.queue.get_nowait())
            await self._write(batch)
            self.last_write = time.monotonic()

    async def _write(self, batch: list[tuple[Item, asyncio.Future[Result]]]) -> None:
        try:
            async with self.rt.transaction() as (session, outbox):
                results = await self.write_batch(session, outbox, [item for item, _ in batch])
        except Exception:  # rolled back, nobody answered: write them one by one instead
            if len(batch) > 1:
                logger.warning("%s batch of %d failed; writing one by one", self.name, len(batch))
            for entry in batch:
                await self._write_one(*entry)
            return
        self.batches += 1
        self.items += len(batch)
        for (_, done), result in zip(batch, results, strict=True):
            _settle(done, result)

    async def _write_one(self, item: Item, done: asyncio.Future[Result]) -> None:
        try:
            async with self.rt.transaction() as (session, outbox):
                (result,) = await self.write_batch(session, outbox, [item])
        except Exception as exc:
            _settle(done, self.lone_failure(exc))
        else:
            _settle(done, result)


def _settle(done: asyncio.Future[Any], result: Any) -> None:
    if done.done():  # the request went away meanwhile
        return
    if isinstance(result, Exception):
        done.set_exception(result)
    else:
        done.set_result(result)


_WRITERS: weakref.WeakKeyDictionary[Database, dict[str, GroupWriter[Any, Any]]] = (
    weakref.WeakKeyDictionary()
)

W = TypeVar("W", bound=GroupWriter[Any, Any])


def writer_of(rt: Runtime, kind: type[W]) -> W:
    """This database's writer of `kind` on the running loop (tests run one loop per test)."""
    writers = _WRITERS.get(rt.db)
    if writers is None:
        writers = _WRITERS[rt.db] = {}
        rt.db.before_dispose(functools.partial(drain, rt.db))
    writer = writers.get(kind.__qualname__)
    if writer is None or writer.loop is not asyncio.get_running_loop():
        writer = writers[kind.__qualname__] = kind(rt)
    assert isinstance(writer, kind)
    return writer


async def drain(db: Database) -> None:
    """Let queued writes commit before the engines close."""
    loop = asyncio.get_running_loop()
    tasks = [w.task for w in _WRITERS.get(db, {}).values() if w.loop is loop and w.task is not None]
    await asyncio.gather(*tasks, return_exceptions=True)


# ---------------------------------------------------------------- any use case's body

Work = Callable[[AsyncSession, Outbox], Awaitable[Any]]


class EachWriter(GroupWriter[Work, Any]):
    """Runs each queued transaction body in its own savepoint of the shared transaction."""

    name = "grouped"

    async def write_batch(
        self, session: AsyncSession, outbox: Outbox, batch: list[Work]
    ) -> list[Any]:
        results: list[Any] = []
        # The session's identity map holds objects weakly: what one body loaded (the assembly,
        # its steps and networks) would be gone when it returns, and read again by the next
        # one. Kept alive for the batch, the next body's `session.get` finds it without a query.
        kept: list[object] = []

        def keep(_: Any, instance: object) -> None:
            kept.append(instance)

        event.listen(session.sync_session, "loaded_as_persistent", keep)
        try:
            for work in batch:
                emitted = len(outbox.events)
                try:
                    async with session.begin_nested():
                        results.append(await work(session, outbox))
                except DomainError as exc:  # its savepoint rolled back: its events go too
                    del outbox.events[emitted:]
                    results.append(exc)
        finally:
            event.remove(session.sync_session, "loaded_as_persistent", keep)
        return results


async def commit_grouped(
    rt: Runtime, work: Callable[[AsyncSession, Outbox], Awaitable[Result]]
) -> Result:
    """Run `work` as `async with rt.transaction() as (session, outbox)` would, sharing the
    transaction (and its commit) with the other requests queued meanwhile; returns its result
    after the commit, or raises its refusal. Events it emits are published after the commit."""
    result: Result = await writer_of(rt, EachWriter).submit(work)
    return result
