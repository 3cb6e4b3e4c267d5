"""Shared fixtures.

A test that uses ``app`` runs on SQLite, or on a real PostgreSQL server that this file
starts itself where the dialect matters (``dialect``: both; ``postgresql``: the production
path; ``--db`` overrides: see :func:`backends`).  The schema is built once per backend with
the real migrations (``flask db upgrade``) and emptied between tests.

The pipeline's clock (webapp/clock.py, testing only) reads ``NOW`` when the run starts,
Monday 23 November 2026 at noon UTC, and runs on from there: the tests' dates mean the
same thing whenever they run (tomorrow is always the 24th), in this process and in the
worker processes, which inherit ``CLOCK_OFFSET_SECONDS``.  Tests of the clock moving set
their own offset.
"""

from __future__ import annotations

import os
import re
import tempfile
from datetime import date, datetime, timedelta, timezone

import pytest
from cryptography.fernet import Fernet

os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="hp-instance-"))
for variable in ("APP_ENV", "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "TOKEN_ENCRYPTION_KEY", "PUBLIC_URL",
                 "SANDBOX_URL"):
    os.environ.pop(variable, None)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)  # a Monday
TODAY: date = NOW.date()
os.environ["CLOCK_OFFSET_SECONDS"] = str((NOW - datetime.now(timezone.utc)).total_seconds())


def day(offset: int) -> str:
    """The date ``offset`` days from the tests' today, as the API writes it."""
    return (TODAY + timedelta(days=offset)).isoformat()


from sqlalchemy import text  # noqa: E402

from tests.support.people import People  # noqa: E402
from tests.support.servers import PostgresServer, RedisServer  # noqa: E402

TOKEN_KEY = Fernet.generate_key().decode()


def pytest_addoption(parser):
    parser.addoption("--db", choices=["auto", "sqlite", "postgresql", "both"], default="auto",
                     help="database backends: auto (each test's own: SQLite, PostgreSQL for the tests marked "
                          "postgresql, both for those marked dialect), or every test on one or both")
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden after a deliberate change")


def backends(config, item_markers: set[str]) -> list[str]:
    """Where a database test runs.  Most code is the same on both databases, so it runs on
    SQLite; what differs by dialect (row locks, the partial unique index, integer range,
    batch deletes) runs on both; the production path and the soak on PostgreSQL."""
    choice = config.getoption("--db")
    if choice == "both":
        return ["sqlite", "postgresql"]
    if choice != "auto":
        return [choice]
    if "postgresql" in item_markers:
        return ["postgresql"]
    return ["sqlite", "postgresql"] if "dialect" in item_markers else ["sqlite"]


# The longest files, longest first (as measured in a full `make test`): under its processes
# the run ends when its last test does, so a long one must not be the last to start.  (The
# Makefile passes --no-loadscope-reorder: xdist would order the units by number of tests.)
LONG_FILES = ("test_browser.py", "test_autopush.py", "test_soak.py", "test_provider_truth.py",
              "test_browser_editor.py", "test_embedded.py", "test_browser_views.py", "test_delivery.py",
              "test_suunto_pipeline.py", "test_engine_properties.py", "test_no_500.py", "test_browser_library.py",
              "test_tokens.py", "test_benchmarks.py", "test_security_input.py", "test_production.py",
              "test_text_format.py", "test_format_engine.py", "test_schedule_and_copy.py", "test_security_authz.py",
              "test_operator.py", "test_formats_files.py", "test_library.py", "test_connections.py",
              "test_hardening.py", "test_hybrid_pipeline.py", "test_editor_pages.py", "test_suunto_convert.py")
# Under pytest-xdist a test is a unit of work of its own, given to whichever process is free,
# but in files whose parametrized module fixture is too costly to make in every process: there
# the tests of one parameter (the id their test ids end with) are one unit.
SHARED_FIXTURES = ("test_embedded.py",)  # `served`: a whole `make run` for each parameter
PARAMETER_ID = re.compile(r"\[[^\]]*\]$")


def unit_of_work(nodeid: str) -> str:
    """The unit of work (pytest-xdist's scope) a test belongs to (see SHARED_FIXTURES)."""
    path = nodeid.split("::")[0]
    if path.rsplit("/", 1)[-1] not in SHARED_FIXTURES:
        return nodeid
    found = PARAMETER_ID.search(nodeid)
    return path + (found.group(0) if found else "")


def pytest_xdist_make_scheduler(config, log):
    """xdist's scope scheduling with our units of work.  (Its ``xdist_group`` marks do not
    group under pytest 9: xdist 3.8 renames ``item._nodeid``, which pytest 9 no longer reads.)"""
    from xdist.scheduler import LoadScopeScheduling

    class UnitScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return unit_of_work(nodeid)

    return UnitScheduling(config, log)


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgresql`` (the production path, long end-to-end runs) are not run on
    SQLite, even when ``--db`` asks for it; the long files come first."""
    kept, dropped = [], []
    for item in items:
        backend = getattr(item, "callspec", None) and item.callspec.params.get("backend")
        (dropped if item.get_closest_marker("postgresql") and backend == "sqlite" else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    order = {name: index for index, name in enumerate(LONG_FILES)}
    kept.sort(key=lambda item: order.get(item.path.name, len(order)))  # stable: a file's own order kept
    items[:] = kept


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames:
        marks = {mark.name for mark in metafunc.definition.iter_markers()}
        metafunc.parametrize("backend", backends(metafunc.config, marks), scope="session")


@pytest.fixture(scope="session")
def postgres():
    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_server():
    server = RedisServer().start()
    yield server
    server.cleanup()


def fresh_redis(redis_server) -> dict:
    """The app settings of a test whose app queues on the real Redis, emptied first: ids
    restart with each test, so must what Redis keeps."""
    import redis

    redis_server.ensure_running()
    redis.Redis.from_url(redis_server.url).flushall()
    return {"REDIS_URL": redis_server.url}


def base_config(database_url: str, **extra) -> dict:
    config = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret-key",
        "TOKEN_ENCRYPTION_KEY": TOKEN_KEY,
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "SANDBOX_DATABASE": os.path.join(tempfile.mkdtemp(prefix="hp-sandbox-"), "sandbox.db"),
        "SERVER_NAME": None,
    }
    config.update(extra)
    return config


@pytest.fixture(scope="session")
def database_url(backend, request, tmp_path_factory):
    """One migrated database per backend for the whole run."""
    if backend == "postgresql":
        url = request.getfixturevalue("postgres").create_database("hp_test")
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.db'}"
    from flask_migrate import upgrade

    from webapp import create_app

    app = create_app(base_config(url), env="testing")
    with app.app_context():
        upgrade()
        from core.db import db

        db.engine.dispose()
    return url


def empty_database(db) -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(text(f'DELETE FROM "{table}"'))


@pytest.fixture
def app_config():
    """Per-test overrides of the app's settings (override this fixture in a module)."""
    return {}


@pytest.fixture
def app(database_url, app_config):
    from core.db import db
    from webapp import create_app

    app = create_app(base_config(database_url, **app_config), env="testing")
    with app.app_context():
        empty_database(db)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


# -- people ---------------------------------------------------------------------------------

@pytest.fixture
def people(app):
    return People(app)


class Api:
    """The JSON API as a client sees it: a bearer token and JSON bodies."""

    def __init__(self, client, token: str | None):
        self.client, self.token = client, token

    def headers(self):
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, path, **kw):
        return self.client.get("/api/v1" + path, headers=self.headers(), **kw)

    def post(self, path, json=None, **kw):
        return self.client.post("/api/v1" + path, json=json, headers=self.headers(), **kw)

    def put(self, path, json=None, **kw):
        return self.client.put("/api/v1" + path, json=json, headers=self.headers(), **kw)

    def delete(self, path, **kw):
        return self.client.delete("/api/v1" + path, headers=self.headers(), **kw)


@pytest.fixture
def api_as(client, people):
    def make(user_id):
        return Api(client, people.token(user_id))

    return make


def csrf_token(client, path="/login") -> str:
    html = client.get(path, follow_redirects=True).get_data(as_text=True)
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client, email, password):
    token = csrf_token(client)
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


# -- a real browser --------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium, headless, one per test process (each test opens its own context)."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is missing: run `make test` (it installs it)")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# -- the app over real HTTP -----------------------------------------------------------------

CSP_VIOLATIONS: list[str] = []  # what Chromium said the Content-Security-Policy refused (tests/test_browser.py)


@pytest.fixture(autouse=True)
def no_csp_violation():
    """A browser test fails when the page needed something the CSP forbids."""
    CSP_VIOLATIONS.clear()
    yield
    assert not CSP_VIOLATIONS, CSP_VIOLATIONS

class Live:
    """The app (with its sandbox at /sandbox) served on a real port in this process."""

    def __init__(self, app, server):
        self.app, self.server, self.url = app, server, server.url

    def browser(self):
        from tests.support.browser import Browser

        return Browser(self.url)

    def sandbox(self, method: str, path: str, **kwargs):
        import requests

        return requests.request(method, f"{self.url}/sandbox{path}", timeout=30, **kwargs)

    def faults(self, provider: str, **faults):
        response = self.sandbox("PUT", "/_admin/faults", json={"provider": provider, **faults})
        assert response.status_code == 200, response.text
        return response.json()

    def held(self, provider: str) -> dict:
        return self.sandbox("GET", f"/_admin/workouts?provider={provider}").json()


def start_live(database_url, **config):
    from core.db import db
    from tests.support.servers import LiveServer, free_port
    from webapp import create_app

    port = free_port()
    app = create_app(base_config(database_url, PUBLIC_URL=f"http://127.0.0.1:{port}", **config), env="testing")
    with app.app_context():
        empty_database(db)
    return Live(app, LiveServer(app, port).start())


@pytest.fixture
def live(database_url, app_config):
    live = start_live(database_url, **app_config)
    yield live
    live.server.stop()
    with live.app.app_context():
        from core.db import db

        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def live_people(live):
    return People(live.app)


@pytest.fixture
def live_athlete(live, live_people):
    """An athlete (of a coach) logged in to a browser on the live app, with an API token."""
    coach = live_people.coach()
    athlete_id = live_people.athlete(coach, email="ana@example.test", name="Ana")
    browser = live.browser()
    browser.login("ana@example.test", "athlete-password")
    browser.athlete_id = athlete_id
    browser.token = live_people.token(athlete_id)
    return browser


# -- the export pipeline with real Redis and RQ workers ------------------------------------------

PIPELINE_ENV = {
    "EXPORT_RETRY_DELAYS": "1,1",
    "EXPORT_RETRY_JITTER": "0",
    "RELAY_INTERVAL_SECONDS": "2",
    "RELAY_GRACE_SECONDS": "1",
    "EXPORT_LEASE_SECONDS": "180",
    "LOG_LEVEL": "INFO",
}


class Pipeline:
    def __init__(self, live, workers, redis_server):
        self.live, self.workers, self.redis = live, workers, redis_server
        self.people = People(live.app)

    def athlete(self, provider: str | None = "garmin", email: str = "ana@example.test", coach_email="coach@example.test",
                **profile):
        """A coach, their athlete logged in a browser, connected to ``provider``; API clients for both."""
        from tests.support.pipeline import Client

        coach = self.people.coach(email=coach_email)
        athlete_id = self.people.athlete(coach, email=email, **profile)
        browser = self.live.browser()
        browser.login(email, "athlete-password")
        if provider:
            assert "is connected" in browser.connect(provider).text
        browser.id, browser.coach_id = athlete_id, coach
        browser.api = Client(self.live.url, self.people.token(athlete_id))
        browser.coach_api = Client(self.live.url, self.people.token(coach))
        return browser

    def session(self, client, session_id):
        return client.get(f"/sessions/{session_id}").json()

    def wait_status(self, client, session_id, *statuses, timeout=30):
        from tests.support.pipeline import wait_for

        return wait_for(lambda: (s := self.session(client, session_id))["exportStatus"] in statuses and s,
                        timeout=timeout, message=f"session {session_id} to be {statuses}")


@pytest.fixture
def pipeline(database_url, redis_server, tmp_path, monkeypatch):
    from tests.support.pipeline import Workers

    redis_server.ensure_running()
    import redis as redis_lib

    redis_lib.Redis.from_url(redis_server.url).flushall()
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    for key, value in PIPELINE_ENV.items():
        monkeypatch.setenv(key, os.environ.get(f"TEST_{key}", value))
    live = start_live(database_url)
    env = {**os.environ, "DATABASE_URL": database_url, "PUBLIC_URL": live.url, "SECRET_KEY": "test-secret-key",
           "TOKEN_ENCRYPTION_KEY": TOKEN_KEY, "APP_ENV": "testing", "SANDBOX_ENABLED": "0"}
    workers = Workers(env, tmp_path)
    yield Pipeline(live, workers, redis_server)
    workers.stop_all()
    live.server.stop()
    with live.app.app_context():
        from core.db import db

        db.session.remove()
        db.engine.dispose()
