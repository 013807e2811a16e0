"""A join wave: the whole hall scans the QR code at once. Joins per second, join latency, and
every answered join's seat in the database file exactly once.

Run from the repository root:
    .venv/bin/python -m benchmarks.joins                        # 1,000 phones over 32 clients
    .venv/bin/python -m benchmarks.joins --phones 3000 --connections 64
    .venv/bin/python -m benchmarks.joins --crash-after 1.0      # SIGKILL the server mid-wave

It starts `samatcha serve` on a free 127.0.0.1 port with a fresh SQLite database
(synchronous=FULL, the default), creates an assembly and opens its collect step. Then
`--phones` new phones join it with the join code over `--connections` concurrent HTTP/1.1
keep-alive connections (a small raw-asyncio client, so the load generator leaves the CPU to the
server), each choosing one of the six networks. `--rejoin` of them join a second time with the
device cookie they were given, as a phone that reloads the join page does: they must get the
same seat back.

Reported: joins answered per second (target >= 200), join latency p50 / p95 / p99 (target
p95 <= 300 ms), and the check afterwards, read from the database file itself: one participant
row per answered phone, with the id it was answered, and no device seated twice. With
`--crash-after S` the server is killed with SIGKILL S seconds into the wave; every join
answered before the crash must then be in the file.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import statistics

from benchmarks._server import (
    DEVICE_COOKIE,
    NETWORKS,
    Server,
    Wave,
    cpu_seconds,
    create_assembly,
    kill_during,
    local_server,
    percentile,
    run_benchmark,
    send_wave,
    verdict,
)

TARGET_PER_S = 200
TARGET_P95_MS = 300.0
JOIN_PATH = "/api/v1/join"


async def run_wave(
    server: Server, code: str, phones: int, rejoin: set[int], connections: int, stats: Wave
) -> float:
    """Every phone joins; those in `rejoin` join again with the device cookie they were given,
    and must get the same seat."""
    cookies: dict[int, str] = {}

    def join(phone: int) -> tuple[str, bytes, str]:
        body = json.dumps({"code": code, "network": NETWORKS[phone % len(NETWORKS)]}).encode()
        return JOIN_PATH, body, cookies.get(phone, "")

    def seat(phone: int, set_cookies: dict[str, str], answer: bytes) -> int:
        if phone not in cookies:
            cookies[phone] = f"{DEVICE_COOKIE}={set_cookies.get(DEVICE_COOKIE, '')}"
        return int(json.loads(answer)["participant_id"])

    return await send_wave(server, phones, join, seat, rejoin, connections, stats)


def seats_in_file(database: str, assembly_id: int) -> list[tuple[int, str]]:
    with sqlite3.connect(database) as connection:
        return list(
            connection.execute(
                "SELECT id, device_hash FROM participants WHERE assembly_id = ?", (assembly_id,)
            )
        )


def check_seats(stats: Wave, rows: list[tuple[int, str]], *, crashed: bool) -> list[str]:
    """Every answered phone's seat is in the file, no two phones were answered with the same
    seat, no device holds two seats, and (without a crash) no seat belongs to nobody."""
    problems = []
    stored = {seat for seat, _ in rows}
    devices = [device for _, device in rows]
    if len(set(devices)) != len(devices):
        problems.append(f"{len(devices) - len(set(devices))} devices seated twice (duplicate)")
    answered = list(stats.answered.values())
    if len(set(answered)) != len(answered):
        problems.append("two phones were answered with the same seat (duplicate)")
    for phone, seat in stats.answered.items():
        if seat not in stored:
            problems.append(f"phone {phone}: answered seat {seat} but no row (lost)")
    if not crashed and len(rows) != len(stats.answered):
        problems.append(f"{len(rows)} seats in the file for {len(stats.answered)} answered phones")
    return problems


async def main_async(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    rejoin = {phone for phone in range(args.phones) if rng.random() < args.rejoin}
    with local_server(file_limit=4096) as server:
        assert server.log_path is not None
        assert server.pid is not None
        database = str(server.log_path.parent / "bench.sqlite3")
        info = await create_assembly(server.base_url)
        print(
            f"join wave: {args.phones} new phones over {args.connections} keep-alive connections "
            f"({len(rejoin)} of them join again with their cookie)"
        )
        stats = Wave("joins")
        cpu_before = cpu_seconds(server.pid)
        wave = asyncio.ensure_future(
            run_wave(server, info.join_code, args.phones, rejoin, args.connections, stats)
        )
        crashed = await kill_during(wave, server.pid, args.crash_after, "the wave")
        elapsed = await wave
        cpu_used = None if crashed else cpu_seconds(server.pid) - cpu_before
        window = (stats.last_answer - stats.first_sent) if stats.first_sent else elapsed
        rate = len(stats.answered) / window if window > 0 else 0.0
        lat = [x * 1000 for x in stats.latencies]
        print(f"\njoins answered: {len(stats.answered)} new seats in {window:.2f} s")
        print(f"  -> {rate:,.0f} joins/s (target >= {TARGET_PER_S})")
        print(f"  joined again with their cookie (same seat): {stats.resent}")
        if lat:
            print(
                f"join latency ms: p50 {statistics.median(lat):.1f}  "
                f"p95 {percentile(lat, 0.95):.1f}  p99 {percentile(lat, 0.99):.1f}  "
                f"max {max(lat):.1f} (target p95 <= {TARGET_P95_MS:.0f})"
            )
        if cpu_used is not None:
            print(f"server CPU during the wave: {cpu_used:.1f} s")
        rows = seats_in_file(database, info.id)
        problems = check_seats(stats, rows, crashed=crashed)
        unexpected = [] if crashed else stats.errors
        print(f"\nafterwards, in the database file: {len(rows)} seats")
        return verdict(
            problems,
            unexpected,
            cut_off=len(stats.errors) if crashed else None,
            fast_enough=rate >= TARGET_PER_S and percentile(lat, 0.95) <= TARGET_P95_MS,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--phones", type=int, default=1_000)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rejoin", type=float, default=0.05, help="share that join again")
    parser.add_argument("--crash-after", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=2569)
    args = parser.parse_args()
    run_benchmark(main_async, args)


if __name__ == "__main__":
    main()
