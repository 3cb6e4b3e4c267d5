"""A client-side rate limiter per provider, in Redis, shared by every worker.

A sliding window of the calls made in the last minute (plus a margin for the time a call
takes to arrive): a bulk push then stays under the provider's quota instead of provoking
a storm of 429s.  Set GARMIN_CALLS_PER_MINUTE / WAHOO_CALLS_PER_MINUTE to the quota of
your key (0 turns the limiter off).
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta, timezone

from flask import current_app

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


def take(provider: str) -> None:
    """Spend one call of ``provider``'s budget, waiting up to a second; else raise Throttled."""
    limit = current_app.config.get(f"{provider}_CALLS_PER_MINUTE", 0)
    if not limit:
        return
    connection = rq.queue.connection
    script = connection.register_script(_SCRIPT)
    deadline = time.monotonic() + MAX_SLEEP
    while True:
        now_ms = int(time.time() * 1000)
        wait_ms = int(script(keys=[f"hybridpeaks:ratelimit:{provider}"],
                             args=[now_ms, WINDOW_MS, limit, f"{now_ms}-{uuid.uuid4().hex}"]))
        if wait_ms <= 0:
            return
        if time.monotonic() + wait_ms / 1000 > deadline:
            raise Throttled(provider, datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(milliseconds=wait_ms))
        time.sleep(wait_ms / 1000)
