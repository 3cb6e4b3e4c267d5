"""Zwift's .zwo workout files: the writer (and the reader, below).

Element and attribute names as catalogued by h4l/zwift-workout-file-reference: ``Warmup`` and
``Cooldown`` ramps, ``SteadyState`` and ``IntervalsT`` (a repeat of one effort and one recovery),
power as a share of FTP, ``Cadence``, ``textevent`` messages from step names and notes,
``FreeRide`` where a step has no power target.  Runs: ``sportType`` run, a pace target as a
share of threshold speed.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from workouts import Thresholds
from workouts.notes import Notes
from workouts.profile import intensity
from workouts.structure import Repeat

from .trainer_files import CannotHold, flatten, share


# -- Zwift -----------------------------------------------------------------------------------------

def write(normalized: dict, thresholds: Thresholds, steps: list, notes: Notes) -> bytes:
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
                for child in flatten(node.steps):
                    _zwo_step(workout, child, thresholds, sport, notes)
        else:
            _zwo_step(workout, node, thresholds, sport, notes)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=False) + b"\n"


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
