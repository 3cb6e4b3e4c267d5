"""When to try a failed export again."""

from __future__ import annotations

import random
from datetime import datetime


def retry_delay(attempt: int, delays: tuple[int, ...], jitter: float, reset_at: datetime | None = None,
                now: datetime | None = None, rand=random.random) -> float | None:
    """Seconds to wait after failed attempt number ``attempt`` (1-based), or None when the
    retries are used up.

    The delays grow (30 s, 2 min, 8 min, 30 min, 2 h by default); jitter spreads the
    retries of many sessions that failed together, so they do not all return at once.  A
    provider's rate-limit reset time, where it gives one, is a floor.
    """
    if attempt < 1 or attempt > len(delays):
        return None
    delay = delays[attempt - 1] * (1 + jitter * (2 * rand() - 1))
    if reset_at is not None and now is not None:
        delay = max(delay, (reset_at - now).total_seconds() + 1)
    return max(delay, 0.0)
