"""The normalizer: a valid workout in, the flat list of steps every converter starts from.

A normalized workout is itself JSON (``flask workouts normalize`` prints it):

    {"normalized": true, "sport", "name", "description",
     "steps": [{"path": "steps[1].steps[0]",
                "blocks": [{"path": "steps[1]", "repeat": 4, "iteration": 1}],
                "intensity", "duration", "target", "cadence", "name", "notes"}, ...],
     "totals": {"steps", "timeSeconds", "distanceMeters", "openSteps"}}

- Repeat blocks are expanded in order; ``blocks`` lists the enclosing blocks (outermost
  first) with the iteration, so a converter can rebuild a native repeat (see structure.py).
- A zone target keeps its ``zone`` and gains ``min``/``max`` where the athlete's threshold
  is known; where it is not, it stays a zone number.
- A percent target (``"unit": "PERCENT"``) becomes ``{"type", "percent": {"min", "max"}}``, and
  a percent ramp ``{"type", "percent": {"from", "to"}}``; each gains the absolute ``min``/``max``
  or ``from``/``to`` (rounded like a zone: whole watts, bpm, seconds per km) where the threshold
  is known.  An absolute ramp is ``{"type", "from", "to"}``.  ``unit`` itself is not kept: a
  converter asks "resolved?" as ``"min" in target or "from" in target``.
- ``cues`` are kept on the step, sorted by ``at`` (stable for equal times), and left out when
  the step has none, so a workout without cues normalizes exactly as before.
- Units are canonical: seconds, meters, watts, bpm, rpm and seconds per km (a SWIM pace,
  written per 100 m, is multiplied by 10).

Strength and cardio steps keep their ``exercise`` (``{"category", "name"}``) and their
``weight``, which gains its kilograms: ``{"value": 225, "unit": "LB", "kg": 102.058}`` (the
coach's unit stays for display; devices and files take the kilograms).  A ``REPS`` duration is
kept as ``{"type": "REPS", "value": n}``; ``totals`` then also count ``repSteps`` and ``reps``
(left out where there are none, so an endurance workout normalizes exactly as before).

A multisport workout normalizes each leg as a workout of its sport, its steps' paths naming
the leg (``legs[1].steps[0]``), and adds the totals over all legs and how many there are:

    {"normalized": true, "sport": "MULTISPORT", "name", "description",
     "legs": [{"sport": "BIKE", "steps": [...], "totals": {...}}, ...],
     "totals": {"steps", "timeSeconds", "distanceMeters", "openSteps", "legs"}}

(the pool, where a leg swims, is the workout's ``poolLength``/``poolLengthUnit``).

Normalizing never changes what the athlete will do (order, durations and targets are
kept), and normalizing a normalized workout with the same thresholds changes nothing.
The input must already be valid (workouts.validation); this module does not re-check it.
"""

from __future__ import annotations

from typing import Iterator

from .constants import MULTISPORT, SWIM_PACE_FACTOR
from .strength import canonical_weight
from .zones import Thresholds, resolve_percent, resolve_range, resolve_zone

SETTING_KEYS = ("location", "poolLength", "poolLengthUnit")


def normalize(workout: dict, thresholds: Thresholds | None = None) -> dict:
    thresholds = thresholds or Thresholds()
    sport = workout["sport"]
    result = {"normalized": True, "sport": sport, "name": workout["name"], "description": workout.get("description")}
    if sport == MULTISPORT:
        result["legs"] = [_leg(leg, f"legs[{index}].steps", thresholds, workout.get("normalized") is True)
                          for index, leg in enumerate(workout["legs"])]
        result["totals"] = dict(totals([s for leg in result["legs"] for s in leg["steps"]]), legs=len(result["legs"]))
    else:
        steps = _steps(workout["steps"], "steps", sport, thresholds, workout.get("normalized") is True)
        result["steps"], result["totals"] = steps, totals(steps)
    for key in SETTING_KEYS:  # optional: where the workout is done
        if workout.get(key) is not None:
            result[key] = workout[key]
    return result


def _leg(leg: dict, path: str, thresholds: Thresholds, canonical: bool) -> dict:
    steps = _steps(leg["steps"], path, leg["sport"], thresholds, canonical)
    return {"sport": leg["sport"], "steps": steps, "totals": totals(steps)}


def _steps(steps: list, path: str, sport: str, thresholds: Thresholds, canonical: bool) -> list[dict]:
    if canonical:
        return [_flat_step(step, step["path"], step["blocks"], sport, thresholds, canonical=True) for step in steps]
    return list(_expand(steps, path, [], sport, thresholds))


def totals(steps: list[dict]) -> dict:
    """Total time, distance and OPEN steps of a flat list of steps (and reps, where there are any)."""
    time = sum(s["duration"]["value"] for s in steps if s["duration"]["type"] == "TIME")
    distance = sum(s["duration"]["value"] for s in steps if s["duration"]["type"] == "DISTANCE")
    opened = sum(1 for s in steps if s["duration"]["type"] == "OPEN")
    result = {"steps": len(steps), "timeSeconds": time, "distanceMeters": distance, "openSteps": opened}
    reps = [s["duration"]["value"] for s in steps if s["duration"]["type"] == "REPS"]
    if reps:
        result.update(repSteps=len(reps), reps=sum(reps))
    return result


def _expand(steps: list, path: str, blocks: list, sport: str, thresholds: Thresholds) -> Iterator[dict]:
    for index, item in enumerate(steps):
        item_path = f"{path}[{index}]"
        if "repeat" in item:
            for iteration in range(1, item["repeat"] + 1):
                block = {"path": item_path, "repeat": item["repeat"], "iteration": iteration}
                yield from _expand(item["steps"], item_path + ".steps", blocks + [block], sport, thresholds)
        else:
            yield _flat_step(item, item_path, blocks, sport, thresholds, canonical=False)


def _flat_step(step: dict, path: str, blocks: list, sport: str, thresholds: Thresholds, canonical: bool) -> dict:
    duration = step["duration"]
    cadence = step.get("cadence")
    flat = {
        "path": path,
        "blocks": [dict(block) for block in blocks],
        "intensity": step["intensity"],
        "duration": {"type": "OPEN"} if duration["type"] == "OPEN"
        else {"type": duration["type"], "value": duration["value"]},
        "target": _target(step.get("target"), sport, thresholds, canonical),
        "cadence": {"min": cadence["min"], "max": cadence["max"]} if cadence else None,
        "name": step.get("name"),
        "notes": step.get("notes"),
    }
    if step.get("cues"):
        flat["cues"] = [{"at": cue["at"], "text": cue["text"]} for cue in sorted(step["cues"], key=lambda c: c["at"])]
    if step.get("exercise"):
        flat["exercise"] = dict(step["exercise"])
    if step.get("weight"):
        flat["weight"] = canonical_weight(step["weight"])
    return flat


def _target(target: dict | None, sport: str, thresholds: Thresholds, canonical: bool) -> dict | None:
    if target is None:
        return None
    kind = target["type"]
    result: dict = {"type": kind}
    threshold = thresholds.for_target(kind, sport)
    zone = target.get("zone")
    if zone is not None:
        result["zone"] = zone
        if target.get("min") is not None:  # already resolved
            result["min"], result["max"] = target["min"], target["max"]
        elif threshold:
            result["min"], result["max"] = resolve_zone(kind, zone, threshold)
        return result

    percent = target.get("percent") if canonical else _percent_of(target)
    if percent is not None:
        result["percent"] = dict(percent)
        ends = ("from", "to") if "from" in percent else ("min", "max")
        if target.get(ends[0]) is not None and canonical:  # already resolved
            result[ends[0]], result[ends[1]] = target[ends[0]], target[ends[1]]
        elif threshold and "from" in percent:
            result["from"] = resolve_percent(kind, percent["from"], threshold)
            result["to"] = resolve_percent(kind, percent["to"], threshold)
        elif threshold:
            result["min"], result["max"] = resolve_range(kind, percent["min"], percent["max"], threshold)
        return result

    factor = SWIM_PACE_FACTOR if kind == "PACE" and sport == "SWIM" and not canonical else 1
    ends = ("from", "to") if target.get("from") is not None else ("min", "max")
    result[ends[0]], result[ends[1]] = target[ends[0]] * factor, target[ends[1]] * factor
    return result


def _percent_of(target: dict) -> dict | None:
    """A raw target's own percents (``unit`` PERCENT), as the normalized ``percent`` field."""
    if target.get("unit") != "PERCENT":
        return None
    if target.get("from") is not None:
        return {"from": target["from"], "to": target["to"]}
    return {"min": target["min"], "max": target["max"]}
