"""The plan editor's workout builder: HTML form fields <-> the workout format.

The builder is a server-rendered tree of fieldsets.  Every field name encodes where it
sits (``w-steps-1-steps-0-intensity`` is ``steps[1].steps[0]``), so the page needs no
JavaScript: "Add step", "Add repeat" and "Remove" buttons post the whole form, the server
applies the action to the draft and renders it again (HTMX swaps just the form).

A *draft* keeps what the coach typed, as text, so that a refused save shows their input
unchanged beside the error.  :func:`to_workout` turns a draft into the workout format; the
rules are then checked by workouts.validation, like every other workout.
"""

from __future__ import annotations

import re
from typing import Mapping

from workouts.constants import INTENSITIES, LOCATIONS, SPORTS, TARGET_TYPES

PREFIX = "w"
STEP_FIELDS = ("intensity", "duration_type", "duration_value", "target_type", "target_mode",
               "zone", "min", "max", "cadence_min", "cadence_max", "name", "notes")


def new_step(intensity: str = "ACTIVE") -> dict:
    return {"kind": "step", "intensity": intensity, "duration_type": "TIME", "duration_value": "5:00",
            "target_type": "", "target_mode": "zone", "zone": "", "min": "", "max": "",
            "cadence_min": "", "cadence_max": "", "name": "", "notes": ""}


def new_repeat() -> dict:
    return {"kind": "repeat", "repeat": "4", "steps": [new_step("ACTIVE"), new_step("RECOVERY")]}


def new_draft() -> dict:
    return {"sport": "BIKE", "name": "", "description": "", "location": "", "pool": "",
            "steps": [new_step("WARMUP"), new_step("ACTIVE"), new_step("COOLDOWN")]}


# The pool choices of a swim (workout-format.md: poolLength and poolLengthUnit).
POOLS = {"": "Any pool", "25 METER": "25 m", "50 METER": "50 m", "25 YARD": "25 yd", "33.33 METER": "33⅓ m"}


# -- field names and paths ----------------------------------------------------------------

def field_name(prefix: str, key: str) -> str:
    return f"{prefix}-{key}"


# -- form -> draft --------------------------------------------------------------------------

def from_form(form: Mapping[str, str]) -> dict:
    draft = {key: form.get(field_name(PREFIX, key), "") for key in ("sport", "name", "description", "location", "pool")}
    draft["steps"] = _nodes_from_form(form, f"{PREFIX}-steps")
    return draft


def _nodes_from_form(form: Mapping[str, str], list_prefix: str) -> list[dict]:
    pattern = re.compile(re.escape(list_prefix) + r"-(\d+)-kind$")
    indices = sorted(int(m.group(1)) for key in form if (m := pattern.match(key)))
    nodes = []
    for index in indices[:200]:
        node_prefix = f"{list_prefix}-{index}"
        if form.get(f"{node_prefix}-kind") == "repeat":
            nodes.append({"kind": "repeat", "repeat": form.get(f"{node_prefix}-repeat", ""),
                          "steps": _nodes_from_form(form, f"{node_prefix}-steps")})
        else:
            node = {"kind": "step"}
            node.update({key: form.get(f"{node_prefix}-{key}", "") for key in STEP_FIELDS})
            nodes.append(node)
    return nodes


# -- actions ----------------------------------------------------------------------------------

def apply_action(draft: dict, action: str) -> dict:
    """Apply one builder button ("add-step:w-steps", "remove:w-steps-1", ...) to the draft."""
    verb, _, target = action.partition(":")
    if verb in ("add-step", "add-repeat"):
        nodes = _list_at(draft, target)
        if nodes is not None:
            nodes.append(new_step() if verb == "add-step" else new_repeat())
    elif verb in ("remove", "up", "down"):
        list_prefix, _, index = target.rpartition("-")
        nodes = _list_at(draft, list_prefix)
        if nodes is not None and index.isdigit() and int(index) < len(nodes):
            i = int(index)
            if verb == "remove":
                nodes.pop(i)
            elif verb == "up" and i > 0:
                nodes[i - 1], nodes[i] = nodes[i], nodes[i - 1]
            elif verb == "down" and i + 1 < len(nodes):
                nodes[i + 1], nodes[i] = nodes[i], nodes[i + 1]
    return draft


def _list_at(draft: dict, list_prefix: str) -> list | None:
    parts = list_prefix.split("-")
    if parts[:2] != [PREFIX, "steps"]:
        return None
    nodes = draft["steps"]
    rest = parts[2:]
    while rest:
        if len(rest) < 2 or not rest[0].isdigit() or rest[1] != "steps":
            return None
        index = int(rest[0])
        if index >= len(nodes) or nodes[index]["kind"] != "repeat":
            return None
        nodes = nodes[index]["steps"]
        rest = rest[2:]
    return nodes


# -- draft -> workout ---------------------------------------------------------------------------

class _Parser:
    def __init__(self, sport: str):
        self.sport = sport
        self.errors: dict[str, list[str]] = {}

    def error(self, path: str, message: str) -> None:
        self.errors.setdefault(path, []).append(message)

    def nodes(self, nodes: list[dict], path: str) -> list[dict]:
        out = []
        for index, node in enumerate(nodes):
            node_path = f"{path}[{index}]"
            if node["kind"] == "repeat":
                out.append({"repeat": self.integer(node["repeat"], node_path, "repeat"),
                            "steps": self.nodes(node["steps"], node_path + ".steps")})
            else:
                out.append(self.step(node, node_path))
        return out

    def step(self, node: dict, path: str) -> dict:
        step: dict = {"intensity": node["intensity"]}
        kind = node["duration_type"]
        if kind == "OPEN":
            step["duration"] = {"type": "OPEN"}
        elif kind == "TIME":
            step["duration"] = {"type": "TIME", "value": self.clock(node["duration_value"], path, "duration")}
        else:
            step["duration"] = {"type": kind, "value": self.distance(node["duration_value"], path)}
        target_type = node["target_type"]
        if target_type:
            if node["target_mode"] == "zone":
                step["target"] = {"type": target_type, "zone": self.integer(node["zone"], path, "zone")}
            else:
                read = self.clock if target_type == "PACE" else self.number
                step["target"] = {"type": target_type, "min": read(node["min"], path, "target min"),
                                  "max": read(node["max"], path, "target max")}
        else:
            step["target"] = None
        if node["cadence_min"].strip() or node["cadence_max"].strip():
            step["cadence"] = {"min": self.number(node["cadence_min"], path, "cadence min"),
                               "max": self.number(node["cadence_max"], path, "cadence max")}
        for key in ("name", "notes"):
            if node[key].strip():
                step[key] = node[key].strip()
        return step

    def integer(self, text: str, path: str, label: str):
        text = text.strip()
        if re.fullmatch(r"\d{1,6}", text):
            return int(text)
        self.error(path, f"{label}: enter a whole number")
        return None

    def number(self, text: str, path: str, label: str):
        text = text.strip()
        if re.fullmatch(r"\d{1,7}(\.\d+)?", text):
            value = float(text)
            return int(value) if value.is_integer() else value
        self.error(path, f"{label}: enter a number")
        return None

    def clock(self, text: str, path: str, label: str):
        """Seconds, written as 600, 10:00 or 1:02:03."""
        text = text.strip()
        if re.fullmatch(r"\d{1,6}", text):
            return int(text)
        match = re.fullmatch(r"(?:(\d{1,2}):)?(\d{1,3}):([0-5]\d)", text)
        if match:
            hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
            return hours * 3600 + minutes * 60 + seconds
        self.error(path, f"{label}: enter seconds or m:ss")
        return None

    def distance(self, text: str, path: str):
        """Meters, written as 400, 400 m, 2 km or 2.5km."""
        match = re.fullmatch(r"(\d{1,7}(?:\.\d+)?)\s*(km|m)?", text.strip().lower())
        if match:
            value = float(match.group(1)) * (1000 if match.group(2) == "km" else 1)
            return int(value) if value.is_integer() else value
        self.error(path, "distance: enter meters (400, 400 m) or kilometers (2 km)")
        return None


def to_workout(draft: dict) -> tuple[dict, dict[str, list[str]]]:
    """The workout a draft describes, and the fields that could not be read."""
    parser = _Parser(draft["sport"])
    workout = {"sport": draft["sport"], "name": draft["name"].strip(), "steps": parser.nodes(draft["steps"], "steps")}
    if draft["description"].strip():
        workout["description"] = draft["description"].strip()
    if draft.get("location") in LOCATIONS:
        workout["location"] = draft["location"]
    if draft["sport"] == "SWIM" and draft.get("pool") in POOLS and draft["pool"]:
        length, unit = draft["pool"].split()
        workout["poolLength"], workout["poolLengthUnit"] = float(length) if "." in length else int(length), unit
    return workout, parser.errors


# -- workout -> draft ---------------------------------------------------------------------------

def clock_text(seconds) -> str:
    if not isinstance(seconds, (int, float)) or seconds != int(seconds):
        return str(seconds)
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _number_text(value) -> str:
    if value is None:
        return ""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def from_workout(workout: dict) -> dict:
    pool = ""
    if workout.get("poolLength") is not None:
        pool = f"{_number_text(workout['poolLength'])} {workout.get('poolLengthUnit', 'METER')}"
    return {"sport": workout.get("sport", "BIKE"), "name": workout.get("name", ""),
            "description": workout.get("description") or "", "location": workout.get("location") or "",
            "pool": pool if pool in POOLS else "", "steps": [_node(n) for n in workout.get("steps", [])]}


def _node(item: dict) -> dict:
    if "repeat" in item:
        return {"kind": "repeat", "repeat": str(item["repeat"]), "steps": [_node(n) for n in item["steps"]]}
    node = new_step(item.get("intensity", "ACTIVE"))
    duration = item.get("duration") or {}
    node["duration_type"] = duration.get("type", "TIME")
    value = duration.get("value")
    node["duration_value"] = clock_text(value) if node["duration_type"] == "TIME" else _number_text(value)
    target = item.get("target")
    if target:
        node["target_type"] = target["type"]
        if target.get("zone") is not None:
            node["target_mode"], node["zone"] = "zone", str(target["zone"])
        else:
            show = clock_text if target["type"] == "PACE" else _number_text
            node["target_mode"], node["min"], node["max"] = "range", show(target.get("min")), show(target.get("max"))
    cadence = item.get("cadence")
    if cadence:
        node["cadence_min"], node["cadence_max"] = _number_text(cadence.get("min")), _number_text(cadence.get("max"))
    node["name"], node["notes"] = item.get("name") or "", item.get("notes") or ""
    return node


CHOICES = {"sports": SPORTS, "intensities": INTENSITIES, "target_types": TARGET_TYPES, "locations": LOCATIONS,
           "pools": POOLS}
