"""Scheduled wake-ups (retries, the relay) reach RQ's scheduler never before they are due."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
from rq.registry import ScheduledJobRegistry

from core import outbox
from core.clock import real_now


@pytest.fixture
def tokyo_clock(monkeypatch):
    """A server whose local time is not UTC (RQ reads naive datetimes as local time)."""
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def connect_garmin(app, athlete: int) -> None:
    """The athlete's Garmin connection, and an empty interactive queue."""
    from core.db import db
    from core.models import DeviceConnection
    from core.queue import rq

    with app.app_context():
        connection = DeviceConnection(athlete_id=athlete, provider="GARMIN", provider_user_id="g1", is_primary=True)
        connection.set_tokens("access-value", "refresh-value", None)
        db.session.add(connection)
        db.session.commit()
        rq.get_queue("high").empty()


def runs(*offsets: int) -> list[dict]:
    """An easy run on each of these days (from the tests' today)."""
    from tests.conftest import day
    from tests.support.workouts import EASY_RUN

    return [{"date": day(d), "type": "ENDURANCE", "title": f"Run {d}", "workout": EASY_RUN} for d in offsets]


def test_scheduler_time_is_aware_utc_rounded_up_to_the_second():
    assert outbox.scheduler_time(datetime(2026, 11, 24, 12, 0, 4, 870000)) == datetime(
        2026, 11, 24, 12, 0, 5, tzinfo=timezone.utc)
    assert outbox.scheduler_time(datetime(2026, 11, 24, 12, 0, 4)) == datetime(
        2026, 11, 24, 12, 0, 4, tzinfo=timezone.utc)
    assert outbox.scheduler_time(datetime(2026, 12, 31, 23, 59, 59, 1)) == datetime(
        2027, 1, 1, tzinfo=timezone.utc)


def test_a_retry_is_released_no_earlier_than_its_backoff_ends(app, tokyo_clock):
    due = real_now() + timedelta(seconds=30, microseconds=870000)
    due_epoch = due.replace(tzinfo=timezone.utc).timestamp()
    wakeup = outbox.Wakeup(outbox.RUN_EXPORT, (7, 3), "export-7-3", "high", due)
    with app.app_context():
        from core.queue import rq

        assert outbox.enqueue([wakeup]) == 1
        registry = ScheduledJobRegistry(queue=rq.get_queue("high"))
        score = registry.connection.zscore(registry.key, "export-7-3")
    # RQ releases a job once the clock reaches its score (whole seconds).
    assert due_epoch <= score < due_epoch + 1


def test_a_session_of_today_or_tomorrow_goes_to_the_front_of_the_queue(app, people, api_as):
    """A Sunday evening's burst of saves: Monday's workout must not wait behind Saturday's."""
    from core.db import db
    from core.models import ExportJob
    from core.models.export import rq_job_id
    from core.queue import rq
    from tests.conftest import day

    coach = people.coach()
    athlete = people.athlete(coach)
    connect_garmin(app, athlete)
    earlier = api_as(coach).post("/plans", json={"athleteId": athlete, "weekStart": day(7), "sessions": runs(12, 13)})
    plan = api_as(coach).post("/plans", json={"athleteId": athlete, "weekStart": day(0), "sessions": runs(5, 1, 6)})
    assert earlier.status_code == plan.status_code == 201
    with app.app_context():
        by_rq_id = {rq_job_id(j.id, j.enqueue_seq): j.session.date.isoformat() for j in db.session.query(ExportJob)}
        order = [by_rq_id[job_id] for job_id in rq.get_queue("high").job_ids]
    assert order[0] == day(1)  # saved last, taken first
    assert sorted(order[1:]) == sorted([day(12), day(13), day(5), day(6)])
    assert order[1:3] == [day(12), day(13)]  # the rest in the order saved


def test_sessions_that_go_first_keep_their_order_at_the_front(app, people, api_as):
    """A connect or a plan with today's and tomorrow's sessions: today's is taken first."""
    from core.db import db
    from core.models import ExportJob
    from core.models.export import rq_job_id
    from core.queue import rq
    from tests.conftest import day

    coach = people.coach()
    athlete = people.athlete(coach)
    connect_garmin(app, athlete)
    plan = api_as(coach).post("/plans", json={"athleteId": athlete, "weekStart": day(0), "sessions": runs(0, 1, 2, 5)})
    assert plan.status_code == 201
    with app.app_context():
        by_rq_id = {rq_job_id(j.id, j.enqueue_seq): j.session.date.isoformat() for j in db.session.query(ExportJob)}
        order = [by_rq_id[job_id] for job_id in rq.get_queue("high").job_ids]
    assert order == [day(0), day(1), day(2), day(5)]


@pytest.mark.parametrize("app_config", [{"GARMIN_QUOTA_PARTNER_PER_MINUTE": 10}], ids=["garmin-10-a-minute"])
@pytest.mark.dialect
def test_the_relay_counts_what_is_queued_before_it_releases_parked_work(app_config, app, people, api_as):
    """Ten calls a minute, eight of them for bulk pushes: four jobs.  Three are queued already,
    so the relay releases one parked job, the nearest, and not two: a second would take the
    calls a nearer session queued before it finds gone (and jump it)."""
    from core import clock
    from core.db import db
    from core.models import ExportJob, TrainingSession
    from jobs.relay import _release_parked
    from tests.conftest import day

    coach = people.coach()
    athlete = people.athlete(coach)
    plan = api_as(coach).post("/plans", json={"athleteId": athlete, "weekStart": day(0), "sessions": runs(1, 2, 3, 4, 5, 6)})
    assert plan.status_code == 201
    connect_garmin(app, athlete)
    with app.app_context():
        sessions = db.session.query(TrainingSession).order_by(TrainingSession.date).all()
        for index, session in enumerate(sessions):
            db.session.add(ExportJob(session_id=session.id, athlete_id=athlete, provider="GARMIN",
                                     revision=session.revision, status="PENDING", queue="default",
                                     next_attempt_at=clock.now(), parked=index >= 3))
        db.session.commit()
        assert _release_parked() == 1
        still_parked = db.session.query(ExportJob).filter_by(parked=True).join(TrainingSession).all()
        assert sorted(job.session.date.isoformat() for job in still_parked) == [day(5), day(6)]
