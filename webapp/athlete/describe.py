"""A workout as an athlete reads it: steps and repeats, durations, and targets in their units."""

from __future__ import annotations

from workouts import Thresholds, normalize
from workouts.structure import Repeat, native_tree
from workouts.text import cadence_text, length_text, target_text


def describe(workout: dict, thresholds: Thresholds) -> dict:
    """Totals and a tree of display rows (repeats nest) for a valid workout."""
    normalized = normalize(workout, thresholds)
    sport = normalized["sport"]
    if "legs" in normalized:  # a multisport workout: its legs in order, each its sport's steps
        rows = [{"leg": f"Leg {index}: {leg['sport'].lower()}",
                 "rows": [_row(node, leg["sport"]) for node in native_tree(leg["steps"])]}
                for index, leg in enumerate(normalized["legs"], start=1)]
    else:
        rows = [_row(node, sport) for node in native_tree(normalized["steps"])]
    return {"totals": normalized["totals"], "sport": sport, "rows": rows}


def _row(node, sport: str) -> dict:
    if isinstance(node, Repeat):
        return {"repeat": node.count, "rows": [_row(child, sport) for child in node.steps]}
    target = target_text(node["target"], sport)
    if target and node["target"] and "min" not in node["target"]:
        target += " (no threshold in your profile)"
    return {"intensity": node["intensity"].capitalize(), "length": length_text(node["duration"]), "target": target,
            "cadence": cadence_text(node["cadence"]), "name": node.get("name"), "notes": node.get("notes"),
            "path": node["path"]}
