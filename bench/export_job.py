"""One export job end to end: load, normalize, validate, convert, create, schedule, save.

Against the sandbox over real HTTP at 0 ms latency, on PostgreSQL, for Garmin (create +
schedule) and Wahoo (plan + calendar workout): the job function timed alone (what an
export costs us), and the same jobs through RQ and an AppWorker (what RQ adds).  Goal:
under 50 ms, so that an athlete's wait is the provider's own latency.

Run: python -m bench.export_job
"""

from __future__ import annotations

import copy
import os
import time
from datetime import date, timedelta

from bench.common import median, percentile, table
from bench.harness import make_app, people, serve, servers
from tests.support.workouts import SPEC_EXAMPLE

RUNS = int(os.environ.get("BENCH_RUNS", "150"))
GOAL_MS = 50.0


def pending_jobs(app, coach_token, athlete_id, count: int, first_week: str) -> list[int]:
    """``count`` export jobs waiting (plans of up to 50 sessions a week, saved with no worker)."""
    from core.db import db
    from core.models import ExportJob

    monday = date.fromisoformat(first_week)
    for start in range(0, count, 50):
        week = (monday + timedelta(days=7 * (start // 50))).isoformat()
        sessions = []
        for index in range(start, min(count, start + 50)):
            workout = copy.deepcopy(SPEC_EXAMPLE)
            workout["name"] = f"Bench {index}"
            sessions.append({"date": week, "type": "ENDURANCE", "workout": workout})
        created = app.test_client().post("/api/v1/plans", headers={"Authorization": f"Bearer {coach_token}"},
                                         json={"athleteId": athlete_id, "weekStart": week, "sessions": sessions})
        assert created.status_code == 201, created.get_data(as_text=True)[:300]
    with app.app_context():
        ids = [j.id for j in db.session.query(ExportJob).filter_by(status="PENDING").order_by(ExportJob.id)]
        db.session.remove()
    return ids


def timed_function(app, job_ids) -> list[float]:
    from core.db import db
    from jobs.export import run_export

    samples = []
    for job_id in job_ids:
        with app.app_context():
            started = time.perf_counter()
            outcome = run_export(job_id, 0)
            samples.append(time.perf_counter() - started)
            db.session.remove()
        assert outcome == "sent", outcome
    return samples


def through_rq(app, job_ids) -> float:
    """Seconds per job with RQ: the jobs enqueued, one AppWorker draining them."""
    from rq import Queue

    from core.queue import rq
    from jobs.worker import AppWorker

    with app.app_context():
        connection = rq.get_queue("high").connection
    import redis as redis_lib

    worker_connection = redis_lib.Redis(connection_pool=redis_lib.ConnectionPool(
        **{k: v for k, v in connection.connection_pool.connection_kwargs.items() if k != "socket_timeout"}))
    queue = Queue("high", connection=worker_connection)
    for job_id in job_ids:
        queue.enqueue("jobs.export.run_export", job_id, 0, job_id=f"bench-{job_id}")
    worker = AppWorker([queue], connection=worker_connection, app=app)
    started = time.perf_counter()
    worker.work(burst=True, logging_level="WARNING")
    return (time.perf_counter() - started) / len(job_ids)


def main() -> None:
    from core.db import db
    from tests.support.browser import Browser

    rows = []
    with servers(postgres=True) as (database_url, redis):
        # Far-off weeks, every session inside the window: each job runs when the bench says.
        app = make_app(database_url, redis.url, GARMIN_DELIVERY_DAYS=3650, WAHOO_DELIVERY_DAYS=3650)
        server = serve(app)
        try:
            coach_token, [(athlete, _)] = people(app, 1, "garmin", server.url)
            weeks = {"garmin": ("2027-01-04", "2027-03-01"), "wahoo": ("2027-05-03", "2027-07-05")}
            for provider in ("garmin", "wahoo"):
                if provider == "wahoo":  # the same athlete, now sending to Wahoo
                    browser = Browser(server.url)
                    browser.login("bench-athlete0@example.test", "athlete-password")
                    browser.connect("wahoo")
                    browser.submit(browser.get("/connections"), button="Make primary")
                first, second = weeks[provider]
                function = timed_function(app, pending_jobs(app, coach_token, athlete, RUNS, first))
                rq_each = through_rq(app, pending_jobs(app, coach_token, athlete, RUNS, second))
                rows.append([provider, f"{median(function) * 1000:.1f}", f"{percentile(function, 95) * 1000:.1f}",
                             f"{rq_each * 1000:.1f}", f"{percentile(function, 95) * 1000 / GOAL_MS:.2f}"])
        finally:
            server.stop()
            with app.app_context():
                db.engine.dispose()
    print(f"One export job end to end, sandbox at 0 ms, PostgreSQL, {RUNS} jobs each, milliseconds\n")
    print(table(["provider", "job median", "job p95", "with RQ, per job", "p95 / 50 ms goal"], rows))
    print("\njob = load, normalize, validate, convert, create + schedule over HTTP, save; "
          "with RQ = the same jobs enqueued and drained by one AppWorker (burst).")


if __name__ == "__main__":
    main()
