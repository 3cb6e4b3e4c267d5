"""Loading a request through a schema, with the spec's 422 on any field error."""

from __future__ import annotations

from marshmallow import Schema, ValidationError

from .errors import flatten_messages, invalid


def load(schema: Schema, payload: dict) -> dict:
    try:
        return schema.load(payload)
    except ValidationError as error:
        raise invalid(flatten_messages(error.messages)) from None
