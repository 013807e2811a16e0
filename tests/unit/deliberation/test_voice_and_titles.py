"""The voice layer (who speaks, and how, is not what they propose) and the group title rules,
on Thai sentences written for these tests."""

from __future__ import annotations

import pytest

from deliberation.thai import normalise, speaks, title, tokenise, voice_words, without_voice


@pytest.mark.parametrize(
    ("voiced", "plain"),
    [
        # a monk: self-reference, address, blessing
        ("อาตมาขอเจริญพรญาติโยม ช่วยกันดูแลป่าชุมชนนะ", "ช่วยกันดูแลป่าชุมชน"),
        # an official: petition and officialese formulas
        ("เห็นควรให้ส่งเสริมการคัดแยกขยะอย่างเป็นรูปธรรม", "การคัดแยกขยะ"),
        # a villager: particles and emphasis
        ("หนูอยากให้มีไฟส่องสว่างที่ซอยบ้านค่ะ มืดมากๆ", "มีไฟส่องสว่างที่ซอยบ้าน มืด"),
    ],
)
def test_voice_words_do_not_count_for_matching(voiced: str, plain: str) -> None:
    assert tokenise(voiced) == tokenise(plain)
    assert tokenise(without_voice(voiced)) == tokenise(plain)


def test_without_voice_keeps_the_proposal_and_its_spacing() -> None:
    assert without_voice("ผมขอเสนอให้ปลูกต้นไม้ริมถนน ลดฝุ่นครับ") == "ให้ปลูกต้นไม้ริมถนน ลดฝุ่น"


def test_a_proposal_of_nothing_but_voice_keeps_its_words() -> None:
    assert without_voice("ขอบคุณครับ") == normalise("ขอบคุณครับ")
    assert title("ขอบคุณครับ")


def test_voice_words_never_name_a_concern() -> None:
    assert not {"เรียน", "ใส่", "ครู", "วัด", "พระ", "ป่า", "ขยะ", "เด็ก"} & voice_words()


def test_an_emphasis_run_collapses_only_at_the_end_of_a_phrase() -> None:
    assert normalise("ดีมากกกก") == "ดีมาก"
    assert normalise("ได้คะแนนน้อย") == "ได้คะแนนน้อย"  # คะแนน|น้อย: three น, two words


def test_a_title_drops_particles_anywhere_and_the_speaker_at_the_start() -> None:
    assert title("ผมอยากให้ช่วยกันคัดแยกขยะก่อนทิ้งนะครับ 🙏") == "คัดแยกขยะก่อนทิ้ง"
    assert title("อาตมาเห็นว่าวัดควรเป็นเขตปลอดบุหรี่ เจริญพร") == "วัดควรเป็นเขตปลอดบุหรี่"
    assert title("โยมครับ เลิกจุดประทัดเสียงดังตอนตีสองเถอะ!!!") == "เลิกจุดประทัดเสียงดังตอนตีสอง"


def test_a_title_keeps_the_speaker_inside_the_sentence() -> None:
    """Inside a sentence a pronoun is grammar ("with me"), not a formula."""
    assert title("ชาวบ้านมาปรึกษาอาตมาเรื่องหนี้นอกระบบ") == "ชาวบ้านมาปรึกษาอาตมาเรื่องหนี้นอกระบบ"


def test_a_long_title_ends_at_a_whole_phrase_without_an_ellipsis() -> None:
    text = "ปลูกป่าชายเลน ฟื้นฟูแหล่งอนุบาลสัตว์น้ำ ให้ชาวประมงพื้นบ้านมีรายได้ต่อไปอีกหลายชั่วอายุคน"
    assert title(text, 40) == "ปลูกป่าชายเลน ฟื้นฟูแหล่งอนุบาลสัตว์น้ำ"


def test_a_first_phrase_longer_than_the_limit_is_cut_at_a_word() -> None:
    text = "ขอให้เทศบาลติดตั้งไฟส่องสว่างตลอดเส้นทางจากตลาดสดไปถึงสถานีขนส่งผู้โดยสารประจำจังหวัด"
    cut = title(text, 30)
    assert cut.endswith("…")
    assert len(cut) <= 31
    assert text.replace("ขอให้", "").startswith(cut[:-1])


def test_a_title_keeps_digits_and_capitals_as_typed() -> None:
    assert title("ติด QR Code ที่ป้ายโครงการ ๕ แห่งค่ะ") == "ติด QR Code ที่ป้ายโครงการ ๕ แห่ง"


def test_speaks_tells_a_personal_account_from_a_proposal() -> None:
    assert speaks("ร้านถ่ายเอกสารของผมโดนขอให้ทำรายงานแทนเด็ก")
    assert not speaks("ร้านถ่ายเอกสารไม่รับทำรายงานแทนนักเรียน")
