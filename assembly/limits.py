"""Sliding-window counters for abuse limits: plain Python, one instance per process.

Keys are usernames, participants or a constant, never an IP address: a whole hall shares one
address behind its Wi-Fi.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field

SWEEP_FROM_KEYS = 1024


@dataclass
class SlidingWindow:
    limit: int
    seconds: float
    _hits: dict[str, deque[float]] = field(default_factory=dict)
    _sweep_at: int = SWEEP_FROM_KEYS

    def allow(self, key: str, *, now: float | None = None) -> bool:
        """Count a hit for `key`; False when it would be more than `limit` in `seconds`."""
        now = time.monotonic() if now is None else now
        if len(self._hits) >= self._sweep_at:
            self._forget_idle(now)
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.seconds:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        return True

    def _forget_idle(self, now: float) -> None:
        """Keys with no hit left in the window go: a stream of new keys (usernames tried once)
        must not grow the counter for as long as the server runs. Amortised: the next sweep
        waits until the dict has doubled."""
        self._hits = {k: h for k, h in self._hits.items() if h and h[-1] > now - self.seconds}
        self._sweep_at = max(SWEEP_FROM_KEYS, 2 * len(self._hits))

    def blocked(self, key: str, *, now: float | None = None) -> bool:
        """Would the next hit be refused? (Does not count one.)"""
        now = time.monotonic() if now is None else now
        hits = self._hits.get(key)
        return bool(hits) and len([t for t in hits if t > now - self.seconds]) >= self.limit  # type: ignore[arg-type]


@dataclass
class Limits:
    """The process's abuse counters (with several workers, each counts on its own)."""

    login_failures: SlidingWindow = field(default_factory=lambda: SlidingWindow(5, 300))
    """Five wrong passwords for one account in five minutes, then a pause: a guesser slows to a
    crawl while a facilitator who mistyped twice is not locked out."""
    proposals: SlidingWindow = field(default_factory=lambda: SlidingWindow(10, 60))
    """Per participant: ten proposals a minute is more than anyone types by thumb; a script
    flooding the console is stopped (an offline phone's outbox waits and sends the rest)."""
    supports: SlidingWindow = field(default_factory=lambda: SlidingWindow(30, 60))
    """Per participant: thirty +1s a minute, generous for reading a list, tight for a script."""
    wrong_join_codes: SlidingWindow = field(default_factory=lambda: SlidingWindow(60, 60))
    """Wrong join codes across the server: 10^6 codes at 60 a minute take about a year to cover;
    a hall of people mistyping does not come near it."""


RESYNCS_PER_SOCKET = (12, 60)
"""Snapshots one socket may ask for per minute. A phone asks after each step change and after
a gap in events: a few a minute at the busiest. Each costs a database read and a whole state,
so a script asking in a loop gets an error message instead (its socket stays open)."""


def socket_resyncs() -> SlidingWindow:
    """A counter for one socket, dropped with it: no per-socket key outlives its socket."""
    limit, seconds = RESYNCS_PER_SOCKET
    return SlidingWindow(limit, seconds)
