"""Time to serve the progress board page over HTTP for 10 items x 30 indicators x 8 rounds:
the same seeded SQLite database as benchmarks/followup_gather.py, the real app, a logged-in
organizer. Measures the whole page (gather, 300 SVG charts, the template), the live region a
screen refetches after each report, the board as JSON, and the quarterly DOCX.

Run from the repository root:  .venv/bin/python -m benchmarks.followup_board_page
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import statistics
import tempfile
import time
from pathlib import Path

from litestar.testing import TestClient

from assembly.db import Database
from assembly.runtime import DiscardEvents, Runtime
from assembly.schema import upgrade_database
from assembly.settings import Settings
from assembly.web.app import create_app
from benchmarks.followup_gather import INDICATORS, ITEMS, ROUNDS, _seed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}"
        upgrade_database(url)
        settings = Settings(database_url=url, data_dir=Path(folder))

        async def seed() -> int:
            db = Database(url)
            try:
                _, assembly_id = await _seed(
                    Runtime(db=db, sink=DiscardEvents(), settings=settings)
                )
                return assembly_id
            finally:
                await db.dispose()

        a = asyncio.run(seed())
        with TestClient(create_app(settings)) as client:
            login = client.post(
                "/api/v1/login", json={"username": "bench", "password": "bench-secret-1"}
            )
            login.raise_for_status()
            print(f"{ITEMS} items x {INDICATORS} indicators x {ROUNDS} rounds")
            for label, path in (
                ("board page", f"/followup/{a}"),
                ("live region", f"/followup/{a}/region"),
                ("board JSON", f"/api/v1/assemblies/{a}/followup/board"),
                ("DOCX round 4", f"/followup/{a}/report.docx?round=4"),
            ):
                times, size = [], 0
                for _ in range(runs if "DOCX" not in label else 2):
                    began = time.perf_counter()
                    response = client.get(path, headers={"accept-encoding": "identity"})
                    times.append(time.perf_counter() - began)
                    response.raise_for_status()
                    size = len(response.content)
                    packed = len(gzip.compress(response.content))
                print(
                    f"{label:13} median {statistics.median(times) * 1000:6.0f} ms, "
                    f"{size / 1024:6.0f} KiB ({packed / 1024:.0f} KiB gzipped, as served)"
                )


if __name__ == "__main__":
    main()
