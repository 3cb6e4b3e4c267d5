"""Garmin's Training API V2 and the user endpoints, as strict as Garmin's documentation.

Workouts: ``POST /workoutportal/workout/v2`` (400 for anything the documentation does not
allow: an unknown sport or field, a missing field, more than 100 steps, a repeat inside a
repeat, pace given as anything but a speed in m/s, a workoutSourceId over 20 characters...),
then ``POST /training-api/schedule/`` with ``{"workoutId", "date"}``; retrieve and delete
under ``/training-api/workout/v2/{id}`` and ``/training-api/schedule/{id}``.  Like Garmin's,
this API has no idempotency key and no list of workouts.  412 when the athlete has not
granted WORKOUT_IMPORT.
"""

from __future__ import annotations

import json
import re
import time
from datetime import date

from flask import Blueprint, g, jsonify, request

from . import faults, oauth
from .admin import send_garmin_ping

bp = Blueprint("sandbox_garmin", __name__, url_prefix="/garmin")

SPORTS = {"RUNNING", "CYCLING", "LAP_SWIMMING", "STRENGTH_TRAINING", "CARDIO_TRAINING", "GENERIC", "YOGA",
          "PILATES", "MULTI_SPORT"}
INTENSITIES = {"REST", "WARMUP", "COOLDOWN", "RECOVERY", "INTERVAL", "ACTIVE", "MAIN"}
DURATION_TYPES = {"TIME", "DISTANCE", "HR_LESS_THAN", "HR_GREATER_THAN", "CALORIES", "OPEN", "POWER_LESS_THAN",
                  "POWER_GREATER_THAN", "TIME_AT_VALID_CDA", "FIXED_REST", "REPS", "REPETITION_SWIM_CSS_OFFSET",
                  "FIXED_REPETITION"}
TARGET_TYPES = {"SPEED", "HEART_RATE", "CADENCE", "POWER", "GRADE", "RESISTANCE", "POWER_3S", "POWER_10S",
                "POWER_30S", "POWER_LAP", "SPEED_LAP", "HEART_RATE_LAP", "OPEN", "PACE"}
REPEAT_TYPES = {"REPEAT_UNTIL_STEPS_CMPLT", "REPEAT_UNTIL_TIME", "REPEAT_UNTIL_DISTANCE", "REPEAT_UNTIL_CALORIES",
                "REPEAT_UNTIL_HR_LESS_THAN", "REPEAT_UNTIL_HR_GREATER_THAN", "REPEAT_UNTIL_POWER_LESS_THAN",
                "REPEAT_UNTIL_POWER_GREATER_THAN"}
WORKOUT_FIELDS = {"workoutId", "ownerId", "workoutName", "description", "updatedDate", "createdDate", "sport",
                  "estimatedDurationInSecs", "estimatedDistanceInMeters", "poolLength", "poolLengthUnit",
                  "workoutProvider", "workoutSourceId", "isSessionTransitionEnabled", "segments"}
SEGMENT_FIELDS = {"segmentOrder", "sport", "poolLength", "poolLengthUnit", "estimatedDurationInSecs",
                  "estimatedDistanceInMeters", "steps"}
STEP_FIELDS = {"type", "stepId", "stepOrder", "intensity", "description", "durationType", "durationValue",
               "durationValueType", "targetType", "targetValue", "targetValueLow", "targetValueHigh",
               "targetValueType", "secondaryTargetType", "secondaryTargetValue", "secondaryTargetValueLow",
               "secondaryTargetValueHigh", "secondaryTargetValueType", "strokeType", "drillType", "equipmentType",
               "exerciseCategory", "exerciseName", "weightValue", "weightDisplayUnit"}
REPEAT_FIELDS = {"type", "stepId", "stepOrder", "repeatType", "repeatValue", "skipLastRestStep", "steps"}
# Plausible target values per type: (zones, low bound, high bound), values in Garmin's units.
TARGET_RANGES = {"HEART_RATE": (5, 30, 250), "POWER": (7, 0, 3000), "CADENCE": (0, 0, 250),
                 "PACE": (0, 0.1, 15.0), "SPEED": (0, 0.1, 40.0)}
MAX_STEPS = 100


class Invalid(Exception):
    pass


@bp.before_request
def check_call():
    oauth.authenticate("garmin")
    return faults.before_api_call("garmin")


bp.after_request(faults.after_api_call)


def error(message: str, status: int = 400):
    return jsonify(errorMessage=message), status


def _require_import_permission():
    if "WORKOUT_IMPORT" not in g.permissions:
        return error("User has not granted the WORKOUT_IMPORT permission.", 412)
    return None


# -- user ---------------------------------------------------------------------------------

@bp.get("/wellness-api/rest/user/id")
def user_id():
    return jsonify(userId=g.user_id)


@bp.get("/wellness-api/rest/user/permissions")
def permissions():
    return jsonify(g.permissions)


@bp.delete("/wellness-api/rest/user/registration")
def deregister():
    with oauth.store().transaction() as db:
        db.execute("UPDATE users SET deregistered = 1 WHERE provider = 'garmin' AND user_id = ?", (g.user_id,))
    oauth.revoke_user("garmin", g.user_id, "deregistered by the partner")
    send_garmin_ping("deregistration", {"deregistrations": [{"userId": g.user_id}]})
    return "", 204


# -- workouts and schedules -----------------------------------------------------------------

@bp.post("/workoutportal/workout/v2")
def create_workout():
    refused = _require_import_permission()
    if refused:
        return refused
    try:
        payload = json.loads(request.get_data() or b"null")
        validate_workout(payload)
    except (ValueError, RecursionError):
        return error("The body is not valid JSON.")
    except Invalid as problem:
        return error(str(problem))
    with oauth.store().transaction() as db:
        cursor = db.execute("INSERT INTO records (provider, kind, user_id, token, body, created) "
                            "VALUES ('garmin', 'workout', ?, ?, ?, ?)", (g.user_id, g.token, json.dumps(payload), time.time()))
        workout_id = cursor.lastrowid
    body = dict(payload, workoutId=workout_id, ownerId=g.user_id)
    return jsonify(body)


@bp.get("/training-api/workout/v2/<int:workout_id>")
def get_workout(workout_id: int):
    row = _owned("workout", workout_id)
    if row is None:
        return error("Workout not found.", 404)
    return jsonify(dict(json.loads(row["body"]), workoutId=row["id"], ownerId=row["user_id"]))


@bp.delete("/training-api/workout/v2/<int:workout_id>")
def delete_workout(workout_id: int):
    if _owned("workout", workout_id) is None:
        return error("Workout not found.", 404)
    with oauth.store().transaction() as db:
        db.execute("UPDATE records SET deleted = 1 WHERE id = ? OR (kind = 'schedule' AND ref = ?)",
                   (workout_id, workout_id))
    return "", 204


@bp.post("/training-api/schedule/")
@bp.post("/training-api/schedule")
def schedule():
    refused = _require_import_permission()
    if refused:
        return refused
    try:
        payload = json.loads(request.get_data() or b"null")
    except (ValueError, RecursionError):
        return error("The body is not valid JSON.")
    if not isinstance(payload, dict) or set(payload) - {"workoutId", "date", "workoutScheduleId"}:
        return error("A schedule is {\"workoutId\", \"date\"}.")
    workout_id, day = payload.get("workoutId"), payload.get("date")
    if not isinstance(workout_id, int) or isinstance(workout_id, bool):
        return error("workoutId is required and must be a number.")
    if not isinstance(day, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
        return error("date is required as YYYY-MM-DD.")
    try:
        date.fromisoformat(day)
    except ValueError:
        return error("date is not a calendar date.")
    if _owned("workout", workout_id) is None:
        return error(f"Workout {workout_id} not found.", 404)
    with oauth.store().transaction() as db:
        cursor = db.execute("INSERT INTO records (provider, kind, user_id, token, body, ref, created) "
                            "VALUES ('garmin', 'schedule', ?, ?, ?, ?, ?)",
                            (g.user_id, g.token, json.dumps({"workoutId": workout_id, "date": day}), workout_id,
                             time.time()))
    return jsonify(cursor.lastrowid)


@bp.delete("/training-api/schedule/<int:schedule_id>")
def delete_schedule(schedule_id: int):
    if _owned("schedule", schedule_id) is None:
        return error("Schedule not found.", 404)
    with oauth.store().transaction() as db:
        db.execute("UPDATE records SET deleted = 1 WHERE id = ?", (schedule_id,))
    return "", 204


def _owned(kind: str, record_id: int):
    return oauth.store().one("SELECT * FROM records WHERE id = ? AND provider = 'garmin' AND kind = ? AND user_id = ? "
                             "AND deleted = 0", record_id, kind, g.user_id)


# -- the workout's rules ----------------------------------------------------------------------

def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _unknown(data: dict, allowed: set, where: str) -> None:
    extra = sorted(set(data) - allowed)
    if extra:
        raise Invalid(f"{where}: unknown field {extra[0]!r}")


def validate_workout(workout) -> None:
    if not isinstance(workout, dict):
        raise Invalid("A workout is a JSON object.")
    _unknown(workout, WORKOUT_FIELDS, "workout")
    name = workout.get("workoutName")
    if not isinstance(name, str) or not name.strip():
        raise Invalid("workoutName is required.")
    if workout.get("sport") not in SPORTS:
        raise Invalid(f"sport {workout.get('sport')!r} is not a Garmin sport.")
    description = workout.get("description")
    if description is not None and (not isinstance(description, str) or len(description) > 1024):
        raise Invalid("description must be text of at most 1024 characters.")
    for field in ("workoutProvider", "workoutSourceId"):
        value = workout.get(field)
        if value is not None and (not isinstance(value, str) or len(value) > 20):
            raise Invalid(f"{field} must be text of at most 20 characters.")
    segments = workout.get("segments")
    if not isinstance(segments, list) or not segments:
        raise Invalid("segments is required: a list with at least one segment.")
    orders: list[int] = []
    count = 0
    for index, segment in enumerate(segments):
        where = f"segments[{index}]"
        if not isinstance(segment, dict):
            raise Invalid(f"{where} must be an object.")
        _unknown(segment, SEGMENT_FIELDS, where)
        if segment.get("sport") != workout["sport"] and workout["sport"] != "MULTI_SPORT":
            raise Invalid(f"{where}.sport must match the workout's sport.")
        steps = segment.get("steps")
        if not isinstance(steps, list) or not steps:
            raise Invalid(f"{where}.steps is required: a list with at least one step.")
        count += _steps(steps, f"{where}.steps", workout["sport"], orders, inside_repeat=False)
    if count > MAX_STEPS:
        raise Invalid(f"A workout has at most {MAX_STEPS} steps; this one has {count}.")
    if orders != list(range(1, len(orders) + 1)):
        raise Invalid("stepOrder must number the steps 1, 2, 3... in order, nested steps included.")


def _steps(steps: list, where: str, sport: str, orders: list[int], inside_repeat: bool) -> int:
    count = 0
    for index, step in enumerate(steps):
        at = f"{where}[{index}]"
        if not isinstance(step, dict):
            raise Invalid(f"{at} must be an object.")
        kind = step.get("type")
        order = step.get("stepOrder")
        if not isinstance(order, int) or isinstance(order, bool):
            raise Invalid(f"{at}.stepOrder is required.")
        orders.append(order)
        if kind == "WorkoutRepeatStep":
            if inside_repeat:
                raise Invalid(f"{at}: a repeat step may hold only WorkoutStep items.")
            _unknown(step, REPEAT_FIELDS, at)
            if step.get("repeatType") not in REPEAT_TYPES:
                raise Invalid(f"{at}.repeatType is not valid.")
            value = step.get("repeatValue")
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 99:
                raise Invalid(f"{at}.repeatValue must be a whole number from 1 to 99.")
            children = step.get("steps")
            if not isinstance(children, list) or not children:
                raise Invalid(f"{at}.steps must list the repeated steps.")
            count += 1 + _steps(children, f"{at}.steps", sport, orders, inside_repeat=True)
        elif kind == "WorkoutStep":
            _unknown(step, STEP_FIELDS, at)
            _step(step, at, sport)
            count += 1
        else:
            raise Invalid(f"{at}.type must be WorkoutStep or WorkoutRepeatStep.")
    return count


def _step(step: dict, at: str, sport: str) -> None:
    if step.get("intensity") not in INTENSITIES:
        raise Invalid(f"{at}.intensity is not valid.")
    description = step.get("description")
    if description is not None and (not isinstance(description, str) or len(description) > 512):
        raise Invalid(f"{at}.description must be text of at most 512 characters.")
    duration = step.get("durationType")
    if duration not in DURATION_TYPES:
        raise Invalid(f"{at}.durationType is required and must be a Garmin duration type.")
    value = step.get("durationValue")
    if duration in ("TIME", "DISTANCE"):
        if not _number(value) or value <= 0:
            raise Invalid(f"{at}.durationValue must be greater than 0 for {duration}.")
        if duration == "TIME" and value > 86400:
            raise Invalid(f"{at}.durationValue is more than 24 hours.")
    elif duration == "OPEN" and value is not None:
        raise Invalid(f"{at}.durationValue must be empty for OPEN.")
    target = step.get("targetType")
    if target is not None and target not in TARGET_TYPES:
        raise Invalid(f"{at}.targetType is not a Garmin target type.")
    if sport == "LAP_SWIMMING" and target not in (None, "OPEN"):
        raise Invalid(f"{at}: lap swimming steps take no primary target.")
    _target_values(step, at, "target", target)
    secondary = step.get("secondaryTargetType")
    if secondary is not None:
        if secondary != "CADENCE" or sport != "CYCLING":
            raise Invalid(f"{at}: a secondary target is a cadence, on cycling workouts only.")
        if target in (None, "OPEN"):
            raise Invalid(f"{at}: a secondary target needs a primary target.")
        _target_values(step, at, "secondaryTarget", secondary)


def _target_values(step: dict, at: str, prefix: str, kind: str | None) -> None:
    value, low, high = (step.get(f"{prefix}Value"), step.get(f"{prefix}ValueLow"), step.get(f"{prefix}ValueHigh"))
    if kind in (None, "OPEN"):
        if any(v is not None for v in (value, low, high)):
            raise Invalid(f"{at}: an OPEN target takes no values.")
        return
    zones, floor, ceiling = TARGET_RANGES.get(kind, (0, float("-inf"), float("inf")))
    if value is not None:
        if low is not None or high is not None:
            raise Invalid(f"{at}: give {prefix}Value (a zone) or {prefix}ValueLow/High, not both.")
        if not isinstance(value, int) or not 1 <= value <= max(zones, 1) or not zones:
            raise Invalid(f"{at}.{prefix}Value is not a {kind} zone.")
        return
    if not _number(low) or not _number(high):
        raise Invalid(f"{at}: {kind} needs {prefix}ValueLow and {prefix}ValueHigh.")
    if low > high:
        raise Invalid(f"{at}.{prefix}ValueLow is above {prefix}ValueHigh.")
    if low < floor or high > ceiling:
        unit = " (a speed in m/s)" if kind in ("PACE", "SPEED") else ""
        raise Invalid(f"{at}: {kind} values {low}-{high} are out of range{unit}.")
