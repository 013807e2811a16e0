"""Short forms of network names, for badges on a 360 px phone."""

from __future__ import annotations

from assembly.networks import DEFAULT_NETWORKS, short_names


def test_the_six_networks_get_their_sector_word_as_a_short_form() -> None:
    assert short_names([n.name_th for n in DEFAULT_NETWORKS]) == [
        "ภาครัฐ",
        "ภาคธุรกิจ",
        "ภาคประชาสังคม",
        "องค์กรการศึกษา",
        "องค์กรศาสนา",
        "สื่อมวลชน",
    ]


def test_a_first_word_two_networks_share_keeps_both_full_names() -> None:
    assert short_names(["กลุ่ม ก", "กลุ่ม ข", "เยาวชน อำเภอเมือง"]) == [
        "กลุ่ม ก",
        "กลุ่ม ข",
        "เยาวชน",
    ]


def test_a_blank_name_stays_as_it_is() -> None:
    assert short_names(["", "  "]) == ["", "  "]
