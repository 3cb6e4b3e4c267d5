"""Workout files for indoor training apps, beside the .fit file: Zwift's .zwo, and the ERG and
MRC files of TrainerRoad, ERG trainers and most indoor apps.

- ZWO (XML, Zwift's own format; element and attribute names as catalogued by
  h4l/zwift-workout-file-reference): ``Warmup`` and ``Cooldown`` ramps, ``SteadyState`` and
  ``IntervalsT`` (a repeat of one effort and one recovery), power as a share of FTP,
  ``Cadence``, ``textevent`` messages from step names and notes, ``FreeRide`` where a step has
  no power target.  Runs: ``sportType`` run, a pace target as a share of threshold speed.
- ERG: minutes and watts; MRC: minutes and percent of FTP, between ``[COURSE HEADER]`` and
  ``[COURSE DATA]`` blocks, two points per step (a ramp for a warm-up or cool-down range).

All three are timed: a distance step goes at an estimated time (its pace target, the
athlete's threshold pace, or a typical speed), a lap-press step at a usual length, both
noted.  What a format cannot hold at all (heart rate in an ERG file, watts with no FTP to
share them out, a swim in Zwift) makes it unavailable, with the reason the page shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from workouts import Thresholds
from workouts.profile import intensity, step_seconds
from workouts.structure import Repeat, native_tree
from workouts.text import duration_text
from workouts.zones import zone_percent

from workouts.notes import Notes

FORMATS = ("zwo", "erg", "mrc")
NO_TARGET_SHARE = {"WARMUP": 0.5, "ACTIVE": 0.65, "RECOVERY": 0.5, "REST": 0.4, "COOLDOWN": 0.45}
EASIEST = 0.4  # zone 1 starts at 0 % of FTP ("anything easy"): a trainer holds it from 40 %


@dataclass(frozen=True)
class TrainerFile:
    format: str
    content: bytes | None  # None when the format cannot hold this workout
    notes: tuple[str, ...]  # what changed, or why it is unavailable
    media_type: str = "application/octet-stream"

    @property
    def available(self) -> bool:
        return self.content is not None


def make(fmt: str, normalized: dict, thresholds: Thresholds | None = None) -> TrainerFile:
    thresholds = thresholds or Thresholds()
    notes = Notes()
    from . import course, zwo

    try:
        steps = _timed_steps(normalized, thresholds, notes)
        if fmt == "zwo":
            content = zwo.write(normalized, thresholds, steps, notes)
            return TrainerFile(fmt, content, tuple(notes.items), "application/xml")
        content = course.write(fmt, normalized, thresholds, steps)
        return TrainerFile(fmt, content, tuple(notes.items), "text/plain")
    except CannotHold as reason:
        return TrainerFile(fmt, None, (str(reason),))


def all_files(normalized: dict, thresholds: Thresholds | None = None) -> dict[str, TrainerFile]:
    return {fmt: make(fmt, normalized, thresholds) for fmt in FORMATS}


class CannotHold(Exception):
    """This format cannot hold the workout; the message says why."""


def _timed_steps(normalized: dict, thresholds: Thresholds, notes: Notes) -> list:
    """The workout's tree, each step with its length in seconds (estimated where it must be)."""
    sport = normalized["sport"]

    def walk(nodes):
        out = []
        for node in nodes:
            if isinstance(node, Repeat):
                out.append(Repeat(node.count, walk(node.steps), node.path))
                continue
            seconds, estimated = step_seconds(node, sport, thresholds)
            if estimated:
                kind = "a lap-press step" if node["duration"]["type"] == "OPEN" else "a distance step"
                notes.add(node["path"], f"{kind} lasts about {duration_text(seconds)} here (trainer files are timed)")
            out.append({**node, "seconds": round(seconds)})
        return out

    return walk(native_tree(normalized["steps"]))


# -- power as a share of FTP --------------------------------------------------------------------

def share(step: dict, thresholds: Thresholds, sport: str) -> tuple[float, float] | None:
    """(low, high) share of FTP (bike) or of threshold speed (run) of a step's target, or None."""
    target = step.get("target")
    if target is None or target["type"] in ("CADENCE", "HEART_RATE"):
        return None
    kind = target["type"]
    if kind == "POWER":
        if target.get("zone") is not None:
            low, high = zone_percent("POWER", target["zone"])
            return max(low / 100, EASIEST), high / 100
        if not thresholds.ftp_watts:
            raise CannotHold(f"{step['path']}: watts need the athlete's FTP to become a share of it")
        return target["min"] / thresholds.ftp_watts, target["max"] / thresholds.ftp_watts
    if sport == "RUN" and kind == "PACE":
        threshold = thresholds.for_target("PACE", sport)
        if "min" not in target or not threshold:
            raise CannotHold(f"{step['path']}: a pace needs the athlete's threshold pace to become a share of it")
        return threshold / target["max"], threshold / target["min"]
    return None


def flatten(nodes: list) -> list[dict]:
    out = []
    for node in nodes:
        out.extend([s for _ in range(node.count) for s in flatten(node.steps)] if isinstance(node, Repeat) else [node])
    return out
