"""Issue 12: a step's timer reaching zero. The facilitator may open a step to close by itself
at 0:00; the server's round of `close_due_steps` closes it and every screen hears of it."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from assembly import services

if TYPE_CHECKING:
    from conftest import World

RECEIVE_TIMEOUT = 10


def until(socket: Any, kind: str, limit: int = 20) -> dict[str, Any]:
    for _ in range(limit):
        message = socket.receive_json(timeout=RECEIVE_TIMEOUT)
        if message.get("type") == kind:
            return message
    raise AssertionError(f"no {kind} event")


def close_due(world: World, now: datetime) -> list[int]:
    """One round of the server's sweep, in the app's own loop, at the moment `now`."""
    runtime = world.client.app.state.runtime
    portal = world.client.blocking_portal
    assert portal is not None
    return portal.call(partial(services.close_due_steps, runtime, now=now))


def test_a_step_opened_to_close_on_time_closes_at_zero_and_phones_hear_it(world: World) -> None:
    opened = world.open("collect", minutes=1, close_when_done=True).json()
    assert opened["close_when_done"] is True
    ends = datetime.fromisoformat(opened["ends_at"])
    phone = world.phone("media")
    with phone.socket(world.id) as handset:
        assert handset.receive_json(timeout=RECEIVE_TIMEOUT)["type"] == "snapshot"
        assert close_due(world, ends - timedelta(seconds=5)) == []
        assert close_due(world, ends + timedelta(seconds=1)) == [opened["id"]]
        step = until(handset, "step.changed")["data"]["step"]
        assert (step["id"], step["status"], step["ends_at"]) == (opened["id"], "closed", None)
    assert close_due(world, ends + timedelta(seconds=5)) == []  # once only


def test_a_timer_alone_only_warns_and_the_flag_needs_a_timer(world: World) -> None:
    opened = world.open("collect", minutes=1).json()
    assert opened["close_when_done"] is False
    ends = datetime.fromisoformat(opened["ends_at"])
    assert close_due(world, ends + timedelta(minutes=5)) == []
    page = world.facilitator.get(f"/console/{world.id}").text
    assert f'data-id="{opened["id"]}" data-kind="collect" data-status="open"' in page

    untimed = world.open("review", close_when_done=True).json()
    assert (untimed["ends_at"], untimed["close_when_done"]) == (None, False)


def test_the_console_form_sets_close_when_time_is_up(world: World) -> None:
    f = world.facilitator
    answer = f.post(
        f"/console/{world.id}/steps/{world.step_id('collect')}/open",
        data={"minutes": "2", "close_when_done": "1"},
        headers={"X-Requested-With": "fetch"},
    )
    assert answer.status_code == 204, answer.text
    page = f.get(f"/console/{world.id}").text
    assert 'data-auto-close="true"' in page
    assert "ปิดเมื่อหมดเวลา" in page
