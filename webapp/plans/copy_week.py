"""The week view's "Copy this week" (``POST /plans/copy``): the form's fields read into the
copy rule the API shares (services/copying.py).  The answer is always back to a week with a
notice: the target week when copied, the source week with what stood in the way when not (a
day that already holds a session is named, and the form offers to replace it)."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for

from core.db import db
from core.models import Role

from ..auth.access import coach_athlete_or_404, role_required
from ..inputs import id_arg, parse_day
from ..services import copying
from ..services import library_messages as say
from ..services import plans as plan_service
from . import bp


def _chosen_athletes():
    ids = []
    for value in request.form.getlist("to_athlete"):
        if not (value.isascii() and value.isdigit()) or len(value) > 10:
            abort(404)
        ids.append(int(value))
    return [coach_athlete_or_404(athlete_id) for athlete_id in dict.fromkeys(ids)]


@bp.post("/copy")
@role_required(Role.COACH)
def copy_week():
    athlete = coach_athlete_or_404(id_arg("athlete") or 0)
    from_week, to_week = parse_day(request.form.get("week")), parse_day(request.form.get("to_week"))
    back = url_for("plans.week", athlete=athlete.id, week=from_week.isoformat() if from_week else None)
    targets = _chosen_athletes()
    problem = None
    if from_week is None or from_week.weekday() or to_week is None or to_week.weekday():
        problem = say.COPY_WEEKS
    elif not targets:
        problem = say.NO_ATHLETE_CHOSEN.capitalize() + "."
    if problem:
        flash(problem, "error")
        return redirect(back, 303)
    try:
        copying.copy_week(athlete, from_week, to_week, targets, replace=request.form.get("replace") == "1")
    except copying.CopyConflict as error:
        db.session.rollback()
        flash(say.clashes_message(error.clashes, say.REPLACE_HINT_PAGE), "error")
        return redirect(back, 303)
    except plan_service.PlanInvalid as error:
        db.session.rollback()
        flash(say.copy_refused(error.fields), "error")
        return redirect(back, 303)
    db.session.commit()
    flash(say.copied(from_week, to_week, targets), "info")
    return redirect(url_for("plans.week", athlete=targets[0].id, week=to_week.isoformat()), 303)
