"""Who may see and change what, for the API: the rules of api.md's "who" column."""

from __future__ import annotations

from functools import wraps

from flask import g, request

from core.db import db
from core.models import Role, TrainingSession, User, WeeklyPlan

from ..inputs import BadJson, json_object
from .errors import bad_request, forbidden, not_found


def current_user() -> User:
    return g.api_user


def require_role(role: str):
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if current_user().role != role:
                raise forbidden(f"Only {'a coach' if role == Role.COACH else 'an athlete'} may do this.")
            return view(*args, **kwargs)

        return wrapper

    return decorator


def can_see_athlete(user: User, athlete: User) -> bool:
    return athlete.is_athlete and (athlete.id == user.id or athlete.coach_id == user.id)


def visible_athlete(athlete_id: int) -> User:
    """The athlete, if the caller is that athlete or their coach; 404 otherwise."""
    athlete = db.session.get(User, athlete_id)
    if athlete is None or not can_see_athlete(current_user(), athlete):
        raise not_found("athlete")
    return athlete


def plan_for(plan_id: int, write: bool = False) -> WeeklyPlan:
    """The plan, checked against the caller: its athlete and their coach read it, only the
    coach writes it; anyone else is told it does not exist."""
    plan = db.session.get(WeeklyPlan, plan_id)
    user = current_user()
    if plan is None or not can_see_athlete(user, plan.athlete):
        raise not_found("plan")
    if write and user.id != plan.athlete.coach_id:
        raise forbidden("Only the athlete's coach may change this plan.")
    return plan


def session_for(session_id: int) -> TrainingSession:
    session = db.session.get(TrainingSession, session_id)
    if session is None or not can_see_athlete(current_user(), session.plan.athlete):
        raise not_found("session")
    return session


def json_body() -> dict:
    """The request's JSON object, or a 400 that says what is wrong with it."""
    try:
        return json_object(request.get_data(cache=True))
    except BadJson as error:
        raise bad_request(str(error)) from None
