"""A step change's view: built once, sent to every phone, no phone asking for a snapshot.

Each phone's view (the shared `state`, its own `role` and `me`, and the `blank` personal part
unless the view names it among the `holders`, who ask for theirs with `mine`) must equal the
snapshot the server gives that phone, step after step, through real sockets.
"""

from __future__ import annotations

import json
import re
from html import unescape
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conftest import Person, World

TIMEOUT = 5


def receive(socket: Any) -> dict[str, Any]:
    return socket.receive_json(timeout=TIMEOUT)


def api(world: World, path: str = "") -> str:
    return f"/api/v1/assemblies/{world.id}{path}"


def merge(state: dict[str, Any], part: dict[str, Any]) -> None:
    """static/samatcha.js mergePart: one level deep, like the server's snapshot merge."""
    for key, value in part.items():
        if isinstance(state.get(key), dict) and isinstance(value, dict):
            state[key] = {**state[key], **value}
        else:
            state[key] = value


def comparable(state: dict[str, Any]) -> dict[str, Any]:
    """Without `vote.next_seq`: a fresh client_seq for a plain form, the clock at reading."""
    copy = json.loads(json.dumps(state))
    if isinstance(copy.get("vote"), dict):
        copy["vote"].pop("next_seq", None)
    return copy


def view_after_step_change(socket: Any, snapshot: dict[str, Any]) -> tuple[dict, dict]:
    """Reads past events to the step change and returns (the change, the view behind it)."""
    while (message := receive(socket)).get("type") != "step.changed":
        assert message.get("live") != "view"
    view = receive(socket)
    while view.get("live") != "view":  # events committed meanwhile (none in these tests)
        assert "seq" in view, view
        view = receive(socket)
    assert view["seq"] == view["data"]["seq"] >= message["seq"] > snapshot["seq"]
    return message, view["data"]


def phone_state(socket: Any, view: dict[str, Any], before: dict) -> tuple[dict, bool]:
    """What static/samatcha.js holds after the view: a part that reads the same in the step it
    comes from and the new one is kept, else a phone named among its holders asks for its
    own part. Returns (the state, whether it asked)."""
    state = {**json.loads(json.dumps(view["state"])), "role": before["role"], "me": before["me"]}
    merge(state, view["blank"])
    came_from = (before["step"] or {}).get("kind", "")
    goes_to = (view["state"]["step"] or {}).get("kind", "")
    ask = False
    for part in view["parts"]:
        if came_from in part["same_in"] and goes_to in part["same_in"]:
            state.update({k: before[k] for k in part["keys"] if k in before})
        elif part["holders"] is None or before["me"]["participant_id"] in part["holders"]:
            ask = True
    if ask:
        socket.send_json({"type": "mine"})
        answer = receive(socket)
        assert answer["type"] == "personal"
        merge(state, answer["data"])
    return state, ask


def switch(world: World, phones: list[Person], change: Any) -> tuple[list[int], int]:
    """Every phone connected, then `change` (a step opening): each phone's view must be its
    snapshot. Returns the view's holders (of any part) and how many phones asked."""
    sockets = [p.socket(world.id) for p in phones]
    holders: set[int] = set()
    asked = 0
    try:
        befores = [receive(s.__enter__())["data"] for s in sockets]
        change()
        for socket, person, before in zip(sockets, phones, befores, strict=True):
            _, view = view_after_step_change(socket, before)
            assert "steps" not in view["state"]
            assert "presenter" not in view["state"]
            state, ask = phone_state(socket, view, before)
            asked += ask
            fresh = person.get(api(world, "/snapshot")).json()
            assert comparable(state) == comparable(fresh)
            holders = {h for part in view["parts"] for h in part["holders"] or ()}
    finally:
        for socket in sockets:
            socket.__exit__(None, None, None)
    return sorted(holders), asked


def test_every_phone_gets_the_new_steps_view_without_asking(world: World) -> None:
    author, supporter, voter, quiet = (
        world.phone(n) for n in ("government", "education", "religion", "media")
    )
    ids = {
        name: p.get(api(world, "/snapshot")).json()["me"]["participant_id"]
        for name, p in (("author", author), ("supporter", supporter), ("voter", voter))
    }
    phones = [author, supporter, voter, quiet]
    world.open("collect")
    proposal = author.post(api(world, "/proposals"), json={"text": "ตลาดสดปลอดขยะ"}).json()
    hidden = voter.post(api(world, "/proposals"), json={"text": "ข้อความที่ถูกซ่อน"}).json()
    assert supporter.post(api(world, f"/proposals/{proposal['id']}/support")).status_code == 200
    world.facilitator.patch(api(world, f"/proposals/{hidden['id']}"), json={"hidden": True})

    # collect to review: the author and the supporter keep their proposals and supports
    holders, asked = switch(world, phones, lambda: world.open("review"))
    assert holders == sorted([ids["author"], ids["supporter"], ids["voter"]])
    assert asked == 0

    # to a vote step with no vote yet: nobody has a part of their own
    assert switch(world, phones, lambda: world.open("vote")) == ([], 0)

    vote = world.facilitator.post(
        api(world, "/votes"), json={"method": "approval", "options": ["พอเพียง", "วินัย"]}
    ).json()
    world.facilitator.post(api(world, f"/votes/{vote['id']}/open"))
    ballot = {"ballot": [vote["options"][0]["id"]], "client_seq": 5}
    assert voter.post(api(world, f"/votes/{vote['id']}/ballot"), json=ballot).status_code == 200

    # back to collect from the vote: the author and the supporter ask for their own part
    holders, asked = switch(world, phones, lambda: world.open("collect"))
    assert holders == sorted([ids["author"], ids["supporter"], ids["voter"]])
    assert asked == 3
    # the voter's hidden proposal is its own (it sees it, marked hidden); nobody else does
    texts = [p["text"] for p in quiet.get(api(world, "/snapshot")).json()["proposals"]]
    assert texts == ["ตลาดสดปลอดขยะ"]

    # the vote again: its one voter asks for its ballot; the others have the blank one
    assert switch(world, phones, lambda: world.open("vote")) == ([ids["voter"]], 1)
    mine = voter.get(api(world, "/snapshot")).json()["vote"]["my_ballot"]
    assert mine == {"ballot": ballot["ballot"], "client_seq": 5}

    # the draft step: no agenda answers yet
    assert switch(world, phones, lambda: world.open("draft")) == ([], 0)


def test_a_phone_that_missed_the_step_change_catches_up_with_one_request(world: World) -> None:
    phone = world.phone("business")
    with phone.socket(world.id) as socket:
        seq = receive(socket)["seq"]
    world.open("collect")  # while the phone is away (a weak connection)
    phone.client.cookies = phone.cookies
    with phone.client.websocket_connect(f"/ws/{world.id}?since={seq}") as socket:
        first = receive(socket)
        assert first["type"] == "snapshot"
        assert first["data"]["step"]["kind"] == "collect"
        assert comparable(first["data"]) == comparable(phone.get(api(world, "/snapshot")).json())
        # nothing else is owed to it: the view of that step change is not sent on top
        socket.send_json({"type": "ping"})
        assert receive(socket) == {"type": "pong"}


def test_a_phone_joining_during_the_switch_gets_the_new_step_directly(world: World) -> None:
    present = world.phone("government")
    with present.socket(world.id) as socket:
        before = receive(socket)["data"]
        world.open("vote")
        late = world.phone("media")  # joins before the hall has the view
        page = late.get(f"/a/{world.id}").text
        match = re.search(r'id="snapshot">(.*?)</script>', page, re.S)
        assert match
        embedded = json.loads(unescape(match.group(1)))
        assert embedded["step"]["kind"] == "vote"
        late.client.cookies = late.cookies
        with late.client.websocket_connect(f"/ws/{world.id}?since={embedded['seq']}") as mine:
            assert receive(mine) == {"type": "current", "seq": embedded["seq"]}
            mine.send_json({"type": "ping"})
            assert receive(mine) == {"type": "pong"}  # no view: its page is already past it
        _, view = view_after_step_change(socket, before)
        assert view["state"]["step"]["kind"] == "vote"


def test_staff_screens_get_the_step_change_and_no_view(world: World) -> None:
    with world.facilitator.socket(world.id) as console:
        receive(console)
        world.open("collect")
        event = receive(console)
        assert event["type"] == "step.changed"
        assert "steps" in event["data"]
        console.send_json({"type": "ping"})
        assert receive(console) == {"type": "pong"}


def test_a_phone_fetches_its_steps_section_alone(world: World) -> None:
    """After a vote or agenda event a phone swaps in its step's section: the server renders
    that one template (`/a/{id}/regions/{kind}`), with the same rules as the page."""
    phone, stranger = world.phone("education"), world.phone("media")
    world.open("vote")
    vote = world.facilitator.post(
        api(world, "/votes"), json={"method": "approval", "options": ["พอเพียง", "วินัย"]}
    ).json()
    world.facilitator.post(api(world, f"/votes/{vote['id']}/open"))
    region = phone.get(f"/a/{world.id}/regions/vote")
    assert region.status_code == 200
    assert 'data-region="vote"' in region.text
    assert f'data-vote="{vote["id"]}"' in region.text
    assert 'id="snapshot"' not in region.text  # not the page
    page = phone.get(f"/a/{world.id}").text
    assert len(region.text) < len(page) / 4
    assert phone.get(f"/a/{world.id}/regions/nonsense").status_code == 404
    assert phone.get(f"/a/{world.id}/regions/draft").status_code == 200
    # not a participant of this assembly: sent to the join page, like the page itself
    world.facilitator.cookies.pop("samatcha_device", None)
    staff = world.facilitator.get(f"/a/{world.id}/regions/vote", follow_redirects=False)
    assert staff.status_code == 303
    stranger.cookies.pop("samatcha_device", None)
    gone = stranger.get(f"/a/{world.id}/regions/vote", follow_redirects=False)
    assert gone.status_code == 303
    assert gone.headers["location"] == f"/j/{world.code}"
