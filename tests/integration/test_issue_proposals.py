"""An issue's proposals, read by a phone that opens it in review (issue 12): everyone in the
assembly may read them, hidden ones stay out, the reader's own are marked, and the issues
every phone receives list their visible members."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.integration.conftest import Person, World


def _issue_with(world: World, ids: list[int], title: str) -> int:
    state = world.facilitator.post(
        f"/api/v1/assemblies/{world.id}/proposals/{ids[0]}/group", json={"group_id": "new"}
    ).json()
    group = next(g for g in state["groups"] if ids[0] in g["members"])
    for other in ids[1:]:
        moved = world.facilitator.post(
            f"/api/v1/assemblies/{world.id}/proposals/{other}/group",
            json={"group_id": group["id"]},
        )
        assert moved.status_code == 200, moved.text
    groups = world.facilitator.get(f"/api/v1/assemblies/{world.id}/groups").json()["groups"]
    version = next(g for g in groups if g["id"] == group["id"])["version"]
    marked = world.facilitator.patch(
        f"/api/v1/assemblies/{world.id}/groups/{group['id']}",
        json={"version": version, "title": title, "is_issue": True},
    )
    assert marked.status_code == 200, marked.text
    return int(group["id"])


def _propose(world: World, phone: Person, text: str) -> int:
    response = phone.post(f"/api/v1/assemblies/{world.id}/proposals", json={"text": text})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_a_phone_reads_an_issue_without_hidden_proposals_and_finds_its_own(
    world: World, stranger: Person
) -> None:
    world.open("collect")
    mine, theirs = world.phone("media"), world.phone("government")
    own = _propose(world, mine, "เด็กขี่มอเตอร์ไซค์ไม่สวมหมวกกันน็อก")
    other = _propose(world, theirs, "ตำรวจตั้งด่านตรวจหมวกกันน็อกหน้าโรงเรียน")
    spam = _propose(world, theirs, "ทดสอบระบบ")
    world.open("review")
    issue = _issue_with(world, [own, other, spam], "วินัยจราจร")
    hidden = world.facilitator.patch(
        f"/api/v1/assemblies/{world.id}/proposals/{spam}", json={"hidden": True}
    )
    assert hidden.status_code == 200, hidden.text

    url = f"/api/v1/assemblies/{world.id}/issues/{issue}/proposals"
    answer = mine.get(url)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["title"] == "วินัยจราจร"
    assert {p["id"]: p["mine"] for p in body["proposals"]} == {own: True, other: False}
    assert {p["network"] for p in body["proposals"]} == {"media", "government"}

    issues = mine.get(f"/api/v1/assemblies/{world.id}/snapshot").json()["issues"]
    assert [(i["id"], i["members"], i["proposal_count"]) for i in issues] == [
        (issue, sorted([own, other]), 2)
    ]

    assert stranger.get(url).status_code == 401  # never joined: not told what is in it
    missing = mine.get(f"/api/v1/assemblies/{world.id}/issues/{issue + 999}/proposals")
    assert (missing.status_code, missing.json()["error"]) == (404, "issue_not_found")
