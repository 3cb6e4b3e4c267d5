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

The last columns are this machine's floor for the ratio, measured in the same run: the job's
round trips (PostgreSQL statements and commits, Redis commands and pipelines, provider calls,
counted per job), each at what a bare one costs here after a 2 ms pause (a bare ``SELECT 1``, a
``PING``, a GET of the sandbox's index: as the job's come, between its steps), added to the
empty job: what the job would cost through RQ if none of its own work took any time.

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
ROUND_TRIPS = size("BENCH_ROUND_TRIPS", 200, 10)  # bare round trips of each kind, for the floor
PAUSE = 0.002  # before each: the job's round trips come between its own steps
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


class RoundTrips:
    """Counts the round trips made while patched in: PostgreSQL statements and commits, Redis
    commands and pipelines (a pipeline is one), provider calls; and the time spent on the
    provider's answers."""

    KINDS = ("postgresql", "redis", "http")

    def __init__(self):
        import httpx
        import psycopg
        import redis

        self.counts = dict.fromkeys(self.KINDS, 0)
        self.http_seconds = 0.0
        self._patched = [(psycopg.Cursor, "execute", "postgresql"), (psycopg.Connection, "commit", "postgresql"),
                         (redis.Redis, "execute_command", "redis"), (redis.client.Pipeline, "execute", "redis"),
                         (httpx.Client, "send", "http")]
        self._originals = []

    def __enter__(self):
        for owner, name, kind in self._patched:
            original = getattr(owner, name)
            self._originals.append((owner, name, original))
            setattr(owner, name, self._counting(original, kind))
        return self

    def __exit__(self, *exc):
        for owner, name, original in self._originals:
            setattr(owner, name, original)

    def _counting(self, original, kind):
        def counted(*args, **kwargs):
            self.counts[kind] += 1
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                if kind == "http":
                    self.http_seconds += time.perf_counter() - started
        return counted

    def take(self) -> tuple[dict, float]:
        """The counts and the answers' seconds since the last take."""
        taken = (dict(self.counts), self.http_seconds)
        self.counts, self.http_seconds = dict.fromkeys(self.KINDS, 0), 0.0
        return taken


def timed_function(app, job_ids) -> tuple[list[float], list[float], list[float], dict]:
    """Each job's seconds, the seconds of each job spent waiting on the provider's answers,
    its thread's CPU seconds (the drivers' and the kernel's work for it included), and the
    median job's round trips of each kind."""
    from core.db import db
    from jobs.export import run_export

    samples, http, cpu, counts = [], [], [], []
    with RoundTrips() as trips:
        for job_id in job_ids:
            with app.app_context():
                trips.take()
                started, started_cpu = time.perf_counter(), time.thread_time()
                outcome = run_export(job_id, 0)
                samples.append(time.perf_counter() - started)
                cpu.append(time.thread_time() - started_cpu)
                made, waiting = trips.take()
                http.append(waiting)
                counts.append(made)
                db.session.remove()
            assert outcome == "sent", outcome
    return samples, http, cpu, {kind: median([c[kind] for c in counts]) for kind in RoundTrips.KINDS}


def round_trip_costs(database_url: str, redis_url: str, provider_url: str) -> dict[str, float]:
    """Seconds a bare round trip of each kind takes here after a pause of PAUSE seconds
    (the median of ROUND_TRIPS): a ``SELECT 1``, a ``PING``, a GET of the sandbox's index."""
    import httpx
    import psycopg
    import redis as redis_lib

    postgres = psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)
    redis = redis_lib.Redis.from_url(redis_url)
    client = httpx.Client(base_url=provider_url)
    calls = {"postgresql": lambda: postgres.execute("SELECT 1").fetchall(), "redis": redis.ping,
             "http": lambda: client.get("/").raise_for_status()}
    costs = {}
    try:
        for kind, call in calls.items():
            def paused(call=call):
                time.sleep(PAUSE)
                started = time.perf_counter()
                call()
                return time.perf_counter() - started
            for _ in range(5):
                paused()
            costs[kind] = median([paused() for _ in range(ROUND_TRIPS)])
    finally:
        postgres.close()
        redis.close()
        client.close()
    return costs


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
                function, http, cpu, trips = timed_function(app, pending_jobs(app, coach_token, athlete, RUNS, first))
                waiting = pending_jobs(app, coach_token, athlete, RUNS, second)
                rq_each, empty_each = through_rq(app, waiting)
                costs = round_trip_costs(database_url, redis.url, provider_url)
                floor = empty_each + sum(trips[kind] * costs[kind] for kind in RoundTrips.KINDS)
                rows.append([provider, f"{median(function) * 1000:.1f}", f"{percentile(function, 95) * 1000:.1f}",
                             f"{percentile(function, 95) * 1000 / GOAL_MS:.2f}", f"{median(http) * 1000:.1f}",
                             f"{median(cpu) * 1000:.1f}", f"{rq_each * 1000:.1f}",
                             f"{empty_each * 1000:.1f}", f"{rq_each / empty_each:.2f}",
                             " / ".join(f"{trips[kind]:g}" for kind in RoundTrips.KINDS),
                             " / ".join(f"{costs[kind] * 1000:.2f}" for kind in RoundTrips.KINDS),
                             f"{floor / empty_each:.2f}"])
        finally:
            server.stop()
            with app.app_context():
                db.engine.dispose()
    print(f"One export job end to end, sandbox at 0 ms in its own process, PostgreSQL, {RUNS} jobs each, milliseconds\n")
    print(table(["provider", "job median", "job p95", "p95 / 50 ms goal", "of which HTTP", "job CPU", "with RQ, per job",
                 "empty job, per job", "with RQ / empty", "round trips PG / Redis / HTTP", "each, ms",
                 "floor / empty"], rows))
    print("\njob = load, normalize, validate, convert, create + schedule over HTTP, save; "
          "of which HTTP = the median job's time waiting on the provider's two answers; "
          "job CPU = the median job's thread CPU time (the drivers' and the kernel's work for it included); "
          "with RQ = the same jobs enqueued and drained by one AppWorker (burst); empty job = a no-op "
          f"with the same arguments, the same queue, Redis and AppWorker, in alternate batches of {BATCH} "
          "with ours (per job: the batches' median); round trips = the median job's; each = a bare one of each kind "
          f"after a {PAUSE * 1000:.0f} ms pause (SELECT 1, PING, a GET of the sandbox's index; the median of "
          f"{ROUND_TRIPS}); floor = the empty job plus the job's round trips at that cost, over the empty job: "
          "the ratio if none of the job's own work took any time.")


if __name__ == "__main__":
    main()
