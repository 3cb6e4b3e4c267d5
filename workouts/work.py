"""What "the same work" means, so a ramp sent as steps or a workout merged into fewer steps can
be held to it (ramps.py within 1 %, simplify.py within 2 %).

The work of a TIME step is the integral, over its time, of its target's middle value, in a
*work unit* that adds up over time:

- POWER: watts (work in joules); HEART_RATE: bpm (heart beats); CADENCE: rpm (revolutions);
- PACE: speed in m/s (metres covered).  A pace in seconds per km does not add up over time, so
  the middle of a pace range is the mean of its two ends' *speeds*, and a pace ramp moves
  linearly in speed (as a percent of threshold speed does);
- a percent target with no threshold to resolve it: its percent, for every type (a pace's
  percent is of threshold speed, so it too is linear in speed);
- a ramp: linear from ``from`` to ``to``, so its middle is the mean of its ends.

A resolved target (``min`` or ``from`` present) counts in absolute units; only an unresolved
one counts in percent.  Work of different *spaces* (type, absolute or percent) never mixes.
A zone with no threshold, a step with no target, and DISTANCE or OPEN steps (whose time is not
known) have no work: they can be kept, not weighed.
"""

from __future__ import annotations

from dataclasses import dataclass

Space = tuple[str, str]  # (target type, "absolute" | "percent")


@dataclass(frozen=True)
class Level:
    """A target as two ends in its work unit: a range's low and high, or a ramp's from and to."""

    space: Space
    start: float
    end: float
    ramp: bool

    @property
    def middle(self) -> float:
        return (self.start + self.end) / 2


def to_work(kind: str, absolute: bool, value: float) -> float:
    """A target's number in its work unit (a pace, seconds per km, becomes metres per second)."""
    return 1000.0 / value if kind == "PACE" and absolute else float(value)


def from_work(kind: str, absolute: bool, value: float) -> float:
    return 1000.0 / value if kind == "PACE" and absolute else value


def level(target: dict | None) -> Level | None:
    """A normalized target as a :class:`Level`; None where it has no work (see the module)."""
    if not target:
        return None
    kind = target["type"]
    percent = target.get("percent") or {}
    for keys, ramp in ((("from", "to"), True), (("min", "max"), False)):
        if keys[0] in target:
            values, absolute = (target[keys[0]], target[keys[1]]), True
        elif keys[0] in percent:
            values, absolute = (percent[keys[0]], percent[keys[1]]), False
        else:
            continue
        start, end = (to_work(kind, absolute, value) for value in values)
        return Level((kind, "absolute" if absolute else "percent"), start, end, ramp)
    return None


def seconds_of(step: dict) -> float | None:
    duration = step["duration"]
    return duration["value"] if duration["type"] == "TIME" else None


def step_work(step: dict) -> tuple[Space, float] | None:
    """The work of one normalized step, and the space it counts in; None where it has none."""
    seconds, found = seconds_of(step), level(step.get("target"))
    if seconds is None or found is None:
        return None
    return found.space, found.middle * seconds


def workload(steps: list[dict]) -> dict[Space, float]:
    """The work of a list of normalized steps, per space."""
    total: dict[Space, float] = {}
    for step in steps:
        work = step_work(step)
        if work:
            total[work[0]] = total.get(work[0], 0.0) + work[1]
    return total
