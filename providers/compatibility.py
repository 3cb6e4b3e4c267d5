"""What each provider will really get for a workout: EXACT, ADAPTED (with one note per change)
or UNSUPPORTED (with why).

The converters (each provider's convert.py) decide, step by step, how the coach's workout goes to
their provider, and return those decisions with the payload as a :class:`Fit`: the report
the coach reads before saving (the editor, the API's ``compatibility``, ``flask workouts
check``) and the payload the export job sends are one computation, so they never disagree.

A note names the step it is about by its path in the coach's workout (``steps[1].steps[0]``),
or ``sport`` / ``steps`` for the workout as a whole, and says what the athlete will see
instead.
"""

from __future__ import annotations

from typing import Iterable

from workouts import Thresholds

from . import registry
from .verdict import ADAPTED, EXACT, UNSUPPORTED, Fit, Notes, Unsupported  # noqa: F401  (the verdict's names, for callers)


def fit_for(provider: str, normalized: dict, thresholds: Thresholds | None = None) -> Fit:
    """What ``provider`` gets for a normalized workout and the athlete's thresholds."""
    return registry.get(provider).fit(normalized, thresholds or Thresholds())


def report(normalized: dict, thresholds: Thresholds | None = None,
           providers: Iterable[str] | None = None) -> dict[str, Fit]:
    """Each provider's verdict (every registered one, unless ``providers`` names them)."""
    return {provider: fit_for(provider, normalized, thresholds) for provider in (providers or registry.names())}


def report_json(normalized: dict, thresholds: Thresholds | None = None,
                providers: Iterable[str] | None = None) -> dict[str, dict]:
    """The API's ``compatibility`` object: ``{"GARMIN": {"level", "notes"}, ...}``."""
    return {provider: fit.as_json() for provider, fit in report(normalized, thresholds, providers).items()}


def summary_line(provider: str, fit: Fit) -> str:
    """``GARMIN exact``, ``WAHOO adapted: <note>; <note>`` or ``WAHOO unsupported: <why>``."""
    if fit.level == EXACT:
        return f"{provider} exact"
    return f"{provider} {fit.level.lower()}: " + "; ".join(fit.notes)
