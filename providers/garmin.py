"""Garmin Training API V2: a normalized workout as Garmin's workout JSON, and its schedule.

Follows the Garmin Connect Developer Program's Training API V2 documentation ("Workouts",
"Workout Schedule"): ``POST /workoutportal/workout/v2`` creates the workout described
here, ``POST /training-api/schedule/`` puts it on a date with ``{"workoutId", "date"}``.

What this converter enforces, each as a validation problem (never a silent cut):

- one segment of ``WorkoutStep`` and native ``WorkoutRepeatStep`` (``REPEAT_UNTIL_STEPS_CMPLT``),
  ``stepOrder`` numbered depth-first across nested steps;
- a repeat step holds plain steps only, so a block nested in a block is sent with one
  level expanded, whichever level gives fewer steps;
- at most 100 steps, a repeat step counting once plus its children;
- a workout description of at most 1,024 characters and step descriptions of at most 512;
- ``workoutProvider`` and ``workoutSourceId`` of at most 20 characters;
- PACE targets as speed in m/s (the slower end is ``targetValueLow``);
- cadence is a secondary target, on bikes only, and never over an OPEN primary: with no
  primary target the cadence range becomes the primary;
- LAP_SWIMMING steps carry no primary target;
- a POWER or HEART_RATE zone the athlete has no threshold for is sent as Garmin's own
  zone number (``targetValue``), resolved on the device; Garmin has no pace zones, so an
  unresolved PACE zone is refused.
"""

from __future__ import annotations

import itertools
from datetime import date

from workouts.structure import Node, Repeat, native_tree
from workouts.validation import Problem, WorkoutInvalid
from workouts.zones import pace_speed

SPORTS = {"BIKE": "CYCLING", "RUN": "RUNNING", "SWIM": "LAP_SWIMMING", "ROW": "GENERIC", "OTHER": "GENERIC"}
MAX_STEPS = 100
MAX_DESCRIPTION = 1024
MAX_STEP_DESCRIPTION = 512
PROVIDER = "HybridPeaks"
SOURCE_ID_MAX = 20  # Training API V2 caps workoutProvider and workoutSourceId at 20 characters


def convert(normalized: dict, source_id: str | None = None) -> dict:
    """The body of ``POST /workoutportal/workout/v2``; raises WorkoutInvalid with Garmin's limits."""
    sport = SPORTS[normalized["sport"]]
    nodes = one_level_repeats(native_tree(normalized["steps"]))
    problems: list[Problem] = []
    count = step_count(nodes)
    if count > MAX_STEPS:
        problems.append(Problem("steps", f"Garmin takes at most {MAX_STEPS} steps (a repeat counts once, "
                                         f"plus its steps); this workout needs {count}"))
    description = normalized.get("description")
    if description and len(description) > MAX_DESCRIPTION:
        problems.append(Problem("description", f"Garmin takes a description of at most {MAX_DESCRIPTION:,} characters"))
    order = itertools.count(1)
    steps = [_node(node, order, normalized["sport"], problems) for node in nodes]
    if problems:
        raise WorkoutInvalid(problems)
    return {
        "workoutName": normalized["name"].strip(),
        "description": description or None,
        "sport": sport,
        "workoutProvider": PROVIDER,
        "workoutSourceId": source_id or PROVIDER,
        "poolLength": None,
        "poolLengthUnit": None,
        "segments": [{"segmentOrder": 1, "sport": sport, "steps": steps}],
    }


def source_id(session_id: int, revision: int) -> str:
    """Our id of one session revision, as Garmin keeps it (``workoutSourceId``)."""
    value = f"hp{session_id}r{revision}"
    if len(value) > SOURCE_ID_MAX:
        raise ValueError(f"workoutSourceId {value!r} is longer than {SOURCE_ID_MAX} characters")
    return value


def schedule_body(workout_id: int | str, day: date) -> dict:
    """The body of ``POST /training-api/schedule/``."""
    return {"workoutId": workout_id, "date": day.isoformat()}


# -- repeats -----------------------------------------------------------------------------

def one_level_repeats(nodes: list[Node]) -> list[Node]:
    """Garmin's repeat steps hold plain steps: expand one level of any nested block."""
    out: list[Node] = []
    for node in nodes:
        if not isinstance(node, Repeat) or not any(isinstance(n, Repeat) for n in node.steps):
            out.append(node)
            continue
        outer_expanded = [child for _ in range(node.count) for child in node.steps]
        inner_expanded = Repeat(node.count, [s for child in node.steps for s in _expand(child)], node.path)
        if step_count(outer_expanded) < step_count([inner_expanded]):
            out.extend(outer_expanded)
        else:
            out.append(inner_expanded)
    return out


def _expand(node: Node) -> list[Node]:
    return [s for _ in range(node.count) for s in node.steps] if isinstance(node, Repeat) else [node]


def step_count(nodes: list[Node]) -> int:
    """Steps as Garmin counts them: a repeat step once, plus its children."""
    return sum(1 + step_count(n.steps) if isinstance(n, Repeat) else 1 for n in nodes)


# -- steps -------------------------------------------------------------------------------

def _node(node: Node, order, sport: str, problems: list[Problem]) -> dict:
    if isinstance(node, Repeat):
        step_order = next(order)
        return {
            "type": "WorkoutRepeatStep",
            "stepOrder": step_order,
            "repeatType": "REPEAT_UNTIL_STEPS_CMPLT",
            "repeatValue": node.count,
            "skipLastRestStep": False,
            "steps": [_node(child, order, sport, problems) for child in node.steps],
        }
    return _step(node, next(order), sport, problems)


def _step(step: dict, step_order: int, sport: str, problems: list[Problem]) -> dict:
    path = step["path"]
    duration = step["duration"]
    description = " — ".join(part for part in (step.get("name"), step.get("notes")) if part) or None
    if description and len(description) > MAX_STEP_DESCRIPTION:
        problems.append(Problem(path, f"Garmin takes a step description of at most {MAX_STEP_DESCRIPTION} characters"))
    primary = _primary(step, sport, path, problems)
    secondary = _secondary(step, primary)
    return {
        "type": "WorkoutStep",
        "stepOrder": step_order,
        "intensity": step["intensity"],
        "description": description,
        "durationType": duration["type"],
        "durationValue": duration.get("value"),
        "durationValueType": None,
        "targetType": primary["type"],
        "targetValue": primary.get("value"),
        "targetValueLow": primary.get("low"),
        "targetValueHigh": primary.get("high"),
        "targetValueType": None,
        "secondaryTargetType": secondary["type"] if secondary else None,
        "secondaryTargetValue": None,
        "secondaryTargetValueLow": secondary["low"] if secondary else None,
        "secondaryTargetValueHigh": secondary["high"] if secondary else None,
        "secondaryTargetValueType": None,
        "strokeType": None,
        "equipmentType": None,
    }


def _primary(step: dict, sport: str, path: str, problems: list[Problem]) -> dict:
    target = step.get("target")
    cadence = step.get("cadence")
    if target is None:
        if cadence and sport == "BIKE":  # never a secondary target over an OPEN primary
            return {"type": "CADENCE", "low": cadence["min"], "high": cadence["max"]}
        return {"type": "OPEN"}
    if sport == "SWIM":
        problems.append(Problem(path, "Garmin swim steps carry no primary target"))
        return {"type": "OPEN"}
    kind = target["type"]
    if "min" not in target:  # a zone with no known threshold
        if kind == "PACE":
            problems.append(Problem(path, "Garmin has no pace zones: the athlete's threshold pace is needed "
                                          f"to send PACE zone {target['zone']}"))
            return {"type": "OPEN"}
        return {"type": kind, "value": target["zone"]}
    if kind == "PACE":  # pace in s/km -> speed in m/s; the slower pace is the lower speed
        return {"type": "PACE", "low": pace_speed(target["max"]), "high": pace_speed(target["min"])}
    return {"type": kind, "low": target["min"], "high": target["max"]}


def _secondary(step: dict, primary: dict) -> dict | None:
    cadence = step.get("cadence")
    if not cadence or primary["type"] in ("CADENCE", "OPEN"):
        return None
    return {"type": "CADENCE", "low": cadence["min"], "high": cadence["max"]}
