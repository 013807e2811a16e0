"""Thai numerals, Buddhist-era years, month names and fiscal years, checked by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assembly.thai_format import (
    THAI_MONTHS,
    THAI_MONTHS_SHORT,
    arabic_digits,
    buddhist_year,
    thai_date,
    thai_digits,
    thai_fiscal_year,
    thai_number,
)

FAST = settings(max_examples=100, deadline=None)
ASSEMBLY_DAY = dt.date(2026, 11, 27)


def test_digits_become_thai_digits_and_nothing_else_changes() -> None:
    assert thai_digits(2569) == "๒๕๖๙"
    assert thai_digits("0123456789") == "๐๑๒๓๔๕๖๗๘๙"
    assert thai_digits("ข้อ 3.1 (ร่าง)") == "ข้อ ๓.๑ (ร่าง)"
    assert thai_digits(-40) == "-๔๐"


def test_thai_digits_typed_on_a_phone_become_arabic() -> None:
    assert arabic_digits("๒๗ พ.ย. ๒๕๖๙") == "27 พ.ย. 2569"
    assert arabic_digits("mixed ๑ and 2") == "mixed 1 and 2"


def test_buddhist_year_adds_543() -> None:
    assert buddhist_year(2026) == 2569
    assert buddhist_year(ASSEMBLY_DAY) == 2569
    assert buddhist_year(dt.datetime(2027, 1, 1, 0, 5)) == 2570


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, "๒๗ พฤศจิกายน พ.ศ. ๒๕๖๙"),
        ({"thai_numerals": False}, "27 พฤศจิกายน พ.ศ. 2569"),
        ({"thai_numerals": False, "month": "short"}, "27 พ.ย. พ.ศ. 2569"),
        ({"month": "short", "era": False}, "๒๗ พ.ย. ๒๕๖๙"),
    ],
)
def test_thai_date(kwargs: dict[str, object], expected: str) -> None:
    assert thai_date(ASSEMBLY_DAY, **kwargs) == expected  # type: ignore[arg-type]


def test_thai_date_first_and_last_months() -> None:
    assert thai_date(dt.date(2027, 1, 1), thai_numerals=False) == "1 มกราคม พ.ศ. 2570"
    assert thai_date(dt.date(2026, 12, 31), thai_numerals=False, month="short") == (
        "31 ธ.ค. พ.ศ. 2569"
    )


def test_thai_date_refuses_an_unknown_month_style() -> None:
    with pytest.raises(ValueError, match="month"):
        thai_date(ASSEMBLY_DAY, month="medium")  # type: ignore[arg-type]


def test_month_tables_are_complete_and_distinct() -> None:
    assert len(set(THAI_MONTHS)) == len(set(THAI_MONTHS_SHORT)) == 12
    assert THAI_MONTHS_SHORT[0] == "ม.ค."
    assert THAI_MONTHS_SHORT[11] == "ธ.ค."
    assert THAI_MONTHS[10] == "พฤศจิกายน"


@pytest.mark.parametrize(
    ("date", "fiscal_year"),
    [
        (dt.date(2026, 9, 30), 2569),
        (dt.date(2026, 10, 1), 2570),
        (dt.date(2026, 11, 27), 2570),
        (dt.date(2027, 1, 1), 2570),
        (dt.date(2027, 9, 30), 2570),
        (dt.date(2027, 10, 1), 2571),
    ],
)
def test_fiscal_year_starts_on_1_october(date: dt.date, fiscal_year: int) -> None:
    assert thai_fiscal_year(date) == fiscal_year


def test_thai_number_for_headings() -> None:
    assert thai_number(12) == "๑๒"
    assert thai_number(12, thai_numerals=False) == "12"
    assert thai_number(1250, grouping=True) == "๑,๒๕๐"


THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"


@FAST
@given(st.text().filter(lambda t: not any(ch in THAI_DIGITS for ch in t)))
def test_text_round_trips_through_thai_digits(text: str) -> None:
    assert arabic_digits(thai_digits(text)) == text


@FAST
@given(st.text().filter(lambda t: not any(ch in "0123456789" for ch in t)))
def test_text_round_trips_through_arabic_digits(text: str) -> None:
    assert thai_digits(arabic_digits(text)) == text


@FAST
@given(st.integers(min_value=0))
def test_integers_round_trip(n: int) -> None:
    thai = thai_digits(n)
    assert not any(ch.isascii() for ch in thai)
    assert int(arabic_digits(thai)) == n
    assert len(thai) == len(str(n))


@FAST
@given(st.dates(min_value=dt.date(1941, 1, 1), max_value=dt.date(2500, 12, 31)))
def test_fiscal_year_is_the_buddhist_year_or_the_next(date: dt.date) -> None:
    expected = buddhist_year(date) + (1 if date.month >= 10 else 0)
    assert thai_fiscal_year(date) == expected
    assert arabic_digits(thai_date(date)) == thai_date(date, thai_numerals=False)
