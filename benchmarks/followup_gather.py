"""Time to gather the progress board from a real SQLite database: 10 items x 30 indicators x 8
rounds (2,400 indicator reports) plus 3 activities per item reported each round (240 more).

Run from the repository root:  .venv/bin/python -m benchmarks.followup_gather
Prints the median of several runs of `followup.board.gather_board` (one read transaction and
`build_board`), and of `build_board` alone on the same input. The target is well under a
second: the board is opened at a quarterly meeting and refetched after each report.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

from assembly import services
from assembly.db import Database
from assembly.runtime import DiscardEvents, Runtime
from assembly.schema import upgrade_database
from assembly.settings import Settings
from deliberation.models import AgendaItem
from followup import board, setup
from followup.models import FollowupReport
from followup.progress import build_board

ITEMS, INDICATORS, ACTIVITIES, ROUNDS = 10, 30, 3, 8
START = dt.date(2026, 10, 1)


async def _seed(rt: Runtime) -> tuple[services.Actor, int]:
    user = await services.create_user(
        rt, username="bench", display_name="bench", role="organizer", password="bench-secret-1"
    )
    organizer = services.Actor(user=user)
    assembly = await services.create_assembly(rt, actor=organizer, name="ก", province="ข")
    async with rt.transaction() as (session, _):
        for n in range(ITEMS):
            session.add(
                AgendaItem(
                    assembly_id=assembly.id,
                    position=n,
                    title=f"วาระที่ {n + 1}",
                    goal="เป้าหมาย",
                    virtues=["ซื่อสัตย์"],
                    plans=[
                        {
                            "name": "แผนงาน",
                            "lead_agency": f"หน่วยงาน {n}",
                            "activities": [
                                {"what": f"กิจกรรม {a}", "budget": 10000} for a in range(ACTIVITIES)
                            ],
                        }
                    ],
                    indicators=[
                        {
                            "name": f"ตัวชี้วัด {n}-{i}",
                            "unit": "ร้อยละ",
                            "baseline": "ร้อยละ ๒๐",
                            "target": "ร้อยละ ๘๐",
                            "reporting_agency": f"หน่วยงาน {n}",
                        }
                        for i in range(INDICATORS)
                    ],
                    mechanism=[],
                    version=1,
                    adopted=True,
                )
            )
    await setup.start_followup(rt, actor=organizer, assembly_id=assembly.id, today=START)
    dues = [START + dt.timedelta(days=45 + 91 * r) for r in range(ROUNDS)]
    await setup.set_rounds(
        rt,
        actor=organizer,
        assembly_id=assembly.id,
        rounds=[{"label": f"ไตรมาส {r + 1}", "due": d.isoformat()} for r, d in enumerate(dues)],
    )
    async with rt.transaction() as (session, _):
        targets = await setup.targets_of(session, assembly.id)
        by_id = {t.id: t for t in targets}
        rows = []
        for target in targets:
            if target.kind not in ("indicator", "activity"):
                continue
            agency = setup.effective_agency(target, by_id)
            for r, due in enumerate(dues):
                at = dt.datetime.combine(due - dt.timedelta(days=5), dt.time(9), dt.UTC)
                rows.append(
                    {
                        "assembly_id": assembly.id,
                        "target_id": target.id,
                        "agency_id": agency,
                        "round": r + 1,
                        "status": "in_progress" if target.kind == "activity" else "",
                        "done": "",
                        "value_text": f"ร้อยละ {20 + 7 * r}" if target.kind == "indicator" else "",
                        "measured_on": at.date() if target.kind == "indicator" else None,
                        "source": "",
                        "note": "",
                        "worked": "ได้ผล" if r % 2 else "",
                        "not_worked": "",
                        "change": "",
                        "late": False,
                        "created_at": at,
                    }
                )
        await session.execute(insert(FollowupReport), rows)
    return organizer, assembly.id


async def _main(runs: int, folder: str) -> None:
    url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}"
    settings = Settings(database_url=url, data_dir=Path(folder))
    db = Database(url)
    rt = Runtime(db=db, sink=DiscardEvents(), settings=settings)
    try:
        organizer, assembly_id = await _seed(rt)
        today = START + dt.timedelta(days=2 * 365)
        gathered, built = [], []
        for _ in range(runs):
            began = time.perf_counter()
            result = await board.gather_board(
                rt, actor=organizer, assembly_id=assembly_id, today=today
            )
            gathered.append(time.perf_counter() - began)
            async with rt.read() as session:
                assembly = await services.get_assembly(session, assembly_id)
                row = await setup.settings_of(session, assembly_id)
                data = await board.board_input(session, assembly, row, today)
            began = time.perf_counter()
            build_board(data)
            built.append(time.perf_counter() - began)
        async with rt.read() as session:
            targets = len(await setup.targets_of(session, assembly_id))
        print(
            f"{ITEMS} items x {INDICATORS} indicators x {ROUNDS} rounds "
            f"({targets} targets, {sum(len(i.indicators) for i in result.items)} indicators)"
        )
        print(f"gather_board (read + build): median {statistics.median(gathered) * 1000:.0f} ms")
        print(f"build_board alone:           median {statistics.median(built) * 1000:.0f} ms")
    finally:
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    with tempfile.TemporaryDirectory() as folder:
        upgrade_database(f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}")
        asyncio.run(_main(parser.parse_args().runs, folder))


if __name__ == "__main__":
    main()
