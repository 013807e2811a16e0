"""The one WebSocket per phone or screen: a snapshot on (re)connect, then events.

The socket only carries server-to-client state plus `ping` and `resync`; actions go over HTTP
with idempotency keys. No database session is held while the socket is open: each snapshot
opens and closes its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Coroutine, Sequence
from typing import Any
from urllib.parse import urlsplit

from litestar import WebSocket, websocket
from litestar.channels import ChannelsPlugin
from litestar.di import NamedDependency
from litestar.exceptions import WebSocketDisconnect
from litestar.params import FromPath, FromQuery

from assembly.errors import DomainError
from assembly.events import Event, LiveUpdate
from assembly.limits import device_resyncs, socket_resyncs
from assembly.runtime import Runtime
from assembly.seats import holds_seat
from assembly.security import token_hash
from assembly.services import Actor, session_expires_at
from assembly.steps import Action, refusal
from assembly.timeutil import as_utc, utcnow
from assembly.web.context import (
    MAX_ROW_ID,
    SESSION_COOKIE,
    actor_of,
    client_address,
    runtime_of,
    set_language,
)
from assembly.web.fanout import FRAMES, FrameProtocol, Hub, Message
from assembly.web.snapshots import (
    Snapshot,
    assembly_seq,
    build_snapshot,
    personal_part,
    standing_now,
)

logger = logging.getLogger("samatcha")

CLOSE_NOT_ALLOWED = 4403  # application close code: the browser should not retry
CLOSE_BAD_ORIGIN = 4400
CLOSE_LOGGED_OUT = 4401  # the staff login ended (logout, expiry): the page reloads to log in
CLOSE_TOO_MANY = 4429  # this device already holds its share of sockets
SOCKETS_PER_DEVICE = 4
"""Open sockets one phone (its device cookie), one staff login or one cookie-less address may
hold in one worker: a phone with a few tabs, a console and a presenter. One phone opening 500
sockets forced thousands of snapshots a minute through the per-socket resync limit."""
LOGGED_OUT = b'{"type":"logged_out"}'
"""Published on a login's own channel when it logs out, so that its staff sockets close in
every worker (the logout may be answered by another one)."""
CLOSE_TOO_BIG = 1009  # the standard "message too big"
CLOSE_RESTART = 1012  # the standard "service restart": phones come back within seconds
MAX_MESSAGE_BYTES = 64 * 1024
"""Phones send only pings and resync requests (a few dozen bytes). `samatcha serve` gives
uvicorn the same limit; the handler checks it too, for servers started another way."""


def staff_channel(assembly_id: FromPath[int]) -> str:
    return f"assembly:{assembly_id}:staff"


def public_channel(assembly_id: FromPath[int]) -> str:
    return f"assembly:{assembly_id}:public"


class ChannelsSink:
    """Publishes committed events through Litestar Channels (memory or Redis backend)."""

    def __init__(self, channels: NamedDependency[ChannelsPlugin]) -> None:
        self.channels = channels

    def publish(self, events: Sequence[Event]) -> None:
        now = time.time()
        for event in events:
            staff, public = event.message(staff=True, ts=now), event.message(staff=False, ts=now)
            self.channels.publish(staff, staff_channel(event.assembly_id))
            self.channels.publish(public, public_channel(event.assembly_id))

    def publish_live(self, update: LiveUpdate) -> None:
        now = time.time()
        staff, public = update.message(staff=True, ts=now), update.message(staff=False, ts=now)
        if staff is not None:
            self.channels.publish(staff, staff_channel(update.assembly_id))
        if public is not None:
            self.channels.publish(public, public_channel(update.assembly_id))


CHANNELS_CHECK_SECONDS = 1.0  # how soon a dead broker connection is noticed and retried


async def supervise_channels(channels: ChannelsPlugin) -> None:
    """Restart the plugin's publish and subscribe workers when the broker drops them.

    Litestar's workers do not catch backend errors: one Redis restart would end broadcasting
    for this process silently. Restarted, the subscriber reconnects and resubscribes (redis-py
    does both on its next read); phones that missed events see a gap and resync.
    """
    workers = {"_pub_task": channels._pub_worker, "_sub_task": channels._sub_worker}
    while True:
        await asyncio.sleep(CHANNELS_CHECK_SECONDS)
        for attribute, worker in workers.items():
            task: asyncio.Task[None] | None = getattr(channels, attribute, None)
            if task is None or not task.done():
                continue
            error = None if task.cancelled() else task.exception()
            logger.error("real-time %s stopped (%r); restarting it", attribute, error)
            queue = channels._pub_queue
            if attribute == "_pub_task" and error is not None and queue is not None:
                # The failed publish had taken its message off the queue but never marked it
                # done, and shutdown waits for every message to be done: release it.
                with contextlib.suppress(ValueError):
                    queue.task_done()
            setattr(channels, attribute, asyncio.create_task(worker()))


def session_channel(session_hash: str) -> str:
    return f"session:{session_hash}"


def announce_logout(channels: ChannelsPlugin, session_token: str) -> None:
    """Close this login's staff sockets, in whichever worker they are."""
    channels.publish(LOGGED_OUT, session_channel(token_hash(session_token)))


ENTRIES_AT_ONCE = 32
"""A hall reconnecting after a restart: served all at once, 5,000 sockets shared the worker
and each finished late (the median phone after 30 s, when its handshake gave up); taken 32 at
a time, first come first served, each is served promptly and the hall comes back in order."""


class SocketCounts:
    """Open sockets per owner in this worker, and a resync budget per owner."""

    def __init__(self) -> None:
        self.open: dict[str, int] = {}
        self.resyncs = device_resyncs()
        self.entry = asyncio.Semaphore(ENTRIES_AT_ONCE)
        """Sockets reading their first state at once; the others wait their turn, first come
        first served."""

    def enter(self, owner: str) -> bool:
        if self.open.get(owner, 0) >= SOCKETS_PER_DEVICE:
            return False
        self.open[owner] = self.open.get(owner, 0) + 1
        return True

    def leave(self, owner: str) -> None:
        left = self.open.get(owner, 1) - 1
        if left > 0:
            self.open[owner] = left
        else:
            self.open.pop(owner, None)


def hub_of(socket: WebSocket[Any, Any, Any]) -> Hub:
    hub: Hub = socket.app.state.hub  # one per app (create_app)
    return hub


def socket_counts(socket: WebSocket[Any, Any, Any]) -> SocketCounts:
    counts: SocketCounts = socket.app.state.sockets  # one per app (create_app)
    return counts


def _owner(socket: WebSocket[Any, Any, Any], actor: Actor, session: str | None) -> str:
    if actor.device_hash:
        return f"device:{actor.device_hash}"
    if session:
        return f"login:{session}"
    return f"address:{client_address(socket)}"


def same_origin(socket: WebSocket[Any, Any, Any]) -> bool:
    """Browsers always send Origin on a WebSocket handshake; scripts may leave it out."""
    origin = socket.headers.get("origin")
    if not origin:
        return True
    return urlsplit(origin).netloc == socket.headers.get("host", "")


@websocket("/ws/{assembly_id:int}")
async def live_socket(
    socket: WebSocket[Any, Any, Any],
    assembly_id: FromPath[int],
    since: FromQuery[str | None] = None,
) -> None:
    """`since`: the seq a phone's state is at (the page's embedded snapshot, or what it had
    before the connection dropped); when nothing happened since, it gets `{"type": "current"}`
    instead of a whole snapshot."""
    set_language(socket)
    if not same_origin(socket):
        await socket.close(code=CLOSE_BAD_ORIGIN, reason="origin")
        return
    if abs(assembly_id) > MAX_ROW_ID:  # names nothing (before_request does not run for sockets)
        await socket.close(code=CLOSE_NOT_ALLOWED, reason="not_found")
        return
    rt = runtime_of(socket)
    actor = await actor_of(socket)
    token = socket.cookies.get(SESSION_COOKIE)
    session = token_hash(token) if token and actor.user is not None else None
    counts, owner = socket_counts(socket), _owner(socket, actor, session)
    if not counts.enter(owner):
        await socket.close(code=CLOSE_TOO_MANY, reason="too_many_sockets")
        return
    try:
        await socket.accept()
        async with contextlib.AsyncExitStack() as subscriptions:
            # Staff screens always get a snapshot: it restores the live tallies and consent
            # counts they missed, which have no seq of their own.
            known = (
                int(since)
                if since
                and since.isascii()
                and since.isdigit()
                and len(since) < 16
                and actor.user is None
                else None
            )
            live = _Live(counts, owner, session, token)
            await _serve(socket, rt, actor, assembly_id, hub_of(socket), subscriptions, known, live)
    except WebSocketDisconnect:
        return
    finally:
        counts.leave(owner)


class _Live:
    """What a socket knows about whose it is: its owner's budget and, for staff, the login."""

    def __init__(
        self, counts: SocketCounts, owner: str, session: str | None, token: str | None
    ) -> None:
        self.counts, self.owner, self.session, self.token = counts, owner, session, token
        self.resyncs = socket_resyncs()

    def may_resync(self) -> bool:
        """Within this socket's limit and its owner's (a phone's sockets share one budget)."""
        return self.resyncs.allow("socket") and self.counts.resyncs.allow(self.owner)


async def _serve(
    socket: WebSocket[Any, Any, Any],
    rt: Runtime,
    actor: Actor,
    assembly_id: int,
    hub: Hub,
    subscriptions: contextlib.AsyncExitStack,
    since: int | None,
    live: _Live,
) -> None:
    last_snapshot_seq = 0
    seat: int | None = None
    gone = False
    frames: FrameProtocol | None = socket.scope.get("extensions", {}).get(FRAMES)

    async def leave(code: int = CLOSE_NOT_ALLOWED, reason: str = "not_in_assembly") -> None:
        nonlocal gone
        if not gone:
            gone = True
            await socket.close(code=code, reason=reason)

    async def leave_unless_seated(moved: Message) -> None:
        """Its seat moved: this socket closes before the event, unless the seat came back."""
        if await holds_seat(rt, participant_id=seat or 0, device_hash=actor.device_hash):
            if not gone:  # out of order at worst: a gap the phone repairs
                await socket.send_text(moved.text)
        else:
            await leave()

    async def forward(message: Message) -> None:
        """Called by the hub for each message of this socket's channels, in order."""
        if gone:
            return
        if message.raw == LOGGED_OUT:
            await leave(CLOSE_LOGGED_OUT, "logged_out")
            return
        if seat is not None and message.moved == seat:
            # Not awaited here: the hub runs this call's first step inline, outside any task,
            # where a database read fails (and the failure would silently end the socket).
            _later(leave_unless_seated(message))
            return
        if message.seq is not None and message.seq <= last_snapshot_seq:
            return  # the snapshot it got already holds it
        if frames is None or not frames.write_frame(message.frame):
            await socket.send_text(message.text)  # the usual way (waits while behind)

    # Joined before the state is read, no event can fall between the two (the outlet holds
    # them until the snapshot is out). Without a login only a phone's public stream is
    # possible, so a phone joins first; staff are known only once read, and then check that
    # nothing changed meanwhile.
    outlet = hub.outlet(forward)
    outlet.restart = lambda: _later(leave(CLOSE_RESTART, "missed_events"))
    joined: list[str] = []

    async def join(names: list[str]) -> None:
        joined.extend(names)
        await hub.join(names, outlet)

    subscriptions.push_async_callback(hub.leave, joined, outlet)
    if actor.user is None:
        await join([public_channel(assembly_id)])
    try:
        async with live.counts.entry:
            if since is None:
                first: Snapshot | None = await build_snapshot(
                    rt, assembly_id=assembly_id, actor=actor
                )
                standing, seq = first.standing, first.state["seq"]
            else:  # a screen that has a state: who it is and whether it is current is enough
                first = None
                standing, seq = await standing_now(rt, assembly_id=assembly_id, actor=actor)
    except DomainError:
        await socket.close(code=CLOSE_NOT_ALLOWED, reason="not_found")
        return
    # The working group's accounts are no members of the assembly day, but a progress board
    # open on their screen listens too: on the public stream, where follow-up changes are
    # ticks, and with no snapshot of the day (the rules table refuses them VIEW_ASSEMBLY).
    progress_only = refusal(standing.role, Action.VIEW_ASSEMBLY) is not None
    if progress_only and refusal(standing.role, Action.VIEW_PROGRESS) is not None:
        await socket.close(code=CLOSE_NOT_ALLOWED, reason="not_in_assembly")
        return
    is_staff = standing.is_staff
    logged_in = is_staff or progress_only  # its logout and its expiry close this socket
    unchanged = True
    if not joined:
        wanted = [staff_channel(assembly_id) if is_staff else public_channel(assembly_id)]
        if logged_in and live.session is not None:
            wanted.append(session_channel(live.session))  # its logout, from any worker
        await join(wanted)
        unchanged = await assembly_seq(rt, assembly_id) == seq
    # A phone's seat can move to another phone (a seat card, assembly/seats.py): this socket
    # then closes as "not allowed", like one that never had a seat.
    seat = None if is_staff else getattr(standing.participant, "id", None)

    async def send_snapshot(ready: Snapshot | None = None) -> None:
        nonlocal last_snapshot_seq
        if progress_only:  # the sequence alone: a board refetches its own region
            last_snapshot_seq = await assembly_seq(rt, assembly_id) or 0
            hub.served(joined, last_snapshot_seq)
            await socket.send_text(
                _encode({"type": "snapshot", "seq": last_snapshot_seq, "data": {}})
            )
            return
        snap = ready or await build_snapshot(rt, assembly_id=assembly_id, actor=actor)
        if seat is not None and snap.standing.participant is None:
            await leave()
            return
        last_snapshot_seq = snap.state["seq"]
        hub.served(joined, last_snapshot_seq)
        await socket.send_text(
            _encode({"type": "snapshot", "seq": last_snapshot_seq, "data": snap.state})
        )

    async def send_personal() -> None:
        """A phone's own part alone, asked for after a step change's view named it."""
        if actor.user is not None:  # a logged-in viewer's snapshot is built whole
            await send_snapshot()
            return
        standing, at, personal = await personal_part(rt, assembly_id=assembly_id, actor=actor)
        if seat is not None and standing.participant is None:
            await leave()
            return
        await socket.send_text(_encode({"type": "personal", "seq": at, "data": personal}))

    if unchanged and first is None and seq == since:
        last_snapshot_seq = seq
        hub.served(joined, seq)
        await socket.send_text(_encode({"type": "current", "seq": seq}))
    else:
        await send_snapshot(first if unchanged else None)
    del first  # a hall of open sockets must not each keep a whole snapshot alive
    if logged_in and live.token is not None:
        expiry = asyncio.create_task(_close_at_expiry(rt, live.token, leave))
        subscriptions.callback(expiry.cancel)
    outlet.release()
    while True:
        raw = await _receive(socket)
        if gone:
            return
        if raw is None:
            await socket.close(code=CLOSE_TOO_BIG, reason="too_big")
            return
        await _answer(socket, raw, send_snapshot, send_personal, live.may_resync)


_pending: set[asyncio.Task[None]] = set()


def _later(work: Coroutine[Any, Any, None]) -> None:
    task = asyncio.ensure_future(work)
    _pending.add(task)  # kept until done (the loop holds only weak references)
    task.add_done_callback(_pending.discard)


WATCH_SECONDS = 2.5
"""How often a worker checks that it has every event of the assemblies it serves."""


async def watch_missed_events(hub: Hub, rt: Runtime) -> None:
    """Catch events this worker never received: the worker that committed one died before
    publishing it, or the broker dropped it. Its phones would only notice at the next event,
    maybe minutes later; here they are closed as by a restart and come back with the state
    (one query per served assembly per check, for its staff and public channels both)."""
    while True:
        await asyncio.sleep(WATCH_SECONDS)
        try:
            seqs: dict[int, int | None] = {}
            for name in list(hub.outlets):
                kind, _, rest = name.partition(":")
                if kind != "assembly":
                    continue
                assembly_id = int(rest.partition(":")[0])
                if assembly_id not in seqs:
                    seqs[assembly_id] = await assembly_seq(rt, assembly_id)
                committed = seqs[assembly_id]
                if committed is not None and hub.missed(name, committed):
                    logger.warning(
                        "%s missed events up to seq %d: its sockets resync", name, committed
                    )
                    hub.restart(name)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("checking for missed events failed")


async def _close_at_expiry(rt: Runtime, token: str, leave: Any) -> None:
    """A staff socket lives no longer than its login (logout is announced; expiry is not)."""
    expires = await session_expires_at(rt, token)
    if expires is not None:
        await asyncio.sleep(max(0.0, (as_utc(expires) - utcnow()).total_seconds()))
    await leave(CLOSE_LOGGED_OUT, "logged_out")


async def _receive(socket: WebSocket[Any, Any, Any]) -> str | None:
    """The next message as text ("" for a binary frame), None when it is over the limit."""
    event = await socket.receive()
    if event["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(detail="disconnect event", code=event.get("code", 1000))
    text, data = event.get("text"), event.get("bytes")
    size = len(text.encode("utf-8", "surrogatepass")) if text else len(data or b"")
    return None if size > MAX_MESSAGE_BYTES else (text or "")


async def _answer(
    socket: WebSocket[Any, Any, Any],
    raw: str,
    send_snapshot: Any,
    send_personal: Any,
    may_resync: Any,
) -> None:
    """Anything but a ping, a resync or a `mine` (binary frames, not JSON, not an object, nested too
    deep to parse) gets an error message on this socket; nothing else changes."""
    try:
        message = json.loads(raw)
        kind = message.get("type") if isinstance(message, dict) else None
    except (ValueError, RecursionError):
        kind = None
    if kind == "ping":
        await socket.send_text('{"type":"pong"}')
    elif kind == "resync" and may_resync():
        await send_snapshot()
    elif kind == "mine" and may_resync():
        await send_personal()
    elif kind in ("resync", "mine"):
        await socket.send_text(_encode({"type": "error", "data": {"error": "too_many_resyncs"}}))
    else:
        await socket.send_text(_encode({"type": "error", "data": {"error": "unknown_message"}}))


def _encode(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"), default=str)
