"""Garmin Training API V2: a normalized workout as Garmin's workout JSON, and what changed.

Follows providers.md, "Garmin Training API V2" (Garmin's "Training API V2" 1.0 of 2025-05-26),
sections Workouts (3.2.1) and Appendix C (swim), and workout-format.md, "Conversions":

- one segment of ``WorkoutStep`` and ``WorkoutRepeatStep`` (``REPEAT_UNTIL_STEPS_CMPLT``),
  ``stepOrder`` numbered depth-first; the document does not say a repeat may hold a
  repeat, so a block nested in a block goes with one level expanded (whichever gives fewer
  steps), which every device plays;
- at most 100 steps, a repeat step counting once plus its children; a longer workout is
  made to fit where that keeps every step the athlete does (runs of identical steps become
  repeat steps), else it is UNSUPPORTED with the count;
- ``workoutProvider`` and ``workoutSourceId``: "HybridPeaks", the same, as 3.2.1 asks;
- PACE targets as a speed in m/s (the slower pace is ``targetValueLow``);
- cadence is a CYCLING secondary target, never over an OPEN primary: with no primary
  target the cadence range is the primary;
- a POWER or HEART_RATE zone the athlete has no threshold for goes as Garmin's zone number
  (``targetValue``): the device plays the athlete's own zones from Garmin Connect (noted);
  Garmin has no pace zones, so an unresolved pace zone goes without a target, and the step
  says which zone the coach meant (noted, naming the missing threshold);
- LAP_SWIMMING: ``targetType`` null; a pace target is the secondary ``PACE_ZONE`` (m/s),
  with ``poolLengthUnit`` (METER unless the workout says YARD); an unresolved pace zone is
  the secondary ``SWIM_INSTRUCTION`` of that effort; heart rate, which a swim step cannot
  carry, is written in the step's description (noted); REST steps on time are
  ``FIXED_REST``; a timed swim step lasts 1 to 59 minutes, so a longer one is split and a
  shorter one becomes a distance at the athlete's pace (or a lap-press step);
- ``skipLastRestStep``: Garmin sets it for every LAP_SWIMMING workout, so the watch skips
  the last rest of a repeat block.  As Garmin advises, the block is followed by one more
  rest step, so the swimmer still does what the coach wrote (noted);
- ROW and OTHER go as GENERIC, which only some devices play (noted).

Descriptions longer than Garmin's limits (1,024 and 512 characters) would be truncated by
Garmin; ours never are (the workout format's limits are lower).
"""

from __future__ import annotations

import itertools
import math
from datetime import date

from workouts import Thresholds
from workouts.structure import Node, Repeat, native_tree
from workouts.text import LABELS, distance_text, duration_text, target_text
from workouts.validation import Problem
from workouts.zones import pace_speed

from ..verdict import Fit, Notes

SPORTS = {"BIKE": "CYCLING", "RUN": "RUNNING", "SWIM": "LAP_SWIMMING", "ROW": "GENERIC", "OTHER": "GENERIC"}
MAX_STEPS = 100
MAX_STEP_DESCRIPTION = 512
MAX_REPEAT = 99
PROVIDER = "HybridPeaks"  # workoutProvider and workoutSourceId: at most 20 characters
SWIM_TIME_RANGE = (60, 59 * 60)  # Appendix C: a timed swim step lasts 1 to 59 minutes
# An unresolved swim pace zone as Garmin's text intensity (SWIM_INSTRUCTION 1-10).
SWIM_INSTRUCTION = {1: (1, "Recovery"), 2: (3, "Easy"), 3: (4, "Moderate"), 4: (5, "Hard"), 5: (6, "Very hard")}
MISSING = {"POWER": "FTP", "HEART_RATE": "maximum heart rate", "PACE": "threshold pace"}


def fit(normalized: dict, thresholds: Thresholds | None = None) -> Fit:
    """The body of ``POST /workoutportal/workout/v2``, with a note for every change."""
    thresholds = thresholds or Thresholds()
    sport = normalized["sport"]
    notes = Notes()
    if SPORTS[sport] == "GENERIC":
        notes.add("sport", f"{sport.capitalize()} goes to Garmin as a generic workout, which only some Garmin "
                           "devices play")
    converter = _Converter(sport, thresholds, notes, normalized)
    nodes = [converted for node in one_level_repeats(native_tree(normalized["steps"]))
             for converted in converter.node(node)]
    count = step_count(nodes)
    if count > MAX_STEPS:
        nodes = compact(nodes)
        compacted = step_count(nodes)
        if compacted > MAX_STEPS:
            return Fit.unsupported([Problem("steps", f"Garmin takes at most {MAX_STEPS} steps (a repeat counts once, "
                                                     f"plus its steps); this workout needs {compacted}")])
        notes.add("steps", f"{count} steps are sent as {compacted}: runs of identical steps become Garmin repeat "
                           f"steps (Garmin takes at most {MAX_STEPS})")
    order = itertools.count(1)
    steps = [_numbered(node, order, sport) for node in nodes]
    garmin_sport = SPORTS[sport]
    swim = sport == "SWIM"
    pool = {"poolLength": normalized.get("poolLength") if swim else None,
            "poolLengthUnit": normalized.get("poolLengthUnit", "METER") if swim else None}
    workout = {
        "workoutName": normalized["name"].strip(),
        "description": normalized.get("description") or None,
        "sport": garmin_sport,
        "workoutProvider": PROVIDER,
        "workoutSourceId": PROVIDER,
        **pool,
        # A swim segment's pool is the workout's (Garmin's multisport rules say they must match).
        "segments": [{"segmentOrder": 1, "sport": garmin_sport, **pool, "steps": steps}],
    }
    return Fit.of(workout, notes)


def convert(normalized: dict, thresholds: Thresholds | None = None) -> dict:
    """The workout Garmin gets; raises Unsupported when it cannot take it."""
    return fit(normalized, thresholds).sendable()


def schedule_body(workout_id: int | str, day: date) -> dict:
    """The body of ``POST /training-api/schedule/``."""
    return {"workoutId": workout_id, "date": day.isoformat()}


def schedule_preview(normalized: dict, fit: Fit, day: date) -> dict:
    """The schedule request that would follow the workout's (``flask workouts export --date``)."""
    return {"POST /training-api/schedule/": schedule_body("<workoutId>", day)}


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


def compact(nodes: list[Node], longest: int = 12) -> list[Node]:
    """Runs of identical consecutive steps as repeat steps: the same steps, fewer of them.

    Greedy from the left: at each place, the pattern length and count that save the most
    steps; a repeat step holds plain steps only, so patterns never include one."""
    out: list[Node] = []
    index = 0
    while index < len(nodes):
        best = (0, 1, 1)  # (steps saved, pattern length, repetitions)
        for length in range(1, longest + 1):
            pattern = nodes[index:index + length]
            if len(pattern) < length or any(isinstance(n, Repeat) for n in pattern):
                break
            times = 1
            while (times < MAX_REPEAT and nodes[index + times * length:index + (times + 1) * length] == pattern):
                times += 1
            saved = length * times - (1 + length)
            if times > 1 and saved > best[0]:
                best = (saved, length, times)
        saved, length, times = best
        if saved > 0:
            out.append(Repeat(times, list(nodes[index:index + length]), ""))
            index += length * times
        else:
            out.append(nodes[index])
            index += 1
    return out


def _numbered(node: Node, order, sport: str) -> dict:
    if isinstance(node, Repeat):
        step_order = next(order)
        return {
            "type": "WorkoutRepeatStep",
            "stepOrder": step_order,
            "repeatType": "REPEAT_UNTIL_STEPS_CMPLT",
            "repeatValue": node.count,
            "skipLastRestStep": sport == "SWIM",  # Garmin sets it for every swim anyway
            "steps": [_numbered(child, order, sport) for child in node.steps],
        }
    return {"type": "WorkoutStep", "stepOrder": next(order), **node}


# -- steps -------------------------------------------------------------------------------

class _Converter:
    """One workout's steps as Garmin steps (without stepOrder), noting every change."""

    def __init__(self, sport: str, thresholds: Thresholds, notes: Notes, normalized: dict):
        self.sport, self.thresholds, self.notes = sport, thresholds, notes
        self.swim = sport == "SWIM"
        self.pool = normalized.get("poolLength")

    def node(self, node: Node) -> list[Node]:
        if not isinstance(node, Repeat):
            return self.step(node)
        body = [converted for child in node.steps for converted in self.node(child)]
        repeat = Repeat(node.count, body, node.path)
        last = body[-1] if body else None
        if self.swim and isinstance(last, dict) and last["intensity"] == "REST":
            # The watch skips the last rest of a swim repeat (skipLastRestStep): give it back.
            self.notes.add(node.path, f"Garmin skips the last rest of a swim repeat; one more "
                                      f"{_rest_text(last)} rest follows the block, so the swimmer rests after the "
                                      "last repetition too")
            return [repeat, dict(last)]
        return [repeat]

    def step(self, step: dict) -> list[dict]:
        path = step["path"]
        extra: list[str] = []  # what the step's description says instead of a target
        if self.swim:
            primary, secondary = {"type": None}, self.swim_target(step, path, extra)
        else:
            primary = self.primary(step, path, extra)
            secondary = self.cadence(step, primary)
        description = " — ".join(p for p in (step.get("name"), step.get("notes"), *extra) if p) or None
        if description and len(description) > MAX_STEP_DESCRIPTION:
            description = description[:MAX_STEP_DESCRIPTION - 1] + "…"
        durations = self.durations(step, path)
        intensity = step["intensity"]
        if self.swim and intensity == "REST" and step["duration"]["type"] == "DISTANCE":
            # Garmin's swim rests are FIXED_REST or OPEN: a rest by distance is an easy swim of it.
            intensity = "RECOVERY"
            self.notes.add(path, f"a {distance_text(step['duration']['value'])} rest is sent as an easy "
                                 f"{distance_text(step['duration']['value'])} recovery swim (Garmin's swim rests are "
                                 "timed or end on a lap press)")
        return [_payload(intensity, description, kind, value, primary, secondary) for kind, value in durations]

    # -- durations ------------------------------------------------------------------------

    def durations(self, step: dict, path: str) -> list[tuple[str, float | None]]:
        duration = step["duration"]
        kind, value = duration["type"], duration.get("value")
        if not self.swim or kind != "TIME":
            return [(kind, value)]
        if step["intensity"] == "REST":
            return [("FIXED_REST", value)]  # Garmin: the duration type of a swim rest
        low, high = SWIM_TIME_RANGE
        if value > high:
            parts = math.ceil(value / high)
            each = [round(value / parts)] * (parts - 1)
            each.append(value - sum(each))
            self.notes.add(path, f"a {duration_text(value)} timed swim step is over Garmin's 59 minutes: sent as "
                                 f"{parts} steps of about {duration_text(each[0])}")
            return [("TIME", part) for part in each]
        if value < low:
            meters = self.swim_distance(step, value)
            if meters:
                self.notes.add(path, f"a {duration_text(value)} timed swim step is under Garmin's 1 minute: sent as "
                                     f"{distance_text(meters)} (about {duration_text(value)} at the target pace)")
                return [("DISTANCE", meters)]
            self.notes.add(path, f"a {duration_text(value)} timed swim step is under Garmin's 1 minute: sent as a "
                                 f"lap-press step; press lap after about {duration_text(value)}")
            return [("OPEN", None)]
        return [(kind, value)]

    def swim_distance(self, step: dict, seconds: float) -> float | None:
        """Meters swum in ``seconds`` at the step's pace (or the athlete's threshold), in whole
        pool lengths (25 m when the pool is not given)."""
        target = step.get("target") or {}
        if target.get("type") == "PACE" and "min" in target:
            pace = (target["min"] + target["max"]) / 2  # s/km
        else:
            pace = self.thresholds.for_target("PACE", "SWIM")
        if not pace:
            return None
        length = self.pool or 25
        return max(length, round(seconds * 1000 / pace / length) * length)

    # -- targets ----------------------------------------------------------------------------

    def primary(self, step: dict, path: str, extra: list[str]) -> dict:
        target, cadence = step.get("target"), step.get("cadence")
        if target is None:
            if cadence and self.sport == "BIKE":  # never a secondary target over an OPEN primary
                return {"type": "CADENCE", "low": cadence["min"], "high": cadence["max"]}
            return {"type": "OPEN"}
        kind = target["type"]
        if "min" not in target:  # a zone with no known threshold
            if kind == "PACE":
                extra.append(f"Pace zone {target['zone']}")
                self.notes.add(path, f"pace zone {target['zone']} is sent without a target (the step's text names "
                                     f"it): Garmin has no pace zones and the athlete's {MISSING[kind]} is missing")
                return {"type": "OPEN"}
            self.notes.add(path, f"{kind.replace('_', ' ').lower()} zone {target['zone']} plays the athlete's own "
                                 f"zones from Garmin Connect (the athlete's {MISSING[kind]} is missing)")
            return {"type": kind, "value": target["zone"]}
        if kind == "PACE":  # pace in s/km -> speed in m/s; the slower pace is the lower speed
            return {"type": "PACE", "low": pace_speed(target["max"]), "high": pace_speed(target["min"])}
        return {"type": kind, "low": target["min"], "high": target["max"]}

    def cadence(self, step: dict, primary: dict) -> dict | None:
        cadence = step.get("cadence")
        if not cadence or primary["type"] in ("CADENCE", "OPEN"):
            return None
        return {"type": "CADENCE", "low": cadence["min"], "high": cadence["max"]}

    def swim_target(self, step: dict, path: str, extra: list[str]) -> dict | None:
        """Swim steps carry no primary target: pace goes as the secondary target."""
        target = step.get("target")
        if target is None:
            return None
        kind = target["type"]
        if kind == "PACE" and "min" in target:
            return {"type": "PACE_ZONE", "low": pace_speed(target["max"]), "high": pace_speed(target["min"])}
        if kind == "PACE":
            code, label = SWIM_INSTRUCTION[target["zone"]]
            self.notes.add(path, f"pace zone {target['zone']} is sent as Garmin's swim intensity “{label}”: the "
                                 "athlete's swim threshold pace is missing")
            return {"type": "SWIM_INSTRUCTION", "low": code}
        text = target_text(target, self.sport)
        if "min" in target:
            text = f"{LABELS[kind]} {text}"
        extra.append(text)
        self.notes.add(path, f"{text[0].lower()}{text[1:]} is not a target a Garmin swim step can carry: it is written "
                             "in the step's text")
        return None


def _rest_text(step: dict) -> str:
    if step["durationType"] in ("FIXED_REST", "TIME"):
        return duration_text(step["durationValue"])
    if step["durationType"] == "DISTANCE":
        return distance_text(step["durationValue"])
    return "lap-press"


def _payload(intensity: str, description: str | None, kind: str, value, primary: dict, secondary: dict | None) -> dict:
    return {
        "intensity": intensity,
        "description": description,
        "durationType": kind,
        "durationValue": value,
        "durationValueType": None,
        "targetType": primary["type"],
        "targetValue": primary.get("value"),
        "targetValueLow": primary.get("low"),
        "targetValueHigh": primary.get("high"),
        "targetValueType": None,
        "secondaryTargetType": secondary["type"] if secondary else None,
        "secondaryTargetValue": None,
        "secondaryTargetValueLow": secondary.get("low") if secondary else None,
        "secondaryTargetValueHigh": secondary.get("high") if secondary else None,
        "secondaryTargetValueType": None,
        "strokeType": None,
        "equipmentType": None,
    }
