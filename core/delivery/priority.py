"""Who goes first when a provider's quota is the limit.

- A coach's save and an athlete's Retry are interactive: the ``high`` queue, which every
  worker takes before anything else, and the full quota (jobs/quota.py keeps a share of
  each window for them).
- Everything else is bulk: a connect's push of waiting sessions, sessions entering their
  delivery window, threshold re-pushes, routing moves, "Retry all".  Bulk work goes on the
  ``default`` queue, spread over the budget: a bulk push enqueues only what the quota has
  room for now, and parks the rest for the periodic job to release as room frees.
- Within a provider's budget, the nearest session goes first: bulk pushes enqueue nearest
  date first, and the periodic job releases parked work interactive first, then by the
  session's date.
- When the workers are the limit (a Sunday evening, every coach saving next week at once),
  a session of today or tomorrow goes to the front of its queue: Monday's workout must not
  wait behind Saturday's, which has days to spare.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import case, nulls_last

INTERACTIVE, BULK = "high", "default"
CALLS_PER_JOB = 2  # a create is two calls (workout + schedule, plan + workout); a move one
FRONT_DAYS = 2  # UTC's today + 2 is the athlete's today or tomorrow in every time zone (UTC-12 to +14)


def goes_first(session_date: date | None, utc_today: date) -> bool:
    """Whether a job for a session on ``session_date`` jumps the queue it is put on."""
    return session_date is not None and session_date <= utc_today + timedelta(days=FRONT_DAYS)


def nearest_first(sessions: list) -> list:
    return sorted(sessions, key=lambda s: (s.date, s.id or 0))


def release_order(job_model, session_model) -> tuple:
    """ORDER BY for parked jobs: interactive first, then the nearest session, then the oldest job."""
    return (case((job_model.queue == INTERACTIVE, 0), else_=1), nulls_last(session_model.date.asc()),
            job_model.id.asc())


def jobs_within(available_calls: int) -> int:
    return max(0, available_calls // CALLS_PER_JOB)


class Budget:
    """How many jobs a bulk push may enqueue now, per provider; the rest wait, parked, for the
    periodic job to release as the provider's quota frees (nearest session first)."""

    def __init__(self, room_of):
        self.room_of, self.room = room_of, {}

    def take(self, provider: str) -> bool:
        if provider not in self.room:
            self.room[provider] = jobs_within(self.room_of(provider))
        if self.room[provider] <= 0:
            return False
        self.room[provider] -= 1
        return True
