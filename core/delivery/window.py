"""The delivery window: when a session may go to its provider, and until when it may still arrive.

A session goes to a provider only when its date, in the athlete's time zone, falls from today
through the provider's window (``<PROVIDER>_DELIVERY_DAYS``, each provider's default in its
registry entry: Garmin 14; Wahoo 7, since it shows a plan only when its workout is scheduled
from the current day through six days ahead).  Before then it waits, and enters the window at local midnight of
its date minus (days - 1).  A session dated before the athlete's today is never pushed: its
day has passed, and so has its deadline (local midnight at the end of its day), after which
no retry is worth making.

Plain functions of dates, zones and a ``now``; no Flask, no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from providers import registry

PAST, INSIDE, LATER = "PAST", "INSIDE", "LATER"

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


def day_passed(day: date, zone: str, now: datetime) -> bool:
    """Whether the session's day is over in the athlete's zone: nothing sent now could arrive in
    time (the one test of it: saves, retries, the export job and the badges all ask here)."""
    return now >= deadline(day, zone)


def place(day: date, zone: str, days: int, now: datetime) -> Placement:
    if day_passed(day, zone, now):
        return Placement(PAST)
    today = local_today(zone, now)
    if day <= today + timedelta(days=max(1, days) - 1):
        return Placement(INSIDE)
    return Placement(LATER, opens_at(day, zone, days))


def days_for(provider: str, config) -> int:
    """How many days ahead ``provider`` gets sessions: its setting, else its registry default."""
    spec = registry.get(provider)
    return int(config.get(spec.setting("DELIVERY_DAYS")) or spec.delivery_days)
