"""What every use case needs: the database, where events go, the settings."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from assembly.db import Database
from assembly.events import Event, EventSink, LiveUpdate, Outbox
from assembly.limits import Limits
from assembly.settings import Settings


class DiscardEvents:
    """For the CLI and imports run with no server listening."""

    def publish(self, events: Sequence[Event]) -> None:
        return None

    def publish_live(self, update: LiveUpdate) -> None:
        return None


@dataclass
class Runtime:
    db: Database
    sink: EventSink
    settings: Settings
    limits: Limits = field(default_factory=Limits)

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
