"""A converter's verdict on a workout: EXACT, ADAPTED (one note per change) or UNSUPPORTED
(with why), with the payload it would send.

Its own module, so that the converters and the report over every provider (compatibility.py)
both import it and neither imports the other.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from workouts import WorkoutInvalid
from workouts.notes import Notes
from workouts.validation import Problem

__all__ = ["ADAPTED", "EXACT", "UNSUPPORTED", "Fit", "Notes", "Unsupported"]

EXACT, ADAPTED, UNSUPPORTED = "EXACT", "ADAPTED", "UNSUPPORTED"


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
