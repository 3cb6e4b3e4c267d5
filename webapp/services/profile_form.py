"""The thresholds form of the pages (athlete and coach): what a person types, read into the
API's profile fields and checked by the API's one schema (api/schemas.ProfileSchema)."""

from __future__ import annotations

import re

from marshmallow import ValidationError

from core.models import User

from ..api.errors import flatten_messages
from ..api.schemas import PROFILE_FIELDS, ProfileSchema

PACES = ("thresholdPaceSecPerKm", "swimThresholdPaceSecPer100m")


def values_of(athlete: User) -> dict[str, str]:
    """The athlete's profile as the form shows it (paces as m:ss)."""
    profile = athlete.profile
    out = {}
    for key, column in PROFILE_FIELDS.items():
        value = getattr(profile, column) if profile else None
        if key in PACES and value:
            value = f"{int(value) // 60}:{int(value) % 60:02d}"
        out[key] = "" if value is None else str(value)
    if not out["timezone"]:
        out["timezone"] = "UTC"
    return out


def read(form) -> tuple[dict, dict[str, list[str]]]:
    """The profile columns to set (empty clears), or the errors by field."""
    data, errors = {}, {}
    for key in PROFILE_FIELDS:
        text = (form.get(key) or "").strip()
        if key == "timezone":
            data[key] = text or "UTC"
        elif not text:
            data[key] = None
        elif key in PACES and (match := re.fullmatch(r"(\d{1,2}):([0-5]\d)", text)):
            data[key] = int(match.group(1)) * 60 + int(match.group(2))
        elif re.fullmatch(r"\d{1,5}", text):
            data[key] = int(text)
        else:
            errors[key] = ["enter m:ss (4:15)" if key in PACES else "enter a whole number"]
    try:
        loaded = ProfileSchema().load(data)  # the fields read, by the API's rules
    except ValidationError as error:
        errors.update(flatten_messages(error.messages))
    if errors:
        return {}, errors
    return {PROFILE_FIELDS[key]: value for key, value in loaded.items() if key in PROFILE_FIELDS}, {}
