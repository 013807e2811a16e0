"""Seat codes as plain values: the alphabet, the printed form, derivation and lookup hashes."""

from __future__ import annotations

import json

import pytest

from assembly.events import EventType
from assembly.seats import (
    SEAT_CODE_ALPHABET,
    SEAT_CODE_LENGTH,
    code_hash,
    derive_code,
    format_code,
    is_released,
    moved_participant,
    normalise_code,
    released_device,
)

SECRET = "a-test-secret-key"


def test_the_alphabet_has_no_characters_a_hall_would_confuse() -> None:
    assert not set("0O1ILU") & set(SEAT_CODE_ALPHABET)
    assert len(set(SEAT_CODE_ALPHABET)) == len(SEAT_CODE_ALPHABET) == 30
    assert "".join(sorted(SEAT_CODE_ALPHABET)) == SEAT_CODE_ALPHABET
    assert all(ch.isdigit() or ch.isupper() for ch in SEAT_CODE_ALPHABET)


def test_a_code_is_derived_the_same_way_every_time_and_differs_per_nonce_and_key() -> None:
    code = derive_code(SECRET, "nonce-1")
    assert len(code) == SEAT_CODE_LENGTH
    assert set(code) <= set(SEAT_CODE_ALPHABET)
    assert derive_code(SECRET, "nonce-1") == code  # the sheet prints again identically
    assert derive_code(SECRET, "nonce-2") != code
    assert derive_code("another-key", "nonce-1") != code  # the nonce alone tells nothing


def test_many_codes_use_the_whole_alphabet_and_rarely_repeat() -> None:
    codes = {derive_code(SECRET, f"n{i}") for i in range(2000)}
    assert len(codes) == 2000
    assert set("".join(codes)) == set(SEAT_CODE_ALPHABET)


def test_the_printed_form_is_two_groups_of_four() -> None:
    assert format_code("K7QM3XHD") == "K7QM-3XHD"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("K7QM-3XHD", "K7QM3XHD"),
        ("k7qm 3xhd", "K7QM3XHD"),
        (" K7QM3XHD\n", "K7QM3XHD"),
        ("K๗QM-๓XHD", "K7QM3XHD"),  # Thai digits from a Thai keyboard
        ("K7QM-3XH", None),
        ("K7QM-3XHDD", None),
        ("K0QM-3XHD", None),  # 0 is never printed
        ("KOQM-3XHD", None),
        ("K1QM-3XHD", None),
        ("KIQM-3XHD", None),
        ("กขคง-จฉชซ", None),
        ("", None),
    ],
)
def test_typed_codes_are_forgiven_case_spaces_dashes_and_thai_digits(
    typed: str, expected: str | None
) -> None:
    assert normalise_code(typed) == expected


def test_the_lookup_hash_needs_the_key_and_is_not_the_code() -> None:
    code = derive_code(SECRET, "nonce")
    stored = code_hash(SECRET, code)
    assert len(stored) == 64
    assert code not in stored
    assert code_hash(SECRET, code) == stored
    assert code_hash("another-key", code) != stored


def test_a_released_seat_has_a_device_hash_no_phone_can_have() -> None:
    released = released_device()
    assert is_released(released)
    assert not is_released("ab" * 32)
    assert len(released) <= 64
    assert released != released_device()


def test_only_a_seat_moved_event_names_the_participant_to_disconnect() -> None:
    moved = json.dumps(
        {"seq": 4, "type": EventType.SEAT_MOVED, "ts": 1, "data": {"participant_id": 12}},
        separators=(",", ":"),
    ).encode()
    other = b'{"seq":5,"type":"proposal.created","ts":1,"data":{"participant_id":12}}'
    assert moved_participant(moved) == 12
    assert moved_participant(other) is None
