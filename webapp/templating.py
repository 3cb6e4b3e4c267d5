"""Jinja filters that show workouts and times the way athletes read them."""

from __future__ import annotations

from flask import Flask
from markupsafe import Markup

from providers import registry
from workouts import Thresholds, check_workout, normalize
from workouts.profile import draw
from workouts.text import distance_text, duration_text, pace_text


def workout_totals(workout: dict | None) -> dict | None:
    if not workout or check_workout(workout):
        return None
    return normalize(workout)["totals"]


def workout_summary(workout: dict | None) -> str:
    totals = workout_totals(workout)
    if totals is None:
        return ""
    parts = []
    if totals["timeSeconds"]:
        parts.append(duration_text(totals["timeSeconds"]))
    if totals["distanceMeters"]:
        parts.append(distance_text(totals["distanceMeters"]))
    if totals["openSteps"]:
        parts.append(f"{totals['openSteps']} open")
    parts.append(f"{totals['steps']} steps")
    return " · ".join(parts)


def profile(workout: dict | None, thresholds: Thresholds | None = None, small: bool = False,
            ident: str = "p", title: str | None = None):
    """The workout's intensity profile (workouts/profile.py): the inline SVG, and its words."""
    if not workout or check_workout(workout):
        return None
    drawn = draw(normalize(workout, thresholds), thresholds, width=200 if small else 640, height=40 if small else 160,
                 small=small, ident=ident, title=title)
    return {"svg": Markup(drawn.svg), "summary": drawn.summary}


def register_filters(app: Flask) -> None:
    app.add_template_filter(registry.label, "provider_label")
    app.add_template_global(profile)
    app.add_template_filter(duration_text)
    app.add_template_filter(distance_text)
    app.add_template_filter(pace_text)
    app.add_template_filter(workout_summary)
