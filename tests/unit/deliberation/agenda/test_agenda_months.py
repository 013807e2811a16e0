"""Months as organizers type them become calendar month numbers, ranges wrapping the year."""

from __future__ import annotations

import pytest

from assembly.thai_format import parse_months


@pytest.mark.parametrize(
    ("typed", "months"),
    [
        ("10,11,12", (10, 11, 12)),
        ("ต.ค.-ธ.ค.", (10, 11, 12)),
        ("ตุลาคม ถึง ธันวาคม", (10, 11, 12)),
        ("๑๐-๒", (10, 11, 12, 1, 2)),
        ("ม.ค. มี.ค.", (1, 3)),
        ("", ()),
    ],
)
def test_typed_months_become_month_numbers(typed: str, months: tuple[int, ...]) -> None:
    assert parse_months(typed) == months


@pytest.mark.parametrize("typed", ["13", "เดือนหน้า", "1-2-3", "-"])
def test_words_that_are_not_months_are_refused(typed: str) -> None:
    with pytest.raises(ValueError, match="month"):
        parse_months(typed)
