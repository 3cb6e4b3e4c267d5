"""What each device will get, for the pages: the editor's live panel, the week's marker on
adapted sessions, the session page's notes.  The decisions themselves are the converters'
(providers/compatibility.py); this only picks the athlete's thresholds and device.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from core.exports import Athlete
from core.models import TrainingSession
from providers import registry
from providers.compatibility import EXACT, Fit, report
from workouts import WorkoutInvalid, check_workout, prepare


@dataclass(frozen=True)
class DeviceFit:
    provider: str  # a registry name
    fit: Fit
    chosen: bool  # the device this athlete's session of that sport goes to

    @property
    def label(self) -> str:
        return registry.label(self.provider)


def fits(workout: dict | None, athlete: Athlete) -> list[DeviceFit] | None:
    """Every provider's fit for a workout (the chosen device first), or None when the workout
    is not valid yet (the editor shows its errors instead)."""
    if not workout or check_workout(workout):
        return None
    try:
        found = report(prepare(workout, athlete.thresholds), athlete.thresholds, current_app.config["PROVIDERS"])
    except WorkoutInvalid:
        return None
    chosen = _chosen(workout, athlete)
    items = [DeviceFit(provider, fit, provider == chosen) for provider, fit in found.items()]
    return sorted(items, key=lambda item: not item.chosen)


def device_fit(session: TrainingSession, athlete: Athlete) -> DeviceFit | None:
    """The fit for the device the session goes to (its provider, else the routed one), if not EXACT."""
    if not session.is_delivered:
        return None
    provider = session.export_provider or _chosen(session.workout, athlete)
    if provider is None:
        return None
    for item in fits(session.workout, athlete) or []:
        if item.provider == provider:
            return None if item.fit.level == EXACT else DeviceFit(provider, item.fit, True)
    return None


def _chosen(workout: dict, athlete: Athlete) -> str | None:
    from core.delivery.routing import choose

    return choose(workout["sport"], athlete.active, athlete.routes)
