"""Engines and sessions: one writer, many readers.

SQLite allows one writer at a time. All writes in a process go through a pool of one
connection that starts its transactions with BEGIN IMMEDIATE, so two writers queue in Python
instead of failing with "database is locked"; reads use their own pool and never wait for it.
PostgreSQL gets the same two entry points over one ordinary pool.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase

SQLITE_BUSY_TIMEOUT_MS = 10_000  # another process (a backup, a second worker) may hold the lock


class Base(DeclarativeBase):
    pass


OWNER_ONLY = 0o600
"""Mode of the database (names, organisations) and the secret key: the laptop's other accounts
read neither. SQLite gives its -wal and -shm files the mode of the database file."""


def create_owner_only(path: Path) -> None:
    """Create `path` empty with mode 0600 if it does not exist yet (whatever the umask); an
    existing file others could read (made by an older version) is narrowed to 0600."""
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, OWNER_ONLY))
    with suppress(OSError):  # not ours to change (another account's file): SQLite still reads it
        if path.stat().st_mode & 0o077:
            os.chmod(path, OWNER_ONLY)


def ensure_sqlite_folder(url: str) -> None:
    """SQLite creates the file but not its folder; the default lives in a `data/` folder. The
    file is made here first, readable by its owner only."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database)  # type: ignore[arg-type]
        path.parent.mkdir(parents=True, exist_ok=True)
        create_owner_only(path)


def _sqlite_engine(url: str, *, writer: bool, synchronous: str) -> AsyncEngine:
    engine = create_async_engine(
        url,
        pool_size=1 if writer else 8,
        max_overflow=0 if writer else 8,
        pool_timeout=60,
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        # The timeout first: switching a new file to WAL takes a lock, and without a timeout a
        # second connection opening at that moment fails at once with "database is locked".
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Deleted and overwritten content is zeroed, not left in free space (PDPA purge).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")

    return engine


class Database:
    """The process's engines; `read()` and `write()` hand out short-lived sessions."""

    def __init__(self, url: str, *, sqlite_synchronous: str = "FULL") -> None:
        self.url = url
        self.is_sqlite = make_url(url).get_backend_name() == "sqlite"
        if self.is_sqlite:
            ensure_sqlite_folder(url)
            self.write_engine = _sqlite_engine(url, writer=True, synchronous=sqlite_synchronous)
            self.read_engine = _sqlite_engine(url, writer=False, synchronous=sqlite_synchronous)
        else:
            self.write_engine = create_async_engine(url, pool_size=10, max_overflow=10)
            self.read_engine = self.write_engine
        # Held from BEGIN until the events of the commit are published, so phones receive
        # events in sequence order (in one process; across processes clients reorder).
        self.write_lock = asyncio.Lock() if self.is_sqlite else None
        self._before_dispose: list[Callable[[], Awaitable[None]]] = []
        self._writer = async_sessionmaker(self.write_engine, expire_on_commit=False)
        self._reader = async_sessionmaker(self.read_engine, expire_on_commit=False)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """One transaction: committed when the block ends, rolled back on any exception."""
        async with self._writer() as session, session.begin():
            yield session

    @asynccontextmanager
    async def write_connection(self) -> AsyncIterator[AsyncConnection]:
        """One transaction on a bare connection, no ORM session: for plain SQL on a hot path
        (the ballot writer), where the session's own bookkeeping is a cost per batch."""
        async with self.write_engine.begin() as connection:
            yield connection

    @asynccontextmanager
    async def locked(self) -> AsyncIterator[None]:
        if self.write_lock is None:
            yield
        else:
            async with self.write_lock:
                yield

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self._reader() as session, session.begin():
            yield session

    async def checkpoint(self) -> None:
        """Copy the WAL into the database file and empty it (SQLite only): after a purge, the
        old names must not linger in the -wal file until the next automatic checkpoint. Runs
        on the one writer connection, outside a transaction, so no writer is cut off."""
        if not self.is_sqlite:
            return
        async with self.locked():
            raw = await self.write_engine.raw_connection()
            try:
                driver: Any = raw.driver_connection
                await driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                raw.close()

    def before_dispose(self, callback: Callable[[], Awaitable[None]]) -> None:
        """Run `callback` first when the engines close: background work that still holds or
        will open a session must finish (or stop) before then."""
        if callback not in self._before_dispose:
            self._before_dispose.append(callback)

    async def dispose(self) -> None:
        for callback in self._before_dispose:
            await callback()
        await self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            await self.read_engine.dispose()
