from __future__ import annotations

from pathlib import Path

from assembly.i18n import current_language, extract_messages, translate, translations

ROOT = Path(__file__).resolve().parents[3]


def test_every_message_in_code_and_templates_has_a_thai_translation() -> None:
    thai = translations("th")
    untranslated = [m for m in extract_messages(ROOT) if thai.gettext(m) == m]
    assert untranslated == []


def test_messages_are_thai_by_default_and_english_on_request() -> None:
    message = "Your proposal is too long: at most %(limit)s characters."
    assert translate(message, limit=300) == "ข้อเสนอยาวเกินไป เขียนได้ไม่เกิน 300 ตัวอักษร"
    token = current_language.set("en")
    try:
        assert translate(message, limit=300) == "Your proposal is too long: at most 300 characters."
    finally:
        current_language.reset(token)


def test_no_message_is_translated_two_ways_in_different_catalogs() -> None:
    from babel.messages.pofile import read_po

    from assembly.i18n import catalog_files

    seen: dict[str, tuple[str, str]] = {}
    conflicts = []
    for path in catalog_files("th"):
        with path.open("rb") as po_file:
            for message in read_po(po_file, locale="th"):
                if not message.id or not message.string:
                    continue
                first = seen.setdefault(message.id, (str(message.string), path.name))
                if first[0] != message.string:
                    conflicts.append(f"{message.id!r}: {first} vs {message.string!r} ({path.name})")
    assert conflicts == []
