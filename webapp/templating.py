"""Jinja filters that show workouts and times the way athletes read them."""

from __future__ import annotations

from flask import Flask

from workouts import check_workout, normalize
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


def register_filters(app: Flask) -> None:
    app.add_template_filter(duration_text)
    app.add_template_filter(distance_text)
    app.add_template_filter(pace_text)
    app.add_template_filter(workout_summary)
