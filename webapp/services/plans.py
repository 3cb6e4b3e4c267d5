"""Saving a coach's weekly plan: the rules the JSON API and the plan editor both follow.

Callers pass sessions already checked field by field (api/schemas.py, which hands each
workout to workouts.validation); the rules here are the ones that need the plan: a
session's date inside the plan's week, session ids that belong to the plan, one plan per
athlete and week.  Nothing is committed here: the caller commits once, so a refused
request leaves nothing half-saved, and the export pipeline enqueues only after that commit.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core import exports
from core.db import db
from core.models import SessionType, TrainingSession, User, WeeklyPlan


class PlanConflict(Exception):
    def __init__(self, existing: WeeklyPlan):
        self.existing = existing
        super().__init__(
            f"A plan for this athlete and week already exists (id {existing.id}); update it with PUT /plans/{existing.id}."
        )


class PlanInvalid(Exception):
    """Field errors keyed by the spec's paths, e.g. ``sessions[1].date``."""

    def __init__(self, fields: dict[str, list[str]]):
        self.fields = fields
        super().__init__("; ".join(f"{k}: {v[0]}" for k, v in fields.items()))


def find_plan(athlete_id: int, week_start: date) -> WeeklyPlan | None:
    return db.session.scalar(
        select(WeeklyPlan).where(WeeklyPlan.athlete_id == athlete_id, WeeklyPlan.week_start == week_start)
    )


def get_or_create_plan(athlete: User, week_start: date) -> WeeklyPlan:
    plan = find_plan(athlete.id, week_start)
    if plan is None:
        plan = WeeklyPlan(athlete=athlete, athlete_id=athlete.id, week_start=week_start)
        db.session.add(plan)
    return plan


def create_plan(athlete: User, week_start: date, sessions: list[dict]) -> WeeklyPlan:
    existing = find_plan(athlete.id, week_start)
    if existing is not None:
        raise PlanConflict(existing)
    plan = WeeklyPlan(athlete=athlete, athlete_id=athlete.id, week_start=week_start)
    db.session.add(plan)
    replace_sessions(plan, sessions)
    try:
        db.session.flush()
    except IntegrityError:  # another request created the same plan in between
        db.session.rollback()
        raise PlanConflict(find_plan(athlete.id, week_start)) from None
    return plan


def replace_sessions(plan: WeeklyPlan, sessions: list[dict]) -> None:
    """Make the plan hold exactly ``sessions``: update those with an id, create those
    without, delete the plan's sessions left out."""
    existing = {s.id: s for s in plan.sessions if s.id is not None}
    errors: dict[str, list[str]] = {}
    seen: set[int] = set()
    for index, data in enumerate(sessions):
        errors.update(_date_errors(plan, data["date"], f"sessions[{index}].date"))
        session_id = data.get("id")
        if session_id is None:
            continue
        if session_id not in existing:
            errors[f"sessions[{index}].id"] = ["is not a session of this plan"]
        elif session_id in seen:
            errors[f"sessions[{index}].id"] = ["appears more than once"]
        seen.add(session_id)
    if errors:
        raise PlanInvalid(errors)

    saved = []
    for data in sessions:
        session = existing.get(data.get("id")) if data.get("id") is not None else None
        saved.append(_apply(plan, session, data))
    for session_id, session in existing.items():
        if session_id not in seen:
            delete_session(session)
    exports.sessions_saved(saved)


def save_session(plan: WeeklyPlan, data: dict, session: TrainingSession | None = None) -> TrainingSession:
    """Create or update one session (the plan editor saves one at a time)."""
    errors = _date_errors(plan, data["date"], "date")
    if errors:
        raise PlanInvalid(errors)
    change = _apply(plan, session, data)
    exports.sessions_saved([change])
    return change.session


def delete_session(session: TrainingSession) -> None:
    exports.session_deleted(session)
    session.plan.sessions.remove(session)
    db.session.delete(session)


def delete_plan(plan: WeeklyPlan) -> None:
    for session in list(plan.sessions):
        delete_session(session)
    db.session.delete(plan)


def default_title(data: dict) -> str:
    if data["type"] == SessionType.ENDURANCE and data.get("workout"):
        return data["workout"]["name"].strip()[:120]
    return data["type"].capitalize()


def _apply(plan: WeeklyPlan, session: TrainingSession | None, data: dict) -> exports.Saved:
    """Write one session's fields; say what changed, for the export pipeline."""
    workout = data.get("workout") if data["type"] in TrainingSession.DELIVERED else None
    title = (data.get("title") or "").strip() or default_title(data)
    if session is None:
        session = TrainingSession(date=data["date"], type=data["type"], title=title, workout=workout, revision=1)
        plan.sessions.append(session)
        db.session.add(session)
        return exports.Saved(session, changed=True, was_delivered=False)
    before = session.fingerprint()
    was_delivered = session.is_delivered
    session.date, session.type, session.title, session.workout = data["date"], data["type"], title, workout
    changed = session.fingerprint() != before
    if changed:
        session.revision += 1
    return exports.Saved(session, changed=changed, was_delivered=was_delivered)


def _date_errors(plan: WeeklyPlan, day: date, path: str) -> dict[str, list[str]]:
    last = plan.week_start + timedelta(days=6)
    if plan.week_start <= day <= last:
        return {}
    return {path: [f"must fall within the plan's week ({plan.week_start.isoformat()} to {last.isoformat()})"]}
