"""What each provider will really get for a workout: EXACT, ADAPTED (with one note per change)
or UNSUPPORTED (with why).

The converters (garmin.py, wahoo.py) decide, step by step, how the coach's workout goes to
their provider, and return those decisions with the payload as a :class:`Fit`: the report
the coach reads before saving (the editor, the API's ``compatibility``, ``flask workouts
check``) and the payload the export job sends are one computation, so they never disagree.

A note names the step it is about by its path in the coach's workout (``steps[1].steps[0]``),
or ``sport`` / ``steps`` for the workout as a whole, and says what the athlete will see
instead.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from workouts import Thresholds, WorkoutInvalid
from workouts.notes import Notes  # noqa: F401  (re-exported: the converters import it from here)
from workouts.validation import Problem

EXACT, ADAPTED, UNSUPPORTED = "EXACT", "ADAPTED", "UNSUPPORTED"
PROVIDERS = ("GARMIN", "WAHOO")
# The sports each provider takes at all (Garmin's GENERIC holds rows and the rest).
TAKES = {"GARMIN": ("BIKE", "RUN", "SWIM", "ROW", "OTHER"), "WAHOO": ("BIKE", "RUN")}


class Unsupported(WorkoutInvalid):
    """The provider cannot take this workout at all; the problems say why."""


@dataclass(frozen=True)
class Fit:
    level: str
    notes: tuple[str, ...]
    payload: Any = None  # what is sent; None when UNSUPPORTED
    extra: dict = field(default_factory=dict)  # facts the client needs besides the payload

    @classmethod
    def of(cls, payload: Any, notes: Notes, extra: dict | None = None) -> "Fit":
        return cls(ADAPTED if notes.items else EXACT, tuple(notes.items), payload, extra or {})

    @classmethod
    def unsupported(cls, problems: list[Problem]) -> "Fit":
        return cls(UNSUPPORTED, tuple(str(p) for p in problems))

    def as_json(self) -> dict:
        return {"level": self.level, "notes": list(self.notes)}

    def sendable(self) -> Any:
        """The payload, or :class:`Unsupported` with the reasons."""
        if self.level == UNSUPPORTED:
            raise Unsupported([_problem(note) for note in self.notes])
        return self.payload

    @property
    def payload_hash(self) -> str | None:
        """Changes exactly when what the device receives changes (thresholds included)."""
        if self.payload is None:
            return None
        text = json.dumps(self.payload, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:32]


def _problem(note: str) -> Problem:
    path, sep, rule = note.partition(": ")
    return Problem(path, rule) if sep else Problem("", note)


def fit_for(provider: str, normalized: dict, thresholds: Thresholds | None = None) -> Fit:
    """What ``provider`` gets for a normalized workout and the athlete's thresholds."""
    from . import garmin, wahoo

    module = {"GARMIN": garmin, "WAHOO": wahoo}[provider]
    return module.fit(normalized, thresholds or Thresholds())


def report(normalized: dict, thresholds: Thresholds | None = None) -> dict[str, Fit]:
    return {provider: fit_for(provider, normalized, thresholds) for provider in PROVIDERS}


def report_json(normalized: dict, thresholds: Thresholds | None = None) -> dict[str, dict]:
    """The API's ``compatibility`` object: ``{"GARMIN": {"level", "notes"}, "WAHOO": {...}}``."""
    return {provider: fit.as_json() for provider, fit in report(normalized, thresholds).items()}


def summary_line(provider: str, fit: Fit) -> str:
    """``GARMIN exact``, ``WAHOO adapted: <note>; <note>`` or ``WAHOO unsupported: <why>``."""
    if fit.level == EXACT:
        return f"{provider} exact"
    return f"{provider} {fit.level.lower()}: " + "; ".join(fit.notes)
