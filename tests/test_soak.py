"""The fault soak: many sessions pushed while everything that can go wrong does.

500 sessions across 50 athletes (`make soak`; 100 across 10 in CI) pushed by four `rq worker`
processes while the sandbox injects 20 % 5xx, 5 % dropped connections, 429 bursts (its
quota is below our pace) and token expiry every few calls; two athletes are revoked; a
worker is SIGKILLed mid-run and Redis is restarted (losing every queued job) once.
Afterwards, with the relay given time, nothing is PENDING, every SENT session is exactly
one scheduled workout of its latest revision, revoked athletes' sessions are
NOT_CONNECTED, and no token is in any log.  Nothing is FAILED: every fault here clears long
before the sessions' days (they are this week and next), and retries aim at the session's
day (jobs/backoff.py), so an outage or a quota burst only delays a session.  It prints the
counts (docs/benchmarks.md keeps the last full run).
"""

from __future__ import annotations

import copy
import os
import signal
import time
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.support.workouts import EASY_RUN, SPEC_EXAMPLE

pytestmark = [pytest.mark.soak, pytest.mark.integration, pytest.mark.postgresql]

FULL = os.environ.get("SOAK_SIZE") == "full"
ATHLETES, PER_ATHLETE = (50, 10) if FULL else (10, 10)
# The sandbox's extra per-minute quota is below the pace of four workers and unknown to the
# product (which paces itself by the documented windows): 429 bursts are certain.
FAULTS = {"errorRate": 0.2, "status": 503, "dropRate": 0.05, "expireEveryCalls": 3,
          "rateLimitPerMinute": 300 if FULL else 120}
SOAK_ENV = {"EXPORT_RETRY_DELAYS": "1,2,4,8", "EXPORT_RETRY_JITTER": "0.2", "EXPORT_JOB_TIMEOUT": "20",
            "EXPORT_LEASE_SECONDS": "30", "RELAY_INTERVAL_SECONDS": "2", "RELAY_GRACE_SECONDS": "2",
            "WAHOO_DELIVERY_DAYS": "14", "QUOTA_TIME_SCALE": "0.1"}
WEEKS = ("2026-11-23", "2026-11-30")


@pytest.fixture
def soak_env(monkeypatch):
    for key, value in SOAK_ENV.items():
        monkeypatch.setenv(f"TEST_{key}", value)
        monkeypatch.setenv(key, value)


def sessions_for(index: int) -> dict[str, list]:
    plans = {}
    for week_index, week in enumerate(WEEKS):
        monday = date.fromisoformat(week)
        sessions = []
        for n in range(PER_ATHLETE // len(WEEKS)):
            base = SPEC_EXAMPLE if (n + index) % 2 else EASY_RUN
            workout = copy.deepcopy(base)
            workout["name"] = f"{base['name']} #{index}-{week_index}-{n}"
            day = monday + timedelta(days=n)
            sessions.append({"date": day.isoformat(), "type": "ENDURANCE", "workout": workout})
        plans[week] = sessions
    return plans


def _jobs_of(pipeline, workout_id):
    from core.db import db
    from core.models import ExportJob

    with pipeline.live.app.app_context():
        jobs = [j for j in db.session.query(ExportJob).all()
                if (j.external_refs or {}).get("workoutId") == workout_id]
        for job in jobs:
            db.session.expunge(job)
        return jobs


@pytest.fixture
def app_logs():
    """Everything the app process logs during the soak, as its handler writes it."""
    import io

    from core.logs import configure_logging

    buffer = io.StringIO()
    configure_logging("INFO", stream=buffer)
    yield buffer
    configure_logging("INFO")


def test_fault_soak(backend, soak_env, pipeline, app_logs, capsys):
    if backend != "postgresql":
        pytest.skip("the soak runs on PostgreSQL, the production database")
    from core.db import db
    from core.models import DeviceConnection, ExportAttempt, ExportJob, TrainingSession, User, WeeklyPlan

    started = time.monotonic()
    athletes = []
    for index in range(ATHLETES):
        provider = "wahoo" if index % 3 == 0 else "garmin"
        athlete = pipeline.athlete(provider, email=f"athlete{index}@example.test",
                                   coach_email=f"coach{index}@example.test", ftp_watts=250, max_heart_rate=190)
        athlete.provider, athlete.index = provider, index
        athletes.append(athlete)
    # Two athletes revoke HybridPeaks at their provider before their plans are saved: Garmin
    # pings us (their sessions start NOT_CONNECTED); Wahoo does not (the export finds out).
    revoked = [next(a for a in athletes if a.provider == "garmin"), next(a for a in athletes if a.provider == "wahoo")]
    for athlete in revoked:
        user = athlete.api.get("/connections").json()[0]["providerUserId"]
        pipeline.live.faults(athlete.provider, revokeUser=user)
    for provider in ("garmin", "wahoo"):
        pipeline.live.faults(provider, **FAULTS)
    workers = pipeline.workers.start(4)

    plan_ids = []
    for athlete in athletes:
        for week, sessions in sessions_for(athlete.index).items():
            response = athlete.coach_api.post("/plans", json={"athleteId": athlete.id, "weekStart": week,
                                                              "sessions": sessions})
            assert response.status_code == 201, response.text
            plan_ids.append((athlete, response.json()["id"]))
    # A few coaches change their minds while the push is under way (new revisions).
    for athlete, plan_id in plan_ids[::7]:
        sessions = athlete.coach_api.get(f"/plans/{plan_id}").json()["sessions"]
        sessions[0]["workout"]["name"] += " (changed)"
        assert athlete.coach_api.put(f"/plans/{plan_id}", json={"sessions": sessions}).status_code == 200

    total = ATHLETES * PER_ATHLETE

    def counts() -> Counter:
        with pipeline.live.app.app_context():
            rows = db.session.execute(select(TrainingSession.export_status, func.count())
                                      .group_by(TrainingSession.export_status)).all()
            open_jobs = db.session.scalar(select(func.count()).select_from(ExportJob)
                                          .where(ExportJob.status.in_(("PENDING", "PROCESSING"))))
            db.session.remove()
        return Counter({**dict(rows), "open jobs": open_jobs})

    def wait_until(condition, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            current = counts()
            if condition(current):
                return current
            time.sleep(0.5)
        raise AssertionError(f"soak stuck: {dict(counts())}")

    wait_until(lambda c: c["SENT"] >= 0.3 * total, 600)
    pipeline.workers.kill(workers[0], signal.SIGKILL)  # mid-run, whatever it was doing
    pipeline.workers.start(1)
    wait_until(lambda c: c["SENT"] >= 0.6 * total, 600)
    pipeline.redis.restart()  # every queued and scheduled RQ job is lost
    # Done when no session is PENDING and no job (removals of replaced workouts too) is open.
    final = wait_until(lambda c: c["PENDING"] == 0 and c["open jobs"] == 0, 900 if FULL else 420)
    elapsed = time.monotonic() - started

    # -- what the sandbox holds against what the sessions say -------------------------------------
    garmin, wahoo = pipeline.live.held("garmin"), pipeline.live.held("wahoo")
    with pipeline.live.app.app_context():
        sessions = db.session.execute(
            select(TrainingSession, User.email).select_from(TrainingSession)
            .join(WeeklyPlan, TrainingSession.plan_id == WeeklyPlan.id)
            .join(User, WeeklyPlan.athlete_id == User.id)).all()
        attempts = Counter(dict(db.session.execute(select(ExportAttempt.outcome, func.count())
                                                   .group_by(ExportAttempt.outcome)).all()))
        jobs = Counter(dict(db.session.execute(select(ExportJob.status, func.count())
                                               .group_by(ExportJob.status)).all()))
        connections = Counter(c.status for c in db.session.scalars(select(DeviceConnection)))
        sent = [(s, email) for s, email in sessions if s.export_status == "SENT"]
        schedules_by_workout = Counter(str(s["workoutId"]) for s in garmin["schedules"])
        garmin_workouts = {str(w["id"]): w for w in garmin["workouts"]}
        wahoo_calendar = {str(w["id"]): w for w in wahoo["workouts"]}
        wahoo_plans = {str(p["id"]): p for p in wahoo["plans"]}
        for session, _ in sent:
            if session.export_provider == "GARMIN":
                held = garmin_workouts[session.external_workout_id]
                assert schedules_by_workout[session.external_workout_id] == 1
                assert held["body"]["workoutName"] == session.workout["name"]  # its latest revision
            else:
                calendar = wahoo_calendar[session.external_workout_id]
                plan = wahoo_plans[str(calendar["planId"])]
                assert plan["key"] == f"hybridpeaks-{session.id}-r{session.revision}"
        sent_garmin = {s.external_workout_id for s, _ in sent if s.export_provider == "GARMIN"}
        sent_wahoo = {s.external_workout_id for s, _ in sent if s.export_provider == "WAHOO"}
        assert set(schedules_by_workout) == sent_garmin, "a scheduled Garmin workout no session owns"
        assert set(wahoo_calendar) == sent_wahoo and len(wahoo_plans) == len(sent_wahoo), "Wahoo duplicates"
        orphans = [w for w in garmin_workouts if w not in sent_garmin]
        revoked_emails = {a_email for a_email in (f"athlete{a.index}@example.test" for a in revoked)}
        revoked_sessions = [s for s, email in sessions if email in revoked_emails]
        assert revoked_sessions and all(s.export_status == "NOT_CONNECTED" for s in revoked_sessions)
        failed = [s for s, _ in sessions if s.export_status == "FAILED"]
        assert all(s.last_export_error for s in failed)
        failure_reasons = Counter(s.last_export_error for s in failed)
        db.session.remove()

    # Garmin's API has no idempotency key: only a worker killed while a Garmin create was in
    # flight can leave an unscheduled copy behind (never a calendar entry).
    assert len(orphans) <= 1, [
        (w, garmin_workouts[w]["body"]["workoutName"], [
            (j.kind, j.status, j.revision, j.external_refs, j.last_error) for j in _jobs_of(pipeline, w)])
        for w in orphans]
    requests_seen = pipeline.live.sandbox("GET", "/_admin/requests").json()
    statuses = Counter(r["status"] for r in requests_seen)
    logs = pipeline.workers.logs() + app_logs.getvalue()
    issued = [t["token"] for t in pipeline.live.sandbox("GET", "/_admin/tokens").json()]
    assert "export attempt" in logs and "connection connected" in logs  # both processes' logs are here
    assert not any(token in logs for token in issued), "a token in the logs"
    assert final["PENDING"] == 0
    assert final["FAILED"] == 0, failure_reasons  # every fault cleared before the sessions' days
    assert statuses[429] > 0, "no 429 burst happened: lower rateLimitPerMinute"
    with pipeline.live.app.app_context():
        unfinished = db.session.scalar(select(func.count()).select_from(ExportAttempt)
                                       .where(ExportAttempt.finished_at.is_(None)))
        db.session.remove()
    assert unfinished == 0, "an attempt left 'in progress'"

    report = [
        f"Fault soak ({'full' if FULL else 'CI'}): {total} sessions, {ATHLETES} athletes, 4 workers (+1 after a "
        f"SIGKILL), Redis restarted once, {elapsed:.0f} s",
        f"  sessions: SENT {final['SENT']}, NOT_CONNECTED {final['NOT_CONNECTED']} "
        f"(revoked athletes: {len(revoked_sessions)}), FAILED {final['FAILED']}, PENDING {final['PENDING']}",
        f"  export jobs: {dict(jobs)}",
        f"  attempts: {dict(attempts)}",
        f"  provider answers: {dict(sorted(statuses.items()))} (429: rate-limit bursts; 503: injected errors; "
        f"500: dropped connections, logged by the sandbox)",
        f"  token refreshes: {(len(issued) - 2 * ATHLETES) // 2} (every third call expires a token)",
        f"  connections: {dict(connections)}",
        f"  sandbox holds: Garmin {len(garmin['workouts'])} workouts / {len(garmin['schedules'])} schedules, "
        f"Wahoo {len(wahoo['plans'])} plans / {len(wahoo['workouts'])} calendar workouts",
        f"  duplicates on a calendar: 0; unscheduled Garmin copies left by the SIGKILL: {len(orphans)}",
        f"  FAILED because: {dict(failure_reasons)}",
    ]
    with capsys.disabled():
        print("\n" + "\n".join(report))
