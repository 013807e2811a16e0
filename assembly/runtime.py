"""What every use case needs: the database, where events go, the settings."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from assembly.conversions import ConversionQueue
from assembly.db import Database
from assembly.events import Event, EventSink, LiveUpdate, Outbox
from assembly.limits import Limits, Throttles
from assembly.security import device_key
from assembly.settings import Settings


class DiscardEvents:
    """For the CLI and imports run with no server listening."""

    def publish(self, events: Sequence[Event]) -> None:
        return None

    def publish_live(self, update: LiveUpdate) -> None:
        return None


class VersionedMemo:
    """One value per key, valid for one version (an assembly's seq).

    The first caller at a version computes the value; callers arriving meanwhile wait for it
    instead of computing it again, which is what a thousand phones reconnecting at once do.
    """

    def __init__(self) -> None:
        self._entries: dict[Hashable, tuple[int, asyncio.Future[Any]]] = {}

    async def get(self, key: Hashable, version: int, compute: Callable[[], Awaitable[Any]]) -> Any:
        entry = self._entries.get(key)
        if entry is not None and entry[0] == version:
            try:
                return await asyncio.shield(entry[1])
            except (Exception, asyncio.CancelledError):
                this = asyncio.current_task()
                if this is not None and this.cancelling():
                    raise  # this caller was cancelled itself
                # The first caller failed or was cancelled: build it for this caller instead.
                return await compute()
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if entry is None or entry[0] < version:  # a slow reader must not evict a newer value
            self._entries[key] = (version, future)
        try:
            value = await compute()
        except BaseException as exc:
            if self._entries.get(key) == (version, future):
                del self._entries[key]
            if isinstance(exc, asyncio.CancelledError):
                future.cancel()
            else:
                future.set_exception(exc)
                future.exception()  # retrieved: no "never retrieved" noise
            raise
        future.set_result(value)
        return value


@dataclass
class Runtime:
    db: Database
    sink: EventSink
    settings: Settings
    limits: Limits = field(default_factory=Limits)
    throttles: Throttles = field(default_factory=Throttles)
    """Guessing limits; `create_app` gives it the Redis URL so workers share one count."""
    shared_snapshots: VersionedMemo = field(default_factory=VersionedMemo)
    """The part of a snapshot every phone shares, per assembly and seq (assembly.web.snapshots)."""
    pdf_queue: ConversionQueue = field(default_factory=ConversionQueue)
    """LibreOffice conversions, one at a time (assembly.conversions, deliberation.agenda.pdf)."""
    _device_key: bytes | None = None

    def device_key(self) -> bytes:
        """Signs the device tokens this server issues (assembly.security); read once."""
        if self._device_key is None:
            self._device_key = device_key(self.settings.resolved_secret_key())
        return self._device_key

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[tuple[AsyncSession, Outbox]]:
        """Run a change; its events are published only after the commit succeeded."""
        async with self.db.locked():
            async with self.db.write() as session:
                outbox = Outbox(session)
                yield session, outbox
            if outbox.events:
                self.sink.publish(outbox.events)

    def read(self) -> AbstractAsyncContextManager[AsyncSession]:
        return self.db.read()
