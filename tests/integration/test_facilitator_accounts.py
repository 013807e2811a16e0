"""Organizers manage facilitator accounts on the assembly's settings page: create (Thai
usernames too), reset a password, remove; every refusal in Thai, nothing else changed."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conftest import Person, World

NEW_PASSWORD = "รหัสผ่านใหม่ของครู"


def login(client: Any, person_class: type, username: str, password: str) -> Any:
    person = person_class(client)
    response = person.post("/api/v1/login", json={"username": username, "password": password})
    return person, response


def user_id_on_page(html: str, username: str) -> int:
    found = re.search(
        rf'data-username="{re.escape(username)}">.*?/facilitators/(\d+)/password', html, re.S
    )
    assert found, f"{username} not listed"
    return int(found[1])


def test_an_organizer_creates_a_thai_named_facilitator_who_can_log_in_and_run_the_console(
    world: World,
) -> None:
    url = f"/organize/{world.id}/facilitators/new"
    page = world.organizer.post(
        url, data={"username": "ครูสมศรี", "display_name": "ครูสมศรี ใจดี", "password": "ขอนแก่น2568"}
    )
    assert page.status_code == 200, page.text
    assert page.url.path == f"/organize/{world.id}"
    assert "ครูสมศรี ใจดี" in page.text

    person, response = login(world.client, type(world.organizer), "ครูสมศรี", "ขอนแก่น2568")
    assert response.status_code == 200, response.text
    assert person.get(f"/console/{world.id}").status_code == 200


def test_creating_refuses_in_thai_and_keeps_what_exists(world: World) -> None:
    url = f"/organize/{world.id}/facilitators/new"
    cases = {
        "fac": ("ขอนแก่น2568", 409, "ชื่อผู้ใช้นี้มีผู้ใช้แล้ว"),
        "ab": ("ขอนแก่น2568", 400, "ใช้ตัวอักษรไทยหรืออังกฤษ"),
        "ครู สมศรี": ("ขอนแก่น2568", 400, "ใช้ตัวอักษรไทยหรืออังกฤษ"),
        "ครูมานะ": ("สั้น", 400, "อย่างน้อย ๘"),
    }
    for username, (password, status, thai) in cases.items():
        page = world.organizer.post(url, data={"username": username, "password": password})
        assert page.status_code == status, (username, page.text)
        assert thai in page.text, (username, page.text)
    # "fac" still logs in with the old password: the duplicate changed nothing
    _, response = login(world.client, type(world.organizer), "fac", "correct horse battery")
    assert response.status_code == 200, response.text


def test_a_password_reset_lets_the_new_one_in_and_ends_old_logins(world: World) -> None:
    page = world.organizer.get(f"/organize/{world.id}")
    fac = user_id_on_page(page.text, "fac")
    done = world.organizer.post(
        f"/organize/{world.id}/facilitators/{fac}/password", data={"password": NEW_PASSWORD}
    )
    assert done.status_code == 200
    assert "ตั้งรหัสผ่านใหม่ให้ fac แล้ว" in done.text
    assert world.facilitator.get(f"/console/{world.id}", follow_redirects=False).status_code in (
        401,
        403,
    )
    Person = type(world.organizer)
    _, old = login(world.client, Person, "fac", "correct horse battery")
    assert old.status_code == 401
    _, new = login(world.client, Person, "fac", NEW_PASSWORD)
    assert new.status_code == 200
    short = world.organizer.post(
        f"/organize/{world.id}/facilitators/{fac}/password", data={"password": "1234"}
    )
    assert short.status_code == 400
    assert "อย่างน้อย ๘" in short.text


def test_removing_a_facilitator_deletes_an_account_used_nowhere_else(world: World) -> None:
    world.organizer.post(
        f"/organize/{world.id}/facilitators/new",
        data={"username": "ผู้ช่วย", "password": "ขอนแก่น2568"},
    )
    page = world.organizer.get(f"/organize/{world.id}")
    helper = user_id_on_page(page.text, "ผู้ช่วย")
    gone = world.organizer.post(f"/organize/{world.id}/facilitators/{helper}/remove")
    assert gone.status_code == 200
    assert 'data-username="ผู้ช่วย"' not in gone.text
    _, response = login(world.client, type(world.organizer), "ผู้ช่วย", "ขอนแก่น2568")
    assert response.status_code == 401
    again = world.organizer.post(f"/organize/{world.id}/facilitators/{helper}/remove")
    assert again.status_code == 404
    assert "ไม่พบวิทยากรกระบวนการคนนี้" in again.text


def test_another_organizers_helper_is_only_taken_off_this_assembly(
    world: World, sign_up: Callable[[str, str], Person]
) -> None:
    """A facilitator who also works for another organizer keeps the account and password."""
    other = sign_up("org2", "organizer")
    created = other.post("/api/v1/assemblies/", json={"name": "อื่น", "province": "อื่น"})
    other_id = created.json()["assembly"]["id"]
    added = other.post(f"/api/v1/assemblies/{other_id}/facilitators", json={"username": "fac"})
    assert added.status_code in (200, 201), added.text
    fac = user_id_on_page(world.organizer.get(f"/organize/{world.id}").text, "fac")
    refused = world.organizer.post(
        f"/organize/{world.id}/facilitators/{fac}/password", data={"password": NEW_PASSWORD}
    )
    assert refused.status_code == 403
    assert "ผู้จัดคนอื่น" in refused.text
    removed = world.organizer.post(f"/organize/{world.id}/facilitators/{fac}/remove")
    assert removed.status_code == 200
    assert world.facilitator.get(f"/console/{world.id}").status_code == 403
    assert world.facilitator.get(f"/console/{other_id}").status_code == 200


def test_only_the_organizer_of_this_assembly_manages_its_facilitators(
    world: World, sign_up: Callable[[str, str], Person]
) -> None:
    other = sign_up("org2", "organizer")
    fac = user_id_on_page(world.organizer.get(f"/organize/{world.id}").text, "fac")
    for person in (world.facilitator, other):
        for path, data in (
            ("new", {"username": "แอบสร้าง", "password": "ขอนแก่น2568"}),
            (f"{fac}/password", {"password": NEW_PASSWORD}),
            (f"{fac}/remove", {}),
        ):
            response = person.post(f"/organize/{world.id}/facilitators/{path}", data=data)
            assert response.status_code == 403, (path, response.text)
            if person is world.facilitator:
                assert "เฉพาะผู้จัดสมัชชานี้" in response.text
    _, response = login(world.client, type(world.organizer), "fac", "correct horse battery")
    assert response.status_code == 200
