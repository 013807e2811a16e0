"""Abuse limits.

Two kinds. `SlidingWindow`: plain in-process counters for floods whose worst case is noise
(proposals, +1s, one socket's resyncs). `Throttles`: the guessing limits (passwords, join and
seat codes), on the `limits` library, in Redis when `SAMATCHA_REDIS_URL` is set so that every
worker counts against one budget, in memory otherwise. Each guess is counted (reserved) before
anything is awaited, so a burst of concurrent requests cannot all pass one check.

Numbers and what they buy are in docs/security.md.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from limits import RateLimitItem, RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

from assembly.errors import TooManyRequests

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

    proposals: SlidingWindow = field(default_factory=lambda: SlidingWindow(10, 60))
    """Per participant: ten proposals a minute is more than anyone types by thumb; a script
    flooding the console is stopped (an offline phone's outbox waits and sends the rest)."""
    supports: SlidingWindow = field(default_factory=lambda: SlidingWindow(30, 60))
    """Per participant: thirty +1s a minute, generous for reading a list, tight for a script."""
    similar: SlidingWindow = field(default_factory=lambda: SlidingWindow(30, 60))
    """Per participant (or staff login): thirty similar-while-typing look-ups a minute. A phone
    asks after each 400 ms typing pause when the draft changed, a dozen times for a proposal;
    each costs ~0.4 s of CPU (an embedding), so a script asking in a loop is refused."""


RESYNCS_PER_SOCKET = (12, 60)
"""Snapshots one socket may ask for per minute. A phone asks after each step change and after
a gap in events: a few a minute at the busiest. Each costs a database read and a whole state,
so a script asking in a loop gets an error message instead (its socket stays open)."""


RESYNCS_PER_DEVICE = (24, 60)
"""Snapshots all the sockets of one phone (or one staff login) may ask for per minute, in one
worker: twice one socket's, so a second tab works, while many sockets do not multiply it."""


def device_resyncs() -> SlidingWindow:
    """One counter for every owner of sockets in a worker, keyed by owner."""
    limit, seconds = RESYNCS_PER_DEVICE
    return SlidingWindow(limit, seconds)


def socket_resyncs() -> SlidingWindow:
    """A counter for one socket, dropped with it: no per-socket key outlives its socket."""
    limit, seconds = RESYNCS_PER_SOCKET
    return SlidingWindow(limit, seconds)


# ---------------------------------------------------------------- guessing limits (limits)

LOGIN_ATTEMPTS = RateLimitItemPerMinute(5, 5)
"""Per account: five attempts in a moving five minutes (a success starts the count again). A
guesser slows to a crawl; a facilitator who mistyped twice is not locked out."""
WRONG_CODES_PER_DEVICE = RateLimitItemPerMinute(10, 10)
"""Per device cookie: ten wrong join or seat codes in ten minutes, then that phone is refused
(429). Nobody mistypes a code ten times; nobody else is affected."""
WRONG_CODES_PER_CLIENT = RateLimitItemPerMinute(120, 1)
"""Per client address: 120 wrong codes a minute, then that address is refused (429) for the
rest of the minute. A hall shares one Wi-Fi address: a thousand phones arriving with one typo
in ten make a few dozen a minute."""
SLOW_FROM_CLIENT = RateLimitItemPerMinute(30, 1)
"""Past thirty wrong codes a minute from one address, its lookups wait `SLOW_DOWN_SECONDS`."""
SLOW_FROM_SERVER = RateLimitItemPerMinute(300, 1)
"""Past 300 wrong codes a minute across the server (every worker), every lookup of a code not
known to be correct waits `SLOW_DOWN_SECONDS`: never a refusal, so a flood from elsewhere only
delays a correct code."""
SLOW_DOWN_SECONDS = 2.0
KNOWN_CODES_KEPT = 10_000  # correct join codes remembered per process (a few hundred bytes each)


@dataclass(frozen=True)
class Guesser:
    """Who is trying a code: the device cookie's hash (None before the phone has one) and the
    client address (the proxy's, unless uvicorn is told to trust its X-Forwarded-For)."""

    device: str | None = None
    client: str = "local"


LOCAL = Guesser()
"""The command line and the demo: trusted callers, counted as one client."""


KEY_PREFIX = "samatcha-limits"


class Throttles:
    """The guessing limits of one server, shared by its workers through Redis when set."""

    def __init__(self, redis_url: str = "", *, key_prefix: str = KEY_PREFIX) -> None:
        self._pool: Any = None
        self.storage: Storage = MemoryStorage()
        if redis_url:
            from redis.asyncio import ConnectionPool

            self._pool = ConnectionPool.from_url(redis_url)  # ours, so that `close` can end it
            scheme, _, rest = redis_url.partition("://")
            self.storage = RedisStorage(
                f"async+{scheme}://{rest}",
                implementation="redispy",
                key_prefix=key_prefix,
                connection_pool=self._pool,
            )
        self.moving = MovingWindowRateLimiter(self.storage)
        self.fixed = FixedWindowRateLimiter(self.storage)
        self._known_codes: set[str] = set()

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.disconnect()

    # -- join codes seen to be correct (join codes never change)

    def is_known_code(self, code: str) -> bool:
        return code in self._known_codes

    def remember_code(self, code: str) -> None:
        """A code that named an assembly: later lookups of it reserve nothing, so a thousand
        phones arriving at once through one Wi-Fi address never near that address's limit."""
        if len(self._known_codes) >= KNOWN_CODES_KEPT:
            self._known_codes.clear()
        self._known_codes.add(code)

    # -- passwords

    async def reserve_login(self, username: str) -> None:
        """Count a login attempt before the password is checked; refuse past the limit."""
        if not await self.moving.hit(LOGIN_ATTEMPTS, "login", username.lower()):
            raise TooManyRequests(
                "too_many_attempts", "Too many attempts. Please wait a few minutes."
            )

    async def login_succeeded(self, username: str) -> None:
        await self.moving.clear(LOGIN_ATTEMPTS, "login", username.lower())

    # -- join and seat codes

    @asynccontextmanager
    async def code_guess(self, guesser: Guesser) -> AsyncIterator[CodeGuess]:
        """Reserve one wrong code against the guesser's hard limits (device, address) before
        the code is looked up; the reservation is given back unless the body calls
        `guess.wrong()`. A correct code therefore never uses anyone's budget, and only the
        guesser's own device or address can be refused. The slow-down looks at wrong codes
        already seen (not at lookups in flight), so an honest crowd joining at once is not
        slowed by its own correct codes."""
        client = f"client:{guesser.client}"
        reserved: list[tuple[RateLimitItem, str]] = []
        guess = CodeGuess()
        try:
            if guesser.device is not None:
                await self._reserve(reserved, WRONG_CODES_PER_DEVICE, f"device:{guesser.device}")
            await self._reserve(reserved, WRONG_CODES_PER_CLIENT, client)
            if not (
                await self.fixed.test(SLOW_FROM_CLIENT, "code", client)
                and await self.fixed.test(SLOW_FROM_SERVER, "code", "server")
            ):
                await asyncio.sleep(SLOW_DOWN_SECONDS)
            yield guess
        finally:
            if guess.was_wrong:
                await self.fixed.hit(SLOW_FROM_CLIENT, "code", client)
                await self.fixed.hit(SLOW_FROM_SERVER, "code", "server")
            else:
                await self._give_back(reserved)

    async def _reserve(
        self, reserved: list[tuple[RateLimitItem, str]], item: RateLimitItem, key: str
    ) -> None:
        reserved.append((item, key))
        if not await self.fixed.hit(item, "code", key):
            raise TooManyRequests("too_many_attempts", "Too many attempts. Please wait a minute.")

    async def _give_back(self, reserved: list[tuple[RateLimitItem, str]]) -> None:
        for item, key in reserved:
            await self.storage.incr(item.key_for("code", key), item.get_expiry(), amount=-1)


@dataclass
class CodeGuess:
    was_wrong: bool = False

    def wrong(self) -> None:
        """The code admitted nobody: the reservation stays counted."""
        self.was_wrong = True
