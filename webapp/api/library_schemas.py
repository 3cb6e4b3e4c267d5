"""Marshmallow schemas of the third round's coach requests: a library entry, a search of the
library, placing an entry on athletes' day, copying a week (api.md, "The coach's library").

Ids and dates are bounded as everywhere (api/schemas.py, webapp/inputs.py); names and tags
are one-line clean text; the workout goes to ``workouts.check_workout`` through the same
:class:`WorkoutField` a session's does.  The pages load their forms through these too.
"""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from core.models.library import NAME_MAX, TAG_MAX, TAGS_MAX, search_key

from ..services import library_messages as say
from .schemas import TITLE_MAX, ApiSchema, Day, Id, WorkoutField, clean_line, must_be_monday

MAX_ATHLETES = 50  # one call places or copies for at most this many athletes (a squad, not the world)


class Trimmed(fields.String):
    """A one-line text, trimmed of spaces at its ends before its rules are checked."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


def _no_comma(tag: str) -> None:
    if "," in tag:
        raise ValidationError(say.TAG_COMMA)


class Tags(fields.List):
    """Short clean tags, each once (compared case-insensitively: the first spelling stays)."""

    def __init__(self, **kwargs):
        tag = Trimmed(validate=[validate.Length(min=1, max=TAG_MAX, error=say.TAG_RULE), clean_line, _no_comma])
        super().__init__(tag, validate=validate.Length(max=TAGS_MAX, error=say.TAGS_RULE), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        tags, seen = [], set()
        for tag in super()._deserialize(value, attr, data, **kwargs):
            if search_key(tag) not in seen:
                seen.add(search_key(tag))
                tags.append(tag)
        return tags


def _athlete_ids(**kwargs) -> fields.List:
    return fields.List(Id(strict=True), validate=validate.Length(
        min=1, max=MAX_ATHLETES, error=f"from 1 to {MAX_ATHLETES} athletes"), **kwargs)


def _each_once(ids: list[int] | None, name: str) -> None:
    errors, seen = {}, set()
    for index, value in enumerate(ids or []):
        if value in seen:
            errors[f"{name}[{index}]"] = [say.TWICE]
        seen.add(value)
    if errors:
        raise ValidationError(errors)


class LibraryEntrySchema(ApiSchema):
    name = Trimmed(required=True, validate=[validate.Length(min=1, max=NAME_MAX, error=say.NAME_RULE), clean_line])
    tags = Tags(load_default=list)
    workout = WorkoutField(required=True)
    # What GET returned, sent back with a PUT: identifies the entry and cannot change.
    id = fields.Raw(load_default=None)
    createdAt = fields.Raw(load_default=None)
    updatedAt = fields.Raw(load_default=None)


class LibraryQuerySchema(ApiSchema):
    q = fields.String(load_default="", validate=[validate.Length(max=NAME_MAX), clean_line])
    tag = fields.String(load_default="", validate=[validate.Length(max=TAG_MAX), clean_line])


class ScheduleSchema(ApiSchema):
    athleteIds = _athlete_ids(required=True)
    date = Day(required=True)
    title = Trimmed(allow_none=True, load_default=None, validate=[validate.Length(min=1, max=TITLE_MAX), clean_line])

    @validates_schema(skip_on_field_errors=True)
    def athletes_once(self, data, **kwargs):
        _each_once(data["athleteIds"], "athleteIds")


class CopyWeekSchema(ApiSchema):
    athleteId = Id(strict=True, required=True)
    fromWeek = Day(required=True, also=[must_be_monday])
    toWeek = Day(required=True, also=[must_be_monday])
    toAthleteIds = _athlete_ids(allow_none=True, load_default=None)
    replace = fields.Boolean(load_default=False)

    @validates_schema(skip_on_field_errors=True)
    def athletes_once(self, data, **kwargs):
        _each_once(data["toAthleteIds"], "toAthleteIds")
