"""Heavy conversions (LibreOffice making the agenda's PDF) one at a time per process, the
rest queued.

Each conversion starts a whole LibreOffice (hundreds of MB, seconds of CPU). Started per request
without a limit, a few organizers pressing "PDF" at once, or one script, could take the laptop
that runs the hall. So a process converts one document at a time; up to PDF_QUEUE_WAITING more
requests wait their turn (the organizer's page says "กำลังสร้าง PDF"), and beyond that the request
is refused at once with a message to try again shortly. The runtime holds the queue
(`Runtime.pdf_queue`); what is converted, and how, is the agenda's (`deliberation/agenda/pdf.py`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

PDF_QUEUE_WAITING = 4
"""Requests that may wait behind the running conversion: a few organizers and facilitators
exporting at the end of the day. At ~10-30 s a conversion, the last one waits about two minutes."""

T = TypeVar("T")


class QueueFull(Exception):
    """More conversions are waiting than PDF_QUEUE_WAITING."""


class ConversionQueue:
    """One conversion at a time in this process (in a worker thread, off the event loop)."""

    def __init__(self, waiting: int = PDF_QUEUE_WAITING) -> None:
        self.waiting = waiting
        self._turn = asyncio.Lock()
        self._queued = 0  # running + waiting

    @property
    def queued(self) -> int:
        return self._queued

    async def run(self, convert: Callable[..., T], *args: object) -> T:
        """Run `convert(*args)` when its turn comes; QueueFull at once if too many wait."""
        if self._queued > self.waiting:
            raise QueueFull
        self._queued += 1
        try:
            async with self._turn:
                return await asyncio.to_thread(convert, *args)
        finally:
            self._queued -= 1
