"""Strength and cardio steps: weights (canonical in kilograms, the coach's unit kept for display)
and how a set reads (``Back squat 5 × 100 kg``).

A coach writes ``"weight": {"value": 225, "unit": "LB"}``; the normalized step keeps that and
adds ``"kg": 102.058`` (to the gram), which every device and file is sent (Garmin's
``weightValue`` and FIT's ``exercise_weight`` are kilograms), while the text and the device's
display unit stay in the coach's unit.
"""

from __future__ import annotations

from .catalog import display_name
from .constants import KG_PER_LB


def kilograms(value: float, unit: str) -> float:
    return round(value * KG_PER_LB, 3) if unit == "LB" else round(float(value), 3)


def canonical_weight(weight: dict | None) -> dict | None:
    """The normalized weight: the coach's value and unit, and the kilograms they are."""
    if weight is None:
        return None
    return {"value": weight["value"], "unit": weight["unit"], "kg": kilograms(weight["value"], weight["unit"])}


def weight_text(weight: dict) -> str:
    value = weight["value"]
    shown = str(int(value)) if float(value).is_integer() else f"{value:g}"
    return f"{shown} {weight['unit'].lower()}"


def exercise_label(step: dict) -> str | None:
    """What the athlete calls the step: its name, else the exercise's, else its category's."""
    if step.get("name"):
        return step["name"]
    exercise = step.get("exercise")
    if not exercise:
        return None
    return display_name(exercise.get("name") or exercise["category"])


def set_text(step: dict) -> str:
    """``Back squat 5 × 100 kg``, ``Push up 10 reps``, ``Plank 1 min``, ``Farmers walk 40 m · 32 kg``."""
    from .text import length_text

    label = exercise_label(step) or step["intensity"].capitalize()
    duration, weight = step["duration"], step.get("weight")
    if duration["type"] == "REPS" and weight:
        return f"{label} {duration['value']} × {weight_text(weight)}"
    text = f"{label} {length_text(duration)}"
    return f"{text} · {weight_text(weight)}" if weight else text
