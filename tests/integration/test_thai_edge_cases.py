"""Thai text at its strangest never corrupts storage: each case is either stored (and read back
exactly as the API answered it, from the snapshot and the JSON export) or refused with a 4xx
and an English code; never a 5xx. The same on SQLite and PostgreSQL: PostgreSQL text cannot
hold a NUL byte, so `clean_text` drops control characters before anything is stored.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from typing import TYPE_CHECKING, Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

if TYPE_CHECKING:
    from conftest import Person, World

# Each a way a phone, a paste or a script has sent Thai text.
EDGE_CASES = {
    "combining mark alone": "ั้",
    "tone marks stacked": "่่่่",
    "combining marks after a space": "ข้อ ่่ เสนอ",
    "10,000 mai yamok": "ๆ" * 10_000,
    "right-to-left override": "\u202eอนุรักษ์ป่า",
    "right-to-left mark": "ขยะ\u200fล้นเมือง",
    "left-to-right isolate": "\u2066ถนน\u2069พัง",
    "zero-width joiner": "ขยะ\u200dล้น\u200cเมือง",
    "zero-width space only": "\u200b\u200b",
    "null byte": "ข้อ\x00เสนอ",
    "null byte only": "\x00",
    "other control characters": "ข้อ\x07\x1b[31mเสนอ\x7f",
    "decomposed sara am": "น\u0e4d\u0e32",
    "NFD of Thai and Latin": unicodedata.normalize("NFD", "ความดี café"),
    "emoji ZWJ family": "👨\u200d👩\u200d👧\u200d👦 ครอบครัวอบอุ่น",
    "emoji with skin tone and flag": "👍🏽 🇹🇭",
    "one very long Thai word": "ก" * 300,
    "one very long Latin word": "a" * 300,
    "a word just too long": "ก" * 301,
    "Thai digits": "ลดขยะ ๓๐% ภายใน ๒๕๗๐",
    "CRLF lines": "บรรทัดหนึ่ง\r\nบรรทัดสอง\rบรรทัดสาม",
}
# JSON that decodes to text Python can hold but UTF-8 (and so the database) cannot.
RAW_BODIES = {
    "lone high surrogate": b'{"text": "\\ud800"}',
    "lone low surrogate": b'{"text": "ab\\udfff cd"}',
    "surrogate pair reversed": b'{"text": "\\ude00\\ud83d"}',
    "invalid UTF-8 byte": b'{"text": "\xff"}',
    "UTF-8 encoded surrogate": b'{"text": "\xed\xa0\x80"}',
}
MAX_PROPOSAL_CHARS = 300  # the integration settings' limit


def api(world: World, path: str = "") -> str:
    return f"/api/v1/assemblies/{world.id}{path}"


def refused_with_a_code(response: httpx.Response) -> str:
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    code = response.json()["error"]
    assert code.isascii()
    assert code
    return str(code)


def stored_proposals(world: World) -> dict[int, str]:
    snapshot = world.facilitator.get(api(world, "/snapshot")).json()
    return {p["id"]: p["text"] for p in snapshot["proposals"]}


def archived(world: World) -> str:
    response = world.organizer.get(f"/organize/{world.id}/export.json")
    assert response.status_code == 200
    return json.dumps(response.json(), ensure_ascii=False)


def new_phone(world: World, **extra: str) -> tuple[Person, httpx.Response]:
    """A phone that tries to join (with these fields); the answer may be a refusal."""
    phone = type(world.organizer)(world.client)
    joined = phone.post("/api/v1/join", json={"code": world.code, "network": "media", **extra})
    return phone, joined


def outcome(response: httpx.Response, created: int = 201) -> dict[str, Any] | str:
    """The stored view the API answered with, or the refusal's code; never a 5xx."""
    if response.status_code == created:
        body: dict[str, Any] = response.json()
        return body
    return refused_with_a_code(response)


def test_proposals_are_stored_as_answered_or_refused_with_a_code(world: World) -> None:
    world.open("collect")
    outcomes: dict[str, Any] = {}
    phone = new_phone(world)[0]
    for n, (case, text) in enumerate(EDGE_CASES.items()):
        if n % 8 == 7:
            phone = new_phone(world)[0]  # ten proposals a minute per participant
        result = outcome(phone.post(api(world, "/proposals"), json={"text": text}))
        outcomes[case] = result["text"] if isinstance(result, dict) else result
        if isinstance(result, dict):
            assert result["text"]
            assert "\x00" not in result["text"]
            assert unicodedata.is_normalized("NFC", result["text"])
            assert stored_proposals(world)[result["id"]] == result["text"]
    stored = stored_proposals(world)
    archive = archived(world)
    for text in stored.values():
        assert json.dumps(text, ensure_ascii=False) in archive
    assert sorted(stored.values()) == sorted(t for t in outcomes.values() if t not in CODES)
    assert outcomes == EXPECTED


CODES = ("proposal_empty", "proposal_too_long")
# What happens to each case: the same on every database. Marks alone are kept (they are what
# was typed); invisible and control characters go; NFC; a limit counts code points.
EXPECTED = {
    "combining mark alone": "ั้",
    "tone marks stacked": "่่่่",
    "combining marks after a space": "ข้อ ่่ เสนอ",
    "10,000 mai yamok": "proposal_too_long",
    "right-to-left override": "อนุรักษ์ป่า",
    "right-to-left mark": "ขยะล้นเมือง",
    "left-to-right isolate": "ถนนพัง",
    "zero-width joiner": "ขยะล้นเมือง",
    "zero-width space only": "proposal_empty",
    "null byte": "ข้อเสนอ",
    "null byte only": "proposal_empty",
    "other control characters": "ข้อ[31mเสนอ",
    "decomposed sara am": "น\u0e4d\u0e32",
    "NFD of Thai and Latin": "ความดี café",
    "emoji ZWJ family": "👨👩👧👦 ครอบครัวอบอุ่น",
    "emoji with skin tone and flag": "👍🏽 🇹🇭",
    "one very long Thai word": "ก" * 300,
    "one very long Latin word": "a" * 300,
    "a word just too long": "proposal_too_long",
    "Thai digits": "ลดขยะ ๓๐% ภายใน ๒๕๗๐",
    "CRLF lines": "บรรทัดหนึ่ง\nบรรทัดสอง\nบรรทัดสาม",
}


def test_names_titles_and_suggestions_are_stored_as_answered_or_refused(world: World) -> None:
    """The other fields people type, each case through each: a participant's name and
    organisation, a step's title, an issue's title (curation), a suggestion on an agenda item."""
    world.open("collect")
    kept: Counter[str] = Counter()  # most cases are stored: the checks below were not vacuous
    for case, text in EDGE_CASES.items():
        phone, joined = new_phone(world, display_name=text, organisation=text)
        if joined.status_code != 200:
            refused_with_a_code(joined)
            continue
        me = phone.get(api(world, "/snapshot")).json()["me"]
        assert me["display_name"] == clean(text), case
        kept["name"] += 1

    steps = {s["kind"]: s["id"] for s in world.assembly["steps"]}
    for text in EDGE_CASES.values():
        result = outcome(
            world.organizer.patch(
                api(world, f"/steps/{steps['vote']}"), json={"kind": "vote", "title": text}
            ),
            200,
        )
        if isinstance(result, dict):
            snapshot = world.facilitator.get(api(world, "/snapshot")).json()
            assert next(s for s in snapshot["steps"] if s["kind"] == "vote") == result
            kept["step title"] += 1

    phone = new_phone(world)[0]
    first = phone.post(api(world, "/proposals"), json={"text": "ขยะล้นเมือง"}).json()["id"]
    world.open("review")
    state = world.facilitator.post(
        api(world, f"/proposals/{first}/group"), json={"group_id": "new"}
    )
    group = next(g for g in state.json()["groups"] if first in g["members"])
    for text in EDGE_CASES.values():
        result = outcome(
            world.facilitator.patch(
                api(world, f"/groups/{group['id']}"),
                json={"version": group["version"], "title": text, "is_issue": True},
            ),
            200,
        )
        groups = world.facilitator.get(api(world, "/groups")).json()["groups"]
        group = next(g for g in groups if g["id"] == group["id"])
        if isinstance(result, dict):  # a title is one line: new lines fold into spaces
            answered = next(g for g in result["groups"] if g["id"] == group["id"])
            assert group["title"] == answered["title"] == " ".join(clean(text).split("\n"))
            kept["issue title"] += 1

    world.open("draft")
    item = world.facilitator.post(api(world, "/agenda/items"), json={"issue_ids": [group["id"]]})
    item_id = item.json()[0]["id"]
    suggester = new_phone(world)[0]
    assert suggester.post(api(world, "/agenda/group"), json={"item_id": item_id}).status_code == 200
    for n, text in enumerate(EDGE_CASES.values()):
        if n % 8 == 7:
            suggester = new_phone(world)[0]
        result = outcome(
            suggester.post(
                api(world, f"/agenda/items/{item_id}/suggestions"),
                json={"part": "goal", "text": text},
            )
        )
        if isinstance(result, dict):
            agenda = world.facilitator.get(api(world, "/agenda/")).json()
            stored = next(s for s in agenda["suggestions"] if s["id"] == result["id"])
            assert stored["text"] == result["text"] == clean(text)
            kept["suggestion"] += 1
    assert min(kept[f] for f in ("name", "step title", "issue title", "suggestion")) >= 12, kept


def clean(text: str) -> str:
    from assembly.text import clean_text

    return clean_text(text)


def test_text_that_utf8_cannot_hold_is_refused_before_storage(world: World) -> None:
    world.open("collect")
    phone = new_phone(world)[0]
    headers = {"content-type": "application/json"}
    for case, body in RAW_BODIES.items():
        response = phone.post(api(world, "/proposals"), content=body, headers=headers)
        assert response.status_code == 400, case
        refused_with_a_code(response)
        stranger = type(world.organizer)(world.client)
        join = body.replace(
            b'{"text"', b'{"code": "%s", "network": "media", "display_name"' % world.code.encode()
        )
        refused_with_a_code(stranger.post("/api/v1/join", content=join, headers=headers))
    assert stored_proposals(world) == {}


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=st.text(max_size=400))
def test_any_text_is_stored_as_answered_or_refused_with_a_code(world: World, text: str) -> None:
    steps = world.facilitator.get(api(world, "/snapshot")).json()["steps"]
    if not any(s["kind"] == "collect" and s["status"] == "open" for s in steps):
        world.open("collect")
    phone = new_phone(world)[0]
    result = outcome(phone.post(api(world, "/proposals"), json={"text": text}))
    if isinstance(result, dict):
        assert result["text"] == clean(text)
        assert stored_proposals(world)[result["id"]] == result["text"]
    else:
        assert result in CODES
        assert (clean(text) == "") == (result == "proposal_empty")
