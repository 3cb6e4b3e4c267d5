"""Attacks on the input: CSRF, open redirects, hostile API bodies (hypothesis), login
throttling, production cookie settings, and tokens echoed back by a provider."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.config import ConfigError, load_config
from tests.conftest import csrf_token, login
from tests.support.workouts import EASY_RUN, SPEC_EXAMPLE

# -- CSRF ------------------------------------------------------------------------------------

PAGE_POSTS = [
    "/logout", "/plans/sessions/new?athlete={athlete}&date=2026-11-24", "/plans/sessions/{session}/edit",
    "/plans/sessions/{session}/delete",
]
ATHLETE_POSTS = ["/sessions/{session}/retry", "/sessions/retry-failed", "/connections/garmin/primary",
                 "/connections/garmin/disconnect"]


@pytest.fixture
def owners(people, api_as):
    coach = people.coach()
    athlete = people.athlete(coach, email="ana@example.test")
    plan = api_as(coach).post("/plans", json={"athleteId": athlete, "weekStart": "2026-11-23", "sessions": [
        {"date": "2026-11-24", "type": "ENDURANCE", "workout": EASY_RUN}]}).json
    return {"athlete": athlete, "session": plan["sessions"][0]["id"]}


@pytest.mark.parametrize("who, paths", [("coach", PAGE_POSTS), ("athlete", ATHLETE_POSTS)])
def test_every_form_and_htmx_post_needs_the_csrf_token(client, owners, who, paths):
    login(client, "coach@example.test" if who == "coach" else "ana@example.test",
          "coach-password" if who == "coach" else "athlete-password")
    for template in paths:
        path = template.format(**owners)
        assert client.post(path, data={"save": "1"}).status_code == 400, path
        htmx = client.post(path, headers={"HX-Request": "true", "X-CSRFToken": "forged"})
        assert htmx.status_code == 400, path
    # and with the token from the page's hx-headers, an HTMX post goes through
    token = csrf_token(client, "/")
    path = (PAGE_POSTS[1] if who == "coach" else ATHLETE_POSTS[1]).format(**owners)
    assert client.post(path, headers={"HX-Request": "true", "X-CSRFToken": token}).status_code != 400


def test_the_oauth_callback_never_redirects_off_site(client, owners):
    login(client, "ana@example.test", "athlete-password")
    for bait in ("next=https://evil.example", "redirect_uri=https://evil.example", "state=x&next=//evil.example"):
        response = client.get(f"/connections/garmin/callback?error=access_denied&{bait}")
        assert response.status_code == 302 and response.headers["Location"] == "/connections"


def test_login_is_throttled(app_config, client, people):
    people.coach()
    token = csrf_token(client)
    statuses = [client.post("/login", data={"email": "coach@example.test", "password": "wrong-password",
                                            "csrf_token": token}).status_code for _ in range(12)]
    assert statuses[:10] == [401] * 10 and statuses[10:] == [429, 429]


@pytest.fixture
def app_config(request):
    return {"LOGIN_RATE_LIMIT": "10 per minute"} if "throttled" in request.node.name else {}


def test_production_needs_its_secrets_and_sets_secure_cookies(monkeypatch):
    for name in ("SECRET_KEY", "TOKEN_ENCRYPTION_KEY", "DATABASE_URL", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY and TOKEN_ENCRYPTION_KEY"):
        load_config("production")
    monkeypatch.setenv("SECRET_KEY", "s" * 64)
    monkeypatch.setenv("TOKEN_ENCRYPTION_KEY", "Ryq3mNNzE4_2ip1o9p4B4oTJ6sQ6xb4nXbM-v5C7rGg=")
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db/hp")
    monkeypatch.setenv("REDIS_URL", "redis://redis:6379/0")
    from tests.support.production import provider_settings

    for name, value in provider_settings("https://provider.example").items():
        monkeypatch.setenv(name, value)
    config = load_config("production")
    assert config["SESSION_COOKIE_SECURE"] and config["SESSION_COOKIE_HTTPONLY"]
    assert config["REMEMBER_COOKIE_SECURE"] and config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["SANDBOX_ENABLED"] is False
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db/hp"
    monkeypatch.setenv("SANDBOX_ENABLED", "1")
    with pytest.raises(ConfigError, match="SANDBOX_ENABLED"):
        load_config("production")


# -- hostile bodies -------------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(10 ** 30), max_value=10 ** 30)
    | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
WORKOUT_KEYS = st.sampled_from(["sport", "name", "steps", "description", "intensity", "duration", "target",
                                "repeat", "cadence", "zone", "min", "max", "type", "value"])


def hostile_workouts():
    base = st.sampled_from([SPEC_EXAMPLE, EASY_RUN])

    def mutate(pair):
        workout, path, value = json.loads(json.dumps(pair[0])), pair[1], pair[2]
        node = workout
        for key in path[:-1]:
            node = node.get(key) if isinstance(node, dict) else (node[0] if isinstance(node, list) and node else None)
            if node is None:
                return workout
        if isinstance(node, dict):
            node[path[-1]] = value
        return workout

    paths = st.lists(st.sampled_from(["steps", 0, "duration", "target", "steps", "cadence", "value", "zone"]),
                     min_size=1, max_size=4).map(lambda p: [k if isinstance(k, str) else "steps" for k in p])
    return st.tuples(base, paths, JSON_VALUES).map(mutate) | st.dictionaries(WORKOUT_KEYS, JSON_VALUES, max_size=6)


PLAN_BODIES = st.one_of(
    JSON_VALUES,
    st.fixed_dictionaries({"athleteId": JSON_VALUES, "weekStart": JSON_VALUES, "sessions": JSON_VALUES}),
    st.fixed_dictionaries({"weekStart": st.just("2026-11-23"), "sessions": st.lists(st.fixed_dictionaries({
        "date": st.sampled_from(["2026-11-24", "2026-13-40", "", "2026-11-24T00:00"]) | JSON_VALUES,
        "type": st.sampled_from(["ENDURANCE", "STRENGTH", "yoga"]) | JSON_VALUES,
        "title": st.text(max_size=300) | JSON_VALUES,
        "workout": hostile_workouts()}), max_size=3)}),
)


@pytest.fixture
def coach_client(app, people):
    coach = people.coach()
    athlete = people.athlete(coach, email="ana@example.test")
    return app.test_client(), {"Authorization": f"Bearer {people.token(coach)}"}, athlete


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                    HealthCheck.too_slow])
@given(body=PLAN_BODIES)
@pytest.mark.dialect
def test_hostile_plan_bodies_get_a_clear_4xx_and_save_nothing(coach_client, body):
    client, headers, athlete = coach_client
    if isinstance(body, dict) and "weekStart" in body and "athleteId" not in body:
        body = {**body, "athleteId": athlete}
    response = client.post("/api/v1/plans", json=body, headers=headers)
    assert response.status_code in (201, 400, 403, 409, 422), response.get_data(as_text=True)[:300]
    if response.status_code == 201:
        client.delete(f"/api/v1/plans/{response.json['id']}", headers=headers)
        return
    error = response.json["error"]
    assert error["code"] and error["message"] and isinstance(error["fields"], dict)
    assert client.get("/api/v1/plans", headers=headers).json == []


@pytest.mark.parametrize("raw", [
    b"[" * 50_000 + b"]" * 50_000, b'{"a": ' * 3000 + b"1" + b"}" * 3000, b'{"athleteId": 1' + b"0" * 5000 + b"}",
    "{\"weekStart\": \"\ud800\"}".encode("utf-8", "surrogatepass"), b"\xff\xfe\x00garbage", b"",
    b'{"athleteId": 1, "weekStart": "2026-11-23", "sessions": [{"date": "2026-11-24", "type": "REST", '
    b'"title": "\\ud800"}]}',
])
def test_malformed_and_pathological_bodies_are_400_not_500(coach_client, raw):
    client, headers, _ = coach_client
    response = client.post("/api/v1/plans", data=raw, headers={**headers, "Content-Type": "application/json"})
    assert response.status_code == 400 and response.json["error"]["code"] == "malformed_request"
