"""Bad ballots and bad setups: a clear Thai message, a 4xx with an English code, nothing stored."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from conftest import Person, World

OPTIONS = ["พอเพียง", "วินัย", "สุจริต", "จิตอาสา"]
THAI = range(0x0E00, 0x0E80)


def open_vote(world: World, method: str, **params: Any) -> dict[str, Any]:
    world.open("vote")
    created = world.facilitator.post(
        f"/api/v1/assemblies/{world.id}/votes",
        json={"method": method, "params": params, "options": OPTIONS},
    )
    assert created.status_code == 201, created.text
    vote = created.json()
    world.facilitator.post(f"/api/v1/assemblies/{world.id}/votes/{vote['id']}/open")
    return vote


def ids(vote: dict[str, Any]) -> list[str]:
    return [o["id"] for o in vote["options"]]


def ballots_stored(world: World, vote: dict[str, Any]) -> int:
    response = world.facilitator.get(f"/api/v1/assemblies/{world.id}/votes/{vote['id']}/results")
    assert response.status_code == 200
    return int(response.json()["results"]["ballots"])


def refused(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == code
    assert any(ord(ch) in THAI for ch in body["message"]), body["message"]


def post_ballot(phone: Person, world: World, vote_id: int, body: dict[str, Any]) -> Any:
    return phone.post(f"/api/v1/assemblies/{world.id}/votes/{vote_id}/ballot", json=body)


CASES = [
    ("dot", {"dots": 3, "max_per_option": 2}, lambda o: {o[0]: 3}, "too_many_dots_on_option"),
    ("dot", {"dots": 3}, lambda o: {o[0]: 2, o[1]: 2}, "too_many_dots"),
    ("dot", {"dots": 3}, lambda o: {o[0]: -1, o[1]: 1}, "negative_value"),
    ("dot", {"dots": 3}, lambda o: {}, "empty_ballot"),
    ("dot", {"dots": 3}, lambda o: {o[0]: 1.5}, "not_an_integer"),
    ("score", {}, lambda o: {o[0]: 6}, "score_out_of_range"),
    ("score", {}, lambda o: {o[0]: -1}, "score_out_of_range"),
    ("ranking", {"min_ranked": 2}, lambda o: [o[0], o[0]], "duplicate_in_ranking"),
    ("ranking", {"min_ranked": 3}, lambda o: [o[0], o[1]], "too_few_ranked"),
    ("ranking", {}, lambda o: {o[0]: 1}, "malformed_ballot"),
    ("budget", {}, lambda o: {o[0]: 60, o[1]: 30}, "budget_wrong_total"),
    ("budget", {}, lambda o: {o[0]: 120, o[1]: -20}, "negative_value"),
    ("approval", {"max_approvals": 1}, lambda o: [o[0], o[1]], "too_many_approvals"),
    ("approval", {}, lambda o: ["999999"], "unknown_option"),
    ("approval", {}, lambda o: "วินัย", "malformed_ballot"),
]


@pytest.mark.parametrize(("method", "params", "make", "code"), CASES)
def test_a_ballot_breaking_the_rules_is_refused_and_not_stored(
    world: World, method: str, params: dict[str, Any], make: Any, code: str
) -> None:
    vote = open_vote(world, method, **params)
    phone = world.phone()
    response = post_ballot(phone, world, vote["id"], {"ballot": make(ids(vote)), "client_seq": 1})
    refused(response, 400, code)
    assert ballots_stored(world, vote) == 0


def test_a_closed_or_unknown_vote_refuses_ballots(world: World) -> None:
    vote = open_vote(world, "approval")
    phone = world.phone()
    refused(
        post_ballot(phone, world, 424242, {"ballot": [], "client_seq": 1}), 404, "vote_not_found"
    )
    world.facilitator.post(f"/api/v1/assemblies/{world.id}/votes/{vote['id']}/close")
    body = {"ballot": [ids(vote)[0]], "client_seq": 1}
    refused(post_ballot(phone, world, vote["id"], body), 409, "vote_not_open")
    assert ballots_stored(world, vote) == 0


def test_a_draft_vote_refuses_ballots(world: World) -> None:
    world.open("vote")
    created = world.facilitator.post(
        f"/api/v1/assemblies/{world.id}/votes", json={"method": "approval", "options": OPTIONS}
    ).json()
    body = {"ballot": [created["options"][0]["id"]], "client_seq": 1}
    refused(post_ballot(world.phone(), world, created["id"], body), 409, "vote_not_open")


def test_a_forged_participant_id_is_refused(world: World) -> None:
    vote = open_vote(world, "approval")
    victim, forger = world.phone("media"), world.phone("government")
    victim_id = victim.get(f"/api/v1/assemblies/{world.id}/snapshot").json()["me"]["participant_id"]
    body = {"ballot": [ids(vote)[0]], "client_seq": 1, "participant_id": victim_id}
    refused(post_ballot(forger, world, vote["id"], body), 403, "forged_participant")
    assert ballots_stored(world, vote) == 0


def test_two_tabs_of_one_phone_keep_one_ballot_and_the_older_tab_is_told(world: World) -> None:
    vote = open_vote(world, "approval")
    phone = world.phone()
    newer = post_ballot(phone, world, vote["id"], {"ballot": [ids(vote)[1]], "client_seq": 200})
    assert newer.status_code == 200
    older = post_ballot(phone, world, vote["id"], {"ballot": [ids(vote)[0]], "client_seq": 100})
    refused(older, 409, "stale_ballot")
    assert ballots_stored(world, vote) == 1
    mine = phone.get(f"/api/v1/assemblies/{world.id}/snapshot").json()["vote"]["my_ballot"]
    assert mine == {"ballot": [ids(vote)[1]], "client_seq": 200}


@pytest.mark.parametrize("seq", [0, -5, 2**60, "12", True])
def test_a_missing_or_malformed_client_seq_is_refused(world: World, seq: Any) -> None:
    vote = open_vote(world, "approval")
    response = post_ballot(
        world.phone(), world, vote["id"], {"ballot": [ids(vote)[0]], "client_seq": seq}
    )
    assert response.status_code == 400
    assert ballots_stored(world, vote) == 0


def test_strangers_and_staff_cannot_cast_ballots(world: World, stranger: Person) -> None:
    vote = open_vote(world, "approval")
    body = {"ballot": [ids(vote)[0]], "client_seq": 1}
    refused(post_ballot(stranger, world, vote["id"], body), 401, "not_authenticated")
    refused(post_ballot(world.facilitator, world, vote["id"], body), 403, "participants_only")
    assert ballots_stored(world, vote) == 0


def test_a_vote_of_another_assembly_is_not_found(world: World, sign_up: Any) -> None:
    vote = open_vote(world, "approval")
    other = sign_up("org2", "organizer")
    created = other.post("/api/v1/assemblies/", json={"name": "อื่น", "province": "อื่น"}).json()
    phone = world.phone()
    response = phone.post(
        f"/api/v1/assemblies/{created['assembly']['id']}/votes/{vote['id']}/ballot",
        json={"ballot": [ids(vote)[0]], "client_seq": 1},
    )
    refused(response, 404, "vote_not_found")


def test_steering_a_vote_is_for_staff_and_checks_its_state(world: World) -> None:
    vote = open_vote(world, "approval")
    phone = world.phone()
    base = f"/api/v1/assemblies/{world.id}/votes/{vote['id']}"
    refused(phone.post(f"{base}/close"), 403, "staff_only")
    refused(world.facilitator.post(f"{base}/open"), 409, "vote_already_open")
    world.facilitator.post(f"{base}/close")
    refused(world.facilitator.post(f"{base}/close"), 409, "vote_not_open")
    assert world.facilitator.post(f"{base}/explode").status_code == 404
    bad = world.facilitator.post(
        f"/api/v1/assemblies/{world.id}/votes", json={"method": "lottery", "options": OPTIONS}
    )
    refused(bad, 400, "invalid_method")


def test_a_bad_form_is_an_html_page_not_a_500(world: World) -> None:
    vote = open_vote(world, "score")
    phone = world.phone()
    first = ids(vote)[0]
    page = phone.post(
        f"/a/{world.id}/votes/{vote['id']}/ballot", data={f"o{first}": "ห้า", "client_seq": "3"}
    )
    assert page.status_code == 400
    assert "จำนวนเต็ม" in page.text
    no_seq = phone.post(f"/a/{world.id}/votes/{vote['id']}/ballot", data={f"o{first}": "3"})
    assert no_seq.status_code == 400
    assert ballots_stored(world, vote) == 0
