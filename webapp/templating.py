"""Jinja filters that show workouts and times the way athletes read them."""

from __future__ import annotations

from flask import Flask

from workouts import check_workout, normalize


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
