"""One ballot writer per process: a queue, group commits, acknowledgements after commit.

Why: SQLite has one writer. One transaction per ballot with synchronous=FULL is one fsync per
ballot (about 2,000/s on the reference machine); many concurrent writers queue on the lock and
are slower still. Here every ballot that arrives while a commit is in flight waits in a queue,
and the next transaction stores all of them with one multi-row upsert and one fsync. A ballot's
future is resolved only after its transaction committed, so an acknowledged ballot is durable.

Exactly once is the database's job, not this queue's: one row per (vote, participant), and
`INSERT ... ON CONFLICT (vote_id, participant_id) DO UPDATE ... WHERE ballots.client_seq <
excluded.client_seq` means a retry (same client_seq) or an older submission never overwrites a
newer ballot, whichever process or batch it arrives in. The same code runs on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from assembly.runtime import Runtime
from assembly.steps import StepKind, StepStatus
from assembly.timeutil import utcnow
from voting.models import VoteStatus

logger = logging.getLogger("samatcha.voting")

LINGER_S = 0.005  # how long a small batch waits for company (adds at most this to an ack)
LINGER_BELOW = 32  # batches at least this big go at once

MAX_BATCH = 256  # ballots per transaction: ~1,500 SQL parameters, far below SQLite's limit


class Outcome(StrEnum):
    STORED = "stored"  # this submission is now the voter's ballot
    REPLAY = "replay"  # the same submission was stored before (a retry): acknowledged again
    STALE = "stale"  # a newer (or different) ballot with this or a higher client_seq is stored
    VOTE_NOT_OPEN = "vote_not_open"
    STEP_NOT_OPEN = "step_not_open"
    NOT_IN_ASSEMBLY = "not_in_assembly"  # this device holds no seat in the vote's assembly
    FORGED = "forged"  # the client named a participant that is not the device's own


@dataclass
class PendingBallot:
    """A validated ballot waiting for its group commit.

    The voter is either known (`participant_id`) or named by the device cookie's hash
    (`device_hash`), resolved for the whole batch in one query: a ballot then costs the request
    no database read of its own.
    """

    assembly_id: int
    vote_id: int
    content: str
    client_seq: int
    participant_id: int | None = None
    device_hash: str | None = None
    claimed_participant: int | None = None
    """A participant id the client sent: must be the device's own."""
    done: asyncio.Future[Outcome] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class _Sql:
    """Plain driver SQL on the transaction's connection, placeholders in the driver's style.

    Why not SQLAlchemy constructs: a batch runs four small statements, and building, caching
    and binding them through the ORM cost ~1.5 ms of CPU per batch, ~0.2 ms per ballot at the
    batch sizes a 2-core server reaches; a ballot may cost ~0.3 ms in all at 3,000/s.
    Everything here is standard SQL that SQLite (>= 3.35, for RETURNING) and PostgreSQL share.
    """

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.style = connection.dialect.paramstyle
        self.sqlite = connection.dialect.name == "sqlite"
        self.count = 0

    def marks(self, n: int) -> str:
        """n placeholders, numbered on from the ones already used in this statement."""
        if self.style == "qmark":
            return ", ".join("?" * n)
        if self.style == "format":
            return ", ".join(["%s"] * n)
        if self.style not in ("numeric_dollar", "numeric"):
            raise NotImplementedError(f"paramstyle {self.style}")
        mark = "$" if self.style == "numeric_dollar" else ":"
        first, self.count = self.count, self.count + n
        return ", ".join(f"{mark}{i + 1}" for i in range(first, first + n))

    async def run(self, sql: str, params: list[object]) -> list[Any]:
        self.count = 0
        return list((await self.connection.exec_driver_sql(sql, tuple(params))).all())

    def timestamp(self, when: datetime) -> object:
        # SQLite keeps SQLAlchemy DateTime columns as this text; PostgreSQL takes the datetime.
        return when.strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else when


async def vote_state(sql: _Sql, vote_id: int) -> Outcome | None:
    """None when ballots may be stored for this vote now, else why not (read inside the
    writing transaction, so a vote closed by another process is seen)."""
    rows = await sql.run(
        "SELECT votes.status, steps.status, steps.kind FROM votes"  # noqa: S608 (only placeholders)
        f" JOIN steps ON steps.id = votes.step_id WHERE votes.id = {sql.marks(1)}",
        [vote_id],
    )
    if not rows or rows[0][0] != VoteStatus.OPEN:
        return Outcome.VOTE_NOT_OPEN
    if rows[0][1] != StepStatus.OPEN or rows[0][2] != StepKind.VOTE:
        return Outcome.STEP_NOT_OPEN
    return None


async def resolve_voters(sql: _Sql, batch: list[PendingBallot]) -> dict[int, Outcome]:
    """Fill in `participant_id` from device hashes, one query per assembly in the batch;
    returns the refusals (unknown device, forged participant id) by index."""
    refusals: dict[int, Outcome] = {}
    wanted: dict[int, set[str]] = {}
    for item in batch:
        if item.participant_id is None and item.device_hash is not None:
            wanted.setdefault(item.assembly_id, set()).add(item.device_hash)
    seats: dict[tuple[int, str], int] = {}
    for assembly_id, hashes in wanted.items():
        rows = await sql.run(
            f"SELECT device_hash, id FROM participants WHERE assembly_id = {sql.marks(1)}"  # noqa: S608 (only placeholders)
            f" AND device_hash IN ({sql.marks(len(hashes))})",
            [assembly_id, *hashes],
        )
        seats.update({(assembly_id, device): pid for device, pid in rows})
    for i, item in enumerate(batch):
        if item.participant_id is None and item.device_hash is not None:
            item.participant_id = seats.get((item.assembly_id, item.device_hash))
        if item.participant_id is None:
            refusals[i] = Outcome.NOT_IN_ASSEMBLY
        elif item.claimed_participant not in (None, item.participant_id):
            refusals[i] = Outcome.FORGED
    return refusals


async def _upsert(sql: _Sql, rows: list[tuple[int, int, str, int, datetime]]) -> set[Any]:
    """The exactly-once statement: a stored row is only replaced by a higher client_seq, and
    RETURNING names the rows actually written."""
    values = ", ".join(f"({sql.marks(5)})" for _ in rows)
    params: list[object] = []
    for vote_id, participant_id, content, seq, cast_at in rows:
        params += [vote_id, participant_id, content, seq, sql.timestamp(cast_at)]
    written = await sql.run(
        "INSERT INTO ballots (vote_id, participant_id, content, client_seq, cast_at)"  # noqa: S608 (only placeholders)
        f" VALUES {values}"
        " ON CONFLICT (vote_id, participant_id) DO UPDATE SET content = excluded.content,"
        " client_seq = excluded.client_seq, cast_at = excluded.cast_at"
        " WHERE ballots.client_seq < excluded.client_seq"
        " RETURNING vote_id, participant_id, client_seq",
        params,
    )
    return {tuple(row) for row in written}


async def _stored(sql: _Sql, keys: list[tuple[int, int]]) -> dict[tuple[int, int], tuple[int, str]]:
    by_vote: dict[int, list[int]] = {}
    for vote_id, participant_id in keys:
        by_vote.setdefault(vote_id, []).append(participant_id)
    found: dict[tuple[int, int], tuple[int, str]] = {}
    for vote_id, participants in by_vote.items():
        rows = await sql.run(
            "SELECT participant_id, client_seq, content FROM ballots"  # noqa: S608 (only placeholders)
            f" WHERE vote_id = {sql.marks(1)}"
            f" AND participant_id IN ({sql.marks(len(participants))})",
            [vote_id, *participants],
        )
        found.update({(vote_id, pid): (seq, content) for pid, seq, content in rows})
    return found


async def store_batch(
    session: AsyncSession | AsyncConnection, batch: list[PendingBallot]
) -> dict[int, Outcome]:
    """Store a batch in the caller's transaction; outcome per index of `batch`."""
    sql = _Sql(await session.connection() if isinstance(session, AsyncSession) else session)
    outcomes: dict[int, Outcome] = await resolve_voters(sql, batch)
    states = {vote_id: await vote_state(sql, vote_id) for vote_id in {i.vote_id for i in batch}}
    # One row per (vote, participant) per statement (PostgreSQL refuses to update a row twice
    # in one statement): the highest client_seq of the batch competes with the stored one.
    best: dict[tuple[int, int], int] = {}
    for i, item in enumerate(batch):
        refused = states[item.vote_id]
        if refused is not None and i not in outcomes:
            outcomes[i] = refused
        if i in outcomes:
            continue
        assert item.participant_id is not None  # resolve_voters refused the others
        key = (item.vote_id, item.participant_id)
        if key not in best or batch[best[key]].client_seq < item.client_seq:
            best[key] = i
    if not best:
        return outcomes
    now = utcnow()
    rows = [
        (batch[i].vote_id, batch[i].participant_id or 0, batch[i].content, batch[i].client_seq, now)
        for i in best.values()
    ]
    written = await _upsert(sql, rows)

    def won(i: int, item: PendingBallot) -> bool:
        key = (item.vote_id, item.participant_id or 0)
        return best[key] == i and (*key, item.client_seq) in written

    # Replays and stale submissions: compare with what the table holds now.
    others = {
        (item.vote_id, item.participant_id or 0)
        for i, item in enumerate(batch)
        if i not in outcomes and not won(i, item)
    }
    stored = await _stored(sql, sorted(others)) if others else {}
    for i, item in enumerate(batch):
        if i in outcomes or item.participant_id is None:
            continue
        if won(i, item):
            outcomes[i] = Outcome.STORED
        elif stored.get((item.vote_id, item.participant_id)) == (item.client_seq, item.content):
            outcomes[i] = Outcome.REPLAY
        else:
            outcomes[i] = Outcome.STALE
    return outcomes


class BallotWriter:
    """The process's one ballot writer; its task runs while there is work, then ends."""

    def __init__(self, rt: Runtime, on_stored: Callable[[set[int]], None]) -> None:
        self.rt = rt
        self.on_stored = on_stored
        self.queue: asyncio.Queue[PendingBallot] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None
        self.batches = 0
        self.ballots = 0

    async def submit(self, item: PendingBallot) -> Outcome:
        """Queue a ballot and wait until its transaction has committed (or failed)."""
        self.queue.put_nowait(item)
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._run())
        return await item.done

    async def _run(self) -> None:
        while not self.queue.empty():
            if self.queue.qsize() < LINGER_BELOW:
                # A transaction costs about the same for 5 ballots as for 50: under load, a
                # few milliseconds' wait lets the requests being parsed right now join it.
                await asyncio.sleep(LINGER_S)
            batch = [self.queue.get_nowait()]
            while len(batch) < MAX_BATCH and not self.queue.empty():
                batch.append(self.queue.get_nowait())
            await self._write(batch)

    async def _write(self, batch: list[PendingBallot]) -> None:
        started = time.perf_counter()
        try:
            async with self.rt.db.locked(), self.rt.db.write_connection() as connection:
                outcomes = await store_batch(connection, batch)
        except Exception as exc:  # the transaction rolled back: nobody is acknowledged
            logger.exception("ballot batch of %d failed", len(batch))
            for item in batch:
                if not item.done.done():
                    item.done.set_exception(exc)
            return
        self.batches += 1
        self.ballots += len(batch)
        logger.debug(
            "stored %d ballots in %.1f ms", len(batch), 1000 * (time.perf_counter() - started)
        )
        changed = {item.vote_id for i, item in enumerate(batch) if outcomes[i] == Outcome.STORED}
        for i, item in enumerate(batch):
            if not item.done.done():
                item.done.set_result(outcomes[i])
        if changed:
            self.on_stored(changed)
