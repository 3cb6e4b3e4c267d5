"""Retention (jobs/retention.py), on SQLite and PostgreSQL: old finished jobs and their attempts
go, in batches; FAILED ones stay a year; each session's latest delivery job stays whatever its
age, so its page still shows how it got to the device; open jobs are never touched."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from core.db import db
from core.models import ExportAttempt, ExportJob
from jobs.retention import trim_history
from tests.support.workouts import EASY_RUN

NOW = datetime(2026, 11, 23, 12, 0)

# Batch deletes by primary key behave by dialect: both databases.
pytestmark = pytest.mark.dialect


@pytest.fixture
def history(app, people, api_as):
    coach = people.coach()
    athlete = people.athlete(coach)
    plan = api_as(coach).post("/plans", json={"athleteId": athlete, "weekStart": "2026-11-23", "sessions": [
        {"date": "2026-11-24", "type": "ENDURANCE", "title": f"Run {n}", "workout": EASY_RUN} for n in range(3)]}).json
    a, b, c = [s["id"] for s in plan["sessions"]]
    made = {}

    def job(name, session_id, status, days_ago, kind="EXPORT", attempts=2):
        finished = NOW - timedelta(days=days_ago) if status not in ("PENDING", "PROCESSING") else None
        row = ExportJob(kind=kind, session_id=session_id, athlete_id=athlete, provider="GARMIN", revision=1,
                        status=status, attempts=attempts, finished_at=finished,
                        created_at=(finished or NOW) - timedelta(minutes=5))
        db.session.add(row)
        db.session.flush()
        for n in range(1, attempts + 1):
            db.session.add(ExportAttempt(export_job_id=row.id, session_id=session_id, provider="GARMIN", attempt=n,
                                         started_at=row.created_at, finished_at=finished, outcome="RETRY"))
        made[name] = row.id

    with app.app_context():
        db.session.query(ExportAttempt).delete()
        db.session.query(ExportJob).delete()  # the plan's own jobs: this test writes its history itself
        # session a: two old deliveries, then a recent one
        job("a-old", a, "COMPLETED", 200)
        job("a-older-failed", a, "FAILED", 400)
        job("a-failed-200", a, "FAILED", 200)
        job("a-latest", a, "COMPLETED", 10)
        # session b: its only delivery is old: it stays (the session page shows it)
        job("b-only", b, "COMPLETED", 500)
        job("b-remove", b, "COMPLETED", 120, kind="REMOVE", attempts=1)
        # session c: an old superseded revision, and an open job
        job("c-superseded", c, "SUPERSEDED", 95)
        job("c-open", c, "PENDING", 0, attempts=0)
        # a removal whose session is gone
        job("gone-remove", None, "COMPLETED", 91, kind="REMOVE", attempts=1)
        job("gone-recent", None, "COMPLETED", 30, kind="REMOVE", attempts=1)
        db.session.commit()
    return made


def remaining(app):
    with app.app_context():
        return {row.id for row in db.session.query(ExportJob)}, db.session.query(ExportAttempt).count()


def test_old_history_goes_and_each_sessions_latest_stays(app, history):
    app.config.update(RETENTION_BATCH=2)  # several batches
    with app.app_context():
        jobs, attempts = trim_history(NOW)
    kept, attempts_left = remaining(app)
    gone = {"a-old", "a-older-failed", "b-remove", "c-superseded", "gone-remove"}
    assert {name for name, i in history.items() if i not in kept} == gone
    assert jobs == len(gone) and attempts == 2 + 2 + 1 + 2 + 1
    assert attempts_left == 2 + 2 + 2 + 1  # a-failed-200, a-latest, b-only, gone-recent
    with app.app_context():
        assert trim_history(NOW) == (0, 0)  # nothing left to do


def test_the_limits_are_settings(app, history):
    app.config.update(EXPORT_HISTORY_DAYS=7, EXPORT_FAILED_HISTORY_DAYS=100)
    with app.app_context():
        trim_history(NOW)
    kept, _ = remaining(app)
    assert {name for name, i in history.items() if i in kept} == {"a-latest", "b-only", "c-open"}


def test_the_session_page_still_shows_the_latest_attempts(app, client, history):
    from tests.conftest import login

    with app.app_context():
        trim_history(NOW)
        session_id = db.session.get(ExportJob, history["b-only"]).session_id
    login(client, "athlete@example.test", "athlete-password")
    page = client.get(f"/sessions/{session_id}").get_data(as_text=True)
    assert "No export attempt yet." not in page and page.count("<td>Garmin</td>") == 2
