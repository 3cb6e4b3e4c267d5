"""Every page and API route, tried as anonymous, the athlete, another athlete, the coach and
another coach: only the owners get through.  The table of routes x roles is generated from
the app's URL map (a route missing from ROUTES fails the test) and written to
test-artifacts/authorization-matrix.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import csrf_token, login
from tests.support.workouts import EASY_RUN

ROLES = ("anonymous", "athlete", "other_athlete", "coach", "other_coach", "operator")
ATHLETES = {"athlete", "other_athlete"}
COACHES = {"coach", "other_coach"}
EVERYONE = set(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
OWNER_ATHLETE, OWNER_COACH = {"athlete"}, {"coach"}
OWNERS = OWNER_ATHLETE | OWNER_COACH
OPERATOR = {"operator"}

# (method, path template, who gets through, kind); {plan}, {session}, {athlete} are the
# owning athlete's, {library} the owning coach's library entry; "state" routes change data
# and are only tried by those refused.
ROUTES = [
    ("GET", "/", SIGNED_IN, "page"),
    ("GET", "/healthz", EVERYONE, "page"),
    ("GET", "/metrics", EVERYONE, "page"),  # open outside production (test_operations.py: the token)
    ("GET", "/operator", OPERATOR, "page"),
    ("POST", "/operator/jobs/1/requeue", OPERATOR, "state"),
    ("POST", "/operator/providers/garmin/retry-failed", OPERATOR, "state"),
    ("POST", "/operator/users/end-sessions", OPERATOR, "state"),
    ("GET", "/login", EVERYONE, "page"),
    ("POST", "/login", EVERYONE, "state"),  # public by design; throttled (test_security_input.py)
    ("GET", "/static/css/app.css", EVERYONE, "page"),
    ("GET", "/sw.js", EVERYONE, "page"),
    ("POST", "/logout", SIGNED_IN, "state"),
    ("GET", "/account/password", SIGNED_IN, "page"),
    ("POST", "/account/password", SIGNED_IN, "state"),
    ("GET", "/plans", COACHES, "page"),
    ("GET", "/plans/overview", COACHES, "page"),
    ("GET", "/plans/overview/live?week=2026-11-23", COACHES, "page"),
    ("GET", "/plans?athlete={athlete}", OWNER_COACH, "page"),
    ("GET", "/plans/sessions/new?athlete={athlete}&date=2026-11-24", OWNER_COACH, "page"),
    ("POST", "/plans/sessions/new?athlete={athlete}&date=2026-11-24", OWNER_COACH, "state"),
    ("GET", "/plans/sessions/{session}/edit", OWNER_COACH, "page"),
    ("POST", "/plans/sessions/{session}/edit", OWNER_COACH, "state"),
    ("POST", "/plans/sessions/{session}/delete", OWNER_COACH, "state"),
    ("POST", "/plans/sessions/fit?athlete={athlete}", OWNER_COACH, "state"),
    ("GET", "/plans/exercises?for=w-steps-0&w-steps-0-exercise_name=squat", COACHES, "page"),
    ("POST", "/plans/copy?athlete={athlete}", OWNER_COACH, "state"),
    ("GET", "/library", COACHES, "page"),
    ("GET", "/library/new", COACHES, "page"),
    ("POST", "/library/new", COACHES, "state"),
    ("GET", "/library/{library}/edit", OWNER_COACH, "page"),
    ("POST", "/library/{library}/edit", OWNER_COACH, "state"),
    ("POST", "/library/{library}/delete", OWNER_COACH, "state"),
    ("GET", "/library/{library}/schedule", OWNER_COACH, "page"),
    ("POST", "/library/{library}/schedule", OWNER_COACH, "state"),
    ("GET", "/plans/athletes/{athlete}/profile", OWNER_COACH, "page"),
    ("POST", "/plans/athletes/{athlete}/profile", OWNER_COACH, "state"),
    ("GET", "/profile", ATHLETES, "page"),
    ("POST", "/profile", ATHLETES, "state"),
    ("GET", "/week", ATHLETES, "page"),
    ("GET", "/week/live?week=2026-11-23", ATHLETES, "page"),
    ("GET", "/sessions/{session}", OWNERS, "page"),
    ("GET", "/sessions/{session}/badge", OWNERS, "page"),
    ("GET", "/sessions/{session}/workout.fit", OWNERS, "page"),
    ("GET", "/sessions/{session}/workout.zwo", OWNERS, "page"),
    ("GET", "/sessions/{session}/workout.erg", OWNERS, "page"),  # 422 for a run: judged on content
    ("GET", "/sessions/{session}/workout.mrc", OWNERS, "page"),
    ("GET", "/sessions/{session}/leg-1.fit", OWNERS, "page"),  # 422 for a single-sport workout
    ("POST", "/sessions/{session}/retry", OWNER_ATHLETE, "state"),
    ("POST", "/sessions/retry-failed", ATHLETES, "state"),
    ("GET", "/connections", ATHLETES, "page"),
    ("GET", "/connections/garmin/connect", ATHLETES, "page"),
    ("GET", "/connections/garmin/callback?error=access_denied", ATHLETES, "page"),
    ("POST", "/connections/garmin/primary", ATHLETES, "state"),
    ("POST", "/connections/garmin/disconnect", ATHLETES, "state"),
    ("POST", "/connections/routing", ATHLETES, "state"),
    ("POST", "/connections/calendar/replace", ATHLETES, "state"),
    # The feed's secret is its key (calendar apps cannot log in): whoever holds it reads the feed,
    # and a made-up one reads nothing.
    ("GET", "/calendar/{secret}.ics", EVERYONE, "page"),
    ("GET", "/calendar/made-up-secret.ics", set(), "page"),
    # Public by design: a ping changes nothing until Garmin confirms it (test_provider_truth.py).
    ("POST", "/webhooks/garmin/deregistration", EVERYONE, "page"),
    ("POST", "/webhooks/garmin/permissions", EVERYONE, "page"),
    ("GET", "/api/v1/athletes", COACHES, "api"),
    ("GET", "/api/v1/athletes/{athlete}/profile", OWNERS, "api"),
    ("PUT", "/api/v1/athletes/{athlete}/profile", OWNER_COACH, "api-state"),
    ("GET", "/api/v1/connections", ATHLETES, "api"),
    ("PUT", "/api/v1/connections/primary", ATHLETES, "api-state"),
    ("GET", "/api/v1/connections/routing", ATHLETES, "api"),
    ("PUT", "/api/v1/connections/routing", ATHLETES, "api-state"),
    ("GET", "/api/v1/plans", SIGNED_IN, "api"),
    ("POST", "/api/v1/plans", OWNER_COACH, "api-state"),
    ("GET", "/api/v1/plans/{plan}", OWNERS, "api"),
    ("PUT", "/api/v1/plans/{plan}", OWNER_COACH, "api-state"),
    ("DELETE", "/api/v1/plans/{plan}", OWNER_COACH, "api-state"),
    ("GET", "/api/v1/sessions/{session}", OWNERS, "api"),
    ("POST", "/api/v1/sessions/{session}/retry", OWNER_ATHLETE, "api-state"),
    ("POST", "/api/v1/sessions/retry-failed", ATHLETES, "api-state"),
    ("POST", "/api/v1/plans/copy", OWNER_COACH, "api-state"),
    ("POST", "/api/v1/workouts/import", COACHES, "api-state"),
    ("GET", "/api/v1/library", COACHES, "api"),
    ("POST", "/api/v1/library", COACHES, "api-state"),
    ("GET", "/api/v1/library/{library}", OWNER_COACH, "api"),
    ("PUT", "/api/v1/library/{library}", OWNER_COACH, "api-state"),
    ("DELETE", "/api/v1/library/{library}", OWNER_COACH, "api-state"),
    ("POST", "/api/v1/library/{library}/schedule", OWNER_COACH, "api-state"),
]

API_BODIES = {
    "/api/v1/athletes/{athlete}/profile": {"ftpWatts": 250},
    "/api/v1/connections/primary": {"provider": "GARMIN"},
    "/api/v1/connections/routing": {},
    "/api/v1/plans": {"athleteId": "{athlete}", "weekStart": "2026-11-30", "sessions": []},
    "/api/v1/plans/{plan}": {"sessions": []},
    "/api/v1/plans/copy": {"athleteId": "{athlete}", "fromWeek": "2026-11-23", "toWeek": "2026-11-30"},
    "/api/v1/workouts/import": {"format": "text", "text": "- 10m 60%"},
    "/api/v1/library": {"name": "Easy", "tags": [], "workout": EASY_RUN},
    "/api/v1/library/{library}": {"name": "Easy", "tags": [], "workout": EASY_RUN},
    "/api/v1/library/{library}/schedule": {"athleteIds": [], "date": "2026-11-25"},
}


@pytest.fixture
def world(app, people, api_as):
    coach = people.coach(email="coach@example.test")
    athlete = people.athlete(coach, email="athlete@example.test")
    other_coach = people.coach(email="other-coach@example.test")
    people.athlete(other_coach, email="other-athlete@example.test")
    people.operator()
    plan = api_as(coach).post("/plans", json={"athleteId": athlete, "weekStart": "2026-11-23", "sessions": [
        {"date": "2026-11-24", "type": "ENDURANCE", "title": "Easy", "workout": EASY_RUN}]}).json
    entry = api_as(coach).post("/library", json={"name": "Easy run", "tags": ["base"], "workout": EASY_RUN}).json
    return {"plan": plan["id"], "session": plan["sessions"][0]["id"], "athlete": athlete, "library": entry["id"],
            "secret": feed_secret(app, athlete),
            "emails": {"athlete": "athlete@example.test", "other_athlete": "other-athlete@example.test",
                       "coach": "coach@example.test", "other_coach": "other-coach@example.test",
                       "operator": "operator@example.test"},
            "tokens": {}, "people": people}


def feed_secret(app, athlete_id: int) -> str:
    from core.db import db
    from core.models import User
    from webapp.services import calendar

    with app.app_context():
        secret = calendar.secret_of(db.session.get(User, athlete_id))
        db.session.commit()
    return secret


def as_role(app, world, role):
    client = app.test_client()
    if role != "anonymous":
        email = world["emails"][role]
        login(client, email, f"{role.split('_')[-1]}-password")
    return client


def token_for(world, role):
    from core.db import db
    from core.models import User

    if role not in world["tokens"]:
        with world["people"].app.app_context():
            user_id = db.session.query(User).filter_by(email=world["emails"][role]).one().id
        world["tokens"][role] = world["people"].token(user_id)
    return world["tokens"][role]


def outcome(response) -> str:
    location = response.headers.get("Location", "")
    if response.status_code in (401, 403, 404) or "/login" in location:
        return "refused"
    if response.status_code < 400 or response.status_code in (409, 422):
        return "through"  # reached the handler: a 409/422 is the owner's request judged on its content
    return f"error {response.status_code}"


def try_route(app, world, role, method, template, kind):
    path = template.format(**world)
    if kind.startswith("api"):
        headers = {"Authorization": f"Bearer {token_for(world, role)}"} if role != "anonymous" else {}
        body = API_BODIES.get(template)
        if body:
            body = {k: (world["athlete"] if v == "{athlete}" else v) for k, v in body.items()}
        return app.test_client().open(path, method=method, headers=headers, json=body if method != "GET" else None)
    client = as_role(app, world, role)
    data = None
    if method == "POST":
        data = {"csrf_token": csrf_token(client, "/login" if role == "anonymous" else "/")}
        if "/webhooks/" in template:
            return client.post(path, json={"deregistrations": []})
    return client.open(path, method=method, data=data)


def test_every_route_is_in_the_matrix(app):
    adapter = app.url_map.bind("localhost")
    covered = set()
    for method, template, _, _ in ROUTES:
        path = re.sub(r"\?.*", "", template).format(plan=1, session=1, athlete=1, secret="s", library=1)
        covered.add((adapter.match(path, method=method)[0], method))
    for rule in app.url_map.iter_rules():
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if rule.endpoint.startswith("webhooks.") and method == "PUT":
                continue  # the same view as its POST
            assert (rule.endpoint, method) in covered, f"{method} {rule.rule} is not in the authorization matrix"


def test_only_the_owners_get_through(app, world):
    rows, failures = [], []
    for method, template, allowed, kind in ROUTES:
        cells = []
        for role in ROLES:
            expected = "through" if role in allowed else "refused"
            if expected == "through" and kind in ("state", "api-state"):
                cells.append("✓ (owner; see functional tests)")
                continue
            got = outcome(try_route(app, world, role, method, template, kind))
            cells.append("✓ through" if got == "through" else ("✗ refused" if got == "refused" else got))
            if got != expected:
                failures.append(f"{method} {template} as {role}: expected {expected}, got {got}")
        rows.append(f"| `{method} {template}` | " + " | ".join(cells) + " |")
    out = Path(__file__).resolve().parent.parent / "test-artifacts"
    out.mkdir(exist_ok=True)
    (out / "authorization-matrix.md").write_text(
        "| route | " + " | ".join(ROLES) + " |\n|---|" + "---|" * len(ROLES) + "\n" + "\n".join(rows) + "\n")
    assert not failures, "\n".join(failures)
