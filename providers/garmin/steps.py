"""Garmin Training API V2: a normalized workout's steps as Garmin steps, within a step limit
(single-sport and multisport segments alike); convert.py says what each choice follows."""


from __future__ import annotations

import math

from workouts import Thresholds
from workouts.constants import STRENGTH_SPORTS
from workouts.fitting import CannotFit, fit_steps
from workouts.ramps import is_ramp, split_ramps
from workouts.strength import weight_text
from workouts.structure import Node, Repeat, native_tree, one_level
from workouts.structure import node_count as step_count  # Garmin counts as every device with native repeats
from workouts.text import LABELS, cues_text, distance_text, duration_text, target_text, threshold_name
from workouts.validation import Problem
from workouts.zones import pace_speed

from ..verdict import Notes

SPORTS = {"BIKE": "CYCLING", "RUN": "RUNNING", "SWIM": "LAP_SWIMMING", "ROW": "GENERIC", "OTHER": "GENERIC",
          "STRENGTH": "STRENGTH_TRAINING", "CARDIO": "CARDIO_TRAINING"}
MAX_STEPS = 100
MAX_STEP_DESCRIPTION = 512
MAX_REPEAT = 99
PROVIDER = "HybridPeaks"  # workoutProvider and workoutSourceId: at most 20 characters
SWIM_TIME_RANGE = (60, 59 * 60)  # Appendix C: a timed swim step lasts 1 to 59 minutes
WEIGHT_DISPLAY_UNITS = {"KG": "KILOGRAM", "LB": "POUND"}  # weightDisplayUnit's valid values
# An unresolved swim pace zone as Garmin's text intensity (SWIM_INSTRUCTION 1-10).
SWIM_INSTRUCTION = {1: (1, "Recovery"), 2: (3, "Easy"), 3: (4, "Moderate"), 4: (5, "Hard"), 5: (6, "Very hard")}


class Refused(Exception):
    """Garmin cannot take the workout; ``problem`` says why (the verdict's UNSUPPORTED)."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def generic_note(sport: str, path: str, what: str, notes: Notes) -> None:
    if SPORTS[sport] == "GENERIC":
        notes.add(path, f"{sport.capitalize()} goes to Garmin as a generic {what}, which only some Garmin devices "
                        "play")


def pool_fields(normalized: dict, swim: bool) -> dict:
    """The workout's pool as Garmin's fields (METER unless the coach says YARD), or nulls."""
    return {"poolLength": normalized.get("poolLength") if swim else None,
            "poolLengthUnit": normalized.get("poolLengthUnit", "METER") if swim else None}


# -- one segment's steps, within a step limit ------------------------------------------------------

def segment_steps(steps: list[dict], sport: str, thresholds: Thresholds, notes: Notes, pool: float | None,
                  limit: int, where: str, order, cap: str | None = None) -> list[dict]:
    """The numbered Garmin steps of one segment's normalized steps, at most ``limit`` of them
    (Garmin's count); ``where`` names the segment's steps in notes (``steps``, ``legs[1].steps``)
    and ``cap`` says the limit in notes ("Garmin takes at most 100")."""
    nodes = fitted_nodes(steps, sport, thresholds, notes, pool, limit, where, cap)
    return [_numbered(node, order, sport) for node in nodes]


def fitted_nodes(steps: list[dict], sport: str, thresholds: Thresholds, notes: Notes, pool: float | None,
                 limit: int, where: str, cap: str | None = None) -> list[Node]:
    cap = cap or f"Garmin takes at most {limit}"

    def nodes_of(flat: list[dict], into: Notes) -> list[Node]:
        converter = _Converter(sport, thresholds, into, pool)
        return [converted for node in one_level(native_tree(flat)) for converted in converter.node(node)]

    def count(flat: list[dict]) -> int:
        nodes = nodes_of(flat, Notes())
        found = step_count(nodes)
        return found if found <= limit else step_count(compact(nodes))

    def splittable(step: dict) -> bool:
        return plays_ramp(step["target"], sport)

    try:
        fitted = fit_steps(steps, sport, limit, count, splittable)
    except CannotFit as why:
        needs = count(split_ramps(steps, sport, 1, only=splittable)[0])
        raise Refused(Problem(where, f"{cap} steps (a repeat counts once, plus its steps); this workout needs "
                                     f"{needs}, and merging neighbours cannot get there: {why}"))
    for note in fitted.notes:
        notes.add("", where + note.removeprefix("steps") if note.startswith("steps:") else note)
    nodes = nodes_of(fitted.steps, notes)
    found = step_count(nodes)
    if found > limit:
        nodes = compact(nodes)
        notes.add(where, f"{found} steps are sent as {step_count(nodes)}: runs of identical steps become Garmin "
                         f"repeat steps ({cap})")
    return nodes


def plays_ramp(target: dict | None, sport: str) -> bool:
    """Whether a ramp reaches the watch as steps with targets: resolved (a swim's only as a
    pace), or an unresolved POWER percent (Garmin's own percent of FTP); any other ramp goes as
    one step without a target, its text saying it."""
    if not is_ramp(target):
        return False
    resolved = "from" in target
    if sport == "SWIM":
        return resolved and target["type"] == "PACE"
    return resolved or target["type"] == "POWER"


# -- repeats -----------------------------------------------------------------------------

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

    def __init__(self, sport: str, thresholds: Thresholds, notes: Notes, pool: float | None):
        self.sport, self.thresholds, self.notes = sport, thresholds, notes
        self.swim = sport == "SWIM"
        self.pool = pool

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
        strength = self.strength(step, path, extra)
        description = self.description(step, path, extra)
        durations = self.durations(step, path)
        intensity = step["intensity"]
        if self.swim and intensity == "REST" and step["duration"]["type"] == "DISTANCE":
            # Garmin's swim rests are FIXED_REST or OPEN: a rest by distance is an easy swim of it.
            intensity = "RECOVERY"
            self.notes.add(path, f"a {distance_text(step['duration']['value'])} rest is sent as an easy "
                                 f"{distance_text(step['duration']['value'])} recovery swim (Garmin's swim rests are "
                                 "timed or end on a lap press)")
        return [_payload(intensity, description, kind, value, primary, secondary, strength)
                for kind, value in durations]

    def strength(self, step: dict, path: str, extra: list[str]) -> dict | None:
        """A strength or cardio step's exercise and weight fields (None for other sports)."""
        if self.sport not in STRENGTH_SPORTS:
            return None
        exercise, weight = step.get("exercise") or {}, step.get("weight")
        fields = {"exerciseCategory": exercise.get("category"), "exerciseName": exercise.get("name"),
                  "weightValue": None, "weightDisplayUnit": None}
        if weight and self.sport == "STRENGTH":
            fields["weightValue"], fields["weightDisplayUnit"] = weight["kg"], WEIGHT_DISPLAY_UNITS[weight["unit"]]
        elif weight:
            extra.append(weight_text(weight))
            self.notes.add(path, f"the weight ({weight_text(weight)}) is written in the step's text: Garmin takes a "
                                 "weightValue on strength workouts only (\"Used only for STRENGTH_TRAINING\")")
        return fields

    def description(self, step: dict, path: str, extra: list[str]) -> str | None:
        """The step's text: its name, notes, what stands for a target, and its cues (folded)."""
        cues = cues_text(step.get("cues"))
        if cues:
            self.notes.add(path, "its cues are in the step's description (Garmin steps have no timed messages)")
        description = " — ".join(p for p in (step.get("name"), step.get("notes"), *extra, cues) if p) or None
        if description and len(description) > MAX_STEP_DESCRIPTION:
            description = description[:MAX_STEP_DESCRIPTION - 1] + "…"
            self.notes.add(path, f"the step's description is cut to Garmin's {MAX_STEP_DESCRIPTION} characters")
        return description

    # -- durations ------------------------------------------------------------------------

    def durations(self, step: dict, path: str) -> list[tuple[str, float | None]]:
        duration = step["duration"]
        kind, value = duration["type"], duration.get("value")
        if self.sport in STRENGTH_SPORTS and kind == "TIME" and step["intensity"] == "REST":
            return [("FIXED_REST", value)]  # 3.2.1: FIXED_REST "(for rest steps)"
        if not self.swim or kind != "TIME":
            return [(kind, value)]
        if step["intensity"] == "REST":
            return [("FIXED_REST", value)]  # Garmin: the duration type of a swim rest
        low, high = SWIM_TIME_RANGE
        if value > high:
            parts = math.ceil(value / high)
            # Whole seconds that differ by one at most (rounding each part, the last could
            # pass 59 minutes: 60,133 s as 16 x 3,537 and 3,541), the fraction on the last.
            whole = math.floor(value)
            size, longer = divmod(whole, parts)
            each = [size + 1] * longer + [size] * (parts - longer)
            each[-1] += value - whole
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
        percent = target.get("percent")
        if is_ramp(target) or ("min" not in target and percent is not None):
            if kind == "POWER" and percent is not None and not is_ramp(target):
                self.notes.add(path, f"{target_text(target, self.sport)} goes as Garmin's percent of FTP, which the "
                                     f"device resolves against the athlete's FTP in Garmin Connect (the athlete's "
                                     f"FTP is missing here)")
                return {"type": "POWER", "low": percent["min"], "high": percent["max"], "valueType": "PERCENT"}
            return self.without_target(target, path, extra)
        if "min" not in target:  # a zone with no known threshold
            if kind == "PACE":
                extra.append(f"Pace zone {target['zone']}")
                self.notes.add(path, f"pace zone {target['zone']} is sent without a target (the step's text names "
                                     f"it): Garmin has no pace zones and the athlete's "
                                     f"{threshold_name(kind, self.sport)} is missing")
                return {"type": "OPEN"}
            self.notes.add(path, f"{kind.replace('_', ' ').lower()} zone {target['zone']} plays the athlete's own "
                                 f"zones from Garmin Connect (the athlete's {threshold_name(kind, self.sport)} is "
                                 "missing)")
            return {"type": kind, "value": target["zone"]}
        if kind == "PACE":  # pace in s/km -> speed in m/s; the slower pace is the lower speed
            return {"type": "PACE", "low": pace_speed(target["max"]), "high": pace_speed(target["min"])}
        return {"type": kind, "low": target["min"], "high": target["max"]}

    def without_target(self, target: dict, path: str, extra: list[str]) -> dict:
        """A percent or a ramp the watch cannot play with no threshold: the step's text says it."""
        text = target_text(target, self.sport)
        extra.append(f"{LABELS[target['type']]} {text}")
        self.notes.add(path, f"{text} is sent without a target (the step's text says it): the athlete's "
                             f"{threshold_name(target['type'], self.sport)} is missing")
        return {"type": "OPEN"}

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
        if kind == "PACE" and (is_ramp(target) or target.get("percent") is not None):
            self.without_target(target, path, extra)
            return None
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


def _payload(intensity: str, description: str | None, kind: str, value, primary: dict, secondary: dict | None,
             strength: dict | None = None) -> dict:
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
        "targetValueType": primary.get("valueType"),
        "secondaryTargetType": secondary["type"] if secondary else None,
        "secondaryTargetValue": None,
        "secondaryTargetValueLow": secondary.get("low") if secondary else None,
        "secondaryTargetValueHigh": secondary.get("high") if secondary else None,
        "secondaryTargetValueType": None,
        "strokeType": None,
        "equipmentType": None,
        **(strength or {}),
    }
