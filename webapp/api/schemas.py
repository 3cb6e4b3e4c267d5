"""Marshmallow schemas of the JSON API: what a plan, a session and a profile look like.

The workout inside a session is not described here: :class:`WorkoutField` hands it to
``workouts.check_workout``, the one place where workout rules live, and turns each
problem into a field error under its step path.
"""

from __future__ import annotations

from zoneinfo import available_timezones

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from core.models import SessionType, TrainingSession
from workouts import check_workout
from workouts.characters import RULE as TEXT_RULE
from workouts.characters import is_clean
from workouts.constants import STRENGTH_SPORTS

from ..inputs import DATE_MAX, DATE_MIN, DATE_RULE, MAX_ID

MAX_SESSIONS_PER_PLAN = 50
TITLE_MAX = 120


class WorkoutField(fields.Field):
    """A structured workout, checked by workouts.validation and kept exactly as sent."""

    def _deserialize(self, value, attr, data, **kwargs):
        problems = check_workout(value)
        if problems:
            errors: dict[str, list[str]] = {}
            for problem in problems:
                errors.setdefault(problem.path, []).append(problem.rule)
            raise ValidationError(errors)
        return value


def clean_line(text: str) -> None:
    if not is_clean(text):
        raise ValidationError(TEXT_RULE)


def Id(**kwargs) -> fields.Integer:
    return fields.Integer(validate=validate.Range(min=1, max=MAX_ID, error=f"must be an id from 1 to {MAX_ID}"),
                          **kwargs)


def Day(**kwargs) -> fields.Date:
    validators = [validate.Range(min=DATE_MIN, max=DATE_MAX, error=DATE_RULE), *kwargs.pop("also", ())]
    return fields.Date(validate=validators, **kwargs)


def must_be_monday(day) -> None:
    if day.weekday() != 0:
        raise ValidationError("must be a Monday")


class ApiSchema(Schema):
    class Meta:
        unknown = RAISE


class SessionSchema(ApiSchema):
    id = Id(strict=True, allow_none=True, load_default=None)
    date = Day(required=True)
    type = fields.String(required=True, validate=validate.OneOf(SessionType.ALL))
    title = fields.String(allow_none=True, load_default=None, validate=[validate.Length(min=1, max=TITLE_MAX), clean_line])
    workout = WorkoutField(allow_none=True, load_default=None)
    # Read-only export fields: accepted (so that a client may send back what it read) and ignored.
    exportStatus = fields.Raw(load_default=None)
    exportProvider = fields.Raw(load_default=None)
    exportedAt = fields.Raw(load_default=None)
    externalWorkoutId = fields.Raw(load_default=None)
    lastExportError = fields.Raw(load_default=None)
    exportScheduledFor = fields.Raw(load_default=None)
    pushReason = fields.Raw(load_default=None)
    compatibility = fields.Raw(load_default=None)

    @validates_schema(skip_on_field_errors=True)
    def workout_matches_type(self, data, **kwargs):
        """An ENDURANCE session needs an endurance or multisport workout; a STRENGTH session may
        carry a strength or cardio one (then it is pushed like any other); the rest carry none."""
        kind, workout = data["type"], data.get("workout")
        if kind == SessionType.ENDURANCE and workout is None:
            raise ValidationError("an ENDURANCE session needs a workout", "workout")
        if kind not in TrainingSession.DELIVERED and workout is not None:
            raise ValidationError("only ENDURANCE and STRENGTH sessions carry a workout", "workout")
        sport = workout.get("sport") if isinstance(workout, dict) else None
        if kind == SessionType.ENDURANCE and sport in STRENGTH_SPORTS:
            raise ValidationError(f"a {sport} workout belongs to a STRENGTH session", "workout")
        if kind == SessionType.STRENGTH and workout is not None and sport not in STRENGTH_SPORTS:
            raise ValidationError("a STRENGTH session's workout is a STRENGTH or CARDIO one", "workout")


def _sessions(**kwargs):
    return fields.List(
        fields.Nested(SessionSchema),
        validate=validate.Length(max=MAX_SESSIONS_PER_PLAN, error="at most {max} sessions a week"),
        **kwargs,
    )


class PlanCreateSchema(ApiSchema):
    athleteId = Id(strict=True, required=True)
    weekStart = Day(required=True, also=[must_be_monday])
    sessions = _sessions(load_default=list)


class PlanUpdateSchema(ApiSchema):
    sessions = _sessions(required=True)
    # A client may send back the plan it read; these identify it and cannot change.
    id = fields.Raw(load_default=None)
    athleteId = fields.Raw(load_default=None)
    weekStart = fields.Raw(load_default=None)


class PlanQuerySchema(ApiSchema):
    athleteId = Id(load_default=None)
    weekStart = Day(load_default=None)


def _threshold(low: int, high: int, unit: str):
    return fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(min=low, max=high, error=f"must be from {low} to {high} {unit}"),
    )


class ProfileSchema(ApiSchema):
    ftpWatts = _threshold(20, 2000, "W")
    maxHeartRate = _threshold(80, 250, "bpm")
    thresholdPaceSecPerKm = _threshold(120, 1200, "s/km")
    swimThresholdPaceSecPer100m = _threshold(40, 300, "s/100 m")
    timezone = fields.String(validate=validate.OneOf(sorted(available_timezones()), error="is not a known time zone"))
    athleteId = fields.Raw(load_default=None)


PROFILE_FIELDS = {
    "ftpWatts": "ftp_watts",
    "maxHeartRate": "max_heart_rate",
    "thresholdPaceSecPerKm": "threshold_pace_sec_per_km",
    "swimThresholdPaceSecPer100m": "swim_threshold_pace_sec_per_100m",
    "timezone": "timezone",
}
