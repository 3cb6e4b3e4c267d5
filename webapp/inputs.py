"""The bounds of what a URL, a query string or a form may ask for, in one place.

- Ids are whole numbers from 1 to the database's integer range (PostgreSQL's 32-bit
  ``integer``): a larger one names nothing, so it is a 404, never a driver overflow.
- A JSON body is an object of valid UTF-8, nested no deeper than Python can parse.
- Dates are within years the calendar arithmetic can hold on every side (a week's end, a
  delivery window, a feed around today): 2000 to 2099.  Outside, a 400 or 422 names the field.

``int`` in every route (``<int:session_id>``) is the bounded converter below, so no view
can forget it.
"""

from __future__ import annotations

import json
from datetime import date

from flask import abort, request
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1
DATE_MIN, DATE_MAX = date(2000, 1, 1), date(2099, 12, 31)
DATE_RULE = f"must be a date (YYYY-MM-DD) from {DATE_MIN.isoformat()} to {DATE_MAX.isoformat()}"


class IdConverter(IntegerConverter):
    """``<int:...>`` limited to the ids the database can hold (a larger one matches no route: 404)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)

    def to_python(self, value: str):
        # int() refuses strings of over 4,300 digits with a ValueError, which routing would not
        # catch: anything longer than the largest id is no id.
        if len(value) > len(str(self.max)):
            from werkzeug.routing import ValidationError

            raise ValidationError()
        return super().to_python(value)


def in_date_range(day: date) -> bool:
    return DATE_MIN <= day <= DATE_MAX


def parse_day(text: str | None) -> date | None:
    """A YYYY-MM-DD date within the bounds, or None (absent, malformed or out of range)."""
    try:
        day = date.fromisoformat(text) if text else None
    except ValueError:
        return None
    return day if day is not None and in_date_range(day) else None


def date_arg(name: str) -> date | None:
    """The query or form field ``name`` as a date: None when absent, 400 naming the field when
    it is not a date within the bounds."""
    text = request.values.get(name, "")
    if not text:
        return None
    day = parse_day(text)
    if day is None:
        abort(400, description=f"{name}: {DATE_RULE}.")
    return day


def id_arg(name: str) -> int | None:
    """The query or form field ``name`` as an id: None when absent or not a number, 404 when
    it is a number no row can have."""
    text = request.values.get(name, "").strip()
    if not text.isdigit() or not text.isascii():
        return None
    if len(text) > len(str(MAX_ID)) or not 1 <= int(text) <= MAX_ID:
        abort(404)
    return int(text)


class BadJson(ValueError):
    """A request body that is not a JSON object; the message says what is wrong."""


def json_object(raw: bytes) -> dict:
    """``raw`` as a JSON object, or :class:`BadJson` (never a RecursionError or a 500)."""
    try:
        payload = json.loads(raw.decode("utf-8"))
        # Escaped lone surrogates ("\ud800") parse, but no database or device can store them.
        json.dumps(payload, ensure_ascii=False).encode("utf-8")
    except UnicodeError:
        raise BadJson("The body is not valid UTF-8 text.") from None
    except RecursionError:
        raise BadJson("The body is not valid JSON (nested too deeply).") from None
    except ValueError as error:
        raise BadJson(f"The body is not valid JSON ({error}).") from None
    if not isinstance(payload, dict):
        raise BadJson("The body must be a JSON object.")
    return payload
