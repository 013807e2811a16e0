"""The `samatcha` command: serve, demo, user create."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import socket
import sys
from dataclasses import replace
from pathlib import Path

from assembly.agenda.cli import add_commands as add_agenda_commands
from assembly.settings import Settings
from deliberation.cli import add_commands as add_deliberation_commands

WS_PING_INTERVAL = 20.0  # browsers have no keepalive of their own; a stalled phone is dropped
WS_PING_TIMEOUT = 20.0  # after about 40 s and resyncs from a snapshot when it comes back
# Per-message deflate keeps a zlib context per socket: measured 128 KiB per phone with it and
# 85 KiB without (benchmarks/ws_fanout.py, 1,000 phones). Events are a few hundred bytes, so
# memory wins; pages and snapshots-over-HTTP are still gzip-compressed.
WS_PER_MESSAGE_DEFLATE = False
LISTEN_BACKLOG = 4096  # a hall's phones reconnecting at once after a restart


def _serve(settings: Settings, host: str, port: int, workers: int = 1) -> None:
    import uvicorn

    from assembly.schema import upgrade_database
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
        http=HeaderDeadlineProtocol,  # headers within SAMATCHA_HEADER_TIMEOUT_S (slow clients)
        timeout_keep_alive=KEEP_ALIVE_S,
        log_level="info",
    )


def _lan_address() -> str:
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return "127.0.0.1"


def cmd_serve(args: argparse.Namespace) -> None:
    settings = Settings.from_env()
    if args.workers > 1 and not settings.redis_url:
        sys.exit(
            "error: several workers must share real-time events: set SAMATCHA_REDIS_URL "
            "(see docs/deploy.md)"
        )
    _serve(settings, args.host, args.port, args.workers)


def cmd_demo(args: argparse.Namespace) -> None:
    from assembly.db import Database
    from assembly.demo import DemoAssembly, create_demo
    from assembly.runtime import DiscardEvents, Runtime
    from assembly.schema import upgrade_database

    settings = Settings.from_env()
    database_file = Path(settings.data_dir) / "demo.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database_file}{suffix}").unlink(missing_ok=True)
    settings = replace(settings, database_url=f"sqlite+aiosqlite:///{database_file}")
    upgrade_database(settings.resolved_database_url)

    async def build() -> DemoAssembly:
        db = Database(settings.resolved_database_url)
        try:
            return await create_demo(Runtime(db=db, sink=DiscardEvents(), settings=settings))
        finally:
            await db.dispose()

    demo = asyncio.run(build())
    base = settings.public_url or f"http://{_lan_address()}:{args.port}"
    print(
        f"""
สมัชชาคุณธรรมจังหวัดตัวอย่าง — Samatcha demo
  ผู้เข้าร่วม / participants:  {base}/j/{demo.join_code}   (รหัส / code {demo.join_code})
  on this computer:            http://127.0.0.1:{args.port}/j/{demo.join_code}
  วิทยากร / facilitator:        http://127.0.0.1:{args.port}/login
                               user "{demo.facilitator}"  password "{demo.password}"
  ผู้จัด / organizer:            user "{demo.organizer}"  password "{demo.password}"
  จอนำเสนอ / presenter:          http://127.0.0.1:{args.port}/present/{demo.assembly_id}
                               (open it after logging in)
""",
        flush=True,
    )
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
    from assembly.backup import BackupRefused, backup_sqlite

    settings = Settings.from_env()
    try:
        written = backup_sqlite(
            settings.resolved_database_url, Path(args.output) if args.output else None
        )
    except BackupRefused as exc:
        sys.exit(f"error: {exc}")
    print(f"backup written to {written}")


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="samatcha", description="Live Thai morality assemblies.")
    commands = root.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the server (upgrades the schema first)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=cmd_serve)

    demo = commands.add_parser("demo", help="a fresh demo assembly in Thai, then serve it")
    demo.add_argument("--host", default="0.0.0.0")  # noqa: S104  (phones in the hall must reach it)
    demo.add_argument("--port", type=int, default=8000)
    demo.set_defaults(func=cmd_demo)

    add_deliberation_commands(commands)
    add_agenda_commands(commands)

    backup = commands.add_parser(
        "backup", help="a consistent copy of the SQLite database, safe while the server runs"
    )
    backup.add_argument("--output", help="file to write (default: data/backups/<time>.sqlite3)")
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
