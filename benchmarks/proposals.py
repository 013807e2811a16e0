"""A proposal wave and a +1 wave: the whole hall sends its proposal at once, then supports
another's. Answers per second, latency, and every answered write in the database file once.

Run from the repository root:
    .venv/bin/python -m benchmarks.proposals                    # 1,000 phones over 32 clients
    .venv/bin/python -m benchmarks.proposals --phones 2000 --connections 64
    .venv/bin/python -m benchmarks.proposals --crash-after 1.0  # SIGKILL mid proposal wave

It starts `samatcha serve` on a free 127.0.0.1 port with a fresh SQLite database
(synchronous=FULL, the default), creates an assembly, opens its collect step and joins
`--phones` phones. Then every phone sends one proposal (with its client key, as the phone's
outbox does) over `--connections` concurrent HTTP/1.1 keep-alive connections (the raw-asyncio
client of benchmarks/_server.py); `--resend` of them send it again with the same key, as after
a lost answer, and must get the same proposal back (200, not a second one). Then every phone
+1s the next phone's proposal, the same share twice (counted once).

Reported per wave: answers per second (target >= 200), latency p50 / p95 / p99 (target p95 <=
300 ms), and the check afterwards, read from the database file itself: one proposal per
answered phone with the id it was answered, one support row per answered +1, and every
proposal's support count equal to its support rows. With `--crash-after S` the server is
killed with SIGKILL S seconds into the proposal wave; every proposal answered before the crash
must then be in the file, once.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import time

from benchmarks._server import (
    DEVICE_COOKIE,
    Wave,
    cpu_seconds,
    create_assembly,
    join_phones,
    kill_during,
    local_server,
    percentile,
    run_benchmark,
    send_wave,
    verdict,
)

TARGET_PER_S = 200
TARGET_P95_MS = 300.0
TEXTS = [
    "ส่งเสริมวินัยการขับขี่ในชุมชน ลดอุบัติเหตุหน้าโรงเรียน",
    "ธนาคารขยะในทุกหมู่บ้าน แยกขยะตั้งแต่ครัวเรือน",
    "เปิดเผยงบประมาณท้องถิ่นให้ประชาชนตรวจสอบได้",
    "จิตอาสาดูแลผู้สูงอายุที่อยู่ลำพัง",
]


def report(wave: Wave, elapsed: float, cpu_used: float | None) -> tuple[float, float]:
    """Print a wave's figures; returns (answers/s, p95 ms)."""
    window = (wave.last_answer - wave.first_sent) if wave.first_sent else elapsed
    rate = len(wave.answered) / window if window > 0 else 0.0
    lat = [x * 1000 for x in wave.latencies]
    print(f"\n{wave.name} answered: {len(wave.answered)} in {window:.2f} s")
    print(f"  -> {rate:,.0f} {wave.name}/s (target >= {TARGET_PER_S})")
    print(f"  sent again with the same key (answered with the same row): {wave.resent}")
    p95 = percentile(lat, 0.95) if lat else 0.0
    if lat:
        print(
            f"latency ms: p50 {statistics.median(lat):.1f}  p95 {p95:.1f}  "
            f"p99 {percentile(lat, 0.99):.1f}  max {max(lat):.1f} (target p95 <= "
            f"{TARGET_P95_MS:.0f})"
        )
    if cpu_used is not None:
        print(f"server CPU during the wave: {cpu_used:.1f} s")
    return rate, p95


def check_file(
    database: str, assembly_id: int, proposals: Wave, supports: Wave | None, *, crashed: bool
) -> list[str]:
    """Every answered proposal and +1 is in the file once; counts agree with the rows."""
    problems = []
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT id, client_key, support_count FROM proposals WHERE assembly_id = ?",
            (assembly_id,),
        ).fetchall()
        support_rows = connection.execute(
            "SELECT proposal_id, count(*) FROM supports GROUP BY proposal_id"
        ).fetchall()
    by_key: dict[str, list[int]] = {}
    for row_id, key, _ in rows:
        by_key.setdefault(key, []).append(row_id)
    doubled = sum(len(ids) - 1 for ids in by_key.values())
    if doubled:
        problems.append(f"{doubled} proposals stored twice under one client key (duplicate)")
    for phone, row_id in proposals.answered.items():
        if by_key.get(client_key(phone)) != [row_id]:
            problems.append(f"phone {phone}: answered proposal {row_id} not in the file (lost)")
    if not crashed and len(rows) != len(proposals.answered):
        problems.append(f"{len(rows)} proposals in the file for {len(proposals.answered)} phones")
    counted = dict(support_rows)
    for row_id, _, support_count in rows:
        if support_count != counted.get(row_id, 0):
            problems.append(f"proposal {row_id}: count {support_count}, rows {counted.get(row_id)}")
    if supports is not None:
        supported = sum(counted.values())
        print(f"  support rows: {supported} for {len(supports.answered)} answered +1s")
        if supported != len(supports.answered):
            problems.append(f"{supported} support rows for {len(supports.answered)} answered")
    print(f"\nafterwards, in the database file: {len(rows)} proposals")
    return problems


async def settle(pid: int, limit_s: float = 120.0) -> float:
    """Wait until the server is idle (under 5% of a core for half a second): each proposal is
    embedded and placed in the background after its answer, and the +1 wave's figures are the
    +1s' own. Returns the time waited."""
    started = time.perf_counter()
    before = cpu_seconds(pid)
    while time.perf_counter() - started < limit_s:
        await asyncio.sleep(0.5)
        now = cpu_seconds(pid)
        if now - before < 0.025:
            break
        before = now
    return time.perf_counter() - started


def client_key(phone: int) -> str:
    return f"bench-proposal-{phone:06d}"


async def main_async(args: argparse.Namespace) -> int:
    resend = {phone for phone in range(args.phones) if phone % round(1 / args.resend) == 0}
    with local_server(file_limit=4096) as server:
        assert server.log_path is not None
        assert server.pid is not None
        database = str(server.log_path.parent / "bench.sqlite3")
        info = await create_assembly(server.base_url)
        print(f"joining {args.phones} phones ...")
        tokens = await join_phones(server.base_url, info.join_code, args.phones)
        base = f"/api/v1/assemblies/{info.id}/proposals"
        print(
            f"proposal wave: {args.phones} phones over {args.connections} keep-alive connections "
            f"({len(resend)} of them send again with the same key)"
        )

        def propose(phone: int) -> tuple[str, bytes, str]:
            text = f"{TEXTS[phone % len(TEXTS)]} (โทรศัพท์ {phone})"
            body = json.dumps({"text": text, "client_key": client_key(phone)}).encode()
            return base, body, f"{DEVICE_COOKIE}={tokens[phone]}"

        def row_id(_: int, __: dict[str, str], answer: bytes) -> int:
            return int(json.loads(answer)["id"])

        proposals = Wave("proposals")
        cpu_before = cpu_seconds(server.pid)
        running = asyncio.ensure_future(
            send_wave(server, args.phones, propose, row_id, resend, args.connections, proposals)
        )
        crashed = await kill_during(running, server.pid, args.crash_after, "the wave")
        elapsed = await running
        cpu_used = None if crashed else cpu_seconds(server.pid) - cpu_before
        rate, p95 = report(proposals, elapsed, cpu_used)
        fast = rate >= TARGET_PER_S and p95 <= TARGET_P95_MS
        supports = None
        if not crashed and not args.no_supports:
            settled = await settle(server.pid)
            print(f"\n(waited {settled:.1f} s for the background work on the proposals to end)")
            ids = [proposals.answered[phone] for phone in range(args.phones)]

            def support(phone: int) -> tuple[str, bytes, str]:
                path = f"{base}/{ids[(phone + 1) % len(ids)]}/support"
                return path, b"{}", f"{DEVICE_COOKIE}={tokens[phone]}"

            supports = Wave("supports")
            cpu_before = cpu_seconds(server.pid)
            elapsed = await send_wave(
                server, args.phones, support, row_id, resend, args.connections, supports
            )
            rate, p95 = report(supports, elapsed, cpu_seconds(server.pid) - cpu_before)
            fast = fast and rate >= TARGET_PER_S and p95 <= TARGET_P95_MS
        problems = check_file(database, info.id, proposals, supports, crashed=crashed)
        errors = proposals.errors + (supports.errors if supports else [])
        return verdict(
            problems,
            [] if crashed else errors,
            cut_off=len(errors) if crashed else None,
            fast_enough=fast,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--phones", type=int, default=1_000)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--resend", type=float, default=0.05, help="share that send twice")
    parser.add_argument("--no-supports", action="store_true", help="the proposal wave only")
    parser.add_argument("--crash-after", type=float, default=0.0)
    args = parser.parse_args()
    run_benchmark(main_async, args)


if __name__ == "__main__":
    main()
