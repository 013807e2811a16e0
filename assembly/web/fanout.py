"""Fan-out from one task per worker: each published message goes straight to the open sockets.

Litestar Channels gives every subscriber its own queue and its own task: one event to 5,000
phones woke 5,000 tasks (about 230 ms of CPU per event, a third of it the socket write). Here a
worker subscribes once per channel (an assembly's staff or public stream, a login's own) and the
plugin's one subscriber worker hands each message to `Hub.fan`, which writes it to every socket
of that channel in turn, in the same call.

The guarantees the per-subscriber queues gave are kept per socket by its `Outlet`:
- order: a socket's messages are written one after the other, in the order published;
- back-pressure: a write that cannot finish at once (the phone stopped reading and its buffer
  is full) is finished by a task of that socket alone, while later messages wait in its own
  bounded backlog (the oldest dropped first: the phone then sees a gap and resyncs); the other
  sockets are not held up;
- snapshot first: a socket's messages wait until its snapshot (or "current") is sent.

A write that can finish at once (the usual case: uvicorn's send only awaits while the transport
is paused) runs to completion inside `fan` without a task; only a write that suspends is handed
to a task, which carries on that very coroutine.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass
from typing import Any

from litestar.channels import ChannelsPlugin, Subscriber
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.protocol import State

from assembly.seats import moved_participant

logger = logging.getLogger("samatcha")

SUBSCRIBE_TRIES = 5
SUBSCRIBE_PAUSE_S = 0.5


@dataclass(frozen=True, slots=True)
class Message:
    """A published message, decoded, looked at and framed once for every socket it goes to."""

    text: str
    seq: int | None
    """The event's sequence number; None for live updates (`{"live":...`)."""
    raw: bytes
    frame: bytes
    """The whole WebSocket text frame a server sends (unmasked): the same bytes for every
    socket, so it is made once instead of once per socket by the protocol library."""
    moved: int | None
    """The participant whose seat a `seat.moved` event moves: read once, not once per socket."""


def text_frame(payload: bytes) -> bytes:
    size = len(payload)
    if size < 126:
        head = bytes((0x81, size))
    elif size < 1 << 16:
        head = bytes((0x81, 126)) + size.to_bytes(2, "big")
    else:
        head = bytes((0x81, 127)) + size.to_bytes(8, "big")
    return head + payload


FRAMES = "samatcha.frames"
"""The scope extension under which `FrameProtocol` gives the app its connection."""


class FrameProtocol(WebSocketsSansIOProtocol):
    """uvicorn's default WebSocket protocol, which also lets the hub write a frame made once
    (`Message.frame`) straight to the connection when it can go at once. Anything else (a
    snapshot, a close, a connection whose writes must wait) goes the usual ASGI way.
    `samatcha serve` runs uvicorn with it; under another server `write_frame` is never used."""

    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        scope = getattr(self, "scope", None)
        if scope is not None:  # accepted: the app runs with this scope (not started yet)
            scope["extensions"][FRAMES] = self

    def write_frame(self, frame: bytes) -> bool:
        """Write `frame` if the connection is open and not behind; else False."""
        if (
            self.close_sent
            or self.disconnected
            or self.initial_response is not None
            or not self.writable.is_set()
            or self.conn.state is not State.OPEN
            or self.transport.is_closing()
        ):
            return False
        self.transport.write(frame)
        return True


def event_seq(message: bytes) -> int | None:
    """Events start with `{"seq":N,`; reading N this way avoids parsing every message.
    Live updates (`{"live":...`) have no sequence number."""
    if not message.startswith(b'{"seq":'):
        return None
    return int(message[7 : message.index(b",")])


def read_message(raw: bytes) -> Message:
    return Message(raw.decode(), event_seq(raw), raw, text_frame(raw), moved_participant(raw))


Forward = Callable[[Message], Coroutine[Any, Any, None]]


class Outlet:
    """One socket's end of the hub: its messages in order, a bounded backlog when behind."""

    __slots__ = ("_forward", "backlog", "closed", "held", "restart", "task")

    def __init__(self, forward: Forward, backlog: int) -> None:
        self._forward = forward
        self.restart: Callable[[], None] = lambda: None
        """Set by the socket: close it with 1012 (it missed an event; see Hub.missed)."""
        self.backlog: deque[Message] = deque(maxlen=backlog)
        self.held = True  # until the socket's snapshot is sent
        self.task: asyncio.Task[None] | None = None
        self.closed = False

    def put(self, message: Message) -> None:
        if self.closed:
            return
        if self.held or self.task is not None:
            self.backlog.append(message)  # full: the oldest falls off (the phone sees a gap)
            return
        self._write(message)

    def release(self) -> None:
        """The snapshot is out: what came meanwhile follows, then messages as they come."""
        self.held = False
        if self.backlog and self.task is None and not self.closed:
            self.task = asyncio.ensure_future(self._drain(None, None))

    def close(self) -> None:
        self.closed = True
        self.backlog.clear()
        if self.task is not None:
            self.task.cancel()

    def _write(self, message: Message) -> None:
        coroutine = self._forward(message)
        try:
            suspended = coroutine.send(None)
        except StopIteration:
            return
        except Exception as error:  # the socket is gone: its own receive loop ends it
            self._failed(error)
            return
        self.task = asyncio.ensure_future(self._drain(coroutine, suspended))

    async def _drain(self, coroutine: Coroutine[Any, Any, None] | None, suspended: Any) -> None:
        try:
            if coroutine is not None:
                await _carry_on(coroutine, suspended)
            while self.backlog and not self.closed:
                await self._forward(self.backlog.popleft())
        except asyncio.CancelledError:
            raise
        except Exception as error:
            self._failed(error)
        finally:
            self.task = None

    def _failed(self, error: Exception) -> None:
        logger.debug("a socket write failed (%r); the socket is closing", error)
        self.closed = True
        self.backlog.clear()


async def _carry_on(coroutine: Coroutine[Any, Any, None], suspended: Any) -> None:
    """Run to its end a coroutine that suspended on its first step, as a task would have: wait
    for what it waits for, then resume it (it reads the outcome itself, `Future.result()`)."""
    while True:
        try:
            if suspended is None:
                await asyncio.sleep(0)
            else:
                await suspended
        except asyncio.CancelledError:
            coroutine.close()
            raise
        except Exception:  # noqa: S110 - the coroutine meets the same error when resumed
            pass
        try:
            suspended = coroutine.send(None)
        except StopIteration:
            return


class _Tap(Subscriber):
    """The hub's one subscription to a channel in this worker: the plugin's subscriber worker
    puts each message here, and it goes on to the sockets at once (no queue, no task)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.deliver: Callable[[bytes], None] | None = None
        self.early: list[bytes] = []

    def put_nowait(self, item: bytes | None) -> bool:
        if item is None:
            return True
        if self.deliver is None:
            self.early.append(item)  # arrived while the subscription was being made
        else:
            self.deliver(item)
        return True

    def attach(self, deliver: Callable[[bytes], None]) -> None:
        self.deliver = deliver
        early, self.early = self.early, []
        for item in early:
            deliver(item)


class Hub:
    """This worker's open sockets per channel, and its one subscription per channel."""

    def __init__(self, channels: ChannelsPlugin, backlog: int) -> None:
        self.channels = channels
        self.backlog = backlog
        self.outlets: dict[str, dict[Outlet, None]] = {}
        """channel -> its sockets' outlets (a dict: insertion-ordered, O(1) removal)."""
        self.taps: dict[str, _Tap] = {}
        self._lock = asyncio.Lock()
        self.known: dict[str, int] = {}
        """channel -> the highest seq this worker fanned out or served a snapshot at."""
        self.owed: dict[str, int] = {}
        """channel -> a seq the database had at the last check that had not arrived here."""

    def outlet(self, forward: Forward) -> Outlet:
        return Outlet(forward, self.backlog)

    def served(self, names: Iterable[str], seq: int) -> None:
        """A socket of `names` was given the state at `seq` (a snapshot or "current")."""
        for name in names:
            if seq > self.known.get(name, 0):
                self.known[name] = seq

    def missed(self, name: str, committed: int) -> bool:
        """Whether `name` missed an event: the database had reached `committed` at the last
        check too and it still has not arrived (a worker died between its commit and its
        publish, the broker dropped it). In flight, an event arrives well within a check."""
        if name not in self.known or committed <= self.known[name]:
            self.owed.pop(name, None)  # nobody served yet (their snapshots will be current)
            return False
        if self.owed.get(name, committed + 1) <= committed:
            self.owed.pop(name, None)
            self.known[name] = committed
            return True
        self.owed[name] = committed
        return False

    async def join(self, names: Iterable[str], outlet: Outlet) -> None:
        """From now on `outlet` gets every message published on `names` (held until released)."""
        names = list(names)
        for name in names:
            self.outlets.setdefault(name, {})[outlet] = None
        if all(name in self.taps for name in names):
            return
        async with self._lock:
            for name in names:
                if name not in self.taps and name in self.outlets:
                    tap = await self._subscribe(name)
                    self.taps[name] = tap
                    tap.attach(lambda raw, name=name: self.fan(name, raw))

    async def _subscribe(self, name: str) -> _Tap:
        """The broker's connection may have just dropped (a Redis restart): the client
        reconnects on its next command, so a failed subscription is tried again a few times
        before the socket gives up (and the phone reconnects)."""
        for attempt in range(SUBSCRIBE_TRIES):
            try:
                tap = await self.channels.subscribe([name])
            except Exception:
                self.channels._channels.pop(name, None)  # a half-made subscription
                if attempt == SUBSCRIBE_TRIES - 1:
                    raise
                logger.warning("subscribing to %s failed; trying again", name, exc_info=True)
                await asyncio.sleep(SUBSCRIBE_PAUSE_S)
                continue
            assert isinstance(tap, _Tap)  # the plugin is made with subscriber_class=_Tap
            return tap
        raise AssertionError("unreachable")

    async def leave(self, names: Iterable[str], outlet: Outlet) -> None:
        outlet.close()
        emptied = []
        for name in names:
            group = self.outlets.get(name)
            if group is not None:
                group.pop(outlet, None)
                if not group:
                    del self.outlets[name]
                    self.known.pop(name, None)
                    self.owed.pop(name, None)
                    emptied.append(name)
        if not emptied:
            return
        async with self._lock:
            for name in emptied:
                if name not in self.outlets and (tap := self.taps.pop(name, None)) is not None:
                    with contextlib.suppress(Exception):  # the broker may be gone; drop it anyway
                        await self.channels.unsubscribe(tap)

    def fan(self, name: str, raw: bytes) -> None:
        """One message to every socket of `name` in this worker, written in this call."""
        group = self.outlets.get(name)
        message = read_message(raw)
        if message.seq is not None and message.seq > self.known.get(name, 0):
            self.known[name] = message.seq
        if not group:
            return
        for outlet in list(group):  # a write may close a socket, which leaves the group
            outlet.put(message)

    def restart(self, name: str) -> None:
        """Close the sockets of `name` as a restarting server would: they come back within the
        hall's spread saying the seq they are at, and get the state they missed."""
        for outlet in list(self.outlets.get(name, ())):
            outlet.restart()


def channels_plugin(backend: Any, **options: Any) -> ChannelsPlugin:
    """The Channels plugin the hub taps (its subscriber class is the hub's `_Tap`)."""
    return ChannelsPlugin(backend=backend, subscriber_class=_Tap, **options)
