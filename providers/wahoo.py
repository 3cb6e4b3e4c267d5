"""Wahoo Cloud API: a normalized workout as a Wahoo plan, and the forms that upload it.

Follows Wahoo's Cloud API documentation ("Plans", "Workouts") and its plan-format document:
the plan JSON (``header`` + ``intervals``) is uploaded with ``POST /v1/plans`` as a base64
data URI in ``plan[file]``, with a ``plan[external_id]`` unique per session revision and a
``plan[provider_updated_at]``; ``POST /v1/workouts`` then puts it on the calendar.

What this converter enforces, each as a validation problem:

- only BIKE (``workout_type_family`` 0) and RUN (1) go to Wahoo;
- an interval ends on time or distance; Wahoo has no lap-press end, so OPEN is refused;
- nested repeats are nested ``intervals`` whose ``exit_trigger_value`` counts the
  repetitions *after the first* (3 repetitions are sent as 2), as independent
  implementations of the plan format read it;
- ``targets`` list the primary target first, then cadence (``rpm``);
- a POWER zone is sent relative to FTP (``ftp``, a fraction) only where the header carries
  the athlete's FTP; a zone no threshold resolves is refused; pace is sent as ``speed``
  in m/s.
"""

from __future__ import annotations

import base64
import json
import math
from datetime import datetime

from workouts.structure import Node, Repeat, native_tree
from workouts.validation import Problem, WorkoutInvalid
from workouts.zones import pace_speed, zone_percent

FAMILY = {"BIKE": 0, "RUN": 1}
WORKOUT_TYPE_ID = {"BIKE": 0, "RUN": 1}  # Wahoo's workout_type_id: 0 biking, 1 running
INTENSITY = {"WARMUP": "wu", "ACTIVE": "active", "RECOVERY": "recover", "REST": "rest", "COOLDOWN": "cd"}
# Speeds used only to estimate the planned minutes of distance steps without a pace target.
DEFAULT_SPEED = {"BIKE": 30 / 3.6, "RUN": 10 / 3.6}


def plan(normalized: dict, ftp: float | None = None) -> dict:
    """The plan JSON; ``ftp`` lets POWER zones be sent relative to the athlete's FTP."""
    sport = normalized["sport"]
    if sport not in FAMILY:
        raise WorkoutInvalid([Problem("sport", "Wahoo takes BIKE and RUN workouts only")])
    problems: list[Problem] = []
    uses_ftp: list[bool] = []
    intervals = [_interval(node, ftp, problems, uses_ftp) for node in native_tree(normalized["steps"])]
    if problems:
        raise WorkoutInvalid(problems)
    header = {"name": normalized["name"].strip(), "version": "1.0.0", "workout_type_family": FAMILY[sport]}
    if normalized.get("description"):
        header["description"] = normalized["description"]
    if uses_ftp:
        header["ftp"] = ftp
    return {"header": header, "intervals": intervals}


def external_id(session_id: int, revision: int) -> str:
    """Unique per session revision, so that a retry finds the plan it already uploaded."""
    return f"hybridpeaks-{session_id}-r{revision}"


def plan_form(plan_json: dict, external: str, updated_at: datetime) -> dict:
    """The form fields of ``POST /v1/plans``."""
    encoded = base64.b64encode(json.dumps(plan_json, separators=(",", ":")).encode()).decode()
    return {
        "plan[file]": "data:application/json;base64," + encoded,
        "plan[filename]": f"{external}.json",
        "plan[external_id]": external,
        "plan[provider_updated_at]": updated_at.isoformat(timespec="seconds"),
    }


def workout_form(plan_id: int | str, name: str, starts: datetime, minutes: int, sport: str, token: str) -> dict:
    """The form fields of ``POST /v1/workouts`` (``starts`` carries its time zone)."""
    return {
        "workout[plan_id]": str(plan_id),
        "workout[name]": name,
        "workout[starts]": starts.isoformat(timespec="seconds"),
        "workout[minutes]": str(minutes),
        "workout[workout_type_id]": str(WORKOUT_TYPE_ID[sport]),
        "workout[workout_token]": token,
    }


def planned_minutes(normalized: dict) -> int:
    """Whole minutes the workout should take: its timed steps, plus distance steps at their
    target pace (or a typical speed for the sport)."""
    seconds = 0.0
    for step in normalized["steps"]:
        duration = step["duration"]
        if duration["type"] == "TIME":
            seconds += duration["value"]
        elif duration["type"] == "DISTANCE":
            target = step.get("target") or {}
            if target.get("type") == "PACE" and "min" in target:
                seconds += duration["value"] / 1000 * (target["min"] + target["max"]) / 2
            else:
                seconds += duration["value"] / DEFAULT_SPEED.get(normalized["sport"], 10 / 3.6)
    return max(1, math.ceil(seconds / 60))


# -- intervals ---------------------------------------------------------------------------

def _interval(node: Node, ftp, problems: list[Problem], uses_ftp: list[bool]) -> dict:
    if isinstance(node, Repeat):
        return {
            "name": f"{node.count} x",
            "exit_trigger_type": "repeat",
            "exit_trigger_value": node.count - 1,
            "intervals": [_interval(child, ftp, problems, uses_ftp) for child in node.steps],
        }
    duration = node["duration"]
    if duration["type"] == "OPEN":
        problems.append(Problem(node["path"], "Wahoo plans cannot end a step on a lap press (OPEN duration)"))
    targets = _targets(node, ftp, problems, uses_ftp)
    return {
        "name": node.get("name") or node["intensity"].capitalize(),
        "exit_trigger_type": duration["type"].lower(),
        "exit_trigger_value": duration.get("value", 0),
        "intensity_type": INTENSITY[node["intensity"]],
        "targets": targets,
    }


def _targets(step: dict, ftp, problems: list[Problem], uses_ftp: list[bool]) -> list[dict]:
    targets = []
    target = step.get("target")
    if target is not None:
        primary = _primary(target, step["path"], ftp, problems, uses_ftp)
        if primary:
            targets.append(primary)
    cadence = step.get("cadence")
    if cadence:
        targets.append({"type": "rpm", "low": cadence["min"], "high": cadence["max"]})
    return targets


def _primary(target: dict, path: str, ftp, problems: list[Problem], uses_ftp: list[bool]) -> dict | None:
    kind = target["type"]
    if kind == "POWER" and target.get("zone") is not None and ftp:
        low, high = zone_percent("POWER", target["zone"])
        uses_ftp.append(True)
        return {"type": "ftp", "low": low / 100, "high": high / 100}
    if "min" not in target:
        needs = {"POWER": "FTP", "HEART_RATE": "maximum heart rate", "PACE": "threshold pace"}[kind]
        problems.append(Problem(path, f"Wahoo needs the athlete's {needs} to send {kind} zone {target['zone']}"))
        return None
    if kind == "POWER":
        return {"type": "watts", "low": target["min"], "high": target["max"]}
    if kind == "HEART_RATE":
        return {"type": "hr", "low": target["min"], "high": target["max"]}
    if kind == "CADENCE":
        return {"type": "rpm", "low": target["min"], "high": target["max"]}
    return {"type": "speed", "low": pace_speed(target["max"]), "high": pace_speed(target["min"])}
