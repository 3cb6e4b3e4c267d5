"""Scheduled wake-ups (retries, the relay) reach RQ's scheduler never before they are due."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
from rq.registry import ScheduledJobRegistry

from jobs import queueing
from webapp.timeutil import utcnow


@pytest.fixture
def tokyo_clock(monkeypatch):
    """A server whose local time is not UTC (RQ reads naive datetimes as local time)."""
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_scheduler_time_is_aware_utc_rounded_up_to_the_second():
    assert queueing.scheduler_time(datetime(2026, 11, 24, 12, 0, 4, 870000)) == datetime(
        2026, 11, 24, 12, 0, 5, tzinfo=timezone.utc)
    assert queueing.scheduler_time(datetime(2026, 11, 24, 12, 0, 4)) == datetime(
        2026, 11, 24, 12, 0, 4, tzinfo=timezone.utc)
    assert queueing.scheduler_time(datetime(2026, 12, 31, 23, 59, 59, 1)) == datetime(
        2027, 1, 1, tzinfo=timezone.utc)


def test_a_retry_is_released_no_earlier_than_its_backoff_ends(app, tokyo_clock):
    due = utcnow() + timedelta(seconds=30, microseconds=870000)
    due_epoch = due.replace(tzinfo=timezone.utc).timestamp()
    wakeup = queueing.Wakeup(queueing.RUN_EXPORT, (7, 3), "export-7-3", "high", due)
    with app.app_context():
        from webapp.extensions import rq

        assert queueing.enqueue([wakeup]) == 1
        registry = ScheduledJobRegistry(queue=rq.get_queue("high"))
        score = registry.connection.zscore(registry.key, "export-7-3")
    # RQ releases a job once the clock reaches its score (whole seconds).
    assert due_epoch <= score < due_epoch + 1
