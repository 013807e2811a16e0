"""A vote step with several votes: ballots go to the vote they name, one vote open at a time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conftest import Person, World

FIRST = ["พอเพียง", "วินัย", "สุจริต"]
SECOND = ["จิตอาสา", "กตัญญู", "รับผิดชอบ"]


def _votes(world: World) -> str:
    return f"/api/v1/assemblies/{world.id}/votes"


def _create(world: World, labels: list[str]) -> dict[str, Any]:
    response = world.facilitator.post(_votes(world), json={"method": "approval", "options": labels})
    assert response.status_code == 201, response.text
    return response.json()


def _steer(world: World, vote: dict[str, Any], change: str) -> Any:
    return world.facilitator.post(f"{_votes(world)}/{vote['id']}/{change}")


def _cast(phone: Person, world: World, vote: dict[str, Any], ballot: Any, seq: int) -> Any:
    return phone.post(
        f"{_votes(world)}/{vote['id']}/ballot", json={"ballot": ballot, "client_seq": seq}
    )


def _two_votes_first_reopened(world: World) -> tuple[dict[str, Any], dict[str, Any]]:
    world.open("vote")
    first = _create(world, FIRST)
    assert _steer(world, first, "open").status_code == 200
    assert _steer(world, first, "close").status_code == 200
    second = _create(world, SECOND)
    assert second["id"] != first["id"]
    reopened = _steer(world, first, "open")
    assert reopened.status_code == 200, reopened.text
    return first, second


def test_a_ballot_for_the_reopened_first_vote_is_checked_against_its_own_options(
    world: World,
) -> None:
    first, _ = _two_votes_first_reopened(world)
    phone = world.phone()
    own = [first["options"][1]["id"]]
    stored = _cast(phone, world, first, own, 1)
    assert stored.status_code == 200, stored.text
    assert stored.json()["vote_id"] == first["id"]


def test_setting_up_again_replaces_the_draft_and_its_option_ids(world: World) -> None:
    """What the fuzzer took for two votes: the second set-up replaced the first draft (same
    vote id, new option ids), so ballots naming the first answer's ids name nothing."""
    world.open("vote")
    first = _create(world, FIRST)
    again = _create(world, SECOND)
    assert again["id"] == first["id"]
    assert _steer(world, first, "open").status_code == 200
    phone = world.phone()
    gone = _cast(phone, world, first, [first["options"][0]["id"]], 1)
    assert gone.status_code == 400
    assert gone.json()["error"] == "unknown_option"
    assert _cast(phone, world, again, [again["options"][0]["id"]], 2).status_code == 200


def test_the_phone_snapshot_shows_the_open_vote_not_the_newer_draft(world: World) -> None:
    first, _ = _two_votes_first_reopened(world)
    phone = world.phone()
    assert _cast(phone, world, first, [first["options"][0]["id"]], 7).status_code == 200
    snapshot = phone.get(f"/api/v1/assemblies/{world.id}/snapshot").json()
    assert snapshot["vote"]["id"] == first["id"]
    assert snapshot["vote"]["status"] == "open"
    assert snapshot["vote"]["my_ballot"] == {"ballot": [first["options"][0]["id"]], "client_seq": 7}
    staff = world.facilitator.get(f"/api/v1/assemblies/{world.id}/snapshot").json()
    assert staff["vote"]["id"] == first["id"]
    assert staff["vote"]["turnout"]["voted"] == 1


def test_a_new_vote_cannot_be_set_up_while_an_earlier_one_is_reopened(world: World) -> None:
    _, second = _two_votes_first_reopened(world)
    refused = world.facilitator.post(_votes(world), json={"method": "dot", "options": FIRST})
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"] == "vote_open"
    snapshot = world.facilitator.get(f"/api/v1/assemblies/{world.id}/snapshot").json()
    assert snapshot["vote"]["status"] == "open"
    draft = world.facilitator.get(f"{_votes(world)}/{second['id']}/results").json()["vote"]
    assert [o["label"] for o in draft["options"]] == SECOND


def test_only_one_vote_of_a_step_is_open_at_a_time(world: World) -> None:
    first, second = _two_votes_first_reopened(world)
    refused = _steer(world, second, "open")
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"] == "another_vote_open"
    assert refused.json()["message"] == (
        "มีการลงคะแนนอื่นในขั้นตอนนี้เปิดอยู่ กรุณาปิดการลงคะแนนนั้นก่อนเปิดการลงคะแนนนี้"
    )
    assert _cast(world.phone(), world, second, [second["options"][0]["id"]], 1).status_code == 409
    assert _steer(world, first, "close").status_code == 200
    opened = _steer(world, second, "open")
    assert opened.status_code == 200, opened.text
    phone = world.phone()
    assert _cast(phone, world, second, [second["options"][2]["id"]], 1).status_code == 200
    assert _cast(phone, world, first, [first["options"][2]["id"]], 2).json()["error"] == (
        "vote_not_open"
    )


def test_events_bring_a_stale_phone_to_the_fresh_snapshot(world: World) -> None:
    first, second = _two_votes_first_reopened(world)
    phone = world.phone()
    with phone.socket(world.id) as socket:
        before = socket.receive_json(timeout=5)
        assert before["data"]["vote"]["id"] == first["id"]
        assert _steer(world, first, "close").status_code == 200
        event = socket.receive_json(timeout=5)
    assert event["type"] == "vote.changed"
    fresh = phone.get(f"/api/v1/assemblies/{world.id}/snapshot").json()["vote"]
    assert fresh["id"] == second["id"]
    assert fresh["status"] == "draft"
    shared = {k: v for k, v in fresh.items() if k not in ("my_ballot", "next_seq")}
    assert event["data"]["vote"] == shared
