"""The outsider's probes of issue 17, each answered: security headers, sessions that end,
pings that cost an outsider more than us, text that cannot break a device, a feed or a log,
login timing, production without sandbox defaults, and three device bugs."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
from datetime import datetime, timezone

import pytest
from icalendar import Calendar
from sqlalchemy import event

from core.config import ConfigError, load_config
from tests.conftest import csrf_token, login
from tests.support.workouts import EASY_RUN

REMEMBER = "remember_token"


def _production_env(monkeypatch, **extra):
    from tests.support.production import provider_settings

    for name, value in {"SECRET_KEY": "s" * 64, "TOKEN_ENCRYPTION_KEY": "Ryq3mNNzE4_2ip1o9p4B4oTJ6sQ6xb4nXbM-v5C7rGg=",
                        "DATABASE_URL": "postgres://u:p@db/hp", "REDIS_URL": "redis://redis:6379/0",
                        "PUBLIC_URL": "https://hybridpeaks.example",
                        **provider_settings("https://provider.example"), **extra}.items():
        monkeypatch.setenv(name, value)


# -- 1. headers ------------------------------------------------------------------------------------

def test_every_response_carries_the_security_headers(client, people):
    people.coach()
    for path, status in (("/login", 200), ("/static/css/app.css", 200), ("/healthz", 200),
                         ("/api/v1/athletes", 401), ("/no-such-page", 404), ("/plans", 302)):
        response = client.get(path)
        assert response.status_code == status, path
        csp = response.headers.get("Content-Security-Policy", "")
        directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
        assert directives["frame-ancestors"] == "'none'", path
        assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'", path
        assert "unsafe" not in csp, path
        assert response.headers["X-Frame-Options"] == "DENY", path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin", path
        assert "Strict-Transport-Security" not in response.headers, path  # HTTPS only in production


def test_production_tells_browsers_to_stay_on_https(tmp_path):
    from tests.test_operations import production_app

    response = production_app(tmp_path).test_client().get("/healthz")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_no_template_needs_inline_script_style_or_eval():
    """What the CSP forbids must not be there to forbid: no inline script, style attribute or
    handler, and no HTMX trigger filter (they need eval)."""
    from pathlib import Path

    for template in (Path(__file__).resolve().parent.parent / "templates").rglob("*.html"):
        html = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), template
        assert not re.search(r"\sstyle=|\son[a-z]+=|<style", html), template
        assert not re.search(r'hx-trigger="[^"]*\[', html), template


# -- 2. sessions that end -----------------------------------------------------------------------------

def _cookie(client, name):
    cookie = client.get_cookie(name)
    return cookie.value if cookie else None


def test_logout_ends_a_session_cookie_copied_before_it(app, client, people):
    coach = people.coach()
    people.athlete(coach, email="ana@example.test")
    login(client, "ana@example.test", "athlete-password")
    copied = _cookie(client, "session")
    assert client.get("/week").status_code == 200
    token = csrf_token(client, "/week")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", copied)
    response = thief.get("/week")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_remember_cookie_is_lax_httponly_new_at_each_login_and_ends_with_logout(app, people):
    coach = people.coach()
    people.athlete(coach, email="ana@example.test")
    values = []
    for _ in range(2):
        browser = app.test_client()
        token = csrf_token(browser)
        response = browser.post("/login", data={"email": "ana@example.test", "password": "athlete-password",
                                                "remember": "y", "csrf_token": token})
        header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(REMEMBER))
        assert "SameSite=Lax" in header and "HttpOnly" in header
        values.append(_cookie(browser, REMEMBER))
    assert values[0] != values[1]  # a copied cookie does not last past the next login's rotation
    only_cookie = app.test_client()
    only_cookie.set_cookie(REMEMBER, values[1])
    assert only_cookie.get("/week").status_code == 200  # "keep me logged in" works
    token = csrf_token(browser, "/week")
    browser.post("/logout", data={"csrf_token": token})
    again = app.test_client()
    again.set_cookie(REMEMBER, values[1])
    assert again.get("/week").status_code == 302


def test_production_remember_cookies_are_secure_and_last_a_month(monkeypatch):
    _production_env(monkeypatch)
    config = load_config("production")
    assert config["REMEMBER_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    assert config["REMEMBER_COOKIE_DURATION"].days == 30


def test_a_new_password_ends_every_other_session_and_keeps_this_one(app, people):
    coach = people.coach()
    people.athlete(coach, email="ana@example.test")
    phone, laptop = app.test_client(), app.test_client()
    for browser in (phone, laptop):
        login(browser, "ana@example.test", "athlete-password")
    token = csrf_token(laptop, "/account/password")
    wrong = laptop.post("/account/password", data={"current": "nope-nope", "new": "a-new-password",
                                                    "confirm": "a-new-password", "csrf_token": token})
    assert wrong.status_code == 422 and "not your current password" in wrong.get_data(as_text=True)
    changed = laptop.post("/account/password", data={"current": "athlete-password", "new": "a-new-password",
                                                      "confirm": "a-new-password", "csrf_token": token})
    assert changed.status_code == 302
    assert laptop.get("/week").status_code == 200
    assert phone.get("/week").status_code == 302  # the other session ended
    fresh = app.test_client()
    token = csrf_token(fresh)
    assert fresh.post("/login", data={"email": "ana@example.test", "password": "athlete-password",
                                      "csrf_token": token}).status_code == 401
    login(fresh, "ana@example.test", "a-new-password")


def test_an_operator_ends_every_session_and_api_token_of_an_account(app, people, caplog):
    coach = people.coach()
    athlete = people.athlete(coach, email="ana@example.test")
    people.operator()
    api_token = people.token(athlete)
    ana, ops = app.test_client(), app.test_client()
    login(ana, "ana@example.test", "athlete-password")
    login(ops, "operator@example.test", "operator-password")
    headers = {"Authorization": f"Bearer {api_token}"}
    assert ana.get("/api/v1/connections", headers=headers).status_code == 200
    token = csrf_token(ops, "/operator")
    with caplog.at_level(logging.INFO, logger="webapp.operator.audit"):
        response = ops.post("/operator/users/end-sessions", data={"email": "ANA@example.test", "csrf_token": token})
    assert response.status_code == 302
    assert ana.get("/week").status_code == 302
    assert app.test_client().get("/api/v1/connections", headers=headers).status_code == 401
    audit = [r for r in caplog.records if r.name == "webapp.operator.audit"]
    assert audit and audit[-1].fields["action"] == "end sessions" and audit[-1].fields["tokens_deleted"] == 1


# -- 3. pings --------------------------------------------------------------------------------------------

def _ping(client, kind, body, raw=None):
    data = raw if raw is not None else json.dumps(body)
    return client.post(f"/webhooks/garmin/{kind}", data=data, content_type="application/json",
                       headers={"garmin-client-id": "hybridpeaks-garmin"})


def _queued(app) -> dict[str, int]:
    from core.queue import QUEUES, rq

    with app.app_context():
        return {name: rq.get_queue(name).count + rq.get_queue(name).scheduled_job_registry.count for name in QUEUES}


def _garmin_connection(app, athlete_id, user_id="garmin-user-1", status="ACTIVE", reason=None):
    from core.db import db
    from core.models import DeviceConnection

    with app.app_context():
        row = DeviceConnection(athlete_id=athlete_id, provider="GARMIN", provider_user_id=user_id, status=status,
                               status_reason=reason, is_primary=True)
        row.set_tokens("access-token", "refresh-token", None)
        db.session.add(row)
        db.session.commit()
        return row.id


@pytest.fixture
def statements(app):
    """The SQL statements run while a block runs."""
    from core.db import db

    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    def listen(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", listen)
    yield seen
    event.remove(engine, "before_cursor_execute", listen)


def test_a_flood_of_made_up_ids_costs_one_query_and_no_call(app, client, people, statements):
    people.athlete(people.coach(), email="ana@example.test")
    body = {"deregistrations": [{"userId": f"made-up-{n}"} for n in range(1000)]}
    statements.clear()
    response = _ping(client, "deregistration", body)
    assert response.status_code == 200 and response.json == {"received": 1000}
    assert len([s for s in statements if "device_connections" in s]) == 1
    assert sum(_queued(app).values()) == 0
    over = {"deregistrations": [{"userId": f"made-up-{n}"} for n in range(3000)]}
    assert _ping(client, "deregistration", over).status_code == 400  # over the cap: refused whole
    assert sum(_queued(app).values()) == 0


def test_twenty_pings_for_one_athlete_make_one_check_now_and_one_later_never_on_high(app, client, people):
    athlete = people.athlete(people.coach(), email="ana@example.test")
    _garmin_connection(app, athlete)
    for _ in range(20):
        assert _ping(client, "deregistration", {"deregistrations": [{"userId": "garmin-user-1"}]}).status_code == 200
    queued = _queued(app)
    assert queued["high"] == 0 and queued["default"] == 0
    assert 1 <= queued["pings"] <= 2  # one now, at most one folded into the next slot


def test_coalescing_folds_pings_into_a_check_that_starts_after_each_of_them(app):
    from webapp.webhooks import coalesced

    window = app.config["PING_COALESCE_SECONDS"]
    start = 10_000 * window  # the start of a slot
    with app.app_context():
        first = coalesced("deregistration", [7], now=start + 1)
        second = coalesced("deregistration", [7], now=start + 2)
        third = coalesced("deregistration", [7], now=start + 3)
        later = coalesced("deregistration", [7], now=start + window + 5)  # after the second check began
        other_kind = coalesced("permissions", [7], now=start + 3)
    assert [w.at for w in first] == [None]
    assert [w.at for w in second] == [datetime.fromtimestamp(start + window, timezone.utc).replace(tzinfo=None)]
    assert third == []  # the check at the next slot starts after this ping too
    assert [w.at for w in later] == [datetime.fromtimestamp(start + 2 * window, timezone.utc).replace(tzinfo=None)]
    assert [w.at for w in other_kind] == [None]
    assert all(w.queue == "pings" and w.args == ("deregistration", 7) for w in first + second + later)


@pytest.mark.parametrize("raw", [
    "[" * 100_000 + "]" * 100_000,  # nested too deeply for any parser
    '{"deregistrations": "all"}',
    '{"deregistrations": [{"userId": "a"}]',  # cut short
    "\xff\xfe not json",
    '["a list"]',
])
def test_malformed_or_deeply_nested_pings_are_400(client, raw):
    assert _ping(client, "deregistration", None, raw=raw).status_code == 400


def test_a_lone_surrogate_or_oversized_user_id_makes_no_job(app, client, people):
    athlete = people.athlete(people.coach(), email="ana@example.test")
    _garmin_connection(app, athlete)
    raw = '{"deregistrations": [{"userId": "\\ud800"}, {"userId": "' + "x" * 500 + '"}, {"userId": 7}]}'
    response = _ping(client, "deregistration", None, raw=raw)
    assert response.status_code == 400  # a lone surrogate cannot be stored: the body is refused
    raw = '{"deregistrations": [{"userId": "garmin user 1"}, {"userId": "' + "x" * 500 + '"}, {"userId": 7}]}'
    assert _ping(client, "deregistration", None, raw=raw).json == {"received": 0}
    assert sum(_queued(app).values()) == 0


def test_a_permission_ping_still_reaches_a_connection_waiting_for_workout_import(app, client, people):
    athlete = people.athlete(people.coach(), email="ana@example.test")
    _garmin_connection(app, athlete, status="REVOKED", reason="PERMISSION_MISSING")
    body = {"userPermissionsChange": [{"userId": "garmin-user-1", "permissions": ["WORKOUT_IMPORT"]}]}
    assert _ping(client, "permissions", body).status_code == 200
    assert _queued(app)["pings"] == 1
    deregistered = {"deregistrations": [{"userId": "garmin-user-1"}]}
    assert _ping(client, "deregistration", deregistered).status_code == 200
    assert _queued(app)["pings"] == 1  # nothing left to deregister: no check


# -- 5. text that reaches a device, a file, a feed or a log --------------------------------------------------

@pytest.mark.parametrize("title", ["Tempo\x00run", "Tempo\r\nX-Evil: 1", "\u202egnp.exe", "Tempo\ud800"])
def test_titles_refuse_control_characters_and_bidi_overrides(client, people, api_as, title):
    coach = people.coach()
    athlete = people.athlete(coach, email="ana@example.test")
    session = {"date": "2026-11-24", "type": "ENDURANCE", "title": title, "workout": EASY_RUN}
    body = json.dumps({"athleteId": athlete, "weekStart": "2026-11-23", "sessions": [session]})
    response = client.post("/api/v1/plans", data=body, content_type="application/json",
                           headers=api_as(coach).headers())
    if "\ud800" in title:
        assert response.status_code == 400  # not even valid text
    else:
        assert response.status_code == 422
        assert "bidirectional overrides" in response.json["error"]["fields"]["sessions[0].title"][0]
    assert api_as(coach).get("/plans").json == []  # nothing half-saved


@pytest.mark.parametrize("name", ["Ana\nLima", "Ana\u202eLima", "Ana\x00"])
def test_athlete_names_with_control_characters_are_refused_at_creation(people, name):
    coach = people.coach()
    with pytest.raises(ValueError, match="bidirectional overrides"):
        people.athlete(coach, email="ana@example.test", name=name)


def test_the_calendar_feed_holds_a_name_stored_with_a_line_break(app, client, people, api_as):
    from core.db import db
    from core.models import User
    from webapp.services import calendar

    coach = people.coach()
    athlete = people.athlete(coach, email="ana@example.test")
    api_as(coach).post("/plans", json={"athleteId": athlete, "weekStart": "2026-11-23", "sessions": [
        {"date": "2026-11-24", "type": "ENDURANCE", "workout": EASY_RUN}]})
    with app.app_context():
        user = db.session.get(User, athlete)
        user.name = "Ana\r\nLima"  # stored before names were checked
        secret = calendar.secret_of(user)
        db.session.commit()
    response = client.get(f"/calendar/{secret}.ics")
    assert response.status_code == 200
    feed = Calendar.from_ical(response.data)
    assert str(feed["x-wr-calname"]) == "HybridPeaks · Ana  Lima"
    assert len(feed.walk("VEVENT")) == 1


def test_the_text_log_writes_one_line_whatever_a_value_holds():
    from core.logs import configure_logging, log_event

    stream = io.StringIO()
    configure_logging("INFO", stream=stream, fmt="text")
    try:
        log_event(logging.getLogger("webapp.test"), "connection refused\r\nFORGED event", outcome="x\r\nFORGED line",
                  reason="\u202eevil")
    finally:
        configure_logging("INFO", fmt="json")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1, lines
    assert "FORGED" in lines[0] and "\u202e" not in lines[0]


def test_the_callback_shows_a_providers_error_only_for_a_valid_state_and_only_its_code(app, client, people):
    athlete = people.athlete(people.coach(), email="ana@example.test")
    login(client, "ana@example.test", "athlete-password")
    bait = client.get("/connections/garmin/callback?error=Your+account+is+suspended,+call+555&state=forged",
                      follow_redirects=True).get_data(as_text=True)
    assert "suspended" not in bait and "already used or has expired" in bait
    for error, shown in (("access_denied", "you chose not to allow it"),
                         ("Call+555+now", "Garmin refused the sign-in (unknown_error)"),
                         ("server_error", "Garmin refused the sign-in (server_error)")):
        location = client.get("/connections/garmin/connect").headers["Location"]
        state = re.search(r"[?&]state=([^&]+)", location).group(1)
        page = client.get(f"/connections/garmin/callback?error={error}&state={state}",
                          follow_redirects=True).get_data(as_text=True)
        assert shown in page, error
        assert "555" not in page
    assert athlete


# -- 6. login timing ----------------------------------------------------------------------------------

@pytest.mark.parametrize("app_config", [{"PASSWORD_HASH_METHOD": "scrypt"}], ids=["scrypt"])
def test_an_unknown_email_costs_the_same_password_hash_as_a_wrong_password(app_config, client, people, monkeypatch):
    """Timing is not measured here (benchmarks do that): the work is.  Werkzeug's scrypt hashes
    through hashlib.scrypt, once per check.  The product's default method, not the tests' cheap one."""
    people.coach()
    calls = []
    real = hashlib.scrypt
    monkeypatch.setattr(hashlib, "scrypt", lambda *a, **k: calls.append(1) or real(*a, **k))
    costs = {}
    for email in ("coach@example.test", "nobody@example.test"):
        token = csrf_token(client)
        calls.clear()
        response = client.post("/login", data={"email": email, "password": "wrong-password", "csrf_token": token})
        assert response.status_code == 401
        costs[email] = len(calls)
    assert costs["nobody@example.test"] == costs["coach@example.test"] == 1


# -- 7. production without sandbox defaults ----------------------------------------------------------------

def test_production_refuses_to_start_while_a_provider_setting_is_missing(monkeypatch):
    _production_env(monkeypatch)
    assert load_config("production")["GARMIN_API_BASE"] == "https://provider.example/garmin"
    monkeypatch.delenv("WAHOO_TOKEN_URL")
    with pytest.raises(ConfigError, match="WAHOO_TOKEN_URL"):
        load_config("production")


@pytest.mark.parametrize("name, value", [
    ("GARMIN_CLIENT_SECRET", "sandbox-secret"),
    ("GARMIN_CLIENT_ID", "hybridpeaks-garmin"),
    ("WAHOO_API_BASE", "https://hybridpeaks.example/sandbox/wahoo"),
])
def test_production_refuses_provider_settings_that_point_at_the_sandbox(monkeypatch, name, value):
    _production_env(monkeypatch, **{name: value})
    with pytest.raises(ConfigError, match=f"{name} still point at the sandbox"):
        load_config("production")


def test_nothing_enables_the_sandbox_in_production(monkeypatch):
    _production_env(monkeypatch)
    with pytest.raises(ConfigError, match="SANDBOX_ENABLED"):
        load_config("production", {"SANDBOX_ENABLED": True})
    monkeypatch.setenv("SANDBOX_ENABLED", "1")
    with pytest.raises(ConfigError, match="SANDBOX_ENABLED"):
        load_config("production")


# -- 8. three device bugs ------------------------------------------------------------------------------------

def test_a_wahoo_refresh_waiting_on_the_lock_says_wahoo(app, people, monkeypatch, backend):
    if backend == "postgresql":
        pytest.skip("PostgreSQL refreshes under a row lock, which waits instead of timing out")
    from core import tokens
    from core.db import db
    from core.models import DeviceConnection
    from core.queue import rq
    from providers.errors import Transient

    athlete = people.athlete(people.coach(), email="ana@example.test")
    with app.app_context():
        row = DeviceConnection(athlete_id=athlete, provider="WAHOO", provider_user_id="w-1", is_primary=True)
        row.set_tokens("old-access", "refresh", None)
        db.session.add(row)
        db.session.commit()
        held = rq.queue.connection.lock(f"hybridpeaks:lock:connection:{row.id}", timeout=30)
        assert held.acquire()
        monkeypatch.setattr(tokens, "LOCK_SECONDS", 0.2)
        with pytest.raises(Transient) as raised:
            tokens.refresh(row.id, refused_token="old-access")
        held.release()
    assert str(raised.value).startswith("Wahoo: ")


SWIM = {"sport": "SWIM", "name": "Pool", "poolLength": 25, "poolLengthUnit": "METER", "steps": [
    {"intensity": "ACTIVE", "duration": {"type": "DISTANCE", "value": 400}},
    {"intensity": "REST", "duration": {"type": "DISTANCE", "value": 50}, "notes": "easy"},
    {"intensity": "ACTIVE", "duration": {"type": "DISTANCE", "value": 200}},
]}


def test_a_garmin_swim_segment_has_the_workouts_pool_and_the_sandbox_holds_it():
    from providers.garmin import convert as garmin
    from sandbox.garmin import Invalid, validate_workout
    from workouts import prepare

    payload = garmin.fit(prepare(SWIM)).payload
    segment = payload["segments"][0]
    assert (segment["poolLength"], segment["poolLengthUnit"]) == (payload["poolLength"], payload["poolLengthUnit"]) \
        == (25, "METER")
    validate_workout(payload)
    segment["poolLengthUnit"] = None
    with pytest.raises(Invalid, match="poolLengthUnit must be the workout's"):
        validate_workout(payload)


def test_a_swim_rest_by_distance_goes_to_garmin_as_an_easy_swim_of_that_distance():
    from providers.garmin import convert as garmin
    from sandbox.garmin import Invalid, validate_workout
    from workouts import prepare

    fit = garmin.fit(prepare(SWIM))
    rest = fit.payload["segments"][0]["steps"][1]
    assert (rest["intensity"], rest["durationType"], rest["durationValue"]) == ("RECOVERY", "DISTANCE", 50)
    assert fit.level == "ADAPTED"
    assert any(note.startswith("steps[1]: a 50 m rest is sent as an easy 50 m recovery swim") for note in fit.notes)
    assert validate_workout(fit.payload) == []
    rest["intensity"] = "REST"
    with pytest.raises(Invalid, match="swim REST step is FIXED_REST or OPEN"):
        validate_workout(fit.payload)
