"""Thai numerals, Buddhist-era years, Thai month names and fiscal years, for documents.

One small module so the exported agenda, the pages and the tests agree on every date and
heading number. Pure functions over plain values; no locale settings (Babel's Thai locale
prints Gregorian years unless told otherwise, and a server's locale must not change a document).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

_ARABIC = "0123456789"
_THAI = "๐๑๒๓๔๕๖๗๘๙"
_TO_THAI = str.maketrans(_ARABIC, _THAI)
_TO_ARABIC = str.maketrans(_THAI, _ARABIC)

# Buddhist Era = Common Era + 543; exact for dates from 1941, when the Thai year moved its
# start from 1 April to 1 January (older dates never reach an assembly document).
BUDDHIST_ERA_OFFSET = 543
# The Thai government fiscal year runs 1 October to 30 September and is named by the year it
# ends in: 1 October 2026 opens FY 2027 = พ.ศ. 2570.
FISCAL_YEAR_START_MONTH = 10

THAI_MONTHS: tuple[str, ...] = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)
THAI_MONTHS_SHORT: tuple[str, ...] = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)
ERA_PREFIX = "พ.ศ."


def thai_digits(value: int | str) -> str:
    """Arabic digits 0-9 become Thai digits ๐-๙; every other character is kept."""
    return str(value).translate(_TO_THAI)


def arabic_digits(text: str) -> str:
    """Thai digits ๐-๙ become 0-9 (phones may type either); every other character is kept."""
    return text.translate(_TO_ARABIC)


def buddhist_year(year: int | dt.date) -> int:
    """The Buddhist-era year of a Common-era year or of a date."""
    ce_year = year.year if isinstance(year, dt.date) else year
    return ce_year + BUDDHIST_ERA_OFFSET


def fiscal_quarter(month: int) -> int:
    """The quarter (1..4) of the Thai fiscal year a calendar month falls in: 1 = Oct–Dec."""
    return (month - FISCAL_YEAR_START_MONTH) % 12 // 3 + 1


def thai_fiscal_year(date: dt.date) -> int:
    """The Thai government fiscal year (พ.ศ.) that contains this date."""
    ce_year = date.year + 1 if date.month >= FISCAL_YEAR_START_MONTH else date.year
    return ce_year + BUDDHIST_ERA_OFFSET


def thai_number(n: int, thai_numerals: bool = True, *, grouping: bool = False) -> str:
    """An integer for a heading or list number, e.g. ๑๒ or 1,250 with grouping."""
    text = f"{n:,}" if grouping else str(n)
    return thai_digits(text) if thai_numerals else text


def thai_date(
    date: dt.date,
    *,
    thai_numerals: bool = True,
    month: Literal["long", "short"] = "long",
    era: bool = True,
) -> str:
    """A date as Thai documents write it: ``27 พฤศจิกายน พ.ศ. 2569``.

    month="short" gives ``27 พ.ย. พ.ศ. 2569``; era=False drops ``พ.ศ.`` (compact tables).
    """
    if month == "long":
        month_name = THAI_MONTHS[date.month - 1]
    elif month == "short":
        month_name = THAI_MONTHS_SHORT[date.month - 1]
    else:
        raise ValueError(f"month must be 'long' or 'short', got {month!r}")
    parts = [str(date.day), month_name, ERA_PREFIX, str(buddhist_year(date))]
    if not era:
        parts.remove(ERA_PREFIX)
    text = " ".join(parts)
    return thai_digits(text) if thai_numerals else text


def parse_months(text: str) -> tuple[int, ...]:
    """Months as people type them: "10,11,12", "10-12", "ต.ค.-ธ.ค.", "ตุลาคม ถึง ธันวาคม",
    "๑๐-๑๒". A range runs forward and wraps over the new year (ต.ค.-ก.พ. is 10, 11, 12, 1, 2).

    Raises ValueError on a word that is not a month.
    """
    names = {name: i for i, name in enumerate(THAI_MONTHS, start=1)}
    names |= {name: i for i, name in enumerate(THAI_MONTHS_SHORT, start=1)}
    names |= {name.replace(".", ""): i for i, name in enumerate(THAI_MONTHS_SHORT, start=1)}
    cleaned = arabic_digits(text).replace("–", "-").replace("ถึง", "-").replace("/", ",")
    months: list[int] = []
    for part in (p.strip() for p in cleaned.replace(" - ", "-").split(",")):
        if not part:
            continue
        for chunk in part.split():
            ends = [e.strip() for e in chunk.split("-")]
            if len(ends) == 1 and ends[0] == "":
                continue
            if len(ends) > 2 or not all(ends):
                raise ValueError(f"not a month range: {chunk!r}")
            bounds = [_month(end, names) for end in ends]
            first, last = bounds[0], bounds[-1]
            month = first
            while True:
                if month not in months:
                    months.append(month)
                if month == last:
                    break
                month = month % 12 + 1
    return tuple(months)


def _month(word: str, names: dict[str, int]) -> int:
    if word.isdigit() and 1 <= int(word) <= 12:
        return int(word)
    if word in names:
        return names[word]
    raise ValueError(f"not a month: {word!r}")
