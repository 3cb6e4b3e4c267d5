"""Plans: list, create, read, replace and delete a coach's weekly plans."""

from __future__ import annotations

from flask import jsonify, request
from sqlalchemy import select

from core.db import db
from core.models import Role, User, WeeklyPlan

from ..services import plans as plan_service
from . import bp
from .access import current_user, json_body, plan_for, require_role
from .errors import conflict, forbidden, invalid
from .schemas import PlanCreateSchema, PlanQuerySchema, PlanUpdateSchema
from .serializers import plan_json
from .validation import load


@bp.get("/plans")
def list_plans():
    query = load(PlanQuerySchema(), request.args.to_dict())
    user = current_user()
    statement = select(WeeklyPlan).join(User, WeeklyPlan.athlete_id == User.id)
    if user.is_coach:
        statement = statement.where(User.coach_id == user.id)
    else:
        statement = statement.where(WeeklyPlan.athlete_id == user.id)
    if query["athleteId"] is not None:
        statement = statement.where(WeeklyPlan.athlete_id == query["athleteId"])
    if query["weekStart"] is not None:
        statement = statement.where(WeeklyPlan.week_start == query["weekStart"])
    plans = db.session.scalars(statement.order_by(WeeklyPlan.week_start, WeeklyPlan.athlete_id)).all()
    return jsonify([plan_json(plan) for plan in plans])


@bp.post("/plans")
@require_role(Role.COACH)
def create_plan():
    data = load(PlanCreateSchema(), json_body())
    athlete = db.session.get(User, data["athleteId"])
    if athlete is None or not current_user().coaches(athlete):
        raise forbidden("athleteId: not one of your athletes")
    try:
        plan = plan_service.create_plan(athlete, data["weekStart"], data["sessions"])
    except plan_service.PlanConflict as error:
        raise conflict(str(error), {"weekStart": [str(error)]}) from None
    except plan_service.PlanInvalid as error:
        db.session.rollback()
        raise invalid(error.fields) from None
    db.session.commit()
    return jsonify(plan_json(plan)), 201


@bp.get("/plans/<int:plan_id>")
def get_plan(plan_id: int):
    return jsonify(plan_json(plan_for(plan_id)))


@bp.put("/plans/<int:plan_id>")
def update_plan(plan_id: int):
    plan = plan_for(plan_id, write=True)
    data = load(PlanUpdateSchema(), json_body())
    try:
        plan_service.replace_sessions(plan, data["sessions"])
    except plan_service.PlanInvalid as error:
        db.session.rollback()
        raise invalid(error.fields) from None
    db.session.commit()
    return jsonify(plan_json(plan))


@bp.delete("/plans/<int:plan_id>")
def delete_plan(plan_id: int):
    plan = plan_for(plan_id, write=True)
    plan_service.delete_plan(plan)
    db.session.commit()
    return "", 204
