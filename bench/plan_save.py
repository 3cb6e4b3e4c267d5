"""What auto-push adds to a plan save.

A coach's PUT of a week with 7 ENDURANCE sessions, every workout changed each time (so every
save creates 7 export jobs), for an athlete connected to Garmin; auto-push on (provider
choice, superseding, 7 ExportJob rows, one pipelined enqueue to a real Redis after the
commit) versus off (the save keeps the export fields honest and does nothing else), in the
same run, on SQLite and on PostgreSQL.  Goal: auto-push adds under 10 ms at p95.

Run: python -m bench.plan_save   (BENCH_RUNS saves each, 200; BENCH_SMOKE=1: 3)
"""

from __future__ import annotations

import copy
import time
from datetime import date, timedelta
from unittest import mock

from bench.common import median, percentile, size, table
from bench.harness import make_app, servers
from tests.support.people import People
from tests.support.workouts import EASY_RUN, SPEC_EXAMPLE

RUNS = size("BENCH_RUNS", 200, 3)
WARMUP = size("BENCH_WARMUP", 10, 1)  # saves not measured, first
GOAL_MS = 10.0


def week(plan: dict, round_: int) -> list[dict]:
    sessions = copy.deepcopy(plan["sessions"])
    for index, session in enumerate(sessions):
        session["workout"]["name"] = f"Session {index} v{round_}"
    return sessions


def measure(app, coach_headers, plan_id, plan, auto_push: bool, redis_client) -> list[float]:
    from core import exports

    def fields_only(saved):
        for item in saved:
            if item.changed:
                item.session.export_status, item.session.export_provider = "PENDING", "GARMIN"

    client = app.test_client()
    samples = []
    patch = mock.patch.object(exports, "sessions_saved", exports.sessions_saved if auto_push else fields_only)
    with patch:
        for round_ in range(RUNS + WARMUP):
            body = {"sessions": week(plan, round_)}
            started = time.perf_counter()
            response = client.put(f"/api/v1/plans/{plan_id}", json=body, headers=coach_headers)
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, response.get_data(as_text=True)[:300]
            if round_ >= WARMUP:
                samples.append(elapsed)
            if round_ % 50 == 0:
                redis_client.flushall()
    return samples


def run(backend: str) -> list:
    import redis as redis_lib

    with servers(postgres=backend == "postgresql") as (database_url, redis):
        app = make_app(database_url, redis.url)
        from core.db import db
        from core.models import DeviceConnection

        crowd = People(app)
        coach = crowd.coach(email="bench-coach@example.test")
        athlete = crowd.athlete(coach, email="bench-athlete@example.test", ftp_watts=250)
        with app.app_context():
            connection = DeviceConnection(athlete_id=athlete, provider="GARMIN", provider_user_id="g1", is_primary=True)
            connection.set_tokens("bench-access", "bench-refresh", None)
            db.session.add(connection)
            db.session.commit()
        headers = {"Authorization": f"Bearer {crowd.token(coach)}"}
        monday = date.today() + timedelta(days=7 - date.today().weekday())  # next week: inside the window
        sessions = [{"date": (monday + timedelta(days=d)).isoformat(), "type": "ENDURANCE", "title": f"S{d}",
                     "workout": copy.deepcopy(SPEC_EXAMPLE if d % 2 else EASY_RUN)} for d in range(7)]
        plan = app.test_client().post("/api/v1/plans", headers=headers, json={
            "athleteId": athlete, "weekStart": monday.isoformat(), "sessions": sessions}).json
        client = redis_lib.Redis.from_url(redis.url)
        off = measure(app, headers, plan["id"], plan, False, client)
        on = measure(app, headers, plan["id"], plan, True, client)
        with app.app_context():
            db.engine.dispose()
        rows = []
        for label, stat in (("median", median), ("p95", lambda v: percentile(v, 95))):
            a, b = stat(off) * 1000, stat(on) * 1000
            rows.append([backend, label, f"{a:.2f}", f"{b:.2f}", f"{b - a:+.2f}", f"{b / a:.2f}",
                         f"{(b - a) / GOAL_MS:.2f}"])
        return rows


def main() -> None:
    rows = run("sqlite") + run("postgresql")
    print(f"Plan save: PUT of a week with 7 changed ENDURANCE sessions, {RUNS} saves each, milliseconds\n")
    print(table(["database", "stat", "auto-push off", "auto-push on", "added", "on / off", "added / 10 ms goal"],
                rows))


if __name__ == "__main__":
    main()
