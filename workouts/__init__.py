"""The endurance workout engine: validation, normalization and the shapes converters need.

Plain modules with no Flask and no network, shared by the API, the plan editor, the
``flask workouts`` commands and the export job: validation.py (the rules), normalize.py (the
flat form converters start from), zones.py (zones and percents for one athlete), structure.py
(repeats rebuilt), text.py and profile.py (what athletes read and see), work.py, ramps.py,
simplify.py and fitting.py (ramps as steps and long workouts in fewer, doing the same work,
within a device's step limit), catalog.py and strength.py (Garmin's exercise catalog, weights
and sets of strength and cardio workouts), and formats/ (files and text read and written).
"""

from .normalize import normalize, totals
from .validation import Problem, WorkoutInvalid, check_workout, validate_workout
from .zones import Thresholds


def prepare(workout: object, thresholds: Thresholds | None = None) -> dict:
    """Validate, normalize and validate again: the start of every export.

    The second check catches what only the athlete's thresholds reveal, such as a zone
    that resolves to an implausible range.
    """
    validate_workout(workout)
    normalized = normalize(workout, thresholds)
    validate_workout(normalized)
    return normalized


__all__ = [
    "Problem", "Thresholds", "WorkoutInvalid", "check_workout", "normalize", "prepare",
    "totals", "validate_workout",
]
