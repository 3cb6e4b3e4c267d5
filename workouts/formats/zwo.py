"""Zwift's .zwo workout files: the writer, and the reader of files written elsewhere.

Element and attribute names as catalogued by h4l/zwift-workout-file-reference (from every
workout Zwift ships) and as Zwift's own workout editor and the editors people use
(zwiftworkout.com, zwofactory) write them.

The writer: ``Warmup``, ``Cooldown`` and ``Ramp`` for ramps (``PowerLow`` where the ramp starts,
``PowerHigh`` where it ends, so a ramp down too), ``SteadyState`` and ``IntervalsT`` (a repeat of
one effort and one recovery), power as a share of FTP (a percent target as its fraction,
exactly), ``Cadence``, ``textevent`` messages from step names and notes (at the step's start)
and from its cues (at their time), ``FreeRide`` where a step has no power target.  Runs:
``sportType`` run, a pace target as a share of threshold speed.

The reader (:func:`read`) is below the writer.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from workouts import Thresholds
from workouts.notes import Notes
from workouts.structure import Repeat

from .trainer_files import NO_TARGET_SHARE, CannotHold, Level, cues, level


# -- the writer ------------------------------------------------------------------------------------

def write(normalized: dict, thresholds: Thresholds, steps: list, notes: Notes) -> bytes:
    """The .zwo of a workout whose steps carry their whole ``seconds`` (trainer_files.make)."""
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
    _emit(workout, steps, thresholds, sport, notes)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=False) + b"\n"


def _emit(parent: ET.Element, nodes: list, thresholds: Thresholds, sport: str, notes: Notes) -> None:
    for node in nodes:
        if isinstance(node, Repeat) and _intervals_t(node, thresholds, sport):
            _intervals(parent, node, thresholds, sport)
        elif isinstance(node, Repeat):  # Zwift has no other repeat: written out, the same blocks again
            for _ in range(node.count):
                _emit(parent, node.steps, thresholds, sport, notes)
        else:
            _zwo_step(parent, node, thresholds, sport, notes)


def _intervals_t(node: Repeat, thresholds: Thresholds, sport: str) -> bool:
    """One effort and one recovery, neither a ramp: Zwift's IntervalsT."""
    if len(node.steps) != 2 or not all(isinstance(s, dict) for s in node.steps):
        return False
    return not any((found := level(s, thresholds, sport)) is not None and found.ramp for s in node.steps)


def _fmt(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _cadence(element: ET.Element, step: dict, attribute: str = "Cadence") -> None:
    cadence = step.get("cadence") or ({"min": step["target"]["min"], "max": step["target"]["max"]}
                                      if step.get("target") and step["target"]["type"] == "CADENCE"
                                      and "min" in step["target"] else None)
    if cadence:
        element.set(attribute, str(round((cadence["min"] + cadence["max"]) / 2)))


def _message(step: dict) -> str:
    """What the step says at its start: its name and notes (and a heart rate Zwift cannot hold)."""
    message = " — ".join(p for p in (step.get("name"), step.get("notes")) if p)
    target = step.get("target")
    if target and target["type"] == "HEART_RATE":
        from workouts.text import target_text

        try:
            shown = target_text(target, "BIKE")
        except (KeyError, TypeError):  # a form the text helper does not know (yet)
            shown = None
        if shown:
            message = " — ".join(p for p in (message, "Heart rate " + shown) if p)
    return message


def _events(element: ET.Element, step: dict, offset: float = 0) -> None:
    """The step's messages as textevents, ``offset`` seconds into the element."""
    message = _message(step)
    if message:
        ET.SubElement(element, "textevent", timeoffset=_fmt(offset), message=message)
    for cue in cues(step):
        at = min(max(float(cue["at"]), 0.0), max(step["seconds"] - 1, 0))
        ET.SubElement(element, "textevent", timeoffset=_fmt(offset + at), message=cue["text"])


def _zwo_step(parent: ET.Element, step: dict, thresholds: Thresholds, sport: str, notes: Notes) -> None:
    found = level(step, thresholds, sport)
    seconds = str(step["seconds"])
    if found is None:
        element = ET.SubElement(parent, "FreeRide", Duration=seconds)
        if step.get("target") and step["target"]["type"] == "HEART_RATE":
            notes.add(step["path"], "a heart-rate target is a free ride in Zwift, its range shown as a message")
    elif found.ramp and found.start != found.end:
        tag = ("Warmup" if step["intensity"] == "WARMUP"
               else "Cooldown" if step["intensity"] == "COOLDOWN" and found.start > found.end else "Ramp")
        element = ET.SubElement(parent, tag, Duration=seconds, PowerLow=_fmt(found.start), PowerHigh=_fmt(found.end))
    elif not found.ramp and step["intensity"] == "WARMUP" and found.start != found.end:
        element = ET.SubElement(parent, "Warmup", Duration=seconds, PowerLow=_fmt(found.start),
                                PowerHigh=_fmt(found.end))
    elif not found.ramp and step["intensity"] == "COOLDOWN" and found.start != found.end:
        element = ET.SubElement(parent, "Cooldown", Duration=seconds, PowerLow=_fmt(found.end),
                                PowerHigh=_fmt(found.start))
    else:
        element = ET.SubElement(parent, "SteadyState", Duration=seconds, Power=_fmt(found.middle))
    _cadence(element, step)
    _events(element, step)


def _steady_share(step: dict, found: Level | None, thresholds: Thresholds, sport: str) -> float:
    if found is not None:
        return found.middle
    from workouts.profile import intensity

    try:
        return intensity(step, sport, thresholds)
    except (KeyError, TypeError, ZeroDivisionError):  # a target form the profile does not know (yet)
        return NO_TARGET_SHARE[step["intensity"]]


def _intervals(parent: ET.Element, node: Repeat, thresholds: Thresholds, sport: str) -> None:
    on, off = node.steps
    on_power = _steady_share(on, level(on, thresholds, sport), thresholds, sport)
    off_power = _steady_share(off, level(off, thresholds, sport), thresholds, sport)
    element = ET.SubElement(parent, "IntervalsT", Repeat=str(node.count), OnDuration=str(on["seconds"]),
                            OffDuration=str(off["seconds"]), OnPower=_fmt(on_power), OffPower=_fmt(off_power))
    _cadence(element, on)
    _cadence(element, off, "CadenceResting")
    period = on["seconds"] + off["seconds"]
    for repetition in range(node.count):  # an IntervalsT's textevents are timed from its start
        _events(element, on, repetition * period)
        _events(element, off, repetition * period + on["seconds"])
