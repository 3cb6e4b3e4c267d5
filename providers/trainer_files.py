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

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from workouts import Thresholds
from workouts.profile import intensity, step_seconds
from workouts.structure import Repeat, native_tree
from workouts.text import duration_text
from workouts.zones import zone_percent

from .compatibility import Notes

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
    try:
        steps = _timed_steps(normalized, thresholds, notes)
        if fmt == "zwo":
            content = zwo(normalized, thresholds, steps, notes)
            return TrainerFile(fmt, content, tuple(notes.items), "application/xml")
        content = course(fmt, normalized, thresholds, steps)
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


# -- Zwift -----------------------------------------------------------------------------------------

def zwo(normalized: dict, thresholds: Thresholds, steps: list, notes: Notes) -> bytes:
    sport = normalized["sport"]
    if sport not in ("BIKE", "RUN"):
        raise CannotHold(f"sport: Zwift takes bike and run workouts, not {sport.lower()}s")
    root = ET.Element("workout_file")
    ET.SubElement(root, "author").text = "HybridPeaks"
    ET.SubElement(root, "name").text = normalized["name"]
    ET.SubElement(root, "description").text = normalized.get("description") or ""
    ET.SubElement(root, "sportType").text = sport.lower()
    ET.SubElement(root, "tags")
    workout = ET.SubElement(root, "workout")
    for node in steps:
        if isinstance(node, Repeat) and _intervals_t(node):
            _intervals(workout, node, thresholds, sport)
        elif isinstance(node, Repeat):
            for _ in range(node.count):
                for child in _flatten(node.steps):
                    _zwo_step(workout, child, thresholds, sport, notes)
        else:
            _zwo_step(workout, node, thresholds, sport, notes)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=False) + b"\n"


def _flatten(nodes: list) -> list[dict]:
    out = []
    for node in nodes:
        out.extend([s for _ in range(node.count) for s in _flatten(node.steps)] if isinstance(node, Repeat) else [node])
    return out


def _intervals_t(node: Repeat) -> bool:
    """One effort and one recovery with power targets: Zwift's IntervalsT."""
    return len(node.steps) == 2 and all(isinstance(s, dict) for s in node.steps)


def _fmt(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _cadence(element: ET.Element, step: dict, attribute: str = "Cadence") -> None:
    cadence = step.get("cadence") or ({"min": step["target"]["min"], "max": step["target"]["max"]}
                                      if step.get("target") and step["target"]["type"] == "CADENCE"
                                      and "min" in step["target"] else None)
    if cadence:
        element.set(attribute, str(round((cadence["min"] + cadence["max"]) / 2)))


def _text(element: ET.Element, step: dict) -> None:
    message = " — ".join(p for p in (step.get("name"), step.get("notes")) if p)
    target = step.get("target")
    if target and target["type"] == "HEART_RATE":
        from workouts.text import target_text

        message = " — ".join(p for p in (message, "Heart rate " + target_text(target, "BIKE")) if p)
    if message:
        ET.SubElement(element, "textevent", timeoffset="0", message=message)


def _zwo_step(parent: ET.Element, step: dict, thresholds: Thresholds, sport: str, notes: Notes) -> None:
    bounds = share(step, thresholds, sport)
    seconds = str(step["seconds"])
    if bounds is None:
        element = ET.SubElement(parent, "FreeRide", Duration=seconds)
        if step.get("target") and step["target"]["type"] == "HEART_RATE":
            notes.add(step["path"], "a heart-rate target is a free ride in Zwift, its range shown as a message")
    elif step["intensity"] == "WARMUP" and bounds[0] != bounds[1]:
        element = ET.SubElement(parent, "Warmup", Duration=seconds, PowerLow=_fmt(bounds[0]), PowerHigh=_fmt(bounds[1]))
    elif step["intensity"] == "COOLDOWN" and bounds[0] != bounds[1]:
        element = ET.SubElement(parent, "Cooldown", Duration=seconds, PowerLow=_fmt(bounds[1]), PowerHigh=_fmt(bounds[0]))
    else:
        element = ET.SubElement(parent, "SteadyState", Duration=seconds, Power=_fmt(sum(bounds) / 2))
    _cadence(element, step)
    _text(element, step)


def _intervals(parent: ET.Element, node: Repeat, thresholds: Thresholds, sport: str) -> None:
    on, off = node.steps
    on_share, off_share = share(on, thresholds, sport), share(off, thresholds, sport)
    element = ET.SubElement(parent, "IntervalsT", Repeat=str(node.count), OnDuration=str(on["seconds"]),
                            OffDuration=str(off["seconds"]),
                            OnPower=_fmt(sum(on_share) / 2 if on_share else intensity(on, sport, thresholds)),
                            OffPower=_fmt(sum(off_share) / 2 if off_share else intensity(off, sport, thresholds)))
    _cadence(element, on)
    _cadence(element, off, "CadenceResting")
    _text(element, on)


# -- ERG and MRC -------------------------------------------------------------------------------------

def course(fmt: str, normalized: dict, thresholds: Thresholds, steps: list) -> bytes:
    sport = normalized["sport"]
    if sport != "BIKE":
        raise CannotHold(f"sport: {fmt.upper()} files are for bikes on a trainer, not {sport.lower()}s")
    if fmt == "erg" and not thresholds.ftp_watts:
        raise CannotHold("ERG files hold watts: the athlete's FTP is needed to turn zones into watts")
    points: list[tuple[float, float]] = []
    clock = 0.0
    for step in _flatten(steps):
        target = step.get("target")
        if target and target["type"] == "HEART_RATE":
            raise CannotHold(f"{step['path']}: {fmt.upper()} files hold power, not heart rate")
        bounds = share(step, thresholds, sport) or (NO_TARGET_SHARE[step["intensity"]],) * 2
        start, end = bounds
        if step["intensity"] == "COOLDOWN":
            start, end = end, start
        elif step["intensity"] != "WARMUP":
            start = end = sum(bounds) / 2
        minutes = step["seconds"] / 60
        points += [(clock, start), (clock + minutes, end)]
        clock += minutes
    scale = thresholds.ftp_watts if fmt == "erg" else 100
    unit = "WATTS" if fmt == "erg" else "PERCENT"
    header = ["[COURSE HEADER]", "VERSION = 2", "UNITS = ENGLISH", f"DESCRIPTION = {normalized['name']}",
              f"FILE NAME = {normalized['name']}"]
    if fmt == "erg":
        header.append(f"FTP = {round(thresholds.ftp_watts)}")
    header += [f"MINUTES {unit}", "[END COURSE HEADER]", "[COURSE DATA]"]
    data = [f"{minute:.2f}\t{round(value * scale)}" for minute, value in points]
    return ("\n".join(header + data + ["[END COURSE DATA]"]) + "\n").encode()
