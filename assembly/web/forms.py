"""Plain HTML forms decoded into the JSON API's body dataclasses.

A use case then has one call site for its JSON and its form handler: both hand it the same
body. What a form sends differs from JSON only in spelling: every value is text, a checkbox is
present or absent, an empty field means "not given".
"""

from __future__ import annotations

import dataclasses
import types
from datetime import date
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin, get_type_hints

from litestar.params import URLEncodedBody

from assembly.errors import InvalidInput
from assembly.web.context import MAX_ROW_ID

Form = URLEncodedBody[dict[str, str]]
"""A handler's `data` when a plain form posts to it."""

B = TypeVar("B")

CHECKED = frozenset({"on", "1", "true"})
"""What a ticked checkbox sends (browsers: "on"; scripts and tests: "1", "true")."""

NUMBER_CODES = {
    "step_id": "invalid_step",
    "minutes": "invalid_timer",
    "count": "invalid_seat_count",
    "version": "invalid_version",
    "proposal_ids": "invalid_proposal",
}
"""The error code of a number that is not one, by field; others are `invalid_number`."""


def arguments(body: Any) -> dict[str, Any]:
    """A body's fields as a use case's keyword arguments (where the names are the same).
    Not `vars()`: a body decoded from JSON keeps its defaults on the class."""
    return {f.name: getattr(body, f.name) for f in dataclasses.fields(body)}


def checked(form: Any, name: str) -> bool:
    return form.get(name) in CHECKED


def form_int(value: Any, name: str) -> int | None:
    """A number typed in a form, None when left empty."""
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or abs(number) > MAX_ROW_ID:  # no field holds it; a query would overflow
        raise InvalidInput(NUMBER_CODES.get(name, "invalid_number"), "Please enter a number.")
    return number


def row_id(value: Any) -> int | None:
    """A row's id as a form sends it; None when blank, not a whole number, not positive or
    past any row ("²" is a digit to `str.isdigit` but no number; ten digits overflow
    PostgreSQL's integer)."""
    try:
        number = form_int(str(value or "").strip(), "id")
    except InvalidInput:
        return None
    return number if number is not None and number > 0 else None


def form_body(body: type[B], form: Any, **given: Any) -> B:
    """`form` as a `body` dataclass, each field read as its type says: text as sent, a bool as
    a checkbox (absent: False), a number or a date parsed (empty: None, or the field's
    default), a list from the repeated field. `given` fills fields the form does not carry
    (the ones the URL or several form fields make)."""
    hints = get_type_hints(body, include_extras=True)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(body):  # type: ignore[arg-type]
        if f.name in given:
            values[f.name] = given[f.name]
            continue
        kind, optional = _unwrap(hints[f.name])
        has_default = (
            f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
        )
        raw = form.get(f.name)
        if optional and raw == "":
            raw = None  # a form cannot say "not given" otherwise
        if kind is bool:
            values[f.name] = None if optional and raw is None else raw in CHECKED
        elif get_origin(kind) is list:
            if hasattr(form, "getall"):
                item = _unwrap(get_args(kind)[0])[0]
                parsed = (_parse(item, f.name, v) for v in form.getall(f.name, []))
                values[f.name] = [v for v in parsed if v is not None and v != ""]
        elif raw is None or (raw == "" and kind is not str):
            if optional:
                values[f.name] = None
            elif not has_default:
                if kind is not str:
                    raise InvalidInput(
                        f"{f.name}_required", "The request is incomplete or malformed."
                    )
                values[f.name] = ""
        else:
            values[f.name] = _parse(kind, f.name, raw)
    return body(**values)


def _unwrap(hint: Any) -> tuple[Any, bool]:
    """(the type, whether None is allowed), `Annotated` metadata dropped."""
    if get_origin(hint) is Annotated:
        hint = get_args(hint)[0]
    if get_origin(hint) in (Union, types.UnionType):
        args = [a for a in get_args(hint) if a is not type(None)]
        return _unwrap(args[0])[0], len(args) < len(get_args(hint))
    return hint, False


def _parse(kind: Any, name: str, raw: Any) -> Any:
    if kind is int:
        return form_int(raw, name)
    if kind is float:
        try:
            return float(raw)
        except ValueError as exc:
            raise InvalidInput(f"invalid_{name}", "Please enter a number.") from exc
    if kind is date:
        try:
            return date.fromisoformat(raw)
        except ValueError as exc:
            raise InvalidInput("invalid_date", "Please enter a valid date.") from exc
    return raw
