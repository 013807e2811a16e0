"""Shared set-up of the review benchmarks: a migrated database, an assembly, an organizer,
a facilitator's actor and one participant, driven through the real use cases."""

from __future__ import annotations

import asyncio
import csv
import io
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assembly.db import Database
from assembly.joining import join_assembly
from assembly.runtime import DiscardEvents, Runtime
from assembly.schema import upgrade_database
from assembly.services import Actor, create_assembly, create_user, open_step
from assembly.settings import Settings

DEV_SET = Path("/work/shared/data/proposals_dev.csv")


@dataclass
class Bench:
    rt: Runtime
    assembly_id: int
    organizer: Actor
    participant: Actor


def dev_texts() -> list[str]:
    with DEV_SET.open(encoding="utf-8", newline="") as handle:
        return [row["text"] for row in csv.DictReader(handle)]


def synthetic(texts: list[str], n: int, seed: int = 0) -> list[str]:
    """n proposals spliced from two dev proposals each (as benchmarks/cluster_speed.py)."""
    rng = np.random.default_rng(seed)
    out: list[str] = []
    for _ in range(n):
        a, b = rng.choice(len(texts), 2, replace=False)
        head, tail = texts[a], texts[b]
        out.append(head[: len(head) // 2 + 1] + tail[len(tail) // 2 :])
    return out


def csv_file(texts: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["text", "network"])
    networks = ["government", "business", "civil_society", "education", "religion", "media"]
    for i, text in enumerate(texts):
        writer.writerow([text, networks[i % 6]])
    return buffer.getvalue().encode()


async def set_up(database_url: str | None) -> Bench:
    url = database_url or f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    await asyncio.to_thread(upgrade_database, url)  # Alembic runs its own event loop
    settings = Settings(database_url=url)
    rt = Runtime(db=Database(url), sink=DiscardEvents(), settings=settings)
    user = await create_user(
        rt, username="bench", display_name="bench", role="organizer", password="benchmark-pass"
    )
    organizer = Actor(user=user)
    assembly = await create_assembly(rt, actor=organizer, name="benchmark", province="ทดสอบ")
    await join_assembly(
        rt, join_code=assembly.join_code, device_hash="phone-1", network_key="media"
    )
    collect = next(s for s in assembly.steps if s.kind == "collect")
    await open_step(rt, actor=organizer, assembly_id=assembly.id, step_id=collect.id)
    return Bench(rt, assembly.id, organizer, Actor(device_hash="phone-1"))
