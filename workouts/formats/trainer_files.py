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
share them out, a swim in Zwift, a strength or cardio workout of sets) makes it unavailable,
with the reason the page shows.  Of a multisport workout, the file holds the bike leg only
(the first, if it has several), said so; with no bike leg it is unavailable.
"""

from __future__ import annotations

from dataclasses import dataclass

from workouts import Thresholds
from workouts.constants import MULTISPORT, STRENGTH_SPORTS
from workouts.notes import Notes
from workouts.profile import step_seconds
from workouts.structure import Repeat, native_tree
from workouts.text import duration_text

from .levels import CannotHold

FORMATS = ("zwo", "erg", "mrc")


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
        normalized = _one_ride(fmt, normalized, notes)
        steps = _timed_steps(normalized, thresholds, notes)
        if fmt == "zwo":
            content = zwo.write(normalized, thresholds, steps, notes)
            return TrainerFile(fmt, content, tuple(notes.items), "application/xml")
        content = course.write(fmt, normalized, thresholds, steps, notes)
        return TrainerFile(fmt, content, tuple(notes.items), "text/plain")
    except CannotHold as reason:
        return TrainerFile(fmt, None, (str(reason),))



def all_files(normalized: dict, thresholds: Thresholds | None = None) -> dict[str, TrainerFile]:
    return {fmt: make(fmt, normalized, thresholds) for fmt in FORMATS}


def _one_ride(fmt: str, normalized: dict, notes: Notes) -> dict:
    """The single-sport workout a trainer file holds: the workout itself, or a multisport
    workout's bike leg, said so; a strength or cardio workout cannot be one."""
    sport = normalized["sport"]
    if sport in STRENGTH_SPORTS:
        raise CannotHold(f"sport: a .{fmt} file is a ride on a trainer: a {sport.lower()} workout of sets and reps "
                         "has none")
    if sport != MULTISPORT:
        return normalized
    bikes = [index for index, leg in enumerate(normalized["legs"]) if leg["sport"] == "BIKE"]
    if not bikes:
        raise CannotHold(f"sport: a .{fmt} file holds a ride: this multisport workout has no bike leg")
    first = bikes[0]
    others = [f"legs[{index}]" for index in range(len(normalized["legs"])) if index != first]
    notes.add(f"legs[{first}]", f"the bike leg only: a .{fmt} file holds one ride, so {', '.join(others)} "
                                f"{'is' if len(others) == 1 else 'are'} left out")
    leg = normalized["legs"][first]
    return {"normalized": True, "sport": "BIKE", "name": normalized["name"],
            "description": normalized.get("description"), "steps": leg["steps"], "totals": leg["totals"]}


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
            if not estimated and seconds != round(seconds):
                notes.add(node["path"], f"a duration of {seconds:g} s is {round(seconds)} s here (whole seconds)")
            out.append({**node, "seconds": round(seconds)})
        return out

    return walk(native_tree(normalized["steps"]))
