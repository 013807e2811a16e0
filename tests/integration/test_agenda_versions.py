"""An agenda item's version: an edit names the version it was made on, and only a version the
server issued may be edited; an older one or one it never issued is refused with both texts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conftest import World


def _item(world: World) -> dict[str, Any]:
    world.open("draft")
    created = world.facilitator.post(
        f"/api/v1/assemblies/{world.id}/agenda/items", json={"title": "ขยะล้นเมือง"}
    )
    assert created.status_code == 201, created.text
    return created.json()[0]


def _edit(world: World, item: dict[str, Any], version: int, **content: Any) -> Any:
    return world.facilitator.patch(
        f"/api/v1/assemblies/{world.id}/agenda/items/{item['id']}",
        json={"version": version, **content},
    )


def _conflicts(world: World, item: dict[str, Any]) -> list[dict[str, Any]]:
    agenda = world.facilitator.get(f"/api/v1/assemblies/{world.id}/agenda/").json()
    return [
        s for s in agenda["suggestions"] if s["item_id"] == item["id"] and s["part"] == "conflict"
    ]


def test_an_edit_on_a_version_never_issued_is_refused_and_both_texts_are_kept(
    world: World,
) -> None:
    item = _item(world)
    refused = _edit(world, item, item["version"] + 1, goal="ลดขยะในตลาดสดลงครึ่งหนึ่ง")
    assert refused.status_code == 409, refused.text
    body = refused.json()
    assert body["error"] == "stale_edit"
    assert body["current"]["version"] == item["version"]
    assert body["current"]["goal"] == ""
    assert body["yours"] == {"goal": "ลดขยะในตลาดสดลงครึ่งหนึ่ง"}
    kept = _conflicts(world, item)
    assert [s["id"] for s in kept] == [body["kept_suggestion_id"]]
    assert "ลดขยะในตลาดสดลงครึ่งหนึ่ง" in kept[0]["text"]


def test_a_future_version_is_refused_even_when_the_content_matches_the_item(
    world: World,
) -> None:
    item = _item(world)
    same = _edit(world, item, item["version"] + 1, title=item["title"])
    assert same.status_code == 409, same.text
    assert same.json()["error"] == "stale_edit"
    assert same.json()["current"]["version"] == item["version"]
    far = _edit(world, item, 10**6, title=item["title"])
    assert far.status_code == 409, far.text
    assert far.json()["error"] == "stale_edit"
    assert len(_conflicts(world, item)) == 2


def test_an_empty_edit_on_a_future_version_is_refused_with_nothing_to_keep(
    world: World,
) -> None:
    item = _item(world)
    empty = _edit(world, item, item["version"] + 3)
    assert empty.status_code == 409, empty.text
    assert empty.json()["error"] == "stale_edit"
    assert empty.json()["kept_suggestion_id"] is None
    assert _conflicts(world, item) == []
    after = world.facilitator.get(f"/api/v1/assemblies/{world.id}/agenda/").json()
    assert next(i for i in after["items"] if i["id"] == item["id"])["version"] == item["version"]


def test_the_current_version_is_edited_and_a_resend_of_that_edit_is_acknowledged(
    world: World,
) -> None:
    item = _item(world)
    edited = _edit(world, item, item["version"], goal="ลดขยะ")
    assert edited.status_code == 200, edited.text
    assert edited.json()["version"] == item["version"] + 1
    resent = _edit(world, item, item["version"], goal="ลดขยะ")
    assert resent.status_code == 200, resent.text
    assert resent.json()["version"] == item["version"] + 1
    assert _conflicts(world, item) == []
