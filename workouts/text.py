"""A workout's durations, distances and targets as athletes read them (no Flask).

The pages, the converters' notes and the text a device shows in a step all use these, so
a target reads the same everywhere: ``Z2 · 137–184 W``, ``4:00–4:30 /km``, ``1:50 /100 m``,
``88–94 % FTP · 246–263 W``, ``ramp 50→75 % FTP · 140→210 W``; a set of a strength workout
reads ``Back squat 5 × 100 kg`` (strength.py).
"""

from __future__ import annotations

from .constants import SWIM_PACE_FACTOR

LABELS = {"POWER": "Power", "HEART_RATE": "Heart rate", "PACE": "Pace", "CADENCE": "Cadence"}
UNITS = {"POWER": "W", "HEART_RATE": "bpm", "CADENCE": "rpm"}
# What a percent target is a percent of (workout-format.md, "Relative targets").
PERCENT_OF = {"POWER": "% FTP", "HEART_RATE": "% max HR", "PACE": "% threshold pace"}
# The athlete's threshold a zone, a percent or a percent ramp of each type is resolved against.
THRESHOLD_NAMES = {"POWER": "FTP", "HEART_RATE": "maximum heart rate", "PACE": "threshold pace"}


def threshold_name(kind: str, sport: str) -> str:
    """The threshold a target needs, as a converter's note names it when it is missing."""
    return "swim threshold pace" if kind == "PACE" and sport == "SWIM" else THRESHOLD_NAMES[kind]


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
    if duration["type"] == "REPS":
        return f"{duration['value']} rep{'' if duration['value'] == 1 else 's'}"
    return "until you press lap"


def target_text(target: dict | None, sport: str) -> str | None:
    """A normalized target in the athlete's units (a zone or percent with no threshold stays so)."""
    if target is None:
        return None
    kind = target["type"]
    percent = target.get("percent")
    if "from" in target or (percent and "from" in percent):
        return ramp_text(target, sport)
    if percent:
        relative = f"{range_text(percent['min'], percent['max'])} {PERCENT_OF[kind]}"
        return f"{relative} · {absolute_text(kind, target['min'], target['max'], sport)}" if "min" in target else relative
    zone = f"Z{target['zone']} · " if target.get("zone") else ""
    if "min" not in target:
        return f"{LABELS[kind]} zone {target['zone']}"
    return zone + absolute_text(kind, target["min"], target["max"], sport)


def absolute_text(kind: str, low, high, sport: str) -> str:
    """A range in canonical units as the athlete reads it: ``137–184 W``, ``4:00–4:30 /km``."""
    if kind == "PACE":
        if sport == "SWIM":
            return f"{pace_text(low / SWIM_PACE_FACTOR)}–{pace_text(high / SWIM_PACE_FACTOR)} /100 m"
        return f"{pace_text(low)}–{pace_text(high)} /km"
    return f"{range_text(low, high)} {UNITS[kind]}"


def ramp_text(target: dict, sport: str) -> str:
    """``ramp 50→75 % FTP · 140→210 W``; ``ramp 150→250 W``; ``ramp 5:00→4:30 /km``."""
    kind = target["type"]
    parts = []
    percent = target.get("percent")
    if percent:
        parts.append(f"{_number(percent['from'])}→{_number(percent['to'])} {PERCENT_OF[kind]}")
    if "from" in target:
        low, high = target["from"], target["to"]
        if kind == "PACE":
            unit, factor = (" /100 m", SWIM_PACE_FACTOR) if sport == "SWIM" else (" /km", 1)
            parts.append(f"{pace_text(low / factor)}→{pace_text(high / factor)}{unit}")
        else:
            parts.append(f"{_number(low)}→{_number(high)} {UNITS[kind]}")
    return "ramp " + " · ".join(parts)


def cues_text(cues: list | None) -> str | None:
    """A step's cues in time order: ``cues 0:30 Spin up; 5:00 Stay seated``."""
    if not cues:
        return None
    ordered = sorted(cues, key=lambda cue: cue["at"])
    return "cues " + "; ".join(f"{pace_text(cue['at'])} {cue['text']}" for cue in ordered)


def _number(value) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def cadence_text(cadence: dict | None) -> str | None:
    return f"cadence {range_text(cadence['min'], cadence['max'])} rpm" if cadence else None
