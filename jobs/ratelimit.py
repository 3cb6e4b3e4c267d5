"""A client-side rate limiter per provider, in Redis, shared by every process.

A sliding window of the calls made in the last minute (plus a margin for the time a call
takes to arrive): a bulk push then stays under the provider's quota instead of provoking
a storm of 429s.  Every provider call spends from it (providers/http.py calls
:func:`spend`): a job waits up to a second for room, then is rescheduled (Throttled); a
call made while serving a page (a connect, a disconnect) is counted but never waits.
Set GARMIN_CALLS_PER_MINUTE / WAHOO_CALLS_PER_MINUTE to your keys' quotas (0: no limit).
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta, timezone

from flask import current_app, has_request_context

from webapp.extensions import rq

WINDOW_MS = 62_000  # a minute, and two seconds for calls in flight across the boundary
MAX_SLEEP = 1.0

_SCRIPT = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], 0, tonumber(ARGV[1]) - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return tonumber(oldest[2]) + tonumber(ARGV[2]) - tonumber(ARGV[1])
"""


class Throttled(Exception):
    """Over our own budget for this provider: come back at ``retry_at``."""

    def __init__(self, provider: str, retry_at: datetime):
        super().__init__(f"{provider} call budget used up until {retry_at.isoformat()}")
        self.provider, self.retry_at = provider, retry_at


def spend(provider: str) -> None:
    """Count one call to ``provider``: in a job, wait up to a second for room in the budget,
    else raise Throttled; while serving a request, count it and go on."""
    limit = current_app.config.get(f"{provider}_CALLS_PER_MINUTE", 0)
    if not limit:
        return
    script = rq.queue.connection.register_script(_SCRIPT)
    key = f"hybridpeaks:ratelimit:{provider}"
    if has_request_context():
        now_ms = int(time.time() * 1000)
        script(keys=[key], args=[now_ms, WINDOW_MS, 1_000_000_000, f"{now_ms}-{uuid.uuid4().hex}"])
        return
    deadline = time.monotonic() + MAX_SLEEP
    while True:
        now_ms = int(time.time() * 1000)
        wait_ms = int(script(keys=[key], args=[now_ms, WINDOW_MS, limit, f"{now_ms}-{uuid.uuid4().hex}"]))
        if wait_ms <= 0:
            return
        if time.monotonic() + wait_ms / 1000 > deadline:
            raise Throttled(provider, datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(milliseconds=wait_ms))
        time.sleep(wait_ms / 1000)
