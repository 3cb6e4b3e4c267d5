"""A workout's durations, distances and targets as athletes read them (no Flask).

The pages, the converters' notes and the text a device shows in a step all use these, so
a target reads the same everywhere: ``Z2 · 137–184 W``, ``4:00–4:30 /km``, ``1:50 /100 m``.
"""

from __future__ import annotations

from .constants import SWIM_PACE_FACTOR

LABELS = {"POWER": "Power", "HEART_RATE": "Heart rate", "PACE": "Pace", "CADENCE": "Cadence"}
UNITS = {"POWER": "W", "HEART_RATE": "bpm", "CADENCE": "rpm"}


def duration_text(seconds) -> str:
    seconds = int(round(seconds or 0))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min" if not secs else f"{hours}:{minutes:02d}:{secs:02d}"
    if not minutes:
        return f"{secs} s"
    return f"{minutes} min" if not secs else f"{minutes} min {secs} s"


def distance_text(meters) -> str:
    meters = float(meters or 0)
    return f"{meters / 1000:g} km" if meters >= 1000 else f"{meters:g} m"


def pace_text(seconds) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def range_text(low, high) -> str:
    def show(value):
        return str(int(value)) if float(value).is_integer() else f"{value:g}"

    return show(low) if low == high else f"{show(low)}–{show(high)}"


def length_text(duration: dict) -> str:
    if duration["type"] == "TIME":
        return duration_text(duration["value"])
    if duration["type"] == "DISTANCE":
        return distance_text(duration["value"])
    return "until you press lap"


def target_text(target: dict | None, sport: str) -> str | None:
    """A normalized target in the athlete's units (a zone with no threshold stays a zone)."""
    if target is None:
        return None
    kind = target["type"]
    zone = f"Z{target['zone']} · " if target.get("zone") else ""
    if "min" not in target:
        return f"{LABELS[kind]} zone {target['zone']}"
    if kind == "PACE":
        low, high = target["min"], target["max"]
        if sport == "SWIM":
            return f"{zone}{pace_text(low / SWIM_PACE_FACTOR)}–{pace_text(high / SWIM_PACE_FACTOR)} /100 m"
        return f"{zone}{pace_text(low)}–{pace_text(high)} /km"
    return f"{zone}{range_text(target['min'], target['max'])} {UNITS[kind]}"


def cadence_text(cadence: dict | None) -> str | None:
    return f"cadence {range_text(cadence['min'], cadence['max'])} rpm" if cadence else None
