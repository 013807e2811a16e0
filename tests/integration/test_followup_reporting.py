"""Issue 18, reporting from a phone through an agency's link, over real HTTP on a real database
(SQLite and PostgreSQL): the page lists only the agency's own targets, a report is stored once
per client key, a revoked or unknown link reveals nothing, another agency's target is refused,
a bad photo stores nothing, and a photo comes back re-encoded, as a JPEG, without its EXIF."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from litestar.testing import TestClient
from PIL import Image
from sqlalchemy import func, select

from assembly import services
from assembly.db import Database
from assembly.runtime import DiscardEvents, Runtime
from assembly.settings import Settings
from deliberation.agenda import consent, drafting
from followup import links, next_year, setup
from followup.models import FollowupPhoto, FollowupReport

EDUCATION = "สำนักงานเขตพื้นที่การศึกษา"
COMMUNITY = "สำนักงานพัฒนาชุมชนจังหวัด"
TRAINING = "อบรมครูผู้ดูแลร้านค้าความซื่อสัตย์"
SHOPS = "จำนวนโรงเรียนที่มีร้านค้าความซื่อสัตย์"
VOLUNTEERS = "จัดกิจกรรมจิตอาสาเดือนละครั้ง"
ITEM = {
    "goal": "นักเรียนซื่อสัตย์ต่อตนเองและผู้อื่น",
    "virtues": ["ซื่อสัตย์"],
    "plans": [
        {
            "name": "ขยายร้านค้าความซื่อสัตย์",
            "activities": [
                {"what": TRAINING, "lead_agency": EDUCATION, "budget": "50,000"},
                {"what": VOLUNTEERS, "lead_agency": COMMUNITY},
            ],
        }
    ],
    "indicators": [
        {
            "name": SHOPS,
            "unit": "แห่ง",
            "baseline": "10",
            "target": "50",
            "reporting_agency": EDUCATION,
        }
    ],
}


@dataclass
class Links:
    """The follow-up of one adopted item: two agencies' links and their targets' ids."""

    assembly_id: int
    tokens: dict[str, str]
    agency_ids: dict[str, int]
    targets: dict[str, int]
    organizer: services.Actor


async def _follow_up(rt: Runtime) -> Links:
    user = await services.create_user(
        rt, username="ผู้จัด", display_name="ผู้จัด", role="organizer", password="รหัสผ่านยาวพอ1"
    )
    organizer = services.Actor(user=user)
    assembly = await services.create_assembly(
        rt, actor=organizer, name="สมัชชาคุณธรรมจังหวัดทดสอบ", province="ทดสอบ"
    )
    async with rt.read() as session:
        loaded = await services.get_assembly(session, assembly.id, services.WITH_STRUCTURE)
        steps = {s.kind: s.id for s in loaded.steps}
    a = assembly.id
    await services.open_step(rt, actor=organizer, assembly_id=a, step_id=steps["draft"])
    item = (
        await drafting.create_agenda_items(
            rt, actor=organizer, assembly_id=a, title="ร้านค้าความซื่อสัตย์ในโรงเรียน"
        )
    )[0]
    await drafting.edit_agenda_item(
        rt,
        actor=organizer,
        assembly_id=a,
        item_id=item["id"],
        version=item["version"],
        content=ITEM,
    )
    await services.open_step(rt, actor=organizer, assembly_id=a, step_id=steps["adopt"])
    await consent.set_adopted(rt, actor=organizer, assembly_id=a, item_id=item["id"], adopted=True)
    started = await setup.start_followup(rt, actor=organizer, assembly_id=a)
    view = await setup.followup_view(rt, actor=organizer, assembly_id=a)
    agency_ids = {x["name"]: x["id"] for x in view["agencies"]}
    tokens = {
        name: (await links.issue_link(rt, actor=organizer, assembly_id=a, agency_id=i)).token
        for name, i in agency_ids.items()
    }
    targets = {t["name"]: t["id"] for t in started["added"]}
    return Links(a, tokens, agency_ids, targets, organizer)


def run(settings: Settings, work: Any) -> Any:
    """A use case on the app's database, as a second process on the same machine would."""

    async def main() -> Any:
        db = Database(settings.resolved_database_url)
        try:
            return await work(Runtime(db=db, sink=DiscardEvents(), settings=settings))
        finally:
            await db.dispose()

    return asyncio.run(main())


async def _rows(rt: Runtime, model: Any) -> int:
    async with rt.read() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def count(settings: Settings, model: Any) -> int:
    return int(run(settings, lambda rt: _rows(rt, model)))


@pytest.fixture
def world(settings: Settings) -> Links:
    return run(settings, _follow_up)


def photo_with_gps() -> bytes:
    """A phone's 2400x1800 JPEG with its maker and position in the EXIF."""
    image = Image.new("RGB", (2400, 1800), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (13.0, 45.0, 0.0), "E", (100.0, 30.0, 0.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


FETCH = {"X-Requested-With": "fetch"}


def send(
    client: TestClient[Any],
    token: str,
    fields: dict[str, Any],
    photos: Sequence[tuple[str, bytes, str]] = (),
    **headers: str,
) -> Any:
    """A report as the page's script sends it: multipart, with the page's CSRF token."""
    client.get(f"/r/{token}")  # the page sets the CSRF cookie (a refused link's page too)
    csrf = client.cookies.get("csrftoken", "")
    files = [("photos", photo) for photo in photos]
    return client.post(
        f"/r/{token}/reports",
        data={k: str(v) for k, v in fields.items()},
        files=files or None,
        headers={**FETCH, "X-CSRFToken": csrf, **headers},
    )


def test_the_page_lists_only_the_agencys_own_targets_with_the_round_due(
    client: TestClient[Any], world: Links
) -> None:
    page = client.get(f"/r/{world.tokens[EDUCATION]}")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store, private"
    html = page.text
    assert EDUCATION in html
    assert TRAINING in html
    assert SHOPS in html
    assert VOLUNTEERS not in html  # the community development office's
    assert "ไตรมาสที่ 1" in html
    assert "ยังไม่ได้รายงาน" in html
    assert 'accept="image/*"' in html
    assert 'type="file"' in html
    for status in ("ยังไม่เริ่ม", "กำลังดำเนินการ", "เสร็จแล้ว", "ยกเลิก/ปรับแผน"):
        assert status in html


def test_a_report_via_the_link_is_stored_once_per_client_key(
    client: TestClient[Any], settings: Settings, world: Links
) -> None:
    token = world.tokens[EDUCATION]
    indicator = {
        "target_id": world.targets[SHOPS],
        "client_key": "key-indicator-0001",
        "value": "๑๘",
        "measured_on": "2026-12-01",
        "source": "ทะเบียนโรงเรียน",
        "note": "เพิ่มขึ้นจากเดิม",
        "worked": "ครูช่วยกันดูแล",
    }
    first = send(client, token, indicator)
    assert first.status_code == 201, first.text
    assert (first.json()["value"], first.json()["stored"]) == ("๑๘", True)
    again = send(client, token, indicator)  # the outbox resends: the answer was lost
    assert again.status_code == 200, again.text
    assert again.json()["stored"] is False
    assert again.json()["id"] == first.json()["id"]
    assert count(settings, FollowupReport) == 1

    activity = {
        "target_id": world.targets[TRAINING],
        "client_key": "key-activity-0001",
        "status": "done",
        "done": "อบรมครู ๔๐ คน",
        "people_reached": "๔๐ คน",
        "money_spent": "45,500",
        "not_worked": "บางโรงเรียนส่งครูไม่ได้",
        "change": "จัดวันเสาร์",
    }
    made = send(client, token, activity, [("ร้าน.jpg", photo_with_gps(), "image/jpeg")])
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["people_reached"], body["money_spent"], body["status"]) == (40, 45500, "done")
    assert len(body["photo_ids"]) == 1
    assert count(settings, FollowupReport) == 2
    page = client.get(f"/r/{token}").text
    assert page.count("✓ รายงานแล้ว") == 2


def test_a_plain_form_without_script_reports_too_and_comes_back_with_sent(
    client: TestClient[Any], settings: Settings, world: Links
) -> None:
    token = world.tokens[COMMUNITY]
    client.get(f"/r/{token}")
    fields = {
        "_csrf_token": client.cookies["csrftoken"],
        "target_id": str(world.targets[VOLUNTEERS]),
        "client_key": "plain-form-key-1",
        "status": "in_progress",
        "done": "จัดแล้ว ๒ ครั้ง",
    }
    sent = client.post(f"/r/{token}/reports", data=fields, follow_redirects=False)
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/r/{token}?sent={world.targets[VOLUNTEERS]}"
    twice = client.post(f"/r/{token}/reports", data=fields, follow_redirects=False)  # double tap
    assert twice.status_code == 303
    assert count(settings, FollowupReport) == 1
    refused = client.post(
        f"/r/{token}/reports", data={**fields, "client_key": "plain-form-key-2", "status": ""}
    )
    assert refused.status_code == 400
    assert 'data-error-for="status"' in refused.text
    assert "เลือก" in refused.text
    assert "จัดแล้ว ๒ ครั้ง" in refused.text  # what was typed comes back
    assert count(settings, FollowupReport) == 1
    with_photo = client.post(
        f"/r/{token}/reports",
        data={**fields, "client_key": "plain-form-key-3"},
        files=[("photos", ("IMG.jpg", photo_with_gps(), "image/jpeg"))],
        follow_redirects=False,
    )
    assert with_photo.status_code == 303, with_photo.text  # multipart: its CSRF field counts
    assert count(settings, FollowupPhoto) == 1


def test_a_revoked_or_unknown_link_is_refused_in_thai_revealing_nothing(
    client: TestClient[Any], settings: Settings, world: Links
) -> None:
    token = world.tokens[EDUCATION]
    run(
        settings,
        lambda rt: links.revoke_link(
            rt,
            actor=world.organizer,
            assembly_id=world.assembly_id,
            agency_id=world.agency_ids[EDUCATION],
        ),
    )
    revoked = client.get(f"/r/{token}")
    assert revoked.status_code == 403
    assert "ลิงก์" in revoked.text
    assert "ถูกยกเลิก" in revoked.text
    assert EDUCATION not in revoked.text
    assert SHOPS not in revoked.text
    report = {"target_id": world.targets[SHOPS], "value": "20", "client_key": "after-revoke-1"}
    refused = send(client, token, report)
    assert (refused.status_code, refused.json()["error"]) == (403, "link_revoked")
    unknown = client.get("/r/" + "x" * 43)
    assert unknown.status_code == 404
    assert "ลิงก์" in unknown.text
    assert "ใช้ไม่ได้" in unknown.text
    guessed = send(client, "y" * 43, report)
    assert (guessed.status_code, guessed.json()["error"]) == (404, "invalid_link")
    assert client.get("/r/" + "x" * 43 + "/photos/1").status_code == 404
    assert count(settings, FollowupReport) == 0


def test_another_agencys_target_is_refused(
    client: TestClient[Any], settings: Settings, world: Links
) -> None:
    refused = send(
        client,
        world.tokens[COMMUNITY],
        {"target_id": world.targets[TRAINING], "status": "done", "client_key": "not-mine-01"},
    )
    assert (refused.status_code, refused.json()["error"]) == (403, "not_your_target")
    assert any("\u0e00" <= ch <= "\u0e7f" for ch in refused.json()["message"])
    missing = send(client, world.tokens[COMMUNITY], {"target_id": "99999", "status": "done"})
    assert missing.status_code == 404
    assert count(settings, FollowupReport) == 0


@pytest.mark.parametrize(
    ("photo", "code"),
    [
        (("notes.jpg", b"this is not a picture", "image/jpeg"), "invalid_photo"),
        (("page.html", b"<script>alert(1)</script>", "text/html"), "invalid_photo"),
        (("huge.jpg", b"\xff\xd8" + b"0" * (8 * 1024 * 1024 + 1), "image/jpeg"), "photo_too_large"),
    ],
)
def test_a_bad_photo_is_refused_next_to_its_field_and_nothing_is_stored(
    client: TestClient[Any],
    settings: Settings,
    world: Links,
    photo: tuple[str, bytes, str],
    code: str,
) -> None:
    report = {
        "target_id": world.targets[TRAINING],
        "client_key": "bad-photo-0001",
        "status": "in_progress",
        "done": "เริ่มอบรม",
    }
    good = ("ok.png", _png(), "image/png")
    refused = send(client, world.tokens[EDUCATION], report, [good, photo])
    assert refused.status_code == 400, refused.text
    answer = refused.json()
    assert (answer["error"], answer["field"]) == (code, "photos")
    assert "ภาพ" in answer["message"]
    assert count(settings, FollowupReport) == 0
    assert count(settings, FollowupPhoto) == 0
    # The same client key still works once the photo is fixed: nothing was half-stored.
    fixed = send(client, world.tokens[EDUCATION], report, [good])
    assert fixed.status_code == 201, fixed.text


def test_bad_fields_answer_4xx_with_a_code_the_field_and_a_thai_message(
    client: TestClient[Any], settings: Settings, world: Links
) -> None:
    token = world.tokens[EDUCATION]
    cases = [
        ({"target_id": world.targets[SHOPS], "value": ""}, "value_required", "value"),
        (
            {"target_id": world.targets[SHOPS], "value": "1", "measured_on": "2999-01-01"},
            "measured_in_future",
            "measured_on",
        ),
        (
            {"target_id": world.targets[SHOPS], "value": "1", "measured_on": "2020-01-01"},
            "measured_too_early",
            "measured_on",
        ),
        (
            {"target_id": world.targets[SHOPS], "value": "1", "measured_on": "เมื่อวาน"},
            "invalid_date",
            "measured_on",
        ),
        ({"target_id": world.targets[TRAINING], "status": "finished"}, "invalid_status", "status"),
        (
            {"target_id": world.targets[TRAINING], "status": "done", "people_reached": "หลายคน"},
            "invalid_people_reached",
            "people_reached",
        ),
        (
            {"target_id": world.targets[TRAINING], "status": "done", "money_spent": "-5"},
            "invalid_money_spent",
            "money_spent",
        ),
        (
            {"target_id": world.targets[TRAINING], "status": "done", "round": "9"},
            "invalid_round",
            "round",
        ),
        ({"target_id": "abc", "status": "done"}, "target_not_found", None),
        # "²" is a digit to str.isdigit but no number; ten digits overflow PostgreSQL's int
        ({"target_id": "²", "status": "done"}, "target_not_found", None),
        ({"target_id": "9999999999", "status": "done"}, "target_not_found", None),
        (
            {"target_id": world.targets[TRAINING], "status": "done", "round": "²"},
            "invalid_round",
            "round",
        ),
        (
            {"target_id": world.targets[SHOPS], "value": "1", "client_key": "bad key!"},
            "invalid_client_key",
            None,
        ),
    ]
    for fields, code, field in cases:
        answer = send(client, token, fields)
        assert 400 <= answer.status_code < 500, (code, answer.text)
        assert (answer.json()["error"], answer.json()["field"]) == (code, field)
        assert any("\u0e00" <= ch <= "\u0e7f" for ch in answer.json()["message"]), code
    assert count(settings, FollowupReport) == 0


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (320, 240), (10, 120, 110, 255)).save(out, "PNG")
    return out.getvalue()


def test_a_photo_comes_back_re_encoded_as_jpeg_without_exif_to_its_agency_only(
    client: TestClient[Any], world: Links
) -> None:
    made = send(
        client,
        world.tokens[EDUCATION],
        {"target_id": world.targets[TRAINING], "status": "done", "client_key": "with-photo-1"},
        [("IMG_0001.JPG", photo_with_gps(), "image/jpeg"), ("p.png", _png(), "image/png")],
    )
    assert made.status_code == 201, made.text
    first, second = made.json()["photo_ids"]
    served = client.get(f"/r/{world.tokens[EDUCATION]}/photos/{first}")
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"
    image = Image.open(io.BytesIO(served.content))
    assert image.format == "JPEG"
    assert max(image.size) == 1600  # resized from 2400x1800
    assert not image.getexif()  # no maker, no GPS
    assert b"PhoneMaker" not in served.content
    assert b"Exif" not in served.content
    png = client.get(f"/r/{world.tokens[EDUCATION]}/photos/{second}")
    assert png.headers["content-type"] == "image/jpeg"  # never the uploaded type
    assert Image.open(io.BytesIO(png.content)).format == "JPEG"
    # Another agency's link does not see it.
    other = client.get(f"/r/{world.tokens[COMMUNITY]}/photos/{first}")
    assert other.status_code == 404


def test_next_years_collect_step_shows_last_years_evidence_and_the_facilitator_tags_proposals(
    client: TestClient[Any], settings: Settings, world: Links, stranger: Any
) -> None:
    report = {
        "target_id": world.targets[TRAINING],
        "client_key": "lesson-key-0001",
        "status": "in_progress",
        "worked": "ครูพี่เลี้ยงช่วยได้มาก",
        "change": "เริ่มอบรมให้เร็วขึ้น",
    }
    assert send(client, world.tokens[EDUCATION], report).status_code == 201
    measured = {"target_id": world.targets[SHOPS], "client_key": "shops-0001", "value": "18"}
    assert send(client, world.tokens[EDUCATION], measured).status_code == 201

    async def next_assembly(rt: Runtime) -> tuple[int, str, int]:
        made = await next_year.carry_over(rt, actor=world.organizer, assembly_id=world.assembly_id)
        async with rt.read() as session:
            loaded = await services.get_assembly(
                session, made["assembly_id"], services.WITH_STRUCTURE
            )
            collect = next(s.id for s in loaded.steps if s.kind == "collect")
        await services.open_step(
            rt, actor=world.organizer, assembly_id=made["assembly_id"], step_id=collect
        )
        return made["assembly_id"], made["join_code"], made["items"][0]["previous_item_id"]

    new_id, code, last_item = run(settings, next_assembly)
    person = type(stranger)
    phone = person(client)
    joined = phone.post("/api/v1/join", json={"code": code, "network": "civil_society"})
    assert joined.status_code == 200, joined.text
    collect = phone.get(f"/a/{new_id}").text
    assert "ผลการขับเคลื่อนและบทเรียนของปีที่แล้ว" in collect
    assert "ครูพี่เลี้ยงช่วยได้มาก" in collect
    assert "เริ่มอบรมให้เร็วขึ้น" in collect
    assert "กำลังดำเนินการ" in collect
    full = phone.get(f"/a/{new_id}/last-year")
    assert full.status_code == 200
    assert TRAINING in full.text
    assert "ผู้จัด" not in full.text  # no one's name: the public board
    proposed = phone.post(
        f"/api/v1/assemblies/{new_id}/proposals", json={"text": "อบรมครูต่อแต่เริ่มเร็วขึ้น"}
    )
    assert proposed.status_code in (200, 201), proposed.text
    proposal_id = proposed.json()["id"]
    assert phone.get(f"/console/{new_id}/continuity").status_code in (401, 403)

    organizer = person(client)
    logged = organizer.post("/api/v1/login", json={"username": "ผู้จัด", "password": "รหัสผ่านยาวพอ1"})
    assert logged.status_code == 200, logged.text
    console = organizer.get(f"/console/{new_id}").text
    assert "ผลการขับเคลื่อนและบทเรียนของปีที่แล้ว" in console
    assert f"/console/{new_id}/continuity" in console
    page = organizer.get(f"/console/{new_id}/continuity")
    assert page.status_code == 200
    assert "อบรมครูต่อแต่เริ่มเร็วขึ้น" in page.text
    assert f'value="{last_item}:change"' in page.text
    tagged = organizer.post(
        f"/console/{new_id}/proposals/{proposal_id}/continuity",
        data={"choice": f"{last_item}:change"},
        follow_redirects=False,
    )
    assert tagged.status_code == 303, tagged.text
    page = organizer.get(f"/console/{new_id}/continuity").text
    assert f'data-count="{last_item}-change">1<' in page
    assert f'value="{last_item}:change" selected' in page
    for choice, status in (("abc", 400), (f"{last_item}:forget", 400), ("99999:stop", 404)):
        refused = organizer.post(
            f"/console/{new_id}/proposals/{proposal_id}/continuity",
            data={"choice": choice},
            headers={"X-Requested-With": "fetch"},
        )
        assert refused.status_code == status, (choice, refused.text)
    untagged = organizer.post(
        f"/console/{new_id}/proposals/{proposal_id}/continuity",
        data={"choice": ""},
        headers={"X-Requested-With": "fetch"},
    )
    assert untagged.status_code == 204

    # The agenda document shows the carried indicator year on year.
    markdown = organizer.get(f"/organize/{new_id}/export.md")
    assert markdown.status_code == 200, markdown.text
    assert SHOPS in markdown.text
    assert "ปีที่แล้ว: ค่าฐาน ๑๐ · ล่าสุด ๑๘ · เป้าหมาย ๕๐" in markdown.text
    last_years = organizer.get(f"/organize/{world.assembly_id}/export.md").text
    assert "ปีที่แล้ว:" not in last_years

    async def tags(rt: Runtime) -> dict[int, tuple[int, str]]:
        async with rt.read() as session:
            return await next_year.proposal_tags(session, new_id)

    assert run(settings, tags) == {}
