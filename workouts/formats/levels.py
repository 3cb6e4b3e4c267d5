"""What the trainer-file writers (.zwo, .erg, .mrc) share: how hard a step is as a share of
FTP or of threshold speed, a step's cues in time order, and the refusal of a workout a
format cannot hold."""

from __future__ import annotations

from dataclasses import dataclass

from workouts import Thresholds
from workouts.structure import Repeat
from workouts.zones import zone_percent

NO_TARGET_SHARE = {"WARMUP": 0.5, "ACTIVE": 0.65, "RECOVERY": 0.5, "REST": 0.4, "COOLDOWN": 0.45}
EASIEST = 0.4  # zone 1 starts at 0 % of FTP ("anything easy"): a trainer holds it from 40 %


class CannotHold(Exception):
    """This format cannot hold the workout; the message says why."""


@dataclass(frozen=True)
class Level:
    """How hard a step is, as a share of FTP (bike) or of threshold speed (run).

    A range (``ramp`` False) has ``start`` <= ``end`` (its low and high); a ramp goes from
    ``start`` to ``end`` over the step, either way.
    """

    start: float
    end: float
    ramp: bool = False

    @property
    def middle(self) -> float:
        return (self.start + self.end) / 2


def level(step: dict, thresholds: Thresholds, sport: str) -> Level | None:
    """The step's target as a :class:`Level`, None when it has no power (or run pace) target;
    :class:`CannotHold` when the target needs a threshold the athlete has not set."""
    target = step.get("target")
    if target is None or target["type"] in ("CADENCE", "HEART_RATE"):
        return None
    kind = target["type"]
    percent = target.get("percent")
    ramp = "from" in target or (percent is not None and "from" in percent)
    if kind == "POWER":
        if percent is not None:  # a share of FTP already: exact whatever the FTP
            keys = ("from", "to") if ramp else ("min", "max")
            return Level(percent[keys[0]] / 100, percent[keys[1]] / 100, ramp)
        if target.get("zone") is not None:
            low, high = zone_percent("POWER", target["zone"])
            return Level(max(low / 100, EASIEST), high / 100)
        ftp = thresholds.ftp_watts
        if not ftp:
            raise CannotHold(f"{step['path']}: watts need the athlete's FTP to become a share of it")
        if ramp:
            return Level(target["from"] / ftp, target["to"] / ftp, True)
        return Level(target["min"] / ftp, target["max"] / ftp)
    if sport == "RUN" and kind == "PACE":
        if percent is not None:  # percent of threshold speed, a faster pace a higher percent
            keys = ("from", "to") if ramp else ("min", "max")
            return Level(percent[keys[0]] / 100, percent[keys[1]] / 100, ramp)
        threshold = thresholds.for_target("PACE", sport)
        if not threshold or ("min" not in target and "from" not in target):
            raise CannotHold(f"{step['path']}: a pace needs the athlete's threshold pace to become a share of it")
        if ramp:
            return Level(threshold / target["from"], threshold / target["to"], True)
        return Level(threshold / target["max"], threshold / target["min"])
    return None


def share(step: dict, thresholds: Thresholds, sport: str) -> tuple[float, float] | None:
    """(low, high) share of FTP (bike) or of threshold speed (run) of a step's target, or None
    (a ramp: its lower and higher end)."""
    found = level(step, thresholds, sport)
    if found is None:
        return None
    return min(found.start, found.end), max(found.start, found.end)


def cues(step: dict) -> list[dict]:
    """The step's timed text cues, in time order."""
    return sorted(step.get("cues") or [], key=lambda cue: cue["at"])


def flatten(nodes: list) -> list[dict]:
    out = []
    for node in nodes:
        out.extend([s for _ in range(node.count) for s in flatten(node.steps)] if isinstance(node, Repeat) else [node])
    return out
