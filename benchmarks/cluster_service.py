"""Re-clustering and similar-while-typing through the use cases, with the database and the
vector cache: what a facilitator and a phone wait for in a hall.

    .venv/bin/python benchmarks/cluster_service.py [--database-url URL]

Budgets (2 cores): re-cluster 1,000 proposals with cached vectors ≤ 1 s, 5,000 ≤ 5 s;
similar lookup among 5,000 p95 ≤ 100 ms (query embedding, cache check and the rows' read
included). Proposals are imported once (vectors computed then), as in an assembly.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from cluster_setup import csv_file, dev_texts, set_up, synthetic

from deliberation.curation import cluster_proposals, similar_proposals
from deliberation.imports import import_proposals
from deliberation.vectors import warm_up

LOOKUPS = 200


async def timed_cluster(bench: object, label: str, budget: float, repeats: int = 3) -> None:
    times = []
    groups = 0
    for _ in range(repeats):
        started = time.perf_counter()
        state = await cluster_proposals(
            bench.rt,  # type: ignore[attr-defined]
            actor=bench.organizer,  # type: ignore[attr-defined]
            assembly_id=bench.assembly_id,  # type: ignore[attr-defined]
        )
        times.append(time.perf_counter() - started)
        groups = len(state["groups"])
    print(
        f"re-cluster {label} (vectors cached): first {times[0]:.2f} s, then "
        f"median {statistics.median(times[1:]):.2f} s, {groups} groups [budget {budget:.0f} s]"
    )


async def run(database_url: str | None) -> None:
    warm_up().join()
    bench = await set_up(database_url)
    texts = synthetic(dev_texts(), 5000, seed=2)
    for start, stop in ((0, 1000), (1000, 5000)):
        started = time.perf_counter()
        await import_proposals(
            bench.rt,
            actor=bench.organizer,
            assembly_id=bench.assembly_id,
            data=csv_file(texts[start:stop]),
            filename=f"part-{start}.csv",
            wait_for_vectors=True,
        )
        print(f"import {stop - start:,} with vectors: {time.perf_counter() - started:.1f} s")
        if stop == 1000:
            await timed_cluster(bench, "1,000", 1.0)
    await timed_cluster(bench, "5,000", 5.0)

    drafts = synthetic(dev_texts(), LOOKUPS, seed=3)
    latencies = []
    found = 0
    for draft in drafts:
        started = time.perf_counter()
        result = await similar_proposals(
            bench.rt, actor=bench.participant, assembly_id=bench.assembly_id, text=draft
        )
        latencies.append((time.perf_counter() - started) * 1000)
        found += bool(result)
    latencies.sort()
    p95 = latencies[int(0.95 * len(latencies)) - 1]
    print(
        f"similar among 5,000 ({LOOKUPS} drafts): median {statistics.median(latencies):.0f} ms, "
        f"p95 {p95:.0f} ms [budget 100 ms]; {found} drafts got a suggestion"
    )
    await bench.rt.db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    asyncio.run(run(args.database_url))


if __name__ == "__main__":
    main()
