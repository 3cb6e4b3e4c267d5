"""``flask seed-demo``: a demo coach, two athletes with thresholds, and a week of sessions."""

from __future__ import annotations

from datetime import date, timedelta

import click
from flask import current_app

from core.clock import monday_of
from core.db import db
from core.models import AthleteProfile, Role, SessionType

from ..services import plans as plan_service
from ..services.accounts import create_user, find_user

COACH = ("coach@hybridpeaks.test", "coach-demo-2026", "Carla Coach")
ATHLETES = (
    # email, password, name, ftp, max HR, threshold pace s/km, swim pace s/100 m
    ("ana@hybridpeaks.test", "ana-demo-2026", "Ana Lima", 245, 188, 255, 95),
    ("ben@hybridpeaks.test", "ben-demo-2026", "Ben Carter", 290, 182, 230, None),
)


def _step(intensity, kind, value=None, target=None, **extra):
    step = {"intensity": intensity, "duration": {"type": kind} if kind == "OPEN" else {"type": kind, "value": value}}
    if target:
        step["target"] = target
    step.update(extra)
    return step


SWEET_SPOT = {
    "sport": "BIKE", "name": "Sweet spot 3 x 12 min", "description": "Seated, smooth pedalling; fuel every 20 min.",
    "steps": [
        _step("WARMUP", "TIME", 900, {"type": "POWER", "zone": 2}),
        {"repeat": 3, "steps": [
            _step("ACTIVE", "TIME", 720, {"type": "POWER", "min": 215, "max": 230}, cadence={"min": 85, "max": 95}),
            _step("RECOVERY", "TIME", 300, {"type": "POWER", "zone": 1}),
        ]},
        _step("COOLDOWN", "TIME", 600, {"type": "POWER", "zone": 1}),
    ],
}
TRACK = {
    "sport": "RUN", "name": "5 x 1 km on the track",
    "steps": [
        _step("WARMUP", "TIME", 900, {"type": "HEART_RATE", "zone": 2}),
        {"repeat": 5, "steps": [
            _step("ACTIVE", "DISTANCE", 1000, {"type": "PACE", "min": 225, "max": 235}, name="1 km"),
            _step("RECOVERY", "TIME", 120, None, notes="Walk or jog easy"),
        ]},
        _step("COOLDOWN", "TIME", 600, {"type": "HEART_RATE", "zone": 1}),
    ],
}
SWIM = {
    "sport": "SWIM", "name": "10 x 100 m",
    "steps": [
        _step("WARMUP", "DISTANCE", 300),
        {"repeat": 10, "steps": [_step("ACTIVE", "DISTANCE", 100), _step("REST", "TIME", 20)]},
        _step("COOLDOWN", "DISTANCE", 200),
    ],
}
LONG_RUN = {
    "sport": "RUN", "name": "Long run, heart rate capped",
    "steps": [
        _step("WARMUP", "TIME", 600, {"type": "HEART_RATE", "zone": 1}),
        _step("ACTIVE", "TIME", 5400, {"type": "HEART_RATE", "min": 135, "max": 150}),
        _step("COOLDOWN", "OPEN", target={"type": "HEART_RATE", "zone": 1}, notes="Press lap when done"),
    ],
}
ENDURANCE_RIDE = {
    "sport": "BIKE", "name": "Endurance ride in zone 2",
    "steps": [
        _step("WARMUP", "TIME", 600, {"type": "POWER", "zone": 1}),
        _step("ACTIVE", "TIME", 5400, {"type": "POWER", "zone": 2}),
        _step("COOLDOWN", "TIME", 600, {"type": "POWER", "zone": 1}),
    ],
}

# The builder's strength rows and a multisport brick, so `make run` shows both.
GYM = {
    "sport": "STRENGTH", "name": "Squats and deadlifts",
    "steps": [
        {"repeat": 4, "steps": [
            _step("ACTIVE", "REPS", 5, exercise={"category": "SQUAT", "name": "BARBELL_BACK_SQUAT"},
                  weight={"value": 100, "unit": "KG"}),
            _step("REST", "TIME", 180),
        ]},
        {"repeat": 3, "steps": [
            _step("ACTIVE", "REPS", 8, exercise={"category": "DEADLIFT", "name": "BARBELL_DEADLIFT"},
                  weight={"value": 225, "unit": "LB"}),
            _step("REST", "TIME", 150),
        ]},
    ],
}
BRICK = {
    "sport": "MULTISPORT", "name": "Brick: ride then run",
    "legs": [
        {"sport": "BIKE", "steps": [
            _step("WARMUP", "TIME", 600, {"type": "POWER", "zone": 2}),
            _step("ACTIVE", "TIME", 2700, {"type": "POWER", "min": 200, "max": 230}),
        ]},
        {"sport": "RUN", "steps": [
            _step("ACTIVE", "TIME", 1200, {"type": "HEART_RATE", "zone": 3}),
            _step("COOLDOWN", "TIME", 300, {"type": "HEART_RATE", "zone": 1}),
        ]},
    ],
}


def demo_week(athlete_email: str, today: date) -> list[dict]:
    """Seven days from today: sessions on past days would never be pushed (and say so)."""
    def day(offset: int) -> date:
        return today + timedelta(days=offset)

    if athlete_email.startswith("ana"):
        return [
            {"date": day(0), "type": SessionType.REST, "title": "Rest day"},
            {"date": day(1), "type": SessionType.ENDURANCE, "title": "Sweet spot", "workout": SWEET_SPOT},
            {"date": day(2), "type": SessionType.ENDURANCE, "title": "Track intervals", "workout": TRACK},
            {"date": day(3), "type": SessionType.STRENGTH, "title": "Gym: lower body", "workout": GYM},
            {"date": day(4), "type": SessionType.ENDURANCE, "title": "Swim technique", "workout": SWIM},
            {"date": day(5), "type": SessionType.ENDURANCE, "title": "Long run", "workout": LONG_RUN},
            {"date": day(6), "type": SessionType.ENDURANCE, "title": "Endurance ride", "workout": ENDURANCE_RIDE},
        ]
    return [
        {"date": day(1), "type": SessionType.ENDURANCE, "title": "Sweet spot", "workout": SWEET_SPOT},
        {"date": day(3), "type": SessionType.ENDURANCE, "title": "Track intervals", "workout": TRACK},
        {"date": day(5), "type": SessionType.OTHER, "title": "Mobility and yoga"},
        {"date": day(6), "type": SessionType.ENDURANCE, "title": "Brick", "workout": BRICK},
    ]


@click.command("seed-demo")
def seed_demo():
    """A demo coach, two athletes with thresholds, and seven days of sessions from today (idempotent)."""
    coach_email, coach_password, coach_name = COACH
    coach = find_user(coach_email)
    if coach is None:
        coach = create_user(coach_email, coach_password, Role.COACH, name=coach_name)
    today = date.today()
    for email, password, name, ftp, max_hr, pace, swim in ATHLETES:
        athlete = find_user(email)
        if athlete is None:
            athlete = create_user(email, password, Role.ATHLETE, name=name, coach=coach)
            db.session.add(AthleteProfile(athlete=athlete, ftp_watts=ftp, max_heart_rate=max_hr,
                                          threshold_pace_sec_per_km=pace, swim_threshold_pace_sec_per_100m=swim))
            db.session.flush()
        by_week: dict[date, list[dict]] = {}
        for session in demo_week(email, today):
            by_week.setdefault(monday_of(session["date"]), []).append(session)
        for monday, sessions in by_week.items():
            if plan_service.find_plan(athlete.id, monday) is None:
                plan_service.create_plan(athlete, monday, sessions)
    db.session.commit()

    click.echo(f"Demo logins ({current_app.config['PUBLIC_URL']}/login):")
    click.echo(f"  coach    {coach_email:<24} {coach_password}")
    for email, password, *_ in ATHLETES:
        click.echo(f"  athlete  {email:<24} {password}")
