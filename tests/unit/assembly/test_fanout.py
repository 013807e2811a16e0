"""The hub's fan-out (assembly/web/fanout.py) through a real Channels plugin (memory backend):
order per socket, a stalled socket holding up no other, its bounded backlog, snapshot first."""

from __future__ import annotations

import asyncio
import json

from litestar.channels.backends.memory import MemoryChannelsBackend

from assembly.web.fanout import Hub, Message, channels_plugin


def event(seq: int) -> str:
    return json.dumps({"seq": seq, "type": "tick", "ts": 0, "data": {}}, separators=(",", ":"))


async def settle(condition, limit_s: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    async with asyncio.timeout(limit_s):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


def test_a_stalled_socket_holds_up_no_other_and_keeps_only_its_latest_backlog() -> None:
    async def run() -> None:
        plugin = channels_plugin(MemoryChannelsBackend(), arbitrary_channels_allowed=True)
        async with plugin:
            hub = Hub(plugin, backlog=5)
            got: dict[str, list[int | None]] = {"a": [], "b": [], "stalled": []}
            unblock = asyncio.Event()

            def forward_to(name: str):  # type: ignore[no-untyped-def]
                async def forward(message: Message) -> None:
                    if name == "stalled":
                        await unblock.wait()  # its transport is paused: the write waits
                    got[name].append(message.seq)

                return forward

            outlets = {name: hub.outlet(forward_to(name)) for name in got}
            for outlet in outlets.values():
                await hub.join(["assembly:1:public"], outlet)
            plugin.publish(event(1), "assembly:1:public")  # before release: held
            await asyncio.sleep(0.05)
            assert got == {"a": [], "b": [], "stalled": []}
            for outlet in outlets.values():
                outlet.release()
            for seq in range(2, 21):
                plugin.publish(event(seq), "assembly:1:public")
            await settle(lambda: len(got["a"]) == 20 and len(got["b"]) == 20)
            assert got["a"] == got["b"] == list(range(1, 21))
            assert got["stalled"] == []
            unblock.set()
            # its first write finishes, then only the newest 5 of what came meanwhile follow
            await settle(lambda: len(got["stalled"]) == 6)
            assert got["stalled"] == [1, 16, 17, 18, 19, 20]
            plugin.publish(event(21), "assembly:1:public")
            await settle(lambda: got["stalled"][-1] == 21)
            assert got["a"][-1] == got["b"][-1] == 21

            for outlet in outlets.values():
                await hub.leave(["assembly:1:public"], outlet)
            assert hub.taps == {}
            assert hub.outlets == {}
            assert not plugin._channels.get("assembly:1:public")  # unsubscribed when empty

    asyncio.run(run())


def test_one_subscription_per_channel_however_many_sockets() -> None:
    async def run() -> None:
        plugin = channels_plugin(MemoryChannelsBackend(), arbitrary_channels_allowed=True)
        async with plugin:
            hub = Hub(plugin, backlog=10)
            seen: list[tuple[int, int | None]] = []

            def forward_to(index: int):  # type: ignore[no-untyped-def]
                async def forward(message: Message) -> None:
                    seen.append((index, message.seq))

                return forward

            outlets = [hub.outlet(forward_to(i)) for i in range(50)]
            await asyncio.gather(*(hub.join(["assembly:2:staff"], o) for o in outlets))
            for outlet in outlets:
                outlet.release()
            assert len(plugin._channels["assembly:2:staff"]) == 1
            plugin.publish(event(7), "assembly:2:staff")
            plugin.publish('{"live":"tally","ts":0,"data":{}}', "assembly:2:staff")
            await settle(lambda: len(seen) == 100)
            for index in range(50):  # each socket: the event, then the live update, in order
                assert [seq for i, seq in seen if i == index] == [7, None]

    asyncio.run(run())


def test_an_event_still_missing_at_the_second_check_is_missed_once() -> None:
    async def run() -> None:
        plugin = channels_plugin(MemoryChannelsBackend(), arbitrary_channels_allowed=True)
        async with plugin:
            hub = Hub(plugin, backlog=10)
            name = "assembly:3:public"
            assert not hub.missed(name, 5)  # nobody served here yet: nothing to miss
            hub.served([name], 5)
            assert not hub.missed(name, 5)
            assert not hub.missed(name, 6)  # committed, maybe still in flight
            hub.fan(name, event(6).encode())  # it arrived
            assert not hub.missed(name, 6)
            assert not hub.missed(name, 7)
            assert hub.missed(name, 7)  # still not here a whole check later: missed
            assert not hub.missed(name, 7)  # and only once

    asyncio.run(run())
