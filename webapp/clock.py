"""The pipeline's clock: what time it is for calendar decisions (which day it is for an
athlete, whether a session has entered its delivery window, whether its day has passed).

It is the real UTC time, moved by ``CLOCK_OFFSET_SECONDS`` in testing only, so that a test
(or a benchmark) can run worker processes a day or a week ahead and watch the periodic job
act on its own.  RQ's scheduler keeps real time: :func:`real` turns a clock moment into the
real moment to wake a job at.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context


def _offset() -> timedelta:
    if not has_app_context() or current_app.config.get("APP_ENV") != "testing":
        return timedelta(0)
    return timedelta(seconds=float(current_app.config.get("CLOCK_OFFSET_SECONDS") or 0))


def now() -> datetime:
    """Naive UTC, as the database stores times."""
    return datetime.now(timezone.utc).replace(tzinfo=None) + _offset()


def real(moment: datetime) -> datetime:
    """The real (naive UTC) moment at which the clock shows ``moment``."""
    return moment - _offset()


def from_real(moment: datetime) -> datetime:
    """What the clock shows at the real (naive UTC) moment ``moment`` (quotas keep real time)."""
    return moment + _offset()


def today_in(zone: str) -> date:
    return now().replace(tzinfo=timezone.utc).astimezone(ZoneInfo(zone)).date()
