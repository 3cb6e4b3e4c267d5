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
from redis.exceptions import NoScriptError

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


def spend(provider: str, oauth: bool = False, athlete_only: bool = False) -> None:
    """Count one call to ``provider`` in every window it falls in (see the module's rules);
    ``athlete_only``: a call already counted for the app, now known to be this athlete's.
    Two Redis round trips at most: the blocks and every window's count, then the hits."""
    caller = _caller.get() or Caller()
    windows = [(w, _item(w, limit), _key(provider, w, caller.athlete)) for w, limit in limits_of(provider).items()
               if (w.counts_oauth or not oauth) and (w.scope == APP or caller.athlete)
               and not (athlete_only and w.scope == APP)]
    if not has_request_context():
        _check(provider, caller, windows)
    hits = _scripts(lambda pipe, storage: [pipe.evalsha(storage.lua_acquire_moving_window.sha, 1,
                                                        storage.prefixed_key(item.key_for(*key)),
                                                        _now(), item.amount, item.get_expiry(), 1)
                                           for _, item, key in windows])
    if has_request_context():
        return  # a page's call is counted, and never waits
    for (window, item, key), hit in zip(windows, hits):
        if not hit:  # another process took the last room
            stats = _limiter().get_window_stats(item, *key)
            raise Throttled(provider, _utc(max(stats.reset_time, _now() + 1)), window.name)


def _check(provider: str, caller: Caller, windows: list) -> None:
    """Throttled when the provider is blocked or a window has no room (a bulk push: no room
    past the reserve)."""
    share = float(current_app.config.get("QUOTA_BULK_SHARE", 0.8))
    now = _now()
    values, *counts = _scripts(lambda pipe, storage: [pipe.mget(_block_keys(provider, caller.athlete))] + [
        pipe.evalsha(storage.lua_moving_window.sha, 1, storage.prefixed_key(item.key_for(*key)),
                     now - item.get_expiry(), item.amount) for _, item, key in windows])
    waits = [_parse_block(value) for value in values if value]
    for (window, item, _), count in zip(windows, counts):
        # limits' moving window: the oldest call in it and how many there are (none: empty)
        start, used = (float(count[0]), int(count[1])) if count else (now, 0)
        reserve = math.ceil(item.amount * (1 - share)) if caller.bulk and window.scope == APP else 0
        if item.amount - used <= reserve:
            waits.append((start + item.get_expiry(), window.name))
    waits = [w for w in waits if w[0] > now]
    if waits:
        until, name = max(waits)
        raise Throttled(provider, _utc(until), name)


def _scripts(build) -> list:
    """Run ``build(pipeline, storage)``'s commands in one round trip: the ``limits`` storage's
    own Lua scripts, by their hash.  A Redis that restarted or was flushed has forgotten
    them: they are loaded again and the commands sent once more."""
    storage = _limiter().storage
    connection = rq.queue.connection
    for _ in range(2):
        pipe = connection.pipeline(transaction=False)
        build(pipe, storage)
        try:
            return pipe.execute()
        except NoScriptError:
            for script in (storage.lua_moving_window, storage.lua_acquire_moving_window):
                script.sha = connection.script_load(script.script)
    raise RuntimeError("Redis keeps forgetting the quota scripts")


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
