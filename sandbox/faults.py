"""Quotas as the providers publish them, and faults on command, applied to every provider API
call (not to consent pages or _admin; Garmin's token endpoint counts toward its partner
minute, as Garmin's quotas say).

Quotas (providers.md, "Quotas (2.6)" and "Limits"), rolling windows, always on:

- Garmin: per app (partner) per minute, OAuth requests included; per user per 24 h, OAuth
  requests excluded.  ``tier`` "evaluation" (100 / 200) or "production" (3,000 / 1,000, the
  default).  Over either: 429 with no reset header.
- Wahoo: per app, three windows at once: 5 minutes, an hour, a day.  ``tier`` "sandbox"
  (25 / 100 / 250) or "production" (200 / 1,000 / 5,000, the default).  Every answer
  carries ``X-RateLimit-Limit: <day>, <hour>, <5min>``, ``X-RateLimit-Remaining`` in the
  same order and ``X-RateLimit-Reset`` (seconds until the exhausted window frees, else 0).

Set with ``PUT /sandbox/_admin/faults``; each provider's faults replace the previous ones:

- ``tier``, ``limits`` (e.g. ``{"5min": 10}`` or ``{"partnerPerMinute": 50, "userPerDay": 20}``)
  and ``windowScale`` (every window times this factor: 0.01 makes five minutes three
  seconds, for tests and benchmarks that compress time);
- ``rateLimitPerMinute`` (an extra per-app minute window) and, for Garmin,
  ``rateLimitPerUserPerDay`` (the per-user day limit): shorthands kept from the first round;
- ``latencyMs``: every call waits this long first;
- ``dropRate``: this share of calls lose their connection before the provider sees them;
- ``errorRate`` with ``status`` (default 503): this share of calls fail with that status;
- ``failNext``: ``{"path", "status", "count", "message", "method", "after"}``: the next
  ``count`` calls whose path contains ``path`` (and of that method) fail with ``status``; with
  ``"after": true`` the call is carried out first and only its answer is lost (a timeout
  after the provider acted); a ``{token}`` in the message is replaced by the caller's token;
- ``expireEveryCalls``: an access token expires after that many calls;
- ``accessTokenTtlSeconds`` and ``refreshLatencyMs``: used when tokens are issued/refreshed;
- Suunto (none published): ``tier`` "developer" (200 calls a week in all, as one partner saw)
  or "production" (no limit, the default); over it: 429, with ``Retry-After`` only if the
  ``retryAfter`` fault says so (sandbox/suunto.py lists Suunto's other unknowns);
- where a fact is not published, which plausible behaviour to play (providers.md):
  ``scheduleReply`` "id" | "object" (Garmin's schedule create answer), ``permissionsShape``
  "array" | "object", ``duplicateExternalId`` "refuse" | "accept" (Wahoo, a second plan with
  an external_id it holds), ``plansFilter`` true | false (whether Wahoo applies
  ``?external_id=``), ``workoutsListing`` "array" | "object", ``deleteKeepsSchedules``
  true | false (whether deleting a Garmin workout leaves its schedules);
  ``planIntervalLimit`` a number or null, with ``planIntervalCount`` "expanded" | "written"
  (whether Wahoo limits a plan's intervals, and how it counts them);
- for Garmin's strength and multisport workouts (research notes §5; garmin.py says how each
  plays): ``unknownExerciseName`` "drop" | "refuse", ``unknownExerciseCategory`` "refuse" |
  "drop", ``weightOnCardio`` "ignore" | "refuse", ``segmentStepLimit`` null | a number,
  ``multisportSwimSkipsLastRest`` false | true, ``transitionOnSingleSport`` "ignore" | "refuse",
  ``repsCheck`` "loose" | "strict".
"""

from __future__ import annotations

import json
import random
import socket
import time

from flask import current_app, g, has_request_context, jsonify, request

CONTINUOUS = {"latencyMs", "dropRate", "errorRate", "status", "rateLimitPerMinute", "rateLimitPerUserPerDay",
              "expireEveryCalls", "accessTokenTtlSeconds", "refreshLatencyMs", "failNext", "tier", "limits",
              "windowScale", "scheduleReply", "permissionsShape", "duplicateExternalId", "plansFilter",
              "workoutsListing", "deleteKeepsSchedules", "planIntervalLimit", "planIntervalCount",
              # Garmin's strength and multisport unknowns (sandbox/garmin.py PLAYS)
              "unknownExerciseName", "unknownExerciseCategory", "weightOnCardio", "segmentStepLimit",
              "multisportSwimSkipsLastRest", "transitionOnSingleSport", "repsCheck",
              # Suunto's unknowns (sandbox/suunto.py, sandbox/oauth.py; duplicateExternalId as Wahoo's)
              "archive", "icon", "stepEnds", "idsInRepeats", "stepCount", "externalIdScope",
              "listingExternalId", "envelope", "readback", "retryAfter", "keyRefusedStatus", "guidesEntitled",
              "deleteStatus", "oauthState", "pkce", "refreshRotation", "revokedRefresh", "authorizationScheme"}
TIERS = {
    "garmin": {"evaluation": {"partnerPerMinute": 100, "userPerDay": 200},
               "production": {"partnerPerMinute": 3000, "userPerDay": 1000}},
    "wahoo": {"sandbox": {"day": 250, "hour": 100, "5min": 25},
              "production": {"day": 5000, "hour": 1000, "5min": 200}},
    # Suunto publishes none; one partner saw 200 calls a week in all on the Developer API
    # subscription, and no limit on the production ("unlimited") one.
    "suunto": {"developer": {"week": 200}, "production": {}},
}
DEFAULT_TIER = {"garmin": "production", "wahoo": "production", "suunto": "production"}
SECONDS = {"partnerPerMinute": 60, "userPerDay": 86400, "day": 86400, "hour": 3600, "5min": 300, "minute": 60,
           "week": 7 * 86400}
WAHOO_ORDER = ("day", "hour", "5min")


class Dropped(Exception):
    """The connection was cut; nothing more is written."""


def store():
    return current_app.extensions["sandbox_store"]


def of(provider: str) -> dict:
    """The provider's faults, read once a request (a Garmin create asks for a dozen of them):
    only the admin API changes them, and failNext's count, which is read again where spent."""
    if not has_request_context():
        return store().faults(provider)
    read = g.setdefault("sandbox_faults", {})
    if provider not in read:
        read[provider] = store().faults(provider)
    return read[provider]


def setting(provider: str, name: str, default=None):
    return of(provider).get(name, default)


def limits(provider: str) -> dict[str, int]:
    faults = of(provider)
    tier = faults.get("tier", DEFAULT_TIER[provider])
    chosen = dict(TIERS[provider].get(tier, TIERS[provider][DEFAULT_TIER[provider]]))
    # A window of the provider's (Suunto's production tier has none, but may be given one).
    known = {window for windows in TIERS[provider].values() for window in windows}
    chosen.update({k: int(v) for k, v in (faults.get("limits") or {}).items() if k in known})
    if provider == "garmin" and faults.get("rateLimitPerUserPerDay"):
        chosen["userPerDay"] = int(faults["rateLimitPerUserPerDay"])
    if faults.get("rateLimitPerMinute"):
        chosen["minute"] = int(faults["rateLimitPerMinute"])
    return chosen


def _windows(provider: str, user_id: str | None, oauth: bool) -> list[tuple[str, str, int, float]]:
    """(window, counter key, limit, seconds) for one call."""
    scale = float(setting(provider, "windowScale", 1) or 1)
    out = []
    for window, limit in limits(provider).items():
        if window == "userPerDay":
            if oauth or not user_id:
                continue  # Garmin's per-user day excludes OAuth requests
            key = f"{provider}:user:{user_id}:{window}"
        else:
            key = f"{provider}:app:{window}"
        # Compressed windows last whole seconds, at least one (as the product's quota counts them).
        out.append((window, key, limit, SECONDS[window] if scale == 1 else max(1, round(SECONDS[window] * scale))))
    return out


def spend(provider: str, user_id: str | None = None, oauth: bool = False, count: bool = True):
    """Count one call against every window it falls in; a 429 response when one is full.
    With ``count=False`` only the headers are set (a call refused before it was counted)."""
    now = time.time()
    state = {}
    full = []
    windows = _windows(provider, user_id, oauth)
    with store().transaction() as db:
        for window, key, limit, seconds in windows:
            used, frees = store().window(db, key, seconds, now)
            state[window] = (limit, used, frees if frees is not None else now + seconds)
            if used >= limit:
                full.append(window)
        if count and not full:
            store().hit(db, [key for _, key, _, _ in windows], now)
            if random.random() < 0.002:  # now and then, forget what no window can see any more
                db.execute("DELETE FROM hits WHERE at < ?", (now - 8 * 86400,))  # the longest window: a week
    if not count:
        g.rate_headers = _wahoo_headers(state, now, counted=False) if provider == "wahoo" else {}
        return None
    headers = _wahoo_headers(state, now, counted=not full) if provider == "wahoo" else {}
    g.rate_headers = headers
    if full:
        g.retry_after = max(state[w][2] for w in full) - now  # when the fullest window frees
        response = jsonify(_refusal(provider, "Rate limit exceeded.", 429))
        response.status_code = 429
        response.headers.update(headers)  # Garmin documents no reset header
        return response
    return None


def _wahoo_headers(state: dict, now: float, counted: bool) -> dict:
    order = [w for w in WAHOO_ORDER if w in state]
    limit = [state[w][0] for w in order]
    remaining = [max(0, state[w][0] - state[w][1] - (1 if counted else 0)) for w in order]
    # Seconds until an exhausted window frees (the one that refused this call, or one this call
    # used up; the extra minute included); 0 when none is.
    used = {w: state[w][1] + (1 if counted else 0) for w in state}
    reset = max([state[w][2] - now for w in state if used[w] >= state[w][0]] or [0])
    return {"X-RateLimit-Limit": ", ".join(map(str, limit)), "X-RateLimit-Remaining": ", ".join(map(str, remaining)),
            "X-RateLimit-Reset": str(int(reset + 0.999))}


def before_api_call(provider: str):
    faults = of(provider)
    if faults.get("latencyMs"):
        time.sleep(faults["latencyMs"] / 1000)
    if faults.get("dropRate") and random.random() < faults["dropRate"]:
        _drop_connection()
    limited = spend(provider, getattr(g, "user_id", None))
    if limited is not None:
        return limited
    forced = _fail_next(provider, faults)
    if forced is not None:
        return forced
    if faults.get("errorRate") and random.random() < faults["errorRate"]:
        status = int(faults.get("status", 503))
        return jsonify(_refusal(provider, f"Injected fault: {status}", status)), status
    return None


def _refusal(provider: str, message: str, status: int) -> dict:
    """An error body as each provider writes it: Garmin's ``errorMessage``, Wahoo's ``error``;
    Suunto's ``{"error": {"description"}}``, or at its gateway (a quota) APIM's
    ``{"statusCode", "message"}``."""
    if provider == "garmin":
        return {"errorMessage": message}
    if provider == "suunto":
        if status == 429:
            return {"statusCode": 429, "message": "Rate limit is exceeded. Try again later."}
        return {"error": {"description": message}}
    return {"error": message}


def _fail_next(provider: str, faults: dict):
    rule = faults.get("failNext")
    if not rule or rule.get("path", "") not in request.path:
        return None
    if rule.get("method") and rule["method"].upper() != request.method:
        return None
    with store().transaction() as db:
        row = db.execute("SELECT body FROM faults WHERE provider = ?", (provider,)).fetchone()
        current = json.loads(row["body"]) if row else {}
        left = current.get("failNext", {}).get("count", 0)
        if left <= 0:
            return None
        current["failNext"]["count"] = left - 1
        db.execute("UPDATE faults SET body = ? WHERE provider = ?", (json.dumps(current), provider))
    if rule.get("after"):
        g.lose_answer = int(rule.get("status", 504))  # act, then lose the answer (after_api_call)
        return None
    bearer = request.headers.get("Authorization", "").partition(" ")[2]
    message = rule.get("message", "Injected failure.").replace("{token}", bearer)
    status = int(rule.get("status", 503))
    return jsonify(_refusal(provider, message, status)), status


def _drop_connection():
    sock = request.environ.get("werkzeug.socket")
    if isinstance(sock, socket.socket):
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    raise Dropped()


def after_api_call(response):
    if not hasattr(g, "rate_headers") and request.path.startswith("/wahoo/"):
        spend("wahoo", count=False)  # Wahoo's headers ride on every answer, a 401 too
    lost = getattr(g, "lose_answer", None)
    if lost is not None:
        # The provider acted; the caller hears only a gateway error (as after a timeout).
        response = jsonify(error="Injected failure: the answer was lost.")
        response.status_code = lost
    for key, value in getattr(g, "rate_headers", {}).items():
        response.headers.setdefault(key, value)
    return response
