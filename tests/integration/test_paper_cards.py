"""Paper cards entered by table assistants (issue 20, docs/paper.md), on both databases:
counted once, marked as paper, recountable from the export, duplicates refused, corrections
audited, and only assistants of this assembly, only while the step allows it."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from voting.export import recount

if TYPE_CHECKING:
    from conftest import Person, World

PASSWORD = "correct horse battery"


def _ok(response: Any) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


def _assistant(world: World, username: str = "ผู้ช่วยโต๊ะ1") -> Person:
    api = f"/api/v1/assemblies/{world.id}/paper"
    _ok(
        world.organizer.post(
            f"{api}/assistants",
            json={"username": username, "display_name": "ผู้ช่วยหนึ่ง", "password": PASSWORD},
        )
    )
    person = type(world.organizer)(world.client)
    _ok(person.post("/api/v1/login", json={"username": username, "password": PASSWORD}))
    return person


def _vote(world: World, method: str, **params: int) -> tuple[int, list[str]]:
    api = f"/api/v1/assemblies/{world.id}/votes"
    vote = _ok(
        world.facilitator.post(
            f"{api}/", json={"method": method, "options": ["ก", "ข", "ค"], "params": params}
        )
    )
    _ok(world.facilitator.post(f"{api}/{vote['id']}/open"))
    return vote["id"], [o["id"] for o in vote["options"]]


def test_cards_are_counted_once_marked_paper_and_recount_from_the_export(world: World) -> None:
    api = f"/api/v1/assemblies/{world.id}"
    assistant = _assistant(world)
    [first, _second] = _ok(
        world.organizer.post(f"{api}/paper/cards", json={"kind": "proposal", "count": 2})
    )["numbers"]
    world.open("collect")
    entered = _ok(
        assistant.post(
            f"{api}/paper/cards/{first}",
            json={
                "person": {"network": "religion", "display_name": "พระครูสมชาย"},
                "proposals": ["วัดเป็นศูนย์กลางชุมชน", "ธนาคารความดี"],
                "client_key": "entry-one",
            },
        )
    )
    assert len(entered["proposals"]) == 2
    # A resend of the same entry (lost answer) is acknowledged, not refused, not doubled.
    again = _ok(
        assistant.post(
            f"{api}/paper/cards/{first}",
            json={
                "person": {"network": "religion"},
                "proposals": ["วัดเป็นศูนย์กลางชุมชน", "ธนาคารความดี"],
                "client_key": "entry-one",
            },
        )
    )
    assert again["replay"] is True
    assert [p["id"] for p in again["proposals"]] == [p["id"] for p in entered["proposals"]]
    duplicate = assistant.post(
        f"{api}/paper/cards/{first}",
        json={"person": {"network": "media"}, "proposals": ["อีกครั้ง"], "client_key": "other"},
    )
    assert (duplicate.status_code, duplicate.json()["error"]) == (409, "card_already_entered")
    world.client.cookies.clear()
    snapshot = _ok(world.facilitator.get(f"{api}/snapshot"))
    religion = next(n for n in snapshot["networks"] if n["key"] == "religion")
    assert religion["joined"] == 1  # the paper participant counts in the network balance

    phone = world.phone("media")
    world.open("vote")
    vote_id, options = _vote(world, "approval")
    cards = _ok(
        world.organizer.post(
            f"{api}/paper/cards", json={"kind": "ballot", "vote_id": vote_id, "count": 3}
        )
    )["numbers"]
    _ok(phone.post(f"{api}/votes/{vote_id}/ballot", json={"ballot": [options[1]], "client_seq": 1}))
    # A wrong ballot is refused before the card is taken: the card stays blank.
    wrong = assistant.post(
        f"{api}/paper/cards/{cards[0]}", json={"same_as": first, "ballot": {"x": 1}}
    )
    assert wrong.status_code == 400, wrong.text
    _ok(
        assistant.post(
            f"{api}/paper/cards/{cards[0]}", json={"same_as": first, "ballot": [options[0]]}
        )
    )
    twice = assistant.post(
        f"{api}/paper/cards/{cards[1]}", json={"same_as": first, "ballot": [options[2]]}
    )
    assert (twice.status_code, twice.json()["error"]) == (409, "person_already_voted")
    _ok(
        assistant.post(
            f"{api}/paper/cards/{cards[1]}",
            json={"person": {"network": "civil_society"}, "ballot": [options[0], options[2]]},
        )
    )
    duplicate = assistant.post(
        f"{api}/paper/cards/{cards[1]}",
        json={"person": {"network": "civil_society"}, "ballot": [options[0]]},
    )
    assert (duplicate.status_code, duplicate.json()["error"]) == (409, "card_already_entered")
    # A correction replaces the card's ballot and is audited.
    fixed = _ok(
        assistant.post(
            f"{api}/paper/cards/{cards[1]}", json={"ballot": [options[2]], "correct": True}
        )
    )
    assert fixed["corrected"] is True
    history = _ok(world.facilitator.get(f"{api}/paper/cards/{cards[1]}/history"))["changes"]
    assert [(c["change"], c["by"]) for c in history] == [
        ("entered", "ผู้ช่วยโต๊ะ1"),
        ("corrected", "ผู้ช่วยโต๊ะ1"),
    ]
    assert (history[1]["before"], history[1]["after"]) == (
        {options[0]: 1, options[2]: 1},
        {options[2]: 1},
    )

    results = _ok(world.facilitator.get(f"{api}/votes/{vote_id}/results"))["results"]
    assert results["ballots"] == 3
    assert results["paper"] == {"civil_society": 1, "religion": 1}
    assert {line["option_id"]: line["value"] for line in results["ranking"]} == {
        options[0]: 1,
        options[1]: 1,
        options[2]: 1,
    }
    exported = world.facilitator.get(f"/a/{world.id}/votes/{vote_id}/export/vote.json").json()
    assert recount(exported) == exported["results"] == results
    paper = sorted(
        (b for b in exported["ballots"] if b["source"] == "paper"), key=lambda b: b["card"]
    )
    assert [(b["card"], b["entered_by"], b["corrected_by"]) for b in paper] == [
        (cards[0], "ผู้ช่วยโต๊ะ1", None),
        (cards[1], "ผู้ช่วยโต๊ะ1", "ผู้ช่วยโต๊ะ1"),
    ]
    assert all(b["entered_at"] for b in paper)
    table = world.facilitator.get(f"/a/{world.id}/votes/{vote_id}/export/ballots.csv")
    rows = list(csv.DictReader(io.StringIO(table.content.decode("utf-8-sig"))))
    assert sorted(r["card"] for r in rows if r["source"] == "paper") == sorted(
        str(c) for c in cards[:2]
    )
    turnout = _ok(world.facilitator.get(f"{api}/snapshot"))["vote"]["turnout"]
    assert (turnout["voted"], turnout["paper"], turnout["joined"]) == (3, 2, 3)
    assert (turnout["cards"]["entered"], turnout["cards"]["printed"]) == (2, 3)


def test_only_assistants_enter_cards_only_while_the_step_allows(
    world: World, sign_up: Callable[[str, str], Person]
) -> None:
    api = f"/api/v1/assemblies/{world.id}"
    assistant = _assistant(world)
    phone = world.phone("media")
    [card] = _ok(world.organizer.post(f"{api}/paper/cards", json={"kind": "proposal", "count": 1}))[
        "numbers"
    ]
    body = {"person": {"network": "religion"}, "proposals": ["ข้อเสนอจากบัตร"]}
    world.open("review")
    closed = assistant.post(f"{api}/paper/cards/{card}", json=body)
    assert (closed.status_code, closed.json()["error"]) == (409, "wrong_step")
    world.open("collect")
    for who in (phone, world.facilitator, world.organizer):
        refused = who.post(f"{api}/paper/cards/{card}", json=body)
        assert (refused.status_code, refused.json()["error"]) == (403, "assistants_only")
    # The assistant's own phone-less account is not a participant.
    own = assistant.post(f"{api}/proposals", json={"text": "ของผู้ช่วยเอง"})
    assert (own.status_code, own.json()["error"]) == (403, "participants_only")
    # An assistant of another assembly is no one here.
    other_org = sign_up("org2", "organizer")
    other = _ok(other_org.post("/api/v1/assemblies/", json={"name": "อื่น", "province": "อื่น"}))
    _ok(
        other_org.post(
            f"/api/v1/assemblies/{other['assembly']['id']}/paper/assistants",
            json={"username": "asst2", "password": PASSWORD},
        )
    )
    stranger = type(world.organizer)(world.client)
    _ok(stranger.post("/api/v1/login", json={"username": "asst2", "password": PASSWORD}))
    refused = stranger.post(f"{api}/paper/cards/{card}", json=body)
    assert (refused.status_code, refused.json()["error"]) == (403, "not_in_assembly")
    _ok(assistant.post(f"{api}/paper/cards/{card}", json=body))


def test_a_vote_closes_after_the_stacks_are_entered_or_anyway(world: World) -> None:
    api = f"/api/v1/assemblies/{world.id}"
    assistant = _assistant(world)
    world.open("vote")
    vote_id, options = _vote(world, "score", max_score=5)
    [card] = _ok(
        world.organizer.post(
            f"{api}/paper/cards", json={"kind": "ballot", "vote_id": vote_id, "count": 1}
        )
    )["numbers"]
    _ok(
        assistant.post(
            f"{api}/paper/cards/{card}",
            json={"person": {"network": "government"}, "ballot": {options[0]: 5, options[1]: 2}},
        )
    )
    pending = world.facilitator.post(f"{api}/votes/{vote_id}/close")
    assert (pending.status_code, pending.json()["error"]) == (409, "paper_stacks_pending")
    _ok(assistant.post(f"{api}/paper/votes/{vote_id}/stack", json={"entered": True}))
    _ok(world.facilitator.post(f"{api}/votes/{vote_id}/close"))
    late = assistant.post(f"{api}/paper/cards/{card}", json={"ballot": {}, "correct": True})
    assert (late.status_code, late.json()["error"]) == (409, "vote_not_open")
    _ok(world.facilitator.post(f"{api}/votes/{vote_id}/open"))
    _ok(assistant.post(f"{api}/paper/votes/{vote_id}/stack", json={"entered": False}))
    forced = world.facilitator.post(f"{api}/votes/{vote_id}/close-anyway")
    assert forced.status_code == 200, forced.text


def test_supports_and_consent_for_a_paper_participant_go_through_the_phone_rules(
    world: World,
) -> None:
    api = f"/api/v1/assemblies/{world.id}"
    assistant = _assistant(world)
    [card] = _ok(world.organizer.post(f"{api}/paper/cards", json={"kind": "proposal", "count": 1}))[
        "numbers"
    ]
    phone = world.phone("media")
    world.open("collect")
    proposal = _ok(phone.post(f"{api}/proposals", json={"text": "ตลาดนัดความดี"}))["id"]
    _ok(
        assistant.post(
            f"{api}/paper/cards/{card}",
            json={"person": {"network": "religion"}, "proposals": ["ศีลห้า"]},
        )
    )
    world.open("review")
    for _ in range(2):  # once per participant, as on a phone
        supported = _ok(
            assistant.post(f"{api}/paper/cards/{card}/supports", json={"proposal_id": proposal})
        )
    assert supported["supports"] == 1
    page = assistant.get(f"/a/{world.id}/paper?card={card}")
    form = f"/a/{world.id}/paper/cards/{card}/supports/{proposal}"
    assert f'action="{form}"' in page.text
    answered = assistant.post(form, data={}, follow_redirects=False)
    assert (answered.status_code, answered.headers["location"]) == (
        303,
        f"/a/{world.id}/paper?card={card}#supports",
    )
    world.open("draft")
    item = _ok(world.facilitator.post(f"{api}/agenda/items", json={"title": "วาระที่หนึ่ง"}))[0]["id"]
    early = assistant.post(
        f"{api}/paper/cards/{card}/consent", json={"item_id": item, "answer": "agree"}
    )
    assert (early.status_code, early.json()["error"]) == (409, "wrong_step")
    world.open("adopt")
    _ok(
        assistant.post(
            f"{api}/paper/cards/{card}/consent", json={"item_id": item, "answer": "agree"}
        )
    )
    blank = _ok(world.organizer.post(f"{api}/paper/cards", json={"kind": "proposal", "count": 1}))
    refused = assistant.post(
        f"{api}/paper/cards/{blank['numbers'][0]}/consent",
        json={"item_id": item, "answer": "agree"},
    )
    assert (refused.status_code, refused.json()["error"]) == (400, "same_as_not_entered")
