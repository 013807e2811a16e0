"""The pages a person sees: Thai first, plain forms that work without JavaScript, no other host."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import Person, World

EXTERNAL = re.compile(r"""(?:src|href|action)=["'](?:https?:)?//(?!testserver\.local)""")


def assert_self_contained(html: str) -> None:
    assert not EXTERNAL.search(html), EXTERNAL.search(html)


def test_a_phone_joins_in_two_taps_from_the_code_and_lands_on_the_open_step(
    world: World, stranger: Person
) -> None:
    world.open("collect")
    home = stranger.get("/")
    assert home.status_code == 200
    assert 'lang="th"' in home.text
    assert "เข้าร่วมสมัชชา" in home.text
    join_page = stranger.get("/", params={"code": world.code})  # tap 1: the code
    assert join_page.status_code == 200
    assert join_page.url.path == f"/j/{world.code}"
    assert join_page.text.count('name="network"') == 6
    assert "ภาคประชาสังคม ชุมชน ครอบครัว เด็กและเยาวชน" in join_page.text
    landed = stranger.post(f"/j/{world.code}", data={"network": "religion"})  # tap 2: a network
    assert landed.status_code == 200
    assert landed.url.path == f"/a/{world.id}"
    assert "ปัญหาคุณธรรมที่สำคัญของจังหวัดเราคืออะไร" in landed.text
    assert "ส่งข้อเสนอ" in landed.text
    again = stranger.get(f"/j/{world.code}", follow_redirects=False)
    assert (again.status_code, again.headers["location"]) == (303, f"/a/{world.id}")
    for html in (home.text, join_page.text, landed.text):
        assert_self_contained(html)


def test_a_proposal_sent_by_a_plain_form_appears_on_the_phone_and_the_console(world: World) -> None:
    phone = world.phone("education")
    world.open("collect")
    sent = phone.post(f"/a/{world.id}/proposals", data={"text": "<b>ครู</b>เป็นแบบอย่าง"})
    assert sent.status_code == 200
    assert "&lt;b&gt;ครู&lt;/b&gt;เป็นแบบอย่าง" in sent.text
    assert "<b>ครู</b>" not in sent.text
    console = world.facilitator.get(f"/console/{world.id}")
    assert console.status_code == 200
    assert "&lt;b&gt;ครู&lt;/b&gt;เป็นแบบอย่าง" in console.text
    assert "แผงควบคุม" in console.text
    assert_self_contained(console.text)


def test_the_facilitator_steers_and_moderates_with_plain_forms(world: World) -> None:
    phone = world.phone()
    collect = world.step_id("collect")
    opened = world.facilitator.post(
        f"/console/{world.id}/steps/{collect}/open", data={"minutes": "5"}, follow_redirects=False
    )
    assert opened.status_code == 303
    proposal = phone.post(f"/api/v1/assemblies/{world.id}/proposals", json={"text": "ใส่หมวกกันน๊อค"})
    proposal_id = proposal.json()["id"]
    fixed = world.facilitator.post(
        f"/console/{world.id}/proposals/{proposal_id}",
        data={"action": "edit", "text": "ใส่หมวกกันน็อก"},
        headers={"X-Requested-With": "fetch"},
    )
    assert fixed.status_code == 204
    hidden = world.facilitator.post(
        f"/console/{world.id}/proposals/{proposal_id}", data={"action": "hide"}
    )
    assert hidden.status_code == 200
    snapshot = world.facilitator.get(f"/api/v1/assemblies/{world.id}/snapshot").json()
    assert snapshot["proposals"][0] | {"created_at": None} == {
        "id": proposal_id,
        "text": "ใส่หมวกกันน็อก",
        "network": "civil_society",
        "supports": 0,
        "hidden": True,
        "edited": True,
        "created_at": None,
    }
    assert snapshot["step"]["ends_at"] is not None


def test_the_presenter_screen_shows_the_code_a_qr_and_live_counts(world: World) -> None:
    world.phone("media")
    page = world.facilitator.get(f"/present/{world.id}")
    assert page.status_code == 200
    assert world.code in page.text
    assert "<svg" in page.text
    assert f"http://testserver.local/j/{world.code}" in page.text
    assert_self_contained(page.text)
    qr = world.organizer.get(f"/organize/{world.id}/qr.svg")
    assert qr.headers["content-type"].startswith("image/svg+xml")
    assert qr.text.startswith("<svg")


def test_the_organizer_sets_up_networks_and_steps(world: World) -> None:
    added = world.organizer.post(
        f"/organize/{world.id}/networks",
        data={"key": "youth", "name_th": "สภาเด็กและเยาวชน", "name_en": "Youth", "color": "#0ea5e9"},
    )
    assert added.status_code == 200
    assert "สภาเด็กและเยาวชน" in added.text
    step = world.organizer.post(
        f"/organize/{world.id}/steps",
        data={
            "kind": "collect",
            "title": "ทุนของพื้นที่",
            "prompt": "จังหวัดเรามีของดีอะไร",
            "show_others": "on",
        },
    )
    assert step.status_code == 200
    snapshot = world.organizer.get(f"/api/v1/assemblies/{world.id}/snapshot").json()
    assert [n["key"] for n in snapshot["networks"]][-1] == "youth"
    assert snapshot["steps"][-1]["title"] == "ทุนของพื้นที่"
    assert world.phone("youth").get(f"/a/{world.id}").status_code == 200
    bad_colour = world.organizer.post(
        f"/organize/{world.id}/networks", data={"key": "x1", "name_th": "x", "color": "red"}
    )
    assert bad_colour.status_code == 400
    assert "สีต้องอยู่ในรูปแบบ" in bad_colour.text


def test_english_is_one_tap_away_and_remembered(world: World, stranger: Person) -> None:
    switched = stranger.get("/lang/en", params={"next": f"/j/{world.code}"})
    assert switched.status_code == 200
    assert 'lang="en"' in switched.text
    assert "Which network are you from?" in switched.text
    assert "Which network are you from?" in stranger.get(f"/j/{world.code}").text
    away = stranger.get("/lang/th", params={"next": "//evil.example"}, follow_redirects=False)
    assert away.headers["location"] == "/"


def test_the_api_is_described_by_an_openapi_schema(stranger: Person) -> None:
    schema = stranger.get("/schema/openapi.json").json()
    assert "/api/v1/assemblies/{assembly_id}/proposals" in schema["paths"]
    assert "/api/v1/join" in schema["paths"]


def test_the_organizer_purges_names_but_keeps_proposals(world: World) -> None:
    phone = world.phone("education", display_name="ครูสมศรี", organisation="โรงเรียนบ้านนา")
    world.open("collect")
    phone.post(f"/api/v1/assemblies/{world.id}/proposals", json={"text": "ร้านค้าความซื่อสัตย์"})
    assert (
        phone.get(f"/api/v1/assemblies/{world.id}/snapshot").json()["me"]["display_name"]
        == "ครูสมศรี"
    )
    refused = world.facilitator.post(f"/api/v1/assemblies/{world.id}/purge-personal-data")
    assert refused.status_code == 403
    purged = world.organizer.post(f"/api/v1/assemblies/{world.id}/purge-personal-data")
    assert purged.json() == {"cleared": 1}
    mine = phone.get(f"/api/v1/assemblies/{world.id}/snapshot").json()
    assert mine["me"]["display_name"] == ""
    assert [p["text"] for p in mine["mine"]] == ["ร้านค้าความซื่อสัตย์"]
