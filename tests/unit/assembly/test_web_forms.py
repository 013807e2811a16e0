"""A plain form decodes into the same body dataclass as the JSON API (assembly/web/forms.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest
from litestar.datastructures import FormMultiDict

from assembly.errors import InvalidInput
from assembly.web.api import AssemblyBody, JoinBody, OpenStepBody, StepBody
from assembly.web.context import MAX_ROW_ID, RowId
from assembly.web.forms import arguments, form_body


@dataclass
class ItemsLike:
    version: int
    ids: list[RowId] = field(default_factory=list)
    title: str | None = None


def test_text_checkboxes_dates_and_defaults_read_as_the_json_body() -> None:
    body = form_body(AssemblyBody, {"name": "สภา", "province": "น่าน", "held_on": "2026-03-01"})
    assert body == AssemblyBody("สภา", "น่าน", date(2026, 3, 1), "", join_open=False)
    step = form_body(StepBody, {"kind": "collect", "title": "t", "show_others": "on"})
    assert step == StepBody("collect", "t", "", show_others=True)


def test_an_empty_field_is_not_given() -> None:
    assert form_body(OpenStepBody, {"minutes": ""}) == OpenStepBody(None, False)
    assert form_body(JoinBody, {"code": "1", "seat_code": ""}).seat_code is None
    assert form_body(AssemblyBody, {"held_on": ""}).held_on is None


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({"minutes": "ten"}, "invalid_timer"),
        ({"minutes": str(MAX_ROW_ID + 1)}, "invalid_timer"),
    ],
)
def test_a_number_that_is_not_one_is_refused_with_its_field_code(
    form: dict[str, str], code: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        form_body(OpenStepBody, form)
    assert refused.value.code == code


def test_a_bad_date_and_a_missing_required_number_are_refused() -> None:
    with pytest.raises(InvalidInput, match="invalid_date"):
        form_body(AssemblyBody, {"held_on": "31/02/2026"})
    with pytest.raises(InvalidInput) as refused:
        form_body(ItemsLike, {})
    assert refused.value.code == "version_required"


def test_a_repeated_field_is_a_list_and_given_values_win() -> None:
    form = FormMultiDict([("version", "3"), ("ids", "4"), ("ids", ""), ("ids", "5")])
    assert form_body(ItemsLike, form) == ItemsLike(3, [4, 5], None)
    assert form_body(ItemsLike, form, ids=[9], title="t") == ItemsLike(3, [9], "t")


def test_arguments_include_the_defaults_a_json_body_keeps_on_its_class() -> None:
    assert arguments(OpenStepBody()) == {"minutes": None, "close_when_done": False}
