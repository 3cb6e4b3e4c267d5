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

from workouts import Thresholds

from .verdict import ADAPTED, EXACT, UNSUPPORTED, Fit, Notes, Unsupported  # noqa: F401  (the verdict's names, for callers)

PROVIDERS = ("GARMIN", "WAHOO")
# The sports each provider takes at all (Garmin's GENERIC holds rows and the rest; its
# STRENGTH_TRAINING, CARDIO_TRAINING and MULTI_SPORT the third round's sports).
TAKES = {"GARMIN": ("BIKE", "RUN", "SWIM", "ROW", "OTHER", "STRENGTH", "CARDIO", "MULTISPORT"),
         "WAHOO": ("BIKE", "RUN")}


def fit_for(provider: str, normalized: dict, thresholds: Thresholds | None = None) -> Fit:
    """What ``provider`` gets for a normalized workout and the athlete's thresholds."""
    from .garmin import convert as garmin
    from .wahoo import convert as wahoo

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
