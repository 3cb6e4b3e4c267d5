"""When to try a failed export again: retries aim at the session's date.

A transient failure (an outage, a timeout, a 5xx) is retried with growing delays (30 s,
2 min, 8 min, 30 min, 2 h by default, ``EXPORT_RETRY_DELAYS``), the last one repeating:
a session a week away keeps being tried every two hours through a long outage, instead of
failing after a few hours and waiting for the athlete to press Retry.  Jitter spreads the
retries of many sessions that failed together.  A provider's reset time is a floor.

Retries stop only when the session could no longer arrive in time: its day has passed in
the athlete's time zone (``deadline``).  When the next delay would overshoot the deadline,
one last try is made shortly before it, if there is still room.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

LAST_TRY_BEFORE_DEADLINE = timedelta(minutes=5)
SHORTEST_WAIT = timedelta(seconds=1)


def retry_delay(attempt: int, delays: tuple[int, ...], jitter: float, rand=random.random) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1-based); the last delay repeats."""
    base = delays[min(max(attempt, 1), len(delays)) - 1]
    return max(base * (1 + jitter * (2 * rand() - 1)), 0.0)


def retry_at(attempt: int, now: datetime, deadline: datetime, delays: tuple[int, ...], jitter: float,
             not_before: datetime | None = None, rand=random.random) -> datetime | None:
    """When to try again after failed attempt ``attempt``, or None when nothing sent after
    ``deadline`` would still be in time (all times naive UTC)."""
    at = now + timedelta(seconds=retry_delay(attempt, delays, jitter, rand))
    if not_before is not None:
        at = max(at, not_before)
    if at < deadline:
        return at
    last = deadline - LAST_TRY_BEFORE_DEADLINE
    if not_before is None and last > now + SHORTEST_WAIT:
        return last
    return None
