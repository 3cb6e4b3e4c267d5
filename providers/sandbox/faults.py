"""Faults on command, applied to every provider API call (not to consent, tokens or _admin).

Set with ``PUT /sandbox/_admin/faults``; each provider's faults replace the previous ones:

- ``latencyMs``: every call waits this long first;
- ``dropRate``: this share of calls lose their connection before the provider sees them;
- ``errorRate`` with ``status`` (default 503): this share of calls fail with that status;
- ``rateLimitPerMinute`` (per app) and, for Garmin, ``rateLimitPerUserPerDay``: over it a
  call gets 429, Garmin's with no Retry-After, Wahoo's with ``X-RateLimit-*`` headers;
- ``failNext``: ``{"path", "status", "count", "message"}``: the next ``count`` calls whose
  path contains ``path`` fail with ``status`` (a deterministic fault, for tests); a
  ``{token}`` in the message is replaced by the caller's token, as careless APIs echo it;
- ``expireEveryCalls``: an access token expires after that many calls;
- ``accessTokenTtlSeconds`` and ``refreshLatencyMs``: used when tokens are issued/refreshed.
"""

from __future__ import annotations

import json
import random
import socket
import time

from flask import current_app, g, jsonify, request

CONTINUOUS = {"latencyMs", "dropRate", "errorRate", "status", "rateLimitPerMinute", "rateLimitPerUserPerDay",
              "expireEveryCalls", "accessTokenTtlSeconds", "refreshLatencyMs", "failNext"}


class Dropped(Exception):
    """The connection was cut; nothing more is written."""


def store():
    return current_app.extensions["sandbox_store"]


def before_api_call(provider: str):
    faults = store().faults(provider)
    if faults.get("latencyMs"):
        time.sleep(faults["latencyMs"] / 1000)
    if faults.get("dropRate") and random.random() < faults["dropRate"]:
        _drop_connection()
    limited = _rate_limit(provider, faults)
    if limited is not None:
        return limited
    forced = _fail_next(provider, faults)
    if forced is not None:
        return forced
    if faults.get("errorRate") and random.random() < faults["errorRate"]:
        status = int(faults.get("status", 503))
        key = "errorMessage" if provider == "garmin" else "error"
        return jsonify({key: f"Injected fault: {status}"}), status
    return None


def _fail_next(provider: str, faults: dict):
    rule = faults.get("failNext")
    if not rule or rule.get("path", "") not in request.path:
        return None
    with store().transaction() as db:
        row = db.execute("SELECT body FROM faults WHERE provider = ?", (provider,)).fetchone()
        current = json.loads(row["body"]) if row else {}
        left = current.get("failNext", {}).get("count", 0)
        if left <= 0:
            return None
        current["failNext"]["count"] = left - 1
        db.execute("UPDATE faults SET body = ? WHERE provider = ?", (json.dumps(current), provider))
    key = "errorMessage" if provider == "garmin" else "error"
    bearer = request.headers.get("Authorization", "").partition(" ")[2]
    message = rule.get("message", "Injected failure.").replace("{token}", bearer)
    return jsonify({key: message}), int(rule.get("status", 503))


def _drop_connection():
    sock = request.environ.get("werkzeug.socket")
    if isinstance(sock, socket.socket):
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    raise Dropped()


def _rate_limit(provider: str, faults: dict):
    per_minute = faults.get("rateLimitPerMinute")
    headers = {}
    if per_minute:
        count, reset = store().count(f"{provider}:app:minute", 60)
        remaining = max(0, per_minute - count)
        if provider == "wahoo":
            headers = {"X-RateLimit-Limit": str(per_minute), "X-RateLimit-Remaining": str(remaining),
                       "X-RateLimit-Reset": str(int(reset))}
        if count > per_minute:
            return _too_many(provider, headers)
    per_user_day = faults.get("rateLimitPerUserPerDay")
    if per_user_day and provider == "garmin" and getattr(g, "user_id", None):
        count, _ = store().count(f"{provider}:user:{g.user_id}:day", 86400)
        if count > per_user_day:
            return _too_many(provider, {})
    g.rate_headers = headers
    return None


def _too_many(provider: str, headers: dict):
    key = "errorMessage" if provider == "garmin" else "error"
    response = jsonify({key: "Rate limit exceeded."})
    response.status_code = 429
    response.headers.update(headers)  # Garmin sends no Retry-After
    return response


def after_api_call(response):
    for key, value in getattr(g, "rate_headers", {}).items():
        response.headers.setdefault(key, value)
    return response
