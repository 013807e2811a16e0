"""The review step through the real app: clustering, every curation action, the socket events
they emit, stale edits from a second facilitator, and late proposals after curation."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conftest import Person, World

RECEIVE_TIMEOUT = 10

HELMETS = [
    "รณรงค์ให้ใส่หมวกกันน็อกทุกครั้งที่ขับขี่จักรยานยนต์",
    "ตั้งด่านตรวจหมวกกันน็อกหน้าโรงเรียน",
    "สวมหมวกกันน็อกทุกครั้งเมื่อขี่มอเตอร์ไซค์",
    "ครูและนักเรียนต้องใส่หมวกกันน็อก",
]
BUDGET = [
    "เปิดเผยงบประมาณของ อบต. ให้ประชาชนตรวจสอบได้",
    "ติดประกาศการใช้งบประมาณหมู่บ้านให้ทุกคนเห็น",
    "เผยแพร่รายงานการเงินของเทศบาลทุกไตรมาส",
    "ให้ประชาชนมีส่วนร่วมตรวจสอบงบประมาณท้องถิ่น",
]
SHOPS = [
    "ร้านค้าความซื่อสัตย์ในโรงเรียน",
    "ตั้งร้านค้าซื่อสัตย์ไม่มีคนขายในชุมชน",
    "ส่งเสริมร้านค้าความซื่อสัตย์ทุกโรงเรียน",
]


def receive(socket: Any) -> dict[str, Any]:
    return socket.receive_json(timeout=RECEIVE_TIMEOUT)


def until(socket: Any, kind: str, limit: int = 60) -> dict[str, Any]:
    """The next event of this type (skipping others, e.g. the background placement)."""
    for _ in range(limit):
        message = receive(socket)
        if message.get("type") == kind:
            return message
    raise AssertionError(f"no {kind} event")


def api(world: World, path: str) -> str:
    return f"/api/v1/assemblies/{world.id}{path}"


def propose(world: World, texts: list[str], network: str = "civil_society") -> list[int]:
    phone = world.phone(network)
    ids = []
    for text in texts:
        response = phone.post(api(world, "/proposals"), json={"text": text})
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return ids


def collected(world: World) -> list[int]:
    world.open("collect")
    ids = propose(world, HELMETS, "government")
    ids += propose(world, BUDGET, "education")
    ids += propose(world, SHOPS, "religion")
    return ids


def groups_of(world: World) -> dict[str, Any]:
    response = world.facilitator.get(api(world, "/groups"))
    assert response.status_code == 200, response.text
    return response.json()


def group_with(state: dict[str, Any], proposal_id: int) -> dict[str, Any]:
    return next(g for g in state["groups"] if proposal_id in g["members"])


def assert_partition(state: dict[str, Any], ids: list[int]) -> None:
    placed = [pid for g in state["groups"] for pid in g["members"]] + state["unsorted"]
    assert sorted(placed) == sorted(ids), "every proposal is in exactly one group or unsorted"


def test_clustering_groups_every_proposal_once_and_tells_every_screen(world: World) -> None:
    ids = collected(world)
    world.open("review")
    phone = world.phone("media")
    with world.facilitator.socket(world.id) as console, phone.socket(world.id) as handset:
        receive(console), receive(handset)
        response = world.facilitator.post(api(world, "/groups/cluster"), json={})
        assert response.status_code == 200, response.text
        state = response.json()
        assert_partition(state, ids)
        assert state["grouping"]["version"] == 1
        assert all(g["title"] and not g["locked"] for g in state["groups"])
        helmets = group_with(state, ids[0])
        assert {ids[1], ids[2]} & set(helmets["members"]), "paraphrases share a group"
        assert helmets["networks"].get("government", 0) >= 2

        staff_event = until(console, "groups.changed")
        assert staff_event["data"]["groups"] == state["groups"]
        public_event = until(handset, "groups.changed")
        assert public_event["data"] == {"issues": []}, "phones see issues only"


def test_curation_actions_emit_events_and_survive_reclustering(world: World) -> None:
    ids = collected(world)
    world.open("review")
    state = world.facilitator.post(api(world, "/groups/cluster"), json={}).json()
    helmets = group_with(state, ids[0])
    phone = world.phone("media")
    with world.facilitator.socket(world.id) as console, phone.socket(world.id) as handset:
        receive(console), receive(handset)

        renamed = world.facilitator.patch(
            api(world, f"/groups/{helmets['id']}"),
            json={"title": "ความปลอดภัยบนท้องถนน", "version": helmets["version"]},
        )
        assert renamed.status_code == 200, renamed.text
        event = until(console, "groups.changed")
        group = next(g for g in event["data"]["groups"] if g["id"] == helmets["id"])
        assert (group["title"], group["locked"]) == ("ความปลอดภัยบนท้องถนน", True)
        assert group["version"] == helmets["version"] + 1
        assert until(handset, "groups.changed")["data"] == {"issues": []}

        marked = world.facilitator.patch(
            api(world, f"/groups/{helmets['id']}"), json={"is_issue": True}
        )
        assert marked.status_code == 200, marked.text
        issues = until(handset, "groups.changed")["data"]["issues"]
        assert [i["title"] for i in issues] == ["ความปลอดภัยบนท้องถนน"]
        assert set(issues[0]) == {"id", "title", "proposal_count", "networks", "members"}
        assert issues[0]["proposal_count"] == len(group["members"])

        # Move a budget proposal into the issue, then split it back out.
        budget_id = ids[4]
        source = group_with(marked.json(), budget_id)
        moved = world.facilitator.post(
            api(world, f"/proposals/{budget_id}/group"),
            json={"group_id": helmets["id"], "from_group": source["id"]},
        )
        assert moved.status_code == 200, moved.text
        assert budget_id in group_with(moved.json(), budget_id)["members"]
        until(console, "groups.changed")
        current = next(g for g in moved.json()["groups"] if g["id"] == helmets["id"])
        split = world.facilitator.post(
            api(world, f"/groups/{helmets['id']}/split"),
            json={"proposal_ids": [budget_id], "version": current["version"]},
        )
        assert split.status_code == 200, split.text
        alone = group_with(split.json(), budget_id)
        assert alone["members"] == [budget_id]
        assert alone["locked"]

        # Merge the split-off group into the budget group.
        target = next(g for g in split.json()["groups"] if g["id"] == source["id"])
        merged = world.facilitator.post(
            api(world, f"/groups/{alone['id']}/merge"),
            json={"into": target["id"], "version": alone["version"]},
        )
        assert merged.status_code == 200, merged.text
        assert all(g["id"] != alone["id"] for g in merged.json()["groups"])
        assert budget_id in group_with(merged.json(), budget_id)["members"]
        assert_partition(merged.json(), ids)

    before = {g["id"]: g for g in groups_of(world)["groups"] if g["locked"]}
    again = world.facilitator.post(api(world, "/groups/cluster"), json={"change": "more"})
    assert again.status_code == 200, again.text
    after = {g["id"]: g for g in again.json()["groups"]}
    for group_id, locked in before.items():
        assert after[group_id]["members"] == locked["members"], "curated groups are kept"
        assert after[group_id]["title"] == locked["title"]
    assert again.json()["grouping"]["granularity"] == 0.5
    assert_partition(again.json(), ids)
    snapshot = world.facilitator.get(api(world, "/snapshot")).json()
    assert [i["id"] for i in snapshot["issues"]] == [helmets["id"]]


def test_two_facilitators_at_once_the_stale_edit_is_refused(world: World, sign_up: Any) -> None:
    ids = collected(world)
    second = sign_up("fac2", "facilitator")
    added = world.organizer.post(api(world, "/facilitators"), json={"username": "fac2"})
    assert added.status_code == 201
    state = world.facilitator.post(api(world, "/groups/cluster"), json={}).json()
    group = group_with(state, ids[0])

    first = world.facilitator.patch(
        api(world, f"/groups/{group['id']}"), json={"title": "หมวกกันน็อก", "version": 1}
    )
    assert first.status_code == 200
    late = second.patch(
        api(world, f"/groups/{group['id']}"), json={"title": "ถนนปลอดภัย", "version": 1}
    )
    assert late.status_code == 409
    assert late.json()["error"] == "stale_group"
    assert late.json()["message"].startswith("วิทยากรอีกท่านเพิ่งแก้ไขกลุ่มนี้")
    assert group_with(groups_of(world), ids[0])["title"] == "หมวกกันน็อก", "nothing lost"

    stale_cluster = second.post(api(world, "/groups/cluster"), json={"version": 1})
    assert (stale_cluster.status_code, stale_cluster.json()["error"]) == (409, "stale_grouping")

    other = group_with(state, ids[4])
    wrong_source = second.post(
        api(world, f"/proposals/{ids[0]}/group"),
        json={"group_id": other["id"], "from_group": other["id"]},
    )
    assert (wrong_source.status_code, wrong_source.json()["error"]) == (409, "proposal_moved")

    merged = world.facilitator.post(
        api(world, f"/groups/{other['id']}/merge"), json={"into": group["id"]}
    )
    assert merged.status_code == 200
    gone = second.post(api(world, f"/proposals/{ids[0]}/group"), json={"group_id": other["id"]})
    assert (gone.status_code, gone.json()["error"]) == (404, "group_not_found")
    assert "ไม่มีอยู่แล้ว" in gone.json()["message"]
    assert_partition(groups_of(world), ids)


def test_late_proposals_join_a_locked_group_only_when_they_clearly_belong(
    world: World,
) -> None:
    ids = collected(world)
    state = world.facilitator.post(api(world, "/groups/cluster"), json={}).json()
    helmets = group_with(state, ids[0])
    world.facilitator.patch(api(world, f"/groups/{helmets['id']}"), json={"is_issue": True})
    with world.facilitator.socket(world.id) as console:
        receive(console)
        late = propose(world, [HELMETS[0] + " ทุกครั้ง", "อยากให้มีสวนสาธารณะริมแม่น้ำ"])
        placements = {}
        deadline = time.monotonic() + 30
        while len(placements) < 2 and time.monotonic() < deadline:
            message = receive(console)
            if message.get("type") == "proposal.grouped":
                placements[message["data"]["proposal_id"]] = message["data"]["group_id"]
    assert placements[late[0]] == helmets["id"], "a clear match joins the curated issue"
    assert placements[late[1]] is None, "an unrelated one waits in the unsorted tray"
    after = groups_of(world)
    assert late[1] in after["unsorted"]
    kept = next(g for g in after["groups"] if g["id"] == helmets["id"])
    assert set(helmets["members"]) <= set(kept["members"]), "curated members never move"


def test_similar_proposals_while_typing(world: World) -> None:
    world.open("collect")
    author = world.phone("government")
    for text in HELMETS[:2] + BUDGET[:1]:
        assert author.post(api(world, "/proposals"), json={"text": text}).status_code == 201
    typist = world.phone("media")
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + 30  # vectors are computed in the background
    while not found and time.monotonic() < deadline:
        response = typist.post(api(world, "/similar"), json={"text": HELMETS[0]})
        assert response.status_code == 200, response.text
        found = response.json()["similar"]
        time.sleep(0.1)
    assert found
    assert found[0]["text"] == HELMETS[0]
    assert set(found[0]) == {"id", "text", "network", "supports"}
    assert len(found) <= 3
    assert all("งบประมาณ" not in item["text"] for item in found)
    assert typist.get(api(world, "/similar"), params={"text": HELMETS[0]}).json()["similar"]
    own = author.post(api(world, "/similar"), json={"text": HELMETS[0]}).json()["similar"]
    assert all(item["text"] != HELMETS[0] for item in own), "one's own proposals are left out"
    assert typist.post(api(world, "/similar"), json={"text": "ขอ"}).json() == {"similar": []}

    hidden = world.facilitator.patch(
        api(world, f"/proposals/{found[0]['id']}"), json={"hidden": True}
    )
    assert hidden.status_code == 200
    again = typist.post(api(world, "/similar"), json={"text": HELMETS[0]}).json()["similar"]
    assert all(item["id"] != found[0]["id"] for item in again)


def test_only_facilitators_curate_and_strangers_see_nothing(world: World, stranger: Person) -> None:
    collected(world)
    phone = world.phone()
    refused = phone.post(api(world, "/groups/cluster"), json={})
    assert (refused.status_code, refused.json()["error"]) == (403, "staff_only")
    assert phone.get(api(world, "/groups")).status_code == 403
    anonymous = stranger.post(api(world, "/similar"), json={"text": HELMETS[0]})
    assert anonymous.status_code == 401
    assert stranger.post(api(world, "/groups/cluster"), json={}).status_code == 401
    assert phone.get(api(world, "/snapshot")).json()["issues"] == []
    assert "groups" not in phone.get(api(world, "/snapshot")).json()


def test_bad_curation_input_gets_a_clear_4xx(world: World) -> None:
    ids = collected(world)
    f = world.facilitator
    for body, code in (
        ({"granularity": 9}, "invalid_granularity"),
        ({"n_clusters": 0}, "invalid_cluster_count"),
        ({"change": "sideways"}, "invalid_change"),
    ):
        response = f.post(api(world, "/groups/cluster"), json=body)
        assert (response.status_code, response.json()["error"]) == (400, code)
        assert response.json()["message"]
    state = f.post(api(world, "/groups/cluster"), json={"n_clusters": 3}).json()
    assert len(state["groups"]) == 3
    group = group_with(state, ids[0])
    checks = [
        (f.patch(api(world, f"/groups/{group['id']}"), json={"title": "  "}), 400),
        (f.patch(api(world, f"/groups/{group['id']}"), json={"title": "ก" * 201}), 400),
        (f.post(api(world, f"/groups/{group['id']}/merge"), json={"into": group["id"]}), 400),
        (
            f.post(
                api(world, f"/groups/{group['id']}/split"),
                json={"proposal_ids": group["members"]},
            ),
            400,
        ),
        (f.patch(api(world, "/groups/999999"), json={"title": "x"}), 404),
        (f.post(api(world, "/proposals/999999/group"), json={"group_id": None}), 404),
        (f.post(api(world, f"/proposals/{ids[0]}/group"), json={"group_id": "abc"}), 400),
        (f.post(api(world, f"/groups/{group['id']}/merge"), json={"intoo": 1}), 400),
    ]
    for response, status in checks:
        assert response.status_code == status, response.text
        assert response.json()["message"]
    hidden = f.patch(api(world, f"/groups/{group['id']}"), json={"hidden": True})
    assert hidden.status_code == 200
    refused = f.patch(api(world, f"/groups/{group['id']}"), json={"is_issue": True})
    assert (refused.status_code, refused.json()["error"]) == (409, "issue_hidden")
    assert_partition(groups_of(world), ids)


def test_console_forms_work_without_javascript(world: World) -> None:
    ids = collected(world)
    world.open("review")
    f = world.facilitator
    page = f.post(f"/console/{world.id}/groups/cluster", data={"change": "same"})
    assert page.status_code == 200  # followed the 303 back to the console
    assert 'data-show-kind="review"' in page.text
    state = groups_of(world)
    group = group_with(state, ids[0])
    assert f"gf-{group['id']}" in page.text
    assert "จัดกลุ่ม" in page.text
    fetch = {"X-Requested-With": "fetch"}
    renamed = f.post(
        f"/console/{world.id}/groups/{group['id']}",
        data={"action": "rename", "title": "ถนนปลอดภัย", "version": str(group["version"])},
        headers=fetch,
    )
    assert renamed.status_code == 204
    issue = f.post(
        f"/console/{world.id}/groups/{group['id']}", data={"action": "issue"}, headers=fetch
    )
    assert issue.status_code == 204
    moved = f.post(
        f"/console/{world.id}/proposals/{ids[5]}/group",
        data={"group_id": "new", "from_group": str(group_with(state, ids[5])["id"])},
        headers=fetch,
    )
    assert moved.status_code == 204
    split = f.post(
        f"/console/{world.id}/groups/{group['id']}",
        data={"action": "split", "proposal_ids": [str(ids[1])]},
        headers=fetch,
    )
    assert split.status_code == 204, split.text
    stale = f.post(
        f"/console/{world.id}/groups/{group['id']}",
        data={"action": "hide", "version": "1"},
        headers=fetch,
    )
    assert (stale.status_code, stale.json()["error"]) == (409, "stale_group")
    unknown = f.post(f"/console/{world.id}/groups/{group['id']}", data={"action": "explode"})
    assert unknown.status_code == 400
    assert "ไม่รู้จักคำสั่งนี้" in unknown.text
    final = groups_of(world)
    assert group_with(final, ids[0])["title"] == "ถนนปลอดภัย"
    assert group_with(final, ids[5])["members"] == [ids[5]]
    assert group_with(final, ids[1])["id"] != group["id"]
    assert_partition(final, ids)
    presenter = world.organizer.get(f"/present/{world.id}")
    assert "ถนนปลอดภัย" in presenter.text
    phone_page = world.phone().get(f"/a/{world.id}")
    assert "ถนนปลอดภัย" in phone_page.text


def test_moving_several_proposals_is_one_change_and_one_event(world: World) -> None:
    """Issue 12: tick several proposals on the board, one move: all or none, one event."""
    ids = collected(world)
    world.open("review")
    state = world.facilitator.post(api(world, "/groups/cluster"), json={}).json()
    target = group_with(state, ids[0])
    chosen = [ids[4], ids[5], ids[8]]  # from other groups (budget, shops)
    before = state["grouping"]["version"]
    with world.facilitator.socket(world.id) as console:
        receive(console)
        moved = world.facilitator.post(
            api(world, "/proposals/group"), json={"proposal_ids": chosen, "group_id": target["id"]}
        )
        assert moved.status_code == 200, moved.text
        event = until(console, "groups.changed")
        group = next(g for g in event["data"]["groups"] if g["id"] == target["id"])
        assert set(chosen) <= set(group["members"])
        assert event["data"]["grouping"]["version"] == before + 1  # one change, not three
        assert_partition(groups_of(world), ids)

        # A form post (no JavaScript) moves them to the unsorted tray in one go.
        back = world.facilitator.post(
            f"/console/{world.id}/proposals/group",
            data={"proposal_ids": [str(i) for i in chosen], "group_id": ""},
            headers={"X-Requested-With": "fetch"},
        )
        assert back.status_code == 204, back.text
        assert set(chosen) <= set(groups_of(world)["unsorted"])

    # An unknown id among them: nothing moves, a clear 404; nothing ticked: a clear 400.
    bad = world.facilitator.post(
        api(world, "/proposals/group"), json={"proposal_ids": [ids[0], 999_999], "group_id": None}
    )
    assert (bad.status_code, bad.json()["error"]) == (404, "proposal_not_found"), bad.text
    assert ids[0] in group_with(groups_of(world), ids[0])["members"]
    for body, code in (
        ({"proposal_ids": [], "group_id": None}, "no_proposals_chosen"),
        ({"proposal_ids": ["x"], "group_id": None}, "invalid_proposal"),
        ({"proposal_ids": "1", "group_id": None}, "invalid_proposal"),
        ({"proposal_ids": list(range(1, 600)), "group_id": None}, "too_many_proposals"),
    ):
        refused = world.facilitator.post(api(world, "/proposals/group"), json=body)
        assert (refused.status_code, refused.json()["error"]) == (400, code), refused.text
