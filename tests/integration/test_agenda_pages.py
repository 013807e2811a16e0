"""The draft and adopt sections work without JavaScript: pages render, forms POST and redirect,
a stale edit from the console form is refused with a Thai message and kept."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import World

FETCH = {"X-Requested-With": "fetch"}


def test_draft_and_adopt_by_plain_forms(world: World) -> None:
    phone = world.phone("media")
    world.open("draft")
    f = world.facilitator
    created = f.post(f"/console/{world.id}/agenda/items", data={"title": "วาระเอง 🙂"})
    assert created.status_code == 200  # redirected back to the page
    item = f.get(f"/api/v1/assemblies/{world.id}/agenda/").json()["items"][0]
    assert item["title"] == "วาระเอง 🙂"
    console = f.get(f"/console/{world.id}")
    assert console.status_code == 200
    assert "วาระเอง 🙂" in console.text
    assert f"/console/{world.id}/agenda/items/{item['id']}" in console.text
    page = phone.get(f"/a/{world.id}")
    assert page.status_code == 200
    assert "เข้าร่วมคณะทำงานวาระนี้" in page.text
    chosen = phone.post(f"/a/{world.id}/agenda/group", data={"item_id": str(item["id"])})
    assert chosen.status_code == 200  # redirected back to the page
    sent = phone.post(
        f"/a/{world.id}/agenda/items/{item['id']}/suggestions",
        data={"part": "goal", "text": "เป้าหมายจากโทรศัพท์", "client_key": "k" * 12},
    )
    assert sent.status_code == 200  # redirected back to the page
    assert "คุณอยู่ในคณะทำงานวาระนี้" in phone.get(f"/a/{world.id}").text
    presenter = f.get(f"/present/{world.id}")
    assert presenter.status_code == 200
    assert "วาระเอง 🙂" in presenter.text

    form = {
        "version": str(item["version"]),
        "title": "วาระเอง 🙂",
        "goal": "ก" * 1001,
        "plan0-name": "แผน",
        "plan0-act0-what": "กิจกรรม",
        "plan0-act0-net-media": "1",
        "plan0-act0-months": "ต.ค.-ธ.ค.",
        "ind0-name": "ตัวชี้วัด",
        "ind0-target": "10",
        "mem0-network": "media",
        "mem0-person": "บรรณาธิการ",
    }
    too_long = f.post(f"/console/{world.id}/agenda/items/{item['id']}", data=form, headers=FETCH)
    assert too_long.status_code == 400
    assert too_long.json()["error"] == "goal_too_long"
    form["goal"] = "เป้าหมาย"
    bad_month = f.post(
        f"/console/{world.id}/agenda/items/{item['id']}",
        data={**form, "plan0-act0-months": "เดือนหน้า"},
        headers=FETCH,
    )
    assert bad_month.status_code == 400
    assert bad_month.json()["error"] == "invalid_months"
    saved = f.post(f"/console/{world.id}/agenda/items/{item['id']}", data=form)
    assert saved.status_code == 200  # redirected back to the page
    item = f.get(f"/api/v1/assemblies/{world.id}/agenda/").json()["items"][0]
    assert item["plans"][0]["activities"][0]["networks"] == ["media"]
    assert item["plans"][0]["activities"][0]["when"]["months"] == [10, 11, 12]
    assert item["mechanism"][0]["person"] == "บรรณาธิการ"

    stale = world.organizer.post(
        f"/console/{world.id}/agenda/items/{item['id']}",
        data={**form, "version": "1", "goal": "อีกฉบับ"},
    )
    assert stale.status_code == 409
    assert "ทั้งสองฉบับ" in stale.text  # an HTML page in Thai, not a broken form
    console = f.get(f"/console/{world.id}")
    assert "อีกฉบับ" in console.text  # kept next to the item

    world.open("adopt")
    assert "ส่งความเห็น" in phone.get(f"/a/{world.id}").text
    answered = phone.post(
        f"/a/{world.id}/agenda/items/{item['id']}/consent",
        data={"answer": "object", "reason": "ยังไม่ชัดเจน"},
    )
    assert answered.status_code == 200  # redirected back to the page
    console = f.get(f"/console/{world.id}")
    assert "ยังไม่ชัดเจน" in console.text
    refused = f.post(
        f"/console/{world.id}/agenda/items/{item['id']}/adopt", data={"adopted": "1"}, headers=FETCH
    )
    assert refused.status_code == 409  # the objection is not handled yet
    assert "ข้อคัดค้าน" in refused.json()["message"]
    [objection] = f.get(f"/api/v1/assemblies/{world.id}/agenda/").json()["consent"][
        str(item["id"])
    ]["objections"]
    assert f'/agenda/objections/{objection["id"]}"' in console.text  # the console's form
    no_answer = f.post(
        f"/console/{world.id}/agenda/objections/{objection['id']}",
        data={"handling": "answered", "note": ""},
        headers=FETCH,
    )
    assert no_answer.status_code == 400
    handled = f.post(
        f"/console/{world.id}/agenda/objections/{objection['id']}",
        data={"handling": "answered", "note": "จะระบุตัวชี้วัดให้ชัดในแผน"},
        headers=FETCH,
    )
    assert handled.status_code == 204
    adopted = f.post(
        f"/console/{world.id}/agenda/items/{item['id']}/adopt", data={"adopted": "1"}, headers=FETCH
    )
    assert adopted.status_code == 204
    assert f.get(f"/present/{world.id}").status_code == 200

    export = world.organizer.get(f"/organize/{world.id}/export")
    assert export.status_code == 200
    assert "export.docx" in export.text
    assert phone.get(f"/organize/{world.id}/export").status_code in (401, 403)
