"""OAuth 2.0 as Garmin and Wahoo run it: consent with PKCE (S256) and state, code exchange,
refresh with rotation, and the bearer check every API call goes through.

Token rules, from the providers' documentation:

- Garmin: access tokens live 24 h, refresh tokens about 90 days; every refresh returns a
  new refresh token and the one used stops working.
- Wahoo: access tokens live 2 h; every refresh returns a new pair, and the previous
  tokens are revoked once the new access token is first used; two refreshes of one
  athlete at the same time fail with a bare 400; at most 10 unrevoked tokens per athlete
  (the sandbox refuses an eleventh rather than guess which one Wahoo would drop).

A code is single-use: a replayed code is refused and revokes what it was exchanged for
(RFC 6749, 4.1.2).

PKCE: Garmin's OAuth 2.0 flow requires it (S256).  Wahoo accepts ``plain`` or ``S256``, and
only for apps set as not confidential: a confidential app (ours: it sends its secret) may
leave it out.  Scopes: the Wahoo token carries the scopes granted, and each endpoint asks
for its own (``wahoo.py``); Garmin's permissions are the user's (WORKOUT_IMPORT...).
Garmin's token endpoint counts toward its partner minute (providers.md, Quotas).

Suunto (suunto-research.md §1.4-1.6): the token endpoint takes HTTP Basic client
authentication only, its parameters as a form or a query string; tokens are JWTs (claims
``user``, ``user_name``, ``scope`` ["workout"], ``authorities``, ``client_id``, ``exp``, ``jti``,
``uk``, ``ukv``; the refresh token adds ``ati``), access for 24 h, refresh for about 180 days;
the reply carries ``user`` too.  ``GET /suunto/oauth/deauthorize?client_id=`` with the bearer
token ends our access.  Not published, so played either way (faults.py): ``oauthState``
"echo" | "drop" (whether the redirect carries ``state`` back), ``pkce`` "ignore" | "verify",
``refreshRotation`` "new" (a new refresh token, the old one still works) | "same" (none in the
reply) | "rotate" (the old one stops working), ``revokedRefresh`` "refused" | "issued" (whether a
refresh still works after the athlete revoked access; API calls are refused either way), and
``authorizationScheme`` "bearer" | "either" (whether a bare token is accepted).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from urllib.parse import unquote, urlencode, urlsplit

from flask import Blueprint, abort, current_app, g, jsonify, redirect, render_template, request

from . import faults

bp = Blueprint("sandbox_oauth", __name__)

LIFETIMES = {  # access, refresh (seconds)
    "garmin": (24 * 3600, 90 * 24 * 3600),
    "wahoo": (2 * 3600, 365 * 24 * 3600),
    "suunto": (24 * 3600, 180 * 24 * 3600),  # 86400 s (quick start); ~180 days observed
}
MAX_UNREVOKED_WAHOO_TOKENS = 10
CODE_LIFETIME = 600
PREFIX = {"garmin": "g", "wahoo": "w", "suunto": "s"}
PROVIDERS = "any(garmin, wahoo, suunto)"
LABELS = {"garmin": "Garmin Connect", "wahoo": "Wahoo", "suunto": "Suunto"}
SCOPES = {
    "garmin": ["WORKOUT_IMPORT", "ACTIVITY_EXPORT", "HEALTH_EXPORT"],
    # Wahoo's scopes (_authorization.md, and plans/*: plans_read, plans_write).
    "wahoo": ["email", "user_read", "user_write", "workouts_read", "workouts_write", "plans_read", "plans_write",
              "power_zones_read", "power_zones_write", "routes_read", "routes_write", "offline_data"],
    "suunto": ["workout"],  # the only scope Suunto publishes
}


def store():
    return current_app.extensions["sandbox_store"]


def oauth_error(code: str, description: str, status: int = 400):
    return jsonify(error=code, error_description=description), status


# -- consent ------------------------------------------------------------------------------

@bp.route(f"/<{PROVIDERS}:provider>/oauth/authorize", methods=["GET", "POST"])
def authorize(provider: str):
    params = request.values
    problems = _authorize_problems(provider, params)
    if problems:
        return render_template("sandbox/consent_error.html", provider=provider, problems=problems), 400
    if request.method == "GET":
        hint = params.get("login_hint", "")
        account = params.get("account") or _default_account(provider, hint)
        return render_template("sandbox/consent.html", provider=provider, label=LABELS[provider], params=params,
                               account=account, scopes=SCOPES[provider], requested=_requested_scopes(provider, params))

    redirect_uri, state = params["redirect_uri"], _state_back(provider, params)
    if params.get("decision") != "allow":
        query = {"error": "access_denied", "error_description": "The user refused access.", **state}
        return redirect(_with_query(redirect_uri, query))
    account = (params.get("account") or "").strip() or _default_account(provider, params.get("login_hint", ""))
    granted = params.getlist("grant") if provider == "garmin" else _requested_scopes(provider, params)
    code = secrets.token_urlsafe(24)
    with store().transaction() as db:
        user = db.execute("SELECT * FROM users WHERE provider = ? AND user_id = ?", (provider, account)).fetchone()
        if user is None:
            db.execute("INSERT INTO users (provider, user_id, login_hint, permissions, created) VALUES (?, ?, ?, ?, ?)",
                       (provider, account, params.get("login_hint", ""), " ".join(granted), time.time()))
        else:  # consenting again restores the account and its permissions
            db.execute("UPDATE users SET permissions = ?, deregistered = 0 WHERE provider = ? AND user_id = ?",
                       (" ".join(granted), provider, account))
        db.execute("INSERT INTO codes (code, provider, client_id, redirect_uri, challenge, user_id, scope, created) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   (code, provider, params["client_id"], redirect_uri, _challenge_record(params, provider), account,
                    " ".join(granted), time.time()))
    return redirect(_with_query(redirect_uri, {"code": code, **state}))


def _state_back(provider: str, params) -> dict:
    """The ``state`` the redirect carries back.  Suunto's published flow shows none: play both."""
    if provider == "suunto" and (not params.get("state") or _fault(provider, "oauthState", "echo") == "drop"):
        return {}
    return {"state": params["state"]}


def _fault(provider: str, name: str, default):
    return faults.of(provider).get(name, default)


def _authorize_problems(provider: str, params) -> list[str]:
    problems = []
    client_id, _ = current_app.config["SANDBOX_CLIENTS"][provider]
    if params.get("response_type") != "code":
        problems.append("response_type must be code")
    if params.get("client_id") != client_id:
        problems.append("unknown client_id")
    redirect_uri = params.get("redirect_uri", "")
    if urlsplit(redirect_uri).scheme not in ("http", "https"):
        problems.append("redirect_uri must be an http(s) URL")
    if not params.get("state") and provider != "suunto":  # Suunto's published flow has no state
        problems.append("state is required")
    if provider == "garmin":
        if not params.get("code_challenge"):
            problems.append("PKCE is required: send code_challenge")
        if params.get("code_challenge_method") != "S256":
            problems.append("code_challenge_method must be S256")
    elif params.get("code_challenge") and params.get("code_challenge_method", "plain") not in ("plain", "S256"):
        problems.append("code_challenge_method must be plain or S256")
    return problems


def _requested_scopes(provider: str, params) -> list[str]:
    requested = (params.get("scope") or "").replace(",", " ").split()
    if provider in ("garmin", "suunto"):
        return [s for s in requested if s in SCOPES[provider]] or list(SCOPES[provider])
    # Wahoo grants what the app asks for ("by sending a space separated list of scopes"),
    # or what its developer-portal settings name when it asks for nothing.
    return [s for s in requested if s in SCOPES[provider]] or ["user_read", "workouts_read", "workouts_write"]


def _challenge_record(params, provider: str = "") -> str:
    """How the code's PKCE check is kept: ``S256:<challenge>``, ``plain:<challenge>`` or empty
    (Suunto, which does not mention PKCE, ignores it unless ``pkce`` is "verify")."""
    challenge = params.get("code_challenge")
    if not challenge or (provider == "suunto" and _fault(provider, "pkce", "ignore") != "verify"):
        return ""
    return f"{params.get('code_challenge_method', 'plain')}:{challenge}"


def _pkce_ok(recorded: str, verifier: str) -> bool:
    if not recorded:
        return True  # a confidential Wahoo app that did not use PKCE: its secret was checked
    method, _, challenge = recorded.partition(":")
    if not verifier:
        return False
    if method == "S256":
        computed = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    else:
        computed = verifier
    return hmac.compare_digest(computed, challenge)


def _default_account(provider: str, hint: str) -> str:
    seed = hint.strip().lower() or secrets.token_hex(8)
    return f"{provider}-user-{hashlib.sha256(seed.encode()).hexdigest()[:12]}"


def _with_query(url: str, query: dict) -> str:
    return url + ("&" if "?" in url else "?") + urlencode(query)


# -- the token endpoint -----------------------------------------------------------------------

@bp.post(f"/<{PROVIDERS}:provider>/oauth/token")
def token(provider: str):
    if provider == "garmin":
        limited = faults.spend("garmin", oauth=True)  # Garmin's partner minute counts OAuth requests
        if limited is not None:
            return limited
    client_id, client_secret = current_app.config["SANDBOX_CLIENTS"][provider]
    given_id, given_secret = _client_credentials(basic_only=provider == "suunto")  # S4: Basic authentication
    if given_id != client_id or not hmac.compare_digest(given_secret or "", client_secret):
        return oauth_error("invalid_client", "Client authentication failed.", 401)
    grant = _param(provider, "grant_type")
    if grant == "authorization_code":
        return _exchange_code(provider, client_id)
    if grant == "refresh_token":
        return _refresh(provider, client_id)
    return oauth_error("unsupported_grant_type", "grant_type must be authorization_code or refresh_token.")


def _param(provider: str, name: str, default: str = "") -> str:
    """A token request's parameter: Suunto's are taken as a form or a query string (S3, S4)."""
    source = request.values if provider == "suunto" else request.form
    return source.get(name, default)


def _client_credentials(basic_only: bool = False) -> tuple[str | None, str | None]:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:]).decode()
            client_id, _, secret = decoded.partition(":")
            return unquote(client_id), unquote(secret)
        except (ValueError, UnicodeDecodeError):
            return None, None
    if basic_only:
        return None, None
    return request.form.get("client_id"), request.form.get("client_secret")


def _exchange_code(provider: str, client_id: str):
    code, verifier = _param(provider, "code"), _param(provider, "code_verifier")
    with store().transaction() as db:
        row = db.execute("SELECT * FROM codes WHERE code = ? AND provider = ?", (code, provider)).fetchone()
        if row is None:
            return oauth_error("invalid_grant", "Unknown authorization code.")
        if row["used"]:
            db.execute("UPDATE tokens SET revoked = 1, revoked_reason = 'code replayed' WHERE grant_id = ?", (code,))
            return oauth_error("invalid_grant", "This authorization code was already used.")
        db.execute("UPDATE codes SET used = 1 WHERE code = ?", (code,))
        if time.time() - row["created"] > CODE_LIFETIME:
            return oauth_error("invalid_grant", "The authorization code has expired.")
        if row["redirect_uri"] != _param(provider, "redirect_uri") or row["client_id"] != client_id:
            return oauth_error("invalid_grant", "redirect_uri or client does not match the authorization request.")
        if not _pkce_ok(row["challenge"], verifier):
            return oauth_error("invalid_grant", "PKCE verification failed: code_verifier does not match.")
        problem = _too_many_tokens(db, provider, row["user_id"], client_id)
        if problem:
            return problem
        body = _issue(db, provider, row["user_id"], client_id, row["scope"], grant_id=code)
    return jsonify(body)


def _refresh(provider: str, client_id: str):
    refresh_token = _param(provider, "refresh_token")
    row = store().one("SELECT * FROM tokens WHERE token = ? AND provider = ? AND kind = 'refresh'",
                      refresh_token, provider)
    if row is None or row["client_id"] != client_id:
        return oauth_error("invalid_grant", "Unknown refresh token.")
    user_id = row["user_id"]
    if provider == "wahoo":
        # Two refreshes of one athlete at the same time: Wahoo answers the second with a bare 400.
        with store().transaction() as db:
            busy = db.execute("SELECT started FROM refreshing WHERE provider = ? AND user_id = ?",
                              (provider, user_id)).fetchone()
            if busy and time.time() - busy["started"] < 30:
                return "", 400
            db.execute("INSERT OR REPLACE INTO refreshing VALUES (?, ?, ?)", (provider, user_id, time.time()))
    try:
        time.sleep(faults.of(provider).get("refreshLatencyMs", 50 if provider == "wahoo" else 0) / 1000)
        with store().transaction() as db:
            current = db.execute("SELECT * FROM tokens WHERE token = ?", (refresh_token,)).fetchone()
            user = db.execute("SELECT * FROM users WHERE provider = ? AND user_id = ?", (provider, user_id)).fetchone()
            # Whether Suunto still refreshes for an athlete who revoked access is not published.
            still = provider == "suunto" and _fault(provider, "revokedRefresh", "refused") == "issued"
            by_user = current["revoked_reason"] == "revoked by the user"
            if (current["revoked"] and not (still and by_user)) or current["expires"] < time.time() or user is None or (
                    user["deregistered"] and not still):
                return oauth_error("invalid_grant", "The refresh token is revoked or expired.")
            rotation = _fault(provider, "refreshRotation", "new") if provider == "suunto" else None
            if provider == "garmin" or rotation == "rotate":  # the refresh token just used stops working
                db.execute("UPDATE tokens SET revoked = 1, revoked_reason = 'rotated' WHERE token = ?", (refresh_token,))
            problem = _too_many_tokens(db, provider, user_id, client_id)
            if problem:
                return problem
            body = _issue(db, provider, user_id, client_id, current["scope"], grant_id=current["grant_id"],
                          refresh=rotation != "same")  # "same": none in the reply, the old one stays
        return jsonify(body)
    finally:
        if provider == "wahoo":
            with store().transaction() as db:
                db.execute("DELETE FROM refreshing WHERE provider = ? AND user_id = ?", (provider, user_id))


def _too_many_tokens(db, provider: str, user_id: str, client_id: str):
    if provider != "wahoo":
        return None
    live = db.execute("SELECT COUNT(*) FROM tokens WHERE provider = ? AND user_id = ? AND client_id = ? AND kind = "
                      "'access' AND revoked = 0 AND expires > ?", (provider, user_id, client_id, time.time())).fetchone()[0]
    if live >= MAX_UNREVOKED_WAHOO_TOKENS:
        return oauth_error("invalid_request", f"Too many unrevoked access tokens for this user (limit "
                                              f"{MAX_UNREVOKED_WAHOO_TOKENS}).")
    return None


def _issue(db, provider: str, user_id: str, client_id: str, scope: str, grant_id: str, refresh: bool = True) -> dict:
    access_life, refresh_life = LIFETIMES[provider]
    access_life = faults.of(provider).get("accessTokenTtlSeconds", access_life)
    now = time.time()
    if provider == "suunto":
        return _issue_suunto(db, user_id, client_id, scope, grant_id, now, access_life, refresh_life, refresh)
    access = f"{PREFIX[provider]}at_{secrets.token_urlsafe(24)}"
    refresh_token = f"{PREFIX[provider]}rt_{secrets.token_urlsafe(24)}"
    for value, kind, life in ((access, "access", access_life), (refresh_token, "refresh", refresh_life)):
        _keep(db, value, provider, kind, user_id, client_id, scope, now, now + life, grant_id)
    body = {"access_token": access, "token_type": "Bearer", "expires_in": int(access_life),
            "refresh_token": refresh_token, "scope": scope}
    if provider == "garmin":
        body["refresh_token_expires_in"] = refresh_life
    else:
        body["created_at"] = int(now)
    return body


def _keep(db, value, provider, kind, user_id, client_id, scope, issued, expires, grant_id) -> None:
    db.execute("INSERT INTO tokens (token, provider, kind, user_id, client_id, scope, issued, expires, grant_id) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", (value, provider, kind, user_id, client_id, scope, issued,
                                                      expires, grant_id))


def _issue_suunto(db, user_id: str, client_id: str, scope: str, grant_id: str, now: float, access_life: float,
                  refresh_life: float, refresh: bool) -> dict:
    """Suunto's JWT pair and reply, with the claims seen in a real one (research §1.4)."""
    jti = f"{PREFIX['suunto']}at_{secrets.token_urlsafe(12)}"
    uk = hashlib.sha256(user_id.encode()).hexdigest()[:20]
    claims = {"user": user_id, "user_name": user_id, "scope": (scope or "workout").split(), "authorities": ["PARTNER"],
              "client_id": client_id, "exp": int(now + access_life), "jti": jti, "uk": uk, "ukv": "1"}
    access = _jwt(claims)
    _keep(db, access, "suunto", "access", user_id, client_id, scope, now, now + access_life, grant_id)
    body = {"access_token": access, "token_type": "bearer", "expires_in": int(access_life), "scope": scope or "workout",
            "ukv": "1", "uk": uk, "user": user_id, "jti": jti}
    if refresh:
        refresh_claims = dict(claims, exp=int(now + refresh_life), jti=f"{PREFIX['suunto']}rt_{secrets.token_urlsafe(12)}",
                              ati=jti)
        body["refresh_token"] = _jwt(refresh_claims)
        _keep(db, body["refresh_token"], "suunto", "refresh", user_id, client_id, scope, now, now + refresh_life,
              grant_id)
    return body


def _jwt(claims: dict) -> str:
    """A JWT signed with the sandbox's own key (the product reads its claims, never its signature)."""
    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    head = part(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + part(json.dumps(claims).encode())
    signature = hmac.new(b"hybridpeaks-sandbox", head.encode(), hashlib.sha256).digest()
    return head + "." + part(signature)


# -- bearer tokens on API calls --------------------------------------------------------------------

def authenticate(provider: str):
    """Check the bearer token of an API call; on success ``g.user_id`` and ``g.token`` are set."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if provider == "suunto" and scheme and not value and _fault(provider, "authorizationScheme", "bearer") == "either":
        scheme, value = "bearer", scheme  # Suunto's samples print the bare token (S7)
    if scheme.lower() != "bearer" or not value:
        abort(_unauthorized(provider, "Missing bearer token."))
    now = time.time()
    with store().transaction() as db:
        row = db.execute("SELECT * FROM tokens WHERE token = ? AND provider = ? AND kind = 'access'",
                         (value, provider)).fetchone()
        if row is None:
            abort(_unauthorized(provider, "Unknown access token."))
        if row["revoked"]:
            abort(_unauthorized(provider, "The access token was revoked."))
        every = faults.of(provider).get("expireEveryCalls")
        if row["expires"] < now or (every and row["calls"] >= every):
            abort(_unauthorized(provider, "The access token has expired."))
        user = db.execute("SELECT * FROM users WHERE provider = ? AND user_id = ?", (provider, row["user_id"])).fetchone()
        if user is None or user["deregistered"]:
            abort(_unauthorized(provider, "The user has revoked access."))
        db.execute("UPDATE tokens SET calls = calls + 1, first_used = COALESCE(first_used, ?) WHERE token = ?",
                   (now, value))
        if provider == "wahoo" and row["first_used"] is None:
            # The first use of a new access token revokes the tokens it replaced.
            db.execute("UPDATE tokens SET revoked = 1, revoked_reason = 'replaced' WHERE provider = ? AND user_id = ? "
                       "AND client_id = ? AND issued < ? AND revoked = 0",
                       (provider, row["user_id"], row["client_id"], row["issued"]))
    g.user_id, g.token, g.permissions = row["user_id"], value, (user["permissions"] or "").split()
    g.scopes, g.client_id = (row["scope"] or "").split(), row["client_id"]


def _unauthorized(provider: str, message: str):
    if provider == "suunto":
        response = jsonify(error={"description": message}, payload=None)
        response.status_code = 401
        return response
    key = "errorMessage" if provider == "garmin" else "error"
    response = jsonify({key: message})
    response.status_code = 401
    return response


def revoke_user(provider: str, user_id: str, reason: str) -> None:
    with store().transaction() as db:
        db.execute("UPDATE tokens SET revoked = 1, revoked_reason = ? WHERE provider = ? AND user_id = ? AND revoked = 0",
                   (reason, provider, user_id))


# -- Suunto's deauthorization (research §1.6: used by partners, not on a stored Suunto page) ----

@bp.get("/suunto/oauth/deauthorize")
def deauthorize_suunto():
    client_id, _ = current_app.config["SANDBOX_CLIENTS"]["suunto"]
    if request.args.get("client_id") != client_id:
        return oauth_error("invalid_request", "Unknown client_id.")
    authenticate("suunto")
    revoke_user("suunto", g.user_id, "deauthorized by the partner")
    return jsonify(success=True)
