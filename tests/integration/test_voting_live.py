"""Live tallies over real sockets: coalesced for staff, nothing per ballot for phones."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import pytest

from voting import services as voting_services

if TYPE_CHECKING:
    from conftest import World

TIMEOUT = 5
BALLOTS = 30


def receive(socket: Any) -> dict[str, Any]:
    return socket.receive_json(timeout=TIMEOUT)


def test_staff_get_a_few_coalesced_tallies_and_phones_get_results_on_reveal(world: World) -> None:
    phones = [world.phone(("government", "media", "religion")[i % 3]) for i in range(BALLOTS)]
    world.open("vote")
    vote = world.facilitator.post(
        f"/api/v1/assemblies/{world.id}/votes",
        json={"method": "approval", "options": ["พอเพียง", "วินัย", "สุจริต"]},
    ).json()
    world.facilitator.post(f"/api/v1/assemblies/{world.id}/votes/{vote['id']}/open")
    first = vote["options"][0]["id"]
    with world.facilitator.socket(world.id) as console, phones[0].socket(world.id) as phone:
        snapshot = receive(console)
        assert snapshot["data"]["vote"]["turnout"]["voted"] == 0
        phone_snapshot = receive(phone)
        assert "results" not in phone_snapshot["data"]["vote"]
        started = time.monotonic()
        for i, voter in enumerate(phones):
            response = voter.post(
                f"/api/v1/assemblies/{world.id}/votes/{vote['id']}/ballot",
                json={"ballot": [first], "client_seq": i + 1},
            )
            assert response.status_code == 200
        tallies = 0
        while True:
            message = receive(console)
            if message.get("live") == "tally":
                tallies += 1
                if message["data"]["results"]["ballots"] == BALLOTS:
                    break
        elapsed = time.monotonic() - started
        assert tallies < BALLOTS
        assert tallies <= elapsed / 0.5 + 2  # at most one per LIVE_INTERVAL_S, plus the last

        revealed = world.facilitator.post(
            f"/api/v1/assemblies/{world.id}/votes/{vote['id']}/reveal"
        )
        assert revealed.status_code == 200
        event = receive(phone)
        # The first message a phone gets after the ballots is the reveal: no per-ballot traffic.
        assert event["type"] == "vote.changed"
        assert event["data"]["vote"]["results"]["ballots"] == BALLOTS
        assert event["seq"] == phone_snapshot["seq"] + 1


def test_results_revealed_while_the_vote_is_open_stay_current_in_every_snapshot(
    world: World,
) -> None:
    """Ballots bring no new seq, so a snapshot of revealed results during the vote must count
    them anew, not reuse what the phones' shared part held when it was built."""
    voters = [world.phone(("government", "media")[i % 2]) for i in range(3)]
    world.open("vote")
    vote = world.facilitator.post(
        f"/api/v1/assemblies/{world.id}/votes",
        json={"method": "approval", "options": ["พอเพียง", "วินัย"]},
    ).json()
    base = f"/api/v1/assemblies/{world.id}/votes/{vote['id']}"
    world.facilitator.post(f"{base}/open")
    world.facilitator.post(f"{base}/reveal")
    first = vote["options"][0]["id"]
    counts = []
    for voter in voters:
        cast = voter.post(f"{base}/ballot", json={"ballot": [first], "client_seq": 1})
        assert cast.status_code == 200
        counts.append(voters[0].get(f"/api/v1/assemblies/{world.id}/snapshot").json())
    assert [c["vote"]["results"]["ballots"] for c in counts] == [1, 2, 3]
    assert len({c["seq"] for c in counts}) == 1  # one seq throughout: the shared part was reused


def test_charts_are_drawn_from_the_tally_and_follow_every_ballot(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hall of screens reloading the charts on each tally must not each recount the ballots:
    the tally's count serves them, and the next ballot write is seen by the next chart."""
    voters = [world.phone(("government", "media")[i % 2]) for i in range(3)]
    world.open("vote")
    vote = world.facilitator.post(
        f"/api/v1/assemblies/{world.id}/votes",
        json={"method": "approval", "options": ["พอเพียง", "วินัย"]},
    ).json()
    base = f"/api/v1/assemblies/{world.id}/votes/{vote['id']}"
    world.facilitator.post(f"{base}/open")
    first, second = (o["id"] for o in vote["options"])
    counted: list[int] = []
    count = voting_services._results

    async def counting(session: Any, counted_vote: Any) -> dict[str, Any]:
        counted.append(counted_vote.id)
        return await count(session, counted_vote)

    monkeypatch.setattr(voting_services, "_results", counting)
    chart = f"/a/{world.id}/votes/{vote['id']}/charts/ranking.svg"

    with world.facilitator.socket(world.id) as console:
        receive(console)
        for i, voter in enumerate(voters):
            cast = voter.post(f"{base}/ballot", json={"ballot": [first], "client_seq": i + 1})
            assert cast.status_code == 200
        tally = wait_for_tally(console, ballots=3)
        counted.clear()
        svgs = {world.facilitator.get(f"{chart}?v={tally['version']}").text for _ in range(3)}
        assert counted == []  # drawn from the count the tally was made of
        assert len(svgs) == 1

        changed = voters[0].post(f"{base}/ballot", json={"ballot": [second], "client_seq": 9})
        assert changed.status_code == 200
        newer = world.facilitator.get(chart).text  # no version named: the newest ballots
        assert counted == [vote["id"]]
        assert newer not in svgs
        assert world.facilitator.get(chart).text == newer
        assert counted == [vote["id"]]  # the same ballots: counted once


def wait_for_tally(console: Any, *, ballots: int) -> dict[str, Any]:
    while True:
        message = receive(console)
        if message.get("live") == "tally" and message["data"]["results"]["ballots"] == ballots:
            return dict(message["data"])
