"""The client-side rate limiter: jobs wait or are rescheduled, pages never wait."""

from __future__ import annotations

import pytest

from jobs import ratelimit


@pytest.fixture
def app_config():
    return {"GARMIN_CALLS_PER_MINUTE": 3}


def test_a_job_over_budget_is_throttled_with_a_time_to_come_back(app):
    with app.app_context():
        for _ in range(3):
            ratelimit.spend("GARMIN")
        ratelimit.MAX_SLEEP, saved = 0.05, ratelimit.MAX_SLEEP
        try:
            with pytest.raises(ratelimit.Throttled) as caught:
                ratelimit.spend("GARMIN")
        finally:
            ratelimit.MAX_SLEEP = saved
        assert caught.value.provider == "GARMIN" and caught.value.retry_at is not None
        ratelimit.spend("WAHOO")  # no limit configured for Wahoo here


def test_a_call_made_while_serving_a_page_is_counted_but_never_waits(app):
    with app.test_request_context("/connections/garmin/callback"):
        for _ in range(5):
            ratelimit.spend("GARMIN")  # over the budget of 3, and no exception
    with app.app_context():
        ratelimit.MAX_SLEEP, saved = 0.05, ratelimit.MAX_SLEEP
        try:
            with pytest.raises(ratelimit.Throttled):
                ratelimit.spend("GARMIN")  # the page's calls used the budget up
        finally:
            ratelimit.MAX_SLEEP = saved
