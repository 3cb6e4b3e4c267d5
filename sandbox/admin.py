"""The sandbox's own controls, for tests and demos (never present in production): what it
holds, what a device would show, the tokens it issued, faults on command, forgetting
everything.

- ``GET /_admin/workouts?provider=`` holds every record with the token that sent it, the
  document's warnings (what providers.md only advises) and the bodies a PUT replaced; Wahoo
  workouts say whether a device would display them today (``?today=YYYY-MM-DD`` to ask about
  another day); ``&all=1`` includes deleted records.
- ``GET /_admin/workouts?provider=suunto`` lists each held guide with its ``guide.json`` as
  ``body``, its ``guideId``, ``files``, ``manifest``, ``externalId`` and ``pinned``;
  ``pinGuide`` (in ``PUT /_admin/faults``) pins one, as the athlete would in the app.
- ``GET /_admin/display?provider=wahoo&user=&today=`` lists the workouts a Wahoo device
  would show that day (the display window: today through six days ahead, plan attached).
- ``GET /_admin/device?provider=garmin&workoutId=`` lists a Garmin workout's steps as the
  watch plays them: repeats expanded, and in a swim the last rest of a repeat block skipped
  on its last repetition (skipLastRestStep).
"""

from __future__ import annotations

import json
import logging
import time
from datetime import date

import httpx
from flask import Blueprint, current_app, jsonify, request

from . import faults, oauth

bp = Blueprint("sandbox_admin", __name__, url_prefix="/_admin")
log = logging.getLogger(__name__)
PROVIDERS = ("garmin", "wahoo", "suunto")
KINDS = {"garmin": {"workout": "workouts", "schedule": "schedules"},
         "wahoo": {"plan": "plans", "workout": "workouts"},
         "suunto": {"guide": "guides"}}
ACTIONS = {"provider", "expireAccessTokens", "revokeUser", "withdrawPermission", "grantPermission", "pinGuide"}
PROVIDER_CHOICE = "provider must be garmin, wahoo or suunto"


def _today() -> date:
    try:
        return date.fromisoformat(request.args["today"])
    except (KeyError, ValueError):
        return date.today()


@bp.get("/workouts")
def held():
    provider = request.args.get("provider", "garmin")
    if provider not in PROVIDERS:
        return jsonify(error=PROVIDER_CHOICE), 400
    result = {"provider": provider, **{name: [] for name in KINDS[provider].values()}}
    gone = "" if request.args.get("all") else " AND deleted = 0"  # ?all=1: deleted records too
    rows = oauth.store().query(f"SELECT * FROM records WHERE provider = ?{gone} ORDER BY id", provider)
    shown = set()
    if provider == "wahoo":
        from .wahoo import displayed

        shown = set(displayed(rows, _today()))
    for row in rows:
        if provider == "suunto":
            result["guides"].append(_guide(row))
            continue
        item = {"id": row["id"], "userId": row["user_id"], "token": row["token"], "body": json.loads(row["body"]),
                "createdAt": row["created"], "warnings": json.loads(row["warnings"] or "[]"),
                "earlierBodies": json.loads(row["history"] or "[]"), "deleted": bool(row["deleted"])}
        if row["key"]:
            item["key"] = row["key"]
        if row["kind"] == "schedule":
            item.update(workoutId=row["ref"], date=item["body"]["date"])
        if provider == "wahoo" and row["kind"] == "workout":
            item["planId"] = row["ref"]
            item["displayedToday"] = row["id"] in shown
        result[KINDS[provider][row["kind"]]].append(item)
    return jsonify(result)


def _guide(row) -> dict:
    """A held Suunto guide: its ``guide.json`` as ``body``, and what Suunto keeps beside it."""
    from .suunto import guide_id

    held = json.loads(row["body"])
    return {"id": row["id"], "guideId": guide_id(row["id"]), "userId": row["user_id"], "token": row["token"],
            "clientId": row["client_id"], "body": held["guide"], "files": held["files"],
            "manifest": held["manifest"], "externalId": row["key"], "pinned": held["pinned"],
            "fileModificationTime": held["fileModificationTime"], "createdAt": row["created"],
            "warnings": json.loads(row["warnings"] or "[]"),
            "earlierBodies": [earlier["guide"] for earlier in json.loads(row["history"] or "[]")],
            "deleted": bool(row["deleted"])}


@bp.get("/display")
def display():
    if request.args.get("provider", "wahoo") != "wahoo":
        return jsonify(error="the display window is Wahoo's"), 400
    from .wahoo import displayed

    user = request.args.get("user")
    rows = oauth.store().query("SELECT * FROM records WHERE provider = 'wahoo' AND deleted = 0 ORDER BY id")
    if user:
        found = _find_user("wahoo", user)
        rows = [r for r in rows if r["user_id"] == found]
    ids = set(displayed(rows, _today()))
    return jsonify([dict(json.loads(r["body"]), id=r["id"]) for r in rows if r["id"] in ids])


@bp.get("/device")
def device():
    """A Garmin workout as the watch plays it, step by step."""
    row = oauth.store().one("SELECT * FROM records WHERE provider = 'garmin' AND kind = 'workout' AND id = ?",
                            request.args.get("workoutId", type=int))
    if row is None:
        return jsonify(error="no such workout"), 404
    workout = json.loads(row["body"])
    swim = workout["sport"] == "LAP_SWIMMING"
    played: list[dict] = []
    for segment in workout["segments"]:
        played.extend(_play(segment["steps"], swim))
    return jsonify(played)


def _play(steps: list, swim: bool) -> list[dict]:
    out = []
    for step in steps:
        if step["type"] != "WorkoutRepeatStep":
            out.append({k: v for k, v in step.items() if k not in ("type", "stepId", "stepOrder")})
            continue
        times = int(step["repeatValue"])
        for iteration in range(1, times + 1):
            body = _play(step["steps"], swim)
            last = step["steps"][-1]
            skip = (swim or step.get("skipLastRestStep")) and iteration == times and last.get("intensity") == "REST"
            out.extend(body[:-1] if skip and last.get("type") != "WorkoutRepeatStep" else body)
    return out


@bp.get("/tokens")
def tokens():
    now = time.time()
    rows = oauth.store().query("SELECT * FROM tokens ORDER BY issued")
    return jsonify([{
        "provider": r["provider"], "kind": r["kind"], "token": r["token"], "userId": r["user_id"],
        "issuedAt": r["issued"], "expiresAt": r["expires"], "expired": r["expires"] < now,
        "revoked": bool(r["revoked"]), "revokedReason": r["revoked_reason"], "calls": r["calls"],
        "scope": r["scope"],
    } for r in rows])


@bp.get("/requests")
def requests_seen():
    provider = request.args.get("provider")
    rows = oauth.store().query("SELECT * FROM requests ORDER BY id")
    return jsonify([{"provider": r["provider"], "method": r["method"], "path": r["path"], "status": r["status"],
                     "at": r["at"]} for r in rows if provider in (None, r["provider"])])


@bp.get("/limits")
def limits():
    provider = request.args.get("provider", "garmin")
    if provider not in PROVIDERS:
        return jsonify(error=PROVIDER_CHOICE), 400
    return jsonify(provider=provider, limits=faults.limits(provider),
                   windowScale=faults.setting(provider, "windowScale", 1))


@bp.put("/faults")
def set_faults():
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or body.get("provider") not in PROVIDERS:
        return jsonify(error='send {"provider": "garmin"|"wahoo"|"suunto", ...faults}'), 400
    provider = body["provider"]
    unknown = set(body) - faults.CONTINUOUS - ACTIONS
    if unknown:
        return jsonify(error=f"unknown fault {sorted(unknown)[0]!r}"), 400
    tier = body.get("tier")
    if tier is not None and tier not in faults.TIERS[provider]:
        return jsonify(error=f"tier must be one of {sorted(faults.TIERS[provider])}"), 400
    kept = {k: v for k, v in body.items() if k in faults.CONTINUOUS}
    oauth.store().set_faults(provider, kept)
    done = []
    if body.get("expireAccessTokens"):
        with oauth.store().transaction() as db:
            db.execute("UPDATE tokens SET expires = ? WHERE provider = ? AND kind = 'access'", (time.time() - 1, provider))
        done.append("expired every access token")
    if body.get("revokeUser"):
        user = _find_user(provider, body["revokeUser"])
        if user is None:
            return jsonify(error=f"no {provider} user {body['revokeUser']!r}"), 404
        with oauth.store().transaction() as db:
            db.execute("UPDATE users SET deregistered = 1 WHERE provider = ? AND user_id = ?", (provider, user))
        oauth.revoke_user(provider, user, "revoked by the user")
        if provider == "garmin":
            send_garmin_ping("deregistration", {"deregistrations": [{"userId": user}]})
        done.append(f"revoked {user}")
    for action, verb in (("withdrawPermission", "withdrew"), ("grantPermission", "granted")):
        if not body.get(action):
            continue
        spec = body[action] if isinstance(body[action], dict) else {"user": body[action]}
        user = _find_user(provider, spec.get("user", ""))
        if user is None:
            return jsonify(error=f"no {provider} user {spec.get('user')!r}"), 404
        permission = spec.get("permission", "WORKOUT_IMPORT")
        row = oauth.store().one("SELECT permissions FROM users WHERE provider = ? AND user_id = ?", provider, user)
        held = [p for p in (row["permissions"] or "").split() if p != permission]
        if action == "grantPermission":
            held.append(permission)
        with oauth.store().transaction() as db:
            db.execute("UPDATE users SET permissions = ? WHERE provider = ? AND user_id = ?", (" ".join(held), provider, user))
        if provider == "garmin":
            send_garmin_ping("permissions", {"userPermissionsChange": [{
                "userId": user, "summaryId": f"x{int(time.time())}", "permissions": held,
                "changeTimeInSeconds": int(time.time())}]})
        done.append(f"{verb} {permission} {'from' if verb == 'withdrew' else 'to'} {user}")
    if body.get("pinGuide"):
        if provider != "suunto":
            return jsonify(error="pinGuide is Suunto's"), 400
        from .suunto import row_id

        record = row_id(str(body["pinGuide"]))
        row = oauth.store().one("SELECT * FROM records WHERE id = ? AND provider = 'suunto' AND deleted = 0", record)
        if row is None:
            return jsonify(error=f"no guide {body['pinGuide']!r}"), 404
        with oauth.store().transaction() as db:
            held = dict(json.loads(row["body"]), pinned=True)  # the athlete pins it in the app (no history)
            db.execute("UPDATE records SET body = ? WHERE id = ?", (json.dumps(held), row["id"]))
        done.append(f"pinned {body['pinGuide']}")
    return jsonify(provider=provider, faults=kept, done=done)


@bp.delete("")
@bp.delete("/")
def forget():
    oauth.store().forget_everything()
    return "", 204


def _find_user(provider: str, who: str) -> str | None:
    row = oauth.store().one("SELECT user_id FROM users WHERE provider = ? AND (user_id = ? OR lower(login_hint) = lower(?))",
                            provider, who, who)
    return row["user_id"] if row else None


def send_garmin_ping(kind: str, payload: dict) -> None:
    """Garmin's deregistration / user-permission ping, with its ``garmin-client-id`` header.
    Best effort, as Garmin's own pings are."""
    base = current_app.config.get("SANDBOX_GARMIN_WEBHOOK_URL")
    if not base:
        return
    client_id = current_app.config["SANDBOX_CLIENTS"]["garmin"][0]
    try:
        httpx.post(f"{base.rstrip('/')}/{kind}", json=payload, headers={"garmin-client-id": client_id}, timeout=10)
    except httpx.HTTPError as error:
        log.warning("garmin ping failed", extra={"fields": {"kind": kind, "error": type(error).__name__}})
