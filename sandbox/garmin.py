"""Garmin's Training API V2 and the user endpoints, held to providers.md ("Garmin Training API V2").

Refused with 400 (what the document says a workout must be): an unknown sport, segments
that do not match it, more than 100 steps (a repeat counting once plus its children;
multisport: 25 segments, 250 steps), an unknown intensity, duration or target type, a swim
step with a primary target, a swim-only duration or intensity outside LAP_SWIMMING, a timed
swim step outside 1 to 59 minutes, a zone outside 1-5 (heart rate) or 1-7 (power), a pace
that cannot be a speed in m/s, a secondary target outside CYCLING and LAP_SWIMMING (or over
an OPEN primary, or of the primary's type), a swim pace or send-off time without
``poolLengthUnit``, a swim REST step by distance (swim rests are FIXED_REST or OPEN), a swim
segment whose pool fields differ from the workout's, ``workoutProvider``/``workoutSourceId``
over 20 characters, a ``targetValueType`` other than PERCENT (3.2.1: "used only for HR and
POWER types", so never on another type nor on a zone number).

Not refused, because the document does not refuse them: a repeat inside a repeat,
descriptions over 1,024 / 512 characters (truncated, as Garmin says), repeat values over 99.
What the document only advises ("should") is kept as a warning on the record, which
``_admin/workouts`` shows: a swim REST step that is not FIXED_REST, a ``workoutSourceId``
unlike ``workoutProvider``, ``stepOrder`` out of sequence, an unknown field, a swim repeat
that ends on a rest with no step after it (the watch skips that rest: skipLastRestStep,
which Garmin sets for every LAP_SWIMMING workout).

Strength, cardio and multisport, as 3.2.1 says: ``exerciseCategory``/``exerciseName`` only in
STRENGTH_TRAINING, CARDIO_TRAINING, YOGA and PILATES segments, the category in Garmin's catalog
(exercises.py) and the name in that category; REPS only there too, a positive count;
``weightValue`` kilograms, a positive number, only on STRENGTH_TRAINING ("Used only for");
``weightDisplayUnit`` KILOGRAM or POUND; ``isSessionTransitionEnabled`` a Boolean; MULTI_SPORT
at most 25 segments and 250 steps, a LAP_SWIMMING segment's pool the workout's.  Advised only
(warnings): a display unit with no weight, a name with no category (Connect shows no exercise),
a MULTI_SPORT workout without transitions, ``segmentOrder`` out of sequence.

What the document does not settle is played either way (faults.py; research notes §5), each
defaulting to the reading the notes found most likely:

- ``unknownExerciseName`` "drop" (stored without the name, as Connect does; a warning) or
  "refuse" (400); a name outside its category counts as unknown;
- ``unknownExerciseCategory`` "refuse" (400 "Invalid category", as Connect does) or "drop";
- ``weightOnCardio`` "ignore" (stored without it) or "refuse";
- ``segmentStepLimit`` none, or a number: each segment's own cap besides the 250;
- ``multisportSwimSkipsLastRest`` false, or true (Garmin sets skipLastRestStep on a
  LAP_SWIMMING segment of a MULTI_SPORT workout as on a LAP_SWIMMING workout);
- ``transitionOnSingleSport`` "ignore" (stored false) or "refuse";
- ``repsCheck`` "loose" (any positive count) or "strict" (a whole number from 1 to 999).

Statuses: 401 no such access token, 403 not allowed (another user's workout or schedule),
404 not found, 412 WORKOUT_IMPORT not granted, 429 quota.  Like Garmin's, this API has no
idempotency key and no list of workouts; schedules are listed by date.
"""

from __future__ import annotations

import json
import re
import time
from datetime import date

from flask import Blueprint, g, jsonify, request

from . import exercises, faults, oauth
from .admin import send_garmin_ping

bp = Blueprint("sandbox_garmin", __name__, url_prefix="/garmin")

SPORTS = {"RUNNING", "CYCLING", "LAP_SWIMMING", "STRENGTH_TRAINING", "CARDIO_TRAINING", "GENERIC", "YOGA",
          "PILATES", "MULTI_SPORT"}
INTENSITIES = {"REST", "WARMUP", "COOLDOWN", "RECOVERY", "ACTIVE", "INTERVAL", "MAIN"}
DURATION_TYPES = {"TIME", "DISTANCE", "HR_LESS_THAN", "HR_GREATER_THAN", "CALORIES", "OPEN", "POWER_LESS_THAN",
                  "POWER_GREATER_THAN", "TIME_AT_VALID_CDA", "FIXED_REST", "REPS", "REPETITION_SWIM_CSS_OFFSET",
                  "FIXED_REPETITION"}
SWIM_DURATIONS = {"REPETITION_SWIM_CSS_OFFSET", "FIXED_REPETITION"}
TARGET_TYPES = {"SPEED", "HEART_RATE", "CADENCE", "POWER", "GRADE", "RESISTANCE", "POWER_3S", "POWER_10S",
                "POWER_30S", "POWER_LAP", "SPEED_LAP", "HEART_RATE_LAP", "OPEN", "PACE"}
SWIM_SECONDARY = {"SWIM_INSTRUCTION", "SWIM_CSS_OFFSET", "PACE_ZONE"}
REPEAT_TYPES = {"REPEAT_UNTIL_STEPS_CMPLT", "REPEAT_UNTIL_TIME", "REPEAT_UNTIL_DISTANCE", "REPEAT_UNTIL_CALORIES",
                "REPEAT_UNTIL_HR_LESS_THAN", "REPEAT_UNTIL_HR_GREATER_THAN", "REPEAT_UNTIL_POWER_LESS_THAN",
                "REPEAT_UNTIL_POWER_GREATER_THAN", "REPEAT_UNTIL_POWER_LAST_LAP_LESS_THAN",
                "REPEAT_UNTIL_MAX_POWER_LAST_LAP_LESS_THAN"}
STROKES = {"BACKSTROKE", "BREASTSTROKE", "BUTTERFLY", "FREESTYLE", "MIXED", "IM", "RIMO", "CHOICE"}
DRILLS = {"KICK", "PULL", "BUTTERFLY"}
EQUIPMENT = {"NONE", "SWIM_FINS", "SWIM_KICKBOARD", "SWIM_PADDLES", "SWIM_PULL_BUOY", "SWIM_SNORKEL"}
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
ZONES = {"HEART_RATE": 5, "POWER": 7}
VALUE_TYPES = {"PERCENT"}
VALUE_TYPE_TARGETS = {"HEART_RATE", "POWER"}
SPEED_MAX = 40.0  # m/s: a PACE or SPEED above this cannot be a speed (a pace in s/km was sent)
EXERCISE_SPORTS = {"STRENGTH_TRAINING", "CARDIO_TRAINING", "YOGA", "PILATES"}  # "Used only for" (3.2.1)
REPS_SPORTS = {"STRENGTH_TRAINING", "CARDIO_TRAINING"}
WEIGHT_SPORTS = {"STRENGTH_TRAINING"}  # weightValue: "Used only for STRENGTH_TRAINING Workouts"
WEIGHT_UNITS = {"KILOGRAM", "POUND"}
STRICT_REPS = (1, 999)
# What Garmin does where its document is silent, as the sandbox plays it (the first is the default).
PLAYS = {"unknownExerciseName": ("drop", "refuse"), "unknownExerciseCategory": ("refuse", "drop"),
         "weightOnCardio": ("ignore", "refuse"), "segmentStepLimit": (None,),
         "multisportSwimSkipsLastRest": (False, True), "transitionOnSingleSport": ("ignore", "refuse"),
         "repsCheck": ("loose", "strict")}


def played(overrides: dict | None = None) -> dict:
    """The plays in force: the defaults, changed by ``overrides``."""
    chosen = {name: values[0] for name, values in PLAYS.items()}
    chosen.update({k: v for k, v in (overrides or {}).items() if k in PLAYS})
    return chosen


def _fault_plays() -> dict:
    chosen = {name: faults.setting("garmin", name) for name in PLAYS}
    return played({name: value for name, value in chosen.items() if value is not None})
SWIM_TIME = (60, 59 * 60)
LIMITS = {False: (1, 100), True: (25, 250)}  # (segments, steps): single sport, multisport


class Invalid(Exception):
    pass


@bp.before_request
def check_call():
    oauth.authenticate("garmin")
    return faults.before_api_call("garmin")


bp.after_request(faults.after_api_call)


def error(message: str, status: int = 400):
    return jsonify(errorMessage=message), status


def _import_refused():
    if "WORKOUT_IMPORT" not in g.permissions:
        return error("User has not granted the WORKOUT_IMPORT permission.", 412)
    return None


# -- user ---------------------------------------------------------------------------------

@bp.get("/wellness-api/rest/user/id")
def user_id():
    return jsonify(userId=g.user_id)


@bp.get("/wellness-api/rest/user/permissions")
@bp.get("/userPermissions/")
@bp.get("/userPermissions")
def permissions():
    # Both documented examples are malformed ({[ ... ]}): play either plausible reading.
    if faults.setting("garmin", "permissionsShape", "array") == "object":
        return jsonify(permissions=g.permissions)
    return jsonify(g.permissions)


@bp.delete("/wellness-api/rest/user/registration")
def deregister():
    with oauth.store().transaction() as db:
        db.execute("UPDATE users SET deregistered = 1 WHERE provider = 'garmin' AND user_id = ?", (g.user_id,))
    oauth.revoke_user("garmin", g.user_id, "deregistered by the partner")
    send_garmin_ping("deregistration", {"deregistrations": [{"userId": g.user_id}]})
    return "", 204


# -- workouts ----------------------------------------------------------------------------------

@bp.post("/workoutportal/workout/v2")
def create_workout():
    refused = _import_refused()
    if refused:
        return refused
    try:
        payload = json.loads(request.get_data() or b"null")
        plays = _fault_plays()
        warnings = validate_workout(payload, plays)
    except (ValueError, RecursionError):
        return error("The body is not valid JSON.")
    except Invalid as problem:
        return error(str(problem))
    payload = _as_garmin_keeps_it(payload, plays)
    with oauth.store().transaction() as db:
        cursor = db.execute("INSERT INTO records (provider, kind, user_id, token, body, created, warnings, client_id) "
                            "VALUES ('garmin', 'workout', ?, ?, ?, ?, ?, ?)",
                            (g.user_id, g.token, json.dumps(payload), time.time(), json.dumps(warnings), g.client_id))
        workout_id = cursor.lastrowid
    return jsonify(dict(payload, workoutId=workout_id, ownerId=g.user_id))


@bp.route("/training-api/workout/v2/<int:workout_id>", methods=["GET", "PUT", "DELETE"])
def workout(workout_id: int):
    refused = _import_refused()
    if refused:
        return refused
    row, problem = _owned("workout", workout_id)
    if problem:
        return problem
    if request.method == "GET":
        return jsonify(dict(json.loads(row["body"]), workoutId=row["id"], ownerId=row["user_id"]))
    if request.method == "DELETE":
        cascade = "" if faults.setting("garmin", "deleteKeepsSchedules", False) else " OR (kind = 'schedule' AND ref = ?)"
        with oauth.store().transaction() as db:
            db.execute(f"UPDATE records SET deleted = 1 WHERE id = ?{cascade}",
                       (workout_id, workout_id) if cascade else (workout_id,))
        return "", 204
    try:
        payload = json.loads(request.get_data() or b"null")
        if not isinstance(payload, dict) or payload.get("ownerId") is None:
            raise Invalid("ownerId is required to update a workout.")
        plays = _fault_plays()
        warnings = validate_workout(payload, plays)
    except (ValueError, RecursionError):
        return error("The body is not valid JSON.")
    except Invalid as problem:
        return error(str(problem))
    payload = _as_garmin_keeps_it(payload, plays)
    with oauth.store().transaction() as db:
        oauth.store().update_body(db, workout_id, payload, warnings=json.dumps(warnings))
    return jsonify(dict(payload, workoutId=workout_id, ownerId=g.user_id))


def _as_garmin_keeps_it(payload: dict, plays: dict | None = None) -> dict:
    """What Garmin stores: descriptions truncated, skipLastRestStep set for swims, and what the
    plays drop (an unknown exercise, a cardio weight) left out."""
    plays = played(plays)
    payload = dict(payload)
    if isinstance(payload.get("description"), str):
        payload["description"] = payload["description"][:1024]
    multi = payload.get("sport") == "MULTI_SPORT"
    if not multi and payload.get("isSessionTransitionEnabled"):
        payload["isSessionTransitionEnabled"] = False  # ignored on a single sport (as played)
    known = exercises.catalog()

    def fix(steps, sport):
        swim = sport == "LAP_SWIMMING" and (not multi or plays["multisportSwimSkipsLastRest"])
        for step in steps:
            if step.get("type") == "WorkoutRepeatStep":
                if swim:
                    step["skipLastRestStep"] = True  # "set to true automatically for all LAP_SWIMMING"
                fix(step.get("steps", []), sport)
                continue
            if isinstance(step.get("description"), str):
                step["description"] = step["description"][:512]
            category, name = step.get("exerciseCategory"), step.get("exerciseName")
            if category is not None and category not in known:
                step["exerciseCategory"] = step["exerciseName"] = None  # dropped (as played)
            elif name is not None and name not in known.get(category, ()):
                step["exerciseName"] = None  # dropped (as played)
            if sport == "CARDIO_TRAINING" and step.get("weightValue") is not None:
                step["weightValue"] = None  # ignored (as played)

    for segment in payload.get("segments", []):
        fix(segment.get("steps", []), segment.get("sport"))
    return payload


# -- schedules -----------------------------------------------------------------------------------

@bp.post("/training-api/schedule/")
@bp.post("/training-api/schedule")
def create_schedule():
    refused = _import_refused()
    if refused:
        return refused
    try:
        workout_id, day = _schedule_body()
    except Invalid as problem:
        return error(str(problem))
    _, problem = _owned("workout", workout_id)
    if problem:
        return problem
    with oauth.store().transaction() as db:
        cursor = db.execute("INSERT INTO records (provider, kind, user_id, token, body, ref, created, client_id) "
                            "VALUES ('garmin', 'schedule', ?, ?, ?, ?, ?, ?)",
                            (g.user_id, g.token, json.dumps({"workoutId": workout_id, "date": day}), workout_id,
                             time.time(), g.client_id))
    schedule = {"scheduleId": cursor.lastrowid, "workoutId": workout_id, "date": day}
    # What this call answers is not published: play the reply chosen (providers.md).
    if faults.setting("garmin", "scheduleReply", "id") == "object":
        return jsonify(schedule)
    return jsonify(cursor.lastrowid)


@bp.get("/training-api/schedule")
@bp.get("/training-api/schedule/")
def list_schedules():
    refused = _import_refused()
    if refused:
        return refused
    try:
        start, end = (date.fromisoformat(request.args.get(k, "")) for k in ("startDate", "endDate"))
    except ValueError:
        return error("startDate and endDate are required as YYYY-MM-DD.")
    rows = oauth.store().query("SELECT * FROM records WHERE provider = 'garmin' AND kind = 'schedule' AND user_id = ? "
                               "AND deleted = 0 ORDER BY id", g.user_id)
    return jsonify([_schedule_json(r) for r in rows if start <= date.fromisoformat(_body(r)["date"]) <= end])


@bp.route("/training-api/schedule/<int:schedule_id>", methods=["GET", "PUT", "DELETE"])
def schedule(schedule_id: int):
    refused = _import_refused()
    if refused:
        return refused
    row, problem = _owned("schedule", schedule_id)
    if problem:
        return problem
    if request.method == "GET":
        return jsonify(_schedule_json(row))
    if request.method == "DELETE":
        with oauth.store().transaction() as db:
            db.execute("UPDATE records SET deleted = 1 WHERE id = ?", (schedule_id,))
        return "", 204
    try:
        workout_id, day = _schedule_body(schedule_id)
    except Invalid as problem:
        return error(str(problem))
    _, problem = _owned("workout", workout_id)
    if problem:
        return problem
    with oauth.store().transaction() as db:
        oauth.store().update_body(db, schedule_id, {"workoutId": workout_id, "date": day}, ref=workout_id)
    return jsonify({"scheduleId": schedule_id, "workoutId": workout_id, "date": day})


def _schedule_body(schedule_id: int | None = None) -> tuple[int, str]:
    try:
        payload = json.loads(request.get_data() or b"null")
    except (ValueError, RecursionError):
        raise Invalid("The body is not valid JSON.") from None
    if not isinstance(payload, dict) or set(payload) - {"workoutId", "date", "scheduleId"}:
        raise Invalid("A schedule is {\"workoutId\", \"date\"}.")
    if schedule_id is not None and payload.get("scheduleId") not in (None, schedule_id):
        raise Invalid("scheduleId does not match the URL.")
    if schedule_id is None and payload.get("scheduleId") is not None:
        raise Invalid("A schedule Id should not be included when creating a schedule.")
    workout_id, day = payload.get("workoutId"), payload.get("date")
    if not isinstance(workout_id, int) or isinstance(workout_id, bool):
        raise Invalid("workoutId is required and must be a number.")
    if not isinstance(day, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
        raise Invalid("date is required as YYYY-MM-DD.")
    try:
        date.fromisoformat(day)
    except ValueError:
        raise Invalid("date is not a calendar date.") from None
    return workout_id, day


def _schedule_json(row) -> dict:
    return {"scheduleId": row["id"], **_body(row)}


def _body(row) -> dict:
    return json.loads(row["body"])


def _owned(kind: str, record_id: int):
    """(the record, None) if this user holds it; else (None, a 404 or 403 response)."""
    row = oauth.store().one("SELECT * FROM records WHERE id = ? AND provider = 'garmin' AND kind = ? AND deleted = 0",
                            record_id, kind)
    if row is None:
        return None, error(f"{kind.capitalize()} {record_id} not found.", 404)
    if row["user_id"] != g.user_id:
        return None, error(f"Not allowed: {kind} {record_id} belongs to another user.", 403)
    return row, None


# -- the workout's rules ----------------------------------------------------------------------

def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _Rules:
    def __init__(self, workout: dict, plays: dict):
        self.warnings: list[str] = []
        self.sport = workout.get("sport")
        self.pool_unit = workout.get("poolLengthUnit")
        self.orders: list[int] = []
        self.plays = plays

    def warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)

    def unknown(self, data: dict, allowed: set, where: str) -> None:
        for field in sorted(set(data) - allowed):
            self.warn(f"{where}: unknown field {field!r} (ignored)")


def validate_workout(workout, plays: dict | None = None) -> list[str]:
    """Raise Invalid for what the document refuses; return its warnings for what it advises.
    ``plays`` chooses what Garmin does where the document is silent (:data:`PLAYS`)."""
    if not isinstance(workout, dict):
        raise Invalid("A workout is a JSON object.")
    rules = _Rules(workout, played(plays))
    rules.unknown(workout, WORKOUT_FIELDS, "workout")
    name = workout.get("workoutName")
    if not isinstance(name, str) or not name.strip():
        raise Invalid("workoutName is required.")
    sport = workout.get("sport")
    if sport not in SPORTS:
        raise Invalid(f"sport {sport!r} is not a Garmin sport.")
    description = workout.get("description")
    if description is not None and not isinstance(description, str):
        raise Invalid("description must be text.")
    for field in ("workoutProvider", "workoutSourceId"):
        value = workout.get(field)
        if value is not None and (not isinstance(value, str) or len(value) > 20):
            raise Invalid(f"{field} must be text of at most 20 characters.")
    if workout.get("workoutSourceId") != workout.get("workoutProvider"):
        rules.warn("workoutSourceId should be the same as workoutProvider unless otherwise noted.")
    unit = workout.get("poolLengthUnit")
    if unit is not None and unit not in ("YARD", "METER"):
        raise Invalid("poolLengthUnit must be YARD or METER.")
    length = workout.get("poolLength")
    if length is not None and (not _number(length) or length <= 0):
        raise Invalid("poolLength must be a positive number or null.")
    segments = workout.get("segments")
    if not isinstance(segments, list) or not segments:
        raise Invalid("segments is required: a list with at least one segment.")
    multi = sport == "MULTI_SPORT"
    transitions = workout.get("isSessionTransitionEnabled")
    if transitions is not None and not isinstance(transitions, bool):
        raise Invalid("isSessionTransitionEnabled must be true or false.")
    if transitions and not multi and rules.plays["transitionOnSingleSport"] == "refuse":
        raise Invalid("isSessionTransitionEnabled is for multisport workouts.")
    if multi and not transitions:
        rules.warn("A MULTI_SPORT workout without isSessionTransitionEnabled true has no transitions: it \"must be "
                   "set to true if workouts should have transitions\".")
    if [s.get("segmentOrder") for s in segments if isinstance(s, dict)] != list(range(1, len(segments) + 1)):
        rules.warn("segmentOrder should number the segments 1, 2, 3... in order.")
    max_segments, max_steps = LIMITS[multi]
    if len(segments) > max_segments:
        raise Invalid(f"A {'multisport' if multi else 'single-sport'} workout has at most {max_segments} segment(s).")
    count = 0
    for index, segment in enumerate(segments):
        where = f"segments[{index}]"
        if not isinstance(segment, dict):
            raise Invalid(f"{where} must be an object.")
        rules.unknown(segment, SEGMENT_FIELDS, where)
        segment_sport = segment.get("sport")
        if segment_sport not in SPORTS - {"MULTI_SPORT"} or (not multi and segment_sport != sport):
            raise Invalid(f"{where}.sport must be a sport, and the workout's sport for a single-sport workout.")
        if segment_sport == "LAP_SWIMMING":
            for field in ("poolLength", "poolLengthUnit"):
                if segment.get(field) != workout.get(field):
                    raise Invalid(f"{where}.{field} must be the workout's ({workout.get(field)!r}), not "
                                  f"{segment.get(field)!r}: a swim segment's pool is the workout's pool.")
        steps = segment.get("steps")
        if not isinstance(steps, list) or not steps:
            raise Invalid(f"{where}.steps is required: a list with at least one step.")
        own = _steps(steps, f"{where}.steps", segment_sport, rules)
        cap = rules.plays["segmentStepLimit"]
        if cap is not None and own > cap:
            raise Invalid(f"{where} has {own} steps; a segment has at most {cap}.")
        count += own
    if count > max_steps:
        raise Invalid(f"A {'multisport' if multi else 'single-sport'} workout has at most {max_steps} steps; "
                      f"this one has {count}.")
    if rules.orders != list(range(1, len(rules.orders) + 1)):
        rules.warn("stepOrder should number the steps 1, 2, 3... in order, nested steps included.")
    return rules.warnings


def _steps(steps: list, where: str, sport: str, rules: _Rules) -> int:
    count = 0
    for index, step in enumerate(steps):
        at = f"{where}[{index}]"
        if not isinstance(step, dict):
            raise Invalid(f"{at} must be an object.")
        order = step.get("stepOrder")
        if not isinstance(order, int) or isinstance(order, bool):
            raise Invalid(f"{at}.stepOrder is required.")
        rules.orders.append(order)
        kind = step.get("type")
        if kind == "WorkoutRepeatStep":
            rules.unknown(step, REPEAT_FIELDS, at)
            if step.get("repeatType") not in REPEAT_TYPES:
                raise Invalid(f"{at}.repeatType is not valid.")
            value = step.get("repeatValue")
            if not _number(value) or value <= 0:
                raise Invalid(f"{at}.repeatValue must be a positive number.")
            children = step.get("steps")
            if not isinstance(children, list) or not children:
                raise Invalid(f"{at}.steps must list the repeated steps.")
            count += 1 + _steps(children, f"{at}.steps", sport, rules)
            if sport == "LAP_SWIMMING":
                _swim_repeat_advice(step, steps[index + 1:], at, rules)
        elif kind == "WorkoutStep":
            rules.unknown(step, STEP_FIELDS, at)
            _step(step, at, sport, rules)
            count += 1
        else:
            raise Invalid(f"{at}.type must be WorkoutStep or WorkoutRepeatStep.")
    return count


def _swim_repeat_advice(step: dict, after: list, at: str, rules: _Rules) -> None:
    last = step["steps"][-1]
    if isinstance(last, dict) and last.get("intensity") == "REST" and not after:
        rules.warn(f"{at}: the watch skips the last rest of this swim repeat (skipLastRestStep); Garmin advises "
                   "an extra step after the block.")


def _step(step: dict, at: str, sport: str, rules: _Rules) -> None:
    swim = sport == "LAP_SWIMMING"
    intensity = step.get("intensity")
    if intensity not in INTENSITIES or (intensity == "MAIN" and not swim):
        raise Invalid(f"{at}.intensity is not valid{' (MAIN is for swims only)' if intensity == 'MAIN' else ''}.")
    description = step.get("description")
    if description is not None and not isinstance(description, str):
        raise Invalid(f"{at}.description must be text.")
    duration = step.get("durationType")
    if duration not in DURATION_TYPES:
        raise Invalid(f"{at}.durationType is required and must be a Garmin duration type.")
    if duration in SWIM_DURATIONS and not swim:
        raise Invalid(f"{at}.durationType {duration} is for LAP_SWIMMING only.")
    if duration == "REPS" and sport not in REPS_SPORTS:
        raise Invalid(f"{at}.durationType REPS is for strength and cardio workouts only.")
    value = step.get("durationValue")
    if duration == "REPS":
        _reps(value, at, rules)
    if duration in ("TIME", "DISTANCE", "FIXED_REST", "FIXED_REPETITION"):
        if not _number(value) or value <= 0:
            raise Invalid(f"{at}.durationValue must be greater than 0 for {duration}.")
    if duration == "TIME" and swim and not SWIM_TIME[0] <= value <= SWIM_TIME[1]:
        raise Invalid(f"{at}: a time-based swim step lasts 1 to 59 minutes (60 to 3540 s), not {value} s.")
    if duration == "REPETITION_SWIM_CSS_OFFSET" and (not _number(value) or not -60 <= value <= 60):
        raise Invalid(f"{at}.durationValue must be from -60 to 60 for REPETITION_SWIM_CSS_OFFSET.")
    if duration in SWIM_DURATIONS and rules.pool_unit is None:
        raise Invalid(f"{at}: send-off times need poolLengthUnit.")
    if duration == "OPEN" and value is not None:
        raise Invalid(f"{at}.durationValue must be empty for OPEN.")
    if swim and intensity == "REST" and duration == "DISTANCE":
        raise Invalid(f"{at}: a swim REST step is FIXED_REST or OPEN; Garmin's swim model has no rest by distance.")
    if swim and intensity == "REST" and duration not in {"FIXED_REST", "OPEN"} | SWIM_DURATIONS:
        rules.warn(f"{at}: a swim REST step should be FIXED_REST, not {duration}.")
    for field, allowed in (("strokeType", STROKES), ("drillType", DRILLS), ("equipmentType", EQUIPMENT)):
        if step.get(field) is not None and (not swim or step[field] not in allowed):
            raise Invalid(f"{at}.{field} is for LAP_SWIMMING steps, one of {sorted(allowed)}.")
    _exercise(step, at, sport, rules)
    _weight(step, at, sport, rules)
    target = step.get("targetType")
    if swim:
        if target is not None:
            raise Invalid(f"{at}: targetType must be null for swim workouts (use a secondary target).")
    elif target is not None and target not in TARGET_TYPES:
        raise Invalid(f"{at}.targetType is not a Garmin target type.")
    _values(step, at, "target", target)
    _secondary(step, at, sport, target, rules)


def _reps(value, at: str, rules: _Rules) -> None:
    if not _number(value) or value <= 0:
        raise Invalid(f"{at}.durationValue must be the number of repetitions for REPS.")
    low, high = STRICT_REPS
    if rules.plays["repsCheck"] == "strict" and not (float(value).is_integer() and low <= value <= high):
        raise Invalid(f"{at}.durationValue must be a whole number of repetitions from {low} to {high}.")


def _exercise(step: dict, at: str, sport: str, rules: _Rules) -> None:
    category, name = step.get("exerciseCategory"), step.get("exerciseName")
    if category is None and name is None:
        return
    if sport not in EXERCISE_SPORTS:
        raise Invalid(f"{at}: exerciseCategory and exerciseName are for STRENGTH_TRAINING, CARDIO_TRAINING, YOGA and "
                      "PILATES only.")
    if any(v is not None and not isinstance(v, str) for v in (category, name)):
        raise Invalid(f"{at}: exerciseCategory and exerciseName are text.")
    known = exercises.catalog()
    if category is None:
        rules.warn(f"{at}: an exerciseName with no exerciseCategory shows no exercise in Garmin Connect.")
    elif category not in known:
        if rules.plays["unknownExerciseCategory"] == "refuse":
            raise Invalid(f"{at}: Invalid category {category!r}.")
        rules.warn(f"{at}: exerciseCategory {category!r} is not Garmin's: the exercise is dropped.")
        return
    if name is not None and category is not None and name not in known[category]:
        if rules.plays["unknownExerciseName"] == "refuse":
            raise Invalid(f"{at}: Invalid exercise name {name!r} for category {category!r}.")
        rules.warn(f"{at}: exerciseName {name!r} is not one of {category}: the name is dropped.")


def _weight(step: dict, at: str, sport: str, rules: _Rules) -> None:
    value, unit = step.get("weightValue"), step.get("weightDisplayUnit")
    if unit is not None and unit not in WEIGHT_UNITS:
        raise Invalid(f"{at}.weightDisplayUnit must be KILOGRAM or POUND.")
    if value is None:
        if unit is not None:
            rules.warn(f"{at}: weightDisplayUnit with no weightValue displays nothing.")
        return
    if not _number(value) or value <= 0:
        raise Invalid(f"{at}.weightValue must be a weight in kilograms, more than 0.")
    if sport == "CARDIO_TRAINING" and rules.plays["weightOnCardio"] == "ignore":
        rules.warn(f"{at}: weightValue is used only for STRENGTH_TRAINING: ignored.")
    elif sport not in WEIGHT_SPORTS:
        raise Invalid(f"{at}.weightValue is used only for STRENGTH_TRAINING workouts.")


def _secondary(step: dict, at: str, sport: str, primary: str | None, rules: _Rules) -> None:
    kind = step.get("secondaryTargetType")
    if kind is None:
        if any(step.get(f"secondaryTarget{s}") is not None for s in ("Value", "ValueLow", "ValueHigh")):
            raise Invalid(f"{at}: secondary target values need a secondaryTargetType.")
        return
    if sport == "LAP_SWIMMING":
        if kind not in SWIM_SECONDARY:
            raise Invalid(f"{at}: a swim secondary target is SWIM_INSTRUCTION, SWIM_CSS_OFFSET or PACE_ZONE.")
        low = step.get("secondaryTargetValueLow")
        if kind == "SWIM_INSTRUCTION" and not (isinstance(low, int) and 1 <= low <= 10):
            raise Invalid(f"{at}.secondaryTargetValueLow must be a swim instruction from 1 to 10.")
        if kind == "SWIM_CSS_OFFSET" and not (_number(low) and -60 <= low <= 60):
            raise Invalid(f"{at}.secondaryTargetValueLow must be a CSS offset from -60 to 60 s.")
        if kind == "PACE_ZONE":
            if rules.pool_unit is None:
                raise Invalid(f"{at}: a PACE_ZONE target needs poolLengthUnit.")
            _range(step, at, "secondaryTarget", "PACE")
        return
    if sport != "CYCLING":
        raise Invalid(f"{at}: a secondary target is for CYCLING and LAP_SWIMMING workouts only.")
    if kind not in TARGET_TYPES or kind == "OPEN":
        raise Invalid(f"{at}.secondaryTargetType is not a Garmin target type.")
    if primary in (None, "OPEN"):
        raise Invalid(f"{at}: with a secondary target, the primary target cannot be OPEN.")
    if kind == primary:
        raise Invalid(f"{at}: the secondary target must be of another type than the primary.")
    _values(step, at, "secondaryTarget", kind)


def _values(step: dict, at: str, prefix: str, kind: str | None) -> None:
    value, low, high = (step.get(f"{prefix}Value"), step.get(f"{prefix}ValueLow"), step.get(f"{prefix}ValueHigh"))
    unit = step.get(f"{prefix}ValueType")
    if kind in (None, "OPEN"):
        if any(v is not None for v in (value, low, high, unit)):
            raise Invalid(f"{at}: an OPEN or empty target takes no values.")
        return
    # 3.2.1: "A modifier for target value is used only for HR and POWER types to express units.
    # Valid values: PERCENT" (of a custom range: a zone number is no percent).
    if unit is not None:
        if unit not in VALUE_TYPES or kind not in VALUE_TYPE_TARGETS:
            raise Invalid(f"{at}.{prefix}ValueType is PERCENT, for HEART_RATE and POWER targets only.")
        if value is not None:
            raise Invalid(f"{at}.{prefix}ValueType PERCENT modifies a range ({prefix}ValueLow/High), not a zone.")
    if value is not None:
        if low is not None or high is not None:
            raise Invalid(f"{at}: give {prefix}Value (a zone) or {prefix}ValueLow/High, not both.")
        zones = ZONES.get(kind)
        if not zones or not isinstance(value, int) or not 1 <= value <= zones:
            raise Invalid(f"{at}.{prefix}Value is not a {kind} zone (heart rate 1-5, power 1-7).")
        return
    _range(step, at, prefix, kind)


def _range(step: dict, at: str, prefix: str, kind: str) -> None:
    low, high = step.get(f"{prefix}ValueLow"), step.get(f"{prefix}ValueHigh")
    if not _number(low) or (high is not None and not _number(high)):
        raise Invalid(f"{at}: {kind} needs {prefix}ValueLow (and {prefix}ValueHigh for a range).")
    if high is not None and low > high:
        raise Invalid(f"{at}.{prefix}ValueLow is above {prefix}ValueHigh.")
    if kind in ("PACE", "SPEED") and not 0 < low <= (high or low) <= SPEED_MAX:
        raise Invalid(f"{at}: {kind} values {low}-{high} are not a speed in m/s.")
