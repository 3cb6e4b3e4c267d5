"""Wahoo Cloud API: a normalized workout as a Wahoo plan, what changed, and the forms that send it.

Follows providers.md, "Wahoo Cloud API", sections Plans and workouts and plan.json 1.0.0
(Wahoo's "Public plan.json File Format" 1.0.0, linked from ``WahooFitness/slate``
``plans/_plan_files.md``; ``_data_types.md`` for workout types):

- only BIKE (``workout_type_family`` 0) and RUN (1) go to Wahoo; another sport is UNSUPPORTED;
- the header holds every required field: ``name``, ``version`` "1.0.0",
  ``workout_type_family`` and ``workout_type_location`` (0 indoor, 1 outdoor: the
  workout's ``location``, outdoor when it does not say), and the athlete's FTP as an
  integer where a step is sent relative to it;
- an interval ends on time or distance: Wahoo has no lap-press end, so a lap-press step is
  sent as a timed step of a sensible length (the workout's own steps of that intensity, or
  a default), named so the athlete knows to press lap when done (noted);
- a repeat is an interval of type ``repeat`` whose ``exit_trigger_value`` counts the
  repetitions *after the first* (3 repetitions are sent as 2), holding its intervals;
- ``targets`` list the primary target first: Wahoo bike computers use only the first, so a
  cadence range beside a primary target is written into the interval's name (noted);
- a POWER zone goes relative to the header's FTP (``ftp``); heart rate in bpm and pace as a
  ``speed`` in m/s, absolute (header HR and speed thresholds are not supported on ELEMNT or
  RIVAL); a zone the athlete has no threshold for goes without a target, the interval's
  name saying which zone the coach meant (noted, naming the missing threshold);
- a percent target goes resolved (watts, bpm, m/s) where the athlete's threshold is known:
  the same as relative to a header threshold we would fill from the same profile; with no
  threshold the header cannot hold one (plan.json: a relative target "only if the header
  holds that threshold"), so it goes without a target, the name saying it (noted);
- ramps go as flat intervals (workouts.ramps: the same time, the work within 1 %); a ramp
  with no threshold to resolve it goes as one interval without a target (noted); text cues
  are folded into the interval's name (noted);
- plan.json publishes no limit on intervals.  We send at most :data:`MAX_INTERVALS` (200,
  counted expanded, which is never fewer than counted as written): the most our own format
  holds, so a plan of ours is never longer than the longest workout a coach can write, and
  ramps are split only as far as that allows (workouts.fitting); a lower limit, should Wahoo
  publish one, is the ``max_intervals`` argument, and the sandbox plays one;
- STRENGTH, CARDIO and MULTISPORT are UNSUPPORTED, saying why (for a brick: which legs could
  go alone, which is not the workout).
"""

from __future__ import annotations

import base64
import json
import math
import statistics
from datetime import datetime, time, timezone

from workouts import Thresholds
from workouts.fitting import CannotFit, fit_steps
from workouts.ramps import is_ramp
from workouts.structure import Node, Repeat, native_tree
from workouts.text import cues_text, duration_text, range_text, target_text, threshold_name
from workouts.validation import Problem
from workouts.zones import pace_speed, zone_percent

from ..verdict import Fit, Notes

FAMILY = {"BIKE": 0, "RUN": 1}
LOCATION = {"INDOOR": 0, "OUTDOOR": 1}
# Wahoo's workout_type_id (_data_types.md): outdoor biking 0, running 1; indoors the trainer
# (61, BIKING_INDOOR_TRAINER) and the treadmill (5, RUNNING_TREADMILL).
WORKOUT_TYPE_ID = {("BIKE", "OUTDOOR"): 0, ("RUN", "OUTDOOR"): 1, ("BIKE", "INDOOR"): 61, ("RUN", "INDOOR"): 5}
INTENSITY = {"WARMUP": "wu", "ACTIVE": "active", "RECOVERY": "recover", "REST": "rest", "COOLDOWN": "cd"}
# How long a lap-press step lasts on Wahoo when the workout has no timed step of its kind.
OPEN_SECONDS = {"WARMUP": 600, "COOLDOWN": 600, "RECOVERY": 300, "REST": 300, "ACTIVE": 600}
# Speeds used only to estimate the planned minutes of distance steps without a pace target.
DEFAULT_SPEED = {"BIKE": 30 / 3.6, "RUN": 10 / 3.6}
LABEL = {"POWER": "Power", "HEART_RATE": "Heart rate", "PACE": "Pace"}
MAX_INTERVALS = 200  # not published by Wahoo: see the module
# Not published either: an interval's name as we keep it, a line or two on a bike computer.
INTERVAL_NAME_MAX = 200


def fit(normalized: dict, thresholds: Thresholds | None = None, max_intervals: int = MAX_INTERVALS) -> Fit:
    """The plan JSON, with a note for every change, and the facts the calendar entry needs."""
    thresholds = thresholds or Thresholds()
    refused = refusal(normalized)
    if refused is not None:
        return Fit.unsupported([refused])
    sport = normalized["sport"]
    notes = Notes()
    try:
        fitted = fit_steps(normalized["steps"], sport, max_intervals, len, lambda step: "from" in step["target"])
    except CannotFit as why:
        return Fit.unsupported([Problem("steps", f"we send Wahoo at most {max_intervals} intervals; this workout "
                                                 f"needs {len(normalized['steps'])}, and merging neighbours cannot "
                                                 f"get there: {why}")])
    for note in fitted.notes:
        notes.add("", note)
    converter = _Converter(sport, thresholds, notes, normalized["steps"])
    intervals = [converter.interval(node) for node in native_tree(fitted.steps)]
    location = normalized.get("location", "OUTDOOR")
    header = {"name": normalized["name"].strip(), "version": "1.0.0", "workout_type_family": FAMILY[sport],
              "workout_type_location": LOCATION[location]}
    if normalized.get("description"):
        header["description"] = normalized["description"]
    if converter.uses_ftp:
        header["ftp"] = int(round(thresholds.ftp_watts))
    plan = {"header": header, "intervals": intervals}
    extra = {"minutes": planned_minutes(normalized, converter.open_seconds),
             "workout_type_id": WORKOUT_TYPE_ID[(sport, location)]}
    return Fit.of(plan, notes, extra)


def refusal(normalized: dict) -> Problem | None:
    """Why Wahoo cannot take the workout at all, or None."""
    sport = normalized["sport"]
    if sport in FAMILY:
        return None
    if sport in ("STRENGTH", "CARDIO"):
        return Problem("sport", f"a Wahoo plan is a bike or run workout (plan.json's workout_type_family: 0 biking, "
                                f"1 running); Wahoo devices have no {sport.lower()} workouts of sets and reps")
    if sport == "MULTISPORT":
        alone = [f"legs[{i}] ({leg['sport'].lower()})" for i, leg in enumerate(normalized["legs"])
                 if leg["sport"] in FAMILY]
        could = (f"; only {', '.join(alone)} could go, each alone as its own workout, which is not the workout the "
                 "coach wrote") if alone else "; none of its legs is a bike or run workout"
        return Problem("sport", "a Wahoo plan is one bike or run workout and plan.json has no multisport form "
                                "(no legs, no transitions)" + could)
    return Problem("sport", f"Wahoo takes BIKE and RUN workouts only, not {sport}")


def plan(normalized: dict, thresholds: Thresholds | None = None) -> dict:
    """The plan Wahoo gets; raises Unsupported when it cannot take the workout."""
    return fit(normalized, thresholds).sendable()


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


def workout_form(plan_id: int | str, name: str, starts: datetime, minutes: int, workout_type_id: int,
                 token: str) -> dict:
    """The form fields of ``POST /v1/workouts`` (``starts`` carries its time zone)."""
    return {
        "workout[plan_id]": str(plan_id),
        "workout[name]": name,
        "workout[starts]": starts.isoformat(timespec="seconds"),
        "workout[minutes]": str(minutes),
        "workout[workout_type_id]": str(workout_type_id),
        "workout[workout_token]": token,
    }


def schedule_preview(normalized: dict, fit: Fit, day) -> dict:
    """The calendar entry that would follow the plan's upload (``flask workouts export --date``)."""
    starts = datetime.combine(day, time(7), tzinfo=timezone.utc)
    form = workout_form("<plan id>", normalized["name"], starts, fit.extra["minutes"], fit.extra["workout_type_id"],
                        "<workout token>")
    return {"POST /v1/workouts": form}


def planned_minutes(normalized: dict, open_seconds: dict[str, float] | None = None) -> int:
    """Whole minutes the workout should take: its timed steps, lap-press steps at the length
    Wahoo plays them, and distance steps at their target pace (or a typical speed)."""
    open_seconds = open_seconds or {}
    seconds = 0.0
    for step in normalized["steps"]:
        duration = step["duration"]
        if duration["type"] == "TIME":
            seconds += duration["value"]
        elif duration["type"] == "OPEN":
            seconds += open_seconds.get(step["intensity"], OPEN_SECONDS[step["intensity"]])
        else:
            target = step.get("target") or {}
            if target.get("type") == "PACE" and "min" in target:
                seconds += duration["value"] / 1000 * (target["min"] + target["max"]) / 2
            else:
                seconds += duration["value"] / DEFAULT_SPEED.get(normalized["sport"], 10 / 3.6)
    return max(1, math.ceil(seconds / 60))


# -- intervals ---------------------------------------------------------------------------

class _Converter:
    def __init__(self, sport: str, thresholds: Thresholds, notes: Notes, steps: list[dict]):
        self.sport, self.thresholds, self.notes = sport, thresholds, notes
        self.uses_ftp = False
        self.open_seconds = {intensity: _open_length(steps, intensity) for intensity in OPEN_SECONDS}

    def interval(self, node: Node) -> dict:
        if isinstance(node, Repeat):
            return {
                "name": f"{node.count} x",
                "exit_trigger_type": "repeat",
                "exit_trigger_value": node.count - 1,
                "intervals": [self.interval(child) for child in node.steps],
            }
        path, duration = node["path"], node["duration"]
        name = node.get("name") or node["intensity"].capitalize()
        kind, value = duration["type"].lower(), duration.get("value")
        if duration["type"] == "OPEN":
            value = self.open_seconds[node["intensity"]]
            kind, name = "time", f"{name} (press lap when done)"
            self.notes.add(path, f"a lap-press step is sent as {duration_text(value)} (Wahoo steps end on time or "
                                 "distance); press lap to end it sooner")
        targets, shown = self.targets(node, path)
        if shown:
            name = f"{name} · {shown}"
        cues = cues_text(node.get("cues"))
        if cues:
            name = f"{name} · {cues}"
            self.notes.add(path, "its cues are in the interval's name (Wahoo intervals have no timed messages)")
        if len(name) > INTERVAL_NAME_MAX:
            name = name[:INTERVAL_NAME_MAX - 1] + "…"
            self.notes.add(path, f"the interval's name is cut to {INTERVAL_NAME_MAX} characters")
        return {"name": name, "exit_trigger_type": kind, "exit_trigger_value": value,
                "intensity_type": INTENSITY[node["intensity"]], "targets": targets}

    def targets(self, step: dict, path: str) -> tuple[list[dict], str | None]:
        """The interval's targets, primary first, and any text its name must carry instead."""
        targets, shown = [], []
        target = step.get("target")
        if target is not None:
            primary = self.primary(target, path)
            if primary is not None:
                targets.append(primary)
            elif target.get("zone") is not None:
                shown.append(f"{LABEL[target['type']]} zone {target['zone']}")
            else:
                shown.append(f"{LABEL[target['type']]} {target_text(target, self.sport)}")
        cadence = step.get("cadence")
        if cadence:
            if targets:
                text = f"{range_text(cadence['min'], cadence['max'])} rpm"
                shown.append(text)
                self.notes.add(path, f"cadence {text} is a second target, which Wahoo bike computers do not show: "
                                     "it is in the interval's name")
            targets.append({"type": "rpm", "low": cadence["min"], "high": cadence["max"]})
        return targets, " · ".join(shown) or None

    def primary(self, target: dict, path: str) -> dict | None:
        kind = target["type"]
        if kind == "POWER" and target.get("zone") is not None and self.thresholds.ftp_watts:
            low, high = zone_percent("POWER", target["zone"])
            self.uses_ftp = True
            return {"type": "ftp", "low": low / 100, "high": high / 100}
        if is_ramp(target) or ("min" not in target and target.get("percent") is not None):
            self.notes.add(path, f"{target_text(target, self.sport)} is sent without a target (the interval's name "
                                 f"says it): the athlete's {threshold_name(kind, self.sport)} is missing")
            return None
        if "min" not in target:
            self.notes.add(path, f"{LABEL[kind].lower()} zone {target['zone']} is sent without a target (the interval's "
                                 f"name says it): the athlete's {threshold_name(kind, self.sport)} is missing")
            return None
        if kind == "POWER":
            return {"type": "watts", "low": target["min"], "high": target["max"]}
        if kind == "HEART_RATE":
            return {"type": "hr", "low": target["min"], "high": target["max"]}
        if kind == "CADENCE":
            return {"type": "rpm", "low": target["min"], "high": target["max"]}
        return {"type": "speed", "low": pace_speed(target["max"]), "high": pace_speed(target["min"])}


def _open_length(steps: list[dict], intensity: str) -> int:
    """A lap-press step's length on Wahoo: the median of the workout's timed steps of the same
    intensity, in whole minutes, else a default for the intensity."""
    timed = [s["duration"]["value"] for s in steps
             if s["intensity"] == intensity and s["duration"]["type"] == "TIME"]
    if not timed:
        return OPEN_SECONDS[intensity]
    return max(60, int(round(statistics.median(timed) / 60)) * 60)
