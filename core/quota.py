"""The providers' quotas, as budgets every provider call spends from before it is made.

Quotas keep real time (epoch seconds): the times they give are real naive UTC, which the
jobs turn into the pipeline's clock (core/clock.py) before comparing them with a session's day.

Each provider declares its published windows and their limits per key tier (providers/spec.py;
Garmin's "Quotas (2.6)", Wahoo's "Limits" in providers.md): one budget per window, per app or
per athlete, counting OAuth requests or not.  ``<PROVIDER>_QUOTA_TIER`` picks the tier, each
window can be set on its own (``GARMIN_QUOTA_PARTNER_PER_MINUTE``...), and ``QUOTA_TIME_SCALE``
shortens every window by a factor, for simulations that compress time (bench/delivery.py).

The windows are the ``limits`` package's moving windows (the library Flask-Limiter is built
on), on the app's Redis (fakeredis in the embedded default), shared by every process.

Who waits: a call made while serving a page (a connect) is counted and never waits.  A
job's call that finds no room raises :class:`Throttled` with the moment room frees: the
job is parked until then, without counting an attempt (jobs/export.py).  Bulk pushes (a
connect, a window opening, a threshold change) may use only ``QUOTA_BULK_SHARE`` of each
app window, so a coach's save or an athlete's Retry always finds room.

What the provider says wins over what we counted: rate-limit headers (Wahoo's
``X-RateLimit-*``) and a 429 block the provider (or the athlete) until the window frees
(:func:`observe`, :func:`rate_limited`).  A 429 with no reset (Garmin's) names no window: when
our count of the athlete's own window is nearly spent it is taken for that (wait until the
athlete's oldest call leaves it), else for the provider's shortest app window, a minute at most.
"""

from __future__ import annotations

import contextvars
import math
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask import current_app, has_request_context
from limits import RateLimitItemPerSecond
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter

from providers import registry
from providers.spec import APP, ATHLETE, QuotaWindow

from .queue import rq

# A 429 that names no window, past this share of the athlete's own window, is that window;
# otherwise it is waited out this many seconds at most.
ATHLETE_WINDOW_NEARLY_SPENT = 0.9
UNNAMED_429_WAIT = 60

_caller: contextvars.ContextVar["Caller | None"] = contextvars.ContextVar("hybridpeaks_quota_caller", default=None)


@dataclass(frozen=True)
class Caller:
    """Who is calling: the athlete's provider user id (per-athlete windows) and whether the
    call serves a bulk push."""

    athlete: str | None = None
    bulk: bool = False


class Throttled(Exception):
    """No room in this provider's budget: come back at ``retry_at`` (naive UTC)."""

    def __init__(self, provider: str, retry_at: datetime, window: str):
        super().__init__(f"{provider}: the {window} quota is spent until {retry_at.isoformat(timespec='seconds')}Z")
        self.provider, self.retry_at, self.window = provider, retry_at, window


@contextmanager
def calling(athlete: str | None = None, bulk: bool | None = None):
    """Attribute the calls made inside to an athlete and/or a bulk push."""
    current = _caller.get() or Caller()
    token = _caller.set(Caller(athlete if athlete is not None else current.athlete,
                               current.bulk if bulk is None else bulk))
    try:
        yield
    finally:
        _caller.reset(token)


# -- the budgets ---------------------------------------------------------------------------

def limits_of(provider: str, config=None) -> dict[QuotaWindow, int]:
    """Each window of ``provider`` and its limit, from the key tier and any override."""
    config = config if config is not None else current_app.config
    spec = registry.get(provider)
    tier = config.get(spec.setting("QUOTA_TIER")) or spec.quota_tier
    if tier not in spec.quota_tiers:
        raise ValueError(f"{spec.setting('QUOTA_TIER')} must be one of {', '.join(spec.quota_tiers)}, not {tier!r}")
    defaults = spec.quota_tiers[tier]
    return {window: int(config.get(spec.setting(window.suffix)) or default)
            for window, default in zip(spec.quota_windows, defaults)}


def _item(window: QuotaWindow, limit: int) -> RateLimitItemPerSecond:
    scale = float(current_app.config.get("QUOTA_TIME_SCALE") or 1)
    return RateLimitItemPerSecond(limit, max(1, round(window.seconds * scale)))


def _key(provider: str, window: QuotaWindow, athlete: str | None) -> tuple[str, ...]:
    return (provider, window.scope) if window.scope == APP else (provider, window.scope, athlete or "-")


def _limiter() -> MovingWindowRateLimiter:
    limiter = current_app.extensions.get("hybridpeaks_quota")
    if limiter is None:
        storage = RedisStorage("redis://", connection_pool=rq.queue.connection.connection_pool,
                               key_prefix="hybridpeaks:quota")
        limiter = current_app.extensions["hybridpeaks_quota"] = MovingWindowRateLimiter(storage)
    return limiter


def _now() -> float:
    return time.time()


def _utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, timezone.utc).replace(tzinfo=None)


# One call's spend in one round trip, atomically: the blocks and every window's room are
# checked, and only when all of them let the call go is it counted in every window.  The
# windows are the ``limits`` storage's own lists (newest first, trimmed to the limit,
# expiring with the window), so its stats (available, budgets) read what this writes.
# KEYS: the blocks (ARGV[2] of them), then each window's list.  ARGV: now, the number of
# blocks, 1 to check (a job) or 0 to count only where there is room (a page), then per
# window its limit, length in seconds and reserve.  Returns what keeps the call waiting, as
# {"block", value} or {"window", its number, the call that must leave it}; nothing: it went.
_SPEND = """
local now, blocks, check = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3] == '1'
local function hit(w)
    local key = KEYS[blocks + w]
    redis.call('lpush', key, ARGV[1])
    redis.call('ltrim', key, 0, tonumber(ARGV[1 + 3 * w]) - 1)
    redis.call('expire', key, tonumber(ARGV[2 + 3 * w]))
end
local waits = {}
if check then
    for i = 1, blocks do
        local value = redis.call('get', KEYS[i])
        if value and tonumber(string.match(value, '^[^|]*')) > now then
            waits[#waits + 1] = {'block', value}
        end
    end
end
for w = 1, #KEYS - blocks do
    local limit, seconds, reserve = tonumber(ARGV[1 + 3 * w]), tonumber(ARGV[2 + 3 * w]), tonumber(ARGV[3 + 3 * w])
    local room = check and limit - reserve or limit
    local edge = false  -- the call that must leave the window before this one fits in it
    if room <= 0 then
        edge = ARGV[1]
    else
        local entry = redis.call('lindex', KEYS[blocks + w], room - 1)
        if entry and tonumber(entry) >= now - seconds then edge = entry end
    end
    if edge and check then
        waits[#waits + 1] = {'window', tostring(w), edge}
    elseif not edge and not check then
        hit(w)
    end
end
if check and #waits == 0 then
    for w = 1, #KEYS - blocks do hit(w) end
end
return waits
"""


def spend(provider: str, oauth: bool = False, athlete_only: bool = False) -> None:
    """Count one call to ``provider`` in every window it falls in (see the module's rules);
    ``athlete_only``: a call already counted for the app, now known to be this athlete's.
    A job's call is checked and counted in one Redis round trip (``_SPEND``), or not at all."""
    caller = _caller.get() or Caller()
    check = not has_request_context()  # a page's call is counted, and never waits
    share = float(current_app.config.get("QUOTA_BULK_SHARE", 0.8))
    windows, keys, args = [], [], []
    for window, limit in limits_of(provider).items():
        if (window.counts_oauth or not oauth) and (window.scope == APP or caller.athlete) \
                and not (athlete_only and window.scope == APP):
            item = _item(window, limit)
            reserve = math.ceil(item.amount * (1 - share)) if caller.bulk and window.scope == APP else 0
            windows.append((window, item))
            keys.append(_limiter().storage.prefixed_key(item.key_for(*_key(provider, window, caller.athlete))))
            args += [item.amount, item.get_expiry(), reserve]
    blocks = _block_keys(provider, caller.athlete) if check else []
    now = _now()
    waits = _spend_script()(keys=blocks + keys, args=[now, len(blocks), int(check), *args], client=rq.queue.connection)
    found = []
    for kind, *detail in waits:
        if kind == b"block":
            found.append(_parse_block(detail[0]))
        else:  # room frees when the call at the window's edge leaves it
            window, item = windows[int(detail[0]) - 1]
            found.append((float(detail[1]) + item.get_expiry(), window.name))
    if found:
        until, name = max(found)
        raise Throttled(provider, _utc(until), name)


def _spend_script():
    """``_SPEND`` on the app's Redis: run by its hash, loaded again by redis-py when Redis
    has forgotten it (a restart, SCRIPT FLUSH)."""
    script = current_app.extensions.get("hybridpeaks_quota_spend")
    if script is None:
        script = current_app.extensions["hybridpeaks_quota_spend"] = rq.queue.connection.register_script(_SPEND)
    return script


def available(provider: str, bulk: bool = True) -> int:
    """Calls the app windows still allow now (for a bulk push: past the reserve); 0 while
    the provider is blocked."""
    if _blocked(provider):
        return 0
    share = float(current_app.config.get("QUOTA_BULK_SHARE", 0.8))
    limiter = _limiter()
    room = []
    for window, limit in limits_of(provider).items():
        if window.scope != APP:
            continue
        stats = limiter.get_window_stats(_item(window, limit), *_key(provider, window, None))
        reserve = math.ceil(limit * (1 - share)) if bulk else 0
        room.append(max(0, stats.remaining - reserve))
    return min(room) if room else 1_000_000


def budgets(provider: str) -> list[tuple[QuotaWindow, int, int]]:
    """Each app window of ``provider``: its limit and the calls it has left now (for /metrics
    and the operator's page; the per-athlete windows are one per athlete, too many to list)."""
    limiter = _limiter()
    out = []
    for window, limit in limits_of(provider).items():
        if window.scope == APP:
            stats = limiter.get_window_stats(_item(window, limit), *_key(provider, window, None))
            out.append((window, limit, max(0, stats.remaining)))
    return out


def blocked_until(provider: str) -> datetime | None:
    """When a block the provider set on the whole app (a 429, Wahoo's headers) ends."""
    found = _blocked(provider)
    return _utc(found[0]) if found and found[0] > _now() else None


# -- what the provider says ------------------------------------------------------------------

def _block_key(provider: str, athlete: str | None) -> str:
    return f"hybridpeaks:quota:blocked:{provider}:{athlete or '*'}"


def block(provider: str, until: datetime, athlete: str | None = None, window: str = "provider's") -> None:
    """No call to ``provider`` (for ``athlete``, or at all) before ``until`` (naive UTC)."""
    seconds = (until.replace(tzinfo=timezone.utc).timestamp() - _now())
    if seconds > 0:
        rq.queue.connection.set(_block_key(provider, athlete), f"{until.replace(tzinfo=timezone.utc).timestamp()}|{window}",
                                px=int(seconds * 1000) + 1)


def _blocked(provider: str) -> tuple[float, str] | None:
    """The block on the whole app, if one is set (epoch seconds, window)."""
    value = rq.queue.connection.get(_block_key(provider, None))
    return _parse_block(value) if value else None


def _block_keys(provider: str, athlete: str | None) -> list[str]:
    """The blocks a call for ``athlete`` (or for none) must respect: the app's, and the athlete's."""
    return [_block_key(provider, None), _block_key(provider, athlete)] if athlete else [_block_key(provider, None)]


def _parse_block(value: bytes) -> tuple[float, str]:
    epoch, _, window = value.decode().partition("|")
    return float(epoch), window


def observe(provider: str, state) -> None:
    """A provider's rate-limit headers on an answer (its ``rate_state``): a window at zero
    blocks the provider until it resets (the reset the headers give, else that window's whole
    length: the safe side)."""
    if state is None or not state.exhausted:
        return
    scale = float(current_app.config.get("QUOTA_TIME_SCALE") or 1)
    seconds = state.reset_seconds or state.exhausted_seconds * scale
    block(provider, _utc(_now() + seconds), window=", ".join(state.exhausted))


def rate_limited(provider: str, reset_at: datetime | None) -> datetime:
    """A 429: when to call ``provider`` again (naive UTC), and the block that says so."""
    caller = _caller.get() or Caller()
    if reset_at is not None:
        until = reset_at.astimezone(timezone.utc).replace(tzinfo=None) + timedelta(seconds=1)
        block(provider, until, window="rate limit")
        return until
    for window, limit in limits_of(provider).items():
        if window.scope == ATHLETE and caller.athlete:
            stats = _limiter().get_window_stats(_item(window, limit), *_key(provider, window, caller.athlete))
            if stats.remaining <= limit * (1 - ATHLETE_WINDOW_NEARLY_SPENT):
                until = _utc(max(stats.reset_time, _now() + 60))
                block(provider, until, caller.athlete, window.name)
                return until
    # Else the shortest app window, but never longer than a minute: a provider whose only
    # published window is a week (Suunto's) would otherwise stop for a week on one 429.
    shortest = min((w for w in limits_of(provider) if w.scope == APP), key=lambda w: w.seconds, default=None)
    seconds = min(shortest.seconds, UNNAMED_429_WAIT) if shortest else UNNAMED_429_WAIT
    scale = float(current_app.config.get("QUOTA_TIME_SCALE") or 1)
    until = _utc(_now() + max(1.0, seconds * scale))
    block(provider, until, window=shortest.name if shortest and shortest.seconds <= UNNAMED_429_WAIT else "rate limit")
    return until
