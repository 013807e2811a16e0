"""Strict mode through the real app: printed seat codes, one seat per code, seats that move."""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import pytest
import segno
from litestar.exceptions import WebSocketDisconnect

from assembly.limits import WRONG_CODES_PER_DEVICE

if TYPE_CHECKING:
    from collections.abc import Callable

    from conftest import Person, World

RECEIVE_TIMEOUT = 5
WRONG_CODE_LIMIT = WRONG_CODES_PER_DEVICE.amount  # wrong join or seat codes per device


def seats_url(world: World) -> str:
    return f"/api/v1/assemblies/{world.id}/seats"


def make_cards(world: World, network: str, count: int) -> list[dict[str, Any]]:
    response = world.organizer.post(
        f"{seats_url(world)}/", json={"network": network, "count": count}
    )
    assert response.status_code == 201, response.text
    return list(response.json()["seats"])


def strict(world: World, required: bool = True) -> None:
    response = world.organizer.request(
        "PUT", f"{seats_url(world)}/required", json={"required": required}
    )
    assert response.status_code == 200, response.text


def join(person: Person, world: World, seat_code: str | None, **extra: Any) -> Any:
    return person.post("/api/v1/join", json={"code": world.code, "seat_code": seat_code, **extra})


def new_phone(world: World) -> Person:
    """A fresh browser with no cookies (conftest's Person, reached through a fixture's)."""
    return type(world.organizer)(world.client)


def seated(world: World, seat_code: str) -> Person:
    person = new_phone(world)
    response = join(person, world, seat_code)
    assert response.status_code == 200, response.text
    return person


def snapshot(person: Person, world: World) -> Any:
    return person.get(f"/api/v1/assemblies/{world.id}/snapshot")


def seat_list(world: World) -> dict[str, Any]:
    response = world.organizer.get(f"{seats_url(world)}/")
    assert response.status_code == 200, response.text
    return dict(response.json())


def open_vote(world: World) -> dict[str, Any]:
    world.open("vote")
    created = world.facilitator.post(
        f"/api/v1/assemblies/{world.id}/votes",
        json={"method": "approval", "options": ["พอเพียง", "วินัย", "สุจริต"]},
    )
    assert created.status_code == 201, created.text
    vote = created.json()
    opened = world.facilitator.post(f"/api/v1/assemblies/{world.id}/votes/{vote['id']}/open")
    assert opened.status_code == 200, opened.text
    return dict(vote)


def cast(phone: Person, world: World, vote: dict[str, Any], labels: list[str], seq: int) -> Any:
    ids = [o["id"] for o in vote["options"] if o["label"] in labels]
    return phone.post(
        f"/api/v1/assemblies/{world.id}/votes/{vote['id']}/ballot",
        json={"ballot": ids, "client_seq": seq},
    )


def ballots(world: World, vote: dict[str, Any]) -> int:
    response = world.facilitator.get(f"/api/v1/assemblies/{world.id}/votes/{vote['id']}/results")
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["ballots"])


# ---------------------------------------------------------------- joining


def test_in_strict_mode_a_phone_joins_only_with_a_seat_code_which_fixes_its_network(
    world: World, stranger: Person
) -> None:
    [card] = make_cards(world, "government", 1)
    strict(world)
    plain = stranger.post("/api/v1/join", json={"code": world.code, "network": "media"})
    assert (plain.status_code, plain.json()["error"]) == (403, "seat_code_required")
    assert "บัตรที่นั่ง" in plain.json()["message"]
    form = stranger.post(f"/j/{world.code}", data={"network": "media"}, follow_redirects=False)
    assert form.status_code == 403
    page = stranger.get(f"/j/{world.code}")
    assert 'name="seat_code"' in page.text
    assert 'name="network"' not in page.text

    typed = card["code"].lower().replace("-", " ")  # as a phone might type it
    joined = join(stranger, world, typed, network="media")
    assert joined.status_code == 200, joined.text
    assert snapshot(stranger, world).json()["me"]["network"] == "government"
    again = stranger.post("/api/v1/join", json={"code": world.code})  # a reload: same seat
    assert again.json()["participant_id"] == joined.json()["participant_id"]
    listed = seat_list(world)
    assert listed["required"] is True
    assert [(s["code"], s["status"], s["moves"]) for s in listed["seats"]] == [
        (card["code"], "in_use", 0)
    ]
    government = next(n for n in listed["networks"] if n["key"] == "government")
    assert (government["total"], government["in_use"], government["unused"]) == (1, 1, 0)


def test_a_card_link_prefills_the_code_and_the_plain_form_takes_the_seat(
    world: World, stranger: Person
) -> None:
    [card] = make_cards(world, "religion", 1)
    strict(world)
    raw = card["code"].replace("-", "")
    page = stranger.get(f"/j/{world.code}", params={"seat": raw})
    assert page.status_code == 200
    assert f'value="{raw}"' in page.text
    landed = stranger.post(f"/j/{world.code}", data={"seat_code": raw}, follow_redirects=False)
    assert (landed.status_code, landed.headers["location"]) == (303, f"/a/{world.id}")
    assert snapshot(stranger, world).json()["me"]["network"] == "religion"


def test_wrong_and_revoked_codes_are_refused_and_count_against_the_join_code_limit(
    world: World, stranger: Person
) -> None:
    cards = make_cards(world, "education", 2)
    strict(world)
    stranger.cookies.set("samatcha_device", "a-phone-that-guesses")
    malformed = join(stranger, world, "0O1I-0O1I")
    assert (malformed.status_code, malformed.json()["error"]) == (400, "invalid_seat_code")
    revoked = world.organizer.post(f"{seats_url(world)}/{cards[0]['number']}/revoke")
    assert revoked.status_code == 200, revoked.text
    refused = join(stranger, world, cards[0]["code"])
    assert (refused.status_code, refused.json()["error"]) == (410, "seat_code_revoked")
    wrong = join(stranger, world, "2222-2222")
    assert (wrong.status_code, wrong.json()["error"]) == (404, "unknown_seat_code")
    for _ in range(WRONG_CODE_LIMIT - 2):
        join(stranger, world, "2222-3333")
    limited = join(stranger, world, cards[1]["code"])  # even a good code waits now
    assert (limited.status_code, limited.json()["error"]) == (429, "too_many_attempts")
    plain = stranger.get("/", params={"code": "00000000"})  # one limit for both kinds of code
    assert plain.status_code == 429


def test_a_code_of_another_assembly_is_not_valid_here(
    world: World, sign_up: Callable[[str, str], Person]
) -> None:
    other_organizer = sign_up("org2", "organizer")
    other = other_organizer.post(
        "/api/v1/assemblies/", json={"name": "สมัชชาอื่น", "province": "อื่น"}
    ).json()["assembly"]
    made = other_organizer.post(
        f"/api/v1/assemblies/{other['id']}/seats/", json={"network": "media", "count": 1}
    )
    assert made.status_code == 201, made.text
    code = made.json()["seats"][0]["code"]
    response = join(new_phone(world), world, code)
    assert (response.status_code, response.json()["error"]) == (404, "unknown_seat_code")


# ---------------------------------------------------------------- moving a seat


def test_a_seat_moves_to_another_phone_with_its_ballot_and_back(world: World) -> None:
    [card] = make_cards(world, "civil_society", 1)
    strict(world)
    vote = open_vote(world)
    phone_a = seated(world, card["code"])
    seat_id = snapshot(phone_a, world).json()["me"]["participant_id"]
    assert cast(phone_a, world, vote, ["วินัย"], 1).status_code == 200

    with phone_a.socket(world.id) as socket_a:
        assert socket_a.receive_json(timeout=RECEIVE_TIMEOUT)["type"] == "snapshot"
        phone_b = seated(world, card["code"])  # the phone died: the same card on another
        with pytest.raises(WebSocketDisconnect) as closed:
            socket_a.receive_json(timeout=RECEIVE_TIMEOUT)  # closed before the move's event
        assert closed.value.code == 4403

    mine = snapshot(phone_b, world).json()
    assert mine["me"]["participant_id"] == seat_id
    assert mine["vote"]["my_ballot"]["client_seq"] == 1
    assert ballots(world, vote) == 1
    refused = snapshot(phone_a, world)
    assert (refused.status_code, refused.json()["error"]) == (403, "not_in_assembly")
    late = cast(phone_a, world, vote, ["สุจริต"], 2)
    assert (late.status_code, late.json()["error"]) == (403, "not_in_assembly")
    with pytest.raises(WebSocketDisconnect) as closed, phone_a.socket(world.id) as socket:
        socket.receive_json(timeout=RECEIVE_TIMEOUT)
    assert closed.value.code == 4403
    page = phone_a.get(f"/a/{world.id}", follow_redirects=False)
    assert page.headers["location"] == f"/j/{world.code}"

    assert cast(phone_b, world, vote, ["สุจริต"], 2).status_code == 200
    back = join(phone_a, world, card["code"])  # and back again
    assert back.json()["participant_id"] == seat_id
    assert snapshot(phone_a, world).json()["vote"]["my_ballot"]["client_seq"] == 2
    assert snapshot(phone_b, world).status_code == 403
    assert ballots(world, vote) == 1
    [listed] = seat_list(world)["seats"]
    assert (listed["status"], listed["moves"]) == ("in_use", 2)
    joined = world.facilitator.get(f"/api/v1/assemblies/{world.id}/snapshot").json()["joined"]
    assert joined == 1


def test_one_phone_cannot_hold_two_seats(world: World) -> None:
    first, second = make_cards(world, "media", 2)
    phone = seated(world, first["code"])
    again = join(phone, world, second["code"])
    assert (again.status_code, again.json()["error"]) == (409, "already_seated")
    assert "หนึ่งเครื่องต่อหนึ่งที่นั่ง" in again.json()["message"]
    plain_phone = world.phone("business")  # joined before strict mode, without a card
    taken = join(plain_phone, world, second["code"])
    assert (taken.status_code, taken.json()["error"]) == (409, "already_seated")
    assert [s["status"] for s in seat_list(world)["seats"]] == ["in_use", "unused"]


def test_a_card_fixes_the_network_even_when_strict_mode_is_off(world: World) -> None:
    [card] = make_cards(world, "government", 1)
    phone = seated(world, card["code"])
    switched = phone.post("/api/v1/join", json={"code": world.code, "network": "media"})
    assert switched.status_code == 200
    assert snapshot(phone, world).json()["me"]["network"] == "government"


def test_a_revoked_card_frees_its_seat_and_a_replacement_card_takes_it_back(
    world: World,
) -> None:
    [card] = make_cards(world, "education", 1)
    strict(world)
    vote = open_vote(world)
    holder = seated(world, card["code"])
    seat_id = snapshot(holder, world).json()["me"]["participant_id"]
    assert cast(holder, world, vote, ["พอเพียง"], 7).status_code == 200

    assert world.organizer.post(f"{seats_url(world)}/{card['number']}/revoke").status_code == 200
    assert snapshot(holder, world).status_code == 403
    assert ballots(world, vote) == 1  # the seat keeps its ballot
    [listed] = seat_list(world)["seats"]
    assert listed["status"] == "revoked"

    reissued = world.organizer.post(f"{seats_url(world)}/{card['number']}/reissue")
    assert reissued.status_code == 200, reissued.text
    replacement = reissued.json()
    assert replacement["code"] != card["code"]
    assert replacement["status"] == "unused"
    old = join(holder, world, card["code"])
    assert (old.status_code, old.json()["error"]) == (404, "unknown_seat_code")
    owner = seated(world, replacement["code"])
    mine = snapshot(owner, world).json()
    assert mine["me"]["participant_id"] == seat_id
    assert mine["vote"]["my_ballot"]["client_seq"] == 7
    assert ballots(world, vote) == 1
    [listed] = seat_list(world)["seats"]
    assert (listed["status"], listed["moves"]) == ("in_use", 0)


# ---------------------------------------------------------------- printing and the list


def qr_modules(svg: str) -> set[tuple[int, int]]:
    """The dark modules an inline QR SVG draws (segno's path of horizontal runs)."""
    path = re.search(r'\sd="([^"]+)"', svg)
    assert path is not None, svg[:200]
    x = y = 0.0
    dark: set[tuple[int, int]] = set()
    for command, first, second in re.findall(r"([MmHh])(-?[\d.]+)(?:\s(-?[\d.]+))?", path[1]):
        if command == "M":
            x, y = float(first), float(second)
        elif command == "m":
            x, y = x + float(first), y + float(second)
        else:  # h: a run of dark modules on row y
            run = float(first)
            dark.update((int(y), int(x + i)) for i in range(int(run)))
            x += run
    return dark


def expected_modules(url: str) -> set[tuple[int, int]]:
    """Every dark module of a QR code that encodes `url`, whatever its size or border."""
    matrix = segno.make(url, error="m").matrix
    return {(r, c) for r, row in enumerate(matrix) for c, value in enumerate(row) if value}


def test_the_sheet_has_one_scannable_qr_per_card_and_every_code(world: World) -> None:
    cards = make_cards(world, "civil_society", 10) + make_cards(world, "government", 3)
    world.organizer.post(f"{seats_url(world)}/{cards[-1]['number']}/revoke")
    sheet = world.organizer.get(f"/organize/{world.id}/seats/cards")
    assert sheet.status_code == 200
    html = sheet.text
    assert html.count('class="sheet"') == 1  # twelve cards fit on one A4 sheet
    printed = re.findall(
        r'<article class="seat-card" data-seat="(\d+)".*?<svg(.*?)</svg>.*?data-code>([^<]+)<',
        html,
        re.S,
    )
    assert [int(n) for n, _, _ in printed] == [c["number"] for c in cards[:-1]]
    for (_, svg, code), card in zip(printed, cards, strict=False):
        assert code == card["code"]
        link = f"http://testserver.local/j/{world.code}?seat={code.replace('-', '')}"
        drawn = qr_modules(svg)
        offset = min(r for r, _ in drawn), min(c for _, c in drawn)
        expected = expected_modules(link)
        shift = min(r for r, _ in expected), min(c for _, c in expected)
        moved = {(r - offset[0] + shift[0], c - offset[1] + shift[1]) for r, c in drawn}
        assert moved == expected
        query = parse_qs(urlsplit(link).query)
        assert query["seat"] == [code.replace("-", "")]
    assert "ภาคประชาสังคม" in html
    assert "สแกนคิวอาร์โค้ด" in html
    assert "<script" not in html
    government = world.organizer.get(
        f"/organize/{world.id}/seats/cards", params={"network": "government"}
    )
    assert unescape(government.text).count('class="seat-card"') == 2


def test_the_organizer_page_lists_the_cards_and_the_csv_exports_them(world: World) -> None:
    cards = make_cards(world, "media", 3)
    seated(world, cards[0]["code"])
    page = world.organizer.get(f"/organize/{world.id}")
    assert page.status_code == 200
    assert f'action="/organize/{world.id}/seats/required"' in page.text
    for card in cards:
        assert card["code"] in page.text
    assert f"/organize/{world.id}/seats/cards" in page.text
    assert f"/organize/{world.id}/seats/list.csv" in page.text
    switched = world.organizer.post(f"/organize/{world.id}/seats/required", data={"required": "on"})
    assert switched.status_code == 200
    made = world.organizer.post(
        f"/organize/{world.id}/seats", data={"network": "religion", "count": "2"}
    )
    assert made.status_code == 200
    listed = seat_list(world)
    assert listed["required"] is True
    assert len(listed["seats"]) == 5

    exported = world.organizer.get(f"/organize/{world.id}/seats/list.csv")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][0] == "เลขที่บัตร"
    assert [(r[3], r[4]) for r in rows[1:4]] == [
        (cards[0]["code"], "in_use"),
        (cards[1]["code"], "unused"),
        (cards[2]["code"], "unused"),
    ]


def test_only_the_organizer_can_make_list_print_or_revoke_cards(
    world: World, stranger: Person, sign_up: Callable[[str, str], Person]
) -> None:
    [card] = make_cards(world, "media", 1)
    participant = seated(world, card["code"])
    other_organizer = sign_up("org2", "organizer")
    base = seats_url(world)
    attempts: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", f"{base}/", {}),
        ("POST", f"{base}/", {"json": {"network": "media", "count": 1}}),
        ("PUT", f"{base}/required", {"json": {"required": False}}),
        ("POST", f"{base}/{card['number']}/revoke", {}),
        ("POST", f"{base}/{card['number']}/reissue", {}),
        ("GET", f"/organize/{world.id}/seats/cards", {}),
        ("GET", f"/organize/{world.id}/seats/list.csv", {}),
        ("POST", f"/organize/{world.id}/seats", {"data": {"network": "media", "count": "1"}}),
        ("POST", f"/organize/{world.id}/seats/required", {"data": {"required": "on"}}),
        ("POST", f"/organize/{world.id}/seats/{card['number']}/revoke", {"data": {}}),
    ]
    for who, expected in (
        (stranger, 401),
        (participant, 403),
        (world.facilitator, 403),
        (other_organizer, 403),
    ):
        for method, url, kwargs in attempts:
            response = who.request(method, url, **kwargs)
            assert response.status_code == expected, (method, url, response.text)
            assert card["code"] not in response.text
    facilitator_page = world.facilitator.get(f"/organize/{world.id}")
    assert facilitator_page.status_code == 200
    assert card["code"] not in facilitator_page.text
    [listed] = seat_list(world)["seats"]
    assert listed["status"] == "in_use"
    assert seat_list(world)["required"] is False


def test_bad_generate_requests_get_a_code(world: World) -> None:
    base = f"{seats_url(world)}/"
    for body, code in (
        ({"network": "media", "count": 0}, "invalid_seat_count"),
        ({"network": "media", "count": 100_000}, "invalid_seat_count"),
        ({"network": "nowhere", "count": 1}, "network_required"),
    ):
        response = world.organizer.post(base, json=body)
        assert (response.status_code, response.json()["error"]) == (400, code)
    missing = world.organizer.post(f"{seats_url(world)}/999/revoke")
    assert (missing.status_code, missing.json()["error"]) == (404, "seat_not_found")
    form = world.organizer.post(
        f"/organize/{world.id}/seats", data={"network": "media", "count": "many"}
    )
    assert form.status_code == 400


def test_a_card_still_moves_its_seat_after_joining_closed(world: World) -> None:
    """Joining closes before the official vote; a phone that dies then is replaced by scanning
    the same card on another one."""
    [card] = make_cards(world, "religion", 1)
    strict(world)
    phone_a = seated(world, card["code"])
    seat_id = snapshot(phone_a, world).json()["me"]["participant_id"]
    closed = world.organizer.patch(
        f"/api/v1/assemblies/{world.id}",
        json={"name": "สมัชชาคุณธรรม", "province": "ทดสอบ", "join_open": False},
    )
    assert closed.status_code == 200, closed.text
    plain = new_phone(world).post("/api/v1/join", json={"code": world.code, "network": "media"})
    assert (plain.status_code, plain.json()["error"]) == (410, "join_closed")
    card_page = new_phone(world).get(f"/j/{world.code}?seat={card['code']}")
    assert card_page.status_code == 200
    phone_b = seated(world, card["code"])
    assert snapshot(phone_b, world).json()["me"]["participant_id"] == seat_id
    assert snapshot(phone_a, world).status_code == 403
