"""Thai first, English by a switch: gettext catalogs with English msgids.

The catalogs are `.po` files compiled in memory at start-up, so a translator edits one text
file and nothing binary lives in the repository. The language of the current request lives in
a context variable, so templates and error messages translate without passing it around.
"""

from __future__ import annotations

import gettext
import io
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("th", "en")
DEFAULT_LANGUAGE = "th"

current_language: ContextVar[str] = ContextVar("current_language", default=DEFAULT_LANGUAGE)


def catalog_files(language: str) -> list[Path]:
    """`messages.po` (the app's own words) first, then one file per context in name order."""
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    return sorted(folder.glob("*.po"), key=lambda path: (path.name != "messages.po", path.name))


@cache
def translations(language: str) -> gettext.NullTranslations:
    """All `.po` files of the language merged: one per context, so features can be
    translated (and developed) side by side. A msgid keeps its first translation."""
    merged: dict[str, str] = {}
    for po_path in catalog_files(language):
        with po_path.open("rb") as po_file:
            for message in read_po(po_file, locale=language):
                if message.id and message.string and isinstance(message.id, str):
                    merged.setdefault(message.id, str(message.string))
    if not merged:
        return gettext.NullTranslations()
    catalog = Catalog(locale=language)
    for msgid, msgstr in merged.items():
        catalog.add(msgid, msgstr)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def gettext_(message: str) -> str:
    return translations(current_language.get()).gettext(message)


def ngettext_(singular: str, plural: str, n: int) -> str:
    return translations(current_language.get()).ngettext(singular, plural, n)


def translate(message: str, **params: object) -> str:
    """Translate a msgid (as carried by a DomainError) and fill its %(name)s placeholders."""
    text = gettext_(message)
    return text % params if params else text


def pick_language(requested: str | None, cookie: str | None) -> str:
    for candidate in (requested, cookie):
        if candidate in LANGUAGES:
            return candidate
    return DEFAULT_LANGUAGE


def N_(message: str) -> str:
    """Mark a message for extraction where it is stored first and translated at the edge."""
    return message


# Calls whose message argument is extracted: `_()` in templates, the error classes in code.
EXTRACT_KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_": None,
    "ngettext": (1, 2),
    "N_": None,
    **{
        name: (2,)
        for name in (
            "DomainError",
            "InvalidInput",
            "NotAuthenticated",
            "Forbidden",
            "NotFound",
            "Conflict",
            "Gone",
            "UnsupportedMediaType",
            "TooManyRequests",
        )
    },
}
EXTRACT_METHODS = [
    ("assembly/**.py", "python"),
    ("deliberation/**.py", "python"),
    ("voting/**.py", "python"),
    ("followup/**.py", "python"),
    ("templates/**.html", "jinja2"),
]


def extract_messages(root: Path) -> list[str]:
    """Every msgid used in the code and templates, in first-seen order."""
    from babel.messages.extract import extract_from_dir

    seen: dict[str, None] = {}
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(root),
        method_map=EXTRACT_METHODS,
        options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n"}},
        keywords=EXTRACT_KEYWORDS,
    ):
        for msgid in message if isinstance(message, tuple) else (message,):
            if msgid:
                seen.setdefault(msgid, None)
    return list(seen)
