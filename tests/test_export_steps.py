"""What the export job commits, and when: the ids a provider gives survive whatever happens
next.  In-process (our AppWorker in burst mode) with a real Redis, against the sandbox
over real HTTP; the SIGKILL cases are in tests/test_autopush.py."""

from __future__ import annotations

import pytest

from core.db import db
from core.models import ExportAttempt, ExportJob, TrainingSession
from tests.conftest import TODAY, fresh_redis
from tests.support.pipeline import Client, run_queued_jobs, run_scheduled_jobs_now
from tests.support.workouts import EASY_RUN

pytestmark = pytest.mark.integration


@pytest.fixture
def app_config(redis_server):
    return {**fresh_redis(redis_server), "EXPORT_RETRY_DELAYS": [1], "EXPORT_RETRY_JITTER": 0.0}


def save_one_session(live, athlete_id: int, coach_token: str) -> int:
    response = Client(live.url, coach_token).post("/plans", json={
        "athleteId": athlete_id, "weekStart": TODAY.isoformat(),
        "sessions": [{"date": TODAY.isoformat(), "type": "ENDURANCE", "workout": EASY_RUN}]})
    assert response.status_code == 201, response.text
    return response.json()["sessions"][0]["id"]


def garmin_athlete(live, live_people, email: str) -> tuple[int, int]:
    """A coach and an athlete of theirs who connected Garmin in the browser: their ids."""
    coach = live_people.coach()
    athlete_id = live_people.athlete(coach, email=email)
    browser = live.browser()
    browser.login(email, "athlete-password")
    assert "is connected" in browser.connect("garmin").text
    return coach, athlete_id


def first_try_crashing(live, live_people, monkeypatch, email: str, target, name: str, bug) -> int:
    """A session saved for a new Garmin athlete and its export's first try run with
    ``target.name`` replaced by ``bug`` (one of ours), which is gone afterwards: its id."""
    coach, athlete_id = garmin_athlete(live, live_people, email)
    with monkeypatch.context() as patched:
        patched.setattr(target, name, bug)
        session_id = save_one_session(live, athlete_id, live_people.token(coach))
        run_queued_jobs(live.app)
    return session_id


def converter_bug(*args, **kwargs):
    raise RuntimeError("a bug in a converter")


def test_a_crash_of_our_own_between_two_steps_keeps_the_workouts_id_and_the_retry_schedules_that_one(
        live, live_people, monkeypatch):
    """Garmin's create has no idempotency key and no way to find a workout again: its id is
    committed with the next step's mark, so a bug of ours in between (rolled back) must still
    leave the id to the retry, or the athlete would get a second workout."""
    from providers.garmin.api import GarminApi

    def create_then_crash(self, run, item):
        run.step("workoutId", lambda token: self.create_workout(token, item.payload))
        raise RuntimeError("a bug between the two steps")

    session_id = first_try_crashing(live, live_people, monkeypatch, "ana@example.test", GarminApi, "create",
                                    create_then_crash)
    with live.app.app_context():
        job = db.session.query(ExportJob).filter_by(session_id=session_id).one()
        assert (job.status, job.last_error is not None) == ("PENDING", True), (job.status, job.last_error)
        assert "workoutId" in job.external_refs, job.external_refs
        db.session.remove()
    run_scheduled_jobs_now(live.app)
    with live.app.app_context():
        session = db.session.get(TrainingSession, session_id)
        outcomes = [a.outcome for a in db.session.query(ExportAttempt).filter_by(session_id=session_id)
                    .order_by(ExportAttempt.id)]
        assert (session.export_status, outcomes) == ("SENT", ["RETRY", "SENT"])
        workout_id = session.external_workout_id
        db.session.remove()
    held = live.held("garmin")
    assert [str(w["id"]) for w in held["workouts"]] == [workout_id]  # one workout: the first try's
    assert [str(s["workoutId"]) for s in held["schedules"]] == [workout_id]


def test_a_crash_of_our_own_before_the_first_call_still_counts_the_attempt_and_retries(
        live, live_people, monkeypatch):
    """The claim and its attempt row are committed with the first step's mark: a bug of ours
    before that (rolled back with them) must still leave a counted attempt and a retry, or a
    workout that always crashes the converter would be retried for ever, uncounted."""
    from jobs import export

    session_id = first_try_crashing(live, live_people, monkeypatch, "ben@example.test", export, "fit_for",
                                    converter_bug)
    with live.app.app_context():
        job = db.session.query(ExportJob).filter_by(session_id=session_id).one()
        attempts = db.session.query(ExportAttempt).filter_by(session_id=session_id).all()
        assert (job.status, job.attempts, job.next_attempt_at is not None) == ("PENDING", 1, True)
        assert [(a.attempt, a.outcome) for a in attempts] == [(1, "RETRY")]
        assert "RuntimeError" in job.last_error, job.last_error
        db.session.remove()
    assert live.held("garmin")["workouts"] == []
    run_scheduled_jobs_now(live.app)
    with live.app.app_context():
        session = db.session.get(TrainingSession, session_id)
        outcomes = [(a.attempt, a.outcome) for a in db.session.query(ExportAttempt).filter_by(session_id=session_id)
                    .order_by(ExportAttempt.id)]
        assert (session.export_status, outcomes) == ("SENT", [(1, "RETRY"), (2, "SENT")])
        db.session.remove()


def test_a_crash_before_the_first_call_while_another_job_of_the_session_started_leaves_it_to_come_back(
        live, live_people, monkeypatch):
    """The rollback of a crash undoes the claim; if meanwhile another job of the same session
    became PROCESSING (here: just before the claim is taken again), it cannot be taken again
    (one job a session at a time): the job must come back later like any busy one, not be
    left PENDING with no wake-up."""
    from sqlalchemy.orm import Session

    from jobs import export

    coach, athlete_id = garmin_athlete(live, live_people, "cy@example.test")
    claim = export._claim
    claims = []

    def another_starts_before_the_second_claim(job):
        claims.append(job.id)
        if len(claims) == 2:
            with Session(db.engine) as other:
                other.add(ExportJob(kind="MOVE", session_id=job.session_id, athlete_id=job.athlete_id,
                                    provider=job.provider, revision=job.revision, status="PROCESSING"))
                other.commit()
        return claim(job)

    monkeypatch.setattr(export, "_claim", another_starts_before_the_second_claim)
    monkeypatch.setattr(export, "fit_for", converter_bug)
    session_id = save_one_session(live, athlete_id, live_people.token(coach))
    with live.app.app_context():
        job_id = db.session.query(ExportJob.id).filter_by(session_id=session_id, kind="EXPORT").scalar()
        outcome = export.run_export(job_id, 0)
        db.session.remove()
        job = db.session.get(ExportJob, job_id)
        assert (outcome.startswith("busy"), len(claims)) == (True, 2), outcome
        assert (job.status, job.attempts, job.enqueue_seq) == ("PENDING", 0, 1)  # woken again, nothing counted
        assert db.session.query(ExportAttempt).filter_by(export_job_id=job_id).count() == 0
        db.session.remove()
