"""A vote step end to end through the real app: set up, open, ballots exactly once, results."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conftest import Person, World

VIRTUES = ["พอเพียง", "วินัย", "สุจริต", "จิตอาสา", "กตัญญู", "รับผิดชอบ"]


def setup_vote(world: World, method: str = "dot", **params: Any) -> dict[str, Any]:
    world.open("vote")
    response = world.facilitator.post(
        f"/api/v1/assemblies/{world.id}/votes",
        json={"method": method, "params": params, "options": VIRTUES},
    )
    assert response.status_code == 201, response.text
    vote = response.json()
    opened = world.facilitator.post(f"/api/v1/assemblies/{world.id}/votes/{vote['id']}/open")
    assert opened.status_code == 200, opened.text
    return vote


def option(vote: dict[str, Any], label: str) -> str:
    return next(o["id"] for o in vote["options"] if o["label"] == label)


def cast(phone: Person, world: World, vote: dict[str, Any], ballot: Any, seq: int) -> Any:
    return phone.post(
        f"/api/v1/assemblies/{world.id}/votes/{vote['id']}/ballot",
        json={"ballot": ballot, "client_seq": seq},
    )


def results(person: Person, world: World, vote: dict[str, Any]) -> dict[str, Any]:
    response = person.get(f"/api/v1/assemblies/{world.id}/votes/{vote['id']}/results")
    assert response.status_code == 200, response.text
    return response.json()["results"]


def test_a_retry_is_acknowledged_but_counted_once(world: World) -> None:
    vote = setup_vote(world, "dot", dots=3)
    phone = world.phone("government")
    ballot = {option(vote, "วินัย"): 2, option(vote, "สุจริต"): 1}
    first = cast(phone, world, vote, ballot, 10)
    assert first.status_code == 200, first.text
    assert first.json()["replay"] is False
    again = cast(phone, world, vote, ballot, 10)
    assert again.status_code == 200
    assert again.json()["replay"] is True
    tally = results(world.facilitator, world, vote)
    assert tally["ballots"] == 1
    assert tally["ranking"][0]["label"] == "วินัย"
    assert tally["ranking"][0]["value"] == 2


def test_the_last_ballot_counts_and_an_older_one_never_overwrites_it(world: World) -> None:
    vote = setup_vote(world, "approval")
    phone = world.phone("media")
    newer = cast(phone, world, vote, [option(vote, "จิตอาสา")], 20)
    assert newer.status_code == 200
    older = cast(phone, world, vote, [option(vote, "พอเพียง")], 19)
    assert older.status_code == 409
    assert older.json()["error"] == "stale_ballot"
    assert "ใหม่กว่า" in older.json()["message"]
    changed = cast(phone, world, vote, [option(vote, "กตัญญู")], 21)
    assert changed.status_code == 200
    tally = results(world.facilitator, world, vote)
    assert tally["ballots"] == 1
    by_label = {line["label"]: line["value"] for line in tally["ranking"]}
    assert by_label["กตัญญู"] == 1
    assert by_label["จิตอาสา"] == 0


def test_same_client_seq_with_different_content_is_refused(world: World) -> None:
    vote = setup_vote(world, "approval")
    phone = world.phone()
    assert cast(phone, world, vote, [option(vote, "วินัย")], 5).status_code == 200
    other = cast(phone, world, vote, [option(vote, "สุจริต")], 5)
    assert other.status_code == 409


def test_participants_see_results_only_after_reveal(world: World) -> None:
    vote = setup_vote(world, "score")
    phone = world.phone("religion")
    assert cast(phone, world, vote, {option(vote, "สุจริต"): 5}, 1).status_code == 200
    hidden = phone.get(f"/api/v1/assemblies/{world.id}/votes/{vote['id']}/results")
    assert hidden.status_code == 403
    assert hidden.json()["error"] == "results_hidden"
    snapshot = phone.get(f"/api/v1/assemblies/{world.id}/snapshot").json()
    assert "results" not in snapshot["vote"]
    assert snapshot["vote"]["my_ballot"]["ballot"] == {option(vote, "สุจริต"): 5}
    staff_view = world.facilitator.get(f"/api/v1/assemblies/{world.id}/snapshot").json()
    assert staff_view["vote"]["turnout"]["voted"] == 1
    religion = next(n for n in staff_view["vote"]["turnout"]["networks"] if n["key"] == "religion")
    assert (religion["voted"], religion["joined"]) == (1, 1)

    revealed = world.facilitator.post(f"/api/v1/assemblies/{world.id}/votes/{vote['id']}/reveal")
    assert revealed.status_code == 200
    assert results(phone, world, vote)["ranking"][0]["label"] == "สุจริต"
    snapshot = phone.get(f"/api/v1/assemblies/{world.id}/snapshot").json()
    assert snapshot["vote"]["results"]["ballots"] == 1


def test_ranking_reports_borda_schulze_and_condorcet(world: World) -> None:
    vote = setup_vote(world, "ranking", min_ranked=2)
    a, b, c = (option(vote, label) for label in VIRTUES[:3])
    orders = [[a, b, c], [a, c, b], [b, a, c]]
    for i, order in enumerate(orders):
        phone = world.phone(["government", "education", "media"][i])
        assert cast(phone, world, vote, order, 1).status_code == 200
    tally = results(world.facilitator, world, vote)
    assert tally["ranking"][0]["option_id"] == a
    assert tally["schulze"]["condorcet_winner"] == a
    assert tally["ranking"][0]["schulze_rank"] == 1


def test_ties_are_shown_as_ties(world: World) -> None:
    vote = setup_vote(world, "approval")
    for network, label in (("government", "วินัย"), ("business", "สุจริต")):
        assert cast(world.phone(network), world, vote, [option(vote, label)], 1).status_code == 200
    tally = results(world.facilitator, world, vote)
    top = tally["ranking"][:2]
    assert [line["rank"] for line in top] == [1, 1]
    assert all(line["tied"] for line in top)


def test_consensus_ranks_broad_support_above_one_large_network(world: World) -> None:
    vote = setup_vote(world, "approval")
    narrow, broad = option(vote, "วินัย"), option(vote, "จิตอาสา")
    for _ in range(8):
        assert cast(world.phone("government"), world, vote, [narrow], 1).status_code == 200
    for network in ("business", "civil_society", "education", "religion", "media"):
        assert cast(world.phone(network), world, vote, [broad], 1).status_code == 200
    tally = results(world.facilitator, world, vote)
    assert tally["ranking"][0]["option_id"] == narrow  # 8 approvals against 5
    assert tally["consensus"][0]["option_id"] == broad
    assert tally["consensus"][0]["networks"]["media"]["supporters"] == 1


def test_closing_stops_ballots_and_reopening_accepts_them(world: World) -> None:
    vote = setup_vote(world, "budget")
    phone = world.phone()
    ballot = {option(vote, "วินัย"): 60, option(vote, "สุจริต"): 40}
    closed = world.facilitator.post(f"/api/v1/assemblies/{world.id}/votes/{vote['id']}/close")
    assert closed.status_code == 200
    refused = cast(phone, world, vote, ballot, 1)
    assert refused.status_code == 409
    assert refused.json()["error"] == "vote_not_open"
    world.facilitator.post(f"/api/v1/assemblies/{world.id}/votes/{vote['id']}/open")
    assert cast(phone, world, vote, ballot, 2).status_code == 200


def test_a_closed_step_refuses_ballots_even_with_the_vote_open(world: World) -> None:
    vote = setup_vote(world, "approval")
    phone = world.phone()
    step = world.step_id("vote")
    world.facilitator.post(f"/api/v1/assemblies/{world.id}/steps/{step}/close")
    refused = cast(phone, world, vote, [option(vote, "วินัย")], 1)
    assert refused.status_code == 409
    assert refused.json()["error"] == "step_closed"


def test_setting_up_a_vote_needs_a_vote_step_and_staff(world: World) -> None:
    body = {"method": "dot", "params": {"dots": 3}, "options": VIRTUES}
    world.open("collect")
    wrong_step = world.facilitator.post(f"/api/v1/assemblies/{world.id}/votes", json=body)
    assert wrong_step.status_code == 409
    world.open("vote")
    phone = world.phone()
    not_staff = phone.post(f"/api/v1/assemblies/{world.id}/votes", json=body)
    assert not_staff.status_code == 403
    one_option = world.facilitator.post(
        f"/api/v1/assemblies/{world.id}/votes", json={**body, "options": ["พอเพียง", " "]}
    )
    assert one_option.status_code == 400
    assert one_option.json()["error"] == "too_few_options"
    bad_settings = world.facilitator.post(
        f"/api/v1/assemblies/{world.id}/votes",
        json={**body, "params": {"dots": 3, "max_per_option": 5}},
    )
    assert bad_settings.status_code == 400
    assert bad_settings.json()["error"] == "invalid_method_settings"
    no_issues = world.facilitator.post(
        f"/api/v1/assemblies/{world.id}/votes", json={**body, "subject": "issues"}
    )
    assert no_issues.status_code == 400
    assert no_issues.json()["error"] == "no_issues"


def test_a_draft_is_replaced_and_an_open_vote_must_close_first(world: World) -> None:
    world.open("vote")
    url = f"/api/v1/assemblies/{world.id}/votes"
    first = world.facilitator.post(url, json={"method": "approval", "options": VIRTUES})
    second = world.facilitator.post(url, json={"method": "score", "options": VIRTUES[:3]})
    assert first.json()["id"] == second.json()["id"]
    assert len(second.json()["options"]) == 3
    world.facilitator.post(f"{url}/{second.json()['id']}/open")
    refused = world.facilitator.post(url, json={"method": "dot", "options": VIRTUES})
    assert refused.status_code == 409
    assert refused.json()["error"] == "vote_open"


def test_exports_recount_to_the_same_results(world: World) -> None:
    from voting.export import recount

    vote = setup_vote(world, "ranking", min_ranked=3)
    ids = [o["id"] for o in vote["options"]]
    for i, network in enumerate(("government", "media", "religion", "education")):
        order = ids[i:] + ids[:i]
        assert cast(world.phone(network), world, vote, order[:3], 1).status_code == 200
    base = f"/a/{world.id}/votes/{vote['id']}"
    exported = world.facilitator.get(f"{base}/export/vote.json")
    assert exported.status_code == 200
    document = exported.json()
    assert len(document["ballots"]) == 4
    assert "participant_id" not in exported.text
    assert recount(document) == document["results"] == results(world.facilitator, world, vote)
    tally = world.facilitator.get(f"{base}/export/tally.csv")
    assert tally.status_code == 200
    assert tally.content.startswith("\ufeff".encode())
    assert "พอเพียง" in tally.content.decode("utf-8")
    ballots = world.facilitator.get(f"{base}/export/ballots.csv")
    assert ballots.content.decode("utf-8-sig").count("\r\n") == 5
    phone = world.phone()
    assert phone.get(f"{base}/export/vote.json").status_code == 403


def test_results_charts_are_svg(world: World) -> None:
    vote = setup_vote(world, "dot", dots=5, max_per_option=3)
    cast(world.phone("business"), world, vote, {option(vote, "วินัย"): 3}, 1)
    base = f"/a/{world.id}/votes/{vote['id']}/charts"
    for name in ("ranking.svg", "consensus.svg", "turnout.svg"):
        response = world.facilitator.get(f"{base}/{name}")
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("image/svg+xml")
        assert response.text.startswith("<svg")
    assert "วินัย" in world.facilitator.get(f"{base}/ranking.svg").text
    assert world.facilitator.get(f"{base}/pie.svg").status_code == 404
