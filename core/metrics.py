"""The counts /metrics reports, kept in Redis where every process adds to them.

Why Redis and not prometheus_client's multiprocess mode: the counts come from gunicorn
workers, from ``rq worker`` processes on other machines, and from RQ's work horses, which
are forked for one job and exit.  Multiprocess mode needs one shared directory on one host
and keeps a file per process id, so it fits neither; Redis is already shared by all of
them (fakeredis in the embedded default).  An increment is one HINCRBY, atomic across
processes.  A Redis flush resets the counters, which Prometheus reads as a counter reset
(``rate()`` handles it).  What is a state rather than an event (queue depths, the oldest
waiting job, quota left, connections to reconnect) is read at scrape time instead
(webapp/metrics/collector.py), so it is never stale.

A metric that cannot be written is dropped with a debug log line: counting must never
fail an export or a page.
"""

from __future__ import annotations

import contextvars
import logging
from contextlib import contextmanager
from dataclasses import dataclass

import redis

from .queue import rq

logger = logging.getLogger(__name__)
KEY = "hybridpeaks:metrics:"
SEPARATOR = "\x1f"  # between label values in a hash field
_held: contextvars.ContextVar[list | None] = contextvars.ContextVar("hybridpeaks_metrics_held", default=None)


@dataclass(frozen=True)
class Counter:
    name: str
    help: str
    labels: tuple[str, ...]


EXPORTS = Counter("hybridpeaks_exports", "Export jobs finished, by provider and outcome "
                  "(SENT, FAILED, NOT_CONNECTED, SUPERSEDED).", ("provider", "outcome"))
ATTEMPTS = Counter("hybridpeaks_export_attempts", "Export attempts (calls to a provider on a job's behalf), "
                   "by provider and outcome (RETRY included).", ("provider", "outcome"))
PROVIDER_CALLS = Counter("hybridpeaks_provider_calls", "HTTP calls to a provider's API, by status code "
                         "(or 'network' when no answer came).", ("provider", "status"))
RATE_LIMITED = Counter("hybridpeaks_provider_rate_limited", "429 answers from a provider's API.", ("provider",))
REFRESHES = Counter("hybridpeaks_token_refreshes", "OAuth token refreshes, by outcome "
                    "(refreshed, revoked: the athlete must reconnect, failed: will be tried again).",
                    ("provider", "outcome"))
COUNTERS = (EXPORTS, ATTEMPTS, PROVIDER_CALLS, RATE_LIMITED, REFRESHES)

DURATION = "hybridpeaks_export_attempt_duration_seconds"
DURATION_HELP = "How long an export attempt took, from claim to outcome, by provider."
BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


def _connection():
    return rq.queue.connection


def _field(values) -> str:
    return SEPARATOR.join(str(v) for v in values)


def count(counter: Counter, *values: str, amount: int = 1) -> None:
    if len(values) != len(counter.labels):
        raise ValueError(f"{counter.name} takes {counter.labels}")
    _add([("hincrby", KEY + counter.name, _field(values), amount)])


def attempt(provider: str, outcome: str, seconds: float, finished: bool = False) -> None:
    """One export attempt: its outcome and its duration, and with ``finished`` the export
    job's end with that outcome (EXPORTS)."""
    bucket = next((str(b) for b in BUCKETS if seconds <= b), "+Inf")
    ops = [("hincrby", KEY + ATTEMPTS.name, _field((provider, outcome)), 1),
           ("hincrby", KEY + DURATION, _field((provider, bucket)), 1),
           ("hincrbyfloat", KEY + DURATION, _field((provider, "sum")), seconds)]
    if finished:
        ops.append(("hincrby", KEY + EXPORTS.name, _field((provider, outcome)), 1))
    _add(ops)


@contextmanager
def batch():
    """The counts made inside go to Redis together, in one round trip, at the end (a job's
    provider calls and its outcome)."""
    held: list = []
    token = _held.set(held)
    try:
        yield
    finally:
        _held.reset(token)
        _send(held)


def _add(ops: list) -> None:
    held = _held.get()
    if held is not None:
        held.extend(ops)
    else:
        _send(ops)


def _send(ops: list) -> None:
    if not ops:
        return
    try:
        pipe = _connection().pipeline(transaction=False)
        for method, key, field, amount in ops:
            getattr(pipe, method)(key, field, amount)
        pipe.execute()
    except (redis.RedisError, RuntimeError, OSError):  # RuntimeError: outside an app
        logger.debug("metric dropped", extra={"fields": {"metrics": sorted({key for _, key, _, _ in ops})}})


def provider_call(provider: str, status: int | str) -> None:
    count(PROVIDER_CALLS, provider, str(status))
    if status == 429:
        count(RATE_LIMITED, provider)


# -- reading them back (the scrape) ------------------------------------------------------------

def counters() -> dict[str, dict[tuple[str, ...], float]]:
    """Every counter's values by label values (missing when Redis cannot be read)."""
    connection = _connection()
    pipe = connection.pipeline(transaction=False)
    for counter in COUNTERS:
        pipe.hgetall(KEY + counter.name)
    out = {}
    for counter, values in zip(COUNTERS, pipe.execute()):
        out[counter.name] = {tuple(k.decode().split(SEPARATOR)): float(v) for k, v in values.items()}
    return out


def durations() -> dict[str, tuple[list[tuple[str, float]], float, float]]:
    """Per provider: cumulative buckets [(le, count)], the sum and the count."""
    raw = {tuple(k.decode().split(SEPARATOR)): float(v) for k, v in _connection().hgetall(KEY + DURATION).items()}
    out = {}
    for provider in sorted({p for p, _ in raw}):
        running, buckets = 0.0, []
        for le in [*map(str, BUCKETS), "+Inf"]:
            running += raw.get((provider, le), 0.0)
            buckets.append((le, running))
        out[provider] = (buckets, raw.get((provider, "sum"), 0.0), running)
    return out
