from __future__ import annotations

from datetime import date, timedelta

from flask import render_template, request
from flask_login import current_user

from ..auth.access import role_required
from ..models import Role
from ..services import plans as plan_service
from ..timeutil import monday_of, parse_date, week_days
from . import bp


@bp.get("/week")
@role_required(Role.ATHLETE)
def week():
    week_start = monday_of(parse_date(request.args.get("week")) or date.today())
    plan = plan_service.find_plan(current_user.id, week_start)
    sessions = plan.sessions if plan else []
    days = [(day, [s for s in sessions if s.date == day]) for day in week_days(week_start)]
    return render_template(
        "athlete/week.html", week_start=week_start, days=days,
        previous_week=week_start - timedelta(days=7), next_week=week_start + timedelta(days=7),
        this_week=monday_of(date.today()),
    )
