"""What the benchmarks stand on: real PostgreSQL and Redis servers, the app and its sandbox
on a real port, and athletes connected through the sandbox's consent pages (the same
support code the tests use)."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

from cryptography.fernet import Fernet

os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="hp-bench-"))

from tests.support.browser import Browser  # noqa: E402
from tests.support.servers import LiveServer, PostgresServer, RedisServer, free_port, wait_for_port  # noqa: E402
from tests.support.workouts import EASY_RUN  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TOKEN_KEY = Fernet.generate_key().decode()


@contextmanager
def servers(postgres: bool = True):
    """A PostgreSQL database (or a SQLite file) and a Redis server, for the run."""
    redis = RedisServer().start()
    pg = PostgresServer().start() if postgres else None
    try:
        url = pg.create_database("bench") if pg else f"sqlite:///{tempfile.mkdtemp()}/bench.db"
        yield url, redis
    finally:
        redis.cleanup()
        if pg:
            pg.stop()


def make_app(database_url: str, redis_url: str | None, port: int | None = None, **config):
    from flask_migrate import upgrade

    from webapp import create_app

    port = port or free_port()
    settings = {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench", "TOKEN_ENCRYPTION_KEY": TOKEN_KEY,
                "REDIS_URL": redis_url, "PUBLIC_URL": f"http://127.0.0.1:{port}",
                "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
                "SANDBOX_DATABASE": f"{tempfile.mkdtemp()}/sandbox.db",
                "LOGIN_RATE_LIMIT": "100000 per minute"}  # a bench logs many athletes in from one address
    settings.update(config)
    app = create_app(settings, env="testing")
    with app.app_context():
        upgrade()
    app.bench_port = port
    return app


def serve(app) -> LiveServer:
    return LiveServer(app, app.bench_port).start()


@contextmanager
def sandbox_process(database: str):
    """The sandbox's API in a process of its own, as a provider is another machine: gunicorn
    with threads and keep-alive (a pooled client reuses its connection, as with a real
    provider; Werkzeug's server closes each one), its work on the other core instead of our
    GIL.  It shares ``database`` (the sandbox's SQLite file) with the sandbox the app mounts,
    so athletes connect through the app as always and their tokens are good here; yields the
    base URL to give the app as a provider's API_BASE (``{url}/garmin``...)."""
    port = free_port()
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--worker-class", "gthread", "--threads", "4", "--keep-alive", "60",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "sandbox:create_sandbox_app()"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": path, "SANDBOX_DATABASE": database})
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


def people(app, athletes: int = 1, provider: str | None = "garmin", base_url: str | None = None):
    """A coach and athletes (FTP 250), connected through the sandbox's consent page when a
    provider is given; returns (coach token, [(athlete id, athlete token)])."""
    from tests.support.people import People

    crowd = People(app)
    coach = crowd.coach(email="bench-coach@example.test")
    out = []
    for index in range(athletes):
        email = f"bench-athlete{index}@example.test"
        athlete = crowd.athlete(coach, email=email, ftp_watts=250, max_heart_rate=190)
        if provider:
            browser = Browser(base_url)
            browser.login(email, "athlete-password")
            assert "is connected" in browser.connect(provider).text
        out.append((athlete, crowd.token(athlete)))
    return crowd.token(coach), out


def worker_env(database_url: str, redis_url: str, public_url: str, **extra) -> dict:
    """The environment of the benches' ``rq worker`` processes.  PYTHONPATH names this tree
    first: ``rq`` is a script of the shared venv, whose editable install maps the namespace
    package ``core`` to another checkout, and a worker would otherwise run that one's core."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    env = {**os.environ, "PYTHONPATH": path, "DATABASE_URL": database_url, "REDIS_URL": redis_url, "PUBLIC_URL": public_url,
           "SECRET_KEY": "bench", "TOKEN_ENCRYPTION_KEY": TOKEN_KEY, "APP_ENV": "testing", "SANDBOX_ENABLED": "0",
           "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING")}
    env.update({k: str(v) for k, v in extra.items()})
    return env


def wait_for_workers(redis_url: str, count: int, timeout: float = 60.0) -> None:
    """Until ``count`` ``rq worker`` processes are listening (an AppWorker makes its app
    before it registers: a registered worker takes jobs at once)."""
    import time

    import redis as redis_lib
    from rq import Worker

    connection = redis_lib.Redis.from_url(redis_url)
    deadline = time.monotonic() + timeout
    try:
        while len(Worker.all(connection=connection)) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"fewer than {count} workers listening after {timeout} s")
            time.sleep(0.1)
    finally:
        connection.close()


def waiting_sessions(app, coach_token: str, athlete_id: int, count: int, first_monday: date, per_plan: int = 50) -> None:
    """``count`` easy runs for the athlete, ``per_plan`` to a weekly plan from ``first_monday``
    on, saved through the API before anyone connects (so they wait)."""
    for start in range(0, count, per_plan):
        week = first_monday + timedelta(days=7 * (start // per_plan))
        sessions = [{"date": (week + timedelta(days=i % 7)).isoformat(), "type": "ENDURANCE",
                     "workout": dict(copy.deepcopy(EASY_RUN), name=f"Run {start + i}")}
                    for i in range(min(per_plan, count - start))]
        response = app.test_client().post("/api/v1/plans", headers={"Authorization": f"Bearer {coach_token}"},
                                          json={"athleteId": athlete_id, "weekStart": week.isoformat(),
                                                "sessions": sessions})
        assert response.status_code == 201, response.get_data(as_text=True)[:300]
