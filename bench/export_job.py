"""One export job end to end: load, normalize, validate, convert, create, schedule, save.

Against the sandbox over real HTTP at 0 ms latency, on PostgreSQL, for Garmin (create +
schedule) and Wahoo (plan + calendar workout): the job function timed alone (what an
export costs us), and the same jobs through RQ and an AppWorker (what RQ adds).  Goal:
under 50 ms, so that an athlete's wait is the provider's own latency.

In the same run, an empty job (a no-op taking the same arguments) goes through the same
RQ setup (the same queue, Redis and AppWorker), in batches alternating with ours: what RQ
and the app context cost on this machine.  Each provider's row ends with our job's time
with RQ over the empty job's, a ratio that means much the same on a fast machine and a
slow one, or a busy one.  The provider calls go to the sandbox in a process of its own
(bench.harness.sandbox_process: gunicorn, keep-alive), as to a provider on another machine;
its answers are still in our job's time, and the HTTP column says how much of it they are.

Every quota window is lifted far above what the run spends, on both sides (ours and the
sandbox's): the bench measures the job, never a wait for quota.

Run: python -m bench.export_job   (BENCH_RUNS jobs per provider and kind, 150; BENCH_SMOKE=1: 10)
"""

from __future__ import annotations

import copy
import tempfile
import time
from datetime import date, datetime, timedelta, timezone

import requests

from bench.common import median, percentile, size, table
from bench.harness import make_app, people, sandbox_process, serve, servers
from tests.support.workouts import SPEC_EXAMPLE

RUNS = size("BENCH_RUNS", 150, 10)
BATCH = size("BENCH_BATCH", 10, 2)  # jobs of one kind in a row, through RQ
RUN_EXPORT = "jobs.export.run_export"
GOAL_MS = 50.0
EMPTY_JOB = "bench.noop.empty_job"
# Far above anything the run spends (ours: core/quota.py; the sandbox's: sandbox/faults.py).
LIFTED = 10_000_000
OUR_QUOTAS = {"GARMIN_QUOTA_PARTNER_PER_MINUTE": LIFTED, "GARMIN_QUOTA_ATHLETE_PER_DAY": LIFTED,
              "WAHOO_QUOTA_PER_5MIN": LIFTED, "WAHOO_QUOTA_PER_HOUR": LIFTED, "WAHOO_QUOTA_PER_DAY": LIFTED}
SANDBOX_QUOTAS = {"garmin": {"partnerPerMinute": LIFTED, "userPerDay": LIFTED},
                  "wahoo": {"5min": LIFTED, "hour": LIFTED, "day": LIFTED}}


def pending_jobs(app, coach_token, athlete_id, count: int, first_week: str) -> list[int]:
    """``count`` export jobs waiting (plans of up to 50 sessions a week, saved with no worker
    running), the ids of their ExportJob rows."""
    from core.db import db
    from core.models import ExportJob

    monday = date.fromisoformat(first_week)
    session_ids = []
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
        session_ids += [s["id"] for s in created.json["sessions"]]
    with app.app_context():
        # These sessions' exports only (a routing change leaves other jobs pending: not the bench's).
        ids = [j.id for j in db.session.query(ExportJob).filter(
            ExportJob.session_id.in_(session_ids), ExportJob.status == "PENDING", ExportJob.kind == "EXPORT")
            .order_by(ExportJob.id)]
        db.session.remove()
    assert len(ids) == count, (len(ids), count)
    return ids


def timed_function(app, job_ids) -> tuple[list[float], list[float]]:
    """Each job's seconds, and the seconds of each job spent waiting on the provider's answers."""
    import httpx

    from core.db import db
    from jobs.export import run_export

    waiting = [0.0]
    send = httpx.Client.send

    def timed_send(client, *args, **kwargs):
        started = time.perf_counter()
        try:
            return send(client, *args, **kwargs)
        finally:
            waiting[0] += time.perf_counter() - started

    samples, http = [], []
    httpx.Client.send = timed_send
    try:
        for job_id in job_ids:
            with app.app_context():
                waiting[0] = 0.0
                started = time.perf_counter()
                outcome = run_export(job_id, 0)
                samples.append(time.perf_counter() - started)
                http.append(waiting[0])
                db.session.remove()
            assert outcome == "sent", outcome
    finally:
        httpx.Client.send = send
    return samples, http


def through_rq(app, job_ids) -> tuple[float, float]:
    """Seconds per job with RQ, ours and the empty job's: both enqueued in alternate batches
    of BATCH (empty, ours, empty, ours...: the same conditions for both, whatever else the
    machine does meanwhile), one AppWorker draining them all.  A batch lasts from the end of
    the batch before to the end of its own last job; each kind's time is its batches' median
    per job (the first batch, which starts the worker, is not counted when there are more)."""
    from rq import Queue

    from core.queue import rq
    from jobs.worker import AppWorker

    with app.app_context():
        connection = rq.get_queue("high").connection
    import redis as redis_lib

    worker_connection = redis_lib.Redis(connection_pool=redis_lib.ConnectionPool(
        **{k: v for k, v in connection.connection_pool.connection_kwargs.items() if k != "socket_timeout"}))
    queue = Queue("high", connection=worker_connection)
    # The plan saves enqueued their own wake-ups of these rows: drained too, they would run the
    # exports (or find them done) besides the bench's, and count against it.  Only ours stay.
    queue.empty()
    batches = []
    for start in range(0, len(job_ids), BATCH):
        chunk = job_ids[start:start + BATCH]
        for func, prefix, expected in ((EMPTY_JOB, "bench-empty", "empty"), (RUN_EXPORT, "bench", "sent")):
            batches.append((expected, [queue.enqueue(func, job_id, 0, job_id=f"{prefix}-{job_id}") for job_id in chunk]))
    worker = AppWorker([queue], connection=worker_connection, app=app)
    started = datetime.now(timezone.utc)
    worker.work(burst=True, logging_level="WARNING")
    per_job = {"empty": [], "sent": []}
    previous_end = started
    for expected, jobs in batches:
        for job in jobs:
            job.refresh()
        wrong = [(job.id, job.get_status(), job.return_value()) for job in jobs
                 if (job.get_status(), job.return_value()) != ("finished", expected)]
        assert not wrong, f"{len(wrong)} of {len(jobs)} jobs did not end {expected!r}: {wrong[:3]}"
        end = max(job.ended_at for job in jobs)
        per_job[expected].append((end - previous_end).total_seconds() / len(jobs))
        previous_end = end
    worker_connection.close()
    if len(per_job["empty"]) > 1:
        per_job["empty"].pop(0)  # it started the worker
    return median(per_job["sent"]), median(per_job["empty"])


def main() -> None:
    from core.db import db
    from tests.support.browser import Browser

    rows = []
    sandbox_db = f"{tempfile.mkdtemp(prefix='hp-bench-sandbox-')}/sandbox.db"
    with servers(postgres=True) as (database_url, redis), sandbox_process(sandbox_db) as provider_url:
        # Far-off weeks, every session inside the window: each job runs when the bench says.
        app = make_app(database_url, redis.url, GARMIN_DELIVERY_DAYS=3650, WAHOO_DELIVERY_DAYS=3650,
                       SANDBOX_DATABASE=sandbox_db, GARMIN_API_BASE=f"{provider_url}/garmin",
                       WAHOO_API_BASE=f"{provider_url}/wahoo", **OUR_QUOTAS)
        server = serve(app)
        try:
            for provider, limits in SANDBOX_QUOTAS.items():
                answer = requests.put(f"{server.url}/sandbox/_admin/faults", json={"provider": provider, "limits": limits},
                                      timeout=10)
                assert answer.ok, answer.text[:300]
            coach_token, [(athlete, _)] = people(app, 1, "garmin", server.url)
            weeks = {"garmin": ("2027-01-04", "2027-03-01"), "wahoo": ("2027-05-03", "2027-07-05")}
            for provider in ("garmin", "wahoo"):
                if provider == "wahoo":  # the same athlete, now sending to Wahoo
                    browser = Browser(server.url)
                    browser.login("bench-athlete0@example.test", "athlete-password")
                    browser.connect("wahoo")
                    browser.submit(browser.get("/connections"), button="Make primary")
                first, second = weeks[provider]
                function, http = timed_function(app, pending_jobs(app, coach_token, athlete, RUNS, first))
                waiting = pending_jobs(app, coach_token, athlete, RUNS, second)
                rq_each, empty_each = through_rq(app, waiting)
                rows.append([provider, f"{median(function) * 1000:.1f}", f"{percentile(function, 95) * 1000:.1f}",
                             f"{percentile(function, 95) * 1000 / GOAL_MS:.2f}", f"{median(http) * 1000:.1f}",
                             f"{rq_each * 1000:.1f}",
                             f"{empty_each * 1000:.1f}", f"{rq_each / empty_each:.2f}"])
        finally:
            server.stop()
            with app.app_context():
                db.engine.dispose()
    print(f"One export job end to end, sandbox at 0 ms in its own process, PostgreSQL, {RUNS} jobs each, milliseconds\n")
    print(table(["provider", "job median", "job p95", "p95 / 50 ms goal", "of which HTTP", "with RQ, per job",
                 "empty job, per job", "with RQ / empty"], rows))
    print("\njob = load, normalize, validate, convert, create + schedule over HTTP, save; "
          "of which HTTP = the median job's time waiting on the provider's two answers; "
          "with RQ = the same jobs enqueued and drained by one AppWorker (burst); empty job = a no-op "
          f"with the same arguments, the same queue, Redis and AppWorker, in alternate batches of {BATCH} "
          "with ours (per job: the batches' median).")


if __name__ == "__main__":
    main()
