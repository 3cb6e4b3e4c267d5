"""A workout as an athlete reads it: steps and repeats, durations, and targets in their units."""

from __future__ import annotations

from workouts import Thresholds, normalize
from workouts.constants import SWIM_PACE_FACTOR
from workouts.structure import Repeat, native_tree

from ..templating import distance_text, duration_text, pace_text

LABELS = {"POWER": "Power", "HEART_RATE": "Heart rate", "PACE": "Pace", "CADENCE": "Cadence"}
UNITS = {"POWER": "W", "HEART_RATE": "bpm", "CADENCE": "rpm"}


def describe(workout: dict, thresholds: Thresholds) -> dict:
    """Totals and a tree of display rows (repeats nest) for a valid workout."""
    normalized = normalize(workout, thresholds)
    sport = normalized["sport"]
    return {"totals": normalized["totals"], "sport": sport,
            "rows": [_row(node, sport) for node in native_tree(normalized["steps"])]}


def _row(node, sport: str) -> dict:
    if isinstance(node, Repeat):
        return {"repeat": node.count, "rows": [_row(child, sport) for child in node.steps]}
    duration = node["duration"]
    if duration["type"] == "TIME":
        length = duration_text(duration["value"])
    elif duration["type"] == "DISTANCE":
        length = distance_text(duration["value"])
    else:
        length = "until you press lap"
    return {"intensity": node["intensity"].capitalize(), "length": length, "target": target_text(node["target"], sport),
            "cadence": f"cadence {_range(node['cadence']['min'], node['cadence']['max'])} rpm" if node["cadence"] else None,
            "name": node.get("name"), "notes": node.get("notes")}


def target_text(target: dict | None, sport: str) -> str | None:
    if target is None:
        return None
    kind = target["type"]
    zone = f"Z{target['zone']} · " if target.get("zone") else ""
    if "min" not in target:
        return f"{LABELS[kind]} zone {target['zone']} (your device's zones)"
    if kind == "PACE":
        low, high = target["min"], target["max"]
        if sport == "SWIM":
            return f"{zone}{pace_text(low / SWIM_PACE_FACTOR)}–{pace_text(high / SWIM_PACE_FACTOR)} /100 m"
        return f"{zone}{pace_text(low)}–{pace_text(high)} /km"
    return f"{zone}{_range(target['min'], target['max'])} {UNITS[kind]}"


def _range(low, high) -> str:
    def show(value):
        return str(int(value)) if float(value).is_integer() else f"{value:g}"

    return show(low) if low == high else f"{show(low)}–{show(high)}"
