"""Ballots under load: acknowledged ballots per second, acknowledgement latency, exactly once.

Run from the repository root:
    .venv/bin/python -m benchmarks.ballots                     # 3,000 phones, about a minute
    .venv/bin/python -m benchmarks.ballots --phones 1000 --connections 32
    .venv/bin/python -m benchmarks.ballots --crash-after 2.0   # SIGKILL the server mid-load
    .venv/bin/python -m benchmarks.ballots --postgres          # on PostgreSQL (samatcha_bench)
    .venv/bin/python -m benchmarks.ballots --postgres --workers 2   # two workers, with Redis

It starts `samatcha serve` on a free 127.0.0.1 port with a fresh SQLite database
(synchronous=FULL, the default), creates an assembly, opens its vote step and a vote over
twelve options, and joins `--phones` phones through the HTTP API. Then every phone votes over
real HTTP/1.1 keep-alive connections (a small raw-asyncio client: the load generator must not
eat the CPU the server needs), and some behave like real phones on hall Wi-Fi:

- `--retry` of them resend the same ballot (same client_seq), as after a dropped answer:
  the server must acknowledge it again without counting it twice;
- `--change` of them change their mind and send a newer ballot (higher client_seq): the last
  one must count;
- of those, half then replay their OLDER ballot late: the server must refuse it (409) and keep
  the newer one.

Reported: acknowledged ballots per second (target >= 3,000 on SQLite, 2,000 on PostgreSQL),
acknowledgement latency p50 / p95 / p99 (target p99 <= 300 ms), and the check afterwards, read
from the database file itself: one row per phone that got an acknowledgement, holding that
phone's newest acknowledged ballot: zero lost, zero duplicated. With `--crash-after S` the
server is killed with SIGKILL S seconds into the load, and the check is that every ballot
acknowledged before the crash is in the file (what synchronous=FULL + acknowledge-after-commit
promise).

With `--postgres [URL]` the server runs on PostgreSQL instead, in the database
`samatcha_bench` (dropped and created anew; another with `--postgres-db`; default server
postgresql://127.0.0.1:5432), and the check reads that database; `--workers N` runs N uvicorn
workers sharing events through `--redis`. CPU is then summed over the workers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import statistics
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from benchmarks._server import (
    BENCH_DATABASE,
    NETWORKS,
    ORGANIZER,
    PASSWORD,
    BenchmarkError,
    Connection,
    Server,
    cpu_seconds,
    create_assembly,
    fresh_postgres_database,
    http_client,
    join_phones,
    kill_during,
    percentile,
    run_benchmark,
    seed_proposals,
    server_process,
    verdict,
)

TARGET_PER_S = 3_000  # SQLite, one process (issue 16)
TARGET_PG_PER_S = 2_000  # PostgreSQL
TARGET_P99_MS = 300.0
OPTIONS = [
    "พอเพียง", "วินัย", "สุจริต", "จิตอาสา", "กตัญญู", "รับผิดชอบ",
    "ความปลอดภัยทางถนน", "ขยะในชุมชน", "ยาเสพติด", "การพนัน", "ความโปร่งใส", "สิ่งแวดล้อม",
]  # fmt: skip
DOTS = 5
SEQ_STRIDE = 100  # client_seq = (phone + 1) * SEQ_STRIDE + version: the phone is readable back


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    stored: int = 0
    replays: int = 0
    stale: int = 0
    errors: list[str] = field(default_factory=list)
    acked: dict[int, tuple[int, str]] = field(default_factory=dict)
    """phone -> (newest acknowledged client_seq, its canonical ballot)"""
    first_ack: float | None = None
    last_ack: float = 0.0


def dot_ballot(rng: random.Random, option_ids: list[str]) -> dict[str, int]:
    ballot: dict[str, int] = {}
    for _ in range(DOTS):
        choice = rng.choice(option_ids)
        if ballot.get(choice, 0) < 3:
            ballot[choice] = ballot.get(choice, 0) + 1
    return ballot


def canonical(ballot: dict[str, int], option_ids: list[str]) -> str:
    """What the server stores: option order, zeros dropped, compact JSON."""
    ordered = {o: ballot[o] for o in option_ids if ballot.get(o)}
    return json.dumps(ordered, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class Plan:
    """What one phone sends, in order: (client_seq, ballot, expected outcome)."""

    phone: int
    token: str
    steps: tuple[tuple[int, dict[str, int], str], ...]


def make_plans(
    tokens: list[str], option_ids: list[str], rng: random.Random, retry: float, change: float
) -> list[Plan]:
    plans = []
    for phone, token in enumerate(tokens):
        base = (phone + 1) * SEQ_STRIDE
        first = dot_ballot(rng, option_ids)
        steps: list[tuple[int, dict[str, int], str]] = [(base + 1, first, "stored")]
        if rng.random() < retry:
            steps.append((base + 1, first, "replay"))
        if rng.random() < change:
            steps.append((base + 2, dot_ballot(rng, option_ids), "stored"))
            if rng.random() < 0.5:
                steps.append((base + 1, first, "stale"))
        plans.append(Plan(phone, token, tuple(steps)))
    return plans


async def run_load(
    server: Server, assembly_id: int, vote_id: int, plans: list[Plan], option_ids: list[str],
    connections: int, stats: Stats,
) -> float:  # fmt: skip
    parts = urlsplit(server.base_url)
    path = f"/api/v1/assemblies/{assembly_id}/votes/{vote_id}/ballot"
    queue: asyncio.Queue[Plan] = asyncio.Queue()
    for plan in plans:
        queue.put_nowait(plan)

    async def worker() -> None:
        connection = Connection(parts.hostname or "127.0.0.1", parts.port or 80)
        try:
            while not queue.empty():
                plan = queue.get_nowait()
                cookie = f"samatcha_device={plan.token}"
                for seq, ballot, expected in plan.steps:
                    body = json.dumps({"ballot": ballot, "client_seq": seq}).encode()
                    started = time.perf_counter()
                    try:
                        status, _, answer = await connection.post(path, body, cookie)
                    except (ConnectionError, OSError, asyncio.IncompleteReadError) as exc:
                        stats.errors.append(f"phone {plan.phone}: {exc!r}")
                        return
                    now = time.perf_counter()
                    if status == 200:
                        stats.latencies.append(now - started)
                        stats.first_ack = stats.first_ack or now
                        stats.last_ack = now
                        receipt = json.loads(answer)
                        if receipt["replay"]:
                            stats.replays += 1
                        else:
                            stats.stored += 1
                        known = stats.acked.get(plan.phone)
                        if known is None or known[0] < seq:
                            stats.acked[plan.phone] = (seq, canonical(ballot, option_ids))
                        outcome = "replay" if receipt["replay"] else "stored"
                    elif status == 409 and b"stale_ballot" in answer:
                        stats.stale += 1
                        outcome = "stale"
                    else:
                        stats.errors.append(f"phone {plan.phone}: HTTP {status} {answer[:200]!r}")
                        continue
                    if outcome != expected:
                        stats.errors.append(
                            f"phone {plan.phone} seq {seq}: {outcome} != {expected}"
                        )
        finally:
            connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    return time.perf_counter() - started


async def set_up_vote(base_url: str, *, proposals: bool = False) -> tuple[int, str, int, list[str]]:
    """An assembly whose vote step and vote (dot voting, 12 options) are open; with
    `proposals`, 40 sample proposals were collected first (snapshots of a realistic size)."""
    info = await create_assembly(base_url)
    if proposals:
        await seed_proposals(base_url, info.join_code, info.id)
    async with http_client(base_url, connections=2, keep_cookies=True) as client:
        await client.post("/api/v1/login", json={"username": ORGANIZER, "password": PASSWORD})
        snapshot = (await client.get(f"/api/v1/assemblies/{info.id}/snapshot")).json()
        step = next(s for s in snapshot["steps"] if s["kind"] == "vote")
        opened = await client.post(f"/api/v1/assemblies/{info.id}/steps/{step['id']}/open", json={})
        if opened.status_code != 200:
            raise BenchmarkError(f"open vote step: {opened.status_code} {opened.text[:200]}")
        created = await client.post(
            f"/api/v1/assemblies/{info.id}/votes",
            json={
                "method": "dot",
                "params": {"dots": DOTS, "max_per_option": 3},
                "options": OPTIONS,
            },
        )
        if created.status_code != 201:
            raise BenchmarkError(f"create vote: {created.status_code} {created.text[:200]}")
        vote = created.json()
        await client.post(f"/api/v1/assemblies/{info.id}/votes/{vote['id']}/open")
        return info.id, info.join_code, int(vote["id"]), [o["id"] for o in vote["options"]]


async def counted_ballots(base_url: str, assembly_id: int, vote_id: int) -> int:
    async with http_client(base_url, connections=2, keep_cookies=True) as client:
        await client.post("/api/v1/login", json={"username": ORGANIZER, "password": PASSWORD})
        response = await client.get(f"/api/v1/assemblies/{assembly_id}/votes/{vote_id}/results")
        return int(response.json()["results"]["ballots"])


def rows_in_file(database: str, vote_id: int) -> list[tuple[int, str]]:
    """The vote's stored ballots: from the SQLite file, or from the PostgreSQL database at
    that URL."""
    if database.startswith("postgresql"):
        return asyncio.run(_rows_in_postgres(database, vote_id))
    with sqlite3.connect(database) as connection:
        return list(
            connection.execute(
                "SELECT client_seq, content FROM ballots WHERE vote_id = ?", (vote_id,)
            )
        )


async def _rows_in_postgres(url: str, vote_id: int) -> list[tuple[int, str]]:
    import asyncpg

    connection = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        rows = await connection.fetch(
            "SELECT client_seq, content FROM ballots WHERE vote_id = $1", vote_id
        )
    finally:
        await connection.close()
    return [(row[0], row[1]) for row in rows]


def check_exactly_once(stats: Stats, rows: list[tuple[int, str]]) -> list[str]:
    """Every acknowledged phone has one row with its newest acknowledged ballot (or a newer
    one it sent but whose answer the crash swallowed); no row for a phone never acknowledged
    unless it was mid-request."""
    problems = []
    by_phone: dict[int, list[tuple[int, str]]] = {}
    for seq, content in rows:
        by_phone.setdefault(seq // SEQ_STRIDE - 1, []).append((seq, content))
    for phone, found in by_phone.items():
        if len(found) > 1:
            problems.append(f"phone {phone}: {len(found)} rows (duplicate)")
    for phone, (seq, content) in stats.acked.items():
        found = by_phone.get(phone)
        if not found:
            problems.append(f"phone {phone}: acknowledged seq {seq} but no row (lost)")
        elif found[0][0] < seq:
            problems.append(f"phone {phone}: row has seq {found[0][0]} < acknowledged {seq}")
        elif found[0][0] == seq and found[0][1] != content:
            problems.append(f"phone {phone}: stored ballot differs from the acknowledged one")
    return problems


async def main_async(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    shared: dict[str, str] = {}
    if args.postgres:
        shared["database_url"] = args.database_url
        if args.workers > 1:
            shared["redis_url"] = args.redis
    with server_process(file_limit=4096, workers=args.workers, **shared) as process:
        server = process.server
        assert server.log_path is not None
        assert server.pid is not None
        database = shared.get("database_url") or str(server.log_path.parent / "bench.sqlite3")
        print(f"server: {args.workers} worker(s) on {'PostgreSQL' if args.postgres else 'SQLite'}")
        assembly_id, code, vote_id, option_ids = await set_up_vote(server.base_url)
        print(f"joining {args.phones} phones over the six networks ({', '.join(NETWORKS)}) ...")
        joined_at = time.perf_counter()
        tokens = await join_phones(server.base_url, code, args.phones, concurrency=20)
        print(f"  joined in {time.perf_counter() - joined_at:.1f} s")
        plans = make_plans(tokens, option_ids, rng, args.retry, args.change)
        requests = sum(len(p.steps) for p in plans)
        print(
            f"load: {requests} requests from {len(plans)} phones over {args.connections} "
            f"keep-alive connections (retries, changes and late stale replays included)"
        )
        stats = Stats()
        cpu_before = sum(cpu_seconds(pid) for pid in process.serving_pids())
        load = asyncio.ensure_future(
            run_load(server, assembly_id, vote_id, plans, option_ids, args.connections, stats)
        )
        crashed = await kill_during(load, server.pid, args.crash_after, "load")
        elapsed = await load
        cpu_used = (
            None
            if crashed
            else sum(cpu_seconds(pid) for pid in process.serving_pids()) - cpu_before
        )
        acked = stats.stored + stats.replays
        window = (stats.last_ack - stats.first_ack) if stats.first_ack else elapsed
        rate = stats.stored / window if window > 0 else 0.0
        target = TARGET_PG_PER_S if args.postgres else TARGET_PER_S
        lat = [x * 1000 for x in stats.latencies]
        print(f"\nballots stored and acknowledged: {stats.stored} in {window:.2f} s")
        all_rate = acked / window if window else 0.0
        print(
            f"  -> {rate:,.0f} ballots/s (target >= {target:,}; all 200 answers "
            f"incl. {stats.replays} replays: {all_rate:,.0f}/s)"
        )
        print(f"  retries acknowledged again (counted once): {stats.replays}")
        print(f"  late older ballots refused (409 stale): {stats.stale}")
        if lat:
            print(
                f"acknowledgement latency ms: p50 {statistics.median(lat):.1f}  "
                f"p95 {percentile(lat, 0.95):.1f}  p99 {percentile(lat, 0.99):.1f}  "
                f"max {max(lat):.1f} (target p99 <= {TARGET_P99_MS:.0f})"
            )
        if cpu_used is not None:
            print(f"server CPU during the load: {cpu_used:.1f} s")
        rows = await asyncio.to_thread(rows_in_file, database, vote_id)
        problems = check_exactly_once(stats, rows)
        unexpected = [e for e in stats.errors if not crashed]
        print(
            f"\nafterwards, in the database file: {len(rows)} ballot rows for "
            f"{len(stats.acked)} acknowledged phones"
        )
        if not crashed:
            counted = await counted_ballots(server.base_url, assembly_id, vote_id)
            print(f"  counted by the results: {counted} (phones: {len(plans)})")
            if counted != len(plans):
                problems.append(f"results count {counted} ballots for {len(plans)} phones")
        return verdict(
            problems,
            unexpected,
            cut_off=len(stats.errors) if crashed else None,
            fast_enough=rate >= target and percentile(lat, 0.99) <= TARGET_P99_MS,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--phones", type=int, default=3_000)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--retry", type=float, default=0.1, help="share of phones that resend")
    parser.add_argument("--change", type=float, default=0.1, help="share that change their vote")
    parser.add_argument("--crash-after", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=2569)
    parser.add_argument(
        "--postgres",
        nargs="?",
        const="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres",
        default="",
        help="run on this PostgreSQL server (in --postgres-db, recreated)",
    )
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers (with Redis)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0", help="Redis for --workers")
    parser.add_argument(
        "--postgres-db", default=BENCH_DATABASE, help="the benchmark database (dropped and created)"
    )
    args = parser.parse_args()
    if args.workers > 1 and not args.postgres:
        parser.error("--workers needs --postgres (SQLite has one writer process)")
    if args.postgres:  # before the event loop runs: it runs one of its own
        args.database_url = fresh_postgres_database(args.postgres, args.postgres_db)
    run_benchmark(main_async, args)


if __name__ == "__main__":
    main()
