"""Importing 1,000 proposals from a spreadsheet, vectors included, through the real use case.

    .venv/bin/python benchmarks/import_speed.py [--rows 1000] [--database-url URL]

Budget (2 cores): 1,000 rows ≤ 30 s from the uploaded bytes to every vector stored.
"""

from __future__ import annotations

import argparse
import asyncio
import time

from cluster_setup import csv_file, dev_texts, set_up, synthetic

from deliberation.imports import import_proposals

BUDGET_S = 30.0


async def run(rows: int, database_url: str | None) -> None:
    bench = await set_up(database_url)
    data = csv_file(synthetic(dev_texts(), rows, seed=1))
    started = time.perf_counter()
    report = await import_proposals(
        bench.rt,
        actor=bench.organizer,
        assembly_id=bench.assembly_id,
        data=data,
        filename="bench.csv",
        wait_for_vectors=True,
    )
    elapsed = time.perf_counter() - started
    print(
        f"import {report.imported:,} rows with vectors: {elapsed:.1f} s "
        f"[budget {BUDGET_S:.0f} s for 1,000] ({len(report.rejected)} rejected)"
    )
    await bench.rt.db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    asyncio.run(run(args.rows, args.database_url))


if __name__ == "__main__":
    main()
