"""The vote step without JavaScript: plain forms on the console and the phone, then results."""

from __future__ import annotations

import json
import re
from html import unescape
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conftest import World

FETCH = {"X-Requested-With": "fetch"}


def page_state(html: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/json" id="snapshot">(.*?)</script>', html, re.S)
    assert match
    return json.loads(unescape(match.group(1)))


def set_up_by_form(world: World, method: str, **fields: str) -> dict[str, Any]:
    world.open("vote")
    console = world.facilitator.get(f"/console/{world.id}")
    assert console.status_code == 200
    assert "ตั้งค่าการลงคะแนน" in console.text
    created = world.facilitator.post(
        f"/console/{world.id}/votes",
        data={"subject": "options", "method": method, "options": "พอเพียง\nวินัย\nสุจริต\n", **fields},
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    vote = page_state(world.facilitator.get(f"/console/{world.id}").text)["vote"]
    opened = world.facilitator.post(
        f"/console/{world.id}/votes/{vote['id']}/open", follow_redirects=False
    )
    assert opened.status_code == 303
    return vote


def fields(vote: dict[str, Any], values: list[str]) -> dict[str, str]:
    return {f"o{o['id']}": v for o, v in zip(vote["options"], values, strict=True)}


def test_a_phone_votes_with_a_plain_form_and_sees_saved(world: World) -> None:
    vote = set_up_by_form(world, "dot", dot_dots="4", dot_max_per_option="2")
    assert vote["params"] == {"dots": 4, "max_per_option": 2}
    phone = world.phone("education")
    page = phone.get(f"/a/{world.id}")
    assert page.status_code == 200
    assert 'name="client_seq"' in page.text
    assert "ยังไม่ได้ส่ง" in page.text
    seq = page_state(page.text)["vote"]["next_seq"]
    sent = phone.post(
        f"/a/{world.id}/votes/{vote['id']}/ballot",
        data={**fields(vote, ["2", "", "1"]), "client_seq": str(seq)},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    after = phone.get(f"/a/{world.id}")
    assert "บันทึกแล้ว" in after.text
    mine = page_state(after.text)["vote"]["my_ballot"]
    assert mine["client_seq"] == seq
    assert sum(mine["ballot"].values()) == 3
    resent = phone.post(
        f"/a/{world.id}/votes/{vote['id']}/ballot",
        data={**fields(vote, ["2", "", "1"]), "client_seq": str(seq)},
        headers=FETCH,
    )
    assert resent.status_code == 204


def test_a_ranking_form_with_two_equal_ranks_is_refused_in_thai(world: World) -> None:
    vote = set_up_by_form(world, "ranking", ranking_min_ranked="2")
    phone = world.phone()
    refused = phone.post(
        f"/a/{world.id}/votes/{vote['id']}/ballot",
        data={**fields(vote, ["1", "1", ""]), "client_seq": "5"},
    )
    assert refused.status_code == 400
    assert "อันดับเดียวกัน" in refused.text
    ok = phone.post(
        f"/a/{world.id}/votes/{vote['id']}/ballot",
        data={**fields(vote, ["2", "1", ""]), "client_seq": "6"},
        headers=FETCH,
    )
    assert ok.status_code == 204
    mine = phone.get(f"/api/v1/assemblies/{world.id}/snapshot").json()["vote"]["my_ballot"]
    assert mine["ballot"] == [vote["options"][1]["id"], vote["options"][0]["id"]]


def test_every_method_renders_a_ballot_and_results_after_reveal(world: World) -> None:
    world.open("vote")
    phone = world.phone()
    for method in ("dot", "approval", "score", "ranking", "budget"):
        created = world.facilitator.post(
            f"/api/v1/assemblies/{world.id}/votes",
            json={"method": method, "options": ["พอเพียง", "วินัย", "สุจริต"]},
        )
        assert created.status_code == 201, created.text
        vote = created.json()
        world.facilitator.post(f"/api/v1/assemblies/{world.id}/votes/{vote['id']}/open")
        world.facilitator.post(f"/api/v1/assemblies/{world.id}/votes/{vote['id']}/reveal")
        page = phone.get(f"/a/{world.id}")
        assert page.status_code == 200, page.text
        assert f'data-method="{method}"' in page.text
        assert "ผลการลงคะแนน" in page.text
        for screen in (f"/console/{world.id}", f"/present/{world.id}"):
            response = world.facilitator.get(screen)
            assert response.status_code == 200, response.text
            assert "ฉันทามติข้ามเครือข่าย" in response.text
        world.facilitator.post(f"/api/v1/assemblies/{world.id}/votes/{vote['id']}/close")


def test_the_presenter_hides_results_until_reveal(world: World) -> None:
    vote = set_up_by_form(world, "approval")
    screen = world.organizer.get(f"/present/{world.id}")
    assert screen.status_code == 200
    assert "ฉันทามติข้ามเครือข่าย" not in screen.text
    assert 'data-field="vote-voted"' in screen.text
    world.facilitator.post(f"/console/{world.id}/votes/{vote['id']}/reveal")
    assert "ฉันทามติข้ามเครือข่าย" in world.organizer.get(f"/present/{world.id}").text
