"""The delivery window: when a session may go to its provider, and until when it may still arrive.

A session goes to a provider only when its date, in the athlete's time zone, falls from today
through the provider's window (``GARMIN_DELIVERY_DAYS``, default 14; ``WAHOO_DELIVERY_DAYS``,
default 7: Wahoo shows a plan only when its workout is scheduled from the current day
through six days ahead).  Before then it waits, and enters the window at local midnight of
its date minus (days - 1).  A session dated before the athlete's today is never pushed: its
day has passed, and so has its deadline (local midnight at the end of its day), after which
no retry is worth making.

Plain functions of dates, zones and a ``now``; no Flask, no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

PAST, INSIDE, LATER = "PAST", "INSIDE", "LATER"
DEFAULT_DAYS = {"GARMIN": 14, "WAHOO": 7}


@dataclass(frozen=True)
class Placement:
    where: str  # PAST, INSIDE or LATER
    opens_at: datetime | None = None  # for LATER: when it enters the window (naive UTC)


def local_today(zone: str, now: datetime) -> date:
    """The athlete's date at ``now`` (naive UTC)."""
    return now.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(zone)).date()


def _utc(day: date, zone: str) -> datetime:
    """Local midnight starting ``day`` in ``zone``, as naive UTC."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone)).astimezone(timezone.utc).replace(tzinfo=None)


def opens_at(day: date, zone: str, days: int) -> datetime:
    """When a session of ``day`` enters a window of ``days`` days (naive UTC)."""
    return _utc(day - timedelta(days=max(1, days) - 1), zone)


def deadline(day: date, zone: str) -> datetime:
    """The end of the session's day in the athlete's zone: after it, nothing is worth sending."""
    return _utc(day + timedelta(days=1), zone)


def place(day: date, zone: str, days: int, now: datetime) -> Placement:
    today = local_today(zone, now)
    if day < today:
        return Placement(PAST)
    if day <= today + timedelta(days=max(1, days) - 1):
        return Placement(INSIDE)
    return Placement(LATER, opens_at(day, zone, days))


def days_for(provider: str, config) -> int:
    return int(config.get(f"{provider}_DELIVERY_DAYS") or DEFAULT_DAYS[provider])
