"""The one clock: what time it is for calendar decisions (which day it is for an athlete,
whether a session has entered its delivery window, whether its day has passed) and the
delays that follow them (retries); real time for what measures a process; and the calendar
helpers (weeks, ISO 8601 for the API).  The database stores naive UTC.

It is the real UTC time, in testing only moved and sped up, so that a test can run worker
processes a day ahead and watch the periodic job act on its own, and a benchmark can live
a month in half an hour:

- ``CLOCK_OFFSET_SECONDS``: the clock runs this far ahead of real time;
- ``CLOCK_RATE`` and ``CLOCK_ANCHOR`` (epoch seconds): from the anchor on, the clock runs
  this many times faster than real time.  Every process given the same three settings
  reads the same clock.

What measures a process rather than the calendar keeps real time (:func:`real_now`): leases,
grace periods, RQ's scheduler, row timestamps.  :func:`real` and :func:`from_real` convert
between the two.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context


def _settings() -> tuple[float, float, float]:
    """(offset seconds, rate, anchor epoch): (0, 1, 0) unless testing says otherwise."""
    if not has_app_context() or current_app.config.get("APP_ENV") != "testing":
        return 0.0, 1.0, 0.0
    config = current_app.config
    return (float(config.get("CLOCK_OFFSET_SECONDS") or 0), float(config.get("CLOCK_RATE") or 1),
            float(config.get("CLOCK_ANCHOR") or 0))


def _epoch(moment: datetime) -> float:
    return moment.replace(tzinfo=timezone.utc).timestamp()


def _naive(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, timezone.utc).replace(tzinfo=None)


def from_real(moment: datetime) -> datetime:
    """What the clock shows at the real (naive UTC) moment ``moment``."""
    offset, rate, anchor = _settings()
    real = _epoch(moment)
    return _naive(real + offset + (real - anchor) * (rate - 1))


def real(moment: datetime) -> datetime:
    """The real (naive UTC) moment at which the clock shows ``moment``."""
    offset, rate, anchor = _settings()
    shown = _epoch(moment)
    return _naive((shown - offset + anchor * (rate - 1)) / rate)


def now() -> datetime:
    """Naive UTC, as the database stores times."""
    return from_real(real_now())


def today_in(zone: str) -> date:
    return now().replace(tzinfo=timezone.utc).astimezone(ZoneInfo(zone)).date()


def real_now() -> datetime:
    """The real time, naive UTC: row timestamps, leases, grace periods."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def iso_utc(moment: datetime | None) -> str | None:
    """ISO 8601 with a Z, as the API speaks."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.isoformat(timespec="seconds") + "Z"


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_days(week_start: date) -> list[date]:
    return [week_start + timedelta(days=offset) for offset in range(7)]
