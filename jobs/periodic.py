"""The periodic jobs, as data: what runs, on which queue, and the setting that says how often.

RQ's cron scheduler runs them: ``rq cron -c jobs.rq_settings jobs.cron`` in production (one
process), and the embedded default's scheduler thread (jobs/embedded.py).  Each job is
idempotent and safe to run late; the relay also refuses to overlap itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .relay import relay
from .retention import trim


@dataclass(frozen=True)
class Periodic:
    func: Callable[[], str]
    queue: str
    every: str  # the setting holding its interval, in seconds
    failure_ttl: int  # how long a failed run is kept for the operator to see


# The relay on the high queue: a bulk push filling the default queue must not delay recovery.
PERIODIC = (
    Periodic(relay, "high", "RELAY_INTERVAL_SECONDS", failure_ttl=3600),
    Periodic(trim, "default", "RETENTION_INTERVAL_SECONDS", failure_ttl=86400),
)


def register_all(register: Callable, config) -> None:
    """Hand every periodic job to ``register`` (RQ's ``cron.register`` or a CronScheduler's)."""
    for job in PERIODIC:
        interval = int(config[job.every])
        register(job.func, job.queue, interval=interval, result_ttl=interval * 2, failure_ttl=job.failure_ttl,
                 name=job.func.__name__)
