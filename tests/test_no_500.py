"""No input is a 500: every route of the URL map, driven by hypothesis with huge and odd ids,
extreme dates, control characters, odd Content-Types and hostile bodies, as anonymous, a
coach, an athlete, an operator and an API token.  (The app's testing mode raises instead of
answering 500, so a crash fails the example that caused it.)"""

from __future__ import annotations

import json
import re
from functools import cache
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import AnyConverter, IntegerConverter

from tests.conftest import base_config, csrf_token, empty_database, login
from tests.support.people import People
from tests.support.servers import free_port
from tests.support.strategies import pick
from tests.support.workouts import EASY_RUN

ROLES = ("anonymous", "coach", "athlete", "operator")
HUGE = [0, 2**31 - 1, 2**31, 2**32, 2**53 + 1, 2**63 - 1, 2**63, 2**64, 10**30, 10**400]
ODD_TEXT = ["\x00", "\r\n", "\u202e", "\ud800", "💥", "a" * 5000, "../../etc/passwd", "%00", "{{7*7}}", "<script>"]
ODD_DATES = ["9999-12-31", "0001-01-01", "2026-02-30", "1999-12-31", "2100-01-01", "2026-11-23T00:00", "23/11/2026",
             "+002026-11-23", "2026-W48", ""]
QUERY_NAMES = ["week", "date", "athlete", "v", "next", "error", "state", "code", "q", "tag", "athleteId", "weekStart",
               "all", "provider", "fmt"]
CONTENT_TYPES = ["application/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                 "text/plain", "application/xml", "application/json; charset=latin-1", "", "*/*"]

# What it tests differs by dialect (PostgreSQL's 32-bit integers): both databases.
pytestmark = pytest.mark.dialect


# The strategies are built once (per set of owned ids), not at every draw: hypothesis
# validates a new strategy and reads its lambdas' source each time one is made.
@cache
def odd_values(owned: tuple[int, ...]):
    return st.one_of(st.sampled_from(HUGE).map(str), st.sampled_from(ODD_TEXT), st.sampled_from(ODD_DATES),
                     st.sampled_from(owned).map(str), st.integers(-10, 10).map(str), st.text(max_size=40))


json_leaves = st.one_of(st.none(), st.booleans(), st.sampled_from(HUGE), st.floats(allow_nan=False),
                        st.sampled_from(ODD_TEXT + ODD_DATES), st.text(max_size=20))
json_values = st.recursive(json_leaves, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(
        ["athleteId", "weekStart", "sessions", "date", "type", "title", "workout", "id", "provider", "BIKE", "RUN",
         "ftpWatts", "timezone", "deregistrations", "userId", "steps", "sport", "name", "text", "format", "tags",
         "athleteIds", "fromWeek", "toWeek"]), inner, max_size=5)), max_leaves=12)


@cache
def bodies(owned: tuple[int, ...]):
    plan_like = st.fixed_dictionaries({
        "athleteId": st.one_of(st.sampled_from(owned), st.sampled_from(HUGE)),
        "weekStart": st.sampled_from(ODD_DATES + ["2026-11-23"]),
        "sessions": st.lists(st.fixed_dictionaries({
            "date": st.sampled_from(ODD_DATES + ["2026-11-24"]), "type": st.sampled_from(["ENDURANCE", "REST", "x"]),
            "title": st.sampled_from(ODD_TEXT + ["Easy"]), "workout": st.sampled_from([EASY_RUN, None, {}, []]),
            "id": st.one_of(st.none(), st.sampled_from(HUGE + list(owned)))}), max_size=2)})
    return st.one_of(
        json_values.map(lambda v: json.dumps(v).encode()),
        plan_like.map(lambda v: json.dumps(v).encode()),
        st.just(b"[" * 50_000 + b"]" * 50_000),
        st.just(b"\xff\xfe\x00garbage"),
        st.dictionaries(st.sampled_from(["athlete", "date", "type", "title", "email", "password", "route-BIKE",
                                         "builder", "workout_json", "load_json", "ftp_watts", "steps-0-duration"]),
                        st.sampled_from(ODD_TEXT + ODD_DATES + [str(h) for h in HUGE]), max_size=4)
        .map(lambda form: "&".join(f"{k}={v}" for k, v in form.items()).encode("utf-8", "surrogatepass")),
    )


@cache
def ids(owned: tuple[int, ...]):
    return st.one_of(st.sampled_from(HUGE + list(owned)), st.integers(1, 50))


@cache
def path_texts(owned: tuple[int, ...]):
    # As a client sends it: percent-encoded bytes (a lone surrogate as the bytes it would be).
    return st.one_of(st.sampled_from(["garmin", "wahoo", "GARMIN"]), odd_values(owned)).map(
        lambda t: quote(t.encode("utf-8", "surrogatepass"), safe=""))


@cache
def queries(owned: tuple[int, ...]):
    return st.dictionaries(st.sampled_from(QUERY_NAMES), odd_values(owned), max_size=3)


ROLE_CHOICES = st.sampled_from(ROLES + ("api-coach", "api-athlete"))
CONTENT_TYPE_CHOICES = st.sampled_from(CONTENT_TYPES)


@pytest.fixture(scope="module")
def world(database_url):
    from core.db import db
    from webapp import create_app

    app = create_app(base_config(database_url, PUBLIC_URL=f"http://127.0.0.1:{free_port()}",
                                 LOGIN_RATE_LIMIT="100000 per minute"), env="testing")
    with app.app_context():
        empty_database(db)
    people = People(app)
    coach = people.coach()
    athlete = people.athlete(coach, email="ana@example.test")
    people.operator()
    api = app.test_client()
    token = people.token(coach)
    plan = api.post("/api/v1/plans", headers={"Authorization": f"Bearer {token}"}, json={
        "athleteId": athlete, "weekStart": "2026-11-23",
        "sessions": [{"date": "2026-11-24", "type": "ENDURANCE", "workout": EASY_RUN}]}).json
    clients = {"anonymous": (app.test_client(), None)}
    for role, email, password in (("coach", "coach@example.test", "coach-password"),
                                  ("athlete", "ana@example.test", "athlete-password"),
                                  ("operator", "operator@example.test", "operator-password")):
        client = app.test_client()
        login(client, email, password)
        clients[role] = (client, csrf_token(client, "/"))
    owned = (coach, athlete, plan["id"], plan["sessions"][0]["id"])
    yield {"app": app, "clients": clients, "owned": owned, "tokens": {"coach": token, "athlete": people.token(athlete)}}
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _routes():
    from webapp import create_app

    app = create_app(base_config("sqlite://"), env="testing")
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append(pytest.param(rule.rule, method, id=f"{method} {rule.rule}"))
    return found


@pytest.mark.parametrize("rule, method", _routes())
@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_no_input_is_a_500(world, rule, method, data):
    app, owned = world["app"], world["owned"]
    role = data.draw(ROLE_CHOICES, label="role")
    converters = next(r for r in app.url_map.iter_rules() if r.rule == rule)._converters
    values = {}
    for name, converter in converters.items():
        if isinstance(converter, AnyConverter):
            values[f"any:{name}"] = data.draw(pick(*sorted(converter.items)))
        elif isinstance(converter, IntegerConverter):
            values[f"int:{name}"] = data.draw(ids(owned))
        else:
            values[f"str:{name}"] = data.draw(path_texts(owned))
    path = _segments(rule, converters, values)
    query = data.draw(queries(owned), label="query")
    headers = {}
    if role.startswith("api-"):
        client = world["clients"]["anonymous"][0]
        headers["Authorization"] = f"Bearer {world['tokens'][role[4:]]}"
    else:
        client, token = world["clients"][role]
        if token:
            headers["X-CSRFToken"] = token
    kwargs = {"query_string": {k: v.encode("utf-8", "surrogatepass") for k, v in query.items()}, "headers": headers}
    if method in ("POST", "PUT", "PATCH", "DELETE"):
        kwargs["data"] = data.draw(bodies(owned), label="body")
        kwargs["content_type"] = data.draw(CONTENT_TYPE_CHOICES, label="content type")
    response = client.open(path, method=method, **kwargs)
    assert response.status_code < 500, (method, path, query, response.status_code, response.get_data()[:300])


def _segments(rule: str, converters: dict, values: dict) -> str:
    """The rule with each ``<converter:name>`` replaced by its drawn value."""
    def value(match):
        name = match.group(2)
        for kind in ("any", "int", "str"):
            if f"{kind}:{name}" in values:
                return str(values[f"{kind}:{name}"])
        return match.group(0)

    return re.sub(r"<(?:([a-z]+)(?:\([^)]*\))?:)?([a-z_]+)>", value, rule)
