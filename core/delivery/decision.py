"""The delivery decision: for one session revision, where it goes and what to do now, from
facts alone (no Flask, no database), with a typed reason.

- which provider: routing.py (the sport's route, else the primary, else the only one);
- whether the provider can take it: its converter's verdict (``fit_of``), computed once, so
  the payload sent and the report the coach read before saving never disagree;
- what the device already holds: the same payload on the same day is nothing to do, on
  another day a move (one call);
- when: window.py (a day passed is never sent; a later day waits for its window, and the
  version on the device, whose day is now wrong, is removed at once).

core/exports.py applies the decision (rows, jobs, statuses); this module only decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Callable, Mapping, Sequence

from providers.verdict import UNSUPPORTED, Fit

from . import window
from .routing import Link, choose


class Action(Enum):
    NOTHING = "NOTHING"  # what the device holds is right already: the session reads SENT
    NOT_CONNECTED = "NOT_CONNECTED"  # no provider can get it
    FAIL = "FAIL"  # it cannot go (see the reason), and retrying would not help
    SEND = "SEND"  # create it at the provider now
    MOVE = "MOVE"  # what the device holds, updated in place: another day, or (where the provider
    # replaces in place) the changed workout
    WAIT = "WAIT"  # not yet: it goes when its delivery window opens


class Reason(Enum):
    NO_CONNECTION = "NO_CONNECTION"
    CANNOT_TAKE = "CANNOT_TAKE"  # the provider cannot take this workout (the verdict says why)
    UNCHANGED = "UNCHANGED"
    DATE_MOVED = "DATE_MOVED"
    REPLACED = "REPLACED"  # changed, and the provider replaces what it holds in place
    DAY_PASSED = "DAY_PASSED"
    BEFORE_WINDOW = "BEFORE_WINDOW"
    READY = "READY"


@dataclass(frozen=True)
class Sent:
    """What the device holds of the session now."""

    provider: str
    payload_hash: str | None
    day: str  # ISO date


@dataclass(frozen=True)
class Facts:
    day: date
    sport: str
    zone: str  # the athlete's time zone
    active: Sequence[Link]  # the athlete's active connections
    routes: Mapping[str, str] = field(default_factory=dict)
    sent: Sent | None = None


@dataclass(frozen=True)
class Decision:
    action: Action
    reason: Reason
    provider: str | None = None
    fit: Fit | None = None  # the verdict (and payload) for ``provider``; None when the workout is invalid
    opens_at: datetime | None = None  # for WAIT: when the window opens (naive UTC)
    remove_sent: bool = False  # the version on the device must go (its day is wrong now)


def decide(facts: Facts, now: datetime, window_days: Callable[[str], int],
           fit_of: Callable[[str], Fit | None], replaces: Callable[[str], bool] = lambda provider: False) -> Decision:
    provider = choose(facts.sport, facts.active, facts.routes)
    if provider is None:
        return Decision(Action.NOT_CONNECTED, Reason.NO_CONNECTION)
    fit = fit_of(provider)
    if fit is not None and fit.level == UNSUPPORTED:
        return Decision(Action.FAIL, Reason.CANNOT_TAKE, provider, fit)
    sent = facts.sent
    placement = window.place(facts.day, facts.zone, window_days(provider), now)
    if placement.where == window.PAST:
        return Decision(Action.FAIL, Reason.DAY_PASSED, provider, fit, remove_sent=sent is not None)
    if sent and sent.provider == provider and fit is not None and fit.payload_hash == sent.payload_hash:
        if sent.day == facts.day.isoformat():
            return Decision(Action.NOTHING, Reason.UNCHANGED, provider, fit)
        return Decision(Action.MOVE, Reason.DATE_MOVED, provider, fit)
    if sent and sent.provider == provider and fit is not None and placement.where == window.INSIDE \
            and replaces(provider):
        return Decision(Action.MOVE, Reason.REPLACED, provider, fit)
    if placement.where == window.LATER:
        return Decision(Action.WAIT, Reason.BEFORE_WINDOW, provider, fit, placement.opens_at,
                        remove_sent=sent is not None)
    return Decision(Action.SEND, Reason.READY, provider, fit)
