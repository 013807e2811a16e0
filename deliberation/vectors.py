"""Proposal vectors: computed once, off the event loop, stored, and cached per assembly.

- `ensure_vectors` embeds the proposals of an assembly that have no vector from the current
  embedder (a new proposal, an import, or every proposal after the embedder changed) and
  stores them (`proposal_vectors`: the vector and the embedder's name).
- `assembly_vectors` answers from an in-process cache, checked against the database with one
  cheap query (count and last id), so several workers sharing a database stay correct.
- `schedule_embedding` queues new proposals for a background worker (one per database and
  event loop) that embeds them in batches and then calls a follow-up (placement into groups):
  a submission is acknowledged without waiting for its vector.
- `warm_up` loads the model and the tokeniser's dictionary in a thread at start-up, so the
  first lookup in a hall is not the slow one; `pretokenise_recent` then tokenises the newest
  proposals, so the first re-clustering after a restart is not the slow one either.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import threading
import weakref
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from assembly.db import Database
from assembly.runtime import Runtime
from deliberation.clustering import FloatArray, HintSpace, hint_space
from deliberation.embeddings import Embedder, default_embedder
from deliberation.models import Proposal, ProposalVector

logger = logging.getLogger(__name__)

# Texts embedded per thread hop: big enough for the model's batching speed-up, small enough
# that a typing-time lookup waiting for the model's lock is held up by ~0.3 s at most.
EMBED_CHUNK = 32
# Proposals whose texts are tokenised ahead of the first re-clustering after a (re)start.
PRETOKENISE_LIMIT = 20_000

Follow = Callable[[Runtime, int, list[int]], Awaitable[None]]


def embedder() -> Embedder:
    """The process's embedder (e5 when it loads): created once, thread-safe."""
    return default_embedder()


async def embed_texts(texts: Sequence[str], *, background: bool = False) -> FloatArray:
    """Vectors for texts, computed in a worker thread so the event loop keeps serving;
    `background` work (new proposals' vectors) yields the CPU to the hall's requests."""
    if not texts:
        return np.zeros((0, embedder().dim), dtype=np.float32)
    model = embedder()
    if not background:
        return await asyncio.to_thread(model.embed, list(texts))
    return await asyncio.get_running_loop().run_in_executor(
        _background_thread(), model.embed, list(texts)
    )


def _lower_priority() -> None:
    # One OpenMP thread (the limit is per calling thread) at a lower CPU priority (Linux nices
    # threads one by one): a wave of 1,000 proposals was answered at 172/s while the model
    # took both cores to embed the first ones.
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped,unused-ignore]

    threadpool_limits(limits=1, user_api="openmp")
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICE)


BACKGROUND_NICE = 10


@functools.cache
def _background_thread() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(1, thread_name_prefix="samatcha-embed", initializer=_lower_priority)


@dataclass
class AssemblyVectors:
    """The vectors of one assembly's proposals from one embedder, rows aligned with `ids`."""

    embedder: str
    ids: list[int] = field(default_factory=list)
    matrix: FloatArray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    row_of: dict[int, int] = field(default_factory=dict)
    hints: HintSpace | None = None
    """Similar-while-typing's view of these rows, fitted by the first lookup that needs it."""

    def rows(self, proposal_ids: Sequence[int]) -> FloatArray:
        """Vectors of these proposals in this order (KeyError if one has none yet)."""
        return self.matrix[[self.row_of[i] for i in proposal_ids]]

    def add(self, ids: Sequence[int], matrix: FloatArray) -> None:
        fresh = [(i, r) for r, i in enumerate(ids) if i not in self.row_of]
        if not fresh:
            return
        block = matrix[[r for _, r in fresh]]
        self.matrix = block if not self.ids else np.vstack([self.matrix, block])
        for i, _ in fresh:
            self.row_of[i] = len(self.ids)
            self.ids.append(i)


class VectorCache:
    """Per database: assembly id → its cached vectors."""

    def __init__(self) -> None:
        self.assemblies: dict[int, AssemblyVectors] = {}
        self.lock = asyncio.Lock()


_caches: weakref.WeakKeyDictionary[Database, VectorCache] = weakref.WeakKeyDictionary()


def _cache(db: Database) -> VectorCache:
    cache = _caches.get(db)
    if cache is None:
        cache = _caches[db] = VectorCache()
    return cache


def _decode(blob: bytes) -> FloatArray:
    return np.frombuffer(blob, dtype="<f4")


async def _stored_summary(session: AsyncSession, assembly_id: int, name: str) -> tuple[int, int]:
    row = (
        await session.execute(
            select(func.count(), func.max(ProposalVector.proposal_id))
            .join(Proposal, Proposal.id == ProposalVector.proposal_id)
            .where(Proposal.assembly_id == assembly_id, ProposalVector.embedder == name)
        )
    ).one()
    return int(row[0] or 0), int(row[1] or 0)


async def _load(
    session: AsyncSession, assembly_id: int, name: str, after: int
) -> tuple[list[int], FloatArray | None]:
    rows = (
        await session.execute(
            select(ProposalVector.proposal_id, ProposalVector.vector)
            .join(Proposal, Proposal.id == ProposalVector.proposal_id)
            .where(
                Proposal.assembly_id == assembly_id,
                ProposalVector.embedder == name,
                ProposalVector.proposal_id > after,
            )
            .order_by(ProposalVector.proposal_id)
        )
    ).all()
    if not rows:
        return [], None
    return [int(r[0]) for r in rows], np.vstack([_decode(r[1]) for r in rows])


async def assembly_vectors(rt: Runtime, assembly_id: int) -> AssemblyVectors:
    """The stored vectors of an assembly, from the cache when it is still complete.

    Proposals are never deleted one by one, so "same count, same last id" means unchanged and
    "more, all newer" means load only the newer ones; anything else reloads the assembly.
    """
    name = embedder().name
    cache = _cache(rt.db)
    async with rt.read() as session:
        count, last = await _stored_summary(session, assembly_id, name)
        cached = cache.assemblies.get(assembly_id)
        if cached is not None and cached.embedder == name:
            known = max(cached.ids) if cached.ids else 0
            if len(cached.ids) == count and known == last:
                return cached
            if len(cached.ids) < count:
                ids, matrix = await _load(session, assembly_id, name, known)
                if matrix is not None and len(cached.ids) + len(ids) == count:
                    cached.add(ids, matrix)
                    return cached
        fresh = AssemblyVectors(embedder=name)
        ids, matrix = await _load(session, assembly_id, name, 0)
        if matrix is not None:
            fresh.add(ids, matrix)
    cache.assemblies[assembly_id] = fresh
    return fresh


async def hint_space_of(rt: Runtime, assembly_id: int, vectors: AssemblyVectors) -> HintSpace:
    """The assembly's similar-while-typing space: refitted (texts and networks read, TF-IDF in a
    worker thread) when the assembly has outgrown the last fit, else extended with new rows."""
    space = vectors.hints
    count = len(vectors.ids)
    if space is None or space.stale(count):
        async with rt.read() as session:
            rows = (
                await session.execute(
                    select(Proposal.id, Proposal.text, Proposal.network_id).where(
                        Proposal.assembly_id == assembly_id
                    )
                )
            ).all()
        found = {int(pid): (text, network) for pid, text, network in rows}
        texts = [found.get(pid, ("", None))[0] for pid in vectors.ids]
        networks = [found.get(pid, ("", None))[1] for pid in vectors.ids]
        space = await asyncio.to_thread(hint_space, vectors.matrix, texts, networks)
    elif len(space.rows) < count:
        space = space.extend(vectors.matrix[len(space.rows) :])
    vectors.hints = space
    return space


async def store_vectors(
    session: AsyncSession, name: str, ids: Sequence[int], matrix: FloatArray
) -> None:
    """Insert or replace vectors (a re-embedding after a change of model replaces)."""
    if not ids:
        return
    insert = sqlite_insert if session.bind.dialect.name == "sqlite" else pg_insert
    rows = [
        {"proposal_id": int(i), "embedder": name, "vector": np.asarray(v, "<f4").tobytes()}
        for i, v in zip(ids, matrix, strict=True)
    ]
    statement = insert(ProposalVector)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[ProposalVector.proposal_id],
            set_={"embedder": statement.excluded.embedder, "vector": statement.excluded.vector},
        ),
        rows,
    )


async def ensure_vectors(
    rt: Runtime,
    assembly_id: int,
    *,
    only: Sequence[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
    background: bool = False,
) -> AssemblyVectors:
    """Embed and store every proposal of the assembly (or of `only`) lacking a current vector."""
    name = embedder().name
    async with rt.read() as session:
        query = (
            select(Proposal.id, Proposal.text)
            .outerjoin(
                ProposalVector,
                (ProposalVector.proposal_id == Proposal.id) & (ProposalVector.embedder == name),
            )
            .where(Proposal.assembly_id == assembly_id, ProposalVector.proposal_id.is_(None))
            .order_by(Proposal.id)
        )
        if only is not None:
            query = query.where(Proposal.id.in_(list(only)))
        missing = (await session.execute(query)).all()
    done = 0
    for start in range(0, len(missing), EMBED_CHUNK):
        chunk = missing[start : start + EMBED_CHUNK]
        matrix = await embed_texts([text for _, text in chunk], background=background)
        async with rt.transaction() as (session, _):
            chunk_ids = [int(i) for i, _ in chunk]
            existing = set(
                await session.scalars(select(Proposal.id).where(Proposal.id.in_(chunk_ids)))
            )
            keep = [k for k, i in enumerate(chunk_ids) if i in existing]
            await store_vectors(session, name, [chunk_ids[k] for k in keep], matrix[keep])
        done += len(chunk)
        if progress is not None:
            progress(done, len(missing))
    vectors = await assembly_vectors(rt, assembly_id)
    if missing:
        await asyncio.to_thread(_pretokenise, [text for _, text in missing])
    return vectors


async def pretokenise_recent(rt: Runtime) -> None:
    """At start-up, tokenise the newest proposals in a thread: the first re-clustering after a
    restart (1,000 proposals: 0.5 s with tokens cached, 2 s without) then finds them ready."""
    async with rt.read() as session:
        texts = list(
            await session.scalars(
                select(Proposal.text).order_by(Proposal.id.desc()).limit(PRETOKENISE_LIMIT)
            )
        )
    await asyncio.to_thread(_pretokenise, texts)


def _pretokenise(texts: Sequence[str]) -> None:
    """Fill the tokeniser's LRU caches now, so the facilitator's re-clustering does not pay it."""
    from deliberation.thai import tokenise, without_voice

    for text in texts[:PRETOKENISE_LIMIT]:
        without_voice(text)
        tokenise(text)


# --- background embedding of new proposals --------------------------------------------------


class _Worker:
    """Embeds queued proposals in batches on one event loop, then runs their follow-up."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.queued: dict[int, list[int]] = {}
        self.follow: dict[int, Follow | None] = {}
        self.task: asyncio.Task[None] | None = None
        self.idle = asyncio.Event()
        self.idle.set()

    def submit(self, assembly_id: int, ids: Sequence[int], then: Follow | None) -> None:
        self.queued.setdefault(assembly_id, []).extend(ids)
        self.follow[assembly_id] = then
        self.idle.clear()
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        # The event that created these proposals goes out to every phone first (embedding
        # competes with the fan-out for the CPU), and a burst of proposals becomes one batch.
        await asyncio.sleep(EMBED_AFTER_S)
        while self.queued:
            assembly_id, ids = next(iter(self.queued.items()))
            del self.queued[assembly_id]
            then = self.follow.pop(assembly_id, None)
            try:
                await ensure_vectors(self.rt, assembly_id, only=ids, background=True)
                if then is not None:
                    await then(self.rt, assembly_id, ids)
            except Exception:  # a background failure must not stop later proposals
                logger.exception("embedding proposals %s of assembly %s failed", ids, assembly_id)
        self.idle.set()

    async def stop(self, grace: float | None = None) -> None:
        """Let queued work finish (or cancel it after `grace`) before the engines close:
        a session opened after `dispose()` would leak its connection."""
        if self.task is None or self.task.done():
            return
        if self.task.get_loop() is not asyncio.get_running_loop():
            return
        try:
            await asyncio.wait_for(asyncio.shield(self.idle.wait()), grace or SHUTDOWN_GRACE_S)
        except TimeoutError:
            self.queued.clear()
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task


EMBED_AFTER_S = 0.5
_workers: weakref.WeakKeyDictionary[Database, _Worker] = weakref.WeakKeyDictionary()
# On shutdown, queued work gets this long to finish; the rest is embedded by the next
# clustering (ensure_vectors), so stopping early loses nothing.
SHUTDOWN_GRACE_S = 10.0


def schedule_embedding(
    rt: Runtime, assembly_id: int, proposal_ids: Sequence[int], then: Follow | None = None
) -> None:
    """Embed these proposals soon, in the background, then call `then` (placement)."""
    worker = _workers.get(rt.db)
    stale = (
        worker is not None
        and worker.task is not None
        and (worker.task.get_loop() is not asyncio.get_running_loop())
    )
    if worker is None or stale:
        worker = _workers[rt.db] = _Worker(rt)
        rt.db.before_dispose(worker.stop)
    worker.submit(assembly_id, proposal_ids, then)


_warm = threading.Event()


def warm_up() -> threading.Thread:
    """Load the model and the tokeniser in a daemon thread; returns it (join to wait)."""

    def run() -> None:
        try:
            from deliberation.clustering import cluster
            from deliberation.thai import normalise, tokenise

            texts = ["ส่งเสริมคุณธรรมในโรงเรียน", "ใส่หมวกกันน็อก", "เปิดเผยงบประมาณ"]
            tokenise(normalise(texts[0]))
            # One tiny clustering imports scikit-learn and SciPy now, not in the first click.
            cluster(embedder().embed(texts), texts)
        except Exception:  # warming is an optimisation; the first request will load instead
            logger.exception("warming the embedder failed")
        finally:
            _warm.set()

    thread = threading.Thread(target=run, name="samatcha-warm-up", daemon=True)
    thread.start()
    return thread
