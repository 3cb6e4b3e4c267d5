"""Wahoo's Cloud API: user, permissions, plans and workouts, held to providers.md ("Wahoo Cloud API").

``POST /v1/plans`` takes form fields: ``plan[file]`` (the plan JSON as a base64 data URI),
``plan[filename]``, ``plan[external_id]`` and ``plan[provider_updated_at]``; ``POST /v1/workouts``
takes ``workout[name|workout_token|workout_type_id|starts|minutes|plan_id]`` (form fields, or
the same as JSON under ``workout``).  Invalid parameters get 422, a token without the scope
an endpoint needs gets 403 (``plans_read``, ``plans_write``, ``workouts_read``,
``workouts_write``, ``user_read``).  ``PUT`` updates a plan (only the app that created it)
or a workout; ``DELETE`` removes them.

Listings are bare JSON arrays, paged with ``page`` and ``per_page`` (30 by default), workouts
newest ``starts`` first.  What is not published plays either way (faults.py):
``duplicateExternalId`` (refuse a second plan with an external_id the user holds, 422, or
accept it), ``plansFilter`` (apply ``?external_id=`` or ignore it), ``workoutsListing``
(a bare array, or the object of Wahoo's own example), ``planIntervalLimit`` with
``planIntervalCount`` (no limit on a plan's intervals, as published, or one, counted
"expanded" or "written").

The plan file (plan.json 1.0.0): a header with ``name``, ``version``, ``workout_type_family``
and ``workout_type_location``, thresholds as integers (``threshold_speed`` a float);
intervals ending on time, distance, kj or repeat (a repeat counts the repetitions after the
first, 0 meaning once, and holds intervals but no targets); targets ``{type, low, high}``
with high >= low, a relative type only where the header holds its threshold.

The display window is data: a plan shows on the ELEMNT app, a bike computer or RIVAL only
when attached to a workout scheduled from the current day through six days ahead
(:func:`displayed`, reported by ``_admin``).
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from datetime import date, datetime, timedelta

from flask import Blueprint, g, jsonify, request

from . import faults, oauth

bp = Blueprint("sandbox_wahoo", __name__, url_prefix="/wahoo")

TRIGGERS = {"time", "distance", "kj", "repeat"}
INTENSITIES = {"active", "wu", "tempo", "lt", "map", "ac", "nm", "ftp", "cd", "recover", "rest"}
TARGETS = {"rpm": None, "rpe": None, "watts": None, "hr": None, "speed": None, "ftp": "ftp", "map": "map",
           "ac": "ac", "nm": "nm", "threshold_hr": "threshold_hr", "max_hr": "max_hr",
           "threshold_speed": "threshold_speed"}  # target type -> header threshold it needs
HEADER_FIELDS = {"name", "version", "description", "duration_s", "distance_m", "workout_type_family",
                 "workout_type_location", "ftp", "map", "ac", "nm", "threshold_hr", "max_hr", "threshold_speed"}
INTEGER_HEADER = ("ftp", "map", "ac", "nm", "threshold_hr", "max_hr", "duration_s", "distance_m")
INTERVAL_FIELDS = {"name", "exit_trigger_type", "exit_trigger_value", "intensity_type", "targets", "controls",
                   "intervals"}
DATA_URI = "data:application/json;base64,"
DISPLAY_DAYS = 7  # the current day through six days ahead
SCOPES = {("GET", "user"): "user_read", ("GET", "plans"): "plans_read", ("WRITE", "plans"): "plans_write",
          ("GET", "workouts"): "workouts_read", ("WRITE", "workouts"): "workouts_write"}


class Invalid(Exception):
    pass


@bp.before_request
def check_call():
    oauth.authenticate("wahoo")
    limited = faults.before_api_call("wahoo")
    if limited is not None:
        return limited
    resource = request.path.split("/")[3] if request.path.count("/") >= 3 else ""
    needed = SCOPES.get(("GET" if request.method == "GET" else "WRITE", resource))
    if needed and needed not in g.scopes:
        return jsonify(error=f"Forbidden: this token lacks the {needed} scope."), 403
    return None


bp.after_request(faults.after_api_call)


def unprocessable(message: str):
    return jsonify(error=message), 422


@bp.get("/v1/user")
def user():
    return jsonify(id=g.user_id, email=f"{g.user_id}@wahoo.sandbox", first="Sandbox", last="Athlete")


@bp.delete("/v1/permissions")
def deauthorize():
    oauth.revoke_user("wahoo", g.user_id, "deauthorized by the partner")
    return jsonify(success=True)


# -- plans -----------------------------------------------------------------------------------

@bp.post("/v1/plans")
def create_plan():
    form = request.form
    external = form.get("plan[external_id]", "").strip()
    try:
        if not external:
            raise Invalid("plan[external_id] is required.")
        _timestamp(form.get("plan[provider_updated_at]"), "plan[provider_updated_at]")
        plan = _decode(form.get("plan[file]"))
        validate_plan(plan, **plan_limits())
    except Invalid as problem:
        return unprocessable(str(problem))
    with oauth.store().transaction() as db:
        taken = db.execute("SELECT id FROM records WHERE provider = 'wahoo' AND kind = 'plan' AND user_id = ? AND key = ? "
                           "AND deleted = 0", (g.user_id, external)).fetchone()
        if taken and faults.setting("wahoo", "duplicateExternalId", "refuse") == "refuse":
            return unprocessable("external_id has already been taken")
        cursor = db.execute("INSERT INTO records (provider, kind, user_id, token, body, key, created, client_id) "
                            "VALUES ('wahoo', 'plan', ?, ?, ?, ?, ?, ?)",
                            (g.user_id, g.token, json.dumps(plan), external, time.time(), g.client_id))
    return jsonify(_plan_json(_record(cursor.lastrowid))), 201


@bp.get("/v1/plans")
def list_plans():
    rows = _rows("plan")
    external = request.args.get("external_id")
    if external is not None and faults.setting("wahoo", "plansFilter", False):
        rows = [r for r in rows if r["key"] == external]
    return jsonify([_plan_json(r) for r in _page(rows)])


@bp.route("/v1/plans/<int:plan_id>", methods=["GET", "PUT", "DELETE"])
def plan_record(plan_id: int):
    row = _own("plan", plan_id)
    if row is None:
        return jsonify(error="plan not found"), 404
    if request.method == "GET":
        return jsonify(_plan_json(row))
    if request.method == "DELETE":
        return _delete(plan_id)
    if row["client_id"] != g.client_id:
        return jsonify(error="Plans can only be updated by the app that created them."), 403
    try:
        _timestamp(request.form.get("plan[provider_updated_at]"), "plan[provider_updated_at]")
        plan = _decode(request.form.get("plan[file]"))
        validate_plan(plan, **plan_limits())
    except Invalid as problem:
        return unprocessable(str(problem))
    with oauth.store().transaction() as db:
        oauth.store().update_body(db, plan_id, plan)
    return jsonify(_plan_json(_record(plan_id)))


def _plan_json(row) -> dict:
    plan = json.loads(row["body"])
    header = plan["header"]
    return {"id": row["id"], "user_id": row["user_id"], "name": header["name"], "description": header.get("description"),
            "file": {"url": None}, "workout_type_family_id": header["workout_type_family"],
            "workout_type_location_id": header["workout_type_location"], "external_id": row["key"],
            "deleted": bool(row["deleted"])}


def _decode(value: str | None) -> dict:
    if not value or not value.startswith(DATA_URI):
        raise Invalid(f"plan[file] must be a data URI starting with {DATA_URI}")
    try:
        return json.loads(base64.b64decode(value[len(DATA_URI):], validate=True))
    except (binascii.Error, ValueError, RecursionError):
        raise Invalid("plan[file] does not hold base64-encoded plan JSON.") from None


# -- workouts (calendar entries) ----------------------------------------------------------------

@bp.post("/v1/workouts")
def create_workout():
    try:
        body = _workout_body(_workout_fields(), required=True)
    except Invalid as problem:
        return unprocessable(str(problem))
    with oauth.store().transaction() as db:
        if body.get("plan_id") is not None and db.execute(
                "SELECT id FROM records WHERE id = ? AND provider = 'wahoo' AND kind = 'plan' AND user_id = ? "
                "AND deleted = 0", (body["plan_id"], g.user_id)).fetchone() is None:
            return unprocessable(f"plan {body['plan_id']} does not exist for this user.")
        cursor = db.execute("INSERT INTO records (provider, kind, user_id, token, body, key, ref, created, client_id) "
                            "VALUES ('wahoo', 'workout', ?, ?, ?, ?, ?, ?, ?)",
                            (g.user_id, g.token, json.dumps(body), body["workout_token"], body.get("plan_id"),
                             time.time(), g.client_id))
    return jsonify(_workout_json(_record(cursor.lastrowid))), 201


@bp.get("/v1/workouts")
def list_workouts():
    rows = sorted(_rows("workout"), key=lambda r: json.loads(r["body"])["starts"], reverse=True)
    page = [_workout_json(r) for r in _page(rows)]
    if faults.setting("wahoo", "workoutsListing", "array") == "object":
        per_page = _int_arg("per_page", 30)
        return jsonify(workouts=page, total=len(rows), page=_int_arg("page", 1), per_page=per_page,
                       order="descending", sort="starts")
    return jsonify(page)


@bp.route("/v1/workouts/<int:workout_id>", methods=["GET", "PUT", "DELETE"])
def workout_record(workout_id: int):
    row = _own("workout", workout_id)
    if row is None:
        return jsonify(error="workout not found"), 404
    if request.method == "GET":
        return jsonify(_workout_json(row))
    if request.method == "DELETE":
        return _delete(workout_id)
    try:
        changes = _workout_body(_workout_fields(), required=False)
    except Invalid as problem:
        return unprocessable(str(problem))
    body = dict(json.loads(row["body"]), **changes)
    with oauth.store().transaction() as db:
        oauth.store().update_body(db, workout_id, body, ref=body.get("plan_id"), key=body["workout_token"])
    return jsonify(_workout_json(_record(workout_id)))


def _workout_body(fields: dict, required: bool) -> dict:
    body: dict = {}
    for name in ("name", "workout_token"):
        if name in fields or required:
            value = fields.get(name)
            if not isinstance(value, str) or not value.strip():
                raise Invalid(f"workout[{name}] is required.")
            body[name] = value
    if "starts" in fields or required:
        body["starts"] = _timestamp(fields.get("starts"), "workout[starts]")
    for name, low, high in (("minutes", 0, 24 * 60), ("workout_type_id", 0, 255)):
        if name in fields or required:
            body[name] = _integer(fields.get(name), f"workout[{name}]", low, high)
    for name in ("plan_id", "day_code", "route_id"):
        if fields.get(name) not in (None, ""):
            body[name] = _integer(fields.get(name), f"workout[{name}]", 0 if name == "day_code" else 1, None)
    return body


def _workout_json(row) -> dict:
    body = json.loads(row["body"])
    return dict(body, id=row["id"], plan_ids=[body["plan_id"]] if body.get("plan_id") else [],
                workout_summary=None)


def _workout_fields() -> dict:
    if request.is_json:
        payload = request.get_json(silent=True) or {}
        return payload.get("workout", {}) if isinstance(payload, dict) else {}
    return {key[len("workout["):-1]: value for key, value in request.form.items()
            if key.startswith("workout[") and key.endswith("]")}


# -- records ------------------------------------------------------------------------------------

def _record(record_id: int):
    return oauth.store().one("SELECT * FROM records WHERE id = ?", record_id)


def _rows(kind: str) -> list:
    return oauth.store().query("SELECT * FROM records WHERE provider = 'wahoo' AND kind = ? AND user_id = ? "
                               "AND deleted = 0 ORDER BY id", kind, g.user_id)


def _own(kind: str, record_id: int):
    return oauth.store().one("SELECT * FROM records WHERE id = ? AND provider = 'wahoo' AND kind = ? AND user_id = ? "
                             "AND deleted = 0", record_id, kind, g.user_id)


def _delete(record_id: int):
    with oauth.store().transaction() as db:
        db.execute("UPDATE records SET deleted = 1 WHERE id = ?", (record_id,))
    return "", 204


def _int_arg(name: str, default: int) -> int:
    try:
        return max(1, int(request.args.get(name, default)))
    except ValueError:
        return default


def _page(rows: list) -> list:
    page, per_page = _int_arg("page", 1), _int_arg("per_page", 30)
    return rows[(page - 1) * per_page:page * per_page]


def _integer(value, name: str, low: int, high: int | None) -> int:
    try:
        number = int(str(value))
    except ValueError:
        raise Invalid(f"{name} must be a whole number.") from None
    if number < low or (high is not None and number > high):
        raise Invalid(f"{name} is out of range.")
    return number


def _timestamp(value, name: str) -> str:
    try:
        datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(f"{name} must be an ISO 8601 time.") from None
    return str(value)


# -- the display window -------------------------------------------------------------------------

def displayed(rows: list, today: date) -> list[int]:
    """The workouts a device would show on ``today``: scheduled from today through six days
    ahead (in the workout's own time), with a plan that still exists attached."""
    plans = {r["id"] for r in rows if r["kind"] == "plan" and not r["deleted"]}
    shown = []
    for row in rows:
        if row["kind"] != "workout" or row["deleted"]:
            continue
        body = json.loads(row["body"])
        starts = datetime.fromisoformat(body["starts"].replace("Z", "+00:00")).date()
        if body.get("plan_id") in plans and today <= starts <= today + timedelta(days=DISPLAY_DAYS - 1):
            shown.append(row["id"])
    return shown


# -- the plan's rules ---------------------------------------------------------------------------

def validate_plan(plan, interval_limit: int | None = None, counted: str = "expanded") -> None:
    """Raise Invalid for what plan.json refuses.  ``interval_limit`` plays a limit Wahoo does not
    publish (None: no limit), on the intervals ``counted`` "expanded" (as a device plays them)
    or "written" (each interval object once, a repeat's own included)."""
    if not isinstance(plan, dict) or set(plan) != {"header", "intervals"}:
        raise Invalid("A plan is {\"header\", \"intervals\"}.")
    header = plan["header"]
    if not isinstance(header, dict):
        raise Invalid("header must be an object.")
    unknown = set(header) - HEADER_FIELDS
    if unknown:
        raise Invalid(f"header: unknown field {sorted(unknown)[0]!r}")
    if not isinstance(header.get("name"), str) or not header["name"].strip():
        raise Invalid("header.name is required.")
    if header.get("version") != "1.0.0":
        raise Invalid("header.version must be \"1.0.0\".")
    if header.get("workout_type_family") not in (0, 1):
        raise Invalid("header.workout_type_family is required: 0 (biking) or 1 (running).")
    if header.get("workout_type_location") not in (0, 1):
        raise Invalid("header.workout_type_location is required: 0 (indoor) or 1 (outdoor).")
    description = header.get("description")
    if description is not None and (not isinstance(description, str) or len(description) > 5000):
        raise Invalid("header.description must be text of at most 5000 characters.")
    for key in INTEGER_HEADER:
        if key in header and (not isinstance(header[key], int) or isinstance(header[key], bool) or header[key] <= 0):
            raise Invalid(f"header.{key} must be a positive integer.")
    speed = header.get("threshold_speed")
    if speed is not None and (not isinstance(speed, (int, float)) or isinstance(speed, bool) or speed <= 0):
        raise Invalid("header.threshold_speed must be a positive number (m/s).")
    _intervals(plan["intervals"], "intervals", header, depth=0)
    if interval_limit is not None:
        count = _count(plan["intervals"], counted == "expanded")
        if count > interval_limit:
            raise Invalid(f"intervals: a plan holds at most {interval_limit} intervals ({counted}); this one has "
                          f"{count}.")


def _count(intervals: list, expanded: bool) -> int:
    total = 0
    for interval in intervals:
        if interval["exit_trigger_type"] != "repeat":
            total += 1
        elif expanded:
            total += (interval["exit_trigger_value"] + 1) * _count(interval["intervals"], expanded)
        else:
            total += 1 + _count(interval["intervals"], expanded)
    return total


def plan_limits() -> dict:
    """The unpublished interval limit the sandbox plays (faults.py), as validate_plan takes it."""
    return {"interval_limit": faults.setting("wahoo", "planIntervalLimit"),
            "counted": faults.setting("wahoo", "planIntervalCount", "expanded")}


def _intervals(intervals, where: str, header: dict, depth: int) -> None:
    if not isinstance(intervals, list) or not intervals:
        raise Invalid(f"{where} must be a non-empty list.")
    if depth > 3:
        raise Invalid(f"{where}: intervals nest too deep.")
    for index, interval in enumerate(intervals):
        at = f"{where}[{index}]"
        if not isinstance(interval, dict):
            raise Invalid(f"{at} must be an object.")
        unknown = set(interval) - INTERVAL_FIELDS
        if unknown:
            raise Invalid(f"{at}: unknown field {sorted(unknown)[0]!r}")
        trigger, value = interval.get("exit_trigger_type"), interval.get("exit_trigger_value")
        if trigger not in TRIGGERS:
            raise Invalid(f"{at}.exit_trigger_type must be time, distance, kj or repeat.")
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise Invalid(f"{at}.exit_trigger_value is required.")
        if "intensity_type" in interval and interval["intensity_type"] not in INTENSITIES:
            raise Invalid(f"{at}.intensity_type is not valid.")
        if trigger == "repeat":
            if not isinstance(value, int) or value < 0:
                raise Invalid(f"{at}.exit_trigger_value counts the repetitions after the first: 0 or more.")
            if interval.get("targets"):
                raise Invalid(f"{at}: a repeat interval takes no targets.")
            _intervals(interval.get("intervals"), f"{at}.intervals", header, depth + 1)
            continue
        if value <= 0:
            raise Invalid(f"{at}.exit_trigger_value must be greater than 0.")
        if "intervals" in interval:
            raise Invalid(f"{at}: only a repeat interval holds intervals.")
        targets = interval.get("targets", [])
        if not isinstance(targets, list):
            raise Invalid(f"{at}.targets must be a list.")
        for t_index, target in enumerate(targets):
            _target(target, f"{at}.targets[{t_index}]", header)


def _target(target, at: str, header: dict) -> None:
    if not isinstance(target, dict) or set(target) != {"type", "low", "high"}:
        raise Invalid(f"{at} must be {{type, low, high}}.")
    if target["type"] not in TARGETS:
        raise Invalid(f"{at}.type {target['type']!r} is not a Wahoo target type.")
    needs = TARGETS[target["type"]]
    if needs and needs not in header:
        raise Invalid(f"{at}: a {target['type']} target needs header.{needs}.")
    low, high = target["low"], target["high"]
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (low, high)) or low > high:
        raise Invalid(f"{at}: low and high must be numbers, high >= low.")
    if target["type"] == "rpe" and not 1 <= low <= high <= 10:
        raise Invalid(f"{at}: rpe is from 1 to 10.")
