"""The console's switch for the projector (which screen, whether the QR code shows), through the
real app: stored, in the staff snapshot, sent to staff sockets as `presenter.changed` and to
phones only as a tick; bad input is a Thai 400, never a 500. And the help page behind the
one-line explanations of a vote's numbers."""

from __future__ import annotations

import json
import re
from html import unescape
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conftest import World

FETCH = {"X-Requested-With": "fetch"}


def snapshot_of(html: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/json" id="snapshot">(.*?)</script>', html, re.S)
    assert match, "the page embeds its snapshot"
    return dict(json.loads(unescape(match.group(1))))


def switch(world: World, **form: str) -> Any:
    return world.facilitator.post(f"/console/{world.id}/presenter", data=form, headers=FETCH)


def test_the_switch_is_kept_and_reaches_staff_screens_but_not_phones(world: World) -> None:
    phone = world.phone("religion")
    page = world.organizer.get(f"/present/{world.id}")
    assert snapshot_of(page.text)["presenter"] == {"view": "step", "qr": True}
    with world.organizer.socket(world.id) as presenter, phone.socket(world.id) as phone_socket:
        presenter.receive_json(timeout=5)
        phone_socket.receive_json(timeout=5)
        assert switch(world, view="consensus").status_code == 204
        event = presenter.receive_json(timeout=5)
        assert event["type"] == "presenter.changed"
        assert event["data"] == {"presenter": {"view": "consensus", "qr": True}}
        tick = phone_socket.receive_json(timeout=5)
        assert (tick["type"], tick["data"], tick["seq"]) == ("tick", {}, event["seq"])
        assert switch(world, qr="hide").status_code == 204
        assert presenter.receive_json(timeout=5)["data"]["presenter"] == {
            "view": "consensus",
            "qr": False,
        }
    page = world.facilitator.get(f"/present/{world.id}")
    assert snapshot_of(page.text)["presenter"] == {"view": "consensus", "qr": False}
    assert re.search(r'data-region="qr"\s+hidden', page.text)
    console = world.facilitator.get(f"/console/{world.id}").text
    assert re.search(r'data-view-button="consensus" aria-pressed="true"', console)
    phone_state = phone.get(f"/api/v1/assemblies/{world.id}/snapshot").json()
    assert "presenter" not in phone_state


def test_a_bad_switch_is_a_thai_400_and_changes_nothing(world: World) -> None:
    for form in ({"view": "everything"}, {"qr": "maybe"}, {}, {"view": "x" * 5000}):
        refused = switch(world, **form)
        assert refused.status_code == 400, (form, refused.text)
        assert refused.json()["message"] == "ไม่รู้จักหน้าจอนำเสนอนี้"
    state = snapshot_of(world.facilitator.get(f"/present/{world.id}").text)
    assert state["presenter"] == {"view": "step", "qr": True}


def test_a_participant_cannot_switch_the_projector(world: World) -> None:
    phone = world.phone("media")
    refused = phone.post(f"/console/{world.id}/presenter", data={"view": "networks"}, headers=FETCH)
    assert refused.status_code in (401, 403)
    state = snapshot_of(world.facilitator.get(f"/present/{world.id}").text)
    assert state["presenter"]["view"] == "step"


def test_the_help_page_explains_the_numbers_to_anyone(world: World) -> None:
    page = world.client.get("/help/results")
    assert page.status_code == 200
    for anchor in ('id="borda"', 'id="schulze"', 'id="consensus"'):
        assert anchor in page.text
    assert "คะแนนบอร์ดา" in page.text
    assert "ลำดับชูลเซอ" in page.text
    assert "คะแนนฉันทามติ" in page.text


def test_results_explain_their_numbers_on_every_screen_with_a_link(world: World) -> None:
    phone = world.phone("education")
    world.open("vote")
    api = f"/api/v1/assemblies/{world.id}/votes"
    for method, lines in (("ranking", {"borda", "schulze", "consensus"}), ("dot", {"consensus"})):
        params = {"dots": 3} if method == "dot" else {}
        created = world.facilitator.post(
            api, json={"method": method, "params": params, "options": ["พอเพียง", "วินัย", "สุจริต"]}
        )
        assert created.status_code == 201, created.text
        vote = created.json()["id"]
        for change in ("open", "close", "reveal"):
            assert world.facilitator.post(f"{api}/{vote}/{change}").status_code == 200
        for who, url in (
            (world.facilitator, f"/console/{world.id}"),
            (phone, f"/a/{world.id}"),
            (world.facilitator, f"/present/{world.id}"),
        ):
            page = who.get(url).text
            shown = set(re.findall(r'data-explain="(\w+)"', page))
            assert shown == lines, (method, url, shown)
            for line in lines:
                assert f'href="/help/results#{line}"' in page
        assert "คะแนนฉันทามติ (๐ ถึง ๑)" in page
