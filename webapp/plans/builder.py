"""The workout builder's draft (draft.py) and the workout format, both ways.

:func:`to_workout` reads what the coach typed into the workout format, and names each field
it cannot read (``steps[1]: duration: enter seconds or m:ss``); the format's rules are then
checked by workouts.validation, like every other workout.  :func:`from_workout` is the draft
of any valid workout: opened in the builder and saved untouched, a workout stays the same
workout (percents, ramps, cues, exercises, weights and legs included; tests/test_editor_text_mode.py
holds it to that).

An exercise row (draft.py) is written as the format writes sets: a repeat block of its sets,
each a REPS (or timed) step with its exercise and weight, then a REST step of the rest time.
A repeat block of that shape is shown as an exercise row again.
"""

from __future__ import annotations

from workouts.constants import (
    INTENSITIES,
    LOCATIONS,
    MULTISPORT,
    POOL_UNITS,
    REPS,
    STRENGTH_SPORTS,
    TARGET_TYPES,
    WEIGHT_UNITS,
)

from . import exercises
from .draft import NO_WORKOUT, TARGET_MODES, new_exercise, new_step, nodes_of, sports_for
from .values import (
    MESSAGES,
    clock_text,
    cues_text,
    number_text,
    read_clock,
    read_cues,
    read_distance,
    read_number,
    read_reps,
    read_whole,
    reps_text,
)

# The pool choices of a swim (workout-format.md: poolLength and poolLengthUnit).
POOLS = {"": "Any pool", "25 METER": "25 m", "50 METER": "50 m", "25 YARD": "25 yd", "33.33 METER": "33⅓ m"}
DURATIONS = ("TIME", "DISTANCE", "OPEN")
STRENGTH_DURATIONS = (REPS, "TIME", "DISTANCE", "OPEN")
REST_SECONDS_TEXT = "a rest is between sets: with one set, add a rest step after it instead"


def _multiline(text: str) -> str:
    """A textarea's value as the coach typed it (browsers send its line breaks as CR LF)."""
    return text.replace("\r\n", "\n")


# -- draft -> workout -----------------------------------------------------------------------------

class _Parser:
    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def error(self, path: str, message: str) -> None:
        self.errors.setdefault(path, []).append(message)

    def read(self, reader, text: str, path: str, label: str, message: str):
        value = reader(text)
        if value is None:
            self.error(path, f"{label}: {MESSAGES[message]}")
        return value

    def nodes(self, nodes: list[dict], path: str, sport: str) -> list[dict]:
        out = []
        for index, node in enumerate(nodes):
            node_path = f"{path}[{index}]"
            if node["kind"] == "repeat":
                out.append({"repeat": self.read(read_whole, node["repeat"], node_path, "repeat", "whole"),
                            "steps": self.nodes(node["steps"], node_path + ".steps", sport)})
            elif node["kind"] == "exercise":
                out.append(self.exercise_row(node, node_path))
            else:
                out.append(self.step(node, node_path, sport))
        return out

    def step(self, node: dict, path: str, sport: str) -> dict:
        step: dict = {"intensity": node["intensity"], "duration": self.duration(node, path)}
        step["target"] = self.target(node, path)
        if node["cadence_min"].strip() or node["cadence_max"].strip():
            step["cadence"] = {"min": self.read(read_number, node["cadence_min"], path, "cadence min", "number"),
                               "max": self.read(read_number, node["cadence_max"], path, "cadence max", "number")}
        self.texts(node, step)
        if node["cues"].strip():
            step["cues"] = self.read(read_cues, _multiline(node["cues"]), path, "cues", "cues")
        if sport in STRENGTH_SPORTS or node["exercise_category"] or node["exercise_name"].strip():
            self.strength(node, step, path)
        return step

    def duration(self, node: dict, path: str) -> dict:
        kind, text = node["duration_type"], node["duration_value"]
        if kind == "OPEN":
            return {"type": "OPEN"}
        if kind == "DISTANCE":
            return {"type": kind, "value": self.read(read_distance, text, path, "distance", "distance")}
        if kind == REPS:
            return {"type": kind, "value": self.read(read_whole, text, path, "reps", "whole")}
        return {"type": kind, "value": self.read(read_clock, text, path, "duration", "clock")}

    def target(self, node: dict, path: str) -> dict | None:
        kind, mode = node["target_type"], node["target_mode"]
        if not kind:
            return None
        if mode == "zone":
            return {"type": kind, "zone": self.read(read_whole, node["zone"], path, "zone", "whole")}
        percent = mode in ("percent", "ramp_percent")
        ends = ("from", "to") if mode in ("ramp", "ramp_percent") else ("min", "max")
        # Paces are clocks (4:30 a km); percents and every other type are plain numbers.
        reader, message = (read_clock, "clock") if kind == "PACE" and not percent else (read_number, "number")
        target = {"type": kind}
        for key, end in zip(("min", "max"), ends):
            target[end] = self.read(reader, node[key], path, f"target {end}", message)
        if percent:
            target["unit"] = "PERCENT"
        return target

    def texts(self, node: dict, step: dict) -> None:
        if node["name"].strip():
            step["name"] = node["name"]
        if node["notes"].strip():
            step["notes"] = _multiline(node["notes"])

    def strength(self, node: dict, step: dict, path: str) -> None:
        exercise, problem = exercises.resolve(node["exercise_category"], node["exercise_name"])
        if problem:
            self.error(path, problem)
        if exercise:
            step["exercise"] = exercise
        if node["weight_value"].strip():
            step["weight"] = {"value": self.read(read_number, node["weight_value"], path, "weight", "number"),
                              "unit": node["weight_unit"]}

    def exercise_row(self, node: dict, path: str) -> dict:
        """A repeat of sets (each the exercise's step, then the rest), or the set alone if one."""
        reps = read_reps(node["reps"])
        if reps is None:
            self.error(path, f"reps: {MESSAGES['reps']}")
            reps = (REPS, None)
        one: dict = {"intensity": "ACTIVE", "duration": {"type": reps[0], "value": reps[1]}}
        self.strength(node, one, path)
        self.texts(node, one)
        sets = self.read(read_whole, node["sets"], path, "sets", "whole")
        rest = self.read(read_clock, node["rest"], path, "rest", "clock") if node["rest"].strip() else None
        if sets == 1:
            if rest is not None:
                self.error(path, f"rest: {REST_SECONDS_TEXT}")
            return one
        steps = [one] + ([{"intensity": "REST", "duration": {"type": "TIME", "value": rest}}]
                         if node["rest"].strip() else [])
        return {"repeat": sets, "steps": steps}


def to_workout(draft: dict) -> tuple[dict, dict[str, list[str]]]:
    """The workout a draft describes, and the fields that could not be read (by path)."""
    parser = _Parser()
    sport = draft["sport"]
    workout: dict = {"sport": sport, "name": draft["name"]}
    if draft["description"].strip():
        workout["description"] = _multiline(draft["description"])
    if draft.get("location") in LOCATIONS:
        workout["location"] = draft["location"]
    if draft.get("pool", "").strip() and sport in ("SWIM", MULTISPORT):
        _pool(draft["pool"], workout, parser)
    if sport == MULTISPORT:
        workout["legs"] = [{"sport": leg["sport"], "steps": parser.nodes(leg["steps"], f"legs[{i}].steps", leg["sport"])}
                           for i, leg in enumerate(draft["legs"])]
    else:
        workout["steps"] = parser.nodes(draft["steps"], "steps", sport)
    return workout, parser.errors


def _pool(text: str, workout: dict, parser: _Parser) -> None:
    """``25 METER``, ``33.33 YARD``: the pool's length and unit."""
    for word in text.split():
        if word in POOL_UNITS:
            workout["poolLengthUnit"] = word
        else:
            workout["poolLength"] = parser.read(read_number, word, "poolLength", "pool length", "number")


def carries_workout(draft: dict, session_type: str) -> bool:
    """Whether a session of this type saves the draft as its workout (a STRENGTH session with
    no sport carries none; REST and OTHER never do)."""
    return session_type in ("ENDURANCE", "STRENGTH") and draft["sport"] != NO_WORKOUT


# -- workout -> draft -------------------------------------------------------------------------------

def from_workout(workout: dict) -> dict:
    sport = workout.get("sport", "BIKE")
    pool = " ".join(part for part in (number_text(workout.get("poolLength")), workout.get("poolLengthUnit") or "")
                    if part)
    draft = {"sport": sport, "was": sport, "name": workout.get("name", ""),
             "description": workout.get("description") or "", "location": workout.get("location") or "",
             "pool": pool, "steps": [], "legs": []}
    if sport == MULTISPORT:
        draft["legs"] = [{"sport": leg["sport"], "was": leg["sport"], "steps": _nodes(leg["steps"], leg["sport"])}
                         for leg in workout.get("legs", [])]
    else:
        draft["steps"] = _nodes(workout.get("steps", []), sport)
    return draft


def _nodes(items: list[dict], sport: str) -> list[dict]:
    strength = sport in STRENGTH_SPORTS
    out = []
    for item in items:
        if strength and _is_exercise_row(item):
            out.append(_exercise_node(item))
        elif "repeat" in item:
            out.append({"kind": "repeat", "repeat": str(item["repeat"]), "steps": _nodes(item["steps"], sport)})
        else:
            out.append(_step_node(item))
    return out


_SET_KEYS = {"intensity", "duration", "exercise", "weight", "name", "notes", "target"}


def _is_set(step: dict) -> bool:
    return (step.get("intensity") == "ACTIVE" and step["duration"]["type"] in (REPS, "TIME")
            and set(step) <= _SET_KEYS and step.get("target") is None)


def _is_rest(step: dict) -> bool:
    return (step.get("intensity") == "REST" and step["duration"]["type"] == "TIME"
            and set(step) <= {"intensity", "duration", "target"} and step.get("target") is None)


def _is_exercise_row(item: dict) -> bool:
    """Sets of one exercise (a repeat of the set and maybe a rest), or one set of a named exercise."""
    if "repeat" not in item:
        return "exercise" in item and _is_set(item)
    steps = item["steps"]
    return (1 <= len(steps) <= 2 and "repeat" not in steps[0] and _is_set(steps[0])
            and (len(steps) == 1 or ("repeat" not in steps[1] and _is_rest(steps[1]))))


def _exercise_node(item: dict) -> dict:
    one = item["steps"][0] if "repeat" in item else item
    node = new_exercise()
    node.update(_strength_fields(one))
    node["sets"] = str(item.get("repeat", 1))
    node["reps"] = reps_text(one["duration"])
    node["rest"] = clock_text(item["steps"][1]["duration"]["value"]) if "repeat" in item and len(item["steps"]) == 2 else ""
    node["name"], node["notes"] = one.get("name") or "", one.get("notes") or ""
    return node


def _strength_fields(step: dict) -> dict:
    exercise, weight = step.get("exercise") or {}, step.get("weight") or {}
    return {"exercise_category": exercise.get("category", ""), "exercise_name": exercises.shown(exercise.get("name")),
            "weight_value": number_text(weight.get("value")), "weight_unit": weight.get("unit", "KG")}


def _step_node(item: dict) -> dict:
    node = new_step(item.get("intensity", "ACTIVE"))
    duration = item.get("duration") or {}
    node["duration_type"] = duration.get("type", "TIME")
    value = duration.get("value")
    node["duration_value"] = clock_text(value) if node["duration_type"] == "TIME" else number_text(value)
    target = item.get("target")
    if target:
        node["target_type"] = target["type"]
        percent = target.get("unit") == "PERCENT"
        show = clock_text if target["type"] == "PACE" and not percent else number_text
        if target.get("zone") is not None:
            node["target_mode"], node["zone"] = "zone", str(target["zone"])
        elif "from" in target:
            node["target_mode"] = "ramp_percent" if percent else "ramp"
            node["min"], node["max"] = show(target.get("from")), show(target.get("to"))
        else:
            node["target_mode"] = "percent" if percent else "range"
            node["min"], node["max"] = show(target.get("min")), show(target.get("max"))
    cadence = item.get("cadence")
    if cadence:
        node["cadence_min"], node["cadence_max"] = number_text(cadence.get("min")), number_text(cadence.get("max"))
    node["name"], node["notes"] = item.get("name") or "", item.get("notes") or ""
    node["cues"] = cues_text(item.get("cues"))
    if "exercise" in item or "weight" in item:
        node.update(_strength_fields(item))
    return node


def suggestions(draft: dict) -> dict[str, list]:
    """For each exercise the coach named that the catalog does not know as typed, the
    exercises it may mean (by field prefix): the page offers them to pick, JavaScript or not."""
    found = {}
    for prefix, node in nodes_of(draft):
        if node["kind"] != "repeat" and node["exercise_name"].strip():
            _, problem = exercises.resolve(node["exercise_category"], node["exercise_name"])
            known = node["exercise_category"] and exercises.is_exercise(node["exercise_category"], node["exercise_name"])
            if problem or (node["exercise_category"] and not known):
                found[prefix] = exercises.search(node["exercise_name"])
    return found


# -- what the form offers ---------------------------------------------------------------------------

def pool_choices(current: str) -> dict[str, str]:
    """The pools to choose from, with the workout's own where it is none of them."""
    if current and current not in POOLS:
        return {**POOLS, current: current.replace("METER", "m").replace("YARD", "yd")}
    return POOLS


CHOICES = {"intensities": INTENSITIES, "target_types": TARGET_TYPES, "target_modes": TARGET_MODES,
           "locations": LOCATIONS, "durations": DURATIONS, "strength_durations": STRENGTH_DURATIONS,
           "weight_units": WEIGHT_UNITS, "sports_for": sports_for}
