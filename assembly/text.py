"""Text as typed on phones, cleaned for storage: what every use case applies to what people type
before it is stored (names, proposals, agenda items, imported rows). Matching (normalising and
tokenising Thai) is deliberation's (`deliberation/thai.py`). And text made safe in a
spreadsheet, for every CSV export (the agenda's tables, a vote's tally and ballots).
"""

from __future__ import annotations

import re
import unicodedata

# Zero-width and bidi control characters that phones paste in invisibly; they split words for
# the tokeniser and make two identical-looking proposals differ.
_INVISIBLE = re.compile(
    "[\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a-\u202e\u2066-\u2069\u00ad]"
)
# C0/C1 control characters other than newline and tab (a NUL byte would corrupt some exports).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def clean_text(text: str) -> str:
    """Return text as it should be stored: NFC, invisible and control characters removed,
    runs of spaces folded, outer whitespace trimmed. Never NFKC: it rewrites Thai digits."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub("", _INVISIBLE.sub("", text))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


# A text cell starting with one of these is read as a formula by Excel, LibreOffice or Google
# Sheets (tab and carriage return can hide a formula behind leading whitespace; the full-width
# forms are converted to ASCII by some East Asian input settings).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
QUOTE_PREFIX = "'"
