"""The sandbox's own controls, for tests and demos (never present in production):
what it holds, the tokens it issued, faults on command, and forgetting everything."""

from __future__ import annotations

import json
import logging
import time

import httpx
from flask import Blueprint, current_app, jsonify, request

from . import faults, oauth

bp = Blueprint("sandbox_admin", __name__, url_prefix="/_admin")
log = logging.getLogger(__name__)
PROVIDERS = ("garmin", "wahoo")
KINDS = {"garmin": {"workout": "workouts", "schedule": "schedules"},
         "wahoo": {"plan": "plans", "workout": "workouts"}}


@bp.get("/workouts")
def held():
    provider = request.args.get("provider", "garmin")
    if provider not in PROVIDERS:
        return jsonify(error="provider must be garmin or wahoo"), 400
    result = {"provider": provider, **{name: [] for name in KINDS[provider].values()}}
    rows = oauth.store().query("SELECT * FROM records WHERE provider = ? AND deleted = 0 ORDER BY id", provider)
    for row in rows:
        item = {"id": row["id"], "userId": row["user_id"], "token": row["token"], "body": json.loads(row["body"]),
                "createdAt": row["created"]}
        if row["key"]:
            item["key"] = row["key"]
        if row["kind"] == "schedule":
            item.update(workoutId=row["ref"], date=item["body"]["date"])
        if provider == "wahoo" and row["kind"] == "workout":
            item["planId"] = row["ref"]
        result[KINDS[provider][row["kind"]]].append(item)
    return jsonify(result)


@bp.get("/tokens")
def tokens():
    now = time.time()
    rows = oauth.store().query("SELECT * FROM tokens ORDER BY issued")
    return jsonify([{
        "provider": r["provider"], "kind": r["kind"], "token": r["token"], "userId": r["user_id"],
        "issuedAt": r["issued"], "expiresAt": r["expires"], "expired": r["expires"] < now,
        "revoked": bool(r["revoked"]), "revokedReason": r["revoked_reason"], "calls": r["calls"],
    } for r in rows])


@bp.get("/requests")
def requests_seen():
    provider = request.args.get("provider")
    rows = oauth.store().query("SELECT * FROM requests ORDER BY id")
    return jsonify([{"provider": r["provider"], "method": r["method"], "path": r["path"], "status": r["status"],
                     "at": r["at"]} for r in rows if provider in (None, r["provider"])])


@bp.put("/faults")
def set_faults():
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or body.get("provider") not in PROVIDERS:
        return jsonify(error='send {"provider": "garmin"|"wahoo", ...faults}'), 400
    provider = body["provider"]
    unknown = set(body) - faults.CONTINUOUS - {"provider", "expireAccessTokens", "revokeUser", "withdrawPermission"}
    if unknown:
        return jsonify(error=f"unknown fault {sorted(unknown)[0]!r}"), 400
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
    if body.get("withdrawPermission"):
        request_ = body["withdrawPermission"]
        spec = request_ if isinstance(request_, dict) else {"user": request_}
        user = _find_user(provider, spec.get("user", ""))
        if user is None:
            return jsonify(error=f"no {provider} user {spec.get('user')!r}"), 404
        permission = spec.get("permission", "WORKOUT_IMPORT")
        row = oauth.store().one("SELECT permissions FROM users WHERE provider = ? AND user_id = ?", provider, user)
        left = [p for p in (row["permissions"] or "").split() if p != permission]
        with oauth.store().transaction() as db:
            db.execute("UPDATE users SET permissions = ? WHERE provider = ? AND user_id = ?", (" ".join(left), provider, user))
        if provider == "garmin":
            send_garmin_ping("permissions", {"userPermissionsChange": [{
                "userId": user, "summaryId": f"x{int(time.time())}", "permissions": left,
                "changeTimeInSeconds": int(time.time())}]})
        done.append(f"withdrew {permission} from {user}")
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
    """Garmin's deregistration / user-permission ping, authenticated with its
    ``garmin-client-id`` header.  Best effort, as Garmin's own pings are."""
    base = current_app.config.get("SANDBOX_GARMIN_WEBHOOK_URL")
    if not base:
        return
    client_id = current_app.config["SANDBOX_CLIENTS"]["garmin"][0]
    try:
        httpx.post(f"{base.rstrip('/')}/{kind}", json=payload, headers={"garmin-client-id": client_id}, timeout=10)
    except httpx.HTTPError as error:
        log.warning("garmin ping failed", extra={"fields": {"kind": kind, "error": type(error).__name__}})
