"""Pings from providers: Garmin's deregistration and user-permission notifications.

Garmin authenticates its pings with the ``garmin-client-id`` header (our client id); a ping
without it, or with another, is refused.  Pings are idempotent and a ping for a user we
do not know is answered without effect, as Garmin's production review requires.
"""

from __future__ import annotations

import hmac
import logging

from flask import Blueprint, current_app, jsonify, request

from ..extensions import csrf, db
from ..logs import log_event
from ..models import RevokedReason
from ..services import connections as connection_service
from ..services import exports

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
csrf.exempt(bp)
logger = logging.getLogger(__name__)


def _authentic() -> bool:
    given = request.headers.get("garmin-client-id", "")
    return hmac.compare_digest(given.encode(), current_app.config["GARMIN_CLIENT_ID"].encode())


def _entries(key: str) -> list[dict] | None:
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get(key, []), list):
        return None
    return [e for e in body.get(key, []) if isinstance(e, dict) and isinstance(e.get("userId"), str)]


@bp.route("/garmin/deregistration", methods=["POST", "PUT"])
def garmin_deregistration():
    if not _authentic():
        return jsonify(error="unknown sender"), 401
    entries = _entries("deregistrations")
    if entries is None:
        return jsonify(error="expected {\"deregistrations\": [{\"userId\": ...}]}"), 400
    changed = 0
    for entry in entries:
        changed += len(connection_service.mark_revoked("GARMIN", entry["userId"], RevokedReason.DEREGISTERED))
    db.session.commit()
    log_event(logger, "garmin deregistration ping", users=len(entries), changed=changed)
    return jsonify(received=len(entries))


@bp.route("/garmin/permissions", methods=["POST", "PUT"])
def garmin_permissions():
    if not _authentic():
        return jsonify(error="unknown sender"), 401
    entries = _entries("userPermissionsChange")
    if entries is None:
        return jsonify(error="expected {\"userPermissionsChange\": [{\"userId\": ..., \"permissions\": [...]}]}"), 400
    for entry in entries:
        if "WORKOUT_IMPORT" in (entry.get("permissions") or []):
            for connection in connection_service.restore("GARMIN", entry["userId"], RevokedReason.PERMISSION_MISSING):
                exports.athlete_connected(connection.athlete_id, "GARMIN")
        else:
            connection_service.mark_revoked("GARMIN", entry["userId"], RevokedReason.PERMISSION_MISSING)
    db.session.commit()
    log_event(logger, "garmin permissions ping", users=len(entries))
    return jsonify(received=len(entries))
