"""The delivery decisions as plain functions: the window, retries aimed at the session's day,
routing by sport, and the quota budgets (each on fakeredis, the embedded default, and on a real
Redis: the quota's check and count is a Lua script of our own)."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace

import httpx
import pytest

from core import quota
from core.delivery import routing, window
from core.retry import retry_at
from providers.wahoo.api import rate_state
from tests.conftest import fresh_redis

NOW = datetime(2026, 11, 25, 15, 0)  # naive UTC: Wednesday afternoon in Europe, morning in Honolulu


# -- the window ----------------------------------------------------------------------------------

def test_a_session_is_past_inside_or_later_in_the_athletes_time_zone():
    assert window.place(date(2026, 11, 24), "Europe/Paris", 7, NOW).where == window.PAST
    assert window.place(date(2026, 11, 25), "Europe/Paris", 7, NOW).where == window.INSIDE
    assert window.place(date(2026, 12, 1), "Europe/Paris", 7, NOW).where == window.INSIDE  # today + 6
    later = window.place(date(2026, 12, 2), "Europe/Paris", 7, NOW)
    assert later.where == window.LATER
    assert later.opens_at == datetime(2026, 11, 25, 23, 0)  # midnight in Paris, 26 Nov, as UTC
    # 15:00 UTC is 04:00 on the 26th in Auckland, and 05:00 on the 25th in Honolulu.
    assert window.place(date(2026, 11, 25), "Pacific/Auckland", 7, NOW).where == window.PAST
    assert window.place(date(2026, 11, 24), "Pacific/Honolulu", 7, NOW).where == window.PAST
    assert window.place(date(2026, 11, 25), "Pacific/Honolulu", 14, NOW).where == window.INSIDE
    assert window.place(date(2026, 12, 8), "UTC", 14, NOW).where == window.INSIDE  # today + 13


def test_the_deadline_is_the_end_of_the_session_day_where_the_athlete_is():
    assert window.deadline(date(2026, 11, 25), "UTC") == datetime(2026, 11, 26, 0, 0)
    assert window.deadline(date(2026, 11, 25), "America/New_York") == datetime(2026, 11, 26, 5, 0)


# -- retries aim at the session's day ---------------------------------------------------------------

DELAYS = (30, 120, 480, 1800, 7200)


def test_retries_back_off_then_repeat_the_last_delay_until_the_deadline():
    deadline = NOW + timedelta(days=3)
    waits = [(retry_at(n, NOW, deadline, DELAYS, 0) - NOW).total_seconds() for n in range(1, 9)]
    assert waits == [30, 120, 480, 1800, 7200, 7200, 7200, 7200]  # never given up while days remain


def test_a_retry_past_the_deadline_becomes_one_last_try_before_it_then_none():
    deadline = NOW + timedelta(hours=1)
    assert retry_at(5, NOW, deadline, DELAYS, 0) == deadline - timedelta(minutes=5)
    assert retry_at(5, deadline - timedelta(minutes=5), deadline, DELAYS, 0) is None
    # A provider's reset after the deadline: nothing can arrive in time.
    assert retry_at(1, NOW, deadline, DELAYS, 0, not_before=deadline + timedelta(minutes=1)) is None


# -- routing by sport --------------------------------------------------------------------------------

def connection(provider, primary=False):
    return SimpleNamespace(provider=provider, is_primary=primary, is_active=True)


def test_routing_chooses_the_route_then_the_primary_then_the_only_connection():
    both = [connection("GARMIN", primary=True), connection("WAHOO")]
    assert routing.choose("RUN", both, {}) == "GARMIN"
    assert routing.choose("BIKE", both, {"BIKE": "WAHOO"}) == "WAHOO"
    assert routing.choose("BIKE", [connection("WAHOO")], {"BIKE": "GARMIN"}) == "WAHOO"  # the route is not connected
    assert routing.choose("RUN", [], {}) is None


def test_a_provider_that_cannot_take_a_sport_passes_it_to_the_other():
    wahoo_first = [connection("WAHOO", primary=True), connection("GARMIN")]
    assert routing.choose("SWIM", wahoo_first, {}) == "GARMIN"
    assert routing.choose("BIKE", wahoo_first, {}) == "WAHOO"
    assert routing.choose("SWIM", [connection("WAHOO", primary=True)], {}) == "WAHOO"  # and it says it cannot


# -- quotas --------------------------------------------------------------------------------------

@pytest.fixture(params=["fakeredis", "redis"])
def app_config(request):
    config = {"WAHOO_QUOTA_TIER": "sandbox", "GARMIN_QUOTA_TIER": "evaluation", "GARMIN_QUOTA_PARTNER_PER_MINUTE": 10,
              "GARMIN_QUOTA_ATHLETE_PER_DAY": 4, "QUOTA_BULK_SHARE": 0.8}
    if request.param == "redis":
        config.update(fresh_redis(request.getfixturevalue("redis_server")))
    return config


def test_the_documented_tiers(app):
    with app.app_context():
        assert {w.name: n for w, n in quota.limits_of("WAHOO").items()} == {"5 minutes": 25, "hour": 100, "day": 250}
        production = {"WAHOO_QUOTA_TIER": "production", "GARMIN_QUOTA_TIER": "production"}
        assert {w.name: n for w, n in quota.limits_of("WAHOO", production).items()} == {
            "5 minutes": 200, "hour": 1000, "day": 5000}
        assert {w.name: n for w, n in quota.limits_of("GARMIN", production).items()} == {
            "partner minute": 3000, "athlete day": 1000}
        assert {w.name: n for w, n in quota.limits_of("GARMIN", {"GARMIN_QUOTA_TIER": "evaluation"}).items()} == {
            "partner minute": 100, "athlete day": 200}


def test_a_job_over_the_wahoo_five_minutes_waits_for_the_oldest_call_to_leave_it(app):
    with app.app_context():
        for _ in range(25):
            quota.spend("WAHOO")
        with pytest.raises(quota.Throttled) as caught:
            quota.spend("WAHOO")
        assert caught.value.window == "5 minutes"
        assert 290 <= (caught.value.retry_at - datetime.utcnow()).total_seconds() <= 301


def test_bulk_pushes_leave_a_share_of_each_window_to_coaches_saves(app):
    with app.app_context():
        with quota.calling(bulk=True):
            for _ in range(20):  # 80 % of 25
                quota.spend("WAHOO")
            with pytest.raises(quota.Throttled):
                quota.spend("WAHOO")
        assert quota.available("WAHOO", bulk=True) == 0 and quota.available("WAHOO", bulk=False) == 5
        quota.spend("WAHOO")  # a coach's save still goes


def test_a_bulk_push_waits_until_enough_calls_leave_the_window_for_it_to_fit_past_the_reserve(app):
    """Not only until the oldest call leaves: the reserve (5 of 25) is still not the push's then."""
    with app.app_context():
        for _ in range(5):
            quota.spend("WAHOO")
        time.sleep(0.3)
        sixth = time.time()
        for _ in range(20):
            quota.spend("WAHOO")  # the coaches' saves fill the window
        with quota.calling(bulk=True), pytest.raises(quota.Throttled) as caught:
            quota.spend("WAHOO")
        # 19 calls in the window at most let a bulk push in (20 of 25): the sixth must leave it
        waits = caught.value.retry_at.replace(tzinfo=timezone.utc).timestamp() - 300
        assert sixth <= waits <= sixth + 0.25, (waits, sixth)


def test_a_call_that_must_wait_is_counted_in_no_window(app):
    with app.app_context():
        with quota.calling(athlete="ana"):
            for _ in range(4):
                quota.spend("GARMIN")
            for _ in range(3):
                with pytest.raises(quota.Throttled):
                    quota.spend("GARMIN")  # ana's day is spent: the partner minute is not touched
        assert quota.available("GARMIN", bulk=False) == 10 - 4


def test_garmins_athlete_day_counts_per_athlete_and_not_oauth(app):
    with app.app_context():
        with quota.calling(athlete="ana"):
            for _ in range(4):
                quota.spend("GARMIN")
            quota.spend("GARMIN", oauth=True)  # a refresh counts toward the partner minute only
            with pytest.raises(quota.Throttled) as caught:
                quota.spend("GARMIN")
            assert caught.value.window == "athlete day"
            assert caught.value.retry_at > datetime.utcnow() + timedelta(hours=23)  # when the athlete's day frees
        with quota.calling(athlete="ben"):
            quota.spend("GARMIN")  # another athlete's day is untouched
        assert quota.available("GARMIN", bulk=False) == 10 - 6  # the partner minute saw all six


def test_a_redis_that_forgot_the_scripts_still_counts_every_call(app):
    """The windows are read and hit with the ``limits`` scripts by their hash: a Redis that
    restarted or was flushed (SCRIPT FLUSH) has to be given them again, and nothing is lost."""
    from core.queue import rq

    with app.app_context():
        for _ in range(12):
            quota.spend("WAHOO")
        rq.queue.connection.script_flush()
        for _ in range(13):
            quota.spend("WAHOO")
        with pytest.raises(quota.Throttled) as caught:
            quota.spend("WAHOO")
        assert caught.value.window == "5 minutes"


def test_a_page_counts_its_calls_but_never_waits(app):
    with app.test_request_context("/connections/wahoo/callback"):
        for _ in range(30):
            quota.spend("WAHOO")  # over the 25, and no exception
    with app.app_context():
        with pytest.raises(quota.Throttled):
            quota.spend("WAHOO")


def test_wahoos_headers_and_a_429_block_the_provider_until_the_window_frees(app):
    with app.app_context():
        headers = {"X-RateLimit-Limit": "250, 100, 25", "X-RateLimit-Remaining": "200, 50, 0", "X-RateLimit-Reset": "120"}
        quota.observe("WAHOO", rate_state(httpx.Response(200, headers=headers)))
        with pytest.raises(quota.Throttled) as caught:
            quota.spend("WAHOO")
        assert 115 <= (caught.value.retry_at - datetime.utcnow()).total_seconds() <= 122
        assert quota.available("WAHOO") == 0


def test_a_garmin_429_is_the_athletes_day_when_our_count_says_so_else_the_minute(app):
    with app.app_context():
        with quota.calling(athlete="ben"):
            for _ in range(4):
                quota.spend("GARMIN")
            until = quota.rate_limited("GARMIN", None)  # ben's day is spent: that is the window
            assert until > datetime.utcnow() + timedelta(hours=23)
        with quota.calling(athlete="cat"):
            quota.spend("GARMIN")  # only ben waits
            until = quota.rate_limited("GARMIN", None)  # cat has room: the partner minute
            assert 55 <= (until - datetime.utcnow()).total_seconds() <= 61
            with pytest.raises(quota.Throttled) as caught:
                quota.spend("GARMIN")  # and everyone waits that minute
            assert caught.value.window == "partner minute"


def test_windows_can_be_compressed_for_simulations(app):
    app.config["QUOTA_TIME_SCALE"] = 0.01
    with app.app_context():
        for _ in range(25):
            quota.spend("WAHOO")
        with pytest.raises(quota.Throttled) as caught:
            quota.spend("WAHOO")
        assert (caught.value.retry_at - datetime.utcnow()).total_seconds() <= 3.1  # five minutes become three seconds
