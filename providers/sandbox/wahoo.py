"""Wahoo's Cloud API: user, permissions, plans and workouts, as strict as its documentation.

``POST /v1/plans`` takes form fields: ``plan[file]`` (the plan JSON as a base64 data URI),
``plan[filename]``, ``plan[external_id]`` (unique per user) and ``plan[provider_updated_at]``.
``POST /v1/workouts`` takes ``workout[name|plan_id|starts|minutes|workout_type_id|workout_token]``
(form fields, or the same as JSON under ``workout``).  Invalid parameters get 422.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from datetime import datetime

from flask import Blueprint, g, jsonify, request

from . import faults, oauth

bp = Blueprint("sandbox_wahoo", __name__, url_prefix="/wahoo")

TRIGGERS = {"time", "distance", "kj2", "repeat"}
INTENSITIES = {"active", "wu", "tempo", "lt", "map", "ac", "nm", "ftp", "cd", "recover", "rest"}
# target type -> (header field it needs, plausible low, plausible high)
TARGETS = {
    "rpm": (None, 0, 250), "rpe": (None, 1, 10), "watts": (None, 0, 3000), "hr": (None, 30, 250),
    "speed": (None, 0, 30), "ftp": ("ftp", 0, 5), "map": ("map", 0, 5), "ac": ("ac", 0, 5), "nm": ("nm", 0, 5),
    "threshold_hr": ("threshold_hr", 0, 2), "max_hr": ("max_hr", 0, 1.5), "threshold_speed": ("threshold_speed", 0, 3),
}
HEADER_FIELDS = {"name", "version", "description", "duration_s", "distance_m", "workout_type_family",
                 "workout_type_location", "ftp", "map", "ac", "nm", "threshold_hr", "max_hr", "threshold_speed"}
INTERVAL_FIELDS = {"name", "exit_trigger_type", "exit_trigger_value", "intensity_type", "targets", "controls",
                   "intervals"}
DATA_URI = "data:application/json;base64,"


class Invalid(Exception):
    pass


@bp.before_request
def check_call():
    oauth.authenticate("wahoo")
    return faults.before_api_call("wahoo")


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
        validate_plan(plan)
    except Invalid as problem:
        return unprocessable(str(problem))
    with oauth.store().transaction() as db:
        taken = db.execute("SELECT id FROM records WHERE provider = 'wahoo' AND kind = 'plan' AND user_id = ? AND key = ? "
                           "AND deleted = 0", (g.user_id, external)).fetchone()
        if taken:
            return unprocessable("external_id has already been taken")
        cursor = db.execute("INSERT INTO records (provider, kind, user_id, token, body, key, created) "
                            "VALUES ('wahoo', 'plan', ?, ?, ?, ?, ?)",
                            (g.user_id, g.token, json.dumps(plan), external, time.time()))
    return jsonify(_plan_json(oauth.store().one("SELECT * FROM records WHERE id = ?", cursor.lastrowid))), 201


@bp.get("/v1/plans")
def list_plans():
    rows = oauth.store().query("SELECT * FROM records WHERE provider = 'wahoo' AND kind = 'plan' AND user_id = ? "
                               "AND deleted = 0 ORDER BY id", g.user_id)
    external = request.args.get("external_id")
    return jsonify(plans=[_plan_json(r) for r in rows if external is None or r["key"] == external])


@bp.delete("/v1/plans/<int:plan_id>")
def delete_plan(plan_id: int):
    return _delete("plan", plan_id)


def _plan_json(row) -> dict:
    plan = json.loads(row["body"])
    return {"id": row["id"], "user_id": row["user_id"], "name": plan["header"]["name"],
            "description": plan["header"].get("description"), "external_id": row["key"],
            "workout_type_family_id": plan["header"]["workout_type_family"], "deleted": bool(row["deleted"])}


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
    fields = _workout_fields()
    try:
        name = fields.get("name")
        if not isinstance(name, str) or not name.strip():
            raise Invalid("workout[name] is required.")
        token = fields.get("workout_token")
        if not isinstance(token, str) or not token.strip():
            raise Invalid("workout[workout_token] is required.")
        starts = _timestamp(fields.get("starts"), "workout[starts]", need_zone=True)
        minutes = _integer(fields.get("minutes"), "workout[minutes]", 0, 24 * 60)
        type_id = _integer(fields.get("workout_type_id"), "workout[workout_type_id]", 0, 255)
        plan_id = _integer(fields.get("plan_id"), "workout[plan_id]", 1, None)
    except Invalid as problem:
        return unprocessable(str(problem))
    body = {"name": name, "workout_token": token, "starts": starts, "minutes": minutes, "workout_type_id": type_id,
            "plan_id": plan_id}
    with oauth.store().transaction() as db:
        plan = db.execute("SELECT id FROM records WHERE id = ? AND provider = 'wahoo' AND kind = 'plan' AND user_id = ? "
                          "AND deleted = 0", (plan_id, g.user_id)).fetchone()
        if plan is None:
            return unprocessable(f"plan {plan_id} does not exist for this user.")
        if db.execute("SELECT id FROM records WHERE provider = 'wahoo' AND kind = 'workout' AND user_id = ? AND key = ? "
                      "AND deleted = 0", (g.user_id, token)).fetchone():
            return unprocessable("workout_token has already been taken")
        cursor = db.execute("INSERT INTO records (provider, kind, user_id, token, body, key, ref, created) "
                            "VALUES ('wahoo', 'workout', ?, ?, ?, ?, ?, ?)",
                            (g.user_id, g.token, json.dumps(body), token, plan_id, time.time()))
    return jsonify(dict(body, id=cursor.lastrowid)), 201


@bp.get("/v1/workouts")
def list_workouts():
    rows = oauth.store().query("SELECT * FROM records WHERE provider = 'wahoo' AND kind = 'workout' AND user_id = ? "
                               "AND deleted = 0 ORDER BY id", g.user_id)
    token = request.args.get("workout_token")
    items = [dict(json.loads(r["body"]), id=r["id"]) for r in rows]
    return jsonify(workouts=[w for w in items if token is None or w["workout_token"] == token])


@bp.delete("/v1/workouts/<int:workout_id>")
def delete_workout(workout_id: int):
    return _delete("workout", workout_id)


def _delete(kind: str, record_id: int):
    with oauth.store().transaction() as db:
        row = db.execute("SELECT id FROM records WHERE id = ? AND provider = 'wahoo' AND kind = ? AND user_id = ? "
                         "AND deleted = 0", (record_id, kind, g.user_id)).fetchone()
        if row is None:
            return jsonify(error=f"{kind} not found"), 404
        db.execute("UPDATE records SET deleted = 1 WHERE id = ?", (record_id,))
    return "", 204


def _workout_fields() -> dict:
    if request.is_json:
        payload = request.get_json(silent=True) or {}
        return payload.get("workout", {}) if isinstance(payload, dict) else {}
    return {key[len("workout["):-1]: value for key, value in request.form.items()
            if key.startswith("workout[") and key.endswith("]")}


def _integer(value, name: str, low: int, high: int | None) -> int:
    try:
        number = int(str(value))
    except ValueError:
        raise Invalid(f"{name} must be a whole number.") from None
    if number < low or (high is not None and number > high):
        raise Invalid(f"{name} is out of range.")
    return number


def _timestamp(value, name: str, need_zone: bool = False) -> str:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise Invalid(f"{name} must be an ISO 8601 time.") from None
    if need_zone and moment.tzinfo is None:
        raise Invalid(f"{name} needs a time zone offset.")
    return str(value)


# -- the plan's rules ---------------------------------------------------------------------------

def validate_plan(plan) -> None:
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
        raise Invalid("header.workout_type_family must be 0 (biking) or 1 (running).")
    for key in ("ftp", "map", "ac", "nm", "threshold_hr", "max_hr", "threshold_speed"):
        if key in header and (not isinstance(header[key], (int, float)) or header[key] <= 0):
            raise Invalid(f"header.{key} must be a positive number.")
    _intervals(plan["intervals"], "intervals", header, depth=0)


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
            raise Invalid(f"{at}.exit_trigger_type must be time, distance, kj2 or repeat.")
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise Invalid(f"{at}.exit_trigger_value is required.")
        if trigger == "repeat":
            if not isinstance(value, int) or value < 1:
                raise Invalid(f"{at}.exit_trigger_value counts the repetitions after the first: 1 or more.")
            _intervals(interval.get("intervals"), f"{at}.intervals", header, depth + 1)
            continue
        if value <= 0:
            raise Invalid(f"{at}.exit_trigger_value must be greater than 0.")
        if "intervals" in interval:
            raise Invalid(f"{at}: only a repeat interval holds intervals.")
        if "intensity_type" in interval and interval["intensity_type"] not in INTENSITIES:
            raise Invalid(f"{at}.intensity_type is not valid.")
        for t_index, target in enumerate(interval.get("targets", [])):
            _target(target, f"{at}.targets[{t_index}]", header)


def _target(target, at: str, header: dict) -> None:
    if not isinstance(target, dict) or set(target) != {"type", "low", "high"}:
        raise Invalid(f"{at} must be {{type, low, high}}.")
    rule = TARGETS.get(target["type"])
    if rule is None:
        raise Invalid(f"{at}.type {target['type']!r} is not a Wahoo target type.")
    needs, floor, ceiling = rule
    if needs and needs not in header:
        raise Invalid(f"{at}: a {target['type']} target needs header.{needs}.")
    low, high = target["low"], target["high"]
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (low, high)) or low > high:
        raise Invalid(f"{at}: low and high must be numbers, low <= high.")
    if low < floor or high > ceiling:
        raise Invalid(f"{at}: {target['type']} values {low}-{high} are out of range.")
