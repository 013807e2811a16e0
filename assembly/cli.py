"""The `samatcha` command: serve, demo, user create."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from assembly.lan import ALL_INTERFACES, is_loopback_host, lan_address
from assembly.settings import Settings
from deliberation.agenda.cli import add_commands as add_agenda_commands
from deliberation.cli import add_commands as add_deliberation_commands

if TYPE_CHECKING:
    from assembly.demo import DemoAssembly

WS_PING_INTERVAL = 20.0  # browsers have no keepalive of their own; a stalled phone is dropped
WS_PING_TIMEOUT = 20.0  # after about 40 s and resyncs from a snapshot when it comes back
# Per-message deflate keeps a zlib context per socket: measured 128 KiB per phone with it and
# 85 KiB without (benchmarks/ws_fanout.py, 1,000 phones). Events are a few hundred bytes, so
# memory wins; pages and snapshots-over-HTTP are still gzip-compressed.
WS_PER_MESSAGE_DEFLATE = False
LISTEN_BACKLOG = 4096  # a hall's phones reconnecting at once after a restart
WORKER_HEALTHCHECK_S = 30
"""uvicorn kills a worker that does not answer its supervisor's ping within this (default 5 s).
A worker busy with a hall of 5,000 sockets on a loaded 2-core machine missed 5 s and was
killed mid-benchmark, sending its whole hall into a reconnect storm; a hung one is still
replaced."""


def _serve(
    settings: Settings, host: str, port: int, workers: int = 1, *, access_log: bool = False
) -> None:
    import uvicorn

    from assembly.schema import upgrade_database
    from assembly.web.fanout import FrameProtocol
    from assembly.web.live import MAX_MESSAGE_BYTES
    from assembly.web.slow_clients import KEEP_ALIVE_S, HeaderDeadlineProtocol

    upgrade_database(settings.resolved_database_url)
    os.environ["SAMATCHA_DATABASE_URL"] = settings.resolved_database_url
    uvicorn.run(
        "assembly.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        ws_ping_interval=WS_PING_INTERVAL,
        ws_ping_timeout=WS_PING_TIMEOUT,
        ws_max_size=MAX_MESSAGE_BYTES,
        ws_per_message_deflate=WS_PER_MESSAGE_DEFLATE,
        backlog=LISTEN_BACKLOG,
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
        http=HeaderDeadlineProtocol,  # headers within SAMATCHA_HEADER_TIMEOUT_S (slow clients)
        ws=FrameProtocol,  # the hub writes each event's frame, made once, to every socket
        timeout_keep_alive=KEEP_ALIVE_S,
        log_level="info",
        # A line per request is ~5% of the CPU in a vote (2,000 ballots/s, profiled); errors and
        # warnings are logged either way. `samatcha serve --access-log` turns it on.
        access_log=access_log,
    )


def cmd_serve(args: argparse.Namespace) -> None:
    settings = Settings.from_env()
    if args.workers > 1 and not settings.redis_url:
        sys.exit(
            "error: several workers must share real-time events: set SAMATCHA_REDIS_URL "
            "(see docs/deploy.md)"
        )
    _serve(settings, args.host, args.port, args.workers, access_log=args.access_log)


@dataclass(frozen=True)
class DemoAddress:
    """Where phones open the demo, and whether they can at all."""

    base: str
    """The base URL printed for participants and put into the presenter's QR code."""
    phones_can_reach: bool
    no_network: bool = False
    """Listening on every interface, but this machine has no LAN address (offline)."""


def demo_address(host: str, port: int, public_url: str, lan: str | None) -> DemoAddress:
    """SAMATCHA_PUBLIC_URL wins; 127.0.0.1 reaches only this computer; 0.0.0.0 is reached at
    the LAN address; any other --host is an address of this machine, reached as given."""
    if public_url:
        return DemoAddress(public_url, phones_can_reach=True)
    local = f"http://127.0.0.1:{port}"
    if is_loopback_host(host):
        return DemoAddress(local, phones_can_reach=False)
    if host in ALL_INTERFACES:
        if lan is None:
            return DemoAddress(local, phones_can_reach=False, no_network=True)
        return DemoAddress(f"http://{lan}:{port}", phones_can_reach=True)
    return DemoAddress(f"http://{host}:{port}", phones_can_reach=True)


def demo_banner(demo: DemoAssembly, address: DemoAddress, port: int, database: Path) -> str:
    """What `samatcha demo` prints on start, in Thai and English."""
    local = f"http://127.0.0.1:{port}"
    lines = [
        "",
        "สมัชชาคุณธรรมจังหวัดตัวอย่าง — Samatcha demo",
        f"  ผู้เข้าร่วม / participants:   {address.base}/j/{demo.join_code}"
        f"   (รหัส / code {demo.join_code})",
    ]
    if address.no_network:
        lines += [
            "  !! ไม่พบที่อยู่ในเครือข่าย (ต่อ Wi-Fi หรือตั้ง SAMATCHA_PUBLIC_URL)",
            "     no network address found: join the Wi-Fi, or set SAMATCHA_PUBLIC_URL",
        ]
    elif not address.phones_can_reach:
        lines += [
            "  !! ตอนนี้เปิดได้เฉพาะบนเครื่องนี้ โทรศัพท์ยังเข้าไม่ได้",
            "     only this computer can open it now; phones cannot.",
            "     ให้โทรศัพท์ใน Wi-Fi เดียวกันเข้าได้ / to let phones on the same Wi-Fi in:",
            "         ./demo.sh --host 0.0.0.0",
        ]
    lines += [
        f"  บนเครื่องนี้ / on this computer: {local}/j/{demo.join_code}",
        f"  วิทยากร / facilitator:       {local}/login",
        f'                               user "{demo.facilitator}"'
        f'  password "{demo.facilitator_password}"',
        f'  ผู้จัด / organizer:           user "{demo.organizer}"'
        f'  password "{demo.organizer_password}"',
        f"  จอนำเสนอ / presenter:         {local}/present/{demo.assembly_id}"
        "   (เปิดหลังเข้าสู่ระบบ / open it after logging in)",
        "",
        "  ข้อมูลสาธิตทั้งหมด รวมถึงสมัชชาที่สร้างเพิ่ม จะถูกลบเมื่อเริ่ม demo ครั้งถัดไป",
        "  รหัสผ่านก็เปลี่ยนทุกครั้ง สำหรับงานจริงให้ใช้ samatcha serve (ดู README)",
        "  Everything here, assemblies you create included, is deleted when the demo starts",
        "  again, and the passwords change. For a real assembly use `samatcha serve` (README).",
        f"  ฐานข้อมูล / database: {database}   (samatcha export --demo …)",
        "",
    ]
    return "\n".join(lines)


def cmd_demo(args: argparse.Namespace) -> None:
    from assembly.db import Database
    from assembly.demo import create_demo
    from assembly.runtime import DiscardEvents, Runtime
    from assembly.schema import upgrade_database

    settings = Settings.from_env()
    database_file = settings.demo_database_file
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database_file}{suffix}").unlink(missing_ok=True)
    settings = replace(settings, database_url=settings.database_url_for(demo=True), demo=True)
    upgrade_database(settings.resolved_database_url)

    async def build() -> DemoAssembly:
        db = Database(settings.resolved_database_url)
        try:
            return await create_demo(Runtime(db=db, sink=DiscardEvents(), settings=settings))
        finally:
            await db.dispose()

    demo = asyncio.run(build())
    address = demo_address(args.host, args.port, settings.public_url, lan_address())
    # The server process reads its settings from the environment: the presenter's QR code
    # carries the address phones can open, and the organizer's pages show the demo banner.
    os.environ["SAMATCHA_DEMO"] = "1"
    if address.phones_can_reach:
        os.environ["SAMATCHA_PUBLIC_URL"] = address.base
    print(demo_banner(demo, address, args.port, database_file), flush=True)
    _serve(settings, args.host, args.port)


def cmd_user_create(args: argparse.Namespace) -> None:
    from assembly.db import Database
    from assembly.errors import DomainError
    from assembly.runtime import DiscardEvents, Runtime
    from assembly.schema import upgrade_database
    from assembly.services import create_user

    settings = Settings.from_env()
    upgrade_database(settings.resolved_database_url)
    password = os.environ.get("SAMATCHA_PASSWORD") or getpass.getpass("Password: ")

    async def create() -> None:
        db = Database(settings.resolved_database_url)
        try:
            rt = Runtime(db=db, sink=DiscardEvents(), settings=settings)
            await create_user(
                rt,
                username=args.username,
                display_name=args.display_name or args.username,
                role=args.role,
                password=password,
            )
        finally:
            await db.dispose()

    try:
        asyncio.run(create())
    except DomainError as exc:
        sys.exit(f"error: {exc.code}: {exc.message}")
    print(f"created {args.role} {args.username}")


def cmd_backup(args: argparse.Namespace) -> None:
    from assembly.backup import BackupRefused, NoData, backup_sqlite, require_data

    settings = Settings.from_env()
    url = settings.database_url_for(demo=args.demo)
    try:
        used = require_data(url, demo_file=settings.demo_database_file)
        print(f"database: {used}", file=sys.stderr)
        written = backup_sqlite(url, Path(args.output) if args.output else None)
    except (BackupRefused, NoData) as exc:
        sys.exit(f"samatcha backup: error: {exc}")
    print(f"backup written to {written}")


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="samatcha", description="Live Thai morality assemblies.")
    commands = root.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the server (upgrades the schema first)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument(
        "--access-log", action="store_true", help="log every request (off: ~5%% of the CPU)"
    )
    serve.set_defaults(func=cmd_serve)

    demo = commands.add_parser(
        "demo",
        help="a fresh demo assembly in Thai, then serve it (its data is deleted on every start)",
    )
    demo.add_argument(
        "--host",
        default="127.0.0.1",
        help="127.0.0.1 (default): this computer only; 0.0.0.0: phones on the same Wi-Fi too",
    )
    demo.add_argument("--port", type=int, default=8000)
    demo.set_defaults(func=cmd_demo)

    add_deliberation_commands(commands)
    add_agenda_commands(commands)

    backup = commands.add_parser(
        "backup", help="a consistent copy of the SQLite database, safe while the server runs"
    )
    backup.add_argument("--output", help="file to write (default: data/backups/<time>.sqlite3)")
    backup.add_argument(
        "--demo", action="store_true", help="the demo's database (data/demo.sqlite3) instead"
    )
    backup.set_defaults(func=cmd_backup)

    user = commands.add_parser("user", help="manage organizer and facilitator accounts")
    user_commands = user.add_subparsers(dest="user_command", required=True)
    create = user_commands.add_parser("create", help="create an account (password asked)")
    create.add_argument("--role", choices=["organizer", "facilitator"], required=True)
    create.add_argument("--username", required=True)
    create.add_argument("--display-name", default="")
    create.set_defaults(func=cmd_user_create)
    return root


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
