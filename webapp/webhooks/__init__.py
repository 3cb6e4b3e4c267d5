"""Pings from providers: Garmin's deregistration and user-permission notifications.

Garmin's client id "can be considered public information" (Start Guide 2.2), so the
``garmin-client-id`` header authenticates nothing: anyone who knows our client id can post a
ping.  A ping is therefore only a hint.  Each user it names is checked with Garmin, with
that athlete's own token, by a job (jobs/pings.py), and only what Garmin confirms changes a
connection.  Garmin retries pings for up to 7 days, so a ping may also arrive after the
athlete reconnected: the check then finds the connection working and changes nothing.

Every ping is answered 200 at once, a forged one too (logged): Garmin must not retry it,
and a sender learns nothing from the answer.  Only when the checks cannot be queued (Redis
is down) is the answer 503, so that Garmin tries again later.
"""

from __future__ import annotations

import hmac
import logging

from flask import Blueprint, current_app, jsonify, request

from jobs import queueing

from ..extensions import csrf
from ..logs import log_event

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
csrf.exempt(bp)
logger = logging.getLogger(__name__)
CHECK_RETRIES = (10, 60, 300, 1800)  # a check Garmin did not answer is tried again
KINDS = {"deregistration": ("deregistrations", "jobs.pings.verify_deregistration"),
         "permissions": ("userPermissionsChange", "jobs.pings.verify_permissions")}


def _sender_named_us() -> bool:
    given = request.headers.get("garmin-client-id", "")
    return hmac.compare_digest(given.encode(), current_app.config["GARMIN_CLIENT_ID"].encode())


def _user_ids(key: str) -> list[str] | None:
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get(key, []), list):
        return None
    ids = [e["userId"] for e in body.get(key, []) if isinstance(e, dict) and isinstance(e.get("userId"), str)]
    return list(dict.fromkeys(ids))


@bp.route("/garmin/<any(deregistration, permissions):kind>", methods=["POST", "PUT"])
def garmin_ping(kind: str):
    key, job = KINDS[kind]
    users = _user_ids(key)
    if users is None or not _sender_named_us():
        reason = "malformed body" if users is None else "unknown sender"
        log_event(logger, f"garmin {kind} ping ignored", level=logging.WARNING, outcome=reason,
                  remote=request.remote_addr)
        return jsonify(received=0)
    checks = [queueing.Wakeup(job, (user,), None, "high", retry_intervals=CHECK_RETRIES) for user in users]
    if queueing.enqueue(checks) < len(users):
        return jsonify(error="try again later"), 503  # the queue is down: Garmin retries pings
    log_event(logger, f"garmin {kind} ping", users=len(users), outcome="to be confirmed with Garmin")
    return jsonify(received=len(users))
